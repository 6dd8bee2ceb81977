"""People are told apart by identity, not by name: linking, namesakes, approving a namesake."""

MESSAGES = {
    "identity.linked": {
        "zh": "承办人按人员身份关联(原仅记姓名)",
        "en": "handler linked by identity (was a name only)",
    },
}
