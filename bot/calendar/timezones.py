"""Time zone names as Graph wants them: Windows names (IANA only for the few the calendar API lists)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import tz_win, win_tz

GRAPH_FORMAT = "%Y-%m-%dT%H:%M:%S"


def windows_name(iana: str) -> str:
    """The Windows time zone name Graph accepts for an IANA name ("Europe/Oslo" -> "W. Europe Standard Time").

    Graph's create/update accept every Windows name but only a short list of IANA names (Europe/Oslo is not
    among them), so the Windows name is what we send; "UTC" when there is none.
    """
    if iana in ("UTC", "Etc/UTC", "Etc/GMT"):
        return "UTC"
    return tz_win.get(iana, "UTC")


def zone_of(name: str) -> ZoneInfo:
    """The zone for a name Graph returns (Windows or IANA); UTC when unknown."""
    if not name or name.upper() in ("UTC", "GMT", "COORDINATED UNIVERSAL TIME"):
        return ZoneInfo("UTC")
    if name in win_tz:
        return ZoneInfo(win_tz[name])
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_graph(moment: datetime, tz: ZoneInfo) -> tuple[str, str]:
    """(dateTime, timeZone) for an instant, as local wall time in tz; naive values are taken as tz local time."""
    local = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
    zone = windows_name(tz.key)
    # A wall time the zone repeats (the autumn hour) or skips cannot say which instant it means: send UTC then.
    if zone == "UTC" or local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return local.astimezone(UTC).strftime(GRAPH_FORMAT), "UTC"
    return local.strftime(GRAPH_FORMAT), zone


def day_to_graph(day: date, tz: ZoneInfo) -> tuple[str, str]:
    """(dateTime, timeZone) of local midnight of a day, for all-day events."""
    return datetime.combine(day, time(0)).strftime(GRAPH_FORMAT), windows_name(tz.key)


def from_graph(date_time: str, time_zone: str) -> datetime:
    """An aware UTC datetime from Graph's dateTime (up to 7 fractional digits) and timeZone."""
    text = date_time.rstrip("Z")
    if "." in text:
        head, frac = text.split(".", 1)
        text = f"{head}.{frac[:6]}"
    naive = datetime.fromisoformat(text)
    return naive.replace(tzinfo=zone_of(time_zone)).astimezone(UTC)
