"""Configuration from the environment, validated at start-up with clear errors."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.texts import LANGS, t

_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{10,}$")


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
        if problems:
            raise ConfigError("\n".join(problems))
        return cls(token=token, data_dir=data_dir, admins=tuple(admins), lang=lang)
