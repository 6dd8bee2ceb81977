"""The supervision queries in chat (handlers.queries): scopes, choices, drill-down buttons.

The answers themselves are rendered by ``bot.domain.querytext`` from ``bot.texts.queries``;
these are the words only the chat half needs.
"""

MESSAGES = {
    # -- what an answer covers
    "qc.scope": {"zh": "范围:{scope}", "en": "Scope: {scope}"},
    "qc.scope_mine": {"zh": "您承办的件", "en": "your cases"},
    "qc.scope_person": {"zh": "{name}承办的件", "en": "cases handled by {name}"},
    "qc.seen_leads": {
        "zh": "(您分管的处室:{names})",
        "en": "(the divisions you lead: {names})",
    },
    "qc.seen_division": {"zh": "({name}的办件)", "en": "(the cases of {name})"},
    "qc.seen_own": {"zh": "(您承办的件)", "en": "(the cases you handle)"},
    # -- names to choose from, names not found, names out of sight
    "qc.which_division": {
        "zh": "有多个处室与“{name}”相符,请选择:",
        "en": "Several divisions fit “{name}”; which one?",
    },
    "qc.which_person": {
        "zh": "有多位承办人与“{name}”相符,请选择:",
        "en": "Several handlers fit “{name}”; which one?",
    },
    "qc.choose_division": {"zh": "请选择要查看的处室:", "en": "Which division?"},
    "qc.division_unknown": {
        "zh": "没有找到处室“{name}”。",
        "en": "No division “{name}” found.",
    },
    "qc.person_unknown": {
        "zh": "没有找到承办人“{name}”。",
        "en": "No handler “{name}” found.",
    },
    "qc.hidden": {
        "zh": "“{name}”的办件不在您的查看范围内。",
        "en": "The cases of “{name}” are outside what you may see.",
    },
    # -- drill-down buttons
    "qc.btn_division": {"zh": "📂 {name}", "en": "📂 {name}"},
    "qc.btn_overdue": {"zh": "⏰ 超期 {n} 件", "en": "⏰ {n} overdue"},
}
