"""Text formatting as the Bot API does it: parse_mode markup to plain text plus entities.

Offsets and lengths of entities are in UTF-16 code units, as in the Bot API. Errors carry the
descriptions Telegram gives (after ``Bad Request: can't parse entities: ``), with byte offsets
counted in UTF-8 like Telegram's.

- ``HTML``: the tags Telegram supports (b strong i em u ins s strike del tg-spoiler
  span.tg-spoiler a code pre blockquote tg-emoji), the named entities ``&lt; &gt; &amp; &quot;``
  and numeric entities. Unknown tags, unbalanced or unclosed tags and a bare ``<`` are errors.
- ``MarkdownV2``: ``*bold* _italic_ __underline__ ~strike~ ||spoiler|| `code` ```pre```
  [text](url)``, ``\\`` escapes; any other reserved character unescaped is an error, as is an
  entity left open. Block quotes (``>``) are not supported and count as a reserved character.
- ``Markdown`` (legacy): ``*bold* _italic_ `code` ```pre``` [text](url)``, no nesting.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ParseError",
    "auto_entities",
    "parse_text",
    "utf16_len",
]

Entity = dict[str, Any]


class ParseError(ValueError):
    """Markup Telegram would refuse; ``str(err)`` is Telegram's description of the problem."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit of Bot API entity offsets)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Return (plain text, entities) for ``text`` sent with ``parse_mode`` (None: plain).

    Raises ParseError for markup Telegram refuses and ValueError("unsupported parse_mode")
    for an unknown mode.
    """
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return _HtmlParser(text).parse()
    if mode == "markdownv2":
        return _MarkdownParser(text, v2=True).parse()
    if mode == "markdown":
        return _MarkdownParser(text, v2=False).parse()
    raise ValueError("unsupported parse_mode")


def _sorted(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# ---------------------------------------------------------------------------------------- HTML

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_OTHER_TAGS = {"span", "a", "blockquote", "tg-emoji"}
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTR = re.compile(r"\s*([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_HTML_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")


@dataclass
class _Open:
    name: str
    offset: int  # UTF-16 offset in the output where the tag opened
    entity: Entity | None  # the entity to emit on close (without offset/length)
    src_index: int = 0


@dataclass
class _HtmlParser:
    src: str
    out: list[str] = field(default_factory=list)
    offset: int = 0
    stack: list[_Open] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def error(self, message: str) -> ParseError:
        return ParseError(message)

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.offset += utf16_len(chars)

    def parse(self) -> tuple[str, list[Entity]]:
        src, i, n = self.src, 0, len(self.src)
        while i < n:
            ch = src[i]
            if ch == "<":
                i = self.end_tag(i) if src.startswith("</", i) else self.start_tag(i)
            elif ch == "&":
                m = _HTML_ENTITY.match(src, i)
                if m:
                    self.emit(html.unescape(m.group(0)))
                    i = m.end()
                else:
                    self.emit("&")
                    i += 1
            else:
                j = i
                while j < n and src[j] not in "<&":
                    j += 1
                self.emit(src[i:j])
                i = j
        if self.stack:
            raise self.error(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        return "".join(self.out), _sorted(self.entities)

    def start_tag(self, i: int) -> int:
        src = self.src
        m = _TAG_NAME.match(src, i + 1)
        name = m.group(0).lower() if m else ""
        at = _byte_offset(src, i)
        if name not in _SIMPLE_TAGS and name not in _OTHER_TAGS:
            raise self.error(f'Unsupported start tag "{name}" at byte offset {at}')
        assert m is not None
        j = m.end()
        attrs: dict[str, str] = {}
        while True:
            while j < len(src) and src[j].isspace():
                j += 1
            if j >= len(src):
                raise self.error(f"Unclosed start tag at byte offset {at}")
            if src[j] == ">":
                j += 1
                break
            if src.startswith("/>", j):
                raise self.error(f'Unsupported start tag "{name}/" at byte offset {at}')
            am = _ATTR.match(src, j)
            if not am or am.end() == j:
                raise self.error(f"Empty attribute name in the tag \"{name}\" at byte offset {at}")
            value = am.group(2) or ""
            if value[:1] in "\"'" and value:
                value = value[1:-1]
            attrs[am.group(1).lower()] = html.unescape(value)
            j = am.end()
        self.stack.append(_Open(name, self.offset, self.entity_for(name, attrs, at), i))
        return j

    def entity_for(self, name: str, attrs: dict[str, str], at: int) -> Entity | None:
        if name in _SIMPLE_TAGS:
            if name == "code" and self.stack and self.stack[-1].name == "pre":
                language = attrs.get("class", "")
                pre = self.stack[-1].entity
                if language.startswith("language-") and pre is not None:
                    pre["language"] = language.removeprefix("language-")
                    return None
            return {"type": _SIMPLE_TAGS[name]}
        if name == "span":
            if attrs.get("class") != "tg-spoiler":
                raise self.error('Tag "span" must have class "tg-spoiler"')
            return {"type": "spoiler"}
        if name == "a":
            href = attrs.get("href", "")
            if not href:
                return None
            if href.startswith("tg://user?id="):
                return {"type": "text_mention", "user": {"id": int(href[13:] or 0)}}
            return {"type": "text_link", "url": href}
        if name == "blockquote":
            kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
            return {"type": kind}
        emoji = attrs.get("emoji-id")
        if not emoji:
            raise self.error(f'Custom emoji identifier must be specified at byte offset {at}')
        return {"type": "custom_emoji", "custom_emoji_id": emoji}

    def end_tag(self, i: int) -> int:
        src = self.src
        at = _byte_offset(src, i)
        j = src.find(">", i + 2)
        if j < 0:
            raise self.error(f"Unclosed end tag at byte offset {at}")
        name = src[i + 2 : j].strip().lower()
        if not self.stack:
            raise self.error(f'Unexpected end tag at byte offset {at}')
        top = self.stack.pop()
        if name != top.name:
            raise self.error(
                f'Unmatched end tag at byte offset {at}, expected "</{top.name}>", '
                f'found "</{name}>"'
            )
        length = self.offset - top.offset
        if top.entity is not None and length > 0:
            self.entities.append({**top.entity, "offset": top.offset, "length": length})
        return j + 1


# ------------------------------------------------------------------------------------ Markdown

_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_V2_MARKERS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough",
               "||": "spoiler"}
_V1_MARKERS = {"*": "bold", "_": "italic"}


@dataclass
class _MarkdownParser:
    src: str
    v2: bool
    out: list[str] = field(default_factory=list)
    offset: int = 0
    stack: list[tuple[str, int, int]] = field(default_factory=list)  # marker, offset, src index
    entities: list[Entity] = field(default_factory=list)

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.offset += utf16_len(chars)

    def unclosed(self, index: int, kind: str) -> ParseError:
        at = _byte_offset(self.src, index)
        if self.v2:
            return ParseError(f"Can't find end of {kind} entity at byte offset {at}")
        return ParseError(f"Can't find end of the entity starting at byte offset {at}")

    def add(self, kind: str, start: int, **extra: Any) -> None:
        if self.offset > start:
            self.entities.append({"type": kind, "offset": start, "length": self.offset - start,
                                  **extra})

    def parse(self) -> tuple[str, list[Entity]]:
        src, i, n = self.src, 0, len(self.src)
        markers = _V2_MARKERS if self.v2 else _V1_MARKERS
        while i < n:
            ch = src[i]
            two = src[i : i + 2]
            if ch == "\\" and i + 1 < n and (self.v2 or src[i + 1] in "_*`["):
                self.emit(src[i + 1])
                i += 2
            elif ch == "`":
                i = self.code(i)
            elif ch == "[":
                i = self.link(i)
            elif self.v2 and two in markers or ch in markers:
                marker = two if self.v2 and two in markers else ch
                i = self.toggle(marker, markers[marker], i)
            elif self.v2 and ch in _V2_RESERVED:
                raise ParseError(
                    f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
                )
            else:
                self.emit(ch)
                i += 1
        if self.stack:
            marker, _, index = self.stack[-1]
            raise self.unclosed(index, markers[marker].capitalize())
        return "".join(self.out), _sorted(self.entities)

    def toggle(self, marker: str, kind: str, i: int) -> int:
        if self.stack and self.stack[-1][0] == marker:
            _, start, _ = self.stack.pop()
            self.add(kind, start)
        elif not self.v2 and self.stack:  # legacy Markdown does not nest
            self.emit(marker)
        else:
            self.stack.append((marker, self.offset, i))
        return i + len(marker)

    def code(self, i: int) -> int:
        src = self.src
        fence = "```" if src.startswith("```", i) else "`"
        j = i + len(fence)
        language = ""
        if fence == "```":
            newline = src.find("\n", j)
            end_probe = src.find("```", j)
            if newline >= 0 and (end_probe < 0 or newline < end_probe):
                language = src[j:newline].strip()
                j = newline + 1
        start = self.offset
        while True:
            if j >= len(src):
                raise self.unclosed(i, "Pre" if fence == "```" else "Code")
            if self.v2 and src[j] == "\\" and j + 1 < len(src):
                self.emit(src[j + 1])
                j += 2
            elif src.startswith(fence, j):
                break
            else:
                self.emit(src[j])
                j += 1
        extra = {"language": language} if language else {}
        self.add("pre" if fence == "```" else "code", start, **extra)
        return j + len(fence)

    def link(self, i: int) -> int:
        src = self.src
        close = src.find("](", i + 1)
        end = src.find(")", close + 2) if close >= 0 else -1
        if close < 0 or end < 0:
            if self.v2:
                raise ParseError(
                    "Character '[' is reserved and must be escaped with the preceding '\\'"
                )
            raise self.unclosed(i, "TextUrl")
        start = self.offset
        if self.v2:
            inner, entities = _MarkdownParser(src[i + 1 : close], v2=True).parse()
            self.entities.extend({**e, "offset": e["offset"] + start} for e in entities)
        else:
            inner = src[i + 1 : close]
        self.emit(inner)
        self.add("text_link", start, url=src[close + 2 : end])
        return end + 1


# ---------------------------------------------------------------------- entities of user text

_AUTO = re.compile(
    r"(?P<bot_command>(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)"
    r"|(?P<mention>(?<![\w@])@[A-Za-z0-9_]{4,32})"
    r"|(?P<url>https?://[^\s<>\"]+)"
)


def auto_entities(text: str) -> list[Entity]:
    """Entities Telegram detects in what a user types: bot commands, @mentions and URLs."""
    entities: list[Entity] = []
    for m in _AUTO.finditer(text):
        kind = m.lastgroup
        assert kind is not None
        entities.append({
            "type": kind,
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group(0)),
        })
    return entities
