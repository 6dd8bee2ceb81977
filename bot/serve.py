"""``duban run``'s start-up and serving: wait for the Bot API server, then poll or serve a
webhook until SIGTERM / SIGINT.

A department's network may come up after the bot (or a self-hosted telegram-bot-api server
may still be starting): every step that needs the server (getMe, setMyCommands, deleteWebhook
or setWebhook) is retried with a growing pause (1 s, 2 s, 4 s ... at most ``MAX_PAUSE``),
saying each time what it waits for. A wrong token stops at once (retrying cannot help).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.config import Config
from bot.texts import t

log = logging.getLogger("duban.serve")

FIRST_PAUSE = 1.0
MAX_PAUSE = 60.0


class StartFailed(Exception):
    """Start-up cannot succeed (a wrong token); the message says why."""


def say(text: str) -> None:
    """A line for whoever started the bot (the terminal, the journal of systemd)."""
    print(text, file=sys.stderr, flush=True)


async def retry(step: Callable[[], Awaitable[object]], what: str, config: Config,
                stop: asyncio.Event, *, first: float = FIRST_PAUSE,
                most: float = MAX_PAUSE) -> bool:
    """Run ``step`` until it succeeds (True) or ``stop`` is set (False)."""
    pause = first
    while not stop.is_set():
        try:
            await step()
            return True
        except InvalidToken as exc:
            raise StartFailed(t("live.start.bad_token", config.lang, root=config.api_root)) from exc
        except RetryAfter as exc:
            after = exc.retry_after
            wait = after.total_seconds() if hasattr(after, "total_seconds") else float(after)
            say(t("live.start.flood", config.lang, what=what, seconds=f"{wait:.0f}"))
        except (NetworkError, TelegramError) as exc:
            wait = pause
            pause = min(most, pause * 2)
            say(t("live.start.waiting", config.lang, what=what, root=config.api_root,
                  proxy=_proxy_note(config), error=str(exc) or type(exc).__name__,
                  seconds=f"{wait:.0f}"))
        try:
            await asyncio.wait_for(stop.wait(), wait)
        except TimeoutError:
            pass
    return False


def _proxy_note(config: Config) -> str:
    if not config.proxy:
        return ""
    url = urlsplit(config.proxy)
    proxy = f"{url.scheme}://{url.hostname}:{url.port or ''}".rstrip(":")
    return t("live.start.via_proxy", config.lang, proxy=proxy)


async def serve(app: Application, config: Config, stop: asyncio.Event) -> None:
    """Start ``app`` (retrying the network), poll or serve the webhook, stop on ``stop``."""
    post_init = app.post_init
    if not await retry(app.initialize, t("live.start.what_getme", config.lang), config, stop):
        return
    try:
        if post_init is not None and not await retry(
                lambda: post_init(app), t("live.start.what_commands", config.lang), config, stop):
            return
        updater = app.updater
        assert updater is not None  # the application is built with an updater
        if config.webhook_url:
            secret = config.webhook_secret or secrets.token_urlsafe(32)
            path = urlsplit(config.webhook_url).path.lstrip("/")
            ok = await retry(lambda: updater.start_webhook(
                listen=config.webhook_listen, port=config.webhook_port, url_path=path,
                webhook_url=config.webhook_url, secret_token=secret, drop_pending_updates=False,
                bootstrap_retries=0), t("live.start.what_webhook", config.lang), config, stop)
            mode = t("live.start.mode_webhook", config.lang, url=config.webhook_url,
                     listen=f"{config.webhook_listen}:{config.webhook_port}")
        else:
            ok = await retry(lambda: updater.start_polling(drop_pending_updates=False,
                                                               bootstrap_retries=0),
                             t("live.start.what_polling", config.lang), config, stop)
            mode = t("live.start.mode_polling", config.lang)
        if not ok:
            return
        await app.start()
        say(t("live.start.running", config.lang, bot=app.bot.username, root=config.api_root,
              mode=mode))
        await stop.wait()
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


def run(app: Application, config: Config) -> None:
    """Serve until SIGTERM or SIGINT (what systemd and Ctrl-C send)."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):  # not the main thread / platform
                pass
        await serve(app, config, stop)

    asyncio.run(main())
