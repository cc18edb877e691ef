"""Poll operations shared by handlers and jobs: members, cards, updating the posted card, closing, booking, reminders."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from typing import Any

from bot.chat.messenger import Member as RosterMember
from bot.chat.reply import Reply
from bot.delivery.engine import classify
from bot.delivery.keys import delivery_key
from bot.delivery.outbox import NewDelivery
from bot.kernel.bounded import BoundedCache
from bot.kernel.people import Person
from bot.polls.closing import PollClosing
from bot.polls.model import OPEN, Poll, voters
from bot.polls.result import mentions, translator
from bot.polls.store import PollRepo
from bot.services import Services
from cards.common import Card, escape
from cards.polls import PollView, poll_card

log = logging.getLogger(__name__)
MEMBERS_TTL_S = 300.0  # member lists are read again after five minutes (each read is a connector call)
MEMBERS_KEPT_S = 3600.0  # the last good member list serves when the connector fails, up to this age
MEMBERS_CACHE_SIZE = 2000  # conversations whose member lists are kept per process
PUSH_GAP_S = 1.0  # at most one update of a poll's posted card per second (Teams allows 7 messages/s per chat)
PUSH_RETRY_S = (1.0, 3.0, 10.0, 30.0)  # a failed card update for everyone is tried again after these pauses
Member = dict[str, str]


def ops(services: Services) -> PollOps:
    """The poll operations bound to these services (one per process)."""
    if services.polls is None:
        services.polls = PollOps(services)
    return services.polls


class PollOps(PollClosing):
    """Everything a poll does besides answering the turn (closing and booking: PollClosing)."""

    def __init__(self, services: Services) -> None:
        """Per-process state: member cache, card-update coalescing and retries, keyed by poll id."""
        self.s = services
        self.repo = PollRepo(services.db)
        self._members: BoundedCache[str, tuple[float, list[Member]]] = BoundedCache(MEMBERS_CACHE_SIZE, MEMBERS_KEPT_S)
        self._locks: BoundedCache[str, asyncio.Lock] = BoundedCache(MEMBERS_CACHE_SIZE, MEMBERS_KEPT_S)
        self._dirty: dict[int, bool] = {}  # poll id -> only votes changed it since its last update
        self._wake: dict[int, asyncio.Event] = {}
        self._updaters: dict[int, asyncio.Task[None]] = {}
        self._pushed_at: dict[int, float] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._listening: object | None = None
        self._push_failures: dict[int, int] = {}
        self._retries: dict[int, asyncio.Task[None]] = {}

    # -- connector -----------------------------------------------------------------------------
    async def _roster(self, conversation_id: str) -> list[Member]:
        """The conversation's members from the host (errors propagate)."""
        if self.s.messenger is None:
            raise LookupError("no messenger")
        return [_member(m) for m in await self.s.messenger.members(conversation_id)]

    async def members(self, conversation_id: str, *, fresh: bool = False) -> list[Member]:
        """Conversation members from the connector (cached a few minutes; the last good list on failure)."""
        cached = self._members.get(conversation_id)
        if cached and not fresh and time.monotonic() - cached[0] < MEMBERS_TTL_S:
            return cached[1]
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        async with lock:
            cached = self._members.get(conversation_id)
            if cached and time.monotonic() - cached[0] < (1.0 if fresh else MEMBERS_TTL_S):
                return cached[1]
            try:
                found = await self._roster(conversation_id)
            except Exception as exc:
                log.warning("could not read conversation members (%s)", classify(exc).status, exc_info=True)
                return cached[1] if cached else []
            self._members[conversation_id] = (time.monotonic(), found)
            return found

    # -- cards ---------------------------------------------------------------------------------
    async def view(self, poll: Poll, viewer: Person | None = None, locale: str | None = None) -> Card:
        """The poll card, generic (viewer None) or as one viewer sees it."""
        votes = await self.repo.votes(poll.id)
        members = await self.members(poll.conversation_id)
        answered = voters(votes)
        ids = [m["id"] for m in members]
        total = len(ids) or len(answered)
        not_answered = sum(1 for i in ids if i not in answered)
        channel_ids = [v.voter_channel_id for v in votes if v.voter_channel_id]
        refresh = list(dict.fromkeys([*channel_ids, *(m["channel_id"] for m in members if m["channel_id"])]))[:60]
        show_close = viewer is None or viewer.id == poll.creator_id or viewer.is_leader
        view = PollView(poll, tuple(votes), total, not_answered, self.s.settings.tz, viewer.id if viewer else None,
                        show_close, tuple(refresh) if poll.state == OPEN else (), can_book=self.s.calendar is not None)
        return poll_card(translator(locale or poll.locale), view)

    async def push(self, poll_id: int) -> bool:
        """Update the posted card for everyone; False (and stop the poll's jobs) when the message is gone."""
        poll = await self.repo.get(poll_id)
        if poll is None or not poll.activity_id or poll.message_gone:
            return False
        card = await self.view(poll)
        try:
            if self.s.messenger is None:
                raise LookupError("no messenger")
            await self.s.messenger.update(poll.conversation_id, poll.activity_id, Reply(card=card))
        except Exception as exc:
            err = classify(exc)
            if err.status == 404:
                log.info("poll message deleted in Teams; stopping its jobs", extra={"poll_id": poll_id})
                await self.repo.mark_gone(poll_id)
                self._unschedule(poll_id)
                return False
            log.warning("poll card update failed (%s)", err.status, extra={"poll_id": poll_id})
            self._retry_push(poll_id)
            return True
        self._push_failures.pop(poll_id, None)
        return True

    def _retry_push(self, poll_id: int) -> None:
        """Try the card update again later (bounded): otherwise the card everyone sees stays stale until the next vote."""
        n = self._push_failures.get(poll_id, 0)
        if n >= len(PUSH_RETRY_S) or poll_id in self._retries:
            return
        self._push_failures[poll_id] = n + 1
        self._retries[poll_id] = asyncio.create_task(self._push_later(poll_id, PUSH_RETRY_S[n]), name="poll-card-retry")

    async def _push_later(self, poll_id: int, delay: float) -> None:
        """Ask for the poll's card update again after `delay` seconds (a retry)."""
        try:
            await asyncio.sleep(delay)
        finally:
            self._retries.pop(poll_id, None)
        self.schedule_push(poll_id)

    def schedule_push(self, poll_id: int, *, vote: bool = False) -> None:
        """Update the posted card soon; bursts of votes coalesce into few updates, the last one current.

        After a vote the update waits until PUSH_GAP_S after the card's previous update (a burst of votes becomes one
        update a second); any other change (closing, booking, erasure) goes out at once.
        """
        # "Only votes" holds while every change since the last update was a vote; one other change makes it urgent.
        self._dirty[poll_id] = self._dirty.get(poll_id, True) and vote
        if not vote and poll_id in self._wake:
            self._wake[poll_id].set()
        if poll_id not in self._updaters:
            self._updaters[poll_id] = asyncio.create_task(self._push_loop(poll_id))

    async def _push_loop(self, poll_id: int) -> None:
        """Update the poll's card until nothing is dirty, at most once every PUSH_GAP_S seconds."""
        try:
            while poll_id in self._dirty:
                wait = self._pushed_at.get(poll_id, -PUSH_GAP_S) + PUSH_GAP_S - time.monotonic()
                if self._dirty[poll_id] and wait > 0:
                    wake = self._wake[poll_id] = asyncio.Event()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), wait)
                    self._wake.pop(poll_id, None)
                self._dirty.pop(poll_id, None)
                self._pushed_at[poll_id] = time.monotonic()
                await self.push(poll_id)
            # Bounded memory: an update time older than one gap no longer delays anything.
            if len(self._pushed_at) > 1000:
                old = time.monotonic() - PUSH_GAP_S
                self._pushed_at = {k: v for k, v in self._pushed_at.items() if v > old}
        except Exception:
            log.warning("poll card updater failed", exc_info=True)
        finally:
            self._updaters.pop(poll_id, None)

    async def settle(self) -> None:
        """Wait for background updates and bookings (tests, shutdown)."""
        while self._updaters or self._tasks:
            await asyncio.gather(*self._updaters.values(), *self._tasks, return_exceptions=True)

    # -- jobs ------------------------------------------------------------------------------------
    def schedule_jobs(self, poll: Poll) -> None:
        """Auto-close at the deadline and remind before it (persistent jobs, ids only)."""
        sched = self.s.scheduler
        if sched is None or poll.deadline is None or poll.state != OPEN:
            return
        # No misfire grace: a poll is closed however late the bot comes back; a late reminder may be skipped.
        sched.add("poll.close", f"poll:{poll.id}:close", poll.deadline, (poll.id,),
                  misfire_grace_time=None)
        hours = self.s.settings.poll_reminder_hours
        at = poll.deadline - timedelta(hours=hours)
        if hours and at > self.s.clock.now():
            sched.add("poll.remind", f"poll:{poll.id}:reminder", at, (poll.id,))

    def _unschedule(self, poll_id: int) -> None:
        """Remove the poll's reminder and close jobs."""
        if self.s.scheduler is not None:
            self.s.scheduler.remove(f"poll:{poll_id}:reminder")
            self.s.scheduler.remove(f"poll:{poll_id}:close")

    async def remind(self, poll_id: int) -> int:
        """@mention the members who have not answered, in one message; returns how many."""
        poll = await self.repo.get(poll_id)
        if poll is None or not poll.is_open(self.s.clock.now()) or poll.message_gone:
            return 0
        if not await self.push(poll_id):  # the reminder points at the card: none when the card is gone
            return 0
        members = await self.members(poll.conversation_id, fresh=True)
        answered = voters(await self.repo.votes(poll_id))
        missing = [m for m in members if m["id"] not in answered and m["channel_id"]]
        if not missing or self.s.delivery is None:
            return 0
        tags, entities = mentions((m["channel_id"], m["name"]) for m in missing)
        tr = translator(poll.locale)
        from cards.polls import deadline_text

        message = tr("polls.reminder", title=escape(poll.title), deadline=deadline_text(tr, poll.deadline, self.s.settings.tz),
                     mentions=tags)
        activity = {"type": "message", "text": message, "textFormat": "markdown", "entities": entities}
        await self.s.delivery.enqueue([NewDelivery(key=delivery_key("poll", poll_id, "reminder"),
                                                   conversation_id=poll.conversation_id, payload={"activity": activity},
                                                   group_key=f"poll:{poll_id}")])
        return len(entities)


def _member(m: RosterMember) -> Member:
    """A roster entry as the poll card counts it: person id (AAD id when known), channel id, name, UPN, e-mail."""
    return {"id": m.aad_object_id or m.id, "channel_id": m.id, "name": m.name, "upn": m.upn, "email": m.email,
            "tenant": m.tenant}
