"""Refusals of the access guard."""

MESSAGES = {
    "access.not_approved": {
        "zh": "您尚未获批使用本机器人。已通知办公室审核,获批后会通知您。",
        "en": "You are not approved to use this bot yet. The office has been asked and you will be told once approved.",
    },
    "access.deactivated": {
        "zh": "您的账号已停用。如有疑问请联系办公室。",
        "en": "Your account has been deactivated. Please contact the office.",
    },
    "access.not_yours": {
        "zh": "抱歉,您无权查看这件办件。",
        "en": "Sorry, you may not see this case.",
    },
    "access.cannot_update": {
        "zh": "抱歉,只有该件的承办人、所在处室负责人或办公室可以更新它。",
        "en": "Sorry, only the case's handler, their division head or the office may update it.",
    },
    "access.cannot_assign": {
        "zh": "抱歉,只有所在处室负责人或办公室可以交办、改派或审批。",
        "en": "Sorry, only the division head or the office may assign, reassign or decide on this.",
    },
    "access.cannot_register": {
        "zh": "抱歉,只有办公室和处室负责人可以登记新件。",
        "en": "Sorry, only the office and division heads may register cases.",
    },
    "access.leaders_only": {
        "zh": "抱歉,此功能仅供办公室和局领导使用。",
        "en": "Sorry, this is for the office and the bureau's leaders only.",
    },
    "access.office_only": {
        "zh": "抱歉,此功能仅供办公室使用。",
        "en": "Sorry, only the coordinating office may do this.",
    },
}
