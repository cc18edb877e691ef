"""The Microsoft 365 Agents SDK host: the only package that imports microsoft_agents."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.chat.routes import Router
    from bot.config import Settings
    from bot.hosts.agents.host import AgentsHost
    from bot.services import Services


def build_host(settings: Settings, services: Services, router: Router) -> AgentsHost:
    """The Agents SDK host (imported lazily)."""
    from bot.hosts.agents.host import build_host as build

    return build(settings, services, router)
