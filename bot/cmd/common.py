"""What the sub-commands share: reporting errors the user must read, opening the store."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.domain.model import ValidationError

Command = Callable[[argparse.Namespace], int]


def operator() -> str:
    """Who runs a command, as history records it: the system user's name, marked as the
    command line (``--who`` names someone else where a command takes it)."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        user = ""
    return f"{user}(命令行)" if user else "命令行"


def guarded(func: Command) -> Command:
    """Errors the user must read go to stderr: a bad file or value exits 2, an unusable
    store 3. ``args.lang`` picks the language."""

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        from data.errors import StoreError

        try:
            return func(args)
        except ValidationError as err:
            print(err.render(args.lang), file=sys.stderr)
            return 2
        except StoreError as err:
            print(err.render(args.lang), file=sys.stderr)
            return 3

    return run


@contextmanager
def open_data_store(readonly: bool) -> Iterator[Any]:
    """The data store (``DUBAN_DATA_DIR``), opened for one command and closed after it.

    Read-only takes no lock, so questions work while the bot runs; a write needs the lock
    (``StoreLocked``, exit 3, while the bot holds it).
    """
    from data.store import Store, default_data_dir

    store = Store.open(default_data_dir(), readonly=readonly)
    try:
        yield store
    finally:
        store.close()
