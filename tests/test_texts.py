"""The catalogue: every key in both languages, placeholders the same in both."""

import string

from bot.texts import CATALOGUE, LANGS, t


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_every_language():
    missing = [(key, lang) for key, texts in CATALOGUE.items() for lang in LANGS
               if not texts.get(lang)]
    assert missing == []


def test_placeholders_agree_between_languages():
    wrong = [key for key, texts in CATALOGUE.items()
             if len({frozenset(_fields(texts[lang])) for lang in LANGS}) != 1]
    assert wrong == []


def test_lookup_falls_back_to_chinese():
    assert t("kind.suggestion", "fr") == "建议"
    assert t("kind.suggestion", "en") == "suggestion"
