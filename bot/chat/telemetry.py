"""Per-activity outcome, recorded by the handler and logged by the HTTP edge (no message text)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from bot.kernel.logsetup import bind_correlation

_outcome: ContextVar[dict[str, str] | None] = ContextVar("activity_outcome", default=None)


def begin() -> dict[str, str]:
    """Start recording for the current request."""
    box: dict[str, str] = {"outcome": "ok"}
    _outcome.set(box)
    bind_correlation(None)  # requests on one keep-alive connection may share a context: no id left from the last one
    return box


def current() -> dict[str, str] | None:
    """What was recorded for the current request (None outside one)."""
    return _outcome.get()


def start_turn(activity: Any) -> None:
    """A turn begins: note its kind, and tag every log line of the turn with the activity id."""
    bind_correlation(getattr(activity, "id", None))
    box = _outcome.get()
    if box is not None:
        box["kind"] = str(getattr(activity, "type", "") or "")[:40]


def set_outcome(value: str) -> None:
    """Record what the turn did (command word, verb, refusal); the first command or verb is kept as its action."""
    box = _outcome.get()
    if box is not None:
        box["outcome"] = value
        if value.startswith(("cmd:", "verb:")):
            box.setdefault("action", value)
