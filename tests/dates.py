"""Calendar days for tests, always taken from the test clock: no test names a day that today's date can pass."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.kernel.clock import Clock

OSLO = ZoneInfo("Europe/Oslo")
MONTHS_NB = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
             "november", "desember")


def today(clock: Clock, tz: ZoneInfo = OSLO) -> date:
    """The test clock's local date."""
    return clock.now().astimezone(tz).date()


def day(clock: Clock, days: int, tz: ZoneInfo = OSLO) -> date:
    """The local date `days` days from the test clock's today (negative: in the past)."""
    return today(clock, tz) + timedelta(days=days)


def iso(clock: Clock, days: int, tz: ZoneInfo = OSLO) -> str:
    """`day` as the ISO string a card's Input.Date sends."""
    return day(clock, days, tz).isoformat()


def weekday_after(start: date, weekday: int) -> date:
    """The first date on or after `start` that falls on `weekday` (Monday = 0)."""
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def _transition_after(start: date, tz: ZoneInfo, to_summer: bool) -> date:
    """The first day on or after `start` on which the UTC offset of `tz` goes up (to_summer) or down."""
    def offset(d: date) -> timedelta:
        return datetime.combine(d, time(12), tz).utcoffset() or timedelta(0)

    d = start
    for _ in range(800):
        before, after = offset(d - timedelta(days=1)), offset(d)
        if (after > before) if to_summer else (after < before):
            return d
        d += timedelta(days=1)
    raise AssertionError(f"no daylight-saving change in {tz} after {start}")


def summer_time_starts(after: date, tz: ZoneInfo = OSLO) -> date:
    """The first day on or after `after` when clocks go forward (last Sunday of March in Oslo)."""
    return _transition_after(after, tz, to_summer=True)


def winter_time_starts(after: date, tz: ZoneInfo = OSLO) -> date:
    """The first day on or after `after` when clocks go back (last Sunday of October in Oslo)."""
    return _transition_after(after, tz, to_summer=False)


def at_local(d: date, hour: int, minute: int = 0, tz: ZoneInfo = OSLO) -> datetime:
    """`d` at the local wall-clock time, as an aware UTC datetime."""
    return datetime.combine(d, time(hour, minute), tz).astimezone(UTC)


def long_nb(d: date) -> str:
    """How the bot writes a date in Norwegian, e.g. '29. mars 2027'."""
    return f"{d.day}. {MONTHS_NB[d.month - 1]} {d.year}"
