"""The one rule for text that comes in: from chat, the command line, imports and Telegram.

:func:`clean_text` is applied to every stored text (``bot.domain.model._text`` calls it), so
two strings that look the same are the same:

- NFC-normalised (a composed "é" and "e" + combining accent are one string);
- format characters (Unicode category Cf: bidi overrides and isolates such as U+202E,
  zero-width space/joiners U+200B–U+200D, the BOM U+FEFF, soft hyphen...) are removed: they
  are invisible, and only make look-alikes;
- line and paragraph separators (U+2028, U+2029) and ``\\r\\n`` / ``\\r`` become ``\\n``
  (or a space in a one-line field); a tab and every other space character (no-break space,
  ideographic space U+3000, em space...) become an ordinary space;
- other control characters (C0 but ``\\n``, DEL, C1) are refused (:class:`UnsafeText`) —
  or removed with ``controls="remove"``, for text nobody typed (a Telegram profile name), or
  kept with ``controls="keep"`` for a reader that leaves the refusing to the model (a ledger
  cell: its row is then reported bad, naming the character);
- unpaired surrogates and noncharacters are removed (they cannot be stored as UTF-8);
- a one-line field (names, divisions, units) has its runs of spaces collapsed to one.

:func:`clean_name` is the one-line form that never refuses (names from Telegram).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["UnsafeText", "clean_name", "clean_text", "is_clean"]

_SPACES = re.compile(r" {2,}")
_LINES = re.compile(r"\r\n|\r|[\u2028\u2029\x85]")


class UnsafeText(ValueError):
    """The text holds control characters (``chars`` lists them, as U+XXXX)."""

    def __init__(self, chars: list[str]) -> None:
        super().__init__(", ".join(chars))
        self.chars = chars


def _noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def clean_text(value: str, *, single_line: bool = False, controls: str = "refuse") -> str:
    """``value`` by the rule above (not stripped: the caller strips)."""
    if controls not in ("refuse", "remove", "keep"):
        raise ValueError(controls)
    # the common case, already clean: every character printable (so no control, format,
    # surrogate, unassigned, line-separator or odd space character: ``str.isprintable``
    # refuses exactly those categories but the ASCII space), already NFC, no double space
    if value.isprintable() and unicodedata.is_normalized("NFC", value) \
            and not (single_line and "  " in value):
        return value
    return _clean_slow(value, single_line, controls)


def _clean_slow(value: str, single_line: bool, controls: str) -> str:
    """:func:`clean_text` character by character."""
    text = _LINES.sub("\n", unicodedata.normalize("NFC", value))
    out: list[str] = []
    bad: list[str] = []
    for ch in text:
        if ch == "\n":
            out.append(" " if single_line else "\n")
            continue
        cat = unicodedata.category(ch)
        code = ord(ch)
        if ch == "\t" or cat == "Zs":
            out.append(" ")
        elif cat == "Cf" or cat == "Cs" or _noncharacter(code):
            continue
        elif cat == "Cc":
            if controls == "refuse":
                bad.append(f"U+{code:04X}")
            elif controls == "keep":
                out.append(ch)
        else:
            out.append(ch)
    if bad:
        raise UnsafeText(sorted(set(bad)))
    text = "".join(out)
    if single_line:
        text = _SPACES.sub(" ", text)
    # removing a character can leave a sequence that composes further
    return unicodedata.normalize("NFC", text)


def clean_name(value: str) -> str:
    """A name as it is compared and stored: one line, nothing invisible, never refused."""
    return clean_text(value or "", single_line=True, controls="remove").strip()


def is_clean(value: str, *, single_line: bool = False) -> bool:
    """Whether ``value`` is already what :func:`clean_text` makes of it."""
    try:
        return clean_text(value, single_line=single_line) == value
    except UnsafeText:
        return False
