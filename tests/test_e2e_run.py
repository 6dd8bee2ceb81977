"""End-to-end: the real ``duban run`` start-up path (a separate process, as systemd starts
it) against the simulator through DUBAN_BOT_API_URL: it waits for a server that is not up
yet, then getMe, setMyCommands, polling, an answer, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from bot.texts import t

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
ADMIN = 4242


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _start(env: dict[str, str]) -> tuple[asyncio.subprocess.Process, list[str], asyncio.Task]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; raise SystemExit(main(['run']))",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    lines: list[str] = []

    async def read() -> None:
        while line := await proc.stderr.readline():
            lines.append(line.decode("utf-8", "replace"))

    return proc, lines, asyncio.create_task(read())


async def _until(predicate, timeout: float, what: str, lines: list[str]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"{what} did not happen; the bot said:\n{''.join(lines)}")
        await asyncio.sleep(0.05)


def _env(tmp_path, port: int, token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")
           and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(DUBAN_BOT_TOKEN=token, DUBAN_ADMINS=str(ADMIN),
               DUBAN_DATA_DIR=str(tmp_path / "data"), DUBAN_LANG="zh",
               DUBAN_BOT_API_URL=f"http://127.0.0.1:{port}", PYTHONUNBUFFERED="1")
    return env


async def test_duban_run_waits_for_the_server_then_polls_and_answers(tmp_path):
    from bot.simulator import BotApiSimulator

    port = _free_port()
    sim = BotApiSimulator(port=port)
    proc, lines, reader = await _start(_env(tmp_path, port, sim.token))
    try:
        waiting = t("live.start.what_getme", "zh")
        await _until(lambda: any(waiting in line for line in lines), 60, "waiting", lines)
        assert proc.returncode is None  # no server yet: it waits, it does not exit
        await sim.start()
        try:
            await _until(lambda: sim.stats.calls["getUpdates"] >= 1, 60, "polling", lines)
            assert sim.stats.calls["getMe"] >= 1 and sim.stats.calls["setMyCommands"] >= 2
            admin = sim.user(ADMIN, first_name="管理员")
            await admin.send("/help")
            [reply] = await admin.wait_messages(1, timeout=30)
            assert "/case" in reply.text
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 30) == 0
        finally:
            await sim.stop()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await reader
    assert any("@" in line and t("live.start.mode_polling", "zh") in line for line in lines)


async def test_duban_run_with_a_token_the_server_refuses_stops_and_says_why(tmp_path):
    from bot.simulator import BotApiSimulator

    async with BotApiSimulator() as sim:
        proc, lines, reader = await _start(_env(tmp_path, sim.port, "999999:WRONG-TOKEN-X"))
        try:
            assert await asyncio.wait_for(proc.wait(), 60) == 2
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            await reader
    assert any("BotFather" in line for line in lines), "".join(lines)
