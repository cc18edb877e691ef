"""Per-activity outcome, recorded by the handler and logged by the HTTP edge (no message text)."""

from __future__ import annotations

from contextvars import ContextVar

_outcome: ContextVar[dict[str, str] | None] = ContextVar("activity_outcome", default=None)


def begin() -> dict[str, str]:
    """Start recording for the current request."""
    box: dict[str, str] = {"outcome": "ok"}
    _outcome.set(box)
    return box


def set_outcome(value: str) -> None:
    """Record what the turn did (command word, verb, refusal)."""
    box = _outcome.get()
    if box is not None:
        box["outcome"] = value
