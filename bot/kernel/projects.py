"""A project as features and cards see it (pure: no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ProjectInfo:
    """A project."""

    id: int
    name: str
    description: str
    owner_id: str
    faggrupper: tuple[str, ...]
    phase: str
    created_at: datetime
