"""The supervision queries: /overdue, /due, /mine, /find, /division, /person, /progress,
and the answer to a question that was not understood."""

MESSAGES = {
    # -- the queries, as named in suggestions and help
    "q.intent.overdue": {"zh": "超期事项", "en": "overdue cases"},
    "q.intent.due": {"zh": "近期到期", "en": "due soon"},
    "q.intent.mine": {"zh": "我的在办件", "en": "my open cases"},
    "q.intent.case": {"zh": "查看一件", "en": "one case"},
    "q.intent.find": {"zh": "搜索", "en": "search"},
    "q.intent.division": {"zh": "按处室", "en": "by division"},
    "q.intent.person": {"zh": "按承办人", "en": "by person"},
    "q.intent.progress": {"zh": "办理进度", "en": "progress"},
    "q.intent.help": {"zh": "帮助", "en": "help"},
    # -- an example command for each (the argument in the user's words)
    "q.example.overdue": {"zh": "/overdue  或问:哪些超期了", "en": "/overdue  or ask: what is overdue?"},
    "q.example.due": {"zh": "/due 本周  或问:下周要交什么", "en": "/due this week  or ask: what is due next week?"},
    "q.example.mine": {"zh": "/mine  或问:我还有什么没办", "en": "/mine  or ask: my cases"},
    "q.example.case": {"zh": "/case 0484  或问:0484进展如何", "en": "/case 0484  or ask: how is 0484?"},
    "q.example.find": {"zh": "/find 招商  或问:查一下绿色食品", "en": "/find 招商  or ask: search green food"},
    "q.example.division": {"zh": "/division 综合处", "en": "/division 综合处"},
    "q.example.person": {"zh": "/person 张三", "en": "/person 张三"},
    "q.example.progress": {"zh": "/progress 2020  或问:总体情况", "en": "/progress 2020  or ask: overview"},
    "q.example.find_text": {"zh": "/find {keyword}", "en": "/find {keyword}"},
    # -- not understood, help
    "q.unknown": {
        "zh": "没太明白您的问题。您可以试试:",
        "en": "Sorry, I did not understand that. You could try:",
    },
    "q.help_head": {
        "zh": "可以直接问我,也可以用命令:",
        "en": "Ask me in plain words, or use a command:",
    },
    # -- one line of a list
    "q.no_division": {"zh": "(未定处室)", "en": "(no division)"},
    "q.no_handler": {"zh": "未定承办人", "en": "no handler"},
    "q.no_deadline": {"zh": "未定时限", "en": "no deadline"},
    "q.state_on": {"zh": "{state}({due})", "en": "{state} ({due})"},
    "q.level": {"zh": "已督办至{level}级", "en": "escalated L{level}"},
    "q.more_clocks": {"zh": "另有{n}项超期", "en": "+{n} more overdue"},
    "q.estimated": {"zh": "(节假日为估算)", "en": "(holidays estimated)"},
    "q.continued": {"zh": "(续)", "en": "(cont.)"},
    "q.group_head": {"zh": "{division}  {n}件", "en": "{division}  {n}"},
    "q.page": {"zh": "第{page}/{pages}页,共{total}件", "en": "page {page}/{pages}, {total} in all"},
    "q.date": {"zh": "{month}月{day}日", "en": "{month}/{day}"},
    "q.date_year": {"zh": "{year}年{month}月{day}日", "en": "{year}-{month:02d}-{day:02d}"},
    # -- overdue
    "q.overdue_head": {"zh": "⏰ 超期事项 {total} 件", "en": "⏰ {total} overdue"},
    "q.none_overdue": {"zh": "✅ 无超期事项。", "en": "✅ Nothing is overdue."},
    "q.next_due": {
        "zh": "下一个到期:{number} {title},{clock} {state}",
        "en": "Next due: {number} {title}, {clock} {state}",
    },
    "q.nothing_open": {"zh": "目前没有在办的时限。", "en": "No open deadline at the moment."},
    # -- due
    "q.due_head": {"zh": "📅 {start}至{end}到期 {total} 件", "en": "📅 {total} due {start}–{end}"},
    "q.due_none": {"zh": "📅 {start}至{end}没有到期事项。", "en": "📅 Nothing due {start}–{end}."},
    "q.due_head_day": {"zh": "📅 {start}到期 {total} 件", "en": "📅 {total} due {start}"},
    "q.due_none_day": {"zh": "📅 {start}没有到期事项。", "en": "📅 Nothing due {start}."},
    # -- mine
    "q.mine_head": {"zh": "📋 您的在办件 {total} 件", "en": "📋 Your open cases: {total}"},
    "q.mine_none": {"zh": "📋 您目前没有在办件。", "en": "📋 You have no open cases."},
    # -- search
    "q.find_head": {"zh": "🔎 “{keyword}” 找到 {total} 件", "en": "🔎 “{keyword}”: {total} found"},
    "q.find_none": {"zh": "🔎 没有找到与“{keyword}”有关的件。", "en": "🔎 Nothing found for “{keyword}”."},
    "q.find_usage": {
        "zh": "请在命令后写关键词,例如:/find 招商",
        "en": "Give a keyword after the command, e.g. /find 招商",
    },
    # -- by division, by person
    "q.summary_head": {
        "zh": "📂 {name}:在办{open}件,其中超期{overdue}件;已办结{done}件",
        "en": "📂 {name}: {open} open, {overdue} of them overdue; {done} done",
    },
    "q.summary_none": {"zh": "📂 {name}:没有办件。", "en": "📂 {name}: no cases."},
    "q.summary_open": {"zh": "在办:", "en": "Open:"},
    "q.name_usage": {
        "zh": "请写处室或承办人的名称,例如:/division 综合处、/person 张三",
        "en": "Give a division or a person, e.g. /division 综合处, /person 张三",
    },
    # -- progress
    "q.progress_head": {"zh": "📊 {year}办理进度", "en": "📊 Progress {year}"},
    "q.progress_all_years": {"zh": "全部年度", "en": "all years"},
    "q.progress_year": {"zh": "{year}年", "en": "{year}"},
    "q.progress_total": {
        "zh": "共{total}件:在办{open}件,超期{overdue}件",
        "en": "{total} {total:case|cases}: {open} open, {overdue} overdue",
    },
    "q.progress_roles": {"zh": "办理方式:{parts}", "en": "roles: {parts}"},
    "q.progress_stages": {"zh": "进度:{parts}", "en": "stages: {parts}"},
    "q.progress_part": {"zh": "{label}{n}件", "en": "{label} {n}"},
    "q.progress_on_time": {
        "zh": "按时答复 {done}/{of}({share})",
        "en": "answered on time {done}/{of} ({share})",
    },
    "q.progress_consulted": {
        "zh": "先协商后答复 {done}/{of}({share})",
        "en": "consulted before answering {done}/{of} ({share})",
    },
    "q.progress_continuation": {"zh": "续办续复在办 {n} 件", "en": "continuation cases open: {n}"},
    "q.progress_levels": {"zh": "超期督办:{parts}", "en": "escalations: {parts}"},
    "q.progress_level_part": {"zh": "{level}级{n}件", "en": "L{level} {n}"},
    "q.progress_none": {"zh": "📊 {year}没有办件。", "en": "📊 No cases for {year}."},
    "q.share_none": {"zh": "—", "en": "—"},
    # -- drill-down buttons
    "q.btn_prev": {"zh": "‹ 上一页", "en": "‹ prev"},
    "q.btn_next": {"zh": "下一页 ›", "en": "next ›"},
}
