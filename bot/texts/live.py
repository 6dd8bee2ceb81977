"""Running against the real Telegram: concurrency, groups, deployment settings and start-up."""

MESSAGES = {
    # an import checked in a worker thread, while another chat changed a case (handlers.offload)
    "live.import_stale": {
        "zh": "导入 {name} 时,有案件刚被别人修改,为避免覆盖,本次没有写入任何内容。请重新发送该文件。",
        "en": "While {name} was being imported, someone changed one of its cases; to overwrite "
              "nothing, nothing was written. Please send the file again.",
    },
    # groups (handlers.groups)
    "live.group_leave": {
        "zh": "只有办公室批准的人员才能把我加入群聊。我先退出了;如需使用,请私聊 @{bot} 并发送 /start。",
        "en": "Only people the office has approved may add me to a group, so I am leaving. "
              "To use me, open a private chat with @{bot} and send /start.",
    },
    # deployment settings (bot.config)
    "config.bad_api_url": {
        "zh": "DUBAN_BOT_API_URL“{value}”不对:应是 Bot API 服务器的根地址,如 https://api.telegram.org "
              "或 http://127.0.0.1:8081(不带 /bot 和令牌,机器人会自己加上 /bot<令牌>/<方法>)。",
        "en": "DUBAN_BOT_API_URL “{value}” is wrong: it should be the Bot API server's root, e.g. "
              "https://api.telegram.org or http://127.0.0.1:8081 (without /bot and the token: the "
              "bot adds /bot<token>/<method> itself).",
    },
    "config.bad_proxy": {
        "zh": "DUBAN_PROXY“{value}”不对:应形如 http://proxy.example:3128 或 socks5://127.0.0.1:1080"
              "(可带用户名和密码:socks5://user:pass@host:port)。",
        "en": "DUBAN_PROXY “{value}” is wrong: it should look like http://proxy.example:3128 or "
              "socks5://127.0.0.1:1080 (with a user and password if needed: "
              "socks5://user:pass@host:port).",
    },
    "config.webhook_without_url": {
        "zh": "设置了 DUBAN_WEBHOOK_LISTEN 或 DUBAN_WEBHOOK_SECRET,却没有 DUBAN_WEBHOOK_URL:"
              "要用 webhook 请设置公网 https 地址;要用轮询(默认)请删掉这两个变量。",
        "en": "DUBAN_WEBHOOK_LISTEN or DUBAN_WEBHOOK_SECRET is set but DUBAN_WEBHOOK_URL is not: "
              "set the public https URL for webhook mode, or remove both for polling (the default).",
    },
    "config.bad_webhook_url": {
        "zh": "DUBAN_WEBHOOK_URL“{value}”不对:Telegram 只向 https 地址推送,端口只能是 {ports},"
              "如 https://duban.example.gov.cn/telegram。",
        "en": "DUBAN_WEBHOOK_URL “{value}” is wrong: Telegram only posts to https URLs on the ports "
              "{ports}, e.g. https://duban.example.gov.cn/telegram.",
    },
    "config.bad_webhook_listen": {
        "zh": "DUBAN_WEBHOOK_LISTEN“{value}”不对:应形如 127.0.0.1:8443(本机监听的地址和端口)。",
        "en": "DUBAN_WEBHOOK_LISTEN “{value}” is wrong: it should look like 127.0.0.1:8443 (the "
              "local address and port to listen on).",
    },
    "config.bad_webhook_secret": {
        "zh": "DUBAN_WEBHOOK_SECRET 只能由 1–256 个字母、数字、下划线和连字符组成。",
        "en": "DUBAN_WEBHOOK_SECRET may only hold 1-256 letters, digits, underscores and hyphens.",
    },
    # start-up (bot.serve)
    "live.start.what_getme": {"zh": "Bot API 服务器(getMe)", "en": "the Bot API server (getMe)"},
    "live.start.what_commands": {"zh": "设置命令菜单(setMyCommands)",
                                 "en": "setting the command menu (setMyCommands)"},
    "live.start.what_polling": {"zh": "开始接收消息(deleteWebhook)",
                                "en": "starting to receive updates (deleteWebhook)"},
    "live.start.what_webhook": {"zh": "设置 webhook(setWebhook)", "en": "setting the webhook (setWebhook)"},
    "live.start.waiting": {
        "zh": "正在等待{what}:{root}{proxy}暂时连不上({error})。{seconds} 秒后重试……",
        "en": "Waiting for {what}: {root}{proxy} cannot be reached yet ({error}). Retrying in "
              "{seconds} s...",
    },
    "live.start.via_proxy": {"zh": "(经代理 {proxy})", "en": " (through the proxy {proxy})"},
    "live.start.flood": {
        "zh": "{what}:服务器要求稍候,{seconds} 秒后重试……",
        "en": "{what}: the server asks to wait; retrying in {seconds} s...",
    },
    "live.start.bad_token": {
        "zh": "{root} 不接受 DUBAN_BOT_TOKEN(令牌无效或已被撤销):请向 @BotFather 核对令牌。"
              "若使用自建的 telegram-bot-api 服务器,请确认 DUBAN_BOT_API_URL 指向它。",
        "en": "{root} does not accept DUBAN_BOT_TOKEN (invalid or revoked): check the token with "
              "@BotFather. With a self-hosted telegram-bot-api server, check that "
              "DUBAN_BOT_API_URL points to it.",
    },
    "live.start.mode_polling": {"zh": "长轮询", "en": "long polling"},
    "live.start.mode_webhook": {"zh": "webhook {url}(本机监听 {listen})",
                                "en": "webhook {url} (listening on {listen})"},
    "live.start.running": {
        "zh": "督办机器人 @{bot} 已启动:{root},{mode}。",
        "en": "duban is running as @{bot}: {root}, {mode}.",
    },
    # the office told that a person never started the bot (jobs.reminders)
    "live.not_started_notice": {
        "zh": "⚠️ 无法向{name}发送{date}的督办提醒:对方从未在 Telegram 中打开过机器人。"
              "请联系其本人:在 Telegram 中打开 @{bot},点击“开始”(Start)。",
        "en": "⚠️ The reminders of {date} could not reach {name}: they have never opened the bot "
              "in Telegram. Please ask them to open @{bot} and press Start.",
    },
}
