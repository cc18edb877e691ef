"""Services bound for job functions at start-up (jobs carry ids only, never objects).

One bot process binds one set of services; several instances are several processes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services

_services: Services | None = None


def bind(services: Services | None) -> None:
    """Bind (or unbind) the services jobs use."""
    global _services
    _services = services


def services() -> Services:
    """The bound services; raises when the process has none (a job ran outside the app)."""
    if _services is None:
        raise RuntimeError("no services bound for scheduled jobs")
    return _services
