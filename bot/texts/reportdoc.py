"""The annual report as a Word document (公文) and the progress chart."""

import calendar

MESSAGES = {
    # the document
    "rdoc.title": {
        "zh": "{unit}关于报送{year}年度人大代表建议和政协提案办理工作总结的报告",
        "en": "Report of {unit} on the handling of deputies' suggestions and CPPCC proposals in {year}",
    },
    "rdoc.title_no_unit": {
        "zh": "关于报送{year}年度人大代表建议和政协提案办理工作总结的报告",
        "en": "Report on the handling of deputies' suggestions and CPPCC proposals in {year}",
    },
    "rdoc.to": {"zh": "{to}:", "en": "To: {to}"},
    "rdoc.to_default": {"zh": "省政府办公厅", "en": "the General Office of the Provincial Government"},
    "rdoc.intro": {
        "zh": "按照省政府的部署要求,{unit}高度重视人大代表建议和政协提案办理工作,严格规范办理程序,"
              "加强沟通协商,扎实有序开展{year}年度建议、提案的办理工作。现将有关情况报告如下:",
        "en": "As the provincial government requires, {unit} handled the deputies' suggestions and "
              "CPPCC proposals of {year} by the rules, consulting before answering. The report follows.",
    },
    "rdoc.heading": {"zh": "{n}、{title}", "en": "{n}. {title}"},
    "rdoc.section.timeliness": {"zh": "办理时效", "en": "Timeliness"},
    "rdoc.section.consultation": {"zh": "先协商后答复", "en": "Consultation before answering"},
    "rdoc.section.classes": {"zh": "答复类别", "en": "Reply classes"},
    "rdoc.section.satisfaction": {"zh": "代表委员满意度", "en": "Satisfaction"},
    "rdoc.section.published": {"zh": "办理结果公开", "en": "Publishing the results"},
    "rdoc.section.next": {"zh": "存在不足和今后工作重点", "en": "Shortcomings and next steps"},
    "rdoc.sep": {"zh": ",", "en": ", "},
    "rdoc.timeliness": {
        "zh": "{kind}应答复{n}件{incl},{parts}。",
        "en": "{n} {kind} cases had to be answered{incl}: {parts}.",
    },
    "rdoc.timeliness.incl": {"zh": "(含续办件{n}件)", "en": " ({n} continuations included)"},
    "rdoc.timeliness.on_time": {"zh": "按时办结{n}件", "en": "{n} on time"},
    "rdoc.timeliness.late": {"zh": "逾期办结{n}件", "en": "{n} late"},
    "rdoc.timeliness.undated": {"zh": "已办结未记录日期{n}件", "en": "{n} answered without a date"},
    "rdoc.timeliness.open": {"zh": "尚未办结{n}件", "en": "{n} still open"},
    "rdoc.timeliness.overdue": {"zh": "其中超期{n}件", "en": "{n} of them overdue"},
    "rdoc.timeliness_none": {"zh": "本年度无需答复的{kind}。", "en": "No {kind} case had to be answered this year."},
    "rdoc.table_caption": {"zh": "表{n} {kind}办理时效", "en": "Table {n}. Timeliness of the {kind} cases"},
    "rdoc.total": {"zh": "合计", "en": "total"},
    "rdoc.consult_none": {"zh": "本年度尚无已答复的件。", "en": "No case has been answered yet this year."},
    "rdoc.consult_figures": {
        "zh": "已答复{n}件,先协商后答复{k}件,占{share}%。",
        "en": "{n} answered, {k} consulted first ({share}%).",
    },
    "rdoc.classes": {
        "zh": "主办、独办、分办件{n}件,答复{parts}。",
        "en": "{n} lead, sole and split cases, replies: {parts}.",
    },
    "rdoc.class": {"zh": "{klass}类{n}件", "en": "class {klass}: {n}"},
    "rdoc.class_none": {"zh": "尚未分类{n}件", "en": "not classed: {n}"},
    "rdoc.classes_none": {"zh": "本年度无主办、独办、分办件。", "en": "No lead, sole or split case this year."},
    "rdoc.satisfaction": {
        "zh": "主办、独办、分办件{n}件,代表委员反馈{parts}。",
        "en": "{n} lead, sole and split cases; the deputies and members answered: {parts}.",
    },
    "rdoc.mood": {"zh": "{mood}{n}件", "en": "{mood}: {n}"},
    "rdoc.published_none": {"zh": "本年度无需公开办理结果的件。", "en": "No result had to be published this year."},
    "rdoc.next_placeholder": {
        "zh": "(此部分由办公室填写:存在的问题和今后的工作重点。)",
        "en": "(For the office to write: shortcomings and next steps.)",
    },
    "rdoc.signature_default": {"zh": "(单位名称)", "en": "(the department)"},
    "rdoc.date": {"zh": "{year}年{month}{day}日", "en": "{month} {day}, {year}"},
    "rdoc.file": {"zh": "{year}年度办理工作总结", "en": "annual_report_{year}"},
    "rdoc.caption": {
        "zh": "{year}年度办理工作总结(Word,叙述部分请办公室修改)",
        "en": "The {year} annual report (Word; the office edits the narrative)",
    },
    # the progress chart
    "chart.title": {"zh": "{year}年办理进度(截至{day})", "en": "Progress {year} (as of {day})"},
    "chart.title_all": {"zh": "办理进度(截至{day})", "en": "Progress (as of {day})"},
    "chart.state.on_time": {"zh": "正常办理", "en": "on track"},
    "chart.state.due_soon": {"zh": "本周到期", "en": "due this week"},
    "chart.state.overdue": {"zh": "超期", "en": "overdue"},
    "chart.state.done": {"zh": "已办结", "en": "done"},
    "chart.divisions": {"zh": "各处室件数", "en": "Cases per division"},
    "chart.no_division": {"zh": "未分处室", "en": "no division"},
    "chart.other_divisions": {"zh": "其他{n}个处室", "en": "{n} other divisions"},
    "chart.cases": {"zh": "件数", "en": "cases"},
    "chart.line": {"zh": "累计答复与到期", "en": "Answers against deadlines"},
    "chart.deadlines": {"zh": "累计到期", "en": "deadlines (cumulative)"},
    "chart.answers": {"zh": "累计答复", "en": "answers (cumulative)"},
    "chart.today": {"zh": "今天", "en": "today"},
    **{f"chart.month.{m}": {"zh": f"{m}月", "en": calendar.month_abbr[m]} for m in range(1, 13)},
    "chart.file": {"zh": "办理进度图", "en": "progress_chart"},
    "chart.caption": {"zh": "{title}", "en": "{title}"},
}
