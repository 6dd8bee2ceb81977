"""The Bot API's methods the simulator answers, with their parameters (Bot API 9), so every
request a test makes is checked: a parameter the method does not have (a typo, a parameter
of another method) is answered 400 and counted in ``stats.unknown_params``; a missing
required one is answered 400 as Telegram does.

Telegram itself ignores unknown parameters silently, which is how a misspelt
``reply_markup`` goes unnoticed in production; the simulator is stricter on purpose
(``sim.strict_params = False`` only counts them).
"""

from __future__ import annotations

__all__ = ["PARAMETERS", "REQUIRED"]

_SEND_COMMON = ("business_connection_id", "chat_id", "message_thread_id",
                "direct_messages_topic_id", "disable_notification", "protect_content",
                "allow_paid_broadcast", "message_effect_id", "suggested_post_parameters",
                "reply_parameters", "reply_markup",
                # older spellings PTB still accepts and the simulator still reads
                "reply_to_message_id", "allow_sending_without_reply")
_EDIT_COMMON = ("business_connection_id", "chat_id", "message_id", "inline_message_id",
                "reply_markup")

#: method (lower case) -> the parameters it takes
PARAMETERS: dict[str, frozenset[str]] = {name.lower(): frozenset(params) for name, params in {
    "getMe": (),
    "logOut": (),
    "close": (),
    "deleteWebhook": ("drop_pending_updates",),
    "getWebhookInfo": (),
    "setWebhook": ("url", "certificate", "ip_address", "max_connections", "allowed_updates",
                   "drop_pending_updates", "secret_token"),
    "getUpdates": ("offset", "limit", "timeout", "allowed_updates"),
    "sendMessage": (*_SEND_COMMON, "text", "parse_mode", "entities", "link_preview_options",
                    "disable_web_page_preview"),
    "sendDocument": (*_SEND_COMMON, "document", "thumbnail", "caption", "parse_mode",
                     "caption_entities", "disable_content_type_detection"),
    "editMessageText": (*_EDIT_COMMON, "text", "parse_mode", "entities",
                        "link_preview_options", "disable_web_page_preview"),
    "editMessageCaption": (*_EDIT_COMMON, "caption", "parse_mode", "caption_entities",
                           "show_caption_above_media"),
    # PTB's Defaults(parse_mode=...) puts parse_mode on this call too; Telegram ignores it
    "editMessageReplyMarkup": (*_EDIT_COMMON, "parse_mode"),
    "deleteMessage": ("chat_id", "message_id"),
    "answerCallbackQuery": ("callback_query_id", "text", "show_alert", "url", "cache_time"),
    "getFile": ("file_id",),
    "setMyCommands": ("commands", "scope", "language_code"),
    "getMyCommands": ("scope", "language_code"),
    "deleteMyCommands": ("scope", "language_code"),
    "sendChatAction": ("business_connection_id", "chat_id", "message_thread_id", "action"),
    "getChat": ("chat_id",),
    "leaveChat": ("chat_id",),
}.items()}

#: method (lower case) -> the parameters it cannot do without
REQUIRED: dict[str, tuple[str, ...]] = {
    "sendmessage": ("chat_id", "text"),
    "senddocument": ("chat_id", "document"),
    "editmessagetext": ("text",),
    "deletemessage": ("chat_id", "message_id"),
    "answercallbackquery": ("callback_query_id",),
    "getfile": ("file_id",),
    "setmycommands": ("commands",),
    "sendchataction": ("chat_id", "action"),
    "getchat": ("chat_id",),
    "leavechat": ("chat_id",),
    "setwebhook": ("url",),
}
