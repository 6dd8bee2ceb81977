"""The message catalogue: every user-facing string, in Chinese (default) and English.

Each module of this package defines ``MESSAGES = {key: {"zh": ..., "en": ...}}``; they are
merged here at import, and a key defined twice is an error. ``t()`` is the one lookup.
Placeholders use ``str.format`` syntax: ``t("case.not_found", lang, number="0484")``.
A count can choose its word: ``{n:case|cases}`` says ``case`` when ``n`` is 1 and ``cases``
otherwise (English needs it; Chinese says 件 whatever the count).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import string

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

CATALOGUE: dict[str, dict[str, str]] = {}
#: the texts that choose a word by a count (formatted by :class:`_Formatter`)
_PLURAL_TEXTS: set[str] = set()
_PLURAL_SPEC = re.compile(r"\{\w+:[^{}|]*\|[^{}]*\}")


def _load() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, texts in getattr(module, "MESSAGES", {}).items():
            if key in CATALOGUE:
                raise RuntimeError(f"message key {key!r} defined twice (again in {info.name})")
            CATALOGUE[key] = texts
            _PLURAL_TEXTS.update(x for x in texts.values() if _PLURAL_SPEC.search(x))


_load()


class _Formatter(string.Formatter):
    """``str.format`` plus plurals: a spec ``one|many`` picks the word for the count."""

    def format_field(self, value: object, format_spec: str) -> str:
        if "|" in format_spec:
            one, many = format_spec.split("|", 1)
            return one if value == 1 else many
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def plural(n: int, one: str, many: str) -> str:
    """The word for ``n`` things: ``one`` when ``n`` is 1, else ``many``."""
    return one if n == 1 else many


def norm_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = DEFAULT_LANG, /, **params: object) -> str:
    """The text for ``key`` in ``lang`` (zh when unknown), formatted with ``params``."""
    texts = CATALOGUE[key]
    text = texts.get(norm_lang(lang)) or texts[DEFAULT_LANG]
    if not params:
        return text
    if text in _PLURAL_TEXTS:
        return _FORMATTER.format(text, **params)
    return text.format(**params)


def has(key: str) -> bool:
    return key in CATALOGUE
