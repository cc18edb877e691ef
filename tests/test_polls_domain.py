"""Meeting polls: form rules, best slot, DST-correct labels, card size, storage on PostgreSQL, privacy."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.kernel.errors import Conflict, InvalidInput, NotAllowed
from bot.kernel.people import Person, Role
from bot.messages import t
from bot.polls.form import parse_form
from bot.polls.model import (
    MAYBE,
    NO,
    YES,
    Poll,
    Slot,
    Vote,
    attendees,
    best_slot,
    ensure_can_close,
    ensure_can_vote,
)
from bot.storage.db import Database
from cards.polls import local_label
from tests.card_fixtures.polls import fixtures

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def _t(key: str, **p: object) -> str:
    return t(key, "nb-NO", **p)


def form(**kw: str) -> dict[str, str]:
    data = {"title": "Møte", "duration": "60", "slot_date_0": "2026-03-27", "slot_time_0": "10:00",
            "slot_date_1": "2026-03-30", "slot_time_1": "10:00"}
    data.update(kw)
    return data


def errors(data: dict[str, str]) -> dict:
    with pytest.raises(InvalidInput) as e:
        parse_form(data, tz=OSLO, now=NOW)
    return e.value.fields


def test_valid_form_converts_local_times_dst_correctly():
    draft = parse_form(form(deadline_date="2026-03-26"), tz=OSLO, now=NOW)
    # 27 March is winter time (UTC+1), 30 March summer time (UTC+2)
    assert [s.hour for s in draft.starts] == [9, 8]
    assert draft.deadline == datetime(2026, 3, 26, 11, 0, tzinfo=UTC)
    assert draft.online and draft.duration_min == 60


def test_form_errors():
    assert errors(form(title=" "))["title"] == "polls.err.title_empty"
    assert errors(form(slot_date_1="2026-03-01"))["slot_1"] == "polls.err.slot_past"
    assert errors(form(slot_date_1="2026-03-27"))["slot_1"] == "polls.err.slot_duplicate"
    assert errors(form(slot_date_1="", slot_time_1=""))["slots"][0] == "polls.err.too_few"
    assert errors(form(slot_time_1=""))["slot_1"] == "polls.err.slot_incomplete"
    assert errors(form(deadline_date="2026-03-28"))["deadline"] == "polls.err.deadline_after_first"
    assert errors(form(deadline_date="2026-03-19"))["deadline"] == "polls.err.deadline_past"
    assert errors(form(duration="custom", duration_custom="1000"))["duration_custom"][0] == "polls.err.duration"
    assert errors(form(mode="place"))["location"] == "polls.err.location_empty"
    assert parse_form(form(duration="custom", duration_custom="45"), tz=OSLO, now=NOW).duration_min == 45


def _poll(**kw) -> Poll:
    slots = (Slot(1, NOW + timedelta(days=2)), Slot(2, NOW + timedelta(days=1)), Slot(3, NOW + timedelta(days=3)))
    return Poll(id=1, conversation_id="c", creator_id="creator", title="x", duration_min=60, slots=slots, **kw)


def test_best_slot_rule():
    poll = _poll()
    assert best_slot(poll, []).id == 2  # no votes: earliest
    votes = [Vote(1, "a", YES), Vote(3, "b", YES), Vote(3, "c", MAYBE), Vote(1, "d", NO)]
    assert best_slot(poll, votes).id == 3  # tie on Ja, more Om nødvendig wins
    votes.append(Vote(1, "e", MAYBE))
    assert best_slot(poll, votes).id == 3  # as many can come to 1 and 3, but someone said Nei to 1
    votes.append(Vote(3, "d", NO))
    assert best_slot(poll, votes).id == 1  # tie on can, Nei, Ja and Om nødvendig: earliest
    # a slot few answered (no Nei, many blanks) does not beat one most can attend
    blanks = [Vote(1, p, YES) for p in "abcde"] + [Vote(1, "f", NO), Vote(2, "a", YES)]
    assert best_slot(poll, blanks).id == 1
    assert attendees(1, votes, ["a", "d", "z"]) == ["a", "z"]


def test_state_rules():
    poll = _poll(deadline=NOW + timedelta(hours=1))
    ensure_can_vote(poll, 1, YES, NOW)
    with pytest.raises(Conflict):
        ensure_can_vote(poll, 1, YES, NOW + timedelta(hours=2))
    with pytest.raises(Conflict):
        ensure_can_vote(_poll(state="closed"), 1, YES, NOW)
    with pytest.raises(NotAllowed):
        ensure_can_close(poll, Person("someone"))
    ensure_can_close(poll, Person("creator"))
    ensure_can_close(poll, Person("boss", role=Role.LEADER))


def test_local_labels_across_dst():
    winter = local_label(_t, datetime(2026, 3, 27, 9, 0, tzinfo=UTC), datetime(2026, 3, 27, 10, 0, tzinfo=UTC), OSLO)
    summer = local_label(_t, datetime(2026, 3, 30, 8, 0, tzinfo=UTC), datetime(2026, 3, 30, 9, 0, tzinfo=UTC), OSLO)
    assert winter == "fre. 27. mars kl. 10.00–11.00"
    assert summer == "man. 30. mars kl. 10.00–11.00"


def test_poll_card_size_with_ten_slots_and_sixty_voters():
    for name, card in fixtures().items():
        size = len(json.dumps(card, ensure_ascii=False).encode())
        assert size < 40_000, (name, size)
    generic = fixtures()["poll_open_generic"]
    assert len(generic["refresh"]["userIds"]) == 60
    assert not [el for el in generic["body"] if el.get("type", "").startswith("Chart.")]  # the counts say it all
    names = next(el for el in generic["body"] if el.get("id") == "poll-names")
    assert names["isVisible"] is False


@pytest.mark.postgres
async def test_poll_tables_on_postgres_with_concurrent_votes(pg_url):
    from bot.polls.model import PollDraft
    from bot.polls.store import PollRepo

    db = Database(pg_url)
    await db.migrate()
    try:
        repo = PollRepo(db)
        now = datetime.now(UTC)
        draft = PollDraft("Møte", "", 60, (now + timedelta(days=1), now + timedelta(days=2)), True, "", None, False, False)
        poll = await repo.create(draft, conversation_id="c1", creator_id="u0", creator_name="U", locale="nb-NO", now=now)
        slot = poll.slots[0].id
        await asyncio.gather(*[repo.vote(poll.id, slot, f"u{i % 30}", YES, now=now) for i in range(60)])
        await repo.vote(poll.id, slot, "u1", NO, now=now)
        votes = await repo.votes(poll.id)
        assert len(votes) == 30 and [v.answer for v in votes if v.voter_id == "u1"] == [NO]
        assert await repo.close(poll.id, slot, now, booking_state="running")
        assert not await repo.close(poll.id, slot, now, booking_state="running")
        with pytest.raises(Conflict):
            await repo.vote(poll.id, slot, "u99", YES, now=now)
    finally:
        await db.close()


async def test_privacy_erase_keeps_counts(tmp_path):
    from bot.polls.model import PollDraft
    from bot.polls.store import PRIVACY, PollRepo
    from bot.privacy.pseudonyms import pseudonym

    db = Database(f"sqlite+aiosqlite:///{tmp_path}/p.db")
    await db.migrate()
    try:
        repo = PollRepo(db)
        now = datetime.now(UTC)
        draft = PollDraft("Møte", "", 60, (now + timedelta(days=1), now + timedelta(days=2)), True, "", None, False, False)
        poll = await repo.create(draft, conversation_id="c1", creator_id="u1", creator_name="Ulla", locale="nb-NO", now=now)
        await repo.vote(poll.id, poll.slots[0].id, "u1", YES, voter_name="Ulla", now=now)
        exported = await PRIVACY.export(db, "u1")
        assert exported["poll_votes"][0]["voter_name"] == "Ulla"
        await PRIVACY.erase(db, "u1", pseudonym("u1", b"k"))
        votes = await repo.votes(poll.id)
        assert len(votes) == 1 and votes[0].voter_name == "Slettet bruker" and votes[0].voter_id == pseudonym("u1", b"k")
        assert (await PRIVACY.export(db, "u1")) == {"poll_votes": [], "polls_created": []}
    finally:
        await db.close()
