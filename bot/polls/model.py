"""Meeting polls: slots, votes, the best-slot rule and state rules (the form is read in bot.polls.form). Stdlib only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from bot.kernel.errors import Conflict, NotAllowed, NotFound
from bot.kernel.people import Person

YES, MAYBE, NO = "yes", "maybe", "no"
ANSWERS = (YES, MAYBE, NO)
OPEN, CLOSED = "open", "closed"
DURATIONS = (30, 60, 90, 120)
MIN_SLOTS, MAX_SLOTS = 2, 10
MAX_TITLE, MAX_AGENDA, MAX_LOCATION = 200, 2000, 200  # within the columns (title and location hold 300)
MIN_CUSTOM, MAX_CUSTOM = 5, 600
DEFAULT_DEADLINE_TIME = time(12, 0)
# Booking states shown on the card (besides bot.calendar.port's booked/pending/off/failed).
BOOKING_NONE, BOOKING_RUNNING, BOOKING_SKIPPED = "", "running", "skipped"


@dataclass(frozen=True)
class Slot:
    """A candidate start time (UTC); the end follows from the poll's duration."""

    id: int
    start: datetime
    position: int = 0


@dataclass(frozen=True)
class Vote:
    """One member's answer for one slot."""

    slot_id: int
    voter_id: str
    answer: str
    voter_name: str = ""
    voter_channel_id: str = ""


@dataclass(frozen=True)
class Poll:
    """A meeting poll as stored."""

    id: int
    conversation_id: str
    creator_id: str
    title: str
    duration_min: int
    slots: tuple[Slot, ...]
    creator_name: str = ""
    agenda: str = ""
    online: bool = True
    location: str = ""
    deadline: datetime | None = None
    anonymous: bool = False
    hidden: bool = False
    state: str = OPEN
    locale: str = "nb-NO"
    activity_id: str = ""
    chosen_slot_id: int | None = None
    booking_state: str = BOOKING_NONE
    join_url: str = ""
    ics_url: str = ""
    message_gone: bool = False
    created_at: datetime | None = None
    closed_at: datetime | None = None

    def slot(self, slot_id: int) -> Slot:
        """The slot with this id, or NotFound."""
        for s in self.slots:
            if s.id == slot_id:
                return s
        raise NotFound("polls.slot_not_found")

    def end_of(self, slot: Slot) -> datetime:
        """When a meeting in this slot ends."""
        return slot.start + timedelta(minutes=self.duration_min)

    @property
    def chosen(self) -> Slot | None:
        """The slot picked at closing."""
        return next((s for s in self.slots if s.id == self.chosen_slot_id), None)

    def is_open(self, now: datetime) -> bool:
        """Open, and the deadline (if any) has not passed."""
        return self.state == OPEN and (self.deadline is None or now < self.deadline)


@dataclass(frozen=True)
class PollDraft:
    """A valid form, ready to store."""

    title: str
    agenda: str
    duration_min: int
    starts: tuple[datetime, ...]
    online: bool
    location: str
    deadline: datetime | None
    anonymous: bool
    hidden: bool


@dataclass(frozen=True)
class Counts:
    """Answers for one slot."""

    yes: int = 0
    maybe: int = 0
    no: int = 0
    names: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Everyone who answered this slot."""
        return self.yes + self.maybe + self.no


def tally(poll: Poll, votes: Iterable[Vote]) -> dict[int, Counts]:
    """Counts and names per slot."""
    acc: dict[int, dict[str, list[str]]] = {s.id: {YES: [], MAYBE: [], NO: []} for s in poll.slots}
    for v in votes:
        if v.slot_id in acc and v.answer in ANSWERS:
            acc[v.slot_id][v.answer].append(v.voter_name or "?")
    return {sid: Counts(len(a[YES]), len(a[MAYBE]), len(a[NO]), {k: sorted(n) for k, n in a.items()}) for sid, a in acc.items()}


@dataclass(frozen=True)
class Standing:
    """How one slot stands: its counts and how many who answered the poll left this slot blank."""

    slot: Slot
    counts: Counts
    blank: int = 0

    @property
    def can(self) -> int:
        """Who can come: Ja and Om nødvendig."""
        return self.counts.yes + self.counts.maybe


def rank(poll: Poll, votes: Iterable[Vote]) -> list[Standing]:
    """Slots best first, as Doodle ranks them: the most people can attend.

    Most can come (Ja + Om nødvendig), then fewest Nei, then most Ja, then most Om nødvendig, then the earliest.
    When everyone answers every slot, "most can come" is "fewest Nei"; counting who can come first keeps a slot
    few people answered (0 Nei, 4 blanks) from beating one that many can attend.
    """
    votes = list(votes)
    counts = tally(poll, votes)
    people = voters(votes)
    answered: dict[int, set[str]] = {s.id: set() for s in poll.slots}
    for v in votes:
        if v.slot_id in answered and v.answer in ANSWERS:
            answered[v.slot_id].add(v.voter_id)
    out = [Standing(s, counts[s.id], len(people - answered[s.id])) for s in poll.slots]
    return sorted(out, key=lambda st: (-st.can, st.counts.no, -st.counts.yes, -st.counts.maybe, st.slot.start))


def best_slot(poll: Poll, votes: Iterable[Vote]) -> Slot | None:
    """The slot the most people can attend (see `rank`); None for a poll without slots."""
    ranked = rank(poll, votes)
    return ranked[0].slot if ranked else None


def voters(votes: Iterable[Vote]) -> set[str]:
    """Ids of everyone who answered at least one slot."""
    return {v.voter_id for v in votes}


def attendees(slot_id: int, votes: Iterable[Vote], member_ids: Iterable[str]) -> list[str]:
    """Members who did not answer Nei on the slot (non-voters included)."""
    refused = {v.voter_id for v in votes if v.slot_id == slot_id and v.answer == NO}
    return [m for m in member_ids if m not in refused]


def ensure_can_vote(poll: Poll, slot_id: int, answer: str, now: datetime) -> None:
    """Refuse votes on closed polls, unknown slots and unknown answers."""
    if not poll.is_open(now):
        raise Conflict("polls.closed")
    poll.slot(slot_id)
    if answer not in ANSWERS:
        raise NotFound("polls.bad_answer")


def ensure_can_close(poll: Poll, actor: Person) -> None:
    """Only the creator or a leader closes, and only an open poll."""
    if actor.id != poll.creator_id and not actor.is_leader:
        raise NotAllowed("polls.close_not_allowed")
    if poll.state != OPEN:
        raise Conflict("polls.already_closed")
