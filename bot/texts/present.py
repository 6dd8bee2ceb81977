"""Where a clock stands, said once for every view (``bot.domain.present.clock_state``)."""

MESSAGES = {
    "state.overdue": {"zh": "超期{days}天({workdays}个工作日)",
                      "en": "{days} {days:day|days} overdue ({workdays} working "
                            "{workdays:day|days})"},
    "state.today": {"zh": "今天到期", "en": "due today"},
    "state.tomorrow": {"zh": "明天到期", "en": "due tomorrow"},
    "state.left": {"zh": "还有{days}天", "en": "{days} {days:day|days} left"},
    "state.done": {"zh": "{on}完成", "en": "met {on}"},
    "state.undated": {"zh": "日期不详", "en": "on an unknown day"},
    # -- history: fields that have no label of their own elsewhere
    "field.approved": {"zh": "已批准", "en": "approved"},
    "field.active": {"zh": "在用", "en": "active"},
    "field.username": {"zh": "Telegram用户名", "en": "Telegram username"},
    "field.extra": {"zh": "台账其他列", "en": "other ledger columns"},
    "field.clocks": {"zh": "时限", "en": "deadlines"},
    "history.pair": {"zh": "{key}:{value}", "en": "{key}: {value}"},
    "history.pairs_sep": {"zh": ";", "en": "; "},
}
