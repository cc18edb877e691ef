"""The Bot Framework host (botbuilder-core): the only package that imports botbuilder."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.chat.routes import Router
    from bot.config import Settings
    from bot.hosts.botbuilder.host import BotbuilderHost
    from bot.services import Services


def build_host(settings: Settings, services: Services, router: Router) -> BotbuilderHost:
    """The botbuilder host (imported lazily: importing a submodule such as messenger stays cheap)."""
    from bot.hosts.botbuilder.host import build_host as build

    return build(settings, services, router)
