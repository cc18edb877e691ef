"""The one validator for ids, indexes and numbers taken from card data and commands: type and range, before any use.

Card data comes from the client and can hold anything JSON can: 2**70, -1, "abc", 1.5, [], {}, true, "٣" or
"1_000". Only an int, an integral float or a string of at most 19 ASCII digits (optional sign) within the caller's
range is accepted; the range of an id is 1..2**31-1, what every id column holds in both stores (INTEGER is 32-bit in
PostgreSQL, 64-bit in SQLite; the fuzz run on PostgreSQL found 2**63-1 out of range). Existence is the
caller's question (a lookup with a value that passed here). A bad value raises `BadValue` with the caller's catalogue
key, so the user gets a clear message and no query is made with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.kernel.errors import DomainError

MAX_ID = 2**31 - 1
MAX_NUMBER = 1e12  # amounts and hours in forms: far beyond any municipal budget, far below float trouble
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")


class BadValue(DomainError):
    """An id or number in card data that is missing, of the wrong type or out of range."""

    key = "input.bad_value"


def parse_int(value: Any, *, lo: int = 1, hi: int = MAX_ID) -> int | None:
    """The integer in `value` when it is one (see the module docstring) and lo <= n <= hi; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():  # also NaN and infinities
            return None
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _INTEGER.fullmatch(text):
            return None
        number = int(text)
    else:
        return None
    return number if lo <= number <= hi else None


def parse_number(value: Any, *, lo: float = -MAX_NUMBER, hi: float = MAX_NUMBER) -> float | None:
    """A finite number within lo..hi: a JSON number, or typed text such as '1 500,5' (spaces, decimal comma); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if lo <= value <= hi else None  # compared before float(): 10**400 has no float
    if not isinstance(value, str) or len(value) > 64:
        return None
    text = value.strip().translate(_SPACES).replace(",", ".")
    if not _DECIMAL.fullmatch(text):
        return None
    number = float(text)
    return number if lo <= number <= hi else None


def absent(value: Any) -> bool:
    """True for a value a form leaves out: missing, null or blank."""
    return value is None or (isinstance(value, str) and not value.strip())


def require_id(data: Mapping[str, Any], key: str, error: str | None = None, *, lo: int = 1, hi: int = MAX_ID) -> int:
    """The id (or index) under `key`; BadValue(error) when it is missing or invalid."""
    number = parse_int(data.get(key), lo=lo, hi=hi)
    if number is None:
        raise BadValue(error)
    return number


def optional_id(data: Mapping[str, Any], key: str, error: str | None = None, *, lo: int = 1,
                hi: int = MAX_ID) -> int | None:
    """The id under `key`, None when left out; BadValue(error) when given but invalid."""
    value = data.get(key)
    if absent(value):
        return None
    number = parse_int(value, lo=lo, hi=hi)
    if number is None:
        raise BadValue(error)
    return number


def hint_id(value: Any) -> int | None:
    """An id used only as a hint (a preselected choice): None when invalid, nothing is refused."""
    return parse_int(value)


def clamped(value: Any, lo: int, hi: int, default: int) -> int:
    """A count from card data (form rows, minutes) forced into lo..hi; `default` when it is not an integer."""
    number = parse_int(value, lo=-MAX_ID, hi=MAX_ID)
    return default if number is None else max(lo, min(hi, number))
