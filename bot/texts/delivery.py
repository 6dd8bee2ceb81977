"""Delivery of reminders: what the office and /health are told when messages do not get
through, and when the clock cannot be trusted (jobs/reminders.py)."""

MESSAGES = {
    "delivery.what.daily": {"zh": "督办提醒", "en": "reminders"},
    "delivery.what.weekly": {"zh": "督办周报", "en": "weekly summary"},
    "delivery.all_reached": {
        "zh": "ℹ️ {date}的{what}因Telegram或网络故障延迟送达,经重试已全部送达({sent}人),无遗漏。",
        "en": "ℹ️ The {what} of {date} were delayed by a Telegram or network fault; after "
              "retrying, all were delivered ({sent} {sent:person|people}). Nothing was lost.",
    },
    "delivery.not_reached": {
        "zh": "⚠️ {date}的{what}有{n}人未能确认送达(已送达{sent}人),将于下一个工作日上午补发:",
        "en": "⚠️ The {what} of {date}: {n} not confirmed delivered ({sent} delivered); "
              "the undelivered ones go out again next working morning:",
    },
    "delivery.not_reached_final": {
        "zh": "⚠️ {date}的{what}有{n}人未能确认送达(已送达{sent}人),不再重发,请电话联系:",
        "en": "⚠️ The {what} of {date}: {n} not confirmed delivered ({sent} delivered); "
              "no more retries, please phone them:",
    },
    "delivery.line": {"zh": " · {name}:{why}", "en": " · {name}: {why}"},
    "delivery.why.maybe": {
        "zh": "发送后未收到Telegram确认,可能已送达(也可能收到两次)",
        "en": "sent but never confirmed by Telegram: maybe delivered (maybe twice)",
    },
    "delivery.why.refused": {"zh": "Telegram拒绝({error})", "en": "refused by Telegram ({error})"},
    "delivery.why.transient": {"zh": "Telegram或网络故障,重试至当天结束仍未成功({error})",
                               "en": "Telegram or network fault, retried all day ({error})"},
    "delivery.why.retrying": {"zh": "重试中({error})", "en": "being retried ({error})"},
    "delivery.health.missed": {"zh": "{date}未确认送达:{n}人", "en": "Not confirmed on {date}: {n}"},
    "delivery.clock_jump": {
        "zh": "⚠️ 系统时钟跳变:时钟显示{seen},按运行时间应为{expected}。为免错发,暂停发送督办提醒;"
              "请核对服务器时间,时钟恢复正常或重启机器人后继续。",
        "en": "⚠️ The clock jumped: it says {seen}, {expected} was expected from the time "
              "elapsed. Reminders are held so none go out on the wrong day; check the server's "
              "time: they resume when the clock is back in line or the bot is restarted.",
    },
    "delivery.health.clock": {
        "zh": "⚠️ 时钟跳变,提醒已暂停:时钟显示{seen},应为{expected}",
        "en": "⚠️ Clock jump, reminders held: the clock says {seen}, {expected} expected",
    },
    # -- duban remind --date in the future
    "remind.cli.future": {
        "zh": "{date}在今天({today})之后:提醒会按今天的数据发出,而那天到来时不会再发。"
              "确需如此请加 --force;只想预览请用 --dry-run。",
        "en": "{date} is after today ({today}): its reminders would be built from today's "
              "data and not sent again on the day. Add --force if you mean it; use --dry-run "
              "to preview.",
    },
}
