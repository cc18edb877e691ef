"""The Agents SDK host as the HTTP edge sees it: activities in (JWT checked), answers out, its messenger for the rest."""

from __future__ import annotations

from typing import Any

import aiohttp
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import ChannelServiceAdapter, RestChannelServiceClientFactory, TurnContext
from microsoft_agents.hosting.core.connector.client import UserTokenClient
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from bot.chat import events
from bot.chat.dispatch import Dispatcher
from bot.chat.host import HttpAnswer, Parsed, parse_with, run_activity
from bot.chat.routes import Router
from bot.config import Settings
from bot.delivery.send_errors import SendError
from bot.hosts.agents.agent import FaggruppeAgent, sender
from bot.hosts.agents.auth import BotConnections, BotTokenValidator, Unauthorized
from bot.hosts.agents.messenger import AgentsMessenger
from bot.services import Services

# Failures talking to the Bot Connector (HTTP errors as SendError, network errors).
CONNECTOR_ERRORS = (SendError, aiohttp.ClientError, TimeoutError, OSError)


class _Shared:
    """A client kept across turns: the adapter's close at the end of each turn does nothing; the host closes it."""

    async def close(self) -> None:
        return None

    async def really_close(self) -> None:
        await super().close()  # type: ignore[misc]


class SharedConnector(_Shared, TeamsConnectorClient):
    """The SDK's Teams connector client, reused by every turn to one service URL (one connection pool)."""


class SharedUserTokens(_Shared, UserTokenClient):
    """The user-token client: the bot has no OAuth sign-in, so it is never called; one instance, no token."""


class BotClientFactory(RestChannelServiceClientFactory):
    """The SDK's client factory with its clients reused (the fast path on this host).

    The stock factory builds a new connector client (a new aiohttp session, so a new TCP connection) and a user-token
    client (with a token fetched for it) on every activity and every proactive send; here one connector client per
    (service URL, token) is kept, replaced when the token is refreshed, and the unused user-token client is shared."""

    def __init__(self, connections: BotConnections) -> None:
        super().__init__(connections)
        self._connections = connections
        self._clients: dict[str, tuple[str, SharedConnector]] = {}
        self._retired: dict[str, list[SharedConnector]] = {}
        self._user_tokens: SharedUserTokens | None = None

    async def create_connector_client(self, context: TurnContext | None, claims_identity: Any, service_url: str,
                                      audience: str, scopes: list[str] | None = None,
                                      use_anonymous: bool = False) -> Any:
        if not service_url:
            raise TypeError("service_url is required")
        token = await self._connections.get_default_connection().get_access_token(audience, scopes or [])
        held = self._clients.get(service_url)
        if held is not None and held[0] == token:
            return held[1]
        client = SharedConnector(endpoint=service_url, token=token)
        self._clients[service_url] = (token, client)
        if held is not None:  # a token refresh: turns still running may use the old client; close it one refresh later
            for old in self._retired.pop(service_url, []):
                await old.really_close()
            self._retired[service_url] = [held[1]]
        return client

    async def create_user_token_client(self, context: TurnContext, claims_identity: Any,
                                       use_anonymous: bool = False) -> UserTokenClient:
        if self._user_tokens is None:
            self._user_tokens = SharedUserTokens(app_id=claims_identity.get_app_id() or "",
                                                 endpoint=self._token_service_endpoint, token="")
        return self._user_tokens

    async def close(self) -> None:
        """Close the kept clients (on shutdown)."""
        for client in [c for _, c in self._clients.values()] + [c for cs in self._retired.values() for c in cs]:
            await client.really_close()
        self._clients.clear()
        self._retired.clear()
        if self._user_tokens is not None:
            await self._user_tokens.really_close()
            self._user_tokens = None


class AgentsAdapter(ChannelServiceAdapter):
    """The SDK's channel-service adapter (what its aiohttp CloudAdapter is, minus the request plumbing bot.app owns)."""

    def __init__(self, clients: BotClientFactory) -> None:
        super().__init__(clients)
        self.clients = clients


def build_adapter(settings: Settings) -> AgentsAdapter:
    """An adapter whose connector clients carry tokens from the configured app registration."""
    adapter = AgentsAdapter(BotClientFactory(BotConnections(settings)))

    async def on_error(context: TurnContext, error: Exception) -> None:
        await events.turn_failed(error, isinstance(error, CONNECTOR_ERRORS), context.activity, sender(context))

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
        return parse_with(lambda p: Activity.model_validate(lenient(p)), payload)

    async def process(self, parsed: Parsed, authorization: str | None) -> HttpAnswer:
        """Validate the Authorization header, then run the turn through the adapter."""
        async def turn(context: TurnContext) -> None:
            context.turn_state[events.RAW] = parsed.raw
            await self.agent.on_turn(context)

        async def run(claims: Any) -> tuple[int, Any] | None:
            invoke = await self.adapter.process_activity(claims, parsed.activity, turn)
            return None if invoke is None else (int(invoke.status), invoke.body)

        return await run_activity(lambda: self.validator.authenticate(authorization, parsed.raw), Unauthorized, run)

    async def close(self) -> None:
        """Close the connector clients kept across turns."""
        await self.adapter.clients.close()


def build_host(settings: Settings, services: Services, router: Router) -> AgentsHost:
    """The Agents SDK host for these services and routes."""
    return AgentsHost(settings, services, router)
