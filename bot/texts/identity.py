"""People are told apart by identity, not by name: linking, namesakes, approving a namesake."""

MESSAGES = {
    "join.namesake_linked": {
        "zh": "⚠ 名单中已有同名人员 {others}(已关联Telegram)。若是另一位,请选“都不是,新建人员”。",
        "en": "⚠ The list already has {others} of that name (linked to Telegram). If this is someone else, choose “none of them: a new person”.",
    },
    "join.namesake_new": {
        "zh": "⚠ 与 {others} 同名,是另一位人员:今后显示为“{shown}”,各自只看到自己的办件。",
        "en": "⚠ Same name as {others}, a different person: shown as “{shown}” from now on; each sees only their own cases.",
    },
    "identity.linked": {
        "zh": "承办人按人员身份关联(原仅记姓名)",
        "en": "handler linked by identity (was a name only)",
    },
}
