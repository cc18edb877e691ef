"""Sending broadcasts through the delivery engine and keeping the leader's report card up to date."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.broadcasts.export import ChatRow
from bot.broadcasts.model import FAILED, SENT, WAITING, Report, State, build_report, reason_key
from bot.broadcasts.store import Broadcast, BroadcastRepo
from bot.delivery.engine import DeliveryEngine, SendError
from bot.delivery.keys import delivery_key
from bot.delivery.outbox import NewDelivery, OutboxRow
from bot.messages import t as translate
from bot.services import Services
from cards.broadcasts import MemberView, broadcast_card, report_card
from cards.common import Card, attachment
from cards.when import moment

log = logging.getLogger(__name__)
REPORT_EVERY_S = 1.0  # at most one report-card update a second per broadcast (Teams limits messages per chat)
REPORT_RETRY_S = (2.0, 5.0, 15.0, 60.0)  # a refused report update is tried again after these pauses
PREFIX = "broadcast:"


def when(t: Callable[..., str], dt: datetime, tz: ZoneInfo) -> str:
    """A time as the leader reads it, in the bot's zone."""
    return moment(t, dt, tz)


def member_view(b: Broadcast) -> MemberView:
    """The member card's content of a broadcast."""
    return MemberView(b.id, b.title, b.message, b.author_name, b.link, b.ack, b.image)


def chat_key(b: Broadcast, conversation_id: str) -> str:
    """The outbox key of a broadcast's delivery to one chat."""
    return delivery_key("broadcast", b.id, conversation_id)


def member_tr(services: Services) -> Callable[..., str]:
    """Texts of the member card: it goes to whole chats, so the organisation's language (BOT_LANGUAGE)."""
    locale = services.settings.locale

    def tr(key: str, **params: object) -> str:
        return translate(key, locale, **params)

    return tr


class Broadcaster:
    """Starts broadcasts, listens to their deliveries and updates report cards (at most once a second each)."""

    def __init__(self, services: Services, engine: DeliveryEngine) -> None:
        """Per-process state: when each report was last updated, pending updates and retries."""
        self.services = services
        self.engine = engine
        self.repo = BroadcastRepo(services.db)
        self._last: dict[int, float] = {}
        self._pending: dict[int, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._report_failures: dict[int, int] = {}
        self._retries: set[asyncio.Task[None]] = set()

    # -- sending -----------------------------------------------------------------------------
    async def start(self, broadcast_id: int, from_: Iterable[State]) -> bool:
        """Resolve the target chats, move to `sending`, post the report and queue one delivery per chat."""
        s = self.services
        b = await self.repo.get(broadcast_id)
        if b is None:
            return False
        names = None if b.targets.get("mode") == "all" else list(b.targets.get("names") or [])
        chats = await s.conversations.faggruppe_chats(names)
        conv_map = {c.id: [c.faggruppe or "", c.name or c.faggruppe or ""] for c in chats}
        # The chats are fixed when sending starts, so the report and a resume after a restart use the same list.
        targets = {**b.targets, "conversations": conv_map}
        # The state change is the guard: of two instances (or two clicks) starting one broadcast, one goes on.
        if not await self.repo.transition(broadcast_id, from_, State.SENDING, targets=targets, started_at=s.clock.now()):
            return False
        await s.audit.record(b.author_id, "broadcast.send", str(broadcast_id), chats=len(conv_map),
                             faggrupper=sorted({v[0] for v in conv_map.values()}))
        b = await self.repo.get(broadcast_id)
        assert b is not None
        await self.resume_one(b)
        return True

    async def resume_one(self, b: Broadcast) -> None:
        """Make sure a sending broadcast has its report card and all its deliveries queued (idempotent)."""
        if not b.report_activity_id and b.report_conversation_id:
            try:
                aid = await self.engine.send_now(b.report_conversation_id, _activity(await self.report(b)))
                await self.repo.set_fields(b.id, report_activity_id=aid)
            except SendError as exc:
                log.warning("broadcast report could not be posted", extra={"status": exc.status})
        activity = _activity(broadcast_card(member_tr(self.services), member_view(b)))
        # One delivery key per chat: queueing again after a restart adds nothing that is already queued or sent.
        await self.engine.enqueue([
            NewDelivery(key=chat_key(b, cid), conversation_id=cid, payload={"activity": activity},
                        group_key=b.group_key)
            for cid in b.conversations
        ])
        self.poke(b.id)

    async def resume(self) -> None:
        """At start-up: carry on with broadcasts that were sending when the process stopped."""
        for b in await self.repo.in_state(State.SENDING):
            await self.resume_one(b)

    # -- the report ----------------------------------------------------------------------------
    async def compute(self, b: Broadcast) -> Report:
        """The report's figures now."""
        convs = b.conversations
        entries = []
        if b.state in (State.SENDING, State.DONE):
            for e in await self.services.outbox.group_entries(b.group_key):
                faggruppe, chat = convs.get(e.conversation_id, ["", ""])
                entries.append((faggruppe, chat, e.state, e.last_error))
        reads = await self.repo.read_counts(b.id) if b.ack else {}
        order = sorted({v[0] for v in convs.values()}) or list(b.targets.get("names") or [])
        rep = build_report(entries, reads, order)
        if b.ack:
            rep.chats_read = sum(1 for cid, n in (await self.repo.read_counts_by_chat(b.id)).items() if n and cid in convs)
        return rep

    async def chat_rows(self, b: Broadcast) -> list[ChatRow]:
        """One row per chat the broadcast went to: faggruppe, chat, state, failure reason and reads (the export)."""
        if b.state not in (State.SENDING, State.DONE):
            return []
        reads = await self.repo.read_counts_by_chat(b.id) if b.ack else {}
        rows = []
        for e in await self.services.outbox.group_entries(b.group_key):
            faggruppe, chat = b.conversations.get(e.conversation_id, ["", ""])
            state = SENT if e.state == "sent" else FAILED if e.state in ("failed", "cancelled") else WAITING
            reason = reason_key(e.last_error or "other") if state == FAILED or (state == WAITING and e.last_error) else ""
            rows.append(ChatRow(faggruppe, chat, state, reason, reads.get(e.conversation_id, 0)))
        return sorted(rows, key=lambda r: (r.faggruppe, r.chat))

    async def report(self, b: Broadcast, locale: str | None = None) -> Card:
        """The report card of a broadcast, in the leader's language."""
        loc = locale or b.locale

        def tr(key: str, **p: object) -> str:
            """A report text in the report card's locale."""
            return translate(key, loc, **p)

        rep = await self.compute(b)
        tz = self.services.settings.tz
        stamp = b.send_at if b.state == State.SCHEDULED and b.send_at else self.services.clock.now()
        state = tr(f"broadcasts.report.state.{b.state.value}", time=when(tr, stamp, tz))
        return report_card(tr, b.id, b.title, state, rep, ack=b.ack, can_cancel=b.state == State.SCHEDULED)

    def poke(self, broadcast_id: int) -> None:
        """Update the report soon: at once if the last update is a second old, else a second after it."""
        if self._closed or broadcast_id in self._pending:
            return
        delay = max(0.0, self._last.get(broadcast_id, 0.0) + REPORT_EVERY_S - time.monotonic())
        task = asyncio.create_task(self._later(broadcast_id, delay), name="broadcast-report")
        self._pending[broadcast_id] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _later(self, broadcast_id: int, delay: float) -> None:
        """Update the report card after `delay` seconds (the coalesced update that poke() scheduled)."""
        try:
            await asyncio.sleep(delay)
        finally:
            self._pending.pop(broadcast_id, None)
        self._last[broadcast_id] = time.monotonic()
        try:
            await self.update_report(broadcast_id)
        except Exception:
            log.warning("broadcast report update failed", exc_info=True)

    async def update_report(self, broadcast_id: int) -> None:
        """Finish the broadcast when nothing is waiting, and update its report card."""
        b = await self.repo.get(broadcast_id)
        if b is None:
            return
        if b.state == State.SENDING:
            rep = await self.compute(b)
            if rep.finished and await self.repo.transition(b.id, [State.SENDING], State.DONE,
                                                           finished_at=self.services.clock.now()):
                b = await self.repo.get(broadcast_id)
                assert b is not None
        if b.report_activity_id and b.report_conversation_id:
            try:
                await self.engine.send_now(b.report_conversation_id, _activity(await self.report(b)),
                                           update_activity_id=b.report_activity_id)
            except SendError as exc:
                log.warning("broadcast report update refused", extra={"status": exc.status})
                if exc.status not in (403, 404):  # the bot was removed or the card deleted: waiting cannot help
                    self._retry_report(broadcast_id)
                return
            self._report_failures.pop(broadcast_id, None)

    def _retry_report(self, broadcast_id: int) -> None:
        """Update the report again later (bounded): otherwise a refused last update leaves it stale for good."""
        n = self._report_failures.get(broadcast_id, 0)
        if self._closed or n >= len(REPORT_RETRY_S):
            return
        self._report_failures[broadcast_id] = n + 1
        task = asyncio.create_task(self._retry_later(broadcast_id, REPORT_RETRY_S[n]), name="broadcast-report-retry")
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)

    async def _retry_later(self, broadcast_id: int, delay: float) -> None:
        """Ask for another report update after `delay` seconds."""
        await asyncio.sleep(delay)
        self.poke(broadcast_id)

    async def on_delivery(self, row: OutboxRow, outcome: str, detail: str) -> None:
        """Engine listener: a delivery of a broadcast was attempted."""
        with contextlib.suppress(IndexError, ValueError):
            self.poke(int(row.group_key.split(":")[1]))

    async def close(self) -> None:
        """Finish or stop pending report updates (the app is stopping; resume() picks up after a restart)."""
        self._closed = True
        for retry in list(self._retries):
            retry.cancel()
        tasks = list(self._tasks)
        if tasks:
            await asyncio.wait(tasks, timeout=2.0)  # let a report update under way (or due within a second) finish
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _activity(card: Card) -> dict[str, Any]:
    """A message activity carrying one Adaptive Card."""
    return {"type": "message", "attachments": [attachment(card)]}


def broadcaster(services: Services) -> Broadcaster:
    """The broadcaster bound at start-up."""
    if services.broadcaster is None:
        raise RuntimeError("broadcasts are not started")
    return services.broadcaster
