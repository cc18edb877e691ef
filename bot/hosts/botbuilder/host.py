"""The botbuilder host as the HTTP edge sees it: activities in (JWT checked), answers out, its messenger for the rest."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.chat import events
from bot.chat.dispatch import Dispatcher
from bot.chat.host import HttpAnswer, Parsed, parse_with, run_activity
from bot.chat.routes import Router
from bot.config import Settings
from bot.hosts.botbuilder.adapter import build_adapter, close_adapter
from bot.hosts.botbuilder.auth import Unauthorized, authenticate
from bot.hosts.botbuilder.bot import FaggruppeBot
from bot.hosts.botbuilder.fastpath import invoke_body_json
from bot.hosts.botbuilder.messenger import BotbuilderMessenger
from bot.services import Services


class BotbuilderHost:
    """CloudAdapter, the ActivityHandler over the chat dispatcher, and the messenger (also the delivery engine's sender)."""

    def __init__(self, settings: Settings, services: Services, router: Router) -> None:
        self.adapter = build_adapter(settings)
        self.messenger = BotbuilderMessenger(self.adapter, services.conversations, settings.app_id)
        self.sender = self.messenger
        self.bot = FaggruppeBot(Dispatcher(services, router))

    def parse(self, payload: dict[str, Any]) -> Parsed:
        """The activity of a JSON body; BadActivity when its fields have the wrong types."""
        return parse_with(Activity().deserialize, payload)

    async def process(self, parsed: Parsed, authorization: str | None) -> HttpAnswer:
        """Validate the Authorization header, then run the turn through the CloudAdapter."""
        async def turn(context: TurnContext) -> None:
            context.turn_state[events.RAW] = parsed.raw
            await self.bot.on_turn(context)

        async def run(auth_result: Any) -> tuple[int, Any] | None:
            invoke = await self.adapter.process_activity(auth_result, parsed.activity, turn)
            if invoke is None:
                return None
            body = invoke.body if invoke.body is None or isinstance(invoke.body, (dict, list, str, int, float)) \
                else invoke_body_json(invoke.body)
            return invoke.status, body

        auth = self.adapter.bot_framework_authentication
        return await run_activity(lambda: authenticate(auth, parsed.activity, authorization), Unauthorized, run)

    async def close(self) -> None:
        """Close the cached connector clients."""
        await close_adapter(self.adapter)


def build_host(settings: Settings, services: Services, router: Router) -> BotbuilderHost:
    """The botbuilder host for these services and routes (the only thing bot.app takes from this package)."""
    return BotbuilderHost(settings, services, router)
