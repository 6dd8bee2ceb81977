"""Group chats: what the office lets each group use (/group), and the supergroup move."""

MESSAGES = {
    "menu.group": {"zh": "设置群里可用的命令", "en": "what a group chat may use"},
    "group.help_header": {
        "zh": "<b>督办机器人</b> 在本群可用的命令:",
        "en": "<b>duban</b> commands in this group:",
    },
    "group.help_footer": {
        "zh": "群里的回答人人可见,按提问人自己的权限给出;其他功能请在与我的私聊中使用。",
        "en": "Everyone in the group sees the answers, given with the asker's own permissions; "
              "for everything else, talk to me in a private chat.",
    },
    "group.settings_sent": {
        "zh": "本群的设置已私聊发给您。",
        "en": "I sent you this group's settings in our private chat.",
    },
    "group.settings_unreachable": {
        "zh": "无法私聊您:请先打开与我的私聊并按“开始”,再在群里发送 /group。",
        "en": "I cannot write to you: open a private chat with me and press Start, then send "
              "/group in the group again.",
    },
    "group.none": {
        "zh": "我还不在任何已知的群里。把我拉进群后,在群里发送 /group。",
        "en": "I am not in any group I know of. Add me to a group, then send /group there.",
    },
    "group.choose": {"zh": "选择要设置的群:", "en": "Choose the group to set up:"},
    "group.panel": {
        "zh": "<b>群「{title}」可用的命令</b>\n点按下面的开关;/help 始终可用。\n\n"
              "⚠️ 群里的每位成员(包括未获批使用本机器人的人)都能看到回答。回答按提问人"
              "自己的权限给出(承办人只看到自己的件),未获批的人会被拒绝;回答里不带按钮。",
        "en": "<b>Commands group “{title}” may use</b>\nPress the switches below; /help is "
              "always there.\n\n⚠️ Every member of the group (including people not approved "
              "for this bot) sees the answers. Each answer is given with the asker's own "
              "permissions (a handler sees only their own cases), people not approved are "
              "refused, and answers carry no buttons.",
    },
    "group.on": {"zh": "✅ /{command} {label}", "en": "✅ /{command} {label}"},
    "group.off": {"zh": "⬜ /{command} {label}", "en": "⬜ /{command} {label}"},
    "group.enabled": {"zh": "已开放 /{command}", "en": "/{command} allowed"},
    "group.disabled": {"zh": "已关闭 /{command}", "en": "/{command} no longer allowed"},
    "group.unknown": {
        "zh": "我已不在这个群里,或它已被遗忘。",
        "en": "I am no longer in that group, or it was forgotten.",
    },
}
