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
}
