"""Configuration from the environment, validated at start-up with clear errors."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.texts import LANGS, t

_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{10,}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
#: Telegram's own Bot API server
TELEGRAM_API = "https://api.telegram.org"
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
WEBHOOK_PORTS = (443, 80, 88, 8443)  # the ports Telegram delivers webhooks to


class ConfigError(Exception):
    """A setting that is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Config:
    token: str = ""
    data_dir: Path = Path("var")
    admins: tuple[int, ...] = ()
    lang: str = "zh"
    #: Bot API server; empty means Telegram's. The console points these at the simulator.
    base_url: str = ""
    base_file_url: str = ""
    #: DUBAN_BOT_API_URL: the Bot API server's root (Telegram's unless set)
    api_root: str = TELEGRAM_API
    #: DUBAN_PROXY: http(s):// or socks5:// proxy for every call to the Bot API server
    proxy: str = ""
    #: webhook mode (empty: long polling): the public https URL Telegram posts updates to,
    #: the local address to listen on, and the secret token checked on every request
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, need_token: bool = True) -> Config:
        env = os.environ if env is None else env
        problems: list[str] = []
        lang = env.get("DUBAN_LANG", "zh").strip() or "zh"
        if lang not in LANGS:
            problems.append(t("config.bad_lang", "zh", value=lang))
            lang = "zh"
        token = env.get("DUBAN_BOT_TOKEN", "").strip()
        if need_token and not token:
            problems.append(t("config.no_token", lang))
        elif token and not _TOKEN_RE.match(token):
            problems.append(t("config.bad_token", lang))
        admins: list[int] = []
        for part in filter(None, (p.strip() for p in env.get("DUBAN_ADMINS", "").split(","))):
            if part.lstrip("-").isdigit():
                admins.append(int(part))
            else:
                problems.append(t("config.bad_admin", lang, value=part))
        data_dir = Path(env.get("DUBAN_DATA_DIR", "").strip() or "var")
        if data_dir.exists() and not data_dir.is_dir():
            problems.append(t("config.data_dir_not_dir", lang, path=str(data_dir)))
        api_root = _api_root(env.get("DUBAN_BOT_API_URL", ""), lang, problems)
        proxy = _proxy(env.get("DUBAN_PROXY", ""), lang, problems)
        webhook = _webhook(env, lang, problems, telegram=api_root == TELEGRAM_API)
        if problems:
            raise ConfigError("\n".join(problems))
        base: dict[str, Any] = {} if api_root == TELEGRAM_API else {
            "base_url": f"{api_root}/bot", "base_file_url": f"{api_root}/file/bot"}
        return cls(token=token, data_dir=data_dir, admins=tuple(admins), lang=lang,
                   api_root=api_root, proxy=proxy, **base, **webhook)


def _api_root(value: str, lang: str, problems: list[str]) -> str:
    """``https://host[:port][/prefix]`` without a trailing slash (the bot adds /bot<token>)."""
    value = value.strip().rstrip("/")
    if not value:
        return TELEGRAM_API
    url = urlsplit(value)
    if url.scheme not in ("http", "https") or not url.hostname or url.query or url.fragment \
            or re.search(r"/(bot|file)[^/]*$", url.path):
        problems.append(t("config.bad_api_url", lang, value=value))
        return TELEGRAM_API
    return value


def _proxy(value: str, lang: str, problems: list[str]) -> str:
    value = value.strip()
    if not value:
        return ""
    url = urlsplit(value)
    try:
        port_ok = url.port is None or 0 < url.port < 65536
    except ValueError:
        port_ok = False
    if url.scheme not in PROXY_SCHEMES or not url.hostname or not port_ok:
        problems.append(t("config.bad_proxy", lang, value=_hide_password(value)))
        return ""
    return value


def _hide_password(value: str) -> str:
    return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", value)


def _webhook(env: Mapping[str, str], lang: str, problems: list[str], *, telegram: bool) -> dict:
    """Telegram's own server posts only to https on a few ports; a self-hosted one (its
    --local mode) to any address and port."""
    url = env.get("DUBAN_WEBHOOK_URL", "").strip()
    listen = env.get("DUBAN_WEBHOOK_LISTEN", "").strip()
    secret = env.get("DUBAN_WEBHOOK_SECRET", "").strip()
    if not url:
        if listen or secret:
            problems.append(t("config.webhook_without_url", lang))
        return {}
    out: dict = {"webhook_url": url}
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    allowed = ("https",) if telegram else ("https", "http")
    if parts.scheme not in allowed or not parts.hostname or port == -1 or (
            telegram and port is not None and port not in WEBHOOK_PORTS):
        problems.append(t("config.bad_webhook_url", lang, value=url,
                          ports=", ".join(map(str, WEBHOOK_PORTS))))
    if listen:
        host, sep, port_text = listen.rpartition(":")
        if not sep or not port_text.isdigit() or not 0 < int(port_text) < 65536:
            problems.append(t("config.bad_webhook_listen", lang, value=listen))
        else:
            out["webhook_listen"] = host.strip("[]") or "0.0.0.0"
            out["webhook_port"] = int(port_text)
    if secret and not _SECRET_RE.match(secret):
        problems.append(t("config.bad_webhook_secret", lang))
    elif secret:
        out["webhook_secret"] = secret
    return out
