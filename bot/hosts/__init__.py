"""Hosts: the chat SDK adapters; the only code that imports a bot SDK. BOT_HOST chooses one."""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.chat.host import Host
    from bot.chat.routes import Router
    from bot.config import Settings
    from bot.services import Services

# BOT_HOST -> the distribution whose version `doctor` reports
SDK_PACKAGES = {"botbuilder": "botbuilder-core", "agents": "microsoft-agents-hosting-core"}


def build_host(settings: Settings, services: Services, router: Router) -> Host:
    """The host BOT_HOST names (its SDK imported only then)."""
    if settings.bot_host == "agents":
        from bot.hosts.agents import build_host as build
    else:
        from bot.hosts.botbuilder import build_host as build  # type: ignore[assignment]
    return build(settings, services, router)


def sdk_version(host: str) -> str:
    """The installed version of the host's SDK ('' when it is not installed)."""
    try:
        return metadata.version(SDK_PACKAGES.get(host, host))
    except metadata.PackageNotFoundError:
        return ""


async def bot_token(settings: Settings) -> str:
    """A Bot Connector token got through the chosen host's credentials (`doctor --online`)."""
    if settings.bot_host == "agents":
        from bot.hosts.agents.auth import bot_token as token
    else:
        from bot.hosts.botbuilder.auth import bot_token as token  # type: ignore[assignment]
    return await token(settings)
