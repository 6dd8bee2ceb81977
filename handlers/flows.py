"""The flow engine: every conversation in chat (``/new`` and the update steps) runs on it.

The engine
----------
One PTB :class:`~telegram.ext.ConversationHandler` (group 0, before the signed-button
handler) runs every flow: ``/new`` (:mod:`handlers.registration`) and the update flows of
:mod:`handlers.update` and its family modules (记录协商, 申请延期, 退回改办, 修改五定...).
A :class:`Flow` is a list of :class:`Ask`\\ s (pick a button, or type); each ask
validates at once and, when the input is bad, asks again with the reason. Where a flow
stands (which ask, the answers so far, the trail ``/back`` walks, the case and the version
it started from) is a :class:`FlowState` in ``context.user_data``; the ConversationHandler's one
waiting state, :data:`ACTIVE`, takes:

- typed text (``filters.TEXT & ~filters.COMMAND``, private chats): only while a flow waits,
  so any other free text reaches the query feature (:mod:`handlers.queries`);
- the flow's own signed buttons (:class:`~handlers.buttons.FlowButton`: flow token, prompt
  number, choice), so a button of an earlier prompt or an earlier flow is refused, not
  misread;
- ``/back`` (one ask back) and ``/cancel`` (leave, nothing written).

Entry points: ``/new``, and the signed flow-start buttons registered with :func:`entry`
(:class:`~handlers.buttons.StepButton` under the case cards, ``CloseButton`` and
``ExtendButton`` of the morning digest). ``allow_reentry``:
starting a flow drops an unfinished one, and the user is told. ``per_message=False``
(one conversation per user and chat; :mod:`bot.updates` handles one chat's updates in order,
different chats at once). A flow writes nothing until its last step, and that step reads,
changes and saves the case without awaiting in between (``expected_version`` still guards
it against a change made since the flow began).

Timeout: ``conversation_timeout`` (:data:`TIMEOUT`, 15 minutes) with a TIMEOUT-state
handler that tells the user the flow was dropped and nothing saved.

Restart: PTB keeps conversations in memory and we do **not** persist them (the application
has no persistence). Instead a waiting flow is listed in :mod:`handlers.waiting` (a small
file beside the store), dropped from it when the flow ends; at start-up the users of flows
a restart cut off are told cleanly to start again (:func:`tell_interrupted`). A button of a
flow that is no longer running answers "this step has expired, please start again".
"""

from __future__ import annotations

import logging
import secrets
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, TypeVar

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.domain import workflow as wf
from bot.domain.model import Case, ValidationError
from bot.texts import t
from handlers import FEATURES
from handlers.buttons import ButtonData, FlowButton
from handlers.common import (
    Ctx,
    Pressed,
    app_state,
    btn,
    button,
    command,
    dispatch,
    esc,
    guard,
    guarded,
    keyboard,
    lang_for,
    verify,
)
from handlers.waiting import waiting_flows

log = logging.getLogger("duban.flows")

#: the ConversationHandler's waiting state
ACTIVE = "flow"
END = ConversationHandler.END
#: seconds without input after which a flow is dropped (read when the handler is built)
TIMEOUT = 15 * 60
#: choice buttons per page; longer lists page with [上一页] [下一页]
PAGE = 8
#: longest button label (characters)
MAX_LABEL = 40

Rows = list[list[InlineKeyboardButton]]
#: a command that starts a flow: (name, ``f(c)`` returning the state, guard action)
EntryCommand = tuple[str, Callable[[Ctx], Awaitable[object]], str]
B = TypeVar("B", bound=ButtonData)



# ---------------------------------------------------------------- flows and their state


@dataclass
class FlowState:
    """Where one user's flow stands (kept in ``context.user_data``, never in the store)."""

    flow: str
    token: str
    data: dict[str, Any] = field(default_factory=dict)
    #: asks answered, in order (``/back`` pops the last)
    trail: list[str] = field(default_factory=list)
    step: str = ""
    #: number of the current prompt: its buttons carry it, older buttons are refused
    seq: int = 0
    #: the values behind the current prompt's choice buttons, and the page shown
    options: list[Any] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    page: int = 0
    #: the current prompt's text (HTML), shown again with the choice once it is made
    prompt: str = ""
    #: the case the flow works on (a copy as it was when the flow started) and its version
    case: Case | None = None
    case_id: int = 0
    version: int = 0
    marked: bool = False


@dataclass(frozen=True)
class Choice:
    value: Any
    label: str


def _always(_c: Ctx, _st: FlowState) -> bool:
    return True


@dataclass(frozen=True)
class Ask:
    """One question of a flow.

    ``choices`` gives buttons (a typed label or value is accepted too); ``read`` turns typed
    text into the value, raising :class:`ValidationError` with the reason. ``when`` skips
    the ask; ``apply`` stores the value (default ``st.data[name] = value``) and may return
    ``"cancel"``; ``undo`` forgets it on ``/back`` (default: pop ``st.data[name]``);
    ``check`` may refuse a valid value after saying why (False: ask again); ``extra`` adds
    rows of other buttons under the choices.
    """

    name: str
    prompt: Callable[[Ctx, FlowState], str]
    choices: Callable[[Ctx, FlowState], Sequence[Choice]] | None = None
    read: Callable[[Ctx, FlowState, str], Any] | None = None
    when: Callable[[Ctx, FlowState], bool] = _always
    apply: Callable[[FlowState, Any], str | None] | None = None
    undo: Callable[[FlowState], None] | None = None
    check: Callable[[Ctx, FlowState, Any], Awaitable[bool]] | None = None
    extra: Callable[[Ctx, FlowState], Rows] | None = None
    per_row: int = 2
    #: choice buttons per page (longer lists page with [上一页] [下一页])
    page_size: int = PAGE

    def done(self, st: FlowState) -> bool:
        return self.name in st.data


@dataclass(frozen=True)
class Flow:
    """A conversation: ``begin`` may refuse to start (after saying why), the asks are put in
    order, then ``finish`` acts (the only place that writes)."""

    name: str
    #: catalogue key of the flow's name ("登记新件", "记录协商"...)
    title: str
    asks: tuple[Ask, ...]
    finish: Callable[[Ctx, FlowState], Awaitable[None]]
    begin: Callable[[Ctx, FlowState], Awaitable[bool]] | None = None

    def ask(self, name: str) -> Ask:
        return next(a for a in self.asks if a.name == name)


#: the flows modules declare (``add_flow``); each Application gets a copy (``BotData.flows``)
_FLOWS: dict[str, Flow] = {}
#: kinds of buttons that start a flow: code -> ``f(c, b)`` returning the conversation state
_ENTRIES: dict[str, Pressed] = {}


def add_flow(flow: Flow) -> Flow:
    """Declare ``flow``; every Application made after the import runs it."""
    if flow.name in _FLOWS:
        raise RuntimeError(f"flow {flow.name!r} defined twice")
    _FLOWS[flow.name] = flow
    return flow


def entry(kind: type[B]) -> Callable[[Callable[[Ctx, B], Awaitable[object]]],
                                    Callable[[Ctx, B], Awaitable[object]]]:
    """Register ``f(c, b: kind)`` for the buttons of ``kind`` as a conversation entry point
    (it returns the conversation's new state)."""

    def deco(fn: Callable[[Ctx, B], Awaitable[object]]) -> Callable[[Ctx, B], Awaitable[object]]:
        if kind.code in _ENTRIES:
            raise RuntimeError(f"flow entry {kind.code!r} registered twice")
        _ENTRIES[kind.code] = Pressed(kind, fn)
        return fn

    return deco


def _user_data(c: Ctx) -> dict[Any, Any]:
    data = c.context.user_data
    assert data is not None  # every flow update has a user (PTB keeps their data)
    return data


def _user_id(c: Ctx) -> int:
    user = c.update.effective_user
    assert user is not None  # conversations are per user
    return user.id


def _query(c: Ctx) -> CallbackQuery:
    query = c.update.callback_query
    assert query is not None  # a button press
    return query


def current(c: Ctx) -> FlowState | None:
    """The user's flow, if one waits for them."""
    st = c.context.user_data.get("flow") if c.context.user_data is not None else None
    return st if isinstance(st, FlowState) else None


def flows_of(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Flow]:
    """The flows the Application runs."""
    return app_state(context).flows


def entries_of(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Pressed]:
    """The kinds of buttons that start one of the Application's flows, by code."""
    return app_state(context).entries


def register_flows(app: Application) -> None:
    """Give ``app`` the flows and entry buttons declared so far."""
    for name, flow in _FLOWS.items():
        app.bot_data.flows.setdefault(name, flow)
    for code, pressed in _ENTRIES.items():
        app.bot_data.entries.setdefault(code, pressed)


def flow_title(context: ContextTypes.DEFAULT_TYPE, lang: str, name: str) -> str:
    f = flows_of(context).get(name)
    return t(f.title if f else "flow.generic", lang)


# ---------------------------------------------------------------- running a flow


async def start_flow(c: Ctx, name: str, *, case: Case | None = None,
                     data: dict[str, Any] | None = None) -> object:
    """Start flow ``name`` (dropping an unfinished one); returns the conversation state."""
    previous = current(c)
    if previous is not None:
        await c.reply(c.t("flow.dropped", flow=flow_title(c.context, c.lang, previous.flow)))
        if previous.marked:
            waiting_flows(c.context).remove(c.chat_id, _user_id(c))
    st = FlowState(flow=name, token=secrets.token_hex(2), data=dict(data or {}))
    if case is not None:
        st.case, st.case_id, st.version = case.copy(), case.id, case.version
    _user_data(c)["flow"] = st
    flow = flows_of(c.context)[name]
    if flow.begin is not None and not await flow.begin(c, st):
        return await _stop(c)
    return await _advance(c, st)


def _next_ask(c: Ctx, st: FlowState) -> Ask | None:
    for ask in flows_of(c.context)[st.flow].asks:
        if ask.when(c, st) and not ask.done(st):
            return ask
    return None


async def _advance(c: Ctx, st: FlowState) -> object:
    ask = _next_ask(c, st)
    if ask is None:
        await _stop(c)
        try:
            await flows_of(c.context)[st.flow].finish(c, st)
        except ValidationError as err:
            await c.reply(esc(err.render(c.lang)))
        return END
    st.step, st.page = ask.name, 0
    await _prompt(c, st, ask)
    if not st.marked:
        _mark(c, st)
    return ACTIVE


async def _stop(c: Ctx) -> object:
    """Forget the user's flow (memory and the restart marker)."""
    st = _user_data(c).pop("flow", None)
    if isinstance(st, FlowState) and st.marked:
        waiting_flows(c.context).remove(c.chat_id, _user_id(c))
    return END


def _choices(c: Ctx, st: FlowState, ask: Ask) -> list[Choice]:
    return list(ask.choices(c, st)) if ask.choices is not None else []


def _keyboard(c: Ctx, st: FlowState, ask: Ask) -> InlineKeyboardMarkup | None:
    rows: Rows = []
    if st.options:
        size = ask.page_size
        pages = max(1, -(-len(st.options) // size))
        st.page = min(max(st.page, 0), pages - 1)
        first = st.page * size
        row: list[InlineKeyboardButton] = []
        for i in range(first, min(first + size, len(st.options))):
            label = st.labels[i]
            label = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
            row.append(btn(c.context, label, FlowButton(st.token, st.seq, str(i))))
            if len(row) == ask.per_row:
                rows.append(row)
                row = []
        rows.append(row)
        nav = []
        if st.page > 0:
            nav.append(btn(c.context, c.t("page.prev"),
                           FlowButton(st.token, st.seq, f"p{st.page - 1}")))
        if st.page + 1 < pages:
            nav.append(btn(c.context, c.t("page.next"),
                           FlowButton(st.token, st.seq, f"p{st.page + 1}")))
        rows.append(nav)
    if ask.extra is not None:
        rows.extend(ask.extra(c, st))
    return keyboard(rows)


async def _prompt(c: Ctx, st: FlowState, ask: Ask, error: str = "") -> None:
    st.seq += 1
    choices = _choices(c, st, ask)
    st.options = [ch.value for ch in choices]
    st.labels = [ch.label for ch in choices]
    text = ask.prompt(c, st)
    if error:
        text = f"⚠ {esc(error)}\n\n{text}"
    st.prompt = text
    await c.reply(f"{text}\n{c.t('flow.hint')}", _keyboard(c, st, ask))


async def _take(c: Ctx, st: FlowState, ask: Ask, value: Any) -> object:
    if ask.check is not None and not await ask.check(c, st, value):
        await _prompt(c, st, ask)
        return None
    control: str | None = None
    if ask.apply is None:
        st.data[ask.name] = value
    else:
        control = ask.apply(st, value)
    if control == "cancel":
        await _stop(c)
        await c.reply(c.t("flow.cancelled", flow=flow_title(c.context, c.lang, st.flow)))
        return END
    st.trail.append(ask.name)
    return await _advance(c, st)


def _match_label(text: str, st: FlowState) -> Any:
    wanted = " ".join(text.split()).casefold()
    for value, label in zip(st.options, st.labels, strict=True):
        if wanted in (label.casefold(), str(value).casefold()):
            return value
    raise LookupError(text)


async def on_text(c: Ctx) -> object:
    st = current(c)
    if st is None:
        return END
    ask = flows_of(c.context)[st.flow].ask(st.step)
    message = c.update.effective_message
    text = message.text or "" if message is not None else ""
    try:
        try:
            value = _match_label(text, st)
        except LookupError:
            if ask.read is None:
                raise wf.WorkflowError("wf.pick_one", options=" / ".join(st.labels) or "—") \
                    from None
            value = ask.read(c, st, text)
    except ValidationError as err:
        await _prompt(c, st, ask, err.render(c.lang))
        return None
    return await _take(c, st, ask, value)


async def on_press(c: Ctx, b: FlowButton) -> object:
    st = current(c)
    if st is None:
        await c.answer(c.t("flow.expired"), alert=True)
        return END
    arg = b.choice
    if b.token != st.token or b.seq != st.seq:
        await c.answer(c.t("flow.old_button"))
        return None
    ask = flows_of(c.context)[st.flow].ask(st.step)
    if arg.startswith("p") and arg[1:].isdigit():
        st.page = int(arg[1:])
        try:
            await _query(c).edit_message_reply_markup(_keyboard(c, st, ask))
        except BadRequest as exc:
            log.info("page not turned: %s", exc)
        return None
    if not arg.isdigit() or int(arg) >= len(st.options):
        await c.answer(c.t("button.invalid"), alert=True)
        return None
    index = int(arg)
    await c.answer(st.labels[index])
    try:  # the prompt keeps what was chosen, loses its buttons
        await _query(c).edit_message_text(
            f"{st.prompt}\n→ <b>{esc(st.labels[index])}</b>", reply_markup=None)
    except BadRequest as exc:
        log.info("prompt not updated: %s", exc)
    return await _take(c, st, ask, st.options[index])


async def on_back(c: Ctx) -> object:
    st = current(c)
    if st is None:
        return END
    if not st.trail:
        await _prompt(c, st, flows_of(c.context)[st.flow].ask(st.step), c.t("flow.first_step"))
        return None
    name = st.trail.pop()
    ask = flows_of(c.context)[st.flow].ask(name)
    if ask.undo is not None:
        ask.undo(st)
    else:
        st.data.pop(name, None)
    return await _advance(c, st)


async def on_cancel(c: Ctx) -> object:
    st = current(c)
    await _stop(c)
    if st is None:
        await c.reply(c.t("flow.nothing"))
    else:
        await c.reply(c.t("flow.cancelled", flow=flow_title(c.context, c.lang, st.flow)))
    return END


async def on_timeout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The TIMEOUT state: the flow waited :data:`TIMEOUT` seconds for nothing."""
    st = context.user_data.pop("flow", None) if context.user_data is not None else None
    chat = update.effective_chat
    user = update.effective_user
    if not isinstance(st, FlowState) or chat is None or user is None:
        return
    if st.marked:
        waiting_flows(context).remove(chat.id, user.id)
    lang = lang_for(update, context)
    try:
        text = t("flow.timeout", lang, flow=flow_title(context, lang, st.flow),
                 minutes=max(1, round(TIMEOUT / 60)))
        await context.bot.send_message(chat.id, text)
    except (BadRequest, Forbidden) as exc:
        log.info("timeout not told: %s", exc)


def _mark(c: Ctx, st: FlowState) -> None:
    waiting_flows(c.context).add(c.chat_id, _user_id(c), st.flow, c.lang,
                                 c.context.application.bot_data.get("_flow_boot", ""))
    st.marked = True


async def tell_interrupted(context: ContextTypes.DEFAULT_TYPE) -> None:
    """At start-up: tell every user whose flow a restart cut off to start again."""
    boot = context.application.bot_data.get("_flow_boot", "")
    for row in waiting_flows(context).take_orphans(boot):
        lang = row.get("lang") or "zh"
        try:
            text = t("flow.restarted", lang, flow=flow_title(context, lang, row.get("flow", "")))
            await context.bot.send_message(row["chat"], text)
        except (BadRequest, Forbidden) as exc:
            log.info("could not tell %s about the restart: %s", row.get("chat"), exc)


# ---------------------------------------------------------------- wiring


#: the one kind of button of a running flow's prompts
_STEP_BUTTONS: Mapping[str, Pressed] = {FlowButton.code: Pressed(FlowButton, on_press)}


def _signed(app: Application, kinds: Callable[[], Mapping[str, Pressed]]
            ) -> Callable[[object], bool]:
    """A callback-data pattern: correctly signed, and of one of the ``kinds()`` (that it
    parses as its kind, the guard checks: garbled data is refused, not passed on)."""
    holder = SimpleNamespace(application=app)

    def pattern(data: object) -> bool:
        if not isinstance(data, str):
            return False
        parts = verify(holder, data)  # type: ignore[arg-type]
        return parts is not None and parts[0] in kinds()

    return pattern


def conversation(app: Application, commands: Sequence[EntryCommand] = ()
                 ) -> ConversationHandler:
    """The one ConversationHandler of every flow; ``commands`` start flows too."""
    private_text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND \
        & filters.ChatType.PRIVATE
    with warnings.catch_warnings():
        # per_message=False with buttons is deliberate: one flow per user and chat; the
        # flow's buttons carry its token and prompt number instead
        warnings.filterwarnings("ignore", message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                *(CommandHandler(name, guarded(fn, actions=("query", action)),
                                 filters=filters.UpdateType.MESSAGE)
                  for name, fn, action in commands),
                # a refused entry returns None: an unfinished flow stays as it was
                CallbackQueryHandler(guarded(dispatch(entries_of), signed=entries_of),
                                     pattern=_signed(app, lambda: app.bot_data.entries)),
            ],
            states={
                ACTIVE: [
                    MessageHandler(private_text, step(on_text)),
                    CallbackQueryHandler(step(dispatch(lambda context: _STEP_BUTTONS),
                                              signed=lambda context: _STEP_BUTTONS),
                                         pattern=_signed(app, lambda: _STEP_BUTTONS)),
                    CommandHandler("back", step(on_back), filters=filters.UpdateType.MESSAGE),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, on_timeout)],
            },
            fallbacks=[CommandHandler("cancel", step(on_cancel),
                                      filters=filters.UpdateType.MESSAGE)],
            allow_reentry=True,
            per_chat=True,
            per_user=True,
            per_message=False,
            conversation_timeout=TIMEOUT,
            name="flows",
        )


def step(fn: Callable[[Ctx], Awaitable[object]], *,
         signed: Callable[[ContextTypes.DEFAULT_TYPE], Mapping[str, Pressed]] | None = None
         ) -> Callable:
    """A step of a running flow behind the one guard: in any chat the flow runs in (it
    started in a private one), and a user who may no longer use the bot ends the flow."""
    return guarded(fn, groups=True, signed=signed, refused=_stop)


@button(FlowButton)
async def expired_button(c: Ctx, b: FlowButton) -> None:
    """A flow button pressed when no flow runs (it ended, timed out, or the bot restarted)."""
    await c.answer(c.t("flow.expired"), alert=True)


@guard("query")
async def _no_flow(c: Ctx) -> None:
    """/back or /cancel with no flow running."""
    await c.reply(c.t("flow.nothing"))


def install(app: Application, commands: Sequence[EntryCommand] = ()) -> None:
    """Add the conversation (group 0) and the no-flow answers of /back and /cancel after it."""
    app.bot_data.setdefault("_flow_boot", secrets.token_hex(4))
    app.add_handler(conversation(app, commands), group=FEATURES)
    command(app, ["back", "cancel"], _no_flow)
    if app.job_queue is not None:
        app.job_queue.run_once(tell_interrupted, 0, name="flows-interrupted")


