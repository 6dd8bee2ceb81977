"""The ``duban`` command line.

Each module of :mod:`bot.cmd` adds its sub-commands with ``register(subparsers)``; a
sub-command's handler is set with ``parser.set_defaults(func=...)`` and returns the exit
code. Modules are found at run time, so a feature adds its commands in its own file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import bot.cmd


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duban",
        description="督办 duban: 人大代表建议和政协提案办理督办机器人 / "
        "keeps the handling of deputies' suggestions and CPPCC proposals on time",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(bot.cmd.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"bot.cmd.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    from data.perms import private_umask

    private_umask()  # what duban writes (data, backups, exports) is private: 0600 / 0700
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
