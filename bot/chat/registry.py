"""Keeps the registry fresh on every turn: the conversation's reference and the actor, cached briefly and boundedly."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from bot.chat.turn import Turn
from bot.kernel.bounded import BoundedCache
from bot.kernel.people import Person
from bot.services import Services
from bot.storage.conversations import ConversationInfo

TOUCH_EVERY_S = 300.0
PERSON_CACHE = timedelta(seconds=60)  # the longest a removed role keeps working on an instance
CACHE_SIZE = 10_000  # conversations x people touched, and people, kept per process


class Registry:
    """Stores conversations and people as turns arrive; `forget` drops a person after a role change or erasure."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._touched: BoundedCache[tuple[str, str], float] = BoundedCache(CACHE_SIZE, TOUCH_EVERY_S)
        self._people: BoundedCache[str, tuple[datetime, Person]] = BoundedCache(CACHE_SIZE, PERSON_CACHE.total_seconds())

    async def register(self, turn: Turn, *, installed: bool = False) -> tuple[Person, ConversationInfo]:
        """Store/refresh the conversation reference and the actor; cheap when seen recently."""
        where, who = turn.where, turn.who
        now = time.monotonic()
        key = (where.id, who.person_id)
        s = self.services
        fresh = not installed and now - (self._touched.get(key) or 0.0) <= TOUCH_EVERY_S
        conv = await s.conversations.get_recent(where.id) if fresh else None
        if conv is None:
            # Not seen lately, or its row is gone (an erasure deletes personal chats): store the reference again.
            await s.conversations.touch(
                conversation_id=where.id, kind=where.kind, tenant_id=where.tenant_id, team_id=where.team_id,
                service_url=where.service_url, reference=where.reference, name=where.name, installed=installed,
                person_id=who.person_id if where.kind == "personal" else None,
            )
            if who.person_id:
                await s.conversations.touch_member(where.id, who.person_id)
            self._touched[key] = now
            conv = await s.conversations.get(where.id)
            if conv is None:
                raise RuntimeError("conversation could not be stored")
        person = await self._person(turn)
        return person, conv

    async def _person(self, turn: Turn) -> Person:
        """The actor as a Person with the roles stored for them, cached for PERSON_CACHE per process."""
        who = turn.who
        now = self.services.clock.now()
        cached = self._people.get(who.person_id)
        if cached and timedelta(0) <= now - cached[0] < PERSON_CACHE:
            return cached[1]
        s = self.services
        name = who.name[:300] if isinstance(who.name, str) else ""
        known = await s.people.get(who.person_id)
        upn = known.upn if known else ""
        needs_upn = not upn and any("@" in x for x in s.settings.leaders)
        needs_name = not name and not (known and known.name)
        if (needs_upn or needs_name) and turn.channel_id == "msteams" and who.channel_user_id:
            # Some clients send card actions without the sender's name; the roster has it (and the UPN).
            member = await turn.messenger.member(who.channel_user_id)
            upn = upn or (member.upn or member.email if member else "")
            name = name or (member.name if member else "")[:300]
        person = known
        if known is None or (name and name != known.name) or (upn and upn != known.upn) or \
                (who.channel_user_id and who.channel_user_id != known.channel_user_id):
            person = await s.people.upsert(person_id=who.person_id, name=name, aad_object_id=who.aad_object_id,
                                           channel_user_id=who.channel_user_id, tenant_id=turn.where.tenant_id, upn=upn)
        assert person is not None
        # Roles are read again at least every PERSON_CACHE on every instance: a role removed in chat, or a leader
        # taken out of BOT_LEADERS, loses its power here within that time.
        person = await s.people.apply_config(person, s.settings.leaders)
        self._people[who.person_id] = (now, person)
        return person

    def forget(self, person_id: str) -> None:
        """Drop a cached person and their recent conversation touches (after a role change or erasure)."""
        self._people.pop(person_id)
        for key in [k for k in self._touched if k[1] == person_id]:
            self._touched.pop(key)
