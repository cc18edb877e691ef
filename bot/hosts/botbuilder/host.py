"""The botbuilder host as the HTTP edge sees it: activities in (JWT checked), answers out, its messenger for the rest."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.schema import Activity

from bot.chat import telemetry
from bot.chat.dispatch import Dispatcher
from bot.chat.host import BadActivity, HttpAnswer
from bot.chat.routes import Router
from bot.config import Settings
from bot.hosts.botbuilder.adapter import build_adapter, close_adapter
from bot.hosts.botbuilder.auth import Unauthorized, authenticate
from bot.hosts.botbuilder.bot import FaggruppeBot
from bot.hosts.botbuilder.fastpath import invoke_body_json
from bot.hosts.botbuilder.messenger import BotbuilderMessenger
from bot.services import Services

log = logging.getLogger("bot.http")


class BotbuilderHost:
    """CloudAdapter, the ActivityHandler over the chat dispatcher, and the messenger (also the delivery engine's sender)."""

    def __init__(self, settings: Settings, services: Services, router: Router) -> None:
        self.adapter = build_adapter(settings)
        self.messenger = BotbuilderMessenger(self.adapter, services.conversations, settings.app_id)
        self.sender = self.messenger
        self.bot = FaggruppeBot(Dispatcher(services, router))

    def parse(self, payload: dict[str, Any]) -> Activity:
        """The activity of a JSON body; BadActivity when its fields have the wrong types."""
        try:
            return Activity().deserialize(payload)
        except Exception as exc:
            raise BadActivity(type(exc).__name__) from None

    async def process(self, activity: Activity, authorization: str | None) -> HttpAnswer:
        """Validate the Authorization header, then run the turn through the CloudAdapter."""
        try:
            auth_result = await authenticate(self.adapter.bot_framework_authentication, activity, authorization)
        except Unauthorized:
            telemetry.set_outcome("unauthorized")
            return HttpAnswer(401, {"error": "unauthorized"}, json=True)
        try:
            invoke = await self.adapter.process_activity(auth_result, activity, self.bot.on_turn)
        except Exception:
            # on_turn_error already handles errors inside the turn; this is the adapter itself failing.
            log.exception("activity processing failed")
            telemetry.set_outcome("error")
            return HttpAnswer(200)
        if invoke is None:
            return HttpAnswer(201)
        body = invoke.body if invoke.body is None or isinstance(invoke.body, (dict, list, str, int, float)) \
            else invoke_body_json(invoke.body)
        return HttpAnswer(invoke.status, body, json=True)

    async def close(self) -> None:
        """Close the cached connector clients."""
        await close_adapter(self.adapter)


def build_host(settings: Settings, services: Services, router: Router) -> BotbuilderHost:
    """The botbuilder host for these services and routes (the only thing bot.app takes from this package)."""
    return BotbuilderHost(settings, services, router)
