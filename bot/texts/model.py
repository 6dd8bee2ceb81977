"""Labels of the domain vocabulary and the model's validation errors."""

MESSAGES = {
    # kinds
    "kind.suggestion": {"zh": "建议", "en": "suggestion"},
    "kind.proposal": {"zh": "提案", "en": "proposal"},
    # roles
    "role.lead": {"zh": "主办", "en": "lead"},
    "role.sole": {"zh": "独办", "en": "sole"},
    "role.co": {"zh": "协办", "en": "co-handling"},
    "role.joint": {"zh": "会办", "en": "joint handling"},
    "role.split": {"zh": "分办", "en": "split"},
    "role.reference": {"zh": "工作参考", "en": "work reference"},
    # positions
    "position.head": {"zh": "主要领导", "en": "head of the bureau"},
    "position.leader": {"zh": "分管领导", "en": "leader in charge"},
    "position.division_head": {"zh": "处室负责人", "en": "division head"},
    "position.handler": {"zh": "承办人", "en": "handler"},
    "position.office": {"zh": "办公室", "en": "coordinating office"},
    # stages
    "stage.registered": {"zh": "登记", "en": "registered"},
    "stage.assigned": {"zh": "交办", "en": "assigned"},
    "stage.in_progress": {"zh": "办理中", "en": "in progress"},
    "stage.consulted": {"zh": "已协商", "en": "consulted"},
    "stage.drafted": {"zh": "已拟复文", "en": "reply drafted"},
    "stage.reviewed": {"zh": "已审核", "en": "reviewed"},
    "stage.answered": {"zh": "已答复", "en": "answered"},
    "stage.answered_opinion": {"zh": "已提交意见", "en": "opinion submitted"},
    "stage.feedback": {"zh": "已征询反馈", "en": "feedback taken"},
    "stage.published": {"zh": "已公开", "en": "published"},
    "stage.archived": {"zh": "已归档", "en": "archived"},
    # clocks
    "clock.reply": {"zh": "答复", "en": "reply"},
    "clock.opinion": {"zh": "会(协)办意见", "en": "co-handling opinion"},
    "clock.publish": {"zh": "公开", "en": "publishing"},
    "clock.followup": {"zh": "续办续复", "en": "follow-up"},
    # fixes
    "fix.division": {"zh": "定职责(承办处室)", "en": "duty (division)"},
    "fix.task": {"zh": "定任务", "en": "task"},
    "fix.handler": {"zh": "定人员(承办人)", "en": "person (handler)"},
    "fix.deadline": {"zh": "定时限", "en": "time limit"},
    "fix.requirements": {"zh": "定要求", "en": "requirements"},
    # reply classes and satisfaction
    "reply_class.A": {"zh": "A类(已解决或采纳)", "en": "A (solved or adopted)"},
    "reply_class.B": {"zh": "B类(正在解决)", "en": "B (being solved)"},
    "reply_class.C": {"zh": "C类(留作参考)", "en": "C (kept for reference)"},
    "satisfaction.satisfied": {"zh": "满意", "en": "satisfied"},
    "satisfaction.basic": {"zh": "基本满意", "en": "basically satisfied"},
    "satisfaction.unsatisfied": {"zh": "不满意", "en": "not satisfied"},
    # consultation methods
    "method.face": {"zh": "面商", "en": "face to face"},
    "method.phone": {"zh": "电话", "en": "phone"},
    "method.letter": {"zh": "信函", "en": "letter"},
    "method.media": {"zh": "传媒", "en": "media"},
    "method.meeting": {"zh": "座谈", "en": "meeting"},
    # field names, as errors name them
    "field.kind": {"zh": "类型", "en": "kind"},
    "field.number": {"zh": "编号", "en": "number"},
    "field.year": {"zh": "年度", "en": "year"},
    "field.title": {"zh": "标题", "en": "title"},
    "field.role": {"zh": "办理方式", "en": "role"},
    "field.session": {"zh": "会次", "en": "session"},
    "field.proposers": {"zh": "提出人", "en": "proposers"},
    "field.lead_unit": {"zh": "主办单位", "en": "lead unit"},
    "field.division": {"zh": "承办处室", "en": "division"},
    "field.task": {"zh": "办理任务", "en": "task"},
    "field.handler": {"zh": "承办人", "en": "handler"},
    "field.deadline": {"zh": "办理时限", "en": "deadline"},
    "field.requirements": {"zh": "办理要求", "en": "requirements"},
    "field.stage": {"zh": "状态", "en": "stage"},
    "field.assigned_on": {"zh": "交办日期", "en": "assigned on"},
    "field.reply_class": {"zh": "答复类别", "en": "reply class"},
    "field.satisfaction": {"zh": "满意度", "en": "satisfaction"},
    "field.continuation": {"zh": "续办", "en": "continuation"},
    "field.handler_id": {"zh": "承办人(人员编号)", "en": "handler (person id)"},
    "err.bad_person_id": {"zh": "人员编号“{value}”无效。", "en": "“{value}” is not a person id."},
    "field.first_reply_due": {"zh": "首次答复时限", "en": "first reply due"},
    "field.first_reply_on": {"zh": "首次答复日期", "en": "first reply on"},
    "field.origin_session": {"zh": "原会次", "en": "origin session"},
    "field.name": {"zh": "姓名", "en": "name"},
    "field.position": {"zh": "职务", "en": "position"},
    "field.leads_divisions": {"zh": "分管处室", "en": "divisions led"},
    "field.telegram": {"zh": "Telegram", "en": "Telegram"},
    "field.language": {"zh": "语言", "en": "language"},
    # validation errors
    "err.required": {"zh": "“{field}”不能为空。", "en": "“{field}” must not be empty."},
    "err.bad_date": {
        "zh": "“{field}”的日期“{value}”无效,请写成 2020-06-30 这样的格式。",
        "en": "“{field}”: “{value}” is not a valid date; write it like 2020-06-30.",
    },
    "err.bad_choice": {
        "zh": "“{field}”的值“{value}”无效,可选:{allowed}。",
        "en": "“{field}”: “{value}” is not allowed; choose one of {allowed}.",
    },
    "err.not_text": {"zh": "“{field}”应为文字。", "en": "“{field}” must be text."},
    "err.too_long": {
        "zh": "“{field}”太长({length}字),最多{limit}字。",
        "en": "“{field}” is too long ({length} characters); at most {limit}.",
    },
    "err.control_chars": {
        "zh": "“{field}”含有不可见的控制字符({chars}),请删除后重新输入。",
        "en": "“{field}” contains invisible control characters ({chars}); remove them and "
              "type it again.",
    },
    "err.bad_number": {
        "zh": "编号“{value}”无效:请只写数字或字母,如 0484(前导零会保留)。",
        "en": "Case number “{value}” is not valid: use digits or letters only, e.g. 0484 (leading zeros are kept).",
    },
    "err.bad_year": {
        "zh": "年度“{value}”无效,请写四位年份,如 2020。",
        "en": "Year “{value}” is not valid; write a four-digit year such as 2020.",
    },
    "err.continuation_needs_origin": {
        "zh": "续办件必须写明原会次,如“省十三届人大一次会议”。",
        "en": "A continuation case needs its origin session, e.g. “省十三届人大一次会议”.",
    },
    "err.reference_no_deadline": {
        "zh": "工作参考件没有办理时限。",
        "en": "A work-reference case has no deadline.",
    },
    "err.person_needs_division": {
        "zh": "{name}:处室负责人和承办人必须有所在处室。",
        "en": "{name}: a division head or handler must belong to a division.",
    },
    "err.bad_telegram": {
        "zh": "Telegram 账号“{value}”无效,请填写数字 ID。",
        "en": "Telegram account “{value}” is not valid; give the numeric id.",
    },
}
