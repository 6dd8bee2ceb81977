"""Joining, approval, people admin, and odd updates."""

MESSAGES = {
    "join.request": {
        "zh": "新用户申请使用督办机器人:\n<b>{name}</b>{username}(Telegram ID {id})\n请审核:",
        "en": "A new user asks to use the bot:\n<b>{name}</b>{username} (Telegram id {id})\nPlease decide:",
    },
    "join.as_handler": {"zh": "批准为承办人", "en": "approve as handler"},
    "join.as_division_head": {"zh": "批准为处室负责人", "en": "approve as division head"},
    "join.as_leader": {"zh": "批准为局领导", "en": "approve as leader"},
    "join.reject": {"zh": "拒绝", "en": "reject"},
    "join.already_decided": {
        "zh": "这个申请已经处理过了。",
        "en": "This request has already been decided.",
    },
    "join.rejected_admin": {"zh": "已拒绝 {name} 的申请。", "en": "Rejected {name}'s request."},
    "join.rejected_user": {
        "zh": "很抱歉,您使用督办机器人的申请未获批准。如有疑问请联系办公室。",
        "en": "Sorry, your request to use the bot was not approved. Please contact the office if you have questions.",
    },
    "join.which_person": {
        "zh": "人员名单中有与“{name}”相符的人员。是其中哪一位?还是另一位同名的人?",
        "en": "The people list has someone who fits “{name}”. Which one is it, or is it somebody else of that name?",
    },
    "join.new_person": {"zh": "都不是,新建人员", "en": "none of them: a new person"},
    "join.person_taken": {
        "zh": "{name} 已关联了另一个 Telegram 账号。",
        "en": "{name} is already linked to another Telegram account.",
    },
    "join.which_division": {
        "zh": "请选择 {name} 所在处室({position}):",
        "en": "Which division does {name} belong to ({position})?",
    },
    "join.approved_admin": {
        "zh": "已批准 {name} 为{position}{division}。",
        "en": "Approved {name} as {position}{division}.",
    },
    "join.welcome": {
        "zh": "{name},您好!办公室已批准您以{position}{division}的身份使用督办机器人。发送 /help 查看可用命令。",
        "en": "Hello {name}! The office has approved you as {position}{division}. Send /help for the commands.",
    },
    "people.header": {
        "zh": "<b>人员名单</b>(共{n}人,第{page}/{pages}页)",
        "en": "<b>People</b> ({n}, page {page}/{pages})",
    },
    "people.legend": {
        "zh": "✓ 已关联 Telegram ✗ 未关联",
        "en": "✓ Telegram linked ✗ not linked",
    },
    "people.no_division": {"zh": "局领导及其他", "en": "leaders and others"},
    "people.inactive": {"zh": "已停用", "en": "deactivated"},
    "people.unapproved": {"zh": "待审核", "en": "pending"},
    "people.unreachable": {"zh": "无法送达", "en": "unreachable"},
    "people.not_started": {"zh": "从未打开机器人", "en": "never started the bot"},
    "person.usage": {"zh": "请写姓名,例如:/person 张三", "en": "Give a name, e.g. /person 张三"},
    "person.not_found": {
        "zh": "人员名单中没有“{name}”。发送 /people 查看全部。",
        "en": "No “{name}” in the people list. Send /people to see everyone.",
    },
    "person.which": {"zh": "有多人名为“{name}”,请选择:", "en": "Several people are named “{name}”; which one?"},
    "person.gone": {"zh": "这个人员已不存在。", "en": "That person no longer exists."},
    "person.division": {"zh": "处室:{division}", "en": "division: {division}"},
    "person.leads": {"zh": "分管:{divisions}", "en": "leads: {divisions}"},
    "person.linked": {"zh": "Telegram:已关联(ID {id})", "en": "Telegram: linked (id {id})"},
    "person.not_linked": {"zh": "Telegram:未关联", "en": "Telegram: not linked"},
    "person.active": {"zh": "状态:在用", "en": "status: active"},
    "person.inactive": {"zh": "状态:已停用", "en": "status: deactivated"},
    "person.open_cases": {"zh": "在办件:{n}件", "en": "open cases: {n}"},
    "person.btn_position": {"zh": "改职务", "en": "change position"},
    "person.btn_division": {"zh": "改处室", "en": "change division"},
    "person.btn_deactivate": {"zh": "停用", "en": "deactivate"},
    "person.btn_activate": {"zh": "启用", "en": "activate"},
    "person.btn_confirm_deactivate": {"zh": "仍然停用", "en": "deactivate anyway"},
    "person.choose_position": {"zh": "请选择 {name} 的新职务:", "en": "New position for {name}:"},
    "person.choose_division": {
        "zh": "请选择 {name} 的处室(局领导:点选分管处室,再点一次取消):",
        "en": "Division for {name} (leaders: tap a division to add it to those led, again to remove it):",
    },
    "person.deactivate_warning": {
        "zh": "⚠ {name} 还有{n}件在办件,停用前请先改派:",
        "en": "⚠ {name} still holds {n} open cases; reassign them before deactivating:",
    },
    "common.cancel": {"zh": "取消", "en": "cancel"},
    "button.stale_choice": {
        "zh": "可选项已有变化,这个按钮已过时,请重新操作。",
        "en": "The choices have changed since; this button is out of date. Please start again.",
    },
    "misc.edited_ignored": {
        "zh": "修改过的消息不会被再次处理;如需更正,请重新发送。",
        "en": "Edited messages are not processed again; please send a new message instead.",
    },
    "misc.unsupported_media": {
        "zh": "我只能读文字消息,以及办公室发送的台账文件(.xlsx/.csv)。发送 /help 查看可用命令。",
        "en": "I can only read text messages, and ledger files (.xlsx/.csv) from the office. Send /help for the commands.",
    },
}
