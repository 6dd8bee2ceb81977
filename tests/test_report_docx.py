"""The annual report as a Word document: it opens with python-docx and holds the figures."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bot.cli import main
from bot.domain.model import Case, Clock, Consultation
from bot.domain.report import render_continuation, render_paragraph, report_figures
from bot.domain.reportdoc import report_document
from bot.sample import sample_cases, sample_people
from data.ledger_write import ledger_workbook, people_workbook
from data.report_docx import report_docx

DAY = dt.date(2020, 9, 11)


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def paragraphs(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def table_cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def east_asian(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_the_sample_report_reads_like_the_seed_report():
    fig = report_figures(sample_cases(), 2020, unit="省投资促进局")
    doc = open_docx(report_docx(fig, DAY))
    texts = paragraphs(doc)
    assert texts[0] == "省投资促进局关于报送2020年度人大代表建议和政协提案办理工作总结的报告"
    assert "省政府办公厅:" in texts
    # the figures paragraph, word for word as the seed report's second paragraph
    assert ("2020年,省投资促进局承办省十三届人大三次会议人大代表建议8件(含2件工作参考),"
            "其中:主(独)办1件,协办5件;承办省政协十二届三次会议政协提案13件,"
            "其中:主(分)办0件,会办13件。") in texts
    assert render_paragraph(fig, "zh") in texts and render_continuation(fig, "zh") in texts
    assert any("第0153号、第0197号、第0399号3件办结答复" in p for p in texts)
    headings = [p for p in texts if p[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert [h[2:] for h in headings] == ["办理时效", "先协商后答复", "答复类别", "代表委员满意度",
                                         "办理结果公开", "存在不足和今后工作重点"]
    body = "\n".join(texts)
    assert "建议应答复10件(含续办件4件),按时办结10件。" in body
    assert "提案应答复13件,按时办结13件。" in body
    assert "每件都坚持“先协商,后答复”" in body and "占100%" in body
    assert "答复A类1件、B类0件、C类0件" in body
    assert "满意1件、基本满意0件、不满意0件" in body
    assert "1件主(独)办件于7月中旬向社会公开办理结果" in body
    assert "均于6月30日前按时向主办单位提交了会(协)办意见" in body
    # the department and the date close it
    assert texts[-2:] == ["省投资促进局", "2020年9月11日"]

    # a table per kind: the timeliness rows, with a total
    suggestions, proposals = (table_cells(t) for t in doc.tables)
    assert suggestions[0][:3] == ["类别", "件数", "按时办结"]
    rows = {r[0]: r[1:] for r in suggestions[1:]}
    assert rows["主办"] == ["1", "1", "0", "0", "0", "0"]
    assert rows["协办"][:2] == ["5", "5"] and rows["续办"][:2] == ["4", "4"]
    assert rows["工作参考"] == ["2", "—", "—", "—", "—", "—"]
    assert rows["合计"][:2] == ["12", "10"]
    assert {r[0]: r[1:] for r in proposals[1:]}["会办"][:2] == ["13", "13"]


def test_official_document_layout():
    fig = report_figures(sample_cases(), 2020, unit="省投资促进局")
    doc = open_docx(report_docx(fig, DAY))
    section = doc.sections[0]
    mm = [round(v.mm, 1) for v in (section.page_width, section.page_height, section.top_margin,
                                    section.bottom_margin, section.left_margin,
                                    section.right_margin)]
    assert mm == [210, 297, 37, 35, 28, 26]
    title, *_ = doc.paragraphs
    assert east_asian(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    heading = next(p for p in doc.paragraphs if p.text.startswith("一、"))
    assert east_asian(heading.runs[0]) == "黑体"
    body = next(p for p in doc.paragraphs if p.text.startswith("2020年,"))
    assert east_asian(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size.pt == 16
    assert body.paragraph_format.first_line_indent.pt == 32
    footer = section.footer.paragraphs[0]._element.xml
    assert "PAGE" in footer
    table = next(p for p in doc.part.package.iter_parts()
                 if str(p.partname) == "/word/fontTable.xml").blob.decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in table
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in table


def test_english_report():
    fig = report_figures(sample_cases(), 2020, unit="the Investment Promotion Bureau")
    doc = open_docx(report_docx(fig, DAY, "en", to="the Provincial Government"))
    texts = paragraphs(doc)
    assert "To: the Provincial Government" in texts
    assert render_paragraph(fig, "en") in texts
    assert texts[-1] == "September 11, 2020"


# ---------------------------------------------------------------- a generated year

ROLES = ["lead", "sole", "co", "joint", "split", "reference"]


@st.composite
def generated_year(draw) -> list[Case]:
    cases = []
    for i in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(["suggestion", "proposal"]))
        role = draw(st.sampled_from(ROLES))
        continuation = role == "lead" and draw(st.booleans())
        case = Case(kind=kind, number=f"{i:04d}", year=2021, title=f"件{i}", role=role,
                    session=("省十三届人大四次会议" if kind == "suggestion"
                             else "省政协十二届四次会议"),
                    lead_unit="省商务厅" if role in ("co", "joint") else "",
                    continuation=continuation,
                    origin_session="省十三届人大二次会议" if continuation else "",
                    division=draw(st.sampled_from(["综合处", "项目管理处", ""])))
        if case.main_clock:
            due = dt.date(2021, 6, 30) + dt.timedelta(days=draw(st.integers(-60, 60)))
            met = draw(st.none() | st.integers(-30, 30))
            clock = Clock(due=due.isoformat())
            if met is not None:
                clock.met = (due + dt.timedelta(days=met)).isoformat()
                case.stage = "answered"
                case.consultations.append(Consultation("phone", clock.met, "代表"))
                if role in ("lead", "sole", "split"):
                    case.reply_class = draw(st.sampled_from(["A", "B", "C"]))
            case.clocks[case.main_clock] = clock
        cases.append(case)
    return cases


@settings(max_examples=25, deadline=None)
@given(generated_year())
def test_a_generated_years_document_holds_its_figures(cases):
    fig = report_figures(cases, 2021, unit="省投资促进局", today=dt.date(2021, 7, 1))
    doc = open_docx(report_docx(fig, dt.date(2021, 12, 20)))
    texts = paragraphs(doc)
    assert render_paragraph(fig, "zh") in texts
    if fig.continuation or fig.continuation_open:
        assert render_continuation(fig, "zh") in texts
    # every paragraph of the document model is in the file, in order
    model = report_document(fig, dt.date(2021, 12, 20))
    nonempty = [p for p in texts if p]
    assert nonempty[:3] == [model.title, model.to, model.intro]
    for section in model.sections:
        assert section.heading in texts and all(p in texts for p in section.paragraphs)
    # one table per kind that has cases; the totals row sums the rows
    kinds = [k for k in ("suggestion", "proposal") if any(r.kind == k for r in fig.timeliness)]
    assert len(doc.tables) == len(kinds)
    for table, kind in zip(doc.tables, kinds, strict=True):
        cells = table_cells(table)
        total = cells[-1]
        assert total[0] == "合计"
        assert int(total[1]) == sum(r.total for r in fig.timeliness if r.kind == kind)
        assert int(total[2]) == sum(r.on_time for r in fig.timeliness if r.kind == kind)
        assert int(total[6]) == sum(r.overdue for r in fig.timeliness if r.kind == kind)
    body = "\n".join(texts)
    c = fig.reply_classes
    if sum(c.values()):
        assert f"A类{c['A']}件、B类{c['B']}件、C类{c['C']}件" in body


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "var"
    monkeypatch.setenv("DUBAN_DATA_DIR", str(path))
    return path


def test_command_line_writes_the_docx(data_dir, tmp_path, capsys):
    cases = tmp_path / "cases.xlsx"
    cases.write_bytes(ledger_workbook(sample_cases(), today=dt.date(2020, 11, 1)))
    people = tmp_path / "people.xlsx"
    people.write_bytes(people_workbook(sample_people()))
    assert main(["people", "import", str(people)]) == 0
    assert main(["import", str(cases)]) == 0
    capsys.readouterr()
    out = tmp_path / "report.docx"
    code = main(["report", "--year", "2020", "--unit", "省投资促进局", "--today", "2020-09-11",
                 "--docx", str(out), "--to", "省人民政府办公厅"])
    err = capsys.readouterr().err
    assert code == 0 and "report.docx" in err
    texts = paragraphs(docx.Document(str(out)))
    assert "省人民政府办公厅:" in texts and texts[-1] == "2020年9月11日"
    assert any(p.startswith("2020年,省投资促进局承办省十三届人大三次会议人大代表建议8件")
               for p in texts)
    xlsx = tmp_path / "report.xlsx"
    assert main(["report", "--year", "2020", "--xlsx", str(xlsx)]) == 0
    assert len(load_workbook(xlsx).worksheets[0]._images) == 1  # with the progress chart
    bad = main(["report", "--year", "2020", "--docx", str(tmp_path / "no" / "such" / "r.docx")])
    assert bad != 0 and "r.docx" in capsys.readouterr().err


def test_tables_keep_together_with_their_caption_and_rows_never_split():
    """Seen in a LibreOffice render: a table's header row was left alone at a page's foot,
    its cell text cut over the page break."""
    fig = report_figures(sample_cases(None), 2020, unit="省投资促进局", today=DAY)
    doc = open_docx(report_docx(fig, DAY))
    assert doc.tables
    for table in doc.tables:
        rows = table.rows
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rows)
        assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r.cells[0].paragraphs[0].paragraph_format.keep_with_next for r in rows[:-1])
        caption = table._element.getprevious()
        assert caption.tag == qn("w:p") and "表" in "".join(caption.itertext())
