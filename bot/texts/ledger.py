"""The ledger (台账): import and export of cases and people."""

MESSAGES = {
    # where a problem is
    "ledger.problem": {
        "zh": "第{row}行“{column}”列:{message}",
        "en": "row {row}, column “{column}”: {message}",
    },
    "ledger.problem_row": {"zh": "第{row}行:{message}", "en": "row {row}: {message}"},
    # the file as a whole
    "ledger.err.too_big": {
        "zh": "文件太大(最多 {limit} MB),请拆分后再导入。",
        "en": "The file is too big (at most {limit} MB); split it and import the parts.",
    },
    "ledger.err.cannot_open": {
        "zh": "无法打开文件“{name}”:{reason}",
        "en": "Cannot open the file “{name}”: {reason}",
    },
    "ledger.err.xls": {
        "zh": "这是旧版 Excel(.xls)或加密的工作簿,无法读取。请在 Excel 中“另存为”.xlsx 格式(不加密)后再导入。",
        "en": "This is an old Excel file (.xls) or an encrypted workbook. Save it as .xlsx (without a password) and import that.",
    },
    "ledger.err.corrupt": {
        "zh": "文件已损坏或不是有效的 Excel/CSV 文件,请在 Excel 中重新保存后再试。",
        "en": "The file is damaged or not a valid Excel/CSV file; save it again from Excel and retry.",
    },
    "ledger.err.unsupported": {
        "zh": "不支持“{name}”这种文件,请发送 .xlsx 或 .csv 文件。",
        "en": "“{name}” is not a supported file; send an .xlsx or .csv file.",
    },
    "ledger.err.empty": {"zh": "文件是空的,没有表头和数据。", "en": "The file is empty: no header, no rows."},
    "ledger.err.encoding": {
        "zh": "CSV 文件不是 UTF-8 编码(可能是 GBK)。请在 Excel 中“另存为”→“CSV UTF-8(逗号分隔)”后再导入,或直接发送 .xlsx 文件。",
        "en": "The CSV file is not UTF-8 (perhaps GBK). In Excel use Save As → “CSV UTF-8 (comma delimited)”, or send the .xlsx file.",
    },
    "ledger.err.too_many_rows": {
        "zh": "行数太多(最多 {limit} 行),请拆分后再导入。",
        "en": "Too many rows (at most {limit}); split the file.",
    },
    "ledger.err.too_many_columns": {
        "zh": "列数太多(最多 {limit} 列)。",
        "en": "Too many columns (at most {limit}).",
    },
    # headers
    "ledger.err.missing_column": {
        "zh": "缺少必填列“{header}”(或英文列名 {alias})。",
        "en": "The required column “{header}” (or {alias}) is missing.",
    },
    "ledger.err.duplicate_column": {
        "zh": "列“{header}”出现了两次。",
        "en": "The column “{header}” appears twice.",
    },
    "ledger.err.no_header": {
        "zh": "这一列有内容但没有表头,请补上列名或删除这一列。",
        "en": "This column holds values but has no header; name it or delete it.",
    },
    # rows
    "ledger.err.duplicate_key": {
        "zh": "第{number}号与第{first}行重复(类型、年度、编号、会次都相同)。",
        "en": "No. {number} repeats row {first} (same kind, year, number and session).",
    },
    "ledger.err.unknown_handler": {
        "zh": "承办人“{name}”不在人员名单中,请先导入或添加该人员。",
        "en": "The handler “{name}” is not in the people list; import or add them first.",
    },
    "ledger.err.lead_unit_required": {
        "zh": "{role}件必须填写主办单位。",
        "en": "A {role} case needs its lead unit.",
    },
    "ledger.err.bad_telegram": {
        "zh": "Telegram“{value}”无效:请填写 @用户名 或数字 ID。",
        "en": "Telegram “{value}” is not valid: give @username or the numeric id.",
    },
    "ledger.err.duplicate_person": {
        "zh": "“{name}”与第{first}行重复。",
        "en": "“{name}” repeats row {first}.",
    },
    "ledger.err.ambiguous_person": {
        "zh": "人员名单中已有{count}个“{name}”,无法确定更新哪一个,请在机器人中用 /person 处理。",
        "en": "The people list already has {count} people named “{name}”; update them with /person in the bot.",
    },
    "ledger.err.leader_needs_divisions": {
        "zh": "{name}:分管领导必须填写分管处室。",
        "en": "{name}: a leader in charge needs the divisions they lead.",
    },
    "ledger.err.telegram_taken": {
        "zh": "Telegram 账号 {telegram} 已关联到“{name}”。",
        "en": "Telegram account {telegram} is already linked to “{name}”.",
    },
    "ledger.err.telegram_repeated": {
        "zh": "Telegram 账号 {telegram} 与第{first}行重复。",
        "en": "Telegram account {telegram} repeats row {first}.",
    },
    "ledger.err.reference_no_answer": {
        "zh": "工作参考件不需要答复,请不要填写答复日期。",
        "en": "A work-reference case needs no reply; leave the answer date empty.",
    },
    "ledger.err.bad_consultation": {
        "zh": "协商记录“{value}”无法识别,请每行写一次:日期 方式 对象,如“2020-05-12 面商 杨艳芳代表”(方式:面商、电话、信函、传媒、座谈)。",
        "en": "Consultation “{value}” not understood; one a line: date method with whom, e.g. “2020-05-12 面商 杨艳芳代表” (face, phone, letter, media, meeting).",
    },
    # outcome
    "ledger.history_note": {"zh": "导入 {file} 第{row}行", "en": "imported from {file}, row {row}"},
    "ledger.result.cases": {
        "zh": "台账共 {total} 行:新增 {created} 件,更新 {updated} 件,无变化 {unchanged} 件。",
        "en": "The ledger has {total} rows: {created} new cases, {updated} updated, {unchanged} unchanged.",
    },
    "ledger.result.people": {
        "zh": "人员名单共 {total} 行:新增 {created} 人,更新 {updated} 人,无变化 {unchanged} 人。",
        "en": "The people list has {total} rows: {created} new, {updated} updated, {unchanged} unchanged.",
    },
    "ledger.result.dry_run": {
        "zh": "(试运行:以上为检查结果,未写入任何数据。)",
        "en": "(Dry run: checked only, nothing was written.)",
    },
    "ledger.result.nothing_written": {
        "zh": "发现 {count} 个问题(涉及 {rows} 行),未导入任何数据。请修改后重新导入,或只导入无误的行(--partial)。",
        "en": "Found {count} problems in {rows} rows; nothing was imported. Fix them and import again, or import only the good rows (--partial).",
    },
    "ledger.result.partial": {
        "zh": "已导入无误的行;以下 {rows} 行有问题,未导入:",
        "en": "The good rows were imported; these {rows} rows have problems and were not:",
    },
    "ledger.result.problems": {"zh": "问题清单:", "en": "Problems:"},
    "ledger.result.more": {
        "zh": "……另有 {count} 个问题未列出。",
        "en": "… and {count} more problems.",
    },
    "ledger.progress.read": {"zh": "读取文件", "en": "reading"},
    "ledger.progress.check": {"zh": "检查", "en": "checking"},
    "ledger.progress.write": {"zh": "写入", "en": "writing"},
    # export
    "ledger.exported": {
        "zh": "已导出 {cases} 件(含历史记录 {events} 条、人员 {people} 人)到 {path}。",
        "en": "Exported {cases} cases ({events} history events, {people} people) to {path}.",
    },
    "ledger.sheet.history.header": {
        "zh": "类型|编号|会次|时间|操作人|事项|原值|新值|备注",
        "en": "kind|number|session|at|who|field|old|new|note",
    },
    "ledger.field.created": {"zh": "登记", "en": "created"},
    # people list (duban people list)
    "ledger.people.none": {
        "zh": "人员名单是空的。用 duban people import 导入。",
        "en": "The people list is empty. Import it with duban people import.",
    },
    "ledger.people.header": {
        "zh": "姓名|职务|处室|Telegram|状态",
        "en": "name|position|division|Telegram|state",
    },
    "ledger.people.active": {"zh": "在用", "en": "active"},
    "ledger.people.count": {"zh": "共 {count} 人。", "en": "{count} people."},
}
