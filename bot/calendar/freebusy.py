"""Free/busy arithmetic: merge busy intervals and suggest free meeting slots within working hours (stdlib only)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.calendar.port import BusySlot

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Suggestion:
    """A candidate meeting slot (UTC) and who is busy then (empty when everyone is free)."""

    start: datetime
    end: datetime
    busy_people: tuple[str, ...] = ()

    @property
    def everyone_free(self) -> bool:
        """True when nobody looked up is busy in the slot."""
        return not self.busy_people


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted union of intervals; touching or overlapping intervals become one."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def working_windows(start: datetime, end: datetime, tz: ZoneInfo, hours: tuple[int, int],
                    weekdays_only: bool = True) -> list[Interval]:
    """The working-hour windows (UTC) between start and end, computed per local day so DST is respected."""
    windows: list[Interval] = []
    day: date = start.astimezone(tz).date()
    last: date = end.astimezone(tz).date()
    while day <= last:
        if not weekdays_only or day.weekday() < 5:
            open_ = datetime.combine(day, time(hours[0]), tz)
            # time() has no 24: an end of day at 24 is the next midnight, reached by adding hours to this one.
            close = datetime.combine(day, time(0), tz) + timedelta(hours=hours[1]) if hours[1] == 24 \
                else datetime.combine(day, time(hours[1]), tz)
            lo, hi = max(open_, start), min(close, end)
            if hi > lo:
                windows.append((lo.astimezone(UTC), hi.astimezone(UTC)))
        day += timedelta(days=1)
    return windows


def free_windows(busy: Iterable[Interval], start: datetime, end: datetime, tz: ZoneInfo,
                 hours: tuple[int, int] = (8, 16), weekdays_only: bool = True) -> list[Interval]:
    """Working-hour time between start and end in which nobody is busy (UTC)."""
    blocked = merge_intervals(busy)
    free: list[Interval] = []
    for lo, hi in working_windows(start, end, tz, hours, weekdays_only):
        cursor = lo
        for b_start, b_end in blocked:
            if b_end <= cursor or b_start >= hi:
                continue
            if b_start > cursor:
                free.append((cursor, b_start))
            cursor = max(cursor, b_end)
            if cursor >= hi:
                break
        if cursor < hi:
            free.append((cursor, hi))
    return free


def _align(moment: datetime, step: timedelta, tz: ZoneInfo) -> datetime:
    """Round up to the next multiple of step after local midnight."""
    local = moment.astimezone(tz)
    midnight = datetime.combine(local.date(), time(0), tz)
    offset = local - midnight
    steps = -(-offset // step)  # ceiling division: a slot never starts before `moment`
    return (midnight + steps * step).astimezone(UTC)


def suggest_slots(busy: Mapping[str, list[BusySlot]], start: datetime, end: datetime, duration: timedelta,
                  tz: ZoneInfo, hours: tuple[int, int] = (8, 16), *, step: timedelta = timedelta(minutes=30),
                  limit: int = 5, weekdays_only: bool = True) -> list[Suggestion]:
    """Meeting slots of `duration` in working hours: everyone free first (earliest first), then fewest busy."""
    if duration <= timedelta(0) or step <= timedelta(0):
        raise ValueError("duration and step must be positive")
    people = {p: merge_intervals((s.start, s.end) for s in slots) for p, slots in busy.items()}
    candidates: list[Suggestion] = []
    for lo, hi in working_windows(start, end, tz, hours, weekdays_only):
        slot_start = _align(lo, step, tz)
        while slot_start + duration <= hi:
            slot_end = slot_start + duration
            taken = tuple(sorted(p for p, iv in people.items() if any(s < slot_end and e > slot_start for s, e in iv)))
            candidates.append(Suggestion(slot_start, slot_end, taken))
            slot_start += step
    candidates.sort(key=lambda c: (len(c.busy_people), c.start))  # stable: ties keep the earliest first
    return candidates[:limit]


def spread(suggestions: Iterable[Suggestion], count: int) -> list[Suggestion]:
    """Up to count suggestions that do not overlap one another, best first as given, returned in time order."""
    picked: list[Suggestion] = []
    if count <= 0:
        return picked
    for s in suggestions:
        if all(s.end <= p.start or s.start >= p.end for p in picked):
            picked.append(s)
            if len(picked) == count:
                break
    return sorted(picked, key=lambda s: s.start)
