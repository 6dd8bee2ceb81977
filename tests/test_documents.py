"""Documents on a case: the rules (bot.domain.documents), the file store (data.files), and
the command line (duban backup / check / restore / export --with-files)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile

import docx
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli import main
from bot.domain import documents as docs
from bot.domain.access import decide
from bot.domain.model import Case, ValidationError
from bot.sample import sample_people
from data.backup import list_backups, make_backup, read_backup, restore_backup
from data.files import blob_path, check_files, export_with_files, put_file, read_file
from data.store import Store

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@functools.cache
def docx_bytes() -> bytes:
    """One draft for the whole module: python-docx stamps the time into the file, so two
    calls a second apart would give two different documents (and digests)."""
    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("关于第0484号建议的答复")
    d.save(buf)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    openpyxl.Workbook().save(buf)
    return buf.getvalue()


def zip_bytes(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in names.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_the_format_is_read_from_the_content():
    assert docs.sniff(PDF) == "pdf"
    assert docs.sniff(PNG) == "png"
    assert docs.sniff(JPG) == "jpg"
    assert docs.sniff(DOC) == "doc"
    assert docs.sniff(docx_bytes()) == "docx"
    assert docs.sniff(xlsx_bytes()) == "xlsx"
    assert docs.sniff(zip_bytes({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b""})) == "ofd"
    # a zip that is neither, a truncated zip, an executable named .pdf, text
    assert docs.sniff(zip_bytes({"a.txt": b"x"})) is None
    assert docs.sniff(docx_bytes()[:100]) is None
    assert docs.sniff(b"MZ\x90\x00" + b"\x00" * 60) is None
    assert docs.sniff("答复".encode()) is None


def test_a_refused_format_says_what_is_accepted():
    with pytest.raises(ValidationError) as exc:
        docs.check_format(b"MZ\x90\x00")
    text = exc.value.render("zh")
    assert "PDF" in text and "DOCX" in text and "OFD" in text and "不看文件名" in text
    assert "PDF" in exc.value.render("en")
    with pytest.raises(ValidationError):
        docs.check_format(b"")


def test_the_size_limit_is_telegrams_for_bots():
    docs.check_size(None)
    docs.check_size(docs.MAX_BYTES)
    with pytest.raises(ValidationError) as exc:
        docs.check_size(docs.MAX_BYTES + 1)
    assert "20 MB" in exc.value.render("zh") and "压缩或拆分" in exc.value.render("zh")


@pytest.mark.parametrize("url", ["https://www.example.gov.cn/art/2020/7/15/1.html",
                                 "http://10.0.0.1:8080/x?y=1#z", "HTTPS://EXAMPLE.ORG"])
def test_good_links(url):
    assert docs.parse_link(f"  {url} ") == url


@pytest.mark.parametrize("url", ["", "www.example.org", "ftp://example.org/a",
                                 "javascript:alert(1)", "https:///nohost", "https://exa mple.org", "http://x:0/",
                                 "https://a.org/\x07", "https://[::1"])
def test_bad_links_are_refused(url):
    with pytest.raises(ValidationError) as exc:
        docs.parse_link(url)
    assert exc.value.key == "doc.bad_link"


@given(st.text(max_size=80))
def test_parse_link_accepts_only_http_urls_with_a_host(text):
    try:
        url = docs.parse_link(text)
    except ValidationError:
        return
    assert url.lower().startswith(("http://", "https://")) and " " not in url


def make_case(**kw) -> Case:
    base = dict(kind="suggestion", number="0484", year=2020, title="关于招商引资工作的建议",
                role="lead", division="综合处", handler="张三", handler_id=9)
    return Case(**{**base, **kw})


def entry(data=PDF, name="复文.pdf", doc_type="reply"):
    return docs.file_entry(data, name, doc_type, at="2020-06-29T10:00:00+08:00", by="张三",
                           by_id=9)


def test_attach_keeps_type_name_who_and_refuses_the_same_file_twice():
    case = make_case()
    new = docs.attach(case, entry())
    assert case.documents == [] and len(new.documents) == 1
    d = new.documents[0]
    assert (d["type"], d["name"], d["format"], d["size"], d["by"], d["by_id"]) == \
        ("reply", "复文.pdf", "pdf", len(PDF), "张三", 9)
    assert d["sha256"] == docs.digest(PDF)
    with pytest.raises(ValidationError) as exc:
        docs.attach(new, entry(name="another name.pdf", doc_type="draft"))
    assert exc.value.key == "doc.duplicate"
    link = docs.link_entry("https://example.org/p", "publication", at="x", by="张三")
    both = docs.attach(new, link)
    assert [x["type"] for x in both.documents] == ["reply", "publication"]
    with pytest.raises(ValidationError):
        docs.attach(both, docs.link_entry("https://example.org/p", "other", at="x", by="z"))
    # stored and read back as it was
    assert Case.from_dict(both.to_dict()) == both


def test_a_document_record_is_checked():
    with pytest.raises(ValidationError):
        make_case(documents=[{"type": "reply", "name": "x"}])  # neither file nor link
    with pytest.raises(ValidationError):
        make_case(documents=[{"type": "letter", "url": "https://a.org"}])
    with pytest.raises(ValidationError):
        make_case(documents=[{"type": "reply", "sha256": "abc", "name": "x"}])


def test_the_name_sent_back_has_the_real_extension():
    assert docs.download_name({"name": "答复.pdf", "format": "pdf"}) == "答复.pdf"
    assert docs.download_name({"name": "答复.txt", "format": "pdf"}) == "答复.txt.pdf"


def test_who_may_attach_and_fetch_is_the_guards_update_and_view():
    people = sample_people()
    for i, p in enumerate(people, 1):
        p.id = i
    zhang = next(p for p in people if p.name == "张三")
    case = make_case(handler_id=zhang.id)
    for p in people:
        assert bool(docs.may_attach(p, case)) == bool(decide(p, "update", case))
        assert bool(docs.may_fetch(p, case)) == bool(decide(p, "view", case))
    assert docs.may_attach(zhang, case)
    leader = next(p for p in people if p.name == "王强")
    assert docs.may_fetch(leader, case) and not docs.may_attach(leader, case)


# ---------------------------------------------------------------- data.files


def test_files_are_stored_once_by_hash_atomically(tmp_path):
    sha = put_file(tmp_path, PDF)
    assert sha == docs.digest(PDF)
    path = blob_path(tmp_path, sha)
    assert path.read_bytes() == PDF and oct(path.stat().st_mode & 0o777) == "0o600"
    mtime = path.stat().st_mtime_ns
    assert put_file(tmp_path, PDF) == sha and path.stat().st_mtime_ns == mtime
    assert [p.name for p in path.parent.iterdir()] == [sha]  # no temporary file left
    path.write_bytes(b"damaged")
    assert read_file(tmp_path, sha) is None
    put_file(tmp_path, PDF)  # a damaged copy is replaced
    assert read_file(tmp_path, sha) == PDF


def store_with_documents(d, clock=None):
    from bot.cmd.run import load_sample

    store = Store.open(d)
    load_sample(store, dt.date(2020, 6, 29))
    case = store.find_by_number("0484")[0]
    for data, name, kind in ((PDF, "复文.pdf", "reply"), (docx_bytes(), "草稿.docx", "draft")):
        put_file(d, data)
        case = docs.attach(case, entry(data, name, kind))
    case = docs.attach(case, docs.link_entry("https://example.org/p", "publication",
                                             at="2020-07-15T09:00:00+08:00", by="张三"))
    store.save_case(case, "张三", note="复文")
    other = store.find_by_number("0042")[0]
    store.save_case(docs.attach(other, entry(PDF, "同一份.pdf", "other")), "张三")
    return store


def test_history_records_the_documents_and_verify_replays_them(tmp_path):
    store = store_with_documents(tmp_path / "d")
    try:
        case = store.find_by_number("0484")[0]
        ev = store.history(case.id)[-1]
        assert ev.field == "documents" and ev.who == "张三"
        assert [d["name"] or d["url"] for d in ev.new] == \
            ["复文.pdf", "草稿.docx", "https://example.org/p"]
        assert store.verify() == []
        assert check_files(tmp_path / "d", store.cases()) == []
    finally:
        store.close()


def test_check_reports_missing_and_damaged_files(tmp_path):
    d = tmp_path / "d"
    store = store_with_documents(d)
    try:
        blob_path(d, docs.digest(PDF)).unlink()
        path = blob_path(d, docs.digest(docx_bytes()))
        path.write_bytes(b"x" + path.read_bytes()[1:])
        problems = check_files(d, store.cases())
    finally:
        store.close()
    missing = [p for p in problems if "缺失" in p]
    damaged = [p for p in problems if "损坏" in p]
    assert len(missing) == 2  # the PDF is named by two cases
    assert any("0484" in p and "复文.pdf" in p for p in missing)
    assert any("0042" in p and "同一份.pdf" in p for p in missing)
    assert len(damaged) == 1 and "草稿.docx" in damaged[0]


def test_export_with_files_puts_them_in_folders_by_number(tmp_path):
    d = tmp_path / "d"
    store = store_with_documents(d)
    try:
        out = tmp_path / "out.zip"
        counts = export_with_files(d, store.cases(), b"ledger", "台账.xlsx", out)
    finally:
        store.close()
    assert counts == {"files": 3, "links": 1, "missing": 0}
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        assert {"台账.xlsx", "0484/复文-复文.pdf", "0484/草稿-草稿.docx", "0484/links.txt",
                "0042/其他-同一份.pdf"} <= names
        assert z.read("0484/复文-复文.pdf") == PDF
        assert "https://example.org/p" in z.read("0484/links.txt").decode()


# ---------------------------------------------------------------- the command line


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    store_with_documents(d).close()
    monkeypatch.setenv("DUBAN_DATA_DIR", str(d))
    return d


def test_cli_backup_holds_the_files_and_restore_puts_them_back(data_dir, capsys):
    assert main(["backup"]) == 0
    assert "含附件文件 2 个" in capsys.readouterr().out
    backup = list_backups(data_dir)[0]
    manifest, _db = read_backup(backup)
    assert manifest["documents"] == 2
    assert main(["check", "--backup", str(backup)]) == 0
    sha = docs.digest(PDF)
    blob_path(data_dir, sha).unlink()
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "复文.pdf" in out and "缺失" in out
    restore_backup(backup, data_dir, dt.datetime(2020, 7, 1, 9, 0))
    assert read_file(data_dir, sha) == PDF
    assert main(["check"]) == 0


def test_cli_check_says_which_file_is_damaged(data_dir, capsys):
    blob_path(data_dir, docs.digest(PDF)).write_bytes(PDF + b"tampered")
    assert main(["check", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "damaged" in out and "0484" in out and "0042" in out


def test_a_backup_with_a_tampered_file_is_refused(data_dir, tmp_path):
    info = make_backup(data_dir, dt.datetime(2020, 7, 1, 9, 0))
    import tarfile

    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(info.path) as src, tarfile.open(bad, "w:gz") as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read()
            if m.name.startswith("files/"):
                data = b"x" + data[1:]
            dst.addfile(m, io.BytesIO(data))
    assert main(["check", "--backup", str(bad)]) == 2


def test_cli_export_with_files(data_dir, tmp_path, capsys):
    out = tmp_path / "export.zip"
    assert main(["export", "--with-files", str(out)]) == 0
    assert "附件文件 3 个、链接 1 个" in capsys.readouterr().out
    with zipfile.ZipFile(out) as z:
        ledger = next(n for n in z.namelist() if n.endswith(".xlsx"))
        book = openpyxl.load_workbook(io.BytesIO(z.read(ledger)))
        assert book.sheetnames
        assert z.read("0484/复文-复文.pdf") == PDF
    blob_path(data_dir, docs.digest(PDF)).unlink()
    assert main(["export", "--with-files", str(out)]) == 1
    assert "缺失或损坏" in capsys.readouterr().err
