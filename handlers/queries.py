"""The supervision queries in chat: commands, free text, and their drill-down buttons.

``/overdue`` ``/due [period]`` ``/mine`` ``/find KEYWORD`` (``/search``) ``/division NAME``
``/progress [year]``; ``/person NAME`` is :mod:`handlers.people`'s command and answers
through :func:`answer_person`. Plain text in a private chat ("哪些超期了?", "下周要交什么",
"0484进展如何", "what is overdue") goes through the same path: the domain's intent
recogniser (:func:`bot.domain.intents.recognise`) turns text into an
:class:`~bot.domain.intents.Intent`, :func:`to_spec` into a :class:`Spec` (names resolved,
the period read), and :func:`build` into a :class:`View` (text and buttons).

Every answer is computed again from the live store each time it is asked or paged: the
asker's visible cases (:func:`bot.domain.access.visible` first, always: a leader sees only
the divisions they lead, a handler their own cases), today's calendar and the year's rules.
A button carries the query (:class:`Spec`), never its results: a ``QueryButton`` (kind,
page, arguments) opens a new message (drill down), a ``QueryPageButton`` edits the list in
place (previous, next page).
Arguments too long for Telegram's 64 bytes are kept in memory under a short hash.

Free text and conversations: the text handler runs in :data:`QUERY_GROUP` (after every
feature's group 0). A pre-check in :data:`PRECHECK_GROUP`, before group 0 runs, asks every
handler of the groups in between (ConversationHandlers of the /new and update flows
included) whether it would take the text; if one would, the query handler keeps quiet for
that update, even when the conversation ended while handling it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial

from telegram import InlineKeyboardButton, Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.domain import present
from bot.domain import queries as q
from bot.domain import querytext as qt
from bot.domain.access import decide, visible
from bot.domain.dates import DateError, parse_period
from bot.domain.intents import Intent, recognise
from bot.domain.model import Case
from bot.domain.status import Calendar, RulesSource
from data import sight as seen
from data.views import progress_tally_of, rules_of, rules_source, work_calendar
from handlers import PRECHECK_GROUP, QUERY_GROUP
from handlers.buttons import CaseButton, QueryButton, QueryPageButton
from handlers.cases import choose_or_show, show_case
from handlers.common import (
    Ctx,
    app_state,
    btn,
    button,
    command,
    esc,
    guard,
    keyboard,
    lang_for,
    person_for,
)
from handlers.offload import in_thread

Rows = list[list[InlineKeyboardButton]]

# the free-text handler runs after every feature's handlers (QUERY_GROUP), its pre-check
# before them (PRECHECK_GROUP): the table of groups is in handlers/__init__.py
#: the period of ``/due`` without one (read by the dates module)
DEFAULT_PERIOD = "7天内"
#: free text longer than this is not a question (pasted documents and the like)
MAX_QUESTION = 300
#: case buttons per row, divisions offered by the progress screen
CASES_PER_ROW = 2
MAX_DIVISION_BUTTONS = 8
#: callback data of long arguments kept in memory (a button older than that is refused)
MAX_REMEMBERED = 5000



def add_person_extra(app: Application,
                     extra: Callable[[Ctx, str, int], tuple[list[str], Rows]]) -> None:
    """A part of ``app``'s answers about a person from another module (people admin for the
    office): ``f(c, name, person_id) -> (lines above the summary, rows of buttons below)``."""
    app.bot_data.person_extras.append(extra)


def add_intent_answer(app: Application, name: str,
                      answer: Callable[[Ctx, Intent], Awaitable[object]]) -> None:
    """``app`` answers intent ``name``, which another module owns (supervision's
    ``supervise``, ``requests``), with ``async f(c, intent)``."""
    app.bot_data.intent_answers[name] = answer


# ---------------------------------------------------------------- the query as data


@dataclass(frozen=True)
class Spec:
    """One query with its arguments, resolved: what a button re-runs (never its results).

    ``text`` is the keyword (find) or the name (division, person); ``start``/``end`` the
    period of ``due``; ``division``, ``person``, ``mine`` narrow ``overdue`` and ``due``;
    ``person_id`` names the person of a ``person`` query when known (people admin);
    ``year`` the year of ``progress``.
    """

    kind: str
    text: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    division: str = ""
    person: str = ""
    mine: bool = False
    person_id: int = 0
    year: int = 0


@dataclass
class View:
    """An answer ready to send: HTML text and rows of buttons."""

    text: str
    rows: Rows = field(default_factory=list)


_CODE = {"overdue": "o", "due": "u", "mine": "m", "find": "f", "division": "d",
         "person": "p", "progress": "g"}
_KIND = {v: k for k, v in _CODE.items()}


def _ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _filter_fields(spec: Spec) -> list[str]:
    out = ["m"] if spec.mine else []
    if spec.division:
        out.append("d" + spec.division)
    if spec.person:
        out.append("p" + spec.person)
    return out


def encode(spec: Spec) -> list[str] | None:
    """The button arguments of ``spec`` after its kind code (None: not representable)."""
    kind = spec.kind
    if kind == "overdue":
        fields = _filter_fields(spec)
    elif kind == "due":
        if spec.start is None or spec.end is None:
            return None
        fields = [_ymd(spec.start), _ymd(spec.end), *_filter_fields(spec)]
    elif kind == "mine":
        fields = []
    elif kind in ("find", "division"):
        fields = [spec.text]
    elif kind == "person":
        fields = [str(spec.person_id), spec.text]
    elif kind == "progress":
        fields = [str(spec.year)]
    else:
        return None
    if any(":" in f or "|" in f for f in fields):
        return None
    return fields


def decode(code: str, fields: Sequence[str]) -> Spec | None:
    """The :class:`Spec` of button arguments made by :func:`encode` (None if garbled)."""
    kind = _KIND.get(code)
    if kind is None:
        return None
    try:
        if kind in ("overdue", "due"):
            start = end = None
            if kind == "due":
                start = dt.datetime.strptime(fields[0], "%Y%m%d").date()
                end = dt.datetime.strptime(fields[1], "%Y%m%d").date()
                fields = fields[2:]
            spec = Spec(kind, start=start, end=end)
            for f in fields:
                if f == "m":
                    spec = replace(spec, mine=True)
                elif f[:1] == "d" and len(f) > 1:
                    spec = replace(spec, division=f[1:])
                elif f[:1] == "p" and len(f) > 1:
                    spec = replace(spec, person=f[1:])
                else:
                    return None
            return spec
        if kind == "mine":
            return Spec("mine")
        if kind in ("find", "division"):
            return Spec(kind, text=fields[0] if fields else "")
        if kind == "person":
            return Spec("person", text=fields[1], person_id=int(fields[0]))
        return Spec("progress", year=int(fields[0]))
    except (IndexError, ValueError):
        return None


def _remembered(c: Ctx) -> OrderedDict[str, Spec]:
    return c.context.application.bot_data.setdefault("_query_specs", OrderedDict())


def spec_button(c: Ctx, label: str, spec: Spec, page: int = 1, *,
                in_place: bool = False) -> InlineKeyboardButton:
    """A button that runs ``spec`` at ``page``: in a new message, or ``in_place`` (paging)."""
    kind = QueryPageButton if in_place else QueryButton
    fields = encode(spec)
    if fields is not None:
        try:
            return btn(c.context, label, kind(_CODE[spec.kind], page, tuple(fields)))
        except ValueError:  # longer than Telegram's 64 bytes
            pass
    key = hashlib.blake2s(repr(spec).encode(), digest_size=6).hexdigest()
    memory = _remembered(c)
    memory[key] = spec
    memory.move_to_end(key)
    while len(memory) > MAX_REMEMBERED:
        memory.popitem(last=False)
    return btn(c.context, label, kind("~", page, (key,)))


def spec_of_button(c: Ctx, b: QueryButton) -> Spec | None:
    """The query a pressed button names (None when garbled or forgotten)."""
    if b.query == "~":
        return _remembered(c).get(b.fields[0]) if b.fields else None
    return decode(b.query, b.fields)


# ---------------------------------------------------------------- what the asker sees


class Sight:
    """The live data of one request: the calendar, the rules, and the asker's visible
    cases, taken from the store's indexes (:mod:`data.sight`) for what the answer needs:
    ``cases`` (all of them) only for the questions that read every visible case."""

    def __init__(self, c: Ctx) -> None:
        self.c = c
        self.cal: Calendar = work_calendar(c.store)
        self.rules: RulesSource = partial(rules_of, c.store)

    @cached_property
    def cases(self) -> list[Case]:
        return seen.visible_cases(self.c.store, self.c.person)


def sight(c: Ctx) -> Sight:
    return Sight(c)


def _matches(value: str, name: str) -> bool:
    return value == name or q.fold(value) == q.fold(name)


def narrowed(c: Ctx, spec: Spec, cases: list[Case]) -> list[Case]:
    """``cases`` narrowed by the filters of ``spec`` (division, handler, the asker's own)."""
    if spec.mine:
        me = c.person.id if c.person else 0
        cases = [k for k in cases if k.handler_id and k.handler_id == me]
    if spec.division:
        cases = [k for k in cases if _matches(k.division, spec.division)]
    if spec.person:
        cases = [k for k in cases if _matches(k.handler, spec.person)]
    return cases


def known_names(c: Ctx) -> tuple[list[str], list[str]]:
    """The division names and the people names the bureau uses (kept by the store, from
    its indexes): divisions of the people list and of the cases; names of the people list
    and handlers. Names are not secret (cases are): questions about the unseen are
    answered as such."""
    return c.store.known_names()


def known_divisions(c: Ctx) -> list[str]:
    return known_names(c)[0]


def known_people(c: Ctx) -> list[str]:
    return known_names(c)[1]


def _scope_line(c: Ctx, spec: Spec) -> list[str]:
    parts = []
    if spec.mine:
        parts.append(c.t("qc.scope_mine"))
    if spec.division:
        parts.append(esc(spec.division))
    if spec.person:
        parts.append(c.t("qc.scope_person", name=esc(spec.person)))
    return [c.t("qc.scope", scope=" · ".join(parts))] if parts else []


def seen_note(c: Ctx) -> list[str]:
    """For people who see part of the bureau: which part the answer covers."""
    p = c.person
    if p is None or p.position in ("office", "head"):
        return []
    if p.position == "leader":
        return [c.t("qc.seen_leads", names=esc("、".join(p.leads_divisions) or "—"))]
    if p.position == "division_head":
        return [c.t("qc.seen_division", name=esc(p.division))]
    return [c.t("qc.seen_own")]


# ---------------------------------------------------------------- buttons under an answer


def case_rows(c: Ctx, cases: Sequence[Case]) -> Rows:
    """A button for each case (its card), two a row."""
    buttons = [btn(c.context, qt.case_button_label(k), CaseButton(k.id)) for k in cases]
    return [buttons[i:i + CASES_PER_ROW] for i in range(0, len(buttons), CASES_PER_ROW)]


def nav_row(c: Ctx, spec: Spec, page: q.Page) -> list[InlineKeyboardButton]:
    """[上一页] [下一页], as the page needs them."""
    row = []
    if page.has_prev:
        row.append(spec_button(c, c.t("q.btn_prev"), spec, page.page - 1, in_place=True))
    if page.has_next:
        row.append(spec_button(c, c.t("q.btn_next"), spec, page.page + 1, in_place=True))
    return row


def division_rows(c: Ctx, names: Sequence[str]) -> Rows:
    buttons = [spec_button(c, c.t("qc.btn_division", name=n)[:40], Spec("division", text=n))
               for n in dict.fromkeys(names) if n]
    return [buttons[i:i + CASES_PER_ROW] for i in range(0, len(buttons), CASES_PER_ROW)]


def _join(*parts: Sequence[str]) -> str:
    return present.fit([line for part in parts for line in part])


# ---------------------------------------------------------------- the answers


def build(c: Ctx, spec: Spec, page: int = 1) -> View:
    """The answer to ``spec`` at ``page``, from the live store (visible cases only)."""
    return _BUILDERS[spec.kind](c, spec, page, sight(c))


def _overdue(c: Ctx, spec: Spec, page: int, s: Sight) -> View:
    cases = seen.overdue_candidates(c.store, c.person, c.today.isoformat(),
                                    partial(narrowed, c, spec))
    ans = q.overdue_page(cases, c.today, s.cal, s.rules, page, qt.PER_PAGE, c.store.urgency_of,
                         ordered=True)
    pg = ans.page
    text = qt.overdue_page_text(ans, c.lang, c.today)
    view = View(_join(_scope_line(c, spec), text.split("\n"), seen_note(c)))
    if ans.total:
        view.rows += case_rows(c, [i.case for i in pg.items])
        if not spec.division:
            view.rows += division_rows(c, [i.case.division for i in pg.items])
    elif ans.upcoming is not None:
        view.rows += case_rows(c, [ans.upcoming.case])
    view.rows.append(nav_row(c, spec, pg))
    return view


def _due(c: Ctx, spec: Spec, page: int, s: Sight) -> View:
    assert spec.start is not None and spec.end is not None
    cases = seen.due_cases(c.store, c.person, spec.start.isoformat(), spec.end.isoformat())
    ans, pg = q.due_page(narrowed(c, spec, cases), spec.start, spec.end, c.today, s.cal,
                         s.rules, page, qt.PER_PAGE, c.store.live_clocks_of, ordered=True)
    text = qt.due_text(ans, pg, c.lang, c.today)
    view = View(_join(_scope_line(c, spec), text.split("\n")))
    view.rows += case_rows(c, [i.case for i in pg.items])
    view.rows.append(nav_row(c, spec, pg))
    return view


def _mine(c: Ctx, spec: Spec, page: int, s: Sight) -> View:
    pg = q.mine_page(seen.own_cases(c.store, c.person), c.person.id if c.person else 0,
                     c.today, s.cal, s.rules, page, qt.PER_PAGE, c.store.urgency_of)
    view = View(qt.mine_text(pg, c.lang, c.today))
    view.rows += case_rows(c, [i.case for i in pg.items])
    view.rows.append(nav_row(c, spec, pg))
    return view


def _find(c: Ctx, spec: Spec, page: int, s: Sight) -> View:
    found = q.search(seen.found_cases(c.store, c.person, spec.text), spec.text)
    pg = q.paginate(found, page, qt.PER_PAGE)
    view = View(qt.find_text(spec.text, pg, c.lang))
    view.rows += case_rows(c, pg.items)
    view.rows.append(nav_row(c, spec, pg))
    return view


def _summary_view(c: Ctx, spec: Spec, summary: q.SummaryPage, *, handler: bool,
                  overdue: Spec) -> View:
    pg = summary.page
    view = View(qt.summary_text(summary, pg, c.lang, c.today, handler=handler))
    view.rows += case_rows(c, [i.case for i in pg.items])
    n_overdue = summary.counts[1]
    if n_overdue:
        view.rows.append([spec_button(c, c.t("qc.btn_overdue", n=n_overdue), overdue)])
    view.rows.append(nav_row(c, spec, pg))
    return view


def _out_of_sight(c: Ctx, cases: list[Case]) -> bool:
    """Whether a name's ``cases`` (all of them, seen or not) exist and the asker may see
    none of them."""
    return bool(cases) and not visible(c.person, cases)


def _division(c: Ctx, spec: Spec, page: int, s: Sight) -> View:
    named = seen.division_cases(c.store, spec.text)
    if _out_of_sight(c, named):
        return View(c.t("qc.hidden", name=esc(spec.text)))
    summary = q.division_page(visible(c.person, named), spec.text, c.today, s.cal, s.rules,
                              page, qt.PER_PAGE, c.store.urgency_of)
    return _summary_view(c, spec, summary, handler=True,
                         overdue=Spec("overdue", division=spec.text))


def _person(c: Ctx, spec: Spec, page: int, s: Sight) -> View:
    head: list[str] = []
    extra_rows: Rows = []
    for extra in app_state(c.context).person_extras:
        lines, rows = extra(c, spec.text, spec.person_id)
        head += lines
        extra_rows += rows
    if _out_of_sight(c, seen.handler_cases(c.store, spec.text)):
        view = View(c.t("qc.hidden", name=esc(spec.text)))
    else:
        named = c.store.ids_named(spec.text)
        ids = [spec.person_id] if spec.person_id in named else (named or None)
        chosen = (seen.owned_cases(c.store, ids) if ids is not None
                  else seen.handler_cases(c.store, spec.text))
        summary = q.person_page(visible(c.person, chosen), spec.text, c.today, s.cal,
                                s.rules, ids, page, qt.PER_PAGE, c.store.urgency_of)
        view = _summary_view(c, spec, summary, handler=False,
                             overdue=Spec("overdue", person=spec.text))
    if head:
        view.text = _join(head, [""], view.text.split("\n"))
    view.rows += extra_rows
    return view


#: from this many visible cases on, /progress counts them in a worker thread: it reads
#: every one (0.3-0.5 s at 50,000 cases, which held every other chat on the loop)
PROGRESS_OFF_LOOP = 5_000


def _progress_parts(cases: list[Case], today: dt.date, cal: Calendar, rules: RulesSource,
                    year: int, tally_of: q.TallyOf | None = None
                    ) -> tuple[q.Progress, list[str]]:
    """The year's progress and the divisions with open cases (pure: no store access)."""
    p = q.progress(cases, today, cal, rules, year=year, tally_of=tally_of)
    return p, list(p.open_divisions)


def _progress_view(c: Ctx, p: q.Progress, names: list[str]) -> View:
    view = View(_join(qt.progress_text(p, c.lang).split("\n"), seen_note(c)))
    if p.overdue:
        view.rows.append([spec_button(c, c.t("qc.btn_overdue", n=p.overdue), Spec("overdue"))])
    view.rows += division_rows(c, names[:MAX_DIVISION_BUTTONS])
    return view


def _progress(c: Ctx, spec: Spec, page: int, s: Sight) -> View:
    rules = rules_source(c.store)
    tally = progress_tally_of(c.store, c.today, s.cal, rules)
    return _progress_view(c, *_progress_parts(s.cases, c.today, s.cal, rules,
                                              spec.year or c.today.year, tally))


async def _progress_off_loop(c: Ctx, spec: Spec, s: Sight) -> View:
    """:func:`_progress`, counted in a worker thread over the shared case objects (never
    changed in place: a save replaces them) with the rules read here, on the loop; each
    case's facts kept for the day (``data.views.progress_tally_of``)."""
    rules = rules_source(c.store)
    tally = progress_tally_of(c.store, c.today, s.cal, rules)
    parts = await in_thread(_progress_parts, s.cases, c.today, s.cal, rules,
                            spec.year or c.today.year, tally)
    return _progress_view(c, *parts)


_BUILDERS: dict[str, Callable[[Ctx, Spec, int, Sight], View]] = {
    "overdue": _overdue, "due": _due, "mine": _mine, "find": _find, "division": _division,
    "person": _person, "progress": _progress,
}


async def show(c: Ctx, spec: Spec, page: int = 1, *, edit: bool = False) -> None:
    """Send the answer to ``spec`` (or put it in place of the message whose button was
    pressed, with ``edit``)."""
    s = sight(c)
    if spec.kind == "progress" and len(s.cases) >= PROGRESS_OFF_LOOP:
        view = await _progress_off_loop(c, spec, s)
    else:
        view = _BUILDERS[spec.kind](c, spec, page, s)
    if edit:
        await c.edit_or_reply(view.text, keyboard(view.rows))
    else:
        await c.reply(view.text, keyboard(view.rows))
        if spec.kind == "progress":  # the chart of the same cases (handlers/reportdoc.py)
            from handlers.reportdoc import progress_chart_later

            progress_chart_later(c, s.cases, spec.year or c.today.year)


# ---------------------------------------------------------------- from a question to a query


async def _resolve(c: Ctx, name: str, names: Sequence[str], kind: str,
                   make: Callable[[str], Spec]) -> str | None:
    """The one known name ``name`` designates; else ask which (buttons) or say not found."""
    found = q.resolve_name(name, names)
    if len(found) == 1:
        return found[0]
    if not found:
        await c.reply(c.t(f"qc.{kind}_unknown", name=esc(name)))
        return None
    rows = [[spec_button(c, n[:40], make(n))] for n in found[:20]]
    await c.reply(c.t(f"qc.which_{kind}", name=esc(name)), keyboard(rows))
    return None


async def _filters(c: Ctx, args: dict, make: Callable[..., Spec]) -> Spec | None:
    """The division / person / mine filters of an overdue or due question, resolved."""
    division = person = ""
    if args.get("division"):
        found = await _resolve(c, args["division"], known_divisions(c), "division",
                               lambda n: make(division=n, person=""))
        if found is None:
            return None
        division = found
    if args.get("person"):
        found = await _resolve(c, args["person"], known_people(c), "person",
                               lambda n: make(division=division, person=n))
        if found is None:
            return None
        person = found
    return make(division=division, person=person)


async def to_spec(c: Ctx, intent: Intent) -> Spec | None:
    """The query an intent asks for, its names resolved and its period read; None when the
    asker was answered already (a choice to make, a name not found, a period not read)."""
    name, args = intent.name, intent.args
    mine = bool(args.get("mine"))
    if name == "overdue":
        return await _filters(c, args, lambda **f: Spec("overdue", mine=mine, **f))
    if name == "due":
        try:
            start, end = parse_period(args.get("period") or DEFAULT_PERIOD, c.today,
                                      work_calendar(c.store))
        except DateError as err:
            await c.reply(esc(err.render(c.lang)))
            return None
        return await _filters(c, args,
                              lambda **f: Spec("due", start=start, end=end, mine=mine, **f))
    if name == "mine":
        return Spec("mine")
    if name == "find":
        return Spec("find", text=str(args.get("keyword", "")).strip())
    if name == "progress":
        return Spec("progress", year=int(args.get("year") or 0))
    if name == "division":
        target = str(args.get("name", "")).strip()
        if not target:
            await choose_division(c)
            return None
        found = await _resolve(c, target, known_divisions(c), "division",
                               lambda n: Spec("division", text=n))
        return Spec("division", text=found) if found else None
    if name == "person":
        target = str(args.get("name", "")).strip()
        if not target:
            await c.reply(c.t("q.name_usage"))
            return None
        found = await _resolve(c, target, known_people(c), "person",
                               lambda n: Spec("person", text=n))
        return Spec("person", text=found) if found else None
    raise ValueError(f"no query for intent {name!r}")


async def choose_division(c: Ctx) -> None:
    """``/division`` alone: one's own division, or the divisions one may look at."""
    p = c.person
    if p is not None and p.position in ("handler", "division_head") and p.division:
        await show(c, Spec("division", text=p.division))
        return
    names = (list(p.leads_divisions) if p is not None and p.position == "leader"
             else known_divisions(c))
    if len(names) == 1:
        await show(c, Spec("division", text=names[0]))
        return
    if not names:
        await c.reply(c.t("q.name_usage"))
        return
    await c.reply(c.t("qc.choose_division"), keyboard(division_rows(c, names[:30])))


def suggestion_rows(c: Ctx, intent: Intent) -> Rows:
    """Buttons for the suggested queries that need no argument."""
    row = []
    for name in intent.suggestions[:3]:
        if name in ("overdue", "mine", "progress"):
            row.append(spec_button(c, c.t(f"q.intent.{name}"), Spec(name)))
        elif name == "due":
            start, end = parse_period(DEFAULT_PERIOD, c.today, work_calendar(c.store))
            row.append(spec_button(c, c.t("q.intent.due"), Spec("due", start=start, end=end)))
    return [row]


async def answer(c: Ctx, intent: Intent) -> None:
    """Answer a recognised question (command or free text) for an approved person."""
    if intent.name == "case":
        case = await choose_or_show(c, str(intent.args.get("number", "")))
        if case is not None:
            await show_case(c, case)
        return
    if intent.name == "help":
        await c.reply(qt.help_text(c.lang))
        return
    if intent.name == "unknown":
        await c.reply(qt.unknown_text(intent, c.lang), keyboard(suggestion_rows(c, intent)))
        return
    answers = app_state(c.context).intent_answers
    if intent.name in answers:
        await answers[intent.name](c, intent)
        return
    spec = await to_spec(c, intent)
    if spec is not None:
        await show(c, spec)


def understand(c: Ctx, text: str) -> Intent:
    """The intent of ``text``, with the bureau's division and people names known."""
    return recognise(text[:MAX_QUESTION], *known_names(c))


async def answer_text(c: Ctx, text: str) -> Intent:
    """Recognise and answer ``text``; returns the intent (for tests and logs)."""
    intent = understand(c, text)
    await answer(c, intent)
    return intent


async def answer_person(c: Ctx, name: str, *, person_id: int = 0, edit: bool = False) -> None:
    """``/person NAME`` for everyone allowed: the person's open, overdue and done cases
    among those the asker may see (the office also gets the admin card, via
    :func:`add_person_extra`). With ``person_id``, the name is that person's, no resolving."""
    if person_id:
        await show(c, Spec("person", text=name, person_id=person_id), edit=edit)
        return
    spec = await to_spec(c, Intent("person", {"name": name}))
    if spec is not None:
        await show(c, spec, edit=edit)


# ---------------------------------------------------------------- commands and buttons


@guard("query")
async def query_cmd(c: Ctx) -> None:
    """Every query command: the command line goes through the intent recogniser."""
    message = c.update.effective_message
    await answer_text(c, message.text or "" if message is not None else "")


@button(QueryButton)
async def query_button(c: Ctx, b: QueryButton) -> None:
    """A drill-down button: the query it names, in a new message."""
    await _pressed(c, b, edit=False)


@button(QueryPageButton)
async def page_button(c: Ctx, b: QueryPageButton) -> None:
    """[上一页] / [下一页]: the same query at another page, in place of the list."""
    await _pressed(c, b, edit=True)


async def _pressed(c: Ctx, b: QueryButton, *, edit: bool) -> None:
    spec = spec_of_button(c, b)
    if spec is None:
        await c.answer(c.t("button.invalid"), alert=True)
        return
    await show(c, spec, b.page, edit=edit)


# ---------------------------------------------------------------- free text


def _claims(context: ContextTypes.DEFAULT_TYPE) -> dict[int, bool]:
    return context.application.bot_data.setdefault("_text_claims", {})


def taken_elsewhere(app: Application, update: Update) -> bool:
    """Whether a handler of the groups before the query handler (0 .. QUERY_GROUP-1) would
    take this update: a ConversationHandler with an active conversation whose state accepts
    it, or any other feature's text handler."""
    for group, handlers in list(app.handlers.items()):
        if 0 <= group < QUERY_GROUP:
            for handler in list(handlers):
                check = handler.check_update(update)
                if check is not None and check is not False:
                    return True
    return False


async def precheck_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before group 0 runs: note whether another feature will take this text."""
    claims = _claims(context)
    if len(claims) > 1000:  # entries of updates the query handler never saw
        claims.clear()
    claims[update.update_id] = taken_elsewhere(context.application, update)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in a private chat: a question, unless a conversation took it."""
    if _claims(context).pop(update.update_id, False):
        return
    if update.effective_user is None or update.effective_chat is None:
        return
    person = person_for(update, context)
    c = Ctx(update, context, person, lang_for(update, context, person))
    decision = decide(person, "query")
    if not decision:  # not approved, deactivated: that, and nothing else
        await c.refuse(decision.reason)
        return
    message = update.effective_message
    await answer_text(c, message.text or "" if message is not None else "")


#: the commands of this module (``/person`` is handlers.people's)
COMMANDS = ("overdue", "due", "mine", "find", "search", "division", "progress")


def register(app: Application) -> None:
    for name in COMMANDS:
        command(app, name, query_cmd)
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(text, precheck_text), group=PRECHECK_GROUP)
    app.add_handler(MessageHandler(text, on_text), group=QUERY_GROUP)
