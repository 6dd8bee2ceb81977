"""Operations on the data directory: ``duban backup``, ``duban restore``, ``duban check``.

    duban backup                  # a consistent snapshot into DATA_DIR/backups/ (keeps 14)
    duban backup --list           # the backups there, oldest first
    duban restore FILE            # put a backup back, after confirmation (--yes: no question)
    duban check                   # the database and its history agree? (exit 1 if not)
    duban check --backup FILE     # the same for a backup file

``backup`` and ``check`` read the committed state without the store's lock, so they work
while the bot runs. ``restore`` takes the lock: stop the bot first (exit 3 otherwise). Exit
codes: 0 done, 1 problems found or restore cancelled, 2 bad input, 3 the data directory
cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.texts import t


def register(sub: argparse._SubParsersAction) -> None:
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=("zh", "en"), default="zh",
                      help="输出语言 / output language")

    p = sub.add_parser("backup", parents=[lang],
                       help="备份数据到 DATA_DIR/backups/ / "
                            "back up the data into DATA_DIR/backups/")
    p.add_argument("--keep", type=int, default=None, metavar="N",
                   help="保留最近 N 份(默认 14)/ keep the newest N (default 14)")
    p.add_argument("--list", action="store_true", help="列出已有备份 / list the backups")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", parents=[lang],
                       help="从备份恢复(需先停止机器人)/ restore a backup (stop the bot first)")
    p.add_argument("file", help="备份文件 / the backup file (.tar.gz)")
    p.add_argument("--yes", action="store_true", help="不再询问 / do not ask for confirmation")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("check", parents=[lang],
                       help="检查数据库与历史记录是否一致 / verify the database and its history")
    p.add_argument("--backup", metavar="FILE",
                   help="检查一个备份文件 / check a backup file instead")
    p.set_defaults(func=cmd_check)


def _data_dir() -> Path:
    from data.store import default_data_dir

    return default_data_dir()


def _now():
    from bot.domain.timeutil import SystemTime

    return SystemTime().now()


def cmd_backup(args: argparse.Namespace) -> int:
    from data.backup import KEEP, BackupError, backup_dir, human_size, list_backups, make_backup

    data_dir = _data_dir()
    if args.list:
        files = list_backups(data_dir)
        if not files:
            print(t("backup.none", args.lang))
            return 0
        print(t("backup.list_header", args.lang, path=backup_dir(data_dir), n=len(files)))
        for path in files:
            print(t("backup.list_line", args.lang, name=path.name,
                    size=human_size(path.stat().st_size)))
        return 0
    keep = KEEP if args.keep is None else args.keep
    if keep < 1:
        print(t("backup.bad_keep", args.lang), file=sys.stderr)
        return 2
    try:
        info = make_backup(data_dir, _now(), keep=keep)
    except BackupError as exc:
        print(exc.render(args.lang), file=sys.stderr)
        return 3
    except OSError as exc:
        print(t("backup.write_failed", args.lang, path=backup_dir(data_dir), reason=exc),
              file=sys.stderr)
        return 3
    print(t("backup.done", args.lang, path=info.path, cases=info.cases, people=info.people,
            txn=info.txn, size=human_size(info.size), keep=keep))
    if info.files:
        print(t("backup.files_included", args.lang, n=info.files))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from data.backup import BackupError, describe, restore_backup, take_snapshot
    from data.lock import DirLock, LockTaken
    from data.store import Store, StoreError, StoreLocked

    path = Path(args.file)
    if not path.is_file():
        print(t("restore.no_file", args.lang, path=path), file=sys.stderr)
        return 2
    data_dir = _data_dir()
    try:
        info = describe(path)
    except BackupError as exc:
        print(exc.render(args.lang), file=sys.stderr)
        return 2
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = DirLock(data_dir)
    try:
        lock.acquire()
    except LockTaken as exc:
        print(StoreLocked(data_dir, exc.pid).render(args.lang), file=sys.stderr)
        return 3
    try:
        try:
            current = take_snapshot(data_dir)
            now_cases, now_txn = current.cases, current.meta.get("txn", 0)
        except BackupError:
            now_cases, now_txn = 0, 0
        print(t("restore.summary", args.lang, name=path.name, created=info.created_at,
                cases=info.cases, people=info.people, txn=info.txn, path=data_dir,
                now_cases=now_cases, now_txn=now_txn))
        if not args.yes:
            print(t("restore.confirm", args.lang), end="", flush=True)
            answer = sys.stdin.readline().strip().lower()
            if answer not in ("yes", "y", "是"):
                print(t("restore.aborted", args.lang))
                return 1
        try:
            safety = restore_backup(path, data_dir, _now())
        except BackupError as exc:
            print(exc.render(args.lang), file=sys.stderr)
            return 2
    finally:
        lock.release()
    if safety is not None:
        print(t("restore.safety", args.lang, path=safety.path))
    try:
        with Store.open(data_dir, readonly=True) as store:
            problems = store.verify(args.lang)
    except StoreError as exc:
        print(exc.render(args.lang), file=sys.stderr)
        return 3
    if problems:  # pragma: no cover - the backup was verified before it was put back
        _print_problems(problems, args.lang)
        return 1
    print(t("restore.done", args.lang, cases=info.cases, people=info.people, txn=info.txn))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from data.backup import BackupError, read_backup, verify_files
    from data.store import Store, StoreError

    if args.backup:
        try:
            manifest, database = read_backup(Path(args.backup))
        except BackupError as exc:
            print(exc.render(args.lang), file=sys.stderr)
            return 2
        problems = verify_files(database, args.lang)
        cases, people = manifest.get("cases", 0), manifest.get("people", 0)
    else:
        try:
            from data.files import check_files

            with Store.open(_data_dir(), readonly=True) as store:
                problems = store.verify(args.lang)
                # every document file a case names: there, and with its hash (data.files)
                problems += check_files(_data_dir(), store.cases(), args.lang)
                cases, people = len(store.cases()), len(store.people())
        except StoreError as exc:
            print(exc.render(args.lang), file=sys.stderr)
            return 3
    if not args.backup:
        _warn_not_private(_data_dir(), args.lang)
    if problems:
        _print_problems(problems, args.lang)
        return 1
    print(t("check.ok", args.lang, cases=cases, people=people))
    return 0


def _warn_not_private(data_dir: Path, lang: str) -> None:
    """``duban check``: say what others on the machine may read (data.perms)."""
    from data.perms import not_private

    found = not_private(data_dir)
    if not found:
        return
    print(t("perms.warn", lang, n=len(found), path=data_dir), file=sys.stderr)
    for path, mode in found[:20]:
        print(t("perms.line", lang, path=path, mode=f"{mode:04o}",
                want="0700" if path.is_dir() else "0600"), file=sys.stderr)


def _print_problems(problems: list[str], lang: str) -> None:
    print(t("check.problems", lang, n=len(problems)))
    for line in problems:
        print(" · " + line)
