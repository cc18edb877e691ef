"""Defect 9 over the wire: `slett mine data` leaves no trace of the person in any table.

Covered: projects they own, faggrupper they added, outbox payloads with their name, free text naming them, calendar
specs with their address, references of group chats where they spoke last; what the register counts stays. Calendar
specs drop addresses once booked.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.calendar.port import BookingStatus
from bot.calendar.store import BookingRepo
from bot.privacy.pseudonyms import pseudonym, pseudonym_key
from tests.broadcast_helpers import compose
from tests.fakes.connector import card_of
from tests.harness import TeamsClient, make_user
from tests.needs_support import NEED_OK, create_project, submit
from tests.test_bookings import graph_bot, spec  # noqa: F401  (graph_bot is a fixture)
from tests.test_broadcasts_e2e import bid_of, wait_done


def everything(db: Path) -> str:
    """Every value of every table of the SQLite file (APScheduler's too), as one text."""
    out = []
    with sqlite3.connect(db) as conn:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                out += [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row]
    return "\n".join(out)


async def test_erasure_over_the_wire_leaves_no_trace(teams: TeamsClient, bot, leader, members, tmp_path: Path):
    marta = make_user("Marta Merket")
    s = bot.services
    group = teams.group("Oppvekst", [leader, marta, members[0]])
    await teams.install(group, leader)
    await teams.send(group, leader, "registrer Oppvekst")
    await teams.send(group, leader, "leder legg til", mentions=[marta])
    # As a leader, Marta adds a faggruppe (in a chat named after her), owns a project and broadcasts.
    named = teams.group("Møte med Marta Merket", [marta, members[0]])
    await teams.install(named, marta)
    await teams.send(named, marta, "registrer Kystsamarbeid")
    await create_project(teams, marta, "Kystportal", ["Oppvekst", "Kystsamarbeid"])
    personal = teams.personal(marta)
    preview = await compose(teams, personal, marta, title="Fra prosjektlederen")
    await teams.press(personal, marta, preview, "Send")
    await wait_done(bot, teams, bid_of(preview))
    assert any(marta.name in json.dumps(card_of(a), ensure_ascii=False) for a in teams.connector.sent(group.id))
    # An input whose free text names her; a calendar event waiting to be sent with her address.
    problem = f"Spør {marta.name} ({marta.upn}) om papirskjemaene"
    saved = await submit(teams, group, marta, "need", {**NEED_OK, "problem": problem})
    assert saved.status == 200
    await BookingRepo(s.db).put("gate:99", s.clock.now(), state="pending",
                                spec={"subject": "Frist", "attendees": [marta.upn, members[0].upn]})
    db = tmp_path / "bot.db"
    for needle in (marta.aad, marta.name, marta.upn):
        assert needle in everything(db)

    card = (await teams.send(personal, marta, "slett mine data")).card
    done = await teams.press(personal, marta, card, verb="privacy.erase")
    assert "slettet" in done.invoke_message

    left = everything(db)
    for needle in (marta.aad, marta.id, marta.name, marta.upn):
        assert needle not in left, needle
    alias = pseudonym(marta.aad, await pseudonym_key(s))
    assert (await s.projects.by_name("Kystportal")).owner_id == alias
    entries = await s.needs.by_project((await s.projects.by_name("Kystportal")).id)
    assert len(entries) == 1 and entries[0].submitter_id == alias  # the register still counts her input
    assert members[0].upn in left  # the other attendee is still invited
    # The chat where she spoke last still gets broadcasts (its stored reference lost her, not the chat).
    again = await compose(teams, teams.personal(leader), leader, title="Etter slettingen")
    await teams.press(teams.personal(leader), leader, again, "Send")
    await wait_done(bot, teams, bid_of(again))
    assert any("Etter slettingen" in json.dumps(card_of(a), ensure_ascii=False) for a in teams.connector.sent(named.id))


async def test_calendar_specs_keep_addresses_only_until_booked(graph_bot, fake_graph, members):  # noqa: F811
    bookings = graph_bot.services.bookings
    repo = BookingRepo(graph_bot.services.db)
    settled = asyncio.Event()

    async def listener(status: BookingStatus) -> None:
        settled.set()

    bookings.on_change("poll:", listener)
    fake_graph.fault(503, method="POST", path="/events")
    pending = await bookings.book("poll:7", spec())
    assert pending.state == "pending"
    assert (await repo.get("poll:7")).spec["attendees"] == ["kari@digitalehelgeland.no"]  # needed for the retry
    await asyncio.wait_for(settled.wait(), 20)
    booked = await repo.get("poll:7")
    assert booked.state == "booked" and booked.spec["attendees"] == []
    event = fake_graph.events[booked.event_id]
    assert "kari@digitalehelgeland.no" in json.dumps(event["attendees"])  # the calendar has them; the bot does not


async def test_retention_forgets_settled_bookings(bot, clock):
    s = bot.services
    await s.bookings.book("poll:8", spec())  # Graph is off: nothing will be sent, so no address is kept
    assert (await BookingRepo(s.db).get("poll:8")).spec["attendees"] == []
    from bot.privacy.service import run_retention

    clock.advance(timedelta(days=s.settings.retention_polls_days + 1))
    await run_retention(s)
    assert await BookingRepo(s.db).get("poll:8") is None
