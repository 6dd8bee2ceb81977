"""The annual report (年度办理工作总结): its paragraph, sentences and table."""

import calendar

MESSAGES = {
    **{f"report.month.{m}": {"zh": f"{m}月", "en": calendar.month_name[m]} for m in range(1, 13)},
    "report.month_day": {"zh": "{month}{day}日", "en": "{month} {day}"},
    "report.month_part.early": {"zh": "{month}上旬", "en": "in early {month}"},
    "report.month_part.mid": {"zh": "{month}中旬", "en": "in mid-{month}"},
    "report.month_part.late": {"zh": "{month}下旬", "en": "in late {month}"},
    "report.list_sep": {"zh": "、", "en": ", "},
    "report.group_sep": {"zh": ",", "en": "; "},
    "report.number": {"zh": "第{number}号", "en": "No. {number}"},
    "report.count_suffix": {"zh": "{n}件", "en": " ({n} {n:case|cases})"},
    # the paragraph
    "report.unit_default": {"zh": "我单位", "en": "the department"},
    "report.of_sessions": {"zh": "{sessions}", "en": " of {sessions}"},
    "report.incl_reference": {"zh": "(含{n}件工作参考)", "en": " (including {n} for work reference)"},
    "report.kind_clause.suggestion": {
        "zh": "承办{sessions}人大代表建议{n}件{reference},其中:主(独)办{lead}件,协办{co}件",
        "en": "handled {n} deputies' suggestions{sessions}{reference}: {lead} as lead or sole unit, {co} as co-handling unit",
    },
    "report.kind_clause.proposal": {
        "zh": "承办{sessions}政协提案{n}件{reference},其中:主(分)办{lead}件,会办{co}件",
        "en": "{n} CPPCC proposals{sessions}{reference}: {lead} as lead or split unit, {co} as joint-handling unit",
    },
    "report.paragraph": {
        "zh": "{year}年,{unit}{suggestions};{proposals}。",
        "en": "In {year}, {unit} {suggestions}; and {proposals}.",
    },
    # continuation
    "report.continuation_group": {
        "zh": "{session}{kind}{role}件B类答复的{numbers}{count}办结答复",
        "en": "{kind} {numbers}{count} of {session} ({role}, B-class reply)",
    },
    "report.continuation": {
        "zh": "对续办续复的件,及时与代表委员联系,完成了{groups}。",
        "en": "Continuation cases (follow-up of B-class replies) answered and closed: {groups}.",
    },
    "report.continuation_open": {
        "zh": "另有{n}件续办件尚未办结:{numbers}。",
        "en": " {n} continuation cases are still open: {numbers}.",
    },
    "report.role_continuation": {"zh": "续办", "en": "continuation"},
    # sentences
    "report.consult_all": {
        "zh": "已答复的{n}件建议和提案,每件都坚持“先协商,后答复”。",
        "en": "All {n} answered cases were consulted on before answering.",
    },
    "report.consult_some": {
        "zh": "已答复{n}件,其中{k}件先协商后答复;未先协商:{numbers}。",
        "en": "{n} {n:case|cases} answered, {k} of them consulted on first; not consulted first: {numbers}.",
    },
    "report.published_all": {
        "zh": "{n}件主(独)办件于{when}向社会公开办理结果。",
        "en": "Results of lead cases published {when}: {n}.",
    },
    "report.published_some": {
        "zh": "应公开办理结果{due}件,已公开{n}件。",
        "en": "{n} of {due} results published.",
    },
    "report.opinions_on_time": {
        "zh": "{n}件会(协)办件均于{due}前按时向主办单位提交了会(协)办意见。",
        "en": "All {n} co-handling opinions were sent to the lead units on time, by {due}.",
    },
    "report.opinions_some": {
        "zh": "{n}件会(协)办件已提交会(协)办意见{submitted}件,其中按时提交{on_time}件。",
        "en": "{submitted} of {n} co-handling opinions sent, {on_time} of them on time.",
    },
    # the table
    "report.section": {"zh": "【{title}】", "en": "== {title} =="},
    "report.row": {"zh": "{kind}·{role}", "en": "{kind}, {role}"},
    "report.none": {"zh": "未反馈", "en": "no feedback"},
    "report.table.timeliness": {"zh": "办理时效", "en": "Timeliness"},
    "report.table.timeliness.head": {
        "zh": "类别|件数|按时办结|逾期办结|已办结(无日期)|未办结|其中超期",
        "en": "kind and role|cases|on time|late|answered (no date)|open|of which overdue",
    },
    "report.table.consultation": {"zh": "先协商后答复", "en": "Consultation before answering"},
    "report.table.consultation.head": {
        "zh": "已答复|先协商后答复|未先协商的件",
        "en": "answered|consulted first|not consulted first",
    },
    "report.table.classes": {"zh": "答复类别(主办、独办、分办件)", "en": "Reply classes (lead, sole, split cases)"},
    "report.table.classes.head": {"zh": "A类|B类|C类|未分类", "en": "A|B|C|not classed"},
    "report.table.satisfaction": {"zh": "满意度", "en": "Satisfaction"},
    "report.table.published": {"zh": "办理结果公开", "en": "Publishing the results"},
    "report.table.published.head": {"zh": "应公开|已公开|公开日期", "en": "to publish|published|dates"},
    "report.table.opinions": {"zh": "会(协)办意见", "en": "Co-handling opinions"},
    "report.table.opinions.head": {
        "zh": "会(协)办件|已提交|按时提交|最后提交日期|全部提交的月份",
        "en": "co/joint cases|submitted|on time|last submitted|month all were in",
    },
    "report.sheet": {"zh": "年度总结", "en": "annual report"},
    "report.title": {
        "zh": "{year}年度人大代表建议和政协提案办理情况",
        "en": "Handling of deputies' suggestions and CPPCC proposals in {year}",
    },
    # command line and chat
    "report.saved": {"zh": "已保存到 {path}。", "en": "Saved to {path}."},
    "report.no_cases": {
        "zh": "{year}年没有任何建议或提案。",
        "en": "There are no suggestions or proposals for {year}.",
    },
}
