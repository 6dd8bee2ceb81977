"""Shared fixtures: a data store in a temporary directory, and the whole bot running against
the local Bot API simulator (``bot_env``), as a user meets it."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from bot.domain.timeutil import TZ, SetTime

# CI (.ci/run, CI=true) runs the property tests on their fixed seeds and without per-example
# deadlines: the same examples every run, so a red CI means a change broke something, not
# that a fresh search got lucky or a busy machine was slow. A developer's run searches afresh.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The suite starts Python processes again and again: the bot killed and restarted, crash
# writers, readers, the console, the drawing worker. Where PYTHONDONTWRITEBYTECODE is set
# (as on the CI machines), each would compile the bot and its libraries afresh, about 0.8 s
# a start on a 2-core machine. The children write and share their bytecode in a cache of
# their own outside the checkout instead (Python checks it against each source's mtime).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ.setdefault("PYTHONPYCACHEPREFIX",
                      str(Path(tempfile.gettempdir()) / f"duban-pycache-{os.getuid()}"))

#: the default "now" of end-to-end tests: the last day of the 2020 co-handling campaign
E2E_NOW = dt.datetime(2020, 6, 29, 9, 30, tzinfo=TZ)


@pytest.fixture
def time_source() -> SetTime:
    return SetTime(E2E_NOW)


@pytest.fixture
def store(tmp_path, time_source):
    from data.store import Store

    s = Store.open(tmp_path / "data", time=time_source)
    yield s
    s.close()


@pytest.fixture
def people_store(store):
    """``store`` with the sample department's people in it (no cases)."""
    from bot.sample import sample_people

    with store.transaction():
        for p in sample_people():
            store.add_person(p, "test")
    return store


@dataclass
class BotEnv:
    """The running bot: the simulator, the application, the store and the clock."""

    sim: object
    app: object
    store: object
    time: SetTime

    def user(self, name_or_id, **kw):
        """A simulated Telegram user: a person of the store by name, or a raw id."""
        if isinstance(name_or_id, int):
            first_name = kw.pop("first_name", f"user{name_or_id}")
            return self.sim.user(name_or_id, first_name=first_name, **kw)
        people = [p for p in self.store.people_named(name_or_id) if p.telegram]
        assert people, f"no linked person named {name_or_id}"
        return self.sim.user(people[0].telegram, first_name=name_or_id, **kw)

    async def press_raw(self, user, message_id: int, data: str, timeout: float = 5.0):
        """Press a button with arbitrary (maybe forged) data; return once the bot handled it."""
        update = await user.press_data(message_id, data)
        await self.sim.wait_processed(update["update_id"], timeout)
        return user.last_answer

    async def handled(self, update, timeout: float = 5.0) -> None:
        """Wait until the bot has handled an update injected with send/edit/press."""
        await self.sim.wait_processed(update["update_id"], timeout)


async def start_bot(data_dir, time: SetTime, *, sample: bool = True, as_of=None,
                    rate_limits=None, jobs: bool = False):
    """Start simulator + store + application; returns (BotEnv, stop coroutine)."""
    from bot.app import bootstrap, create_app
    from bot.cmd.run import install_processing_hook, load_sample
    from bot.config import Config
    from bot.sample import ADMIN_ID
    from bot.simulator import BotApiSimulator
    from data.store import Store

    sim = BotApiSimulator(rate_limits=rate_limits)
    await sim.start()
    store = Store.open(data_dir, time=time)
    if sample and not store.cases():
        load_sample(store, as_of if as_of is not None else time.today())
    config = Config(token=sim.token, data_dir=data_dir, admins=(ADMIN_ID,), lang="zh",
                    base_url=sim.base_url, base_file_url=sim.base_file_url)
    bootstrap(store, config)
    app = create_app(config, store, time, rate_limiter=rate_limits is not None,
                     register_jobs=jobs)
    install_processing_hook(app, sim)
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)

    async def stop() -> None:
        try:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
        finally:
            store.close()
            await sim.stop()

    return BotEnv(sim, app, store, time), stop


@pytest.fixture
async def bot_env(tmp_path, time_source):
    env, stop = await start_bot(tmp_path / "data", time_source)
    try:
        yield env
    finally:
        await stop()
