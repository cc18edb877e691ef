"""/api/tab/polls: open and closed meeting polls with response rate and who has not answered; close and book for the
creator or a leader (the chat's rule, bot.polls.model.ensure_can_close, and the chat's close-and-book path)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.kernel.cardinput import optional_id, require_id
from bot.kernel.errors import NotAllowed, NotFound
from bot.kernel.people import Person
from bot.messages import t
from bot.polls.model import OPEN, Poll, ensure_can_close, rank, voters
from bot.polls.service import ops
from bot.services import Services
from bot.tab.web import api, json_body

RECENT = 50


def _sees(person: Person, poll: Poll, voted: set[int]) -> bool:
    """Whether the person may see the poll in the tab."""
    # Leaders and the secretariat see every poll; others the polls they made or answered.
    return person.can_export or poll.creator_id == person.id or poll.id in voted


def _local(services: Services, when: Any) -> str:
    """A time in the organisation's time zone as text ("" for none)."""
    return when.astimezone(services.settings.tz).strftime("%Y-%m-%d %H:%M") if when else ""


async def _poll_json(services: Services, poll: Poll, person: Person, locale: str) -> dict[str, Any]:
    """One poll as the tab shows it: who has not answered (while open), and the counts unless the answers are hidden."""
    o = ops(services)
    votes = await o.repo.votes(poll.id)
    answered = voters(votes)
    conv = await services.conversations.get(poll.conversation_id)
    out: dict[str, Any] = {
        "id": poll.id, "title": poll.title, "state": poll.state, "creator": poll.creator_name,
        "chat": (conv.name or conv.faggruppe or "") if conv else "", "deadline": _local(services, poll.deadline),
        "answered": len(answered), "members": None, "missing": [],
        "can_close": poll.state == OPEN and (person.id == poll.creator_id or person.is_leader),
        "chosen": _local(services, poll.chosen.start) if poll.chosen else "", "booking": poll.booking_state,
        "join_url": poll.join_url,
    }
    if poll.state == OPEN:  # the member list comes from Teams (cached); closed polls keep their answers only
        members = [m for m in await o.members(poll.conversation_id) if m.get("id")]
        out["members"] = len(members)
        out["missing"] = sorted(m.get("name") or "?" for m in members if m["id"] not in answered)
    show = poll.state != OPEN or not poll.hidden or person.id == poll.creator_id or person.is_leader
    out["slots"] = [{"id": st.slot.id, "start": _local(services, st.slot.start), "yes": st.counts.yes,
                     "maybe": st.counts.maybe, "no": st.counts.no} for st in rank(poll, votes)] if show else []
    out["state_label"] = t(f"tab.poll.state.{poll.state}", locale)
    return out


@api
async def listing(_request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """GET /api/tab/polls: the polls this person may see, newest first."""
    o = ops(services)
    voted = set(await o.repo.polls_voted_by(person.id))
    polls = [p for p in await o.repo.recent(RECENT) if _sees(person, p, voted)]
    return web.json_response({"items": [await _poll_json(services, p, person, locale) for p in polls]})


@api
async def close(request: web.Request, services: Services, person: Person, locale: str) -> web.Response:
    """POST /api/tab/polls/{id}/close {slot_id?}: close on the chosen (or best) slot and book it, as in chat."""
    o = ops(services)
    poll = await o.repo.get(require_id(request.match_info, "poll_id"))
    if poll is None:
        raise NotFound()
    voted = set(await o.repo.polls_voted_by(person.id))
    if not _sees(person, poll, voted):
        raise NotAllowed("polls.close_not_allowed")
    ensure_can_close(poll, person)
    body = await json_body(request) if request.can_read_body else {}
    slot_id = optional_id(body, "slot_id")
    if slot_id is not None:
        poll.slot(slot_id)
    await o.close(poll, person, slot_id)  # books in the background, as the chat's close does
    fresh = await o.repo.get(poll.id)
    return web.json_response({"ok": True, "poll": await _poll_json(services, fresh or poll, person, locale),
                              "message": t("tab.poll.closed", locale)})


def install(app: web.Application) -> None:
    """Mount the polls API."""
    app.router.add_get("/api/tab/polls", listing)
    app.router.add_post("/api/tab/polls/{poll_id}/close", close)
