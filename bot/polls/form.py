"""The poll form: title, agenda, duration, time slots, place and answer deadline, checked into a PollDraft."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

from bot.kernel.cardinput import parse_int, parse_number
from bot.kernel.errors import InvalidInput
from bot.polls.model import (
    DEFAULT_DEADLINE_TIME,
    DURATIONS,
    MAX_AGENDA,
    MAX_CUSTOM,
    MAX_LOCATION,
    MAX_SLOTS,
    MAX_TITLE,
    MIN_CUSTOM,
    MIN_SLOTS,
    PollDraft,
)

Errors = dict[str, str | tuple[str, dict[str, object]]]


def _s(data: Mapping[str, Any], key: str) -> str:
    """The stripped text of one card field ('' when missing)."""
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _date(raw: str) -> date | None:
    """The date at the start of `raw`, or None."""
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def _time(raw: str) -> time | None:
    """The HH:MM time at the start of `raw`, or None."""
    try:
        return time.fromisoformat(raw[:5])
    except ValueError:
        return None


def local_to_utc(d: date, t: time, tz: tzinfo) -> datetime:
    """A wall-clock time in the bot's zone as aware UTC (DST-correct via zoneinfo)."""
    return datetime.combine(d, t, tzinfo=tz).astimezone(UTC)


def parse_form(data: Mapping[str, Any], *, tz: tzinfo, now: datetime) -> PollDraft:
    """Validate the poll form; raise InvalidInput with a catalogue key per field."""
    errors: Errors = {}
    title = _s(data, "title")
    if not title:
        errors["title"] = "polls.err.title_empty"
    elif len(title) > MAX_TITLE:
        errors["title"] = ("error.too_long", {"max": MAX_TITLE})
    agenda = _s(data, "agenda")
    if len(agenda) > MAX_AGENDA:
        errors["agenda"] = ("error.too_long", {"max": MAX_AGENDA})
    minutes = _minutes(data, errors)
    starts = _starts(data, tz, now, errors)
    online = _s(data, "mode") != "place"  # a Teams meeting unless a place is chosen
    location = _s(data, "location")
    if not online and not location:
        errors["location"] = "polls.err.location_empty"
    elif len(location) > MAX_LOCATION:
        errors["location"] = ("error.too_long", {"max": MAX_LOCATION})
    deadline = _deadline(data, tz, now, starts, errors)
    if errors:
        raise InvalidInput(errors)
    return PollDraft(
        title=title, agenda=agenda, duration_min=minutes, starts=tuple(sorted(starts)), online=online,
        location="" if online else location, deadline=deadline,
        anonymous=_s(data, "anonymous") == "true", hidden=_s(data, "hidden") == "true",
    )


def _minutes(data: Mapping[str, Any], errors: Errors) -> int:
    """The meeting's length: one of DURATIONS, or a custom number of minutes."""
    duration = _s(data, "duration") or "60"
    if duration == "custom":
        custom = parse_number(_s(data, "duration_custom"), lo=MIN_CUSTOM, hi=MAX_CUSTOM)
        minutes = int(custom) if custom is not None else 0
        if not MIN_CUSTOM <= minutes <= MAX_CUSTOM:
            errors["duration_custom"] = ("polls.err.duration", {"min": MIN_CUSTOM, "max": MAX_CUSTOM})
        return minutes
    if parse_int(duration) in DURATIONS:
        return parse_int(duration) or 0
    errors["duration"] = ("polls.err.duration", {"min": MIN_CUSTOM, "max": MAX_CUSTOM})
    return 0


def _starts(data: Mapping[str, Any], tz: tzinfo, now: datetime, errors: Errors) -> list[datetime]:
    """The filled slot rows as UTC starts: complete, in the future, no two alike; MIN_SLOTS to MAX_SLOTS rows."""
    starts: list[datetime] = []
    for i in range(MAX_SLOTS):
        raw_d, raw_t = _s(data, f"slot_date_{i}"), _s(data, f"slot_time_{i}")
        if not raw_d and not raw_t:
            continue
        error = _slot_error(_date(raw_d), _time(raw_t), tz, now, starts)
        if error:
            errors[f"slot_{i}"] = error
    filled = sum(1 for i in range(MAX_SLOTS) if _s(data, f"slot_date_{i}") or _s(data, f"slot_time_{i}"))
    if filled < MIN_SLOTS:
        errors["slots"] = ("polls.err.too_few", {"min": MIN_SLOTS})
    elif filled > MAX_SLOTS:
        errors["slots"] = ("polls.err.too_many", {"max": MAX_SLOTS})
    return starts


def _slot_error(d: date | None, t: time | None, tz: tzinfo, now: datetime, starts: list[datetime]) -> str | None:
    """The error of one slot row, or None after adding its start to `starts`."""
    if d is None or t is None:
        return "polls.err.slot_incomplete"
    start = local_to_utc(d, t, tz)
    if start <= now:
        return "polls.err.slot_past"
    if start in starts:
        return "polls.err.slot_duplicate"
    starts.append(start)
    return None


def _deadline(data: Mapping[str, Any], tz: tzinfo, now: datetime, starts: list[datetime],
              errors: Errors) -> datetime | None:
    """The answer deadline (noon when only a day is given): in the future and not after the first slot."""
    raw_dd, raw_dt = _s(data, "deadline_date"), _s(data, "deadline_time")
    if not (raw_dd or raw_dt):
        return None
    dd, dt = _date(raw_dd), (_time(raw_dt) if raw_dt else DEFAULT_DEADLINE_TIME)
    if dd is None or dt is None:
        errors["deadline"] = "polls.err.deadline_invalid"
        return None
    deadline = local_to_utc(dd, dt, tz)
    if deadline <= now:
        errors["deadline"] = "polls.err.deadline_past"
    elif starts and deadline > min(starts):
        errors["deadline"] = "polls.err.deadline_after_first"
    return deadline
