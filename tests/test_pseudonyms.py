"""Defect 9: pseudonyms are a keyed HMAC, and earlier releases' unsalted aliases are re-keyed once, consistently.

The key is PRIVACY_PSEUDONYM_KEY, or one generated once and kept in the database; tallies and summaries do not change.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import ConfigError
from bot.polls.model import YES, PollDraft
from bot.polls.store import PollRepo
from bot.privacy.pseudonyms import pseudonym, pseudonym_key
from bot.privacy.service import erase_user
from bot.storage.db import Database
from tests.harness import RunningBot

KEY = "k" * 40


def legacy(person_id: str) -> str:
    """How releases before the key named an erased person."""
    return "slettet-" + hashlib.sha256(("faggruppe-bot:" + person_id).encode()).hexdigest()[:16]


async def _deployed(url: str) -> int:
    """A database of the previous release with two erased voters (and one still known) in one poll."""
    db = Database(url)
    await db.migrate()
    repo = PollRepo(db)
    now = datetime.now(UTC)
    draft = PollDraft("Møte", "", 60, (now + timedelta(days=1), now + timedelta(days=2)), True, "", None, False, False)
    poll = await repo.create(draft, conversation_id="c1", creator_id=legacy("u1"), creator_name="", locale="nb-NO", now=now)
    for voter in (legacy("u1"), legacy("u2"), "u3"):
        for slot in poll.slots:
            await repo.vote(poll.id, slot.id, voter, YES, now=now)
    await db.close()
    return poll.id


async def _tally(db: Database, poll_id: int) -> tuple[list[tuple[int, int]], set[str]]:
    votes = await PollRepo(db).votes(poll_id)
    per_slot: dict[int, int] = {}
    for v in votes:
        per_slot[v.slot_id] = per_slot.get(v.slot_id, 0) + 1
    return sorted(per_slot.items()), {v.voter_id for v in votes}


async def test_legacy_aliases_are_rekeyed_once_and_tallies_stay(make_settings, clock):
    settings = make_settings(PRIVACY_PSEUDONYM_KEY=KEY)
    poll_id = await _deployed(settings.database_url)
    running = RunningBot(settings, clock)
    await running.start()
    try:
        db = running.services.db
        counts, voters = await _tally(db, poll_id)
        assert [n for _, n in counts] == [3, 3]
        new_u1 = pseudonym(legacy("u1"), KEY.encode())
        assert voters == {new_u1, pseudonym(legacy("u2"), KEY.encode()), "u3"}
        assert (await PollRepo(db).get(poll_id)).creator_id == new_u1  # the same old alias, the same new one
        # Erasing u3 now uses the key; a second start re-keys nothing again.
        await erase_user(running.services, "u3")
        counts_after, voters_after = await _tally(db, poll_id)
        assert counts_after == counts and pseudonym("u3", KEY.encode()) in voters_after
    finally:
        await running.stop()
    again = RunningBot(settings, clock)
    await again.start()
    try:
        assert await _tally(again.services.db, poll_id) == (counts_after, voters_after)
    finally:
        await again.stop()


async def test_generated_key_is_kept_in_the_database_and_shared(make_settings, clock):
    settings = make_settings()
    one, two = RunningBot(settings, clock), RunningBot(make_settings(SCHEDULER_ENABLED="false"), clock)
    await one.start()
    await two.start()
    try:
        key = await pseudonym_key(one.services)
        assert len(key) >= 32 and key == await pseudonym_key(two.services)
        # Without the key, an id list does not reveal who an alias was.
        assert pseudonym("u1", key) != legacy("u1") and pseudonym("u1", key) != pseudonym("u1", b"other")
    finally:
        await two.stop()
        await one.stop()


def test_a_short_configured_key_is_refused(make_settings):
    with pytest.raises(ConfigError, match="PRIVACY_PSEUDONYM_KEY"):
        make_settings(PRIVACY_PSEUDONYM_KEY="too-short")
