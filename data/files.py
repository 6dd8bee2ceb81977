"""The documents' files, stored in the data directory by content hash.

``DATA_DIR/files/ab/abcdef…`` holds the bytes whose SHA-256 is ``abcdef…``: the same file
attached twice (to one case or to two) is stored once. A file is written to a temporary
name in the same folder, fsynced, renamed into place and the folder fsynced, so a stored
file is complete or absent; it is written *before* the case naming it is committed, so a
committed case never names a file that is not there (a crash in between leaves only an
unnamed file, harmless). Files are never deleted by the bot: the history keeps naming them.

:func:`check_files` (``duban check``) reads every file the cases name and reports those
missing or whose content no longer has their hash. :func:`export_with_files` writes the
ledger and the files, in folders by case number, into one zip.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bot.domain.documents import download_name, referenced
from bot.domain.model import Case
from bot.texts import t
from data.perms import fsync_dir, write_atomic

FILES_DIR = "files"
_CHUNK = 1 << 20


def files_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / FILES_DIR


def blob_path(data_dir: str | Path, sha256: str) -> Path:
    if len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256):
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return files_dir(data_dir) / sha256[:2] / sha256


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def put_file(data_dir: str | Path, data: bytes) -> str:
    """Store ``data`` (once: an intact copy already there is kept); its SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    path = blob_path(data_dir, sha)
    if path.is_file() and path.stat().st_size == len(data) and file_digest(path) == sha:
        return sha
    for folder in (files_dir(data_dir), path.parent):
        if not folder.is_dir():
            folder.mkdir(mode=0o700, exist_ok=True)
            fsync_dir(folder.parent)
    write_atomic(path, data, mode=0o600)
    return sha


def read_file(data_dir: str | Path, sha256: str) -> bytes | None:
    """The stored bytes of ``sha256`` when they are there and intact; None otherwise."""
    try:
        data = blob_path(data_dir, sha256).read_bytes()
    except (OSError, ValueError):
        return None
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def stored_files(data_dir: str | Path) -> Iterator[tuple[str, Path]]:
    """Every stored file (its hash by name, its path), temporary files left out."""
    root = files_dir(data_dir)
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and len(folder.name) == 2:
            for path in sorted(folder.iterdir()):
                if path.is_file() and len(path.name) == 64 and path.name.startswith(folder.name):
                    yield path.name, path


def check_files(data_dir: str | Path, cases: Iterable[Case], lang: str | None = "zh"
                ) -> list[str]:
    """``duban check``: each file a case names is there and has its hash (once per file)."""
    problems: list[str] = []
    checked: dict[str, str] = {}
    for case, _i, doc in referenced(list(cases)):
        sha = doc["sha256"]
        if sha not in checked:
            try:
                path = blob_path(data_dir, sha)
                checked[sha] = "ok" if file_digest(path) == sha else "damaged"
            except FileNotFoundError:
                checked[sha] = "missing"
            except (OSError, ValueError):
                checked[sha] = "damaged"
        state = checked[sha]
        if state != "ok":
            problems.append(t(f"check.file_{state}", lang, kind=t(f"kind.{case.kind}", lang),
                              number=case.number, year=case.year, name=doc.get("name", ""),
                              sha=sha[:12], path=blob_path(data_dir, sha)))
    return problems


def _safe(part: str) -> str:
    """A name usable as one zip path component."""
    cleaned = "".join("_" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in part)
    cleaned = cleaned.strip().strip(".")
    return cleaned or "_"


def export_with_files(data_dir: str | Path, cases: Iterable[Case], ledger: bytes,
                      ledger_name: str, out: Path, lang: str | None = "zh"
                      ) -> dict[str, Any]:
    """A zip: the ledger at the top, each case's files in ``<number>/`` (``<year>-<kind>-
    <number>`` when a number is taken by two cases), links in ``<number>/links.txt``.
    Files missing or damaged are left out and counted. Written to a temporary name and
    renamed. Returns counts: files, links, missing."""
    cases = list(cases)
    numbers: dict[str, int] = {}
    for case in cases:
        numbers[case.number] = numbers.get(case.number, 0) + 1
    counts = {"files": 0, "links": 0, "missing": 0}
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(_safe(ledger_name), ledger)
            for case in cases:
                if not case.documents:
                    continue
                folder = case.number if numbers[case.number] == 1 else \
                    f"{case.year}-{t(f'kind.{case.kind}', lang)}-{case.number}"
                folder = _safe(folder)
                used: set[str] = set()
                links: list[str] = []
                for doc in case.documents:
                    label = t(f"doc.type.{doc['type']}", lang)
                    if doc.get("url"):
                        links.append(f"{label}\t{doc['url']}\t{doc.get('at', '')[:16]}"
                                     f"\t{doc.get('by', '')}")
                        counts["links"] += 1
                        continue
                    data = read_file(data_dir, doc["sha256"])
                    if data is None:
                        counts["missing"] += 1
                        continue
                    name = _safe(f"{label}-{download_name(doc)}")
                    stem, dot, ext = name.rpartition(".")
                    n = 1
                    while name in used:
                        n += 1
                        name = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
                    used.add(name)
                    z.writestr(f"{folder}/{name}", data)
                    counts["files"] += 1
                if links:
                    z.writestr(f"{folder}/links.txt", "\n".join(links) + "\n")
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return counts
