"""``duban run`` (real Telegram) and ``duban console`` (the same bot, offline, in the terminal)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.config import Config, ConfigError
from bot.texts import t


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="运行机器人(连接 Telegram,需要 DUBAN_BOT_TOKEN)"
                                   "/ run the bot on Telegram")
    p.add_argument("--verbose", "-v", action="store_true")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("console", help="离线控制台:在终端里和机器人对话 / talk to the bot offline")
    p.add_argument("--sample", action="store_true",
                   help="载入演示数据(2020年的建议和提案)到临时目录 "
                        "/ load the 2020 demo data into a temporary data dir")
    p.add_argument("--as", dest="as_user", default="admin", metavar="NAME",
                   help="以谁的身份对话:人员名单中的姓名,或 admin(默认)"
                        "/ who you are: a person's name, or admin")
    p.add_argument("--now", metavar="2020-06-29T09:00",
                   help="把时钟设到这一时刻 / set the clock to this moment")
    p.add_argument("--lang", choices=("zh", "en"), default=None)
    p.add_argument("--verbose", "-v", action="store_true")
    p.set_defaults(func=cmd_console)


def setup_logging(verbose: bool, *, quiet: bool = False) -> None:
    level = logging.DEBUG if verbose else (logging.WARNING if quiet else logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not verbose:
        for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def open_store(data_dir: Path, time, *, readonly: bool = False, wal: bool = False):
    """Open the store, or print why not (another process holds it) and exit.

    ``wal`` is ignored (SQLite's write-ahead log is always on: see data/storage.py)."""
    from data.store import Store, StoreLocked

    try:
        return Store.open(data_dir, readonly=readonly, time=time)
    except StoreLocked as exc:
        print(str(exc), file=sys.stderr)
        raise SystemExit(3) from None


def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import bootstrap, create_app
    from bot.domain.timeutil import SystemTime

    setup_logging(args.verbose)
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    from bot.serve import StartFailed, run

    time = SystemTime()
    store = open_store(config.data_dir, time)
    try:
        bootstrap(store, config)
        app = create_app(config, store, time)
        run(app, config)  # waits for the network with backoff; polling or webhook
    except StartFailed as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


# ---------------------------------------------------------------- console


def cmd_console(args: argparse.Namespace) -> int:
    setup_logging(args.verbose, quiet=True)
    try:
        return asyncio.run(Console(args).main())
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2


#: where ``duban console --sample`` starts without ``--now``: a working morning of the demo
#: year, the day before the co-handling opinions are due
DEMO_MORNING = "2020-06-29T09:00"


class Console:
    """The bot against the local simulator; you type as one of its users."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.interactive = sys.stdin.isatty()
        # simulated users (bot.simulator's SimUser) by name, and the one typing
        self.users: dict[str, Any] = {}
        self.current: Any = None
        self._next_id = 90001

    async def main(self) -> int:
        from bot.app import bootstrap, create_app
        from bot.domain.timeutil import SetTime, SystemTime, parse_moment
        from bot.simulator import BotApiSimulator

        args = self.args
        now = args.now or (DEMO_MORNING if args.sample else None)
        time = SetTime(parse_moment(now)) if now else SystemTime()
        env = dict(os.environ)
        tmp = None
        if args.sample:
            tmp = tempfile.TemporaryDirectory(prefix="duban-sample-")
            env["DUBAN_DATA_DIR"] = tmp.name
        if args.lang:
            env["DUBAN_LANG"] = args.lang
        base = Config.from_env(env, need_token=False)
        sim = BotApiSimulator()
        await sim.start()
        config = Config(token=sim.token, data_dir=base.data_dir, admins=base.admins,
                        lang=base.lang, base_url=sim.base_url, base_file_url=sim.base_file_url)
        store = open_store(config.data_dir, time)
        try:
            if args.sample:
                load_sample(store, time.today() if now else None)
                if not args.now:  # the demo's own working morning, and the console says so
                    self.say(t("console.demo_now", base.lang, now=DEMO_MORNING.replace("T", " ")))
            bootstrap(store, config)
            app = create_app(config, store, time)
            install_processing_hook(app, sim)
            self.sim, self.store, self.config = sim, store, config
            sim.on_bot_message = self.on_bot_message
            async with app:
                await app.start()
                assert app.updater is not None  # built with an updater
                await app.updater.start_polling(poll_interval=0.0, timeout=1)
                try:
                    self.switch(args.as_user)
                    await self.loop()
                finally:
                    await app.updater.stop()
                    await app.stop()
        finally:
            store.close()
            await sim.stop()
            if tmp is not None:
                tmp.cleanup()
        return 0

    # -- users

    def switch(self, name: str) -> None:
        from bot.sample import ADMIN_ID

        name = name.strip() or "admin"
        user = self.users.get(name)
        if user is None:
            if name == "admin":
                uid = self.config.admins[0] if self.config.admins else ADMIN_ID
                admin = self.store.person_by_telegram(uid)
                if admin is None:  # an empty data dir: make the console's admin
                    from bot.app import ensure_admin

                    ensure_admin(self.store, uid)
                first = "管理员"
            else:
                people = [p for p in self.store.people_named(name) if p.telegram]
                if people:
                    uid = people[0].telegram
                else:
                    uid = self._next_id
                    self._next_id += 1
                first = name
            user = self.users[name] = self.sim.user(uid, first_name=first)
        self.current = user
        self.say(t("console.as", self.config.lang, name=name, id=user.id))

    # -- output

    def say(self, text: str) -> None:
        print(text, flush=True)

    def on_bot_message(self, chat_id: int, message, edited: bool) -> None:
        who = next((n for n, u in self.users.items() if u.id == chat_id), str(chat_id))
        mark = "✎ " if edited else ""
        self.say(f"── {mark}duban → {who} " + "─" * 20 + "\n" + message.render())

    # -- input

    async def read_line(self) -> str | None:
        if self.interactive:
            try:
                return await asyncio.to_thread(input, f"{self.current.first_name}> ")
            except EOFError:
                return None
        line = await asyncio.to_thread(sys.stdin.readline)
        return None if line == "" else line.rstrip("\n")

    async def loop(self) -> None:
        if self.interactive:
            self.say(t("console.hello", self.config.lang))
        while True:
            line = await self.read_line()
            if line is None:
                break
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line in ("/quit", "/exit"):
                break
            if not self.interactive:
                self.say(f"{self.current.first_name}> {line}")
            await self.handle(line)

    async def handle(self, line: str) -> None:
        if line.startswith("@"):
            name, _, rest = line[1:].partition(" ")
            self.switch(name)
            line = rest.strip()
            if not line:
                return
        button = re.fullmatch(r"\[(.+)\]", line)
        try:
            if button:
                await self.current.ask_press(button.group(1), timeout=10)
            else:
                await self.current.ask(line, timeout=10)
        except LookupError:
            label = button.group(1) if button else line
            self.say(t("console.no_button", self.config.lang, label=label))
        except TimeoutError:
            self.say(t("console.timeout", self.config.lang))


def install_processing_hook(app, sim) -> None:
    """Tell the simulator when the bot has finished with each update (tests and console)."""
    from bot.simulator.ptb import track_processing
    from bot.updates import PerChatProcessor

    track_processing(sim, app)
    processor = app.update_processor
    if isinstance(processor, PerChatProcessor):  # also the updates no handler reached
        def done(update) -> None:
            if getattr(update, "update_id", None) is not None:
                sim.mark_processed(update.update_id)

        processor.on_done = done


def load_sample(store, as_of) -> None:
    """The 2020 demo: people and cases, as they stood on ``as_of`` (the whole year if None)."""
    from bot.domain.people import link_handler
    from bot.sample import sample_cases, sample_people

    who = t("console.sample_who", "zh")
    with store.transaction():
        for person in sample_people():
            store.add_person(person, who)
        people = store.people()
        for case in sample_cases(as_of):
            link_handler(case, people)
            store.add_case(case, who)
