"""Start-up configuration errors."""

MESSAGES = {
    "config.no_token": {
        "zh": "缺少 DUBAN_BOT_TOKEN:请向 @BotFather 申请机器人令牌,并设置环境变量 DUBAN_BOT_TOKEN。离线试用请运行 `duban console --sample`。",
        "en": "DUBAN_BOT_TOKEN is missing: get a bot token from @BotFather and set it. To try the bot offline, run `duban console --sample`.",
    },
    "config.bad_token": {
        "zh": "DUBAN_BOT_TOKEN 格式不对:应形如 123456789:AAE...(数字、冒号、字母)。",
        "en": "DUBAN_BOT_TOKEN looks wrong: it should look like 123456789:AAE... (digits, a colon, letters).",
    },
    "config.bad_admin": {
        "zh": "DUBAN_ADMINS 中的“{value}”不是 Telegram 数字 ID;请用逗号分隔数字,如 12345,67890。",
        "en": "“{value}” in DUBAN_ADMINS is not a numeric Telegram id; separate ids by commas, e.g. 12345,67890.",
    },
    "config.bad_lang": {
        "zh": "DUBAN_LANG 只能是 zh 或 en,而不是“{value}”。",
        "en": "DUBAN_LANG must be zh or en, not “{value}”.",
    },
    "config.data_dir_not_dir": {
        "zh": "DUBAN_DATA_DIR 指向的“{path}”不是目录。",
        "en": "DUBAN_DATA_DIR “{path}” is not a directory.",
    },
}
