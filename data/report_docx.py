"""The annual report as a Word document (.docx), laid out as an official document (公文).

Layout after GB/T 9704 (党政机关公文格式), roughly: A4, margins 37 mm top, 35 mm bottom,
28 mm left, 26 mm right; body in 仿宋_GB2312 三号 (16 pt) at a fixed 28.95 pt line (22 lines of
28 characters), first lines indented two characters; the title in 方正小标宋简体 二号 (22 pt),
centred; first-level headings in 黑体 三号; Latin letters and digits in Times New Roman; the
page number ``— 1 —`` in the footer. Fonts are named, not embedded: Word uses them where the
office has them; the font table gives each an alternate name (``w:altName``: 仿宋_GB2312 →
仿宋, 方正小标宋简体 → 宋体, 黑体 → SimHei) that Word takes where it does not.

Pure over the figures: :func:`report_docx` takes the figures and the date and returns the
file's bytes. Slow for big years (python-docx builds XML), so the chat runs it in a thread.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from bot.domain.report import ReportFigures
from bot.domain.reportdoc import ReportDocument, Table, report_document

BODY_FONT = "仿宋_GB2312"
BODY_FALLBACK = "FangSong"
HEADING_FONT = "黑体"
HEADING_FALLBACK = "SimHei"
TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "SimSun"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)      # 三号
TITLE_SIZE = Pt(22)     # 二号
TABLE_SIZE = Pt(12)     # 小四
FOOTER_SIZE = Pt(14)    # 四号
LINE = Pt(28.95)
INDENT = Pt(32)         # two characters of 三号


#: the document's fonts and the name Word takes instead where one is missing (w:altName)
ALT_NAMES = {BODY_FONT: "仿宋", HEADING_FONT: "SimHei", TITLE_FONT: "宋体", "宋体": "SimSun"}


def _fonts(run, east_asian: str, fallback: str, size: Pt) -> None:
    run.font.size = size
    run.font.name = LATIN_FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def _font_table(doc) -> None:
    """Declare the Chinese fonts in the font table with their alternate names (GB2312)."""
    part = next(p for p in doc.part.package.iter_parts()
                if str(p.partname) == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    w = root.nsmap["w"]
    for name, alt in ALT_NAMES.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        for tag, value in (("altName", alt), ("charset", "86"), ("family", "modern"),
                           ("pitch", "variable")):
            etree.SubElement(font, f"{{{w}}}{tag}", {f"{{{w}}}val": value})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _paragraph(doc, text: str, *, font: str = BODY_FONT, fallback: str = BODY_FALLBACK,
               size: Pt = BODY_SIZE, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True,
               bold: bool = False):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE if size <= BODY_SIZE else Pt(size.pt * 1.5)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = INDENT
    if text:
        run = p.add_run(text)
        run.bold = bold
        _fonts(run, font, fallback, size)
    return p


def _table(doc, table: Table) -> None:
    caption = _paragraph(doc, table.caption, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                         font=HEADING_FONT, fallback=HEADING_FALLBACK, size=TABLE_SIZE)
    caption.paragraph_format.keep_with_next = True  # the caption stays above its table
    width = max(len(r) for r in table.rows)
    grid = doc.add_table(rows=len(table.rows), cols=width)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    last = len(table.rows) - 1
    for i, values in enumerate(table.rows):
        # a row is never split across pages, the header row repeats on each page, and the
        # (short) table is kept on one page with its caption (seen in a LibreOffice render)
        tr_pr = grid.rows[i]._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if i == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))
        for j, value in enumerate(values):
            cell = grid.cell(i, j)
            p = cell.paragraphs[0]
            p.paragraph_format.keep_with_next = i < last
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(value)
            run.bold = i == 0
            _fonts(run, HEADING_FONT if i == 0 else BODY_FONT,
                   HEADING_FALLBACK if i == 0 else BODY_FALLBACK, TABLE_SIZE)
    _paragraph(doc, "", indent=False)


def _page_number(section) -> None:
    """``— PAGE —`` centred in the footer."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, field in (("— ", False), ("PAGE", True), (" —", False)):
        run = p.add_run()
        _fonts(run, "宋体", TITLE_FALLBACK, FOOTER_SIZE)
        if field:
            for kind, instr in (("begin", None), (None, " PAGE "), ("end", None)):
                if kind:
                    el = OxmlElement("w:fldChar")
                    el.set(qn("w:fldCharType"), kind)
                else:
                    el = OxmlElement("w:instrText")
                    el.set(qn("xml:space"), "preserve")
                    el.text = instr
                run._element.append(el)
        else:
            run.text = text


def document_docx(report: ReportDocument) -> bytes:
    """The report's text laid out as a 公文, as .docx bytes."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28 - 7 * 2)  # the number sits about 7 mm under the text
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    doc.core_properties.title = report.title
    doc.core_properties.language = "zh-CN" if report.lang == "zh" else "en"

    _paragraph(doc, report.title, font=TITLE_FONT, fallback=TITLE_FALLBACK, size=TITLE_SIZE,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, "", indent=False)
    _paragraph(doc, report.to, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph(doc, report.intro)
    for text in report.figures:
        _paragraph(doc, text)
    for s in report.sections:
        _paragraph(doc, s.heading, font=HEADING_FONT, fallback=HEADING_FALLBACK)
        for text in s.paragraphs:
            _paragraph(doc, text)
        for table in s.tables:
            _table(doc, table)
    for _ in range(2):
        _paragraph(doc, "", indent=False)
    # the signature and the date: right-aligned, about four characters in from the margin
    for text in (report.signature, report.date):
        p = _paragraph(doc, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = INDENT * 2
    _page_number(section)
    _font_table(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def report_docx(fig: ReportFigures, day: dt.date, lang: str | None = "zh", *,
                to: str = "") -> bytes:
    """The annual report of ``fig``, dated ``day``, as .docx bytes."""
    return document_docx(report_document(fig, day, lang, to=to))
