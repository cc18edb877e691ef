"""Needs/benefits input status of a project, as reminders and summaries show it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class InputStatus:
    """How many entries a project has, per faggruppe, and which involved faggrupper have sent nothing."""

    total: int = 0
    needs: int = 0
    benefits: int = 0
    by_faggruppe: dict[str, int] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
