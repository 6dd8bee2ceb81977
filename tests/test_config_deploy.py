"""Deployment settings: another Bot API server, a proxy, webhook mode; checked at start-up."""

from __future__ import annotations

import pytest

from bot.config import TELEGRAM_API, Config, ConfigError

TOKEN = {"DUBAN_BOT_TOKEN": "123456789:AAEabcdefghijklmnop"}


def test_by_default_the_bot_talks_to_telegram_by_long_polling():
    config = Config.from_env(TOKEN)
    assert config.api_root == TELEGRAM_API and config.base_url == "" and config.proxy == ""
    assert config.webhook_url == ""


@pytest.mark.parametrize("value,root", [
    ("http://127.0.0.1:8081", "http://127.0.0.1:8081"),
    ("http://127.0.0.1:8081/", "http://127.0.0.1:8081"),
    ("https://tg-proxy.example.gov.cn/telegram", "https://tg-proxy.example.gov.cn/telegram"),
])
def test_a_bot_api_root_gives_bot_and_file_urls_as_telegram_bot_api_expects(value, root):
    config = Config.from_env({**TOKEN, "DUBAN_BOT_API_URL": value})
    assert config.api_root == root
    assert config.base_url == f"{root}/bot" and config.base_file_url == f"{root}/file/bot"


@pytest.mark.parametrize("value", ["api.telegram.org", "ftp://x.org", "https://",
                                   "https://api.telegram.org/bot", "https://x.org/bot123:abc",
                                   "https://x.org/?q=1"])
def test_a_wrong_bot_api_root_is_refused_with_an_example(value):
    with pytest.raises(ConfigError) as info:
        Config.from_env({**TOKEN, "DUBAN_BOT_API_URL": value})
    assert "DUBAN_BOT_API_URL" in str(info.value) and "https://api.telegram.org" in str(info.value)


@pytest.mark.parametrize("value", ["http://proxy.example:3128", "https://proxy.example",
                                   "socks5://127.0.0.1:1080", "socks5h://u:p@10.0.0.1:1080"])
def test_http_and_socks5_proxies_are_accepted(value):
    assert Config.from_env({**TOKEN, "DUBAN_PROXY": value}).proxy == value


@pytest.mark.parametrize("value", ["proxy.example:3128", "socks4://h:1", "http://h:99999"])
def test_a_wrong_proxy_is_refused_without_showing_its_password(value):
    with pytest.raises(ConfigError) as info:
        Config.from_env({**TOKEN, "DUBAN_PROXY": value})
    assert "DUBAN_PROXY" in str(info.value)
    with pytest.raises(ConfigError) as info:
        Config.from_env({**TOKEN, "DUBAN_PROXY": "socks4://user:s3cret@h:1"})
    assert "s3cret" not in str(info.value)


def test_webhook_mode():
    config = Config.from_env({**TOKEN, "DUBAN_WEBHOOK_URL": "https://duban.example.gov.cn/tg",
                              "DUBAN_WEBHOOK_LISTEN": "127.0.0.1:8443",
                              "DUBAN_WEBHOOK_SECRET": "s3cret_token-1"})
    assert (config.webhook_url, config.webhook_listen, config.webhook_port,
            config.webhook_secret) == ("https://duban.example.gov.cn/tg", "127.0.0.1", 8443,
                                       "s3cret_token-1")


@pytest.mark.parametrize("env,words", [
    ({"DUBAN_WEBHOOK_URL": "http://duban.example.gov.cn/tg"}, "https"),
    ({"DUBAN_WEBHOOK_URL": "https://duban.example.gov.cn:9000/tg"}, "8443"),
    ({"DUBAN_WEBHOOK_URL": "https://d.example/tg", "DUBAN_WEBHOOK_LISTEN": "8443"},
     "127.0.0.1:8443"),
    ({"DUBAN_WEBHOOK_URL": "https://d.example/tg", "DUBAN_WEBHOOK_SECRET": "has space"}, "1–256"),
    ({"DUBAN_WEBHOOK_SECRET": "abc"}, "DUBAN_WEBHOOK_URL"),
])
def test_wrong_webhook_settings_say_what_and_how(env, words):
    with pytest.raises(ConfigError) as info:
        Config.from_env({**TOKEN, **env})
    assert words in str(info.value)


def test_a_self_hosted_server_may_post_webhooks_over_http_on_any_port():
    config = Config.from_env({**TOKEN, "DUBAN_BOT_API_URL": "http://127.0.0.1:8081",
                              "DUBAN_WEBHOOK_URL": "http://127.0.0.1:9000/tg"})
    assert config.webhook_url == "http://127.0.0.1:9000/tg"


def test_a_socks5_proxy_reaches_every_call_of_the_application(store):
    """PTB's socks extra is installed: the application builds with a socks5 proxy, for the
    ordinary calls and for getUpdates alike."""
    from bot.app import create_app

    config = Config.from_env({**TOKEN, "DUBAN_PROXY": "socks5://127.0.0.1:1080"})
    app = create_app(config, store, register_jobs=False)
    import httpx

    for request in (app.bot.request, app.bot._request[0]):  # calls, getUpdates
        transport = request._client._transport_for_url(httpx.URL("https://api.telegram.org/"))
        assert type(transport._pool).__name__ == "AsyncSOCKSProxy"
