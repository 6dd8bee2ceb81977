"""Supervision as offices practise it (issue 18): 签收, traffic lights (红黄绿灯)."""

MESSAGES = {
    # -- rules
    "rules.label.warn_workdays": {
        "zh": "黄灯预警期(到期前工作日数)",
        "en": "yellow light: warning window (working days before a deadline)",
    },
    "rules.label.sign_workdays": {
        "zh": "交办后签收时限(工作日)",
        "en": "signing for an assigned case (working days after assignment)",
    },
    "field.signed_at": {"zh": "签收时间", "en": "signed at"},
    "field.signed_by": {"zh": "签收人", "en": "signed by"},
    "field.signed_by_id": {"zh": "签收人编号", "en": "signer's id"},

    # -- 签收
    "step.sign": {"zh": "签收", "en": "sign for receipt"},
    "clock.sign": {"zh": "签收", "en": "signing"},
    "access.cannot_sign": {
        "zh": "只有本件承办人(或办公室)可以签收。",
        "en": "Only the case's handler (or the office) may sign for it.",
    },
    "sv.sign_not_yours": {
        "zh": "只有本件承办人(或办公室)可以签收。",
        "en": "Only the case's handler (or the office) may sign for it.",
    },
    "sv.already_signed": {
        "zh": "本件已签收({who},{at}),无须再签。",
        "en": "This case is already signed for ({who}, {at}).",
    },
    "sv.done.signed": {"zh": "已签收({at})。", "en": "Signed for ({at})."},
    "sv.card.signed": {"zh": "签收:{at} {who}", "en": "Signed for: {at} {who}"},
    "sv.card.signed_unknown": {"zh": "签收:已签收(时间未记录)", "en": "Signed for (time not recorded)"},
    "sv.card.unsigned": {
        "zh": "签收:未签收(应于 {due} 前签收)",
        "en": "Not signed for yet (due by {due})",
    },
    "sv.card.unsigned_late": {
        "zh": "签收:⚠ 未签收,已超过签收时限({due})",
        "en": "⚠ Not signed for: the signing deadline ({due}) has passed",
    },
    "sv.remind.unsigned": {
        "zh": "交办后未签收,已超过签收时限{n}个工作日",
        "en": "assigned but not signed for, {n} working day(s) past the signing deadline",
    },
    "sv.progress_unsigned": {
        "zh": "未签收:{n}件(超过签收时限{late}件)",
        "en": "Not signed for: {n} (past the signing deadline: {late})",
    },

    # -- traffic lights
    "sv.light.done": {"zh": "✅ 已办结", "en": "✅ done"},
    "sv.light.overdue": {
        "zh": "🔴 红灯:{clock}已超期{workdays}个工作日(时限 {due})",
        "en": "🔴 red: the {clock} is {workdays} working day(s) overdue (due {due})",
    },
    "sv.light.due_soon": {
        "zh": "🟡 黄灯:{clock}时限 {due},只剩{workdays}个工作日(预警期{window}个工作日)",
        "en": "🟡 yellow: the {clock} is due {due}, {workdays} working day(s) left (warning window {window})",
    },
    "sv.light.behind": {
        "zh": "🟡 黄灯:办理时间已过半({due}起),还没有协商记录",
        "en": "🟡 yellow: half of the time has passed (since {due}) with no consultation recorded",
    },
    "sv.light.unsigned": {
        "zh": "🟡 黄灯:交办后未按时签收(签收时限 {due})",
        "en": "🟡 yellow: not signed for in time (signing deadline {due})",
    },
    "sv.light.on_track": {
        "zh": "🟢 绿灯:按期推进({clock}时限 {due})",
        "en": "🟢 green: on track (the {clock} is due {due})",
    },
    "sv.light.no_deadline": {"zh": "🟢 绿灯:无办理时限", "en": "🟢 green: no deadline"},
}
