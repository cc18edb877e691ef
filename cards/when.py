"""The one way the bot writes dates and times for people (Språkrådet: 'tirsdag 8. desember kl. 10.00–11.30')."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, tzinfo

T = Callable[..., str]


def _names(t: T, key: str, short: bool) -> list[str]:
    """The day or month names of the language (a comma-separated text), short or long."""
    return t(f"when.{key}_short" if short else f"when.{key}").split(",")


def day(t: T, d: date, *, year: bool = False, short: bool = False) -> str:
    """'tirsdag 8. desember' ('tir. 8. des.' when short; the year only when asked)."""
    params = {"weekday": _names(t, "weekdays", short)[d.weekday()], "day": d.day,
              "month": _names(t, "months", short)[d.month - 1], "year": d.year}
    return t("when.day_year" if year else "when.day", **params)


def clock(t: T, at: time | datetime) -> str:
    """'10.00' in Norwegian (a dot, as Språkrådet recommends), '10:00' in English."""
    return t("when.clock", hh=f"{at.hour:02d}", mm=f"{at.minute:02d}")


def at_day(t: T, d: date, at: time | None, *, year: bool = False, short: bool = False) -> str:
    """A day with an optional wall-clock time: 'tirsdag 8. desember kl. 12.00'."""
    shown = day(t, d, year=year, short=short)
    return t("when.at", date=shown, time=clock(t, at)) if at is not None else shown


def moment(t: T, dt: datetime, tz: tzinfo, *, year: bool = False, short: bool = False) -> str:
    """An instant in the bot's zone: 'torsdag 3. desember kl. 16.18'."""
    local = dt.astimezone(tz)
    return at_day(t, local.date(), local.time(), year=year, short=short)


def span(t: T, start: datetime, end: datetime, tz: tzinfo, *, short: bool = False) -> str:
    """A meeting in the bot's zone (DST-correct): 'tirsdag 8. desember kl. 10.00–11.30'."""
    s, e = start.astimezone(tz), end.astimezone(tz)
    return t("when.span", date=day(t, s.date(), short=short), start=clock(t, s), end=clock(t, e))
