"""Application-wide texts: the command menu, greetings, help, generic errors."""

MESSAGES = {
    "menu.case": {"zh": "查看一件:/case 0484", "en": "show a case: /case 0484"},
    "menu.overdue": {"zh": "哪些超期了", "en": "what is overdue"},
    "menu.due": {"zh": "近期到期:/due 本周", "en": "what is due: /due this week"},
    "menu.mine": {"zh": "我的在办件", "en": "my open cases"},
    "menu.find": {"zh": "搜索:/find 招商", "en": "search: /find keyword"},
    "menu.new": {"zh": "登记新件", "en": "register a case"},
    "menu.update": {"zh": "更新办理情况:/update 0484", "en": "update a case: /update 0484"},
    "menu.report": {"zh": "年度总结:/report 2020", "en": "annual report: /report 2020"},
    "menu.lang": {"zh": "切换语言 中文/English", "en": "switch language 中文/English"},
    "menu.help": {"zh": "帮助", "en": "help"},
    "menu.history": {"zh": "办理记录:/history 0484", "en": "a case's history: /history 0484"},
    "menu.progress": {"zh": "办理进度统计:/progress 2020", "en": "progress figures: /progress 2020"},
    "menu.division": {"zh": "处室的件:/division 综合处", "en": "a division's cases: /division name"},
    "menu.person": {"zh": "某人的件:/person 张三", "en": "a person's cases: /person name"},
    "menu.requests": {"zh": "待处理的申请(加入、延期、审核)", "en": "pending requests (joining, extensions, reviews)"},
    "menu.export": {"zh": "导出台账:/export 2020", "en": "export the ledger: /export 2020"},
    "menu.people": {"zh": "人员名单", "en": "the people list"},
    "menu.health": {"zh": "运行状况", "en": "how the bot is doing"},
    "error.generic": {
        "zh": "抱歉,处理您的请求时出错了,已记录。请稍后再试;如一再出现,请联系办公室。",
        "en": "Sorry, something went wrong while handling that; it has been logged. Please try again later, and tell the office if it keeps happening.",
    },
    "start.approved": {
        "zh": "您好,{name}!我是督办机器人,负责人大代表建议和政协提案的办理提醒和督办。\n您的身份:{position}{division}。发送 /help 查看可用命令,或直接问我“哪些超期了?”",
        "en": "Hello, {name}! I am the duban bot: I keep the handling of deputies' suggestions and CPPCC proposals on time.\nYou are: {position}{division}. Send /help for the commands, or just ask me “what is overdue?”",
    },
    "start.pending": {
        "zh": "您好!我是督办机器人。您尚未获批使用,已通知办公室审核;获批后我会通知您。",
        "en": "Hello! I am the duban bot. You are not approved yet; the office has been asked, and I will tell you once you are approved.",
    },
    "help.header": {
        "zh": "<b>督办机器人</b> 可用命令:",
        "en": "<b>duban</b> commands:",
    },
    "help.footer": {
        "zh": "也可以直接打字提问,例如:哪些超期了?本周到期的?0484进展如何?",
        "en": "You can also just ask, e.g.: what is overdue? due this week? how is 0484?",
    },
    "help.unapproved": {
        "zh": "您尚未获批使用本机器人。发送 /start 申请,办公室审核后即可使用。",
        "en": "You are not approved to use this bot yet. Send /start to ask; the office will review it.",
    },
    "group.private_only": {
        "zh": "为保护办件信息,请在与我的私聊中使用此功能。群里我只回答 /help 和办公室为本群开放的命令。",
        "en": "To protect case information, please use this in a private chat with me. In groups I only answer /help and the commands the office allowed there.",
    },
    "lang.switched": {"zh": "已切换为中文。", "en": "Language switched to English."},
    "lang.choose": {"zh": "请选择语言 / Choose a language:", "en": "Choose a language / 请选择语言:"},
}

MESSAGES.update({
    "button.invalid": {
        "zh": "这个按钮无效或已过期,请重新查询。",
        "en": "This button is not valid or has expired; please ask again.",
    },
    "button.stale": {
        "zh": "这条消息已过时:办件已有变化。下面是最新情况。",
        "en": "This message is out of date: the case has changed since. Here is the current card.",
    },
})

MESSAGES.update({
    "admin.default_name": {"zh": "管理员{id}", "en": "admin {id}"},
    "admin.division": {"zh": "办公室", "en": "office"},
    "console.as": {
        "zh": "[控制台] 现在以“{name}”(Telegram ID {id})的身份对话。",
        "en": "[console] You are now “{name}” (Telegram id {id}).",
    },
    "console.hello": {
        "zh": "[控制台] 直接输入消息或命令;“@姓名 内容”切换用户;“[按钮名]”按下上一条消息的按钮;/quit 退出。",
        "en": "[console] Type messages or commands; “@name text” switches user; “[label]” presses a button of the last message; /quit leaves.",
    },
    "console.no_button": {
        "zh": "[控制台] 最近的消息上没有“{label}”按钮。",
        "en": "[console] No button “{label}” on the recent messages.",
    },
    "console.timeout": {
        "zh": "[控制台] 机器人没有及时回应。",
        "en": "[console] The bot did not answer in time.",
    },
    "console.demo_now": {
        "zh": "[控制台] 演示数据:时钟设在 {now}(2020年的一个工作日早上);用 --now 换一个时刻。",
        "en": "[console] Demo data: the clock is set to {now} (a working morning of 2020); --now sets another moment.",
    },
    "console.sample_who": {"zh": "演示数据", "en": "demo data"},
})

MESSAGES.update({
    "admin.added": {
        "zh": "已将 {name}(Telegram ID {id})设为办公室管理员。",
        "en": "{name} (Telegram id {id}) is now an office admin.",
    },
})

MESSAGES.update({
    "misc.unknown_command": {
        "zh": "我不认识命令 {command}。发送 /help 查看可用命令。",
        "en": "I do not know the command {command}. Send /help for the commands.",
    },
})
