"""Uploads bounded by work: a zip bomb, too many cells, a lying zip — refused before any
parsing, with the limits told (data/ledger_limits.py); a real ledger passes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from data.ledger_limits import MAX_CELLS, MAX_UNPACKED, check_upload
from data.ledger_read import LedgerFileError

CELL = b'<c r="A1" t="n"><v>1</v></c>'
HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main"><sheetData><row r="1">')
FOOT = b"</row></sheetData></worksheet>"


def xlsx_with_sheet(cells: int, cell: bytes = CELL, pad: int = 0) -> bytes:
    """A zip shaped like an .xlsx whose sheet holds ``cells`` cells (and ``pad`` spaces),
    written in chunks: the test never holds the unpacked sheet in memory."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(HEAD)
            step = 50_000
            for k in range(0, cells, step):
                f.write(cell * min(step, cells - k))
            for _ in range(pad // 2**20):
                f.write(b" " * 2**20)
            f.write(FOOT)
    return buf.getvalue()


def test_a_zip_bomb_is_refused_before_parsing_and_says_the_limits():
    bomb = xlsx_with_sheet(10, pad=MAX_UNPACKED + 8 * 2**20)  # 40 MB of spaces
    assert len(bomb) < 200_000  # a small file...
    with pytest.raises(LedgerFileError) as err:
        check_upload(bomb, "bomb.xlsx")  # ...that unpacks past the limit
    text = err.value.render("zh")
    assert f"解压后最多 {MAX_UNPACKED // 2**20} MB" in text and f"{MAX_CELLS} 个单元格" in text
    assert "at most 32 MB unpacked" in err.value.render("en")


def test_too_many_cells_are_refused_even_when_small_unpacked():
    many = xlsx_with_sheet(MAX_CELLS + 1, cell=b"<c/>")
    with pytest.raises(LedgerFileError) as err:
        check_upload(many)
    assert err.value.key == "ledger.err.too_much_work"
    assert check_upload(xlsx_with_sheet(MAX_CELLS, cell=b"<c/>")).cells == MAX_CELLS


@pytest.mark.parametrize("cell", [CELL, b"<x:c r='B2'/>", b"<c>\n<v>2</v></c>", b"<c\tr='C3'/>"])
def test_cells_are_counted_exactly_across_chunk_boundaries(cell):
    n = 3 * 2**20 // len(cell) + 7  # over three 1 MB chunks, tags cut at every boundary
    data = xlsx_with_sheet(n, cell=cell)
    assert check_upload(data).cells == n


def test_a_real_ledger_and_a_csv_pass():
    from bot.sample import sample_cases, sample_people
    from data.ledger_read import read_sheet
    from data.ledger_write import ledger_workbook

    cases = sample_cases()
    data = ledger_workbook(cases, today=dt.date(2020, 6, 29), people=sample_people())
    stats = check_upload(data, "ledger.xlsx")
    assert 0 < stats.cells < MAX_CELLS and stats.unpacked < MAX_UNPACKED
    assert len(read_sheet(data, "ledger.xlsx").rows) == len(cases)
    assert check_upload(b"a,b\n1,2\n", "x.csv").cells == 0


async def test_in_chat_the_bomb_is_refused_and_others_are_served(bot_env):
    office = bot_env.user("周敏")
    zhang = bot_env.user("张三")
    before = len(bot_env.store.cases())
    bomb = xlsx_with_sheet(10, pad=MAX_UNPACKED + 8 * 2**20)
    update = await office.send_document("台账.xlsx", bomb)
    await bot_env.handled(update, timeout=30)
    status = office.last.text
    assert "无法读取“台账.xlsx”" in status and "解压后最多 32 MB" in status
    assert "未导入任何内容" in status
    assert len(bot_env.store.cases()) == before
    assert "关于招商引资工作的建议" in (await zhang.ask("/case 0484"))[-1].text


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = [b'<c r="A1"/>', b"<c>", b"</c>", b"<x:c/>", b"<col/>", b"<cols>", b"<cfRule/>",
           b"<v>1</v>", b"  ", b"<row>", b"<is><t>c</t></is>", b"<c\n", b"r='Z9'>"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=300), st.integers(1, 40))
def test_the_cell_count_does_not_depend_on_where_the_chunks_fall(pieces, chunk):
    import data.ledger_limits as limits

    body = b"".join(pieces)
    expected = len(limits._CELL.findall(body))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", body)
    data = buf.getvalue()
    old = limits._CHUNK
    limits._CHUNK = chunk
    try:
        assert check_upload(data).cells == expected
    finally:
        limits._CHUNK = old
