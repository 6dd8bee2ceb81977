"""The fast worksheet reader (data.xlsx_cells) gives what openpyxl's read-only sheet gives.

Workbooks come two ways: written by openpyxl (inline strings, real dates), and put
together here part by part the way Excel and WPS save them (a shared string table with
rich text and phonetic runs, cells and rows with and without coordinates, every cell type,
custom date formats, the 1904 calendar, formulas with and without a computed value).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.ledger_format import Formula
from data.ledger_read import LedgerFileError, read_sheet
from data.xlsx_cells import open_book, sheet_values


def openpyxl_rows(data: bytes, data_only: bool = True) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    try:
        ws = book.worksheets[0]
        ws.reset_dimensions()
        return [tuple(r) for r in ws.iter_rows(values_only=True)]  # (a missing row: [])
    finally:
        book.close()


def fast_rows(data: bytes) -> list[tuple]:
    book = open_book(data)
    try:
        return list(sheet_values(book, book.worksheets[0]))
    finally:
        book.close()


def without_formulas(rows: list[tuple]) -> list[tuple]:
    return [tuple(None if isinstance(v, Formula) else v for v in r) for r in rows]


# ---------------------------------------------------------------- written by openpyxl

TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
VALUES = st.one_of(
    st.none(), TEXT, st.integers(-10**12, 10**12), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(dt.date(1901, 1, 1), dt.date(2100, 12, 31)),
    st.datetimes(dt.datetime(1901, 1, 1), dt.datetime(2100, 12, 31)).map(
        lambda d: d.replace(microsecond=0)),
    st.sampled_from(["_x005F_x0041_", "  有空格  ", "=不是公式", "2020/6/30", "0042"]))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(VALUES, max_size=8), max_size=12))
def test_a_workbook_written_by_openpyxl_reads_the_same(rows):
    book = openpyxl.Workbook()
    ws = book.active
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    book.save(out)
    assert without_formulas(fast_rows(out.getvalue())) == openpyxl_rows(out.getvalue())


# ---------------------------------------------------------------- put together by hand

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STYLES = "".join([
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{NS}">',
    '<numFmts count="2"><numFmt numFmtId="164" ',
    'formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>',
    '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts>',
    '<fonts count="1"><font><sz val="11"/></font></fonts>',
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>',
    '<borders count="1"><border/></borders>',
    '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>',
    '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>',
    '<xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165" applyNumberFormat="1"/>',
    '<xf numFmtId="2" applyNumberFormat="1"/></cellXfs>',
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>',
    "</styleSheet>"])


def _part(tag: str, body: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<{tag} xmlns="{NS}">{body}</{tag.split()[0]}>')


def workbook(sheet: str, strings: list[str], date1904: bool = False, title: str = "台账") -> bytes:
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{ct}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            '</Types>',
        "_rels/.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship '
            f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": _part(
            f'workbook xmlns:r="{rel}"',
            ('<workbookPr date1904="1"/>' if date1904 else "")
            + f'<sheets><sheet name="{escape(title)}" sheetId="1" r:id="rId1"/></sheets>'),
        "xl/_rels/workbook.xml.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>',
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": _part("sst", "".join(strings)),
        "xl/worksheets/sheet1.xml": _part("worksheet", f"<sheetData>{sheet}</sheetData>"),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text.encode())
    return out.getvalue()


def _t(text: str) -> str:
    return f'<t xml:space="preserve">{escape(text)}</t>'


SHARED = st.one_of(
    TEXT.map(lambda s: f"<si>{_t(s)}</si>"),
    st.lists(TEXT, min_size=1, max_size=3).map(  # rich text runs
        lambda runs: "<si>" + "".join(f"<r><rPr><b/></rPr>{_t(s)}</r>" for s in runs) + "</si>"),
    st.tuples(TEXT, TEXT).map(  # a phonetic run is not part of the text
        lambda p: f'<si>{_t(p[0])}<rPh sb="0" eb="1">{_t(p[1])}</rPh></si>'),
    st.just("<si><t/></si>"), st.just("<si><t>_x005F_x0041_</t></si>"))


def _letters(column: int) -> str:
    return openpyxl.utils.get_column_letter(column)


def _typed(kind: str, values: st.SearchStrategy) -> st.SearchStrategy[str]:
    return values.map(lambda v: f' t="{kind}"><v>{v}</v>')


def cells(strings: int) -> st.SearchStrategy[str]:
    """The body of a ``<c>`` element after its ``r`` (``""``: an empty cell, a style only)."""
    numbers = st.one_of(st.integers(-10**9, 10**9).map(str),
                        st.floats(-1e9, 1e9, allow_nan=False).map(repr),
                        st.sampled_from(["1E3", "2.5e-3", "0", "-0.0"]))
    serials = st.one_of(st.integers(1, 80000).map(str),
                        st.floats(1, 80000, allow_nan=False).map(lambda f: f"{f:.6f}"))
    kinds = [
        st.tuples(st.sampled_from(["", ' s="0"', ' s="4"']), numbers).map(
            lambda p: f"{p[0]}><v>{p[1]}</v>"),
        st.tuples(st.sampled_from("123"), serials).map(  # date, custom date, duration styles
            lambda p: f' s="{p[0]}"><v>{p[1]}</v>'),
        _typed("b", st.sampled_from(["0", "1"])),
        _typed("e", st.sampled_from(["#N/A", "#DIV/0!", "#VALUE!"])),
        _typed("d", st.dates().map(dt.date.isoformat)),
        TEXT.map(lambda v: f' t="str"><f>A1&amp;"x"</f><v>{escape(v)}</v>'),
        TEXT.map(lambda v: f' t="inlineStr"><is>{_t(v)}</is>'),
        st.integers(0, 99).map(lambda v: f"><f>SUM(A1:A2)</f><v>{v}</v>"),
        st.just("><f>TODAY()</f>"),  # a formula with no computed value
        st.just(""),
    ]
    if strings:
        kinds.append(_typed("s", st.integers(0, strings - 1)))
    return st.one_of(kinds)


@st.composite
def sheets(draw):
    strings = draw(st.lists(SHARED, max_size=6))
    rows, number = [], 0
    for _ in range(draw(st.integers(0, 8))):
        number += draw(st.integers(1, 3))
        with_r = draw(st.booleans())
        column, parts = 0, []
        for _ in range(draw(st.integers(0, 6))):
            column += draw(st.integers(1, 3))
            body = draw(cells(len(strings)))
            ref = f' r="{_letters(column)}{number}"' if with_r or not draw(st.booleans()) else ""
            if not ref:
                column = len(parts) + 1 if not parts else column  # no r: the next column
            parts.append(f"<c{ref}{body}</c>" if body else f'<c{ref} s="0"/>')
        attr = f' r="{number}"' if with_r else ""
        rows.append(f"<row{attr}>{''.join(parts)}</row>")
        if not with_r:
            number = len(rows)  # rows without r count on from the last
    return "".join(rows), strings


@settings(max_examples=100, deadline=None)
@given(sheet=sheets(), date1904=st.booleans())
def test_a_workbook_as_excel_saves_it_reads_the_same(sheet, date1904):
    data = workbook(sheet[0], sheet[1], date1904=date1904)
    fast = fast_rows(data)
    assert without_formulas(fast) == openpyxl_rows(data)
    written = openpyxl_rows(data, data_only=False)
    for row, raw in zip(fast, written, strict=True):
        for value, text in zip(row, raw, strict=True):
            if isinstance(value, Formula):  # a formula with no computed value: its text
                assert value.text == text


def test_shared_formulas_without_values_are_told_with_their_own_references():
    sheet = ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">'
             'A1*2</f></c></row><row r="2"><c r="B2"><f t="shared" si="0"/></c></row>'
             '<row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3"><f t="shared" si="0"/><v>6</v>'
             '</c></row>')
    rows = fast_rows(workbook(sheet, ["<si><t>第三行</t></si>"]))
    assert rows == [(1, Formula("=A1*2")), (None, Formula("=A2*2")), ("第三行", 6)]


def test_rows_left_out_repeated_or_out_of_order_are_read_as_openpyxl_reads_them():
    sheet = ('<row r="2"><c r="B2"><v>2</v></c></row><row r="5"><c r="A5"><v>5</v></c></row>'
             '<row r="4"><c r="A4"><v>4</v></c></row><row><c><v>6</v></c><c><v>7</v></c></row>')
    data = workbook(sheet, [])
    # row 4 comes after row 5 and the unnumbered row counts on from it (5 again): both
    # are passed over, by openpyxl as here
    assert fast_rows(data) == openpyxl_rows(data) == [(), (None, 2), (), (), (5,)]


def test_dates_in_the_1904_calendar_and_the_sheet_named_in_the_reader():
    sheet = ('<row r="1"><c r="A1" s="1"><v>1</v></c><c r="B1" s="2"><v>43646</v></c>'
             '<c r="C1" s="3"><v>1.5</v></c></row>')
    data = workbook(sheet, [], date1904=True, title="建议台账")
    assert fast_rows(data) == openpyxl_rows(data) == [
        (dt.datetime(1904, 1, 2), dt.datetime(2023, 7, 1), dt.timedelta(days=1.5))]
    assert fast_rows(workbook(sheet, []))[0][1] == dt.datetime(2019, 6, 30)  # 1900 calendar
    assert read_sheet(data, "x.xlsx", prefer=["建议台账"]).name == "建议台账"


@pytest.mark.parametrize("sheet", [
    '<row r="1"><c r="A1" t="s"><v>3</v></c></row>',   # a shared string that is not there
    '<row r="1"><c r="A1"><v>abc</v></c></row>',       # a number that is not one
    '<row r="x"><c r="A1"><v>1</v></c></row>',         # a row number that is not one
    '<row r="1"><c r="1A"><v>1</v></c></row>',         # a cell reference that is not one
    '<row r="1"><c r="A1"><v>1</v></c>',               # cut off
])
def test_a_damaged_sheet_is_reported_as_damaged(sheet):
    with pytest.raises(LedgerFileError) as err:
        read_sheet(workbook(sheet, []), "x.xlsx")
    assert err.value.key == "ledger.err.corrupt"


def test_entities_in_a_sheet_are_not_expanded():
    sheet = '<row r="1"><c r="A1" t="inlineStr"><is><t>&amp;lol;</t></is></c></row>'
    assert fast_rows(workbook(sheet, [])) == [("&lol;",)]
    doctype = ('<!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>')
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook(sheet, []))) as src, \
            zipfile.ZipFile(data, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.endswith("sheet1.xml"):
                body = body.replace(b"<worksheet", doctype.encode() + b"<worksheet", 1).replace(
                    b"&amp;lol;", b"&lol2;")
            dst.writestr(info, body)
    assert fast_rows(data.getvalue()) == [("",)]  # the reference is dropped, not expanded
