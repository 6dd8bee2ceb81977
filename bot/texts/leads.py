"""Which divisions a leader in charge (分管领导) leads: asked when the office approves them."""

MESSAGES = {
    "leads.ask": {
        "zh": "请选择{name}分管的处室(可多选,再点一次取消),选好后点[完成]:",
        "en": "Choose the divisions {name} leads (several allowed; press again to undo), "
              "then press [Done]:",
    },
    "leads.now": {"zh": "已选:{divisions}", "en": "chosen: {divisions}"},
    "leads.none_yet": {"zh": "尚未选择(未选处室时看不到任何处室的办件)",
                       "en": "none yet (without divisions they see no division's cases)"},
    "leads.no_divisions": {
        "zh": "名单和办件中还没有处室;导入台账后可在 /person {name} 中设置分管处室。",
        "en": "No divisions are known yet; after importing the ledger, set them in "
              "/person {name}.",
    },
    "leads.btn_done": {"zh": "完成", "en": "Done"},
}
