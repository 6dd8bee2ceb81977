"""Benchmark of the durable store (TinyDB over SQLite) against plain SQLite, same run.

    uv run python benchmarks/bench_store.py [--dir DIR] [--cases 50000] [--events 100000]

Builds (once; reused when DIR already holds it) a store of realistic cases (Chinese text,
~1 KB of JSON each) with their history, through the Store API. Then, each in a fresh
process:

* **duban**: cold open, open + the first answer (one case and its history, as /case shows
  it), the first history lookup, a year's open cases, and a durable single-case update
  through ``Store.save_case`` (validation, diff, the case row and its history rows in one
  SQLite transaction), median of many;
* **plain SQLite**: a copy of the same file and the same durable update written by hand (one
  ``UPDATE`` of the document row and the ``INSERT`` of its history events in one
  transaction, WAL mode, ``synchronous=FULL``): what the engine itself costs.

The figures print side by side with the ratio duban / plain SQLite, from this one run.
Last, **paired**: both updates in one process, one after the other and in turn first, each
on its own copy of the file, so that a slow fsync or a busy moment falls on both alike;
the ratio is the median of the pairs' ratios (on a noisy machine the separate medians
above can differ by a third from run to run; the pairs much less).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
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
UPDATES = 300


def _text(rnd: random.Random, n: int) -> str:
    start = rnd.randrange(len(TEXT) - n) if n < len(TEXT) else 0
    return (TEXT * 3)[start:start + n]


def make_case(rnd: random.Random, i: int):
    from bot.domain.model import Case, Clock, Consultation

    kind = "suggestion" if i % 3 else "proposal"
    role = rnd.choice(["lead", "sole", "co", "split"] if kind == "suggestion"
                      else ["joint", "lead"])
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
    """The duban store, through its API (once), and a copy for the plain SQLite child."""
    from bot.domain.model import diff_cases
    from bot.domain.timeutil import SystemTime
    from data.storage import DB_NAME
    from data.store import Store

    duban_dir = directory / "duban"
    if (duban_dir / DB_NAME).exists():
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
        size = (duban_dir / DB_NAME).stat().st_size
        print(f"built {n_cases} cases, {done} history events ({size / 1e6:.0f} MB database) "
              f"in {time.perf_counter() - t0:.0f} s")
    plain = directory / "plain"
    shutil.rmtree(plain, ignore_errors=True)
    plain.mkdir()
    shutil.copy(duban_dir / DB_NAME, plain / DB_NAME)


# ---------------------------------------------------------------- measuring (child processes)


def measure_duban(directory: Path) -> dict[str, float]:
    from bot.domain.timeutil import SystemTime
    from data.store import Store

    rnd = random.Random()  # fresh edits on every run (the data is reused)
    t0 = time.perf_counter()
    store = Store.open(directory / "duban", time=SystemTime())
    t1 = time.perf_counter()
    cid = rnd.randint(1, 1000)
    store.find_by_number(f"{cid:05d}")
    store.history(cid)
    t2 = time.perf_counter()
    store.history(rnd.randint(1, 1000))
    t3 = time.perf_counter()
    query = []
    for _ in range(20):
        q0 = time.perf_counter()
        [c for c in store.cases(2015) if c.stage != "archived" and c.deadline < "2020-07-01"]
        query.append(time.perf_counter() - q0)
    n = len(store.cases())
    updates = [duban_update(store, rnd, n) for _ in range(UPDATES + 1)]
    store.close()
    return {"open": t1 - t0, "first_answer": t2 - t0, "history": t3 - t2,
            "query": statistics.median(query), "first_update": updates[0],
            "update": statistics.median(updates[1:]),
            "update_p90": statistics.quantiles(updates[1:], n=10)[-1], "rss": _rss()}


def duban_update(store, rnd: random.Random, n: int) -> float:
    """One edit of a random case saved through ``Store.save_case``: its seconds."""
    case = store.get_case(rnd.randint(1, n))
    edit(rnd, case)
    u0 = time.perf_counter()
    store.save_case(case, "bench")
    return time.perf_counter() - u0


class Plain:
    """The same durable update, by hand on the plain copy of the file: the engine's cost."""

    def __init__(self, directory: Path) -> None:
        import sqlite3

        from data.storage import DB_NAME

        self.conn = sqlite3.connect(directory / "plain" / DB_NAME, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")

    def prepare(self) -> int:
        """The number of cases (and the transaction counter read)."""
        conn = self.conn
        self.txn = conn.execute("SELECT value FROM meta WHERE name = 'txn'").fetchone()[0]
        return conn.execute("SELECT count(*) FROM docs WHERE tbl = 'cases'").fetchone()[0]

    def update(self, rnd: random.Random, n: int) -> float:
        import orjson

        from bot.domain.model import diff_cases
        from bot.domain.timeutil import SystemTime, iso_now
        from data.store import _load_case

        conn = self.conn
        cid = rnd.randint(1, n)
        (doc,) = conn.execute("SELECT doc FROM docs WHERE tbl = 'cases' AND id = ?",
                              (cid,)).fetchone()
        case = _load_case(cid, orjson.loads(doc))
        before = case.copy()
        edit(rnd, case)
        self.txn += 1
        txn = self.txn
        u0 = time.perf_counter()
        new = case.to_dict()
        del new["id"]
        rows = [(txn, "case", str(cid), orjson.dumps({
            "txn": txn, "case": cid, "at": iso_now(SystemTime()), "who": "bench", "field": f,
            "old": o, "new": v, "note": ""}).decode()) for f, o, v in diff_cases(before, case)]
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE docs SET doc = ? WHERE tbl = 'cases' AND id = ?",
                     (orjson.dumps(new).decode(), cid))
        conn.executemany("INSERT INTO history (txn, subject, key, event) VALUES (?, ?, ?, ?)",
                         rows)
        conn.execute("UPDATE meta SET value = ? WHERE name = 'txn'", (txn,))
        conn.execute("COMMIT")
        return time.perf_counter() - u0


def measure_plain(directory: Path) -> dict[str, float]:
    rnd = random.Random()
    t0 = time.perf_counter()
    plain = Plain(directory)
    t1 = time.perf_counter()
    n = plain.prepare()
    updates = [plain.update(rnd, n) for _ in range(UPDATES + 1)]
    plain.conn.close()
    nan = float("nan")
    return {"open": t1 - t0, "first_answer": nan, "history": nan, "query": nan,
            "first_update": updates[0], "update": statistics.median(updates[1:]),
            "update_p90": statistics.quantiles(updates[1:], n=10)[-1], "rss": _rss()}


def measure_paired(directory: Path) -> dict[str, float]:
    """Both updates in one process, one after the other (in turn first), on the two copies
    of the file: a slow moment of the disk or the machine falls on both alike."""
    from bot.domain.timeutil import SystemTime
    from data.store import Store

    rnd = random.Random()
    store = Store.open(directory / "duban", time=SystemTime())
    plain = Plain(directory)
    n = min(len(store.cases()), plain.prepare())
    duban_update(store, rnd, n)  # (the first of each: indexes, caches, statements)
    plain.update(rnd, n)
    ours, theirs = [], []
    for i in range(UPDATES):
        if i % 2:
            ours.append(duban_update(store, rnd, n))
            theirs.append(plain.update(rnd, n))
        else:
            theirs.append(plain.update(rnd, n))
            ours.append(duban_update(store, rnd, n))
    store.close()
    plain.conn.close()
    return {"duban": statistics.median(ours), "plain": statistics.median(theirs),
            "ratio": statistics.median(a / b for a, b in zip(ours, theirs, strict=True))}


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
    ap.add_argument("--cases", type=int, default=50_000)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--child", choices=("duban", "plain", "paired"))
    args = ap.parse_args()
    if args.child:
        measure = {"duban": measure_duban, "plain": measure_plain,
                   "paired": measure_paired}[args.child]
        print(json.dumps(measure(args.dir)))
        return
    build(args.dir, args.cases, args.events)
    # interleaved, twice each: both sides see the same machine load
    runs = [(_child("duban", args.dir), _child("plain", args.dir)) for _ in range(2)]
    ours = {k: statistics.median([r[0][k] for r in runs]) for k in runs[0][0]}
    plain = {k: statistics.median([r[1][k] for r in runs]) for k in runs[0][1]}
    rows = [
        ("cold open (Store.open / sqlite3.connect)", "open", 1000, "ms"),
        ("open to first answer (/case: case + history)", "first_answer", 1000, "ms"),
        ("a history lookup of a case", "history", 1000, "ms"),
        ("query: open cases of a year, due before 07-01", "query", 1000, "ms"),
        ("durable single-case update (+ history), median", "update", 1000, "ms"),
        ("  same, p90", "update_p90", 1000, "ms"),
        ("  first update after open", "first_update", 1000, "ms"),
        ("peak memory (max RSS)", "rss", 1, "MiB"),
    ]
    print(f"\n{args.cases} cases, {args.events} history events; {UPDATES} updates timed per "
          f"run, the median of 2 interleaved runs per side")
    print(f"{'':50}{'duban':>11}{'SQLite':>11}{'duban/SQLite':>14}")
    for label, key, scale, unit in rows:
        a, b = ours[key] * scale, plain[key] * scale
        cell_b = f"{'n/a':>11}{'':>14}" if b != b else f"{b:8.2f}{unit:>3}{a / b:13.2f}x"
        print(f"{label:50}{a:8.2f}{unit:>3}{cell_b}")
    paired = [_child("paired", args.dir) for _ in range(2)]
    print(f"\nthe same update, both in one process in turn ({UPDATES} pairs, 2 runs):")
    for run in paired:
        print(f"{'durable single-case update, median':50}{run['duban'] * 1000:8.2f}ms"
              f"{run['plain'] * 1000:8.2f}ms{run['ratio']:13.2f}x (median of the pairs)")
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"(load average during the run: {' '.join(load)})")


if __name__ == "__main__":
    main()
