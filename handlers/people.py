"""Joining and people admin: approval by the office, /people, /person, deactivation.

Joining: an unknown user's /start records a join request (table ``join_requests``) and
tells every office admin once a day at most, with [批准为承办人] [批准为处室负责人]
[批准为局领导] [拒绝]. Approving a handler or division head asks for the division; the
account is linked to the person of the people list whose name fits (asking when several
do), or a new person is made. Buttons name the request; a request already decided says so.
"""

from __future__ import annotations

import logging
import zlib

from telegram.ext import Application, MessageHandler, filters

from bot.domain.access import can, decide
from bot.domain.model import MAX_NAME, POSITIONS, Person
from bot.domain.people import (
    display_name,
    divisions,
    match_people,
    namesakes,
    namesakes_of,
    open_cases_of,
)
from bot.domain.text import clean_name
from data.tables import JOIN_REQUESTS, JoinRequests
from handlers import LEFTOVER_GROUP
from handlers.buttons import JoinButton, PeoplePage, PersonButton
from handlers.cards import case_line
from handlers.common import Ctx, btn, button, command, esc, guard, keyboard
from handlers.queries import add_person_extra, answer_person

log = logging.getLogger("duban.people")

JOIN_TABLE = JOIN_REQUESTS
#: approval buttons: code in the callback data -> position
APPROVE_AS = {"h": "handler", "d": "division_head", "l": "leader"}
PEOPLE_PAGE = 40


# ---------------------------------------------------------------- joining


async def on_join_request(c: Ctx) -> None:
    """An unknown or unapproved user sent /start: record it, tell the office (once a day)."""
    user = c.update.effective_user
    assert user is not None  # the guard passes on only updates from a user
    requests = JoinRequests(c.store)
    today = c.today.isoformat()
    found = requests.of_telegram(user.id)
    if found is not None and found.get("status") == "pending" and found.get("notified") == today:
        return  # the office was told today already
    name, full = join_name(user.first_name, user.last_name)
    fields = {"telegram": user.id, "name": name, "full_name": full,
              "first_name": clean_name(user.first_name or ""),
              "last_name": clean_name(user.last_name or ""),
              "username": clean_name(user.username or "").lstrip("@")[:64],
              "status": "pending", "notified": today, "requested_at": c.now.isoformat(),
              "returning": 0}
    known = c.store.person_by_telegram(user.id)  # deactivated (or not yet approved) since
    if known is not None:
        fields["returning"] = known.id
    if found is None:
        req_id = requests.add(fields)
    else:
        req_id = found["id"]
        requests.update(req_id, fields)
    for admin in office_admins(c.store):
        try:
            assert admin.telegram is not None  # office_admins are linked
            await c.context.bot.send_message(
                admin.telegram, join_text(c, admin.language, fields),
                reply_markup=join_keyboard(c, admin.language, req_id))
        except Exception:  # an admin who blocked the bot must not stop the others
            log.warning("could not tell admin %s about join request %s", admin.name, req_id,
                        exc_info=True)


def join_name(first: str | None, last: str | None) -> tuple[str, str]:
    """A Telegram profile's name as a person's name (cleaned, bot.domain.text) and the whole
    name when it had to be cut to MAX_NAME (else "")."""
    whole = clean_name(" ".join(p for p in (first, last) if p))
    if len(whole) <= MAX_NAME:
        return whole, ""
    return whole[:MAX_NAME].rstrip(), whole


def office_admins(store) -> list[Person]:
    return [p for p in store.people()
            if p.position == "office" and p.approved and p.active and p.linked]


def join_text(c: Ctx, lang: str, req: dict) -> str:
    from bot.texts import t

    username = f" @{esc(req['username'])}" if req.get("username") else ""
    returning = c.store.get_person(req["returning"]) if req.get("returning") else None
    if returning is not None:
        where = f" · {esc(returning.division)}" if returning.division else ""
        state = t("join.deactivated" if not returning.active else "join.unapproved", lang)
        text = t("join.returning", lang, name=esc(returning.name), username=username,
                 id=req["telegram"], position=t(f"position.{returning.position}", lang),
                 division=where, state=state)
    else:
        text = t("join.request", lang, name=esc(req["name"] or "?"), username=username,
                 id=req["telegram"])
    if req.get("full_name"):
        text += "\n" + t("join.name_cut", lang, full=esc(req["full_name"]), n=MAX_NAME,
                         name=esc(req["name"]))
    return text


def join_keyboard(c: Ctx, lang: str, req_id: int):
    from bot.texts import t

    req: dict = c.store.table(JOIN_TABLE).get(doc_id=req_id) or {}
    if req.get("returning"):
        return keyboard([[btn(c.context, t("join.reactivate", lang), JoinButton(req_id, "r")),
                          btn(c.context, t("join.reject", lang), JoinButton(req_id, "x"))]])
    return keyboard([
        [btn(c.context, t("join.as_handler", lang), JoinButton(req_id, "h")),
         btn(c.context, t("join.as_division_head", lang), JoinButton(req_id, "d"))],
        [btn(c.context, t("join.as_leader", lang), JoinButton(req_id, "l")),
         btn(c.context, t("join.reject", lang), JoinButton(req_id, "x"))],
    ])


@button(JoinButton)
async def join_button(c: Ctx, b: JoinButton) -> None:
    """[批准为…] / [拒绝] on a join request; with a division or a person when asked."""
    decision = decide(c.person, "approve_people")
    if not decision:
        await c.refuse(decision.reason)
        return
    req_id, code = b.request_id, b.choice
    req = JoinRequests(c.store).pending(req_id)
    if req is None:
        await c.answer(c.t("join.already_decided"), alert=True)
        return
    if code == "x":
        JoinRequests(c.store).update(req_id, {"status": "rejected", "decided_by": c.who})
        await c.edit_or_reply(c.t("join.rejected_admin", name=esc(req["name"])))
        await _tell(c, req["telegram"], "join.rejected_user")
        return
    if code == "r" or req.get("returning"):
        await _reactivate(c, req_id, req, code)
        return
    position = APPROVE_AS.get(code)
    if position is None:
        await c.answer(c.t("button.invalid"), alert=True)
        return
    # a person of the list that fits the profile? (third argument: chosen person id, or 0 = new)
    chosen = b.person
    people = c.store.people()
    if chosen is None:
        # a name is not a person: when the list has someone of that name, the office says
        # whether this is them (link) or somebody else (a new person, told apart by division)
        matches = match_people(people, req["first_name"], req["last_name"], req["username"])
        taken = [p for p in namesakes_of(req["name"], people) if p.linked]
        if matches:
            rows = [[btn(c.context, f"{m.name} · {c.t(f'position.{m.position}')} {m.division}"[:60],
                         JoinButton(req_id, code, m.id))] for m in matches[:10]]
            rows.append([btn(c.context, c.t("join.new_person"), JoinButton(req_id, code, 0))])
            text = c.t("join.which_person", name=esc(req["name"]))
            if taken:
                text += "\n" + _namesake_note(c, taken)
            await c.edit_or_reply(text, keyboard(rows))
            return
        chosen = 0
    person = c.store.get_person(chosen) if chosen else None
    if person is not None and person.linked:
        await c.answer(c.t("join.person_taken", name=esc(person.name)), alert=True)
        return
    # the division, when the position needs one and it is not known
    index = b.division
    needs_division = position in ("handler", "division_head")
    known = person.division if person is not None else ""
    if needs_division and not known and index is None:
        names = divisions(people, c.store.cases())
        JoinRequests(c.store).update(req_id, {"divisions": names})
        rows = [[btn(c.context, name[:30], JoinButton(req_id, code, chosen, i))]
                for i, name in enumerate(names[:30])]
        await c.edit_or_reply(c.t("join.which_division", name=esc(req["name"]),
                                  position=c.t(f"position.{position}")), keyboard(rows))
        return
    division = None
    if index is not None:
        names = req.get("divisions") or []
        if index >= len(names):
            await c.answer(c.t("button.invalid"), alert=True)
            return
        division = names[index]
    await _approve(c, req_id, req, position, person, division or known)


def _namesake_note(c: Ctx, others: list[Person], shown: str = "") -> str:
    names = "、".join(esc(f"{p.name}({p.division or '—'})") for p in others[:5])
    if shown:
        return c.t("join.namesake_new", others=names, shown=esc(shown))
    return c.t("join.namesake_linked", others=names)


async def _reactivate(c: Ctx, req_id: int, req: dict, code: str) -> None:
    """[重新启用] on a returning person's request: the same person, active and approved again
    (position and division as they were)."""
    person = c.store.get_person(int(req.get("returning") or 0))
    if code != "r" or person is None or person.telegram != req["telegram"]:
        await c.answer(c.t("button.invalid"), alert=True)
        return
    with c.store.transaction():
        person.active, person.approved, person.reachable = True, True, True
        person = c.store.save_person(person, c.who, note="reactivated on /start")
        c.store.table(JOIN_TABLE).update({"status": "approved", "decided_by": c.who,
                                          "person": person.id}, doc_ids=[req_id])
    where = f" · {esc(person.division)}" if person.division else ""
    position = c.t(f"position.{person.position}")
    await c.edit_or_reply(c.t("join.reactivated_admin", name=esc(person.name),
                              position=position, division=where))
    from bot.texts import t

    assert person.telegram is not None  # a reactivated person is linked
    await c.context.bot.send_message(
        person.telegram, t("join.welcome", person.language, name=esc(person.name),
                           position=t(f"position.{person.position}", person.language),
                           division=where))


async def _approve(c: Ctx, req_id: int, req: dict, position: str, person: Person | None,
                   division: str) -> None:
    store = c.store
    if person is None:  # linked meanwhile (a request from before this version): that person
        person = store.person_by_telegram(req["telegram"])
    with store.transaction():
        if person is None:
            person = Person(name=req["name"] or str(req["telegram"]), position=position,
                            division=division if position != "leader" else "",
                            telegram=req["telegram"], username=req["username"], approved=True)
            person = store.add_person(person, c.who)
        else:
            person.position = position
            if position != "leader":
                person.division = division
            person.telegram, person.approved, person.active = req["telegram"], True, True
            person.username = person.username or req["username"]
            person.validate()
            person = store.save_person(person, c.who)
        JoinRequests(store).update(req_id, {"status": "approved", "decided_by": c.who,
                                            "person": person.id})
    where = f" · {esc(person.division)}" if person.division else ""
    text = c.t("join.approved_admin", name=esc(person.name),
               position=c.t(f"position.{position}"), division=where)
    others = [p for p in namesakes_of(person.name, store.people()) if p.id != person.id]
    if others:  # a namesake: a different person, shown with the division from now on
        text += "\n" + _namesake_note(c, others, shown=display_name(
            person, namesakes(store.people())))
    if position == "leader" and not person.leads_divisions:
        # a leader in charge sees only the divisions they lead: ask now, not later
        lines, rows = leads_picker(c, person)
        await c.edit_or_reply("\n".join([text, *lines]), keyboard(rows) if rows else None)
    else:
        await c.edit_or_reply(text)
    from bot.texts import t

    assert person.telegram is not None  # just linked to the request's account
    assert person.telegram is not None  # a reactivated person is linked
    await c.context.bot.send_message(
        person.telegram, t("join.welcome", person.language, name=esc(person.name),
                           position=t(f"position.{position}", person.language), division=where))


async def _tell(c: Ctx, telegram_id: int, key: str) -> None:
    from bot.texts import t

    try:
        lang = c.context.application.bot_data["config"].lang
        await c.context.bot.send_message(telegram_id, t(key, lang))
    except Exception:
        log.info("could not tell user %s (%s)", telegram_id, key)


# ---------------------------------------------------------------- /people, /person


@guard("manage_people")
async def people_cmd(c: Ctx) -> None:
    await show_people(c, 0, edit=False)


@button(PeoplePage)
async def people_button(c: Ctx, b: PeoplePage) -> None:
    decision = decide(c.person, "manage_people")
    if not decision:
        await c.refuse(decision.reason)
        return
    await show_people(c, b.page, edit=True)


async def show_people(c: Ctx, page: int, *, edit: bool) -> None:
    people = sorted(c.store.people(),
                    key=lambda p: (p.division or "~", POSITIONS.index(p.position), p.name))
    lines: list[str] = []
    current = None
    for p in people:
        group = p.division or c.t("people.no_division")
        if group != current:
            lines.append(f"<b>{esc(group)}</b>")
            current = group
        state = "✓" if p.linked else "✗"
        flags = []
        if not p.active:
            flags.append(c.t("people.inactive"))
        elif not p.approved:
            flags.append(c.t("people.unapproved"))
        if p.linked and not p.reachable:
            flags.append(c.t("people.not_started" if p.never_started else "people.unreachable"))
        extra = f"({'、'.join(flags)})" if flags else ""
        lines.append(f" {state} {esc(p.name)} · {c.t(f'position.{p.position}')}{extra}")
    pages = max(1, -(-len(lines) // PEOPLE_PAGE))
    page = min(max(page, 0), pages - 1)
    body = lines[page * PEOPLE_PAGE:(page + 1) * PEOPLE_PAGE]
    header = c.t("people.header", n=len(people), page=page + 1, pages=pages)
    nav = []
    if page > 0:
        nav.append(btn(c.context, c.t("page.prev"), PeoplePage(page - 1)))
    if page + 1 < pages:
        nav.append(btn(c.context, c.t("page.next"), PeoplePage(page + 1)))
    text = "\n".join([header, c.t("people.legend"), *body])
    if edit:
        await c.edit_or_reply(text, keyboard([nav]))
    else:
        await c.reply(text, keyboard([nav]))


@guard("query")
async def person_cmd(c: Ctx) -> None:
    """``/person NAME``: for everyone, the query "by person" (open / overdue / done among the
    cases the asker may see, handlers.queries); the office also gets the admin card and
    buttons (position, division, deactivate) of the person of the list with that name."""
    name = clean_name(" ".join(c.words))  # compared as stored: "张三\u200b" is 张三
    if not name:
        await c.reply(c.t("person.usage"))
        return
    if can(c.person, "manage_people"):
        found = c.store.people_named(name)
        if len(found) > 1:
            rows = [[btn(c.context, f"{p.name} · {c.t(f'position.{p.position}')} {p.division}"[:60],
                         PersonButton(p.id))] for p in found[:10]]
            await c.reply(c.t("person.which", name=esc(name)), keyboard(rows))
            return
        if found:
            await show_person(c, found[0], edit=False)
            return
    await answer_person(c, name)


def person_text(c: Ctx, p: Person) -> str:
    lines = [f"<b>{esc(p.name)}</b> · {c.t(f'position.{p.position}')}"]
    if p.division:
        lines.append(c.t("person.division", division=esc(p.division)))
    if p.leads_divisions:
        lines.append(c.t("person.leads", divisions=esc("、".join(p.leads_divisions))))
    link = c.t("person.linked", id=p.telegram) if p.linked else c.t("person.not_linked")
    lines.append(link)
    state = [c.t("person.active" if p.active else "person.inactive")]
    if p.linked and not p.reachable:
        state.append(c.t("people.not_started" if p.never_started else "people.unreachable"))
    lines.append(" · ".join(state))
    return "\n".join(lines)


def admin_rows(c: Ctx, p: Person) -> list[list]:
    return [[btn(c.context, c.t("person.btn_position"), PersonButton(p.id, "pos")),
             btn(c.context, c.t("person.btn_division"), PersonButton(p.id, "div"))],
            [btn(c.context, c.t("person.btn_deactivate" if p.active else "person.btn_activate"),
                 PersonButton(p.id, "off" if p.active else "on"))]]


def admin_part(c: Ctx, name: str, person_id: int) -> tuple[list[str], list[list]]:
    """For the office, above a person's cases: their card; below: the admin buttons."""
    if not can(c.person, "manage_people"):
        return [], []
    person = c.store.get_person(person_id) if person_id else None
    if person is None:
        found = c.store.people_named(name)
        person = found[0] if len(found) == 1 else None
    if person is None:
        return [], []
    return [person_text(c, person)], admin_rows(c, person)


def leads_picker(c: Ctx, person: Person) -> tuple[list[str], list[list]]:
    """The question "which divisions does this leader lead?" with a toggle button for each
    known division (✓ when chosen) and [完成]: ``PersonButton(id, "lead", i, digest)`` /
    ``PersonButton(id)``."""
    names = divisions(c.store.people(), c.store.cases())
    if not names:
        return [c.t("leads.no_divisions", name=esc(person.name))], []
    chosen = person.leads_divisions
    now = esc("、".join(chosen)) if chosen else c.t("leads.none_yet")
    lines = [c.t("leads.ask", name=esc(person.name)), c.t("leads.now", divisions=now)]
    digest = _digest(names)
    rows = [[btn(c.context, ("✓ " if n in chosen else "") + n[:30],
                 PersonButton(person.id, "lead", str(i), digest))]
            for i, n in enumerate(names[:30])]
    rows.append([btn(c.context, c.t("leads.btn_done"), PersonButton(person.id))])
    return lines, rows


async def show_person(c: Ctx, p: Person, *, edit: bool) -> None:
    """The person's cases (as the query "by person"), with the card and buttons of admin."""
    await answer_person(c, p.name, person_id=p.id, edit=edit)


@button(PersonButton)
async def person_button(c: Ctx, b: PersonButton) -> None:
    """[改职务] [改处室] [停用]/[启用] and their choices (:class:`PersonButton`)."""
    decision = decide(c.person, "manage_people")
    if not decision:
        await c.refuse(decision.reason)
        return
    person = c.store.get_person(b.person_id)
    if person is None:
        await c.answer(c.t("person.gone"), alert=True)
        return
    op, value = b.op, b.value
    if op == "":
        await show_person(c, person, edit=True)
    elif op == "pos" and value is None:
        rows = [[btn(c.context, c.t(f"position.{pos}"), PersonButton(person.id, "pos", str(i)))]
                for i, pos in enumerate(POSITIONS)]
        await c.edit_or_reply(c.t("person.choose_position", name=esc(person.name)), keyboard(rows))
    elif op == "pos" and value is not None:
        if not value.isdigit() or int(value) >= len(POSITIONS):
            await c.answer(c.t("button.invalid"), alert=True)
            return
        await _change(c, person, position=POSITIONS[int(value)])
    elif op == "div" and value is None:
        names = divisions(c.store.people(), c.store.cases())
        digest = _digest(names)
        rows = [[btn(c.context, n[:30], PersonButton(person.id, "div", str(i), digest))]
                for i, n in enumerate(names[:30])]
        await c.edit_or_reply(c.t("person.choose_division", name=esc(person.name)), keyboard(rows))
    elif op == "div" and value is not None:
        if (name := await _picked_division(c, value, b.digest)) is None:
            return
        if person.position == "leader":
            leads = list(person.leads_divisions)
            leads = [d for d in leads if d != name] if name in leads else leads + [name]
            await _change(c, person, leads_divisions=leads)
        else:
            await _change(c, person, division=name)
    elif op == "lead":  # the approval's question: toggle one division the leader leads
        if person.position != "leader" or value is None:
            await c.answer(c.t("button.invalid"), alert=True)
            return
        if (name := await _picked_division(c, value, b.digest)) is None:
            return
        leads = list(person.leads_divisions)
        person.leads_divisions = ([d for d in leads if d != name] if name in leads
                                  else leads + [name])
        person.validate()
        person = c.store.save_person(person, c.who)
        lines, rows = leads_picker(c, person)
        await c.edit_or_reply("\n".join(lines), keyboard(rows))
    elif op == "off":
        held = open_cases_of(person, c.store.cases())
        if held and value != "yes":
            lines = [c.t("person.deactivate_warning", name=esc(person.name), n=len(held))]
            lines += [" · " + case_line(k, c.lang) for k in held[:20]]
            rows = [[btn(c.context, c.t("person.btn_confirm_deactivate"),
                         PersonButton(person.id, "off", "yes")),
                     btn(c.context, c.t("common.cancel"), PersonButton(person.id))]]
            await c.edit_or_reply("\n".join(lines), keyboard(rows))
            return
        await _change(c, person, active=False)
    elif op == "on":
        await _change(c, person, active=True)
    else:
        await c.answer(c.t("button.invalid"), alert=True)


async def _change(c: Ctx, person: Person, **changes) -> None:
    from bot.domain.model import ValidationError

    for key, value in changes.items():
        setattr(person, key, value)
    try:
        person.validate()
    except ValidationError as exc:
        await c.answer(exc.render(c.lang), alert=True)
        return
    person = c.store.save_person(person, c.who)
    await show_person(c, person, edit=True)


def _digest(names: list[str]) -> str:
    """A short fingerprint of a list of choices: a button made for another list is stale."""
    return format(zlib.crc32("\n".join(names).encode()), "x")


async def _picked_division(c: Ctx, value: str, digest: str | None) -> str | None:
    """The division a division button names, or None once the press is refused (the list
    changed since the buttons were drawn (``digest``), or the index is not one of them)."""
    names = divisions(c.store.people(), c.store.cases())
    if digest is None or digest != _digest(names):
        await c.answer(c.t("button.stale_choice"), alert=True)
        return None
    if not value.isdigit() or int(value) >= len(names):
        await c.answer(c.t("button.invalid"), alert=True)
        return None
    return names[int(value)]


# ---------------------------------------------------------------- odd updates


async def on_edited(update, context) -> None:
    """An edited message is not re-run: say so, once, instead of acting twice."""
    from handlers.common import lang_for

    if update.effective_chat is None or update.effective_chat.type != "private":
        return
    from bot.texts import t

    await context.bot.send_message(update.effective_chat.id,
                                   t("misc.edited_ignored", lang_for(update, context)))


async def on_media(update, context) -> None:
    from bot.texts import t
    from handlers.common import lang_for

    if update.effective_chat is None or update.effective_chat.type != "private":
        return
    await context.bot.send_message(update.effective_chat.id,
                                   t("misc.unsupported_media", lang_for(update, context)))


def register(app: Application) -> None:
    app.bot_data["on_join_request"] = on_join_request
    command(app, "people", people_cmd)
    command(app, "person", person_cmd)
    add_person_extra(app, admin_part)
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edited),
                    group=LEFTOVER_GROUP)
    app.add_handler(MessageHandler(
        filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.Document.ALL
        & ~filters.StatusUpdate.ALL,
        on_media), group=LEFTOVER_GROUP)

