"""The application factory: one PTB Application wired to the store, the clock and the handlers.

``create_app`` is thin on purpose: it sets the defaults (Asia/Shanghai, HTML), the rate
limiter, the error handler, and asks :mod:`handlers` and :mod:`jobs` to register themselves.
Everything the handlers need lives in ``application.bot_data``, a
:class:`handlers.state.BotData` (the store, the clock, the settings, the registries).
"""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ContextTypes, Defaults

from bot.config import Config
from bot.domain.timeutil import TZ, SystemTime
from bot.migrated import MigratedChatRetry
from bot.texts import t
from bot.updates import GroupBudget, PerChatProcessor

log = logging.getLogger("duban")

#: HTTP connections to the Bot API kept for calls other than getUpdates, and how long a call
#: waits for a free one (PTB: 256 and 1 s)
CONNECTIONS = 16
POOL_TIMEOUT_S = 10.0

#: commands shown in Telegram's menu, in the order shown
MENU = ("case", "overdue", "due", "mine", "find", "new", "update", "report", "lang", "help")


def create_app(config: Config, store, time=None, *, rate_limiter: bool = True,
               register_jobs: bool = True) -> Application:
    """Build the Application; it is started by the caller (``duban run`` or ``console``)."""
    import handlers
    import jobs
    from data.views import calendar_cache
    from handlers.state import BotData

    builder = (
        Application.builder()
        .token(config.token)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=TZ))
        # chats concurrently, each in order; with Telegram's flood limits, a budget per group
        .concurrent_updates(PerChatProcessor(group_budget=GroupBudget() if rate_limiter else None))
        .post_init(_post_init)
        # (httpcore walks every pooled connection, and for each idle one every other, on each
        # request: PTB's 256 let ~50 keep-alive connections cost 20% of a loaded bot's time;
        # Telegram's own limit, ~30 messages/s, needs far fewer)
        .connection_pool_size(CONNECTIONS)
        .pool_timeout(POOL_TIMEOUT_S)
        .context_types(ContextTypes(bot_data=BotData))
    )
    if config.base_url:
        builder = builder.base_url(config.base_url).base_file_url(config.base_file_url)
    if config.proxy:  # http(s) or socks5 (PTB's socks extra): every call, polling too
        builder = builder.proxy(config.proxy).get_updates_proxy(config.proxy)
    # every call: a send to a group upgraded to a supergroup is retried there once
    # (bot.migrated), through Telegram's flood limits when they are kept (AIORateLimiter)
    limiter = MigratedChatRetry(AIORateLimiter(max_retries=3) if rate_limiter else None)
    builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    app: Application = builder.build()
    processor = app.update_processor
    if isinstance(processor, PerChatProcessor):
        processor.application = app  # it answers waiting button presses
    state: BotData = app.bot_data
    state.store, state.clock, state.config = store, time or SystemTime(), config
    state.calendar = calendar_cache(store)
    handlers.register(app)
    if register_jobs:
        jobs.register(app)
    app.add_error_handler(on_error)
    return app


async def _post_init(app: Application) -> None:
    config: Config = app.bot_data["config"]
    for lang in ("zh", "en"):
        commands = [BotCommand(c, t(f"menu.{c}", lang)) for c in MENU]
        await app.bot.set_my_commands(commands, language_code=None if lang == "zh" else lang)
    log.info("duban started as @%s, data in %s", app.bot.username, config.data_dir)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error with its traceback; tell the user something went wrong, without one.

    A commit that could not be written (disk full, read-only data directory) gets its own
    message: the change was not saved and the earlier data is intact (the store rolled back).
    """
    from data.errors import StoreWriteError

    log.error("error while handling %s", getattr(update, "update_id", update),
              exc_info=context.error)
    key = "error.generic"
    if isinstance(context.error, StoreWriteError):
        key = "error.store_write"
        context.application.bot_data["last_write_error"] = context.error  # shown by /health
    if isinstance(update, Update) and update.effective_chat is not None:
        from handlers.common import lang_for

        try:
            lang = lang_for(update, context)
            await context.bot.send_message(update.effective_chat.id, t(key, lang))
        except Exception:  # the error may be the network itself
            log.warning("could not tell the user about the error", exc_info=True)


def ensure_admin(store, telegram_id: int):
    """Make ``telegram_id`` an approved office admin (creating the person if new)."""
    from bot.domain.model import Person

    person = store.person_by_telegram(telegram_id)
    if person is None:
        return store.add_person(Person(name=t("admin.default_name", "zh", id=telegram_id),
                                       position="office", division=t("admin.division", "zh"),
                                       telegram=telegram_id, approved=True), "bootstrap")
    if person.position != "office" or not person.approved or not person.active:
        person.position, person.approved, person.active = "office", True, True
        return store.save_person(person, "bootstrap")
    return person


def bootstrap(store, config: Config) -> None:
    """At every start: the admins named in DUBAN_ADMINS are approved office admins, and cases
    whose handler is known only by name are linked to that person (once: data written
    before cases were owned by identity)."""
    for telegram_id in config.admins:
        ensure_admin(store, telegram_id)
    link_handlers(store)


def link_handlers(store) -> int:
    """Give every case whose handler has a name but no person id the id of that person (by
    name and division; namesakes the division does not tell apart stay unlinked, and the
    office sees 定人员 not met for them). Returns how many were linked."""
    from bot.domain.people import link_handler

    todo = store.case_ids_unlinked()
    if not todo:
        return 0
    people = store.people()
    linked = 0
    with store.transaction():
        for case_id in todo:
            case = store.get_case(case_id)
            if case is not None and link_handler(case, people):
                store.save_case(case, "system", note=t("identity.linked", "zh"))
                linked += 1
    if linked:
        log.info("%d cases linked to their handlers by identity", linked)
    return linked
