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
    "ledger.err.ambiguous_handler": {
        "zh": "承办人“{name}”有同名的几位:{candidates}。请在“承办处室”写明是哪个处室的。",
        "en": "Handler “{name}” could be any of {candidates}; give the division in 承办处室 to tell them apart.",
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
        "en": "The people list already has {count} {count:person|people} named “{name}”; update them with /person in the bot.",
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
        "en": "The ledger has {total} {total:row|rows}: {created} new cases, {updated} updated, {unchanged} unchanged.",
    },
    "ledger.result.people": {
        "zh": "人员名单共 {total} 行:新增 {created} 人,更新 {updated} 人,无变化 {unchanged} 人。",
        "en": "The people list has {total} {total:row|rows}: {created} new, {updated} updated, {unchanged} unchanged.",
    },
    "ledger.result.dry_run": {
        "zh": "(试运行:以上为检查结果,未写入任何数据。)",
        "en": "(Dry run: checked only, nothing was written.)",
    },
    "ledger.result.nothing_written": {
        "zh": "发现 {count} 个问题(涉及 {rows} 行),未导入任何数据。请修改后重新导入,或只导入无误的行(--partial)。",
        "en": "Found {count} problems in {rows} {rows:row|rows}; nothing was imported. Fix them and import again, or import only the good rows (--partial).",
    },
    "ledger.result.partial": {
        "zh": "已导入无误的行;以下 {rows} 行有问题,未导入:",
        "en": "The good rows were imported; these {rows} {rows:row|rows} have problems and were not:",
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
        "en": "Exported {cases} {cases:case|cases} ({events} history events, {people} {people:person|people}) to {path}.",
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
    "ledger.people.count": {"zh": "共 {count} 人。", "en": "{count} {count:person|people}."},

    # merging a re-imported ledger
    "field.answered_on": {"zh": "答复日期", "en": "answered on"},
    "field.opinion_on": {"zh": "意见提交日期", "en": "opinion sent on"},
    "field.published_on": {"zh": "公开日期", "en": "published on"},
    "field.consultations": {"zh": "协商记录", "en": "consultations"},
    "field.followup_due": {"zh": "续办时限", "en": "follow-up deadline"},
    "ledger.col.session": {"zh": "会次", "en": "session"},
    "ledger.col.title": {"zh": "标题", "en": "title"},
    "ledger.col.proposers": {"zh": "提出人", "en": "proposers"},
    "ledger.col.role": {"zh": "办理方式", "en": "role"},
    "ledger.col.lead_unit": {"zh": "主办单位", "en": "lead unit"},
    "ledger.col.division": {"zh": "承办处室", "en": "division"},
    "ledger.col.task": {"zh": "办理任务", "en": "task"},
    "ledger.col.handler": {"zh": "承办人", "en": "handler"},
    "ledger.col.deadline": {"zh": "办理时限", "en": "deadline"},
    "ledger.col.requirements": {"zh": "办理要求", "en": "requirements"},
    "ledger.col.assigned_on": {"zh": "交办日期", "en": "assigned on"},
    "ledger.col.stage": {"zh": "状态", "en": "stage"},
    "ledger.col.reply_class": {"zh": "答复类别", "en": "reply class"},
    "ledger.col.satisfaction": {"zh": "满意度", "en": "satisfaction"},
    "ledger.col.continuation": {"zh": "续办", "en": "continuation"},
    "ledger.col.origin_session": {"zh": "原会次", "en": "origin session"},
    "ledger.col.answered_on": {"zh": "答复日期", "en": "answered on"},
    "ledger.col.opinion_on": {"zh": "意见提交日期", "en": "opinion sent on"},
    "ledger.col.published_on": {"zh": "公开日期", "en": "published on"},
    "ledger.col.consultations": {"zh": "协商记录", "en": "consultations"},
    "ledger.col.followup_due": {"zh": "续办时限", "en": "follow-up deadline"},
    "ledger.blank": {"zh": "(空)", "en": "(blank)"},
    "ledger.case_label": {"zh": "{kind}第{number}号({year})", "en": "{kind} No. {number} ({year})"},
    "ledger.conflict": {
        "zh": "第{row}行 {case}“{field}”:现为 {stored},表格为 {file}({reason})",
        "en": "row {row}, {case}, “{field}”: now {stored}, the file says {file} ({reason})",
    },
    "ledger.conflict.backwards": {"zh": "状态倒退", "en": "the stage would move back"},
    "ledger.conflict.dropped": {"zh": "会丢失已记录的内容", "en": "recorded work would be lost"},
    "ledger.conflict.chat": {
        "zh": "上次导入或导出后已在机器人中修改",
        "en": "changed in the bot since the last import or export",
    },
    "ledger.history_note_overwrite": {
        "zh": "导入 {file} 第{row}行(按表格覆盖冲突)",
        "en": "imported from {file}, row {row} (conflicts overwritten by the file)",
    },
    "ledger.result.conflict_count": {
        "zh": "冲突 {count} 处(涉及 {cases} 件)。",
        "en": "{count} conflicts in {cases} {cases:case|cases}.",
    },
    "ledger.result.conflicts_kept": {
        "zh": "以下 {count} 处冲突未导入(保留机器人中的内容;确认按表格覆盖请加 --overwrite,或在聊天中点“导入并按表格覆盖冲突”):",
        "en": "These {count} conflicts were not applied (the bot's values kept; to take the file's, use --overwrite, or “import, the file wins conflicts” in chat):",
    },
    "ledger.result.conflicts_applied": {
        "zh": "以下 {count} 处冲突已按表格覆盖:",
        "en": "These {count} conflicts were overwritten by the file:",
    },
    "ledger.result.more_conflicts": {
        "zh": "……另有 {count} 处冲突未列出。",
        "en": "… and {count} more conflicts.",
    },
    "ledger.result.warnings": {
        "zh": "提示({count} 条,这些行已导入,请核对):",
        "en": "Warnings ({count}; these rows load, check them):",
    },
    "ledger.result.more_warnings": {
        "zh": "……另有 {count} 条提示未列出。",
        "en": "… and {count} more warnings.",
    },
    "ledger.err.formula": {
        "zh": "这是公式“{formula}”,文件中没有它的计算结果。请在 Excel 中打开并保存,或复制后“选择性粘贴→数值”,再导入。",
        "en": "This is the formula “{formula}” and the file holds no computed value for it. Open and save the file in Excel, or paste it as values, then import.",
    },
    "ledger.err.no_such_day": {
        "zh": "“{field}”的日期“{value}”不存在:{month}月只有{days}天。",
        "en": "“{field}”: the date “{value}” does not exist: month {month} has {days} {days:day|days}.",
    },
    "ledger.err.no_such_month": {
        "zh": "“{field}”的日期“{value}”不存在:没有{month}月。",
        "en": "“{field}”: the date “{value}” does not exist: there is no month {month}.",
    },
    "ledger.err.stale_preview": {
        "zh": "预览之后第{number}号等办件已被修改或新增,这次预览已过期,未导入任何数据。请重新发送台账文件。",
        "en": "No. {number} (and maybe others) changed since the preview; the preview is out of date and nothing was imported. Send the ledger again.",
    },
    "ledger.warn.padded": {
        "zh": "编号 {value} 按本年度编号的位数补零为 {number}({width} 位)。",
        "en": "The number {value} was padded with zeros to {number} ({width} digits, as the year's other numbers).",
    },
    "ledger.warn.other_division": {
        "zh": "承办人{name}属于{own},不是{division}。",
        "en": "The handler {name} belongs to {own}, not {division}.",
    },
    "ledger.warn.unknown_division": {
        "zh": "处室“{division}”在人员名单中没有任何人。",
        "en": "Nobody in the people list belongs to the division “{division}”.",
    },
    "ledger.warn.role_proposal": {
        "zh": "提案通常是“会办”,不是“协办”(协办用于建议)。",
        "en": "A proposal is usually co-handled as 会办 (joint), not 协办 (co, for suggestions).",
    },
    "ledger.warn.role_suggestion": {
        "zh": "建议通常是“协办”,不是“会办”(会办用于提案)。",
        "en": "A suggestion is usually co-handled as 协办 (co), not 会办 (joint, for proposals).",
    },
    "ledger.warn.deadline_before_assigned": {
        "zh": "办理时限 {deadline} 早于交办日期 {assigned}。",
        "en": "The deadline {deadline} is before the assignment date {assigned}.",
    },
    "ledger.warn.no_consultation": {
        "zh": "状态已过“已协商”,但没有协商记录。",
        "en": "The stage is at or past 已协商 (consulted) but no consultation is recorded.",
    },
    "ledger.warn.met_unknown_reply": {
        "zh": "状态为已答复但没有答复日期:按已答复、日期不详导入。",
        "en": "Answered but no answer date: loaded as answered, date unknown.",
    },
    "ledger.warn.met_unknown_opinion": {
        "zh": "状态为已提交意见但没有意见提交日期:按已提交、日期不详导入。",
        "en": "Opinion submitted but no date: loaded as submitted, date unknown.",
    },
    "ledger.warn.met_unknown_followup": {
        "zh": "状态为已答复但没有答复日期:按已续复、日期不详导入。",
        "en": "Answered again but no date: loaded as answered, date unknown.",
    },
    "ledger.warn.met_unknown_publish": {
        "zh": "状态为已公开但没有公开日期:按已公开、日期不详导入。",
        "en": "Published but no publishing date: loaded as published, date unknown.",
    },
    "ledger.warn.admin_linked": {
        "zh": "Telegram {telegram} 是启动时设置的管理员“{old}”,已关联到本行的{name}(姓名、职务、处室按本行)。",
        "en": "Telegram {telegram} is the admin “{old}” set at start; linked to {name} of this row (name, position, division from the row).",
    },
    # the chat's preview
    "ledger.plan.new": {"zh": "第{row}行 {case}:新增", "en": "row {row}, {case}: new"},
    "ledger.plan.changed": {"zh": "第{row}行 {case}:", "en": "row {row}, {case}:"},
    "ledger.plan.change": {"zh": "· {field}:{stored} → {file}", "en": "· {field}: {stored} → {file}"},
    "ledger.plan.conflict": {"zh": "⚠️冲突({reason})", "en": "⚠️ conflict ({reason})"},
    "ledger.preview": {
        "zh": "📋 “{name}”预览(尚未导入):\n新增 {created} 件,变更 {changed} 件(其中冲突 {conflicts} 处),无变化 {unchanged} 件,有问题的行 {bad} 行,提示 {warnings} 条。",
        "en": "📋 Preview of “{name}” (nothing imported yet):\n{created} new, {changed} changed ({conflicts} conflicts), {unchanged} unchanged, {bad} bad rows, {warnings} warnings.",
    },
    "ledger.preview.bad_skipped": {
        "zh": "有问题的行不会导入;点“导入”只导入正确的行。",
        "en": "Bad rows are not imported; “import” imports the good rows only.",
    },
    "ledger.preview.nothing": {
        "zh": "表格与机器人中的内容一致,没有需要导入的变更。",
        "en": "The file matches what the bot holds; nothing to import.",
    },
    "ledger.preview.details_none": {"zh": "没有变更。", "en": "No changes."},
    "ledger.preview.more_cases": {"zh": "……另有 {count} 件未列出。", "en": "… and {count} more cases."},
    "ledger.preview.cancelled": {"zh": "已取消,未导入任何数据。", "en": "Cancelled; nothing was imported."},
    "ledger.btn.import": {"zh": "导入", "en": "import"},
    "ledger.btn.overwrite": {"zh": "导入并按表格覆盖冲突", "en": "import, the file wins conflicts"},
    "ledger.btn.cancel": {"zh": "取消", "en": "cancel"},
    "ledger.btn.details": {"zh": "查看各件变更", "en": "show each case's changes"},
}
