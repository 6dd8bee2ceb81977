"""Joining again, and names Telegram allows but the people list must shorten (handlers/people.py)."""

MESSAGES = {
    "join.returning": {
        "zh": "已登记人员再次申请使用督办机器人:\n<b>{name}</b>{username}(Telegram ID {id})"
              "\n原为{position}{division},{state}。\n重新启用(保留原职务和处室)还是拒绝?",
        "en": "A person of the list asks to use the bot again:\n<b>{name}</b>{username} "
              "(Telegram id {id})\nWas {position}{division}, {state}.\nReactivate (same "
              "position and division) or reject?",
    },
    "join.unapproved": {"zh": "尚未批准", "en": "not approved"},
    "join.deactivated": {"zh": "已停用", "en": "deactivated"},
    "join.reactivate": {"zh": "重新启用", "en": "reactivate"},
    "join.reactivated_admin": {
        "zh": "已重新启用 {name}({position}{division})。",
        "en": "Reactivated {name} ({position}{division}).",
    },
    "join.name_cut": {
        "zh": "注:Telegram名字过长({full}),人员名单只保留前{n}个字:“{name}”。",
        "en": "Note: the Telegram name is too long ({full}); the people list keeps its first "
              "{n} characters: “{name}”.",
    },
}
