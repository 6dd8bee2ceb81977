"""Benchmark of the durable store against TinyDB's default JSONStorage.

    uv run python benchmarks/bench_store.py [--dir DIR] [--cases 10000] [--events 100000]

Builds (once; reused when DIR already holds it) a store of realistic cases (Chinese text,
~1 KB of JSON each) with their history, through the Store API, and the same data as a
plain TinyDB file (a ``cases`` table and a ``history`` table). Then, each side in a fresh
process:

* cold open: opening, and opening + the first query over all cases;
* the first history lookup of a case;
* a durable single-case update (the case and its history event), median of many;
* peak memory (max RSS of that process).

Figures print side by side with the ratio TinyDB / duban, from this one run.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXT = ("关于加快推进我省招商引资工作高质量发展的建议进一步优化营商环境促进外资企业落地投资项目"
        "服务保障机制完善产业链招商政策支持力度加强重点园区基础设施建设推动数字经济与实体经济融合")
DIVISIONS = ["综合处", "项目管理处", "投资促进一处", "投资促进二处", "外资处", "办公室"]
STAGES = ["assigned", "in_progress", "consulted", "drafted", "reviewed", "answered"]
UPDATES_DUBAN = 200
UPDATES_TINYDB = 15


def _text(rnd: random.Random, n: int) -> str:
    start = rnd.randrange(len(TEXT) - n) if n < len(TEXT) else 0
    return (TEXT * 3)[start:start + n]


def make_case(rnd: random.Random, i: int):
    from bot.domain.model import Case, Clock, Consultation

    kind = "suggestion" if i % 3 else "proposal"
    role = rnd.choice(["lead", "sole", "co", "split"] if kind == "suggestion" else ["joint", "lead"])
    return Case(
        kind=kind, number=f"{i:05d}", year=2010 + i % 11, title=_text(rnd, 20), role=role,
        session="省十三届人大三次会议" if kind == "suggestion" else "省政协十二届三次会议",
        proposers=[_text(rnd, 3) for _ in range(rnd.randint(1, 3))],
        lead_unit=_text(rnd, 8) if role in ("co", "joint") else "",
        division=rnd.choice(DIVISIONS), task=_text(rnd, 40), handler=_text(rnd, 3),
        requirements=_text(rnd, 24), stage="assigned", assigned_on="2020-04-10",
        clocks={"reply" if role not in ("co", "joint") else "opinion": Clock(due="2020-06-30"),
                "publish": Clock(due="2020-07-15")},
        consultations=[Consultation(method="phone", on="2020-05-06", with_whom=_text(rnd, 3),
                                    note=_text(rnd, 12), by=_text(rnd, 3))],
        extra={"备注": _text(rnd, 12)},
    )


def change(rnd: random.Random, case) -> None:
    """One realistic edit: a stage, a handler, a task, a deadline or a consultation."""
    from bot.domain.model import Consultation

    what = rnd.randrange(5)
    if what == 0:
        case.stage = rnd.choice([s for s in STAGES if s != case.stage])
    elif what == 1:
        case.handler = _text(rnd, 3)
    elif what == 2:
        case.task = _text(rnd, 40)
    elif what == 3 and case.main_clock:
        case.set_deadline(f"2020-{rnd.randint(7, 12):02d}-{rnd.randint(1, 28):02d}")
    else:
        kept = case.consultations[-1:]  # a case keeps one or two consultations
        case.consultations = kept + [Consultation(
            method="face", on="2020-06-01", with_whom=_text(rnd, 3), note=_text(rnd, 10))]


def edit(rnd: random.Random, case) -> None:
    """Change the case until it really differs (a random edit may restore a value)."""
    from bot.domain.model import diff_cases

    old = case.copy()
    while not diff_cases(old, case):
        change(rnd, case)


# ---------------------------------------------------------------- building the data


def build(directory: Path, n_cases: int, n_events: int) -> None:
    """The duban store (through its API), then the same data as plain TinyDB files."""
    from bot.domain.model import diff_cases
    from bot.domain.timeutil import SystemTime
    from data.store import Store

    duban_dir = directory / "duban"
    if (duban_dir / "duban.json").exists():
        print(f"reusing the data in {directory}")
    else:
        directory.mkdir(parents=True, exist_ok=True)
        rnd = random.Random(1)
        t0 = time.perf_counter()
        store = Store.open(duban_dir, time=SystemTime())
        with store.transaction():
            for i in range(n_cases):
                store.add_case(make_case(rnd, i + 1), rnd.choice(["张三", "李四", "王五"]),
                               note="导入")
        done = n_cases  # one 'created' event per case
        while done < n_events:
            with store.transaction():
                for _ in range(min(5000, n_events - done)):
                    case = store.get_case(rnd.randint(1, n_cases))
                    old = case.copy()
                    edit(rnd, case)
                    store.save_case(case, rnd.choice(["张三", "李四", "王五"]))
                    done += len(diff_cases(old, case))  # one history event per changed field
        store.close()
        size = (duban_dir / "duban.json").stat().st_size
        print(f"built {n_cases} cases ({size / n_cases:.0f} bytes of JSON each), "
              f"{done} history events in {time.perf_counter() - t0:.0f} s")
    db_raw = json.loads((duban_dir / "duban.json").read_bytes())
    history = {}
    with open(duban_dir / "history.jsonl", "rb") as f:
        for n, line in enumerate(f, 1):
            ev = json.loads(line)
            history[str(n)] = {"case_id": ev.pop("case"), **{k: v for k, v in ev.items()
                                                              if k != "txn"}}
    # TinyDB's own format (its json.dumps defaults): cases and history in one file, and
    # the cases alone (what a TinyDB store without history would rewrite per update)
    (directory / TINY_ALL).write_text(json.dumps({"cases": db_raw["cases"], "history": history}))
    (directory / TINY_CASES).write_text(json.dumps({"cases": db_raw["cases"]}))


# ---------------------------------------------------------------- measuring (child processes)


def measure_duban(directory: Path) -> dict[str, float]:
    from bot.domain.timeutil import SystemTime
    from data.store import Store

    rnd = random.Random()  # fresh edits on every run (the data is reused)
    t0 = time.perf_counter()
    store = Store.open(directory / "duban", time=SystemTime())
    t1 = time.perf_counter()
    cases = store.cases()
    t2 = time.perf_counter()
    store.history(rnd.randint(1, len(cases)))
    t3 = time.perf_counter()
    query = []
    for _ in range(20):
        q0 = time.perf_counter()
        [c for c in store.cases(2015) if c.stage != "archived" and c.deadline < "2020-07-01"]
        query.append(time.perf_counter() - q0)
    updates = []
    for i in range(UPDATES_DUBAN + 1):
        case = store.get_case(rnd.randint(1, len(cases)))
        edit(rnd, case)
        u0 = time.perf_counter()
        store.save_case(case, "bench")
        updates.append(time.perf_counter() - u0)
    store.close()
    return {"open": t1 - t0, "open_query": t2 - t0, "history": t3 - t2,
            "query": statistics.median(query), "first_update": updates[0],
            "update": statistics.median(updates[1:]),
            "update_p90": statistics.quantiles(updates[1:], n=10)[-1], "rss": _rss()}


def measure_tinydb(path: Path, with_history: bool) -> dict[str, float]:
    from tinydb import Query, TinyDB

    from bot.domain.model import diff_cases
    from bot.domain.timeutil import SystemTime, iso_now
    from data.store import _load_case

    rnd = random.Random()  # fresh edits on every run (the data is reused)
    t0 = time.perf_counter()
    db = TinyDB(path)  # default: JSONStorage
    cases_t, history_t = db.table("cases"), db.table("history")
    t1 = time.perf_counter()
    docs = cases_t.all()
    t2 = time.perf_counter()
    if with_history:
        history_t.search(Query().case_id == rnd.randint(1, len(docs)))
    t3 = time.perf_counter()
    query = []
    for _ in range(3):
        q0 = time.perf_counter()
        [d for d in cases_t.all() if d["year"] == 2015 and d["stage"] != "archived"]
        query.append(time.perf_counter() - q0)
    updates = []
    for i in range(UPDATES_TINYDB):
        cid = rnd.randint(1, len(docs))
        case = _load_case(cid, cases_t.get(doc_id=cid))
        before = case.copy()
        edit(rnd, case)
        u0 = time.perf_counter()
        doc = case.to_dict()
        del doc["id"]
        cases_t.update(doc, doc_ids=[cid])
        for fld, old, new in diff_cases(before, case) if with_history else ():
            history_t.insert({"case_id": cid, "at": iso_now(SystemTime()), "who": "bench",
                              "field": fld, "old": old, "new": new, "note": ""})
        updates.append(time.perf_counter() - u0)
    db.close()
    return {"open": t1 - t0, "open_query": t2 - t0,
            "history": t3 - t2 if with_history else float("nan"),
            "query": statistics.median(query), "first_update": updates[0],
            "update": statistics.median(updates), "update_p90": max(updates), "rss": _rss()}


def _rss() -> float:
    """Peak RSS of this process in MiB (VmHWM: unlike ru_maxrss, not inherited over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, directory: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--dir", str(directory)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=Path("/tmp/duban-bench"))
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--child", choices=("duban", "tinydb", "tinydb-cases"))
    args = ap.parse_args()
    if args.child == "duban":
        print(json.dumps(measure_duban(args.dir)))
        return
    if args.child:
        with_history = args.child == "tinydb"
        print(json.dumps(measure_tinydb(args.dir / (TINY_ALL if with_history else TINY_CASES),
                                        with_history)))
        return
    build(args.dir, args.cases, args.events)
    ours = _child("duban", args.dir)
    full, bare = _child("tinydb", args.dir), _child("tinydb-cases", args.dir)
    rows = [
        ("cold open (Store.open / TinyDB())", "open", 1000, "ms"),
        ("cold open + first query of all cases", "open_query", 1000, "ms"),
        ("first history lookup of a case", "history", 1000, "ms"),
        ("query: open cases of a year, due before 07-01", "query", 1000, "ms"),
        ("durable single-case update (+ history), median", "update", 1000, "ms"),
        ("  same, p90 (TinyDB: max)", "update_p90", 1000, "ms"),
        ("  first update after open", "first_update", 1000, "ms"),
        ("peak memory (max RSS)", "rss", 1, "MiB"),
    ]
    print(f"\n{args.cases} cases, {args.events} history events; updates timed: duban "
          f"{UPDATES_DUBAN}, TinyDB {UPDATES_TINYDB}. TinyDB = default JSONStorage, A: cases "
          f"and history in its file, B: cases only (no history kept)")
    print(f"{'':50}{'duban':>11}{'TinyDB A':>11}{'A/duban':>9}{'TinyDB B':>11}{'B/duban':>9}")
    for label, key, scale, unit in rows:
        a, b, c = ours[key] * scale, full[key] * scale, bare[key] * scale
        cells = f"{a:8.1f}{unit:>3}{b:8.1f}{unit:>3}{b / a:8.1f}x"
        cells += f"{'n/a':>11}{'':>9}" if c != c else f"{c:8.1f}{unit:>3}{c / a:8.1f}x"
        print(f"{label:50}{cells}")
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"(load average during the run: {' '.join(load)})")


TINY_ALL, TINY_CASES = "tinydb.json", "tinydb-cases.json"


if __name__ == "__main__":
    main()
