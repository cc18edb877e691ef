"""Closing a poll, booking the chosen slot and telling the chat (mixed into PollOps)."""

from __future__ import annotations

import asyncio
import html
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.calendar.ics import event_ics
from bot.calendar.port import BOOKING_FAILED, BOOKING_OFF, BOOKING_PENDING, BookingStatus, EventSpec
from bot.delivery.keys import delivery_key
from bot.delivery.outbox import NewDelivery
from bot.kernel.people import Person
from bot.polls.model import BOOKING_RUNNING, BOOKING_SKIPPED, Poll, attendees, best_slot
from bot.polls.result import result_activity, translator
from bot.polls.store import PollRepo
from bot.services import Services

log = logging.getLogger(__name__)


def event_spec(poll: Poll, emails: tuple[str, ...] = ()) -> EventSpec:
    """The chosen slot as a calendar event: booked through Graph, or offered as an .ics file."""
    slot = poll.chosen
    assert slot is not None
    return EventSpec(
        subject=poll.title, body_html=html.escape(poll.agenda).replace("\n", "<br>"), start=slot.start,
        end=poll.end_of(slot), attendees=emails, online_meeting=poll.online, location=poll.location,
        categories=("Faggruppe",), transaction_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"faggruppe-bot:poll:{poll.id}")),
    )


class PollClosing:
    """Close on the best (or chosen) slot, book it, announce it; the rest of PollOps supplies what is declared here."""

    s: Services
    repo: PollRepo
    _tasks: set[asyncio.Task[Any]]
    _listening: object | None
    push: Callable[[int], Awaitable[bool]]
    members: Callable[..., Awaitable[list[dict[str, str]]]]
    schedule_push: Callable[..., None]
    _unschedule: Callable[[int], None]

    async def close(self, poll: Poll, actor: Person | None, slot_id: int | None = None, *, background: bool = True) -> bool:
        """Close on the chosen (or best) slot, then book it; False when someone closed it first."""
        votes = await self.repo.votes(poll.id)
        slot = poll.slot(slot_id) if slot_id is not None else best_slot(poll, votes)
        if not await self.repo.close(poll.id, slot.id if slot else None, self.s.clock.now(), booking_state=BOOKING_RUNNING):
            return False
        self._unschedule(poll.id)
        if actor is not None:
            await self.s.audit.record(actor.id, "poll.close", f"poll:{poll.id}", slot_id=slot.id if slot else None)
        if background:
            task = asyncio.create_task(self.book(poll.id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            await self.book(poll.id)
        return True

    async def book(self, poll_id: int) -> str:
        """Book the chosen slot (Graph via services.bookings, else an .ics link); update the card."""
        if not await self.push(poll_id):
            await self.repo.set_booking(poll_id, BOOKING_SKIPPED)
            return BOOKING_SKIPPED
        poll = await self.repo.get(poll_id)
        if poll is None or poll.chosen is None:
            return BOOKING_SKIPPED
        members = await self.members(poll.conversation_id, fresh=True)
        invited = set(attendees(poll.chosen.id, await self.repo.votes(poll_id), [m["id"] for m in members]))
        emails = tuple(dict.fromkeys(m["email"] for m in members if m["id"] in invited and m["email"]))
        spec = event_spec(poll, emails)
        bookings = self.s.bookings
        join_url = ""
        if bookings is None:
            state = BOOKING_OFF
        else:
            self._listen()
            try:
                status = await bookings.book(f"poll:{poll_id}", spec)
                state, join_url = status.state, status.join_url
            except Exception:
                log.warning("poll booking failed", exc_info=True)
                state = BOOKING_FAILED
        ics_url, until = "", None
        if state in (BOOKING_OFF, BOOKING_FAILED):
            ics_url, until = await self.ics_link(poll)
        await self.repo.set_booking(poll_id, state, join_url=join_url, ics_url=ics_url)
        self.schedule_push(poll_id)
        await self.announce(poll_id, until)
        return state

    async def announce(self, poll_id: int, link_until: datetime | None) -> None:
        """Tell the chat the chosen time once (Teams does not notify on card edits); the outbox key makes it once."""
        poll = await self.repo.get(poll_id)
        if poll is None or poll.chosen is None or self.s.delivery is None:
            return
        activity = result_activity(translator(poll.locale), poll, await self.repo.votes(poll_id), self.s.settings.tz, link_until)
        await self.s.delivery.enqueue([NewDelivery(key=delivery_key("poll", poll_id, "result"),
                                                   conversation_id=poll.conversation_id, payload={"activity": activity},
                                                   group_key=f"poll:{poll_id}")])

    def _listen(self) -> None:
        # Registered with whichever bookings service is bound now (tests may swap it).
        """Listen to poll bookings settling, once per bookings service."""
        if self.s.bookings is not None and self._listening is not self.s.bookings:
            self.s.bookings.on_change("poll:", self.on_booking_change)
            self._listening = self.s.bookings

    async def on_booking_change(self, status: BookingStatus) -> None:
        """A pending booking settled: store it and update the card."""
        if not status.source_key.startswith("poll:"):
            return
        try:
            poll_id = int(status.source_key.split(":")[1])
        except (IndexError, ValueError):
            return
        poll = await self.repo.get(poll_id)
        if poll is None:
            return
        ics_url = poll.ics_url
        if status.state in (BOOKING_OFF, BOOKING_FAILED) and not ics_url:
            ics_url, _ = await self.ics_link(poll)
        await self.repo.set_booking(poll_id, status.state if status.state != BOOKING_PENDING else BOOKING_PENDING,
                                    join_url=status.join_url or poll.join_url, ics_url=ics_url)
        self.schedule_push(poll_id)

    async def ics_link(self, poll: Poll) -> tuple[str, datetime]:
        """A fresh short-lived download link to the chosen slot's .ics file."""
        # The file stands in for the booking: the same event, with no attendees (each person adds it themselves).
        spec = replace(event_spec(poll), location=poll.location or "Microsoft Teams")
        content = event_ics(spec, f"poll-{poll.id}@faggruppe-bot", self.s.settings.tz, stamp=self.s.clock.now())
        return await self.s.download_link(content, f"mote-{poll.id}.ics", "text/calendar")
