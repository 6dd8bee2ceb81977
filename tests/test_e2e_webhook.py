"""End-to-end: webhook mode. ``duban run``'s serving path registers the webhook with the
Bot API server (here the simulator) and accepts only requests that carry the secret token."""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import replace

import aiohttp
import pytest

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_registers_and_checks_the_secret_on_every_request(tmp_path,
                                                                             time_source):
    from bot.app import bootstrap, create_app
    from bot.config import Config
    from bot.sample import ADMIN_ID
    from bot.serve import serve
    from bot.simulator import BotApiSimulator
    from data.store import Store

    port = _free_port()
    registered: list[dict] = []
    async with BotApiSimulator() as sim:
        async def set_webhook(p):
            registered.append(dict(p.values))
            return True

        sim.register_method("setWebhook", set_webhook)
        root = sim.base_url.removesuffix("/bot")
        config = Config.from_env({"DUBAN_BOT_TOKEN": sim.token, "DUBAN_ADMINS": str(ADMIN_ID),
                                  "DUBAN_DATA_DIR": str(tmp_path / "data"),
                                  "DUBAN_BOT_API_URL": root,
                                  "DUBAN_WEBHOOK_URL": f"http://127.0.0.1:{port}/tg",
                                  "DUBAN_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                                  "DUBAN_WEBHOOK_SECRET": "the-secret_1"})
        assert config.base_url == sim.base_url
        store = Store.open(config.data_dir, time=time_source)
        stop = asyncio.Event()
        try:
            bootstrap(store, config)
            app = create_app(replace(config), store, time_source, rate_limiter=False,
                             register_jobs=False)
            task = asyncio.create_task(serve(app, config, stop))
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while not (registered and app.running):
                assert loop.time() < deadline and not task.done(), "the webhook was not set"
                await asyncio.sleep(0.05)
            assert registered[0]["url"] == f"http://127.0.0.1:{port}/tg"
            assert registered[0]["secret_token"] == "the-secret_1"

            admin = sim.user(ADMIN_ID, first_name="管理员")
            update = {"update_id": 1, "message": {
                "message_id": 1, "date": 1593394200, "text": "/help",
                "chat": {"id": ADMIN_ID, "type": "private", "first_name": "管理员"},
                "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "管理员"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
            url = f"http://127.0.0.1:{port}/tg"
            async with aiohttp.ClientSession() as http:
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                    async with http.post(url, data=json.dumps(update), headers={
                            "Content-Type": "application/json", **headers}) as resp:
                        assert resp.status == 403
                assert admin.messages == []
                async with http.post(url, data=json.dumps(update), headers={
                        "Content-Type": "application/json",
                        "X-Telegram-Bot-Api-Secret-Token": "the-secret_1"}) as resp:
                    assert resp.status == 200
            [reply] = await admin.wait_messages(1, timeout=15)
            assert "/case" in reply.text
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
            store.close()
