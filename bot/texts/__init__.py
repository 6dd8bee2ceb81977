"""The message catalogue: every user-facing string, in Chinese (default) and English.

Each module of this package defines ``MESSAGES = {key: {"zh": ..., "en": ...}}``; they are
merged here at import, and a key defined twice is an error. ``t()`` is the one lookup.
Placeholders use ``str.format`` syntax: ``t("case.not_found", lang, number="0484")``.
"""

from __future__ import annotations

import importlib
import pkgutil

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

CATALOGUE: dict[str, dict[str, str]] = {}


def _load() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, texts in getattr(module, "MESSAGES", {}).items():
            if key in CATALOGUE:
                raise RuntimeError(f"message key {key!r} defined twice (again in {info.name})")
            CATALOGUE[key] = texts


_load()


def norm_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = DEFAULT_LANG, /, **params: object) -> str:
    """The text for ``key`` in ``lang`` (zh when unknown), formatted with ``params``."""
    texts = CATALOGUE[key]
    text = texts.get(norm_lang(lang)) or texts[DEFAULT_LANG]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in CATALOGUE
