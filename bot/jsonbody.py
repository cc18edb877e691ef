"""Request bodies as JSON with bounded nesting: a body that is too deep or not clean JSON is refused before parsing."""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64  # a Teams activity with an Adaptive Card in it nests about 15 levels

# The skeleton of a body: its brackets outside strings, braces mapped to brackets (C-speed bytes operations).
_TO_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _bounded(depth: int) -> re.Pattern[bytes]:
    """A regular expression for balanced brackets nested at most `depth` deep (bounded nesting is regular).

    Possessive repeats never backtrack, so matching is linear in the body size.
    """
    pattern = rb"\[\]"
    for _ in range(depth - 1):
        pattern = rb"\[(?:" + pattern + rb")*+\]"
    return re.compile(rb"(?:" + pattern + rb")*+")


_WITHIN_DEPTH = _bounded(MAX_DEPTH)


class BadBody(ValueError):
    """The body is not JSON this service accepts; `reason` is safe to return to the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when brackets outside strings nest deeper than `limit` (or do not balance, which no JSON does)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    # Escapes go first (`\\` then `\"`), so that every remaining quote opens or closes a string.
    plain = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(plain.split('"')[::2])
    skeleton = outside.encode("utf-8", "surrogatepass").translate(_TO_BRACKETS, _NOT_BRACKETS)
    pattern = _WITHIN_DEPTH if limit == MAX_DEPTH else _bounded(limit)
    return pattern.fullmatch(skeleton) is None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(literal: str) -> float:
    """A JSON float; 1e999 or a 400-digit decimal would become float('inf'), which no JSON reply could carry."""
    value = float(literal)
    if value - value != 0.0:
        raise ValueError("number too large for a float")
    return value


def loads(body: bytes) -> Any:
    """The JSON value of a request body; raises BadBody for anything but UTF-8 JSON within the depth limit.

    Refused: invalid UTF-8, nesting deeper than MAX_DEPTH (json.loads would recurse until RecursionError), NaN,
    Infinity and numbers too large for a float, integers beyond Python's 4,300-digit limit, and lone UTF-16
    surrogates (no database can store them; checked only when the text has a \\uD8xx-style escape).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("body is not UTF-8") from None
    if too_deep(text):
        raise BadBody("body is nested too deeply or its brackets do not balance")
    try:
        value = json.loads(text, parse_constant=_no_constants, parse_float=_finite)
    except (ValueError, RecursionError):
        raise BadBody("body is not JSON") from None
    if "\\ud" in text or "\\uD" in text:  # str.find speed; a surrogate escape is rare in Teams traffic
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise BadBody("body has a lone UTF-16 surrogate") from None
    return value
