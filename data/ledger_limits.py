"""Bounds on the work an uploaded ledger may cost, checked before it is parsed.

The upload limit (MB) bounds the file, not the work: an .xlsx is a zip, and 463 KB of
repeated cells unpack to 150 MB of sheet XML that openpyxl then parses for minutes. So before
parsing, :func:`check_upload` looks inside the zip without parsing anything:

- the unpacked size of all members (as the zip declares it; Python's zipfile, which openpyxl
  reads through, stops at the declared size and fails the CRC of a member that lies) is at
  most :data:`MAX_UNPACKED`;
- the worksheets hold at most :data:`MAX_CELLS` cells, counted by streaming their XML through
  a byte pattern (``<c`` elements), stopping as soon as the limit is passed;
- the check itself stops after :data:`CHECK_SECONDS`.

Parsing is then given :data:`PARSE_SECONDS` (:func:`parse_deadline` for callers that run it
off the event loop with ``asyncio.wait_for``). Any refusal is a
:class:`data.ledger_read.LedgerFileError` whose text tells the office the limit.
"""

from __future__ import annotations

import io
import re
import time
import zipfile

from data.ledger_read import LedgerFileError

__all__ = ["MAX_UNPACKED", "MAX_CELLS", "PARSE_SECONDS", "check_upload", "UploadStats"]

#: unpacked size of an .xlsx (all members together), bytes
MAX_UNPACKED = 32 * 2**20
#: cells in all worksheets together (20,000 rows of 40 columns)
MAX_CELLS = 800_000
#: the reading (parsing) of one upload, seconds
PARSE_SECONDS = 60.0
#: the pre-check itself, seconds
CHECK_SECONDS = 10.0
_CHUNK = 1 << 20
#: a cell element, with or without a namespace prefix: <c r="A1"...>, <x:c>, <c/>
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?c[\s/>]")
#: longer than any match of _CELL
_KEEP = 32


class UploadStats:
    """What the check found (for the tests and the log)."""

    def __init__(self, unpacked: int, cells: int, seconds: float) -> None:
        self.unpacked, self.cells, self.seconds = unpacked, cells, seconds

    def __repr__(self) -> str:
        return f"UploadStats(unpacked={self.unpacked}, cells={self.cells}, s={self.seconds:.3f})"


def _too_much(what: str) -> LedgerFileError:
    return LedgerFileError("ledger.err.too_much_work", what=what,
                           mb=MAX_UNPACKED // 2**20, cells=MAX_CELLS)


def check_upload(data: bytes, filename: str = "") -> UploadStats:
    """Refuse an .xlsx that would cost too much to parse (see the module documentation).
    Anything that is not a zip (a .csv) is bounded by its size and passes."""
    start = time.monotonic()
    if not data.startswith(b"PK\x03\x04"):
        return UploadStats(len(data), 0, 0.0)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return UploadStats(len(data), 0, 0.0)  # the reader says it is corrupt
    with archive:
        infos = archive.infolist()
        unpacked = sum(max(info.file_size, 0) for info in infos)
        if unpacked > MAX_UNPACKED:
            raise _too_much("unpacked")
        cells = 0
        for info in infos:
            name = info.filename.lower()
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            try:
                cells = _count_cells(archive, info, cells, start)
            except LedgerFileError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError,
                    NotImplementedError):
                break  # a broken or encrypted member: the reader says so
    return UploadStats(unpacked, cells, time.monotonic() - start)


def _count_cells(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cells: int,
                 start: float) -> int:
    """``cells`` plus the cell elements of one worksheet, read in chunks."""
    tail = b""
    read = 0
    with archive.open(info) as member:
        while True:
            chunk = member.read(_CHUNK)
            read += len(chunk)
            if read > info.file_size:  # more than it declared (zipfile stops first, anyway)
                raise _too_much("unpacked")
            block = tail + chunk
            # a match starting in the last _KEEP bytes may be cut: it is counted next time
            cut = max(len(block) - _KEEP, 0) if chunk else len(block)
            cells += sum(1 for m in _CELL.finditer(block) if m.start() < cut)
            tail = block[cut:]
            if cells > MAX_CELLS:
                raise _too_much("cells")
            if time.monotonic() - start > CHECK_SECONDS:
                raise _too_much("time")
            if not chunk:
                return cells


def parse_deadline() -> float:
    """Seconds the parsing of one upload may take (for ``asyncio.wait_for``)."""
    return PARSE_SECONDS
