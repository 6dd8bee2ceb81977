"""Documents on a case (the paper trail): what may be attached, by whom, and how it is kept.

A document is a file the bot stores by its content hash (SHA-256) or a link (a
publication's address), with its type (:data:`bot.domain.model.DOC_TYPES`: 复文, 草稿,
协商记录, 公开证明, 其他), when and by whom. It lives in ``Case.documents`` so that adding
one is a case change: the history records it (who, when, the whole list before and after,
and a note with the type and the original name) in the same transaction.

Who: attaching is updating the case (:func:`bot.domain.access.decide` with ``"update"``),
getting a file back is seeing it (``"view"``): no second rule here.

What: the file's *content* decides its format (:func:`sniff`), never its name: PDF, Word
(.docx, and .doc of Office 97-2003), Excel (.xlsx), JPEG, PNG and OFD (the Chinese fixed
layout format, a zip with ``OFD.xml`` at its root). Bots can download files of at most
:data:`MAX_BYTES` (Telegram's limit); a larger one is refused before it is fetched.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any
from urllib.parse import urlsplit

from bot.domain.access import decide
from bot.domain.model import DOC_TYPES, Case, Person, ValidationError, attachment

__all__ = ["ACCEPTED", "DOC_TYPES", "MAX_BYTES", "attach", "file_entry", "link_entry",
           "may_attach", "may_fetch", "parse_link", "sniff"]

#: Telegram lets bots download files of up to 20 MB (getFile answers "file is too big")
MAX_BYTES = 20 << 20
#: formats accepted, in the order the refusal lists them
ACCEPTED = ("pdf", "docx", "doc", "xlsx", "jpg", "png", "ofd")
#: the extension a stored file of each format is sent back with
EXTENSIONS = {"pdf": ".pdf", "docx": ".docx", "doc": ".doc", "xlsx": ".xlsx", "jpg": ".jpg",
              "png": ".png", "ofd": ".ofd"}
MIME = {"pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc": "application/msword",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "jpg": "image/jpeg", "png": "image/png", "ofd": "application/ofd"}
MAX_URL = 2000
MAX_DOCUMENTS = 100

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File Binary: .doc/.xls of Office 97


def sniff(data: bytes) -> str | None:
    """The format of ``data`` by its content (one of :data:`ACCEPTED`), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(_OLE2):
        return "doc"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    return None


def _zip_format(data: bytes) -> str | None:
    """docx, xlsx (Office Open XML: ``[Content_Types].xml`` and the main part) or ofd."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return None


def check_size(size: int | None) -> None:
    """Refuse a file Telegram will not let the bot download (ValidationError)."""
    if size is not None and size > MAX_BYTES:
        raise ValidationError("doc.too_big", mb=round(size / 2**20, 1), limit=MAX_BYTES >> 20)


def check_format(data: bytes) -> str:
    """The accepted format of ``data``, or a ValidationError listing what is accepted."""
    check_size(len(data))
    if not data:
        raise ValidationError("doc.empty")
    fmt = sniff(data)
    if fmt is None:
        raise ValidationError("doc.bad_type", accepted=", ".join(
            EXTENSIONS[f].lstrip(".").upper() for f in ACCEPTED))
    return fmt


def parse_link(text: str) -> str:
    """A publication's address: an http(s) URL with a host, no spaces; ValidationError."""
    url = (text or "").strip()
    if not url:
        raise ValidationError("doc.bad_link", value="")
    if len(url) > MAX_URL:
        raise ValidationError("doc.link_too_long", limit=MAX_URL)
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        raise ValidationError("doc.bad_link", value=url[:80]) from None
    if (parts.scheme.lower() not in ("http", "https") or not parts.hostname or not port_ok
            or any(ch.isspace() or ord(ch) < 32 for ch in url)):
        raise ValidationError("doc.bad_link", value=url[:80])
    return url


def may_attach(person: Person | None, case: Case) -> Any:
    """Attaching is updating the case: the guard's decision (with its reason)."""
    return decide(person, "update", case)


def may_fetch(person: Person | None, case: Case) -> Any:
    """Getting a document back is seeing the case."""
    return decide(person, "view", case)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_entry(data: bytes, name: str, doc_type: str, *, at: str, by: str, by_id: int = 0
               ) -> dict[str, Any]:
    """The record of a file (checked: format by content, size); not yet on a case."""
    fmt = check_format(data)
    return attachment({"type": doc_type, "sha256": digest(data), "name": _name(name, fmt),
                       "size": len(data), "format": fmt, "at": at, "by": by,
                       "by_id": by_id})


def link_entry(url: str, doc_type: str, *, at: str, by: str, by_id: int = 0
               ) -> dict[str, Any]:
    return attachment({"type": doc_type, "url": parse_link(url), "at": at, "by": by,
                       "by_id": by_id})


def _name(name: str, fmt: str) -> str:
    """The original name, kept (one line, at most 255 characters); a name is given when
    there is none."""
    name = " ".join((name or "").split())[:255]
    return name or f"document{EXTENSIONS[fmt]}"


def attach(case: Case, entry: dict[str, Any]) -> Case:
    """``case`` with ``entry`` added (a copy). The same file or link twice on one case is
    refused, saying when it was attached; a case holds at most :data:`MAX_DOCUMENTS`."""
    if entry["type"] not in DOC_TYPES:
        raise ValidationError("doc.bad_doc_type")
    for old in case.documents:
        same = (entry["sha256"] and old.get("sha256") == entry["sha256"]) or \
               (entry["url"] and old.get("url") == entry["url"])
        if same:
            raise ValidationError("doc.duplicate", at=str(old.get("at", ""))[:16]
                                  .replace("T", " "), name=old.get("name") or old.get("url"))
    if len(case.documents) >= MAX_DOCUMENTS:
        raise ValidationError("doc.too_many", n=MAX_DOCUMENTS)
    new = case.copy()
    new.documents = [*case.documents, attachment(entry)]
    return new


def download_name(entry: dict[str, Any]) -> str:
    """The name a stored file is sent back with: its original name, with the extension of
    its real format when the name has another."""
    name = entry.get("name") or "document"
    ext = EXTENSIONS.get(entry.get("format", ""), "")
    return name if not ext or name.lower().endswith(ext) else name + ext


def referenced(cases: list[Case]) -> list[tuple[Case, int, dict[str, Any]]]:
    """Every stored file the cases name: (case, its index on the case, the record)."""
    return [(case, i, d) for case in cases for i, d in enumerate(case.documents)
            if d.get("sha256")]
