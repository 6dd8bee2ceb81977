"""The ledger and the report in chat."""

MESSAGES = {
    "lc.bad_type": {
        "zh": "“{name}”不是台账文件。请发送 .xlsx 或 .csv(UTF-8)格式的台账。",
        "en": "“{name}” is not a ledger file. Please send the ledger as .xlsx or .csv (UTF-8).",
    },
    "lc.too_big": {
        "zh": "文件太大:台账不能超过 {mb} MB。请拆分后分别发送。",
        "en": "The file is too large: a ledger may be at most {mb} MB. Please split it.",
    },
    "lc.reading": {"zh": "⏳ 正在读取“{name}”…", "en": "⏳ Reading “{name}”…"},
    "lc.checking": {"zh": "⏳ 已读取“{name}”,正在逐行校验…", "en": "⏳ Read “{name}”; checking every row…"},
    "lc.download_failed": {
        "zh": "文件下载失败,请稍后重新发送。",
        "en": "Could not download the file; please send it again later.",
    },
    "lc.unreadable": {
        "zh": "无法读取“{name}”:{reason}\n未导入任何内容。",
        "en": "Cannot read “{name}”: {reason}\nNothing was imported.",
    },
    "lc.btn_partial": {"zh": "只导入正确的行", "en": "import the good rows only"},
    "lc.btn_import": {"zh": "正式导入", "en": "import it now"},
    "lc.expired": {
        "zh": "这个文件已过期,请重新发送台账。",
        "en": "That file has expired; please send the ledger again.",
    },
    "lc.bad_year": {
        "zh": "“{value}”不是年份,请写如 /report 2020。",
        "en": "“{value}” is not a year; write e.g. /report 2020.",
    },
    "lc.no_cases": {"zh": "{year}没有办件。", "en": "No cases for {year}."},
    "lc.all_years": {"zh": "全部年度", "en": "all years"},
    "lc.exporting": {"zh": "⏳ 正在导出{n}件…", "en": "⏳ Exporting {n} {n:case|cases}…"},
    "lc.exported": {
        "zh": "台账({n}件):办件、办理记录、人员三张表;超期件标红。",
        "en": "Ledger ({n} {n:case|cases}): cases, history and people sheets; overdue rows highlighted.",
    },
    "lc.ledger_file": {"zh": "台账", "en": "ledger"},
    "lc.report_file": {"zh": "{year}年度建议提案办理情况", "en": "report_{year}"},
    "lc.report_caption": {
        "zh": "{year}年度办理情况统计表,可直接粘贴到总结报告。",
        "en": "The {year} figures as a table to paste into the report.",
    },
}
