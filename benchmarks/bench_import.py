"""Importing a 5,000-row ledger (xlsx and csv) into a fresh store, re-importing it with
changes (then again after 500 cases changed in chat: conflicts listed), exporting
it and importing the export. The quality bar: a 5,000-row ledger imports in
under 10 s.

    uv run python benchmarks/bench_import.py [--rows 5000]

Each figure is one run in a new temporary data directory (the store writes to disk). Dates
in the files come in the forms offices use: real Excel dates (xlsx), ISO text, 2020/6/30,
2020年6月30日 and Excel serial numbers (csv).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from bot.domain.model import Person
from data.ledger import export_ledger, import_ledger
from data.store import Store

TODAY = dt.date(2020, 6, 29)
DIVISIONS = ["综合处", "项目管理处", "投资促进一处", "投资促进二处", "外商投资处"]
HEADER = ["类型", "编号", "年度", "会次", "标题", "提出人", "办理方式", "主办单位", "承办处室",
          "办理任务", "承办人", "办理时限", "办理要求", "交办日期", "状态", "答复类别", "满意度",
          "续办", "原会次", "备注"]
ROLES = ["主办", "协办", "会办", "会办", "独办", "分办", "工作参考"]


def people() -> list[Person]:
    return [Person(f"承办人{i:02d}", "handler", division=DIVISIONS[i % len(DIVISIONS)],
                   approved=True) for i in range(40)]


def rows(n: int, seed: int = 5, bump: bool = False) -> list[list]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        role = rnd.choice(ROLES)
        kind = "提案" if role in ("会办", "分办") else "建议"
        due = dt.date(2020, 6, 30) if role in ("协办", "会办") else dt.date(2020, 7, 10)
        if bump and i % 10 == 0:
            due += dt.timedelta(days=5)
        deadline_forms = [due, due.isoformat(), f"{due.year}/{due.month}/{due.day}",
                          f"{due.year}年{due.month}月{due.day}日"]
        out.append([
            kind, f"{i:05d}", 2020,
            "省十三届人大三次会议" if kind == "建议" else "省政协十二届三次会议",
            f"关于第{i}项工作的建议", "杨艳芳、赵新梅", role,
            "省商务厅" if role in ("协办", "会办") else "", rnd.choice(DIVISIONS),
            "研究办理", f"承办人{rnd.randrange(40):02d}",
            "" if role == "工作参考" else rnd.choice(deadline_forms), "先协商后答复",
            dt.date(2020, 4, 10), "办理中", "", "", "否", "", f"备注{i}",
        ])
    return out


def xlsx_bytes(data: list[list]) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(HEADER)
    for r in data:
        ws.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(data: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for r in data:
        cells = []
        for v in r:
            if isinstance(v, dt.date):  # a date cell saved from Excel without format
                v = (v - dt.date(1899, 12, 30)).days
            cells.append(v)
        writer.writerow(cells)
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def timed(label: str, func):
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    print(f"{label:<44} {elapsed:7.2f} s")
    return result, elapsed


def run(data_dir: Path, fmt: str, payload: bytes, changed: bytes, n: int) -> float:
    """Import ``payload`` into a fresh store; for xlsx also re-import, dry-run and export."""
    store = Store.open(data_dir)
    try:
        with store.transaction():
            for p in people():
                store.add_person(p, "bench")
        result, elapsed = timed(f"import {n} rows ({fmt}, {len(payload) // 1024} KB)",
                                lambda: import_ledger(store, payload, f"cases.{fmt}",
                                                      today=TODAY))
        assert result.ok and result.created == n, result.render("en", 5)
        if fmt == "xlsx":
            result, _ = timed("re-import, every 10th deadline changed",
                              lambda: import_ledger(store, changed, "v2.xlsx", today=TODAY))
            assert result.updated > 0, result.render("en", 5)
            timed("dry run of the same file (no change)",
                  lambda: import_ledger(store, changed, "v2.xlsx", today=TODAY, dry_run=True))
            with store.transaction():  # 500 cases reassigned in chat meanwhile
                for case in store.cases()[::10]:
                    case = store.get_case(case.id)
                    case.handler = "承办人00" if case.handler != "承办人00" else "承办人01"
                    store.save_case(case, "bench")
            result, _ = timed("re-import after 500 changed in chat",
                              lambda: import_ledger(store, changed, "v2.xlsx", today=TODAY))
            print(f"{'  conflicts listed (not applied)':<44} {len(result.conflicts):7d}")
            exported, _ = timed("export (cases, history, people)",
                                lambda: export_ledger(store, 2020, today=TODAY))
            print(f"{'  export size':<44} {len(exported) // 1024:7d} KB")
            result, _ = timed("import of that export (round trip)",
                              lambda: import_ledger(store, exported, "export.xlsx",
                                                    today=TODAY))
            assert result.conflicts == [] and result.updated == 0, result.render("en", 5)
        return elapsed
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    data = rows(args.rows)
    files = {"xlsx": xlsx_bytes(data), "csv": csv_bytes(data)}
    changed = xlsx_bytes(rows(args.rows, bump=True))
    worst = 0.0
    for fmt, payload in files.items():
        with tempfile.TemporaryDirectory() as tmp:
            worst = max(worst, run(Path(tmp) / "data", fmt, payload, changed, args.rows))
    print(f"{'slowest import of ' + str(args.rows) + ' rows':<44} {worst:7.2f} s "
          f"({'under' if worst < 10 else 'OVER'} the 10 s bar)")


if __name__ == "__main__":
    main()
