"""Configuration from the environment: clear errors at start-up."""

from pathlib import Path

import pytest

from bot.config import Config, ConfigError


def test_defaults_without_token_for_offline_use():
    config = Config.from_env({}, need_token=False)
    assert config.data_dir == Path("var") and config.lang == "zh" and config.admins == ()


def test_a_full_configuration():
    config = Config.from_env({"DUBAN_BOT_TOKEN": "123456789:AAEabcdefghijklmnop",
                              "DUBAN_ADMINS": "111, 222", "DUBAN_DATA_DIR": "/srv/duban",
                              "DUBAN_LANG": "en"})
    assert config.admins == (111, 222) and config.data_dir == Path("/srv/duban")
    assert config.lang == "en"


@pytest.mark.parametrize("env,words", [
    ({}, "DUBAN_BOT_TOKEN"),
    ({"DUBAN_BOT_TOKEN": "not a token"}, "格式不对"),
    ({"DUBAN_BOT_TOKEN": "123456789:AAEabcdefghijklmnop", "DUBAN_ADMINS": "12,@boss"}, "@boss"),
    ({"DUBAN_BOT_TOKEN": "123456789:AAEabcdefghijklmnop", "DUBAN_LANG": "fr"}, "zh 或 en"),
])
def test_bad_settings_say_what_and_how(env, words):
    with pytest.raises(ConfigError) as info:
        Config.from_env(env)
    assert words in str(info.value)


def test_all_problems_reported_at_once(tmp_path):
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(ConfigError) as info:
        Config.from_env({"DUBAN_ADMINS": "x", "DUBAN_DATA_DIR": str(file)})
    text = str(info.value)
    assert "DUBAN_BOT_TOKEN" in text and "“x”" in text and "不是目录" in text


def test_duban_run_without_token_exits_with_the_reason(monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.delenv("DUBAN_BOT_TOKEN", raising=False)
    assert main(["run"]) == 2
    assert "BotFather" in capsys.readouterr().err
