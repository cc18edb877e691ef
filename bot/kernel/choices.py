"""Multi-select values for names that contain commas (faggruppe names do; Teams joins multi-select values with commas)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def choice_value(name: str) -> str:
    """A comma-free, stable choice value for a name."""
    return "fg-" + hashlib.sha256(name.encode()).hexdigest()[:12]


def encode_multi(names: Iterable[str]) -> str:
    """The value of a multi-select with these names chosen."""
    return ",".join(choice_value(n) for n in names)


def decode_multi(raw: object, options: Iterable[str]) -> list[str]:
    """Chosen names from a multi-select value; exact names (any case) are accepted too, unknown parts kept as given."""
    by_value: dict[str, str] = {}
    for name in options:
        by_value[choice_value(name)] = name
        by_value[name.lower()] = name
    parts = raw if isinstance(raw, list) else str(raw or "").split(",")
    out: list[str] = []
    for part in (str(p).strip() for p in parts):
        if part and (chosen := by_value.get(part, by_value.get(part.lower(), part))) not in out:
            out.append(chosen)
    return out
