"""The Agents SDK host as the HTTP edge sees it: activities in (JWT checked), answers out, its messenger for the rest."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import ChannelServiceAdapter, RestChannelServiceClientFactory, TurnContext
from microsoft_agents.hosting.core.connector.client import UserTokenClient

from bot.chat import telemetry
from bot.chat.dispatch import Dispatcher, message_body
from bot.chat.errors import generic_text
from bot.chat.host import BadActivity, HttpAnswer
from bot.chat.routes import Router
from bot.config import Settings
from bot.delivery.send_errors import SendError
from bot.hosts.agents.agent import RAW, FaggruppeAgent, invoke_response
from bot.hosts.agents.auth import BotConnections, BotTokenValidator, Unauthorized
from bot.hosts.agents.messenger import AgentsMessenger
from bot.services import Services

log = logging.getLogger("bot.http")
# Failures talking to the Bot Connector (HTTP errors as SendError, network errors).
CONNECTOR_ERRORS = (SendError, aiohttp.ClientError, TimeoutError, OSError)


@dataclass(frozen=True)
class Parsed:
    """An activity as the SDK reads it, and its JSON (who and where are read from the JSON)."""

    activity: Activity
    raw: dict[str, Any]


class BotClientFactory(RestChannelServiceClientFactory):
    """The SDK's client factory without the user-token client's token: the bot has no OAuth sign-in, so that client is
    never called, and the stock factory would fetch a token for it on every turn (and fail for a proactive turn)."""

    async def create_user_token_client(self, context: TurnContext, claims_identity: Any,
                                       use_anonymous: bool = False) -> UserTokenClient:
        return UserTokenClient(app_id=claims_identity.get_app_id() or "", endpoint=self._token_service_endpoint,
                               token="")


class AgentsAdapter(ChannelServiceAdapter):
    """The SDK's channel-service adapter (what its aiohttp CloudAdapter is, minus the request plumbing bot.app owns)."""


def build_adapter(settings: Settings) -> AgentsAdapter:
    """An adapter whose connector clients carry tokens from the configured app registration."""
    adapter = AgentsAdapter(BotClientFactory(BotConnections(settings)))

    async def on_error(context: TurnContext, error: Exception) -> None:
        connector_failed = isinstance(error, CONNECTOR_ERRORS)
        if connector_failed:
            # The turn's work is done and saved; only the answer could not be delivered: no apology through it.
            log.warning("a reply could not be delivered: %s", type(error).__name__)
            telemetry.set_outcome("reply_failed")
        else:
            log.error("unhandled error in turn: %s", type(error).__name__, exc_info=error)
            telemetry.set_outcome("error")
        try:
            text = generic_text(context.activity.locale)
            if context.activity.type == ActivityTypes.invoke and context.activity.name == "adaptiveCard/action":
                await context.send_activity(invoke_response(message_body(text)))
            elif not connector_failed:
                await context.send_activity(text)
        except Exception:
            log.warning("could not tell the user about the error")

    adapter.on_turn_error = on_error
    return adapter


def _no_empty(value: Any) -> Any:
    return {k: v for k, v in value.items() if v != ""} if isinstance(value, dict) else value


def lenient(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with the empty ids the connector may send (a guest's aadObjectId) left out of the accounts: the SDK's
    models require them non-empty, botbuilder's take them. Who and where are read from the payload as it came."""
    out = dict(payload)
    for key in ("from", "recipient", "conversation"):
        if isinstance(out.get(key), dict):
            out[key] = _no_empty(out[key])
    for key in ("membersAdded", "membersRemoved"):
        if isinstance(out.get(key), list):
            out[key] = [_no_empty(m) for m in out[key]]
    return out


class AgentsHost:
    """The SDK adapter, the ActivityHandler over the chat dispatcher, and the messenger (also the engine's sender)."""

    def __init__(self, settings: Settings, services: Services, router: Router) -> None:
        self.adapter = build_adapter(settings)
        self.validator = BotTokenValidator(settings)
        self.messenger = AgentsMessenger(self.adapter, services.conversations, settings.app_id)
        self.sender = self.messenger
        self.agent = FaggruppeAgent(Dispatcher(services, router))

    def parse(self, payload: dict[str, Any]) -> Parsed:
        """The activity of a JSON body; BadActivity when its fields have the wrong types."""
        try:
            return Parsed(Activity.model_validate(lenient(payload)), payload)
        except Exception as exc:
            raise BadActivity(type(exc).__name__) from None

    async def process(self, parsed: Parsed, authorization: str | None) -> HttpAnswer:
        """Validate the Authorization header, then run the turn through the adapter."""
        try:
            claims = await self.validator.authenticate(authorization, parsed.raw)
        except Unauthorized:
            telemetry.set_outcome("unauthorized")
            return HttpAnswer(401, {"error": "unauthorized"}, json=True)

        async def turn(context: TurnContext) -> None:
            context.turn_state[RAW] = parsed.raw
            await self.agent.on_turn(context)

        try:
            invoke = await self.adapter.process_activity(claims, parsed.activity, turn)
        except Exception:
            log.exception("activity processing failed")
            telemetry.set_outcome("error")
            return HttpAnswer(200)
        if invoke is None:
            return HttpAnswer(201)
        return HttpAnswer(int(invoke.status), invoke.body, json=True)

    async def close(self) -> None:
        """Nothing to close: the adapter closes each turn's connector client."""


def build_host(settings: Settings, services: Services, router: Router) -> AgentsHost:
    """The Agents SDK host for these services and routes."""
    return AgentsHost(settings, services, router)
