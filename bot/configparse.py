"""Parsers for environment variables: a raw string in, a value or an `Invalid` naming what is wrong out."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from aiohttp.web import Request

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# DNS limits (RFC 1035): a name of at most 253 characters, labels of at most 63.
DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)
TRUE = ("1", "true", "yes", "on", "ja")
FALSE = ("0", "false", "no", "off", "nei")
# A request relayed by a proxy on this machine carries one of these; it then counts as public, not as loopback.
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")
Parser = Callable[[str], Any]


class Invalid(ValueError):
    """A value that cannot be used: a message key of the catalogue (cfg.*) and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def text(raw: str) -> str:
    """Any text, surrounding blanks removed."""
    return raw.strip()


def secret(raw: str) -> str:
    """A secret, kept exactly as given (a blank may be part of it)."""
    return raw


def long_secret(raw: str) -> str:
    """A key of at least 32 characters, or empty (the bot then generates one and keeps it in the database)."""
    value = raw.strip()
    if value and len(value) < 32:
        raise Invalid("cfg.short_secret", length=len(value))
    return value


def token(raw: str) -> str:
    """A bearer token: empty, or at least 24 printable characters without blanks (it alone guards what it opens)."""
    value = raw.strip()
    if value and (len(value) < 24 or not re.fullmatch(r"[\x21-\x7e]+", value)):
        raise Invalid("cfg.token")
    return value


def integer(low: int, high: int | None = None) -> Parser:
    """A whole number within [low, high]."""

    def parse(raw: str) -> int:
        """The whole number in `raw`, within the bounds."""
        try:
            value = int(raw.strip())
        except ValueError:
            raise Invalid("cfg.int", raw=raw.strip()[:40]) from None
        if value < low or (high is not None and value > high):
            raise Invalid("cfg.range", raw=value, low=low, high=high if high is not None else "∞")
        return value

    return parse


def boolean(raw: str) -> bool:
    """true/false (also yes/no, on/off, 1/0, ja/nei)."""
    word = raw.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise Invalid("cfg.bool", raw=raw.strip()[:40])


def choice(*options: str, fold: Callable[[str], str] = str) -> Parser:
    """One of the options (compared after fold, e.g. str.lower); the empty string when it is an option."""

    def parse(raw: str) -> str:
        """The option that `raw` names (compared after `fold`)."""
        value = fold(raw.strip())
        for option in options:
            if fold(option) == value:
                return option
        raise Invalid("cfg.choice", raw=raw.strip()[:40], options=", ".join(o for o in options if o))

    return parse


def guid(raw: str) -> str:
    """A GUID, or empty."""
    value = raw.strip()
    if value and not GUID_RE.match(value):
        raise Invalid("cfg.guid", raw=value[:60])
    return value


def tenant(raw: str) -> str:
    """A directory (tenant) id: a GUID or a verified domain such as kommune.onmicrosoft.com; or empty."""
    value = raw.strip()
    if value and not (GUID_RE.match(value) or DOMAIN_RE.match(value)):
        raise Invalid("cfg.tenant", raw=value[:60])
    return value


def guids(raw: str) -> tuple[str, ...]:
    """Comma-separated GUIDs, lower-cased."""
    items = tuple(item.strip().lower() for item in raw.split(",") if item.strip())
    bad = [item for item in items if not GUID_RE.match(item)]
    if bad:
        raise Invalid("cfg.guids", raw=bad[0][:60])
    return items


def names(default: tuple[str, ...] = (), *, lower: bool = False) -> Parser:
    """Comma-separated names; the default when empty."""

    def parse(raw: str) -> tuple[str, ...]:
        """The comma-separated names in `raw`, or the default when there are none."""
        items = tuple(item.strip() for item in raw.split(",") if item.strip())
        items = items or default
        return tuple(item.lower() for item in items) if lower else items

    return parse


def timezone(raw: str) -> str:
    """An IANA time zone name."""
    value = raw.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid("cfg.timezone", raw=value[:60]) from None
    return value


def url(*, https: bool = False) -> Parser:
    """An absolute http(s) URL with a host and no query or fragment (trailing slash removed); or empty."""

    def parse(raw: str) -> str:
        """`raw` as a URL without a trailing slash ('' when empty)."""
        value = raw.strip().rstrip("/")
        if not value:
            return ""
        try:
            parts = urlparse(value)
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            raise Invalid("cfg.url", raw=value[:100]) from None
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise Invalid("cfg.url", raw=value[:100])
        if https and parts.scheme != "https":
            raise Invalid("cfg.https", raw=value[:100])
        return value

    return parse


def database_url(raw: str) -> str:
    """sqlite+aiosqlite:///path or postgresql+psycopg://...; the plain sqlite:// and postgresql:// forms are accepted."""
    value = raw.strip()
    # The engine is async: the plain forms are rewritten to the async drivers (aiosqlite, psycopg 3).
    if value.startswith("sqlite://"):
        value = value.replace("sqlite://", "sqlite+aiosqlite://", 1)
    if value.startswith(("postgresql://", "postgres://")):
        value = "postgresql+psycopg://" + value.split("://", 1)[1]
    # The value itself is not repeated in the message: it may hold a password.
    # 21 is the length of "postgresql+psycopg://": something must follow it.
    if value.startswith("sqlite+aiosqlite:///") or (value.startswith("postgresql+psycopg://") and len(value) > 21):
        return value
    raise Invalid("cfg.database_url")


def working_hours(raw: str) -> tuple[int, int]:
    """Two hours like 8,16 (start before end, within 0..24)."""
    parts = [p.strip() for p in raw.split(",")]
    try:
        start, end = int(parts[0]), int(parts[1])
        if len(parts) != 2 or not 0 <= start < end <= 24:
            raise ValueError
    except (ValueError, IndexError):
        raise Invalid("cfg.working_hours", raw=raw.strip()[:40]) from None
    return start, end


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name in ("localhost", "localhost.localdomain") or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def from_loopback(request: Request) -> bool:
    """True when the request comes straight from this machine (the operator, the container's health check).

    A request that came through a proxy on this machine carries forwarding headers and counts as public.
    """
    if any(h in request.headers for h in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.remote or "")
    except ValueError:
        return False
    return bool((getattr(address, "ipv4_mapped", None) or address).is_loopback)


def url_host(value: str) -> str:
    """The host of a URL (lower-cased), or empty."""
    try:
        return (urlparse(value).hostname or "").lower()
    except ValueError:
        return ""


def and_join(items: list[str], word: str) -> str:
    """'A', 'A and B', 'A, B and C' (word is 'and' / 'og')."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"
