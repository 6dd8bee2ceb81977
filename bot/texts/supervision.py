"""Supervision as offices practise it: 签收, traffic lights (红黄绿灯)."""

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

    # -- 督办单 (supervision notices)
    "step.notice": {"zh": "督办单", "en": "supervision notice"},
    "step.notice_reply": {"zh": "答复督办单", "en": "answer the notice"},
    "clock.notice": {"zh": "督办单", "en": "supervision notice"},
    "field.notice_text": {"zh": "督办要求", "en": "what is required"},
    "field.notices": {"zh": "督办单", "en": "supervision notices"},
    "field.answer": {"zh": "答复方式", "en": "answer"},
    "access.cannot_issue_notice": {
        "zh": "督办单由办公室或分管领导下达。",
        "en": "Supervision notices are issued by the office or a leader.",
    },
    "sv.no_open_notice": {"zh": "本件没有待答复的督办单。", "en": "This case has no open supervision notice."},
    "sv.ask.notice_text": {
        "zh": "<b>{title} · 督办单</b>\n督办要求是什么?(例如“请于本周内与代表面商并报送进展”)",
        "en": "<b>{title} · supervision notice</b>\nWhat is required? (e.g. “meet the deputy this week and report”)",
    },
    "sv.ask.notice_due": {
        "zh": "什么时候前落实?(例如“7月10日前”“下周五”)",
        "en": "By when? (e.g. “July 10”, “next Friday”)",
    },
    "sv.ask.notice_answer": {
        "zh": "<b>{title} · 答复督办单</b>\n督办要求:{text}(时限 {due})\n已落实,还是说明情况?",
        "en": "<b>{title} · answer the notice</b>\nRequired: {text} (by {due})\nDone, or a reason?",
    },
    "sv.ask.notice_note.done": {
        "zh": "请简要说明落实情况:",
        "en": "Say briefly what was done:",
    },
    "sv.ask.notice_note.reason": {
        "zh": "请说明未能落实的原因:",
        "en": "Give the reason it could not be done:",
    },
    "sv.answer.done": {"zh": "已落实", "en": "done"},
    "sv.answer.reason": {"zh": "说明情况", "en": "reason"},
    "sv.done.notice": {
        "zh": "✓ 督办单已下达(时限 {due}),已通知:{names}。",
        "en": "✓ Supervision notice issued (due {due}); told: {names}.",
    },
    "sv.done.notice_nobody": {
        "zh": "✓ 督办单已下达(时限 {due}),但承办人和处室负责人都未关联Telegram,请另行通知。",
        "en": "✓ Supervision notice issued (due {due}), but neither the handler nor the division head can be reached here; please tell them.",
    },
    "sv.notify.notice": {
        "zh": "📮 {by} 就 {title} 下达督办单:\n{text}\n请于 <b>{due}</b> 前落实并答复。",
        "en": "📮 {by} issued a supervision notice on {title}:\n{text}\nPlease act and answer by <b>{due}</b>.",
    },
    "sv.done.notice_answered": {
        "zh": "✓ 督办单已答复({answer}):{note}",
        "en": "✓ Notice answered ({answer}): {note}",
    },
    "sv.notify.notice_answered": {
        "zh": "📬 {by} 答复了 {title} 的督办单({answer},{when}):{note}",
        "en": "📬 {by} answered the supervision notice on {title} ({answer}, {when}): {note}",
    },
    "sv.when.on_time": {"zh": "按期", "en": "on time"},
    "sv.when.late": {"zh": "逾期", "en": "late"},
    "sv.card.notices": {"zh": "督办单:", "en": "Supervision notices:"},
    "sv.card.notice_open": {
        "zh": "{n}. {text} — {by} 下达,时限 {due}({state})",
        "en": "{n}. {text} — by {by}, due {due} ({state})",
    },
    "sv.card.notice_answered": {
        "zh": "{n}. {text} — {by} 下达,时限 {due};{answered_by} {on} 答复({answer},{when}):{note}",
        "en": "{n}. {text} — by {by}, due {due}; answered by {answered_by} on {on} ({answer}, {when}): {note}",
    },
    "sv.card.notice_waiting": {"zh": "待答复", "en": "awaiting an answer"},
    "sv.card.notice_overdue": {"zh": "⚠ 已超期未答复", "en": "⚠ overdue, not answered"},
    "sv.n_notices": {"zh": "{n}份督办单", "en": "{n} notice(s)"},
    "sv.note.notice": {"zh": "督办单:{text}(时限 {due})", "en": "notice: {text} (due {due})"},
    "sv.note.notice_answered": {
        "zh": "答复督办单({answer}):{note}",
        "en": "notice answered ({answer}): {note}",
    },
    "sv.progress_notices": {
        "zh": "督办单:共{issued}份,待答复{open}份(逾期{overdue}份),按期答复{on_time}份",
        "en": "Supervision notices: {issued}, open {open} (overdue {overdue}), answered on time {on_time}",
    },
    "sv.report_notices": {
        "zh": "全年下达督办单{issued}件,已答复{answered}件,其中按期答复{on_time}件。",
        "en": "{issued} supervision notice(s) were issued during the year; {answered} answered, {on_time} of them on time.",
    },

    # -- 审核 (review of the draft reply)
    "rules.label.review_chain": {
        "zh": "复文审核顺序(division_head 处室负责人, leader 分管领导, head 主要领导, office 办公室)",
        "en": "review chain of a draft reply (division_head, leader, head, office)",
    },
    "rules.label.review_workdays": {
        "zh": "每级审核时限(工作日,超过即告知办公室)",
        "en": "working days a review step may wait before the office is told",
    },
    "rules.label.review_strict": {
        "zh": "所有答复须经审核(yes/no)",
        "en": "every answer needs a reviewed draft (yes/no)",
    },
    "rules.hint.review_chain": {
        "zh": "请写一个或几个职务,用逗号分开,不重复:division_head, leader, head, office。",
        "en": "give one or more positions, comma-separated, no repeats: division_head, leader, head, office.",
    },
    "rules.hint.flag": {"zh": "请写 yes 或 no。", "en": "write yes or no."},
    "field.draft_text": {"zh": "复文内容", "en": "draft reply"},
    "field.review_round": {"zh": "审核轮次", "en": "review round"},
    "field.review_chain": {"zh": "审核顺序", "en": "review chain"},
    "field.review_since": {"zh": "本级待审起始日", "en": "waiting for review since"},
    "field.reviews": {"zh": "审核记录", "en": "reviews"},
    "field.decision": {"zh": "审核意见", "en": "decision"},
    "step.review_ok": {"zh": "同意", "en": "approve"},
    "step.review_back": {"zh": "退回修改", "en": "send back"},
    "clock.review": {"zh": "审核", "en": "review"},
    "wf.use_step_review": {
        "zh": "已审核由审核人逐级[同意]后自动完成,不能直接设置。",
        "en": "A draft becomes reviewed when every reviewer approved it; it cannot be set directly.",
    },
    "sv.review_first": {
        "zh": "复文还没有审核完毕,审核后才能答复(办公室可说明理由直接答复)。",
        "en": "The draft is not reviewed yet; it can be answered once reviewed (the office may answer anyway with a reason).",
    },
    "sv.review_first_card": {
        "zh": "{title} 的复文还没有审核完毕:请等审核人[同意]后再答复。",
        "en": "The draft of {title} is not reviewed yet: answer once the reviewers approved it.",
    },
    "sv.ask.override_review": {
        "zh": "<b>{title}</b> 的复文还没有审核完毕。您是办公室,可以说明理由直接答复,理由将记入办理记录。请输入理由:",
        "en": "The draft of <b>{title}</b> is not reviewed yet. As the office you may answer anyway with a reason, kept in the history. Type the reason:",
    },
    "sv.note.override_review": {
        "zh": "未经审核即答复(办公室批准):{reason}",
        "en": "answered without review (office override): {reason}",
    },
    "sv.done.overridden_review": {
        "zh": "(未经审核即答复,理由已记入办理记录)",
        "en": "(answered without review; the reason is in the history)",
    },
    "sv.no_review": {"zh": "本件没有待审核的复文。", "en": "This case has no draft waiting for review."},
    "sv.review_not_yours": {
        "zh": "复文现在等待{position}审核,不是您。",
        "en": "The draft now waits for the {position}'s review, not yours.",
    },
    "sv.position.division_head": {"zh": "处室负责人", "en": "division head"},
    "sv.position.leader": {"zh": "分管领导", "en": "leader in charge"},
    "sv.position.head": {"zh": "主要领导", "en": "head of the bureau"},
    "sv.position.office": {"zh": "办公室", "en": "office"},
    "sv.ask.draft_text": {
        "zh": "<b>{title} · 复文内容</b>\n请粘贴复文内容(供审核人阅看):",
        "en": "<b>{title} · draft text</b>\nPaste the draft reply (for the reviewers):",
    },
    "step.draft_text": {"zh": "复文内容", "en": "draft text"},
    "sv.done.draft_text": {
        "zh": "✓ 复文内容已附上,已送审核人:{names}。",
        "en": "✓ Draft text attached and sent to the reviewer(s): {names}.",
    },
    "sv.done.drafted": {
        "zh": "✓ 已拟复文,送{position}审核:{names}。",
        "en": "✓ Reply drafted; sent for review to the {position}: {names}.",
    },
    "sv.done.drafted_nobody": {
        "zh": "✓ 已拟复文,待{position}审核(目前无人可通知,请另行联系)。",
        "en": "✓ Reply drafted; waits for the {position}'s review (nobody to tell here; please contact them).",
    },
    "sv.notify.review": {
        "zh": "📝 {title} 的复文待您审核({by} 拟稿):\n{draft}",
        "en": "📝 The draft reply of {title} waits for your review (drafted by {by}):\n{draft}",
    },
    "sv.no_draft_text": {"zh": "(未附复文内容)", "en": "(no draft text attached)"},
    "sv.ask.review_reason": {
        "zh": "<b>{title} · 退回修改</b>\n请写明需要修改的地方:",
        "en": "<b>{title} · send back</b>\nWhat must be changed?",
    },
    "sv.done.review_ok": {"zh": "✓ 已同意。", "en": "✓ Approved."},
    "sv.done.review_ok_next": {
        "zh": "✓ 已同意,转{position}审核:{names}。",
        "en": "✓ Approved; now with the {position}: {names}.",
    },
    "sv.done.reviewed": {"zh": "✓ 已同意,复文审核完毕(已审核)。", "en": "✓ Approved; the draft is reviewed."},
    "sv.done.review_back": {"zh": "✓ 已退回修改,已告知承办人。", "en": "✓ Sent back; the handler was told."},
    "sv.notify.reviewed": {
        "zh": "✅ {title} 的复文已审核完毕({by} 最后同意),可以答复了。",
        "en": "✅ The draft of {title} is reviewed ({by} approved last); it can be answered now.",
    },
    "sv.notify.review_back": {
        "zh": "↩ {by} 退回了 {title} 的复文,请修改后重新提交:{reason}",
        "en": "↩ {by} sent back the draft of {title}; revise and submit again: {reason}",
    },
    "sv.note.review_ok": {"zh": "审核同意({position})", "en": "review approved ({position})"},
    "sv.note.review_back": {"zh": "审核退回修改({position}):{reason}", "en": "sent back by the {position}: {reason}"},
    "sv.card.draft": {"zh": "复文:{text}", "en": "Draft: {text}"},
    "sv.card.review": {"zh": "审核:{steps}", "en": "Review: {steps}"},
    "sv.card.review_done": {"zh": "{position} ✓{who} {on}", "en": "{position} ✓{who} {on}"},
    "sv.card.review_waiting": {"zh": "{position} 待审核(自 {since})", "en": "{position} waiting (since {since})"},
    "sv.card.review_late": {"zh": "{position} ⚠ 待审核已超时(自 {since})", "en": "{position} ⚠ overdue (since {since})"},
    "sv.card.review_todo": {"zh": "{position}", "en": "{position}"},
    "sv.card.review_returned": {
        "zh": "上次退回修改:{who}({position}){on}:{reason}",
        "en": "Last sent back: {who} ({position}) {on}: {reason}",
    },
    "sv.remind.review": {"zh": "复文待您审核", "en": "a draft reply waits for your review"},
    "sv.remind.review_late": {
        "zh": "复文审核已超时{n}个工作日",
        "en": "the draft's review is {n} working day(s) late",
    },
    "sv.n_reviews": {"zh": "{n}条审核记录", "en": "{n} review decision(s)"},
    "sv.progress_reviews": {
        "zh": "待审核复文:{n}件(超时{late}件)",
        "en": "Drafts waiting for review: {n} (late: {late})",
    },

    # -- the office's questions (the supervision lists)
    "sv.due_head_from": {"zh": "📅 {start}起到期 {total} 件", "en": "📅 {total} due from {start} on"},
    "sv.due_none_from": {"zh": "📅 {start}起没有到期事项。", "en": "📅 Nothing due from {start} on."},
    "sv.list.unconsulted": {"zh": "🗣 还没有协商的件 {n} 件(先协商,后答复)", "en": "🗣 Not consulted yet: {n}"},
    "sv.list.unfixed": {"zh": "🧩 五定不全的件 {n} 件", "en": "🧩 Five fixes incomplete: {n}"},
    "sv.list.unsigned": {"zh": "✍ 还没签收的件 {n} 件", "en": "✍ Not signed for: {n}"},
    "sv.list.continuation": {"zh": "🔁 续办件 {n} 件(在办{open}件)", "en": "🔁 Continuation cases: {n} ({open} open)"},
    "sv.list.reviews": {"zh": "📝 待审核的复文 {n} 件", "en": "📝 Drafts waiting for review: {n}"},
    "sv.list_none.unconsulted": {"zh": "🗣 在办件都已协商。", "en": "🗣 Every open case has been consulted."},
    "sv.list_none.unfixed": {"zh": "🧩 所有办件五定齐全。", "en": "🧩 Every case has its five fixes."},
    "sv.list_none.unsigned": {"zh": "✍ 没有待签收的件。", "en": "✍ Nothing waits to be signed for."},
    "sv.list_none.continuation": {"zh": "🔁 没有续办件。", "en": "🔁 No continuation cases."},
    "sv.list_none.reviews": {"zh": "📝 没有待审核的复文。", "en": "📝 No draft waits for review."},
    "sv.list_period": {"zh": "(时限在 {start}至{end})", "en": "(due {start}–{end})"},
    "sv.list_period_from": {"zh": "({start}起到期)", "en": "(due from {start} on)"},
    "sv.list.missing": {"zh": "  缺:{fixes}", "en": "  missing: {fixes}"},
    "sv.list.sign_due": {"zh": "  签收时限 {due}{late}", "en": "  sign by {due}{late}"},
    "sv.list.sign_late": {"zh": "(已超时)", "en": " (late)"},
    "sv.list.review_at": {"zh": "  待{position}审核(自 {since}){late}", "en": "  waits for the {position} (since {since}){late}"},
    "sv.requests.head": {
        "zh": "📥 待处理事项:入职申请{join}件、延期申请{ext}件、待审核复文{rev}件。",
        "en": "📥 Waiting for you: {join} join request(s), {ext} extension request(s), {rev} draft(s) to review.",
    },
    "sv.requests.none": {"zh": "📥 目前没有待您处理的申请或审核。", "en": "📥 Nothing waits for your decision."},
    "sv.requests.more": {"zh": "……另有{n}项未列出。", "en": "… and {n} more not listed."},
    "sv.requests.review": {
        "zh": "📝 {title} 的复文待您审核({by} 拟稿,自 {since}):\n{draft}",
        "en": "📝 The draft of {title} waits for your review (by {by}, since {since}):\n{draft}",
    },
    # -- 时限怎么算
    "sv.btn.deadlines": {"zh": "时限怎么算", "en": "how deadlines count"},
    "sv.dl.head": {"zh": "<b>时限是怎么算的</b>", "en": "<b>How the deadlines were counted</b>"},
    "sv.dl.after_answer": {"zh": " · {clock}:答复后才计时", "en": " · {clock}: counted from the answer"},
    "sv.dl.set": {"zh": " · {clock} {due}:由人工设定", "en": " · {clock} {due}: set by a person"},
    "sv.dl.extension": {"zh": " · {clock} {due}:延期申请获批", "en": " · {clock} {due}: an approved extension"},
    "sv.dl.months": {
        "zh": " · {clock} {due}:交办日 {start} 起{n}个月(按自然月计)",
        "en": " · {clock} {due}: {n} month(s) after assignment on {start} (calendar months)",
    },
    "sv.dl.rule": {"zh": " · {clock} {due}:年度规则规定的日期", "en": " · {clock} {due}: the date the year's rules give"},
    "sv.dl.workdays": {
        "zh": " · {clock} {due}:{start} 之后第{n}个工作日",
        "en": " · {clock} {due}: working day {n} after {start}",
    },
    "sv.dl.skipped": {"zh": "   跳过节假日:{days}", "en": "   holidays skipped: {days}"},
    "sv.dl.made_up": {"zh": "   计入调休上班日:{days}", "en": "   make-up working days counted: {days}"},
    "sv.dl.estimated": {
        "zh": "   (该年节假日安排尚未公布,按周一至周五估算)",
        "en": "   (that year's holidays are not published yet: Monday–Friday assumed)",
    },
    "sv.dl.notice": {"zh": " · {clock} {due}:{by} 下达时规定", "en": " · {clock} {due}: set by {by} when issued"},
    "sv.dl.none": {"zh": " · 本件没有办理时限。", "en": " · This case has no deadline."},
    # -- the calendar changed
    "sv.note.calendar_moved": {
        "zh": "工作日历调整,按工作日计算的时限由 {old} 改为 {new}",
        "en": "the working calendar changed: the working-day deadline moved from {old} to {new}",
    },
    "sv.cal.moved": {
        "zh": "办件#{case_id} {clock}时限 {old} → {new}(承办人 {handler},将由机器人通知)",
        "en": "case #{case_id} {clock} deadline {old} → {new} (handler {handler}, to be told by the bot)",
    },
    "sv.notify.deadline_moved": {
        "zh": "🗓 工作日历调整:{title} 的{clock}时限由 {old} 改为 <b>{new}</b>。",
        "en": "🗓 The working calendar changed: the {clock} deadline of {title} moved from {old} to <b>{new}</b>.",
    },
    "sv.help": {
        "zh": "/unconsulted /unfixed /unsigned /continuation /reviews  或问:哪些件还没签收?待审核的有哪些?\n/requests  待我处理的申请和审核",
        "en": "/unconsulted /unfixed /unsigned /continuation /reviews  or ask: which cases are unsigned?\n/requests  what waits for my decision",
    },
    "sv.card.ext_pending": {
        "zh": "延期申请:{who} 申请由 {old} 延至 {new}(待审批):{reason}",
        "en": "Extension: {who} asks to move {old} to {new} (pending): {reason}",
    },
    "sv.card.ext_approved": {
        "zh": "延期申请:{who} 申请延至 {new},{by} 已同意",
        "en": "Extension: {who} asked for {new}; approved by {by}",
    },
    "sv.card.ext_refused": {
        "zh": "延期申请:{who} 申请延至 {new},{by} 未同意",
        "en": "Extension: {who} asked for {new}; refused by {by}",
    },
    "sv.step.ext_refuse": {"zh": "不同意延期", "en": "refuse the extension"},
    "sv.ask.refusal_reason": {
        "zh": "<b>{title} · 不同意延期(申请延至 {new})</b>\n请写明理由(将告知申请人):",
        "en": "<b>{title} · refuse the extension (to {new})</b>\nGive the reason (the requester is told):",
    },
    "sv.refusal_reason": {"zh": "理由:{reason}", "en": "Reason: {reason}"},
    "sv.card.ext_because": {"zh":":{reason}", "en": ": {reason}"},
}
