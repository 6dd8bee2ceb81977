"""``duban admin add TELEGRAM_ID``: make someone an approved office admin."""

from __future__ import annotations

import argparse
import sys

from bot.config import Config, ConfigError
from bot.texts import t


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("admin", help="管理员 / office admins")
    admin_sub = p.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    add = admin_sub.add_parser("add", help="把 Telegram 用户设为办公室管理员 / "
                                           "make a Telegram user an office admin")
    add.add_argument("telegram_id", help="Telegram 数字 ID / numeric Telegram id")
    add.add_argument("--lang", choices=("zh", "en"), default="zh")
    add.set_defaults(func=cmd_admin_add)


def cmd_admin_add(args: argparse.Namespace) -> int:
    from bot.app import ensure_admin
    from bot.cmd.run import open_store
    from bot.domain.timeutil import SystemTime

    if not args.telegram_id.lstrip("-").isdigit():
        print(t("config.bad_admin", args.lang, value=args.telegram_id), file=sys.stderr)
        return 2
    try:
        config = Config.from_env(need_token=False)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    store = open_store(config.data_dir, SystemTime())
    try:
        person = ensure_admin(store, int(args.telegram_id))
    finally:
        store.close()
    print(t("admin.added", args.lang, name=person.name, id=person.telegram))
    return 0
