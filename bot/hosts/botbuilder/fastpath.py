"""A fast activity path through botbuilder's own extension points (no module patching).

botbuilder's CloudAdapter asks its `BotFrameworkAuthentication` for a connector factory and a user-token client on
every activity, and the stock factory builds a new `ConnectorClient` (new credentials object, new msrest pipeline and
requests session with its retry policy, a new TCP connection) each time. `CachingBotFrameworkAuthentication` wraps
the configured authentication: inbound validation (`authenticate_request`) is delegated unchanged, and the connector
factory it hands out reuses one client per (service URL, audience, app id), as botbuilder's older
`BotFrameworkAdapter` does with its connector-client cache. Outbound authentication is unchanged: the cached client
carries the credentials botbuilder created, and they fetch and refresh tokens per request as before. The user-token
client (OAuth sign-in only) is created the first time it is used instead of on every activity.

The cached clients are `FastConnectorClient`s: botbuilder's ConnectorClient built from the credentials botbuilder's
own factory made, whose serializer passes Adaptive Card content (already plain JSON) through as it is instead of
round-tripping every node of the card through msrest's model (de)serializer; the activity envelope is still
serialized and validated by msrest.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import InvokeResponse, serializer_helper
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.aio.operations_async import ConversationsOperations
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.auth.authentication_constants import AuthenticationConstants
from msrest import Serializer

log = logging.getLogger(__name__)
MAX_CLIENTS = 64
ClientKey = tuple[str, str | None, str | None]


def app_id_of(claims_identity: ClaimsIdentity | None) -> str | None:
    """The bot's app id in the claims (audience for the channel, appid for the emulator), as botbuilder reads it."""
    if claims_identity is None:
        return None
    value = claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
    return value if value is not None else claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)


_SCALARS = (str, bool, int, float)
_MAX_NODES = 1_000_000


def _is_json(value: Any) -> bool:
    """True for plain JSON data (what cards/common.py builds), which msrest would copy unchanged."""
    stack = [value]
    seen = 0
    while stack:
        v = stack.pop()
        seen += 1
        if seen > _MAX_NODES:
            return False
        if v is None or isinstance(v, _SCALARS):
            continue
        if isinstance(v, dict):
            for k, x in v.items():
                if not isinstance(k, str):
                    return False
                if x is not None and not isinstance(x, str):  # strings are most nodes: skip the stack for them
                    stack.append(x)
        elif isinstance(v, list):
            stack.extend(v)
        else:
            return False
    return True


def _without_content(attachment: Any) -> Any:
    if isinstance(attachment, dict):
        return {k: v for k, v in attachment.items() if k != "content"}
    bare = copy.copy(attachment)
    bare.content = None
    return bare


class CardPassthroughSerializer(Serializer):
    """msrest's serializer, except that plain-JSON attachment content of an Activity body is passed through as is."""

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        if data_type != "Activity" or not isinstance(data, Activity) or not data.attachments:
            return super().body(data, data_type, **kwargs)
        contents = [a.get("content") if isinstance(a, dict) else getattr(a, "content", None) for a in data.attachments]
        if not all(isinstance(c, (dict, list)) and _is_json(c) for c in contents):
            return super().body(data, data_type, **kwargs)
        light = copy.copy(data)
        light.attachments = [_without_content(a) for a in data.attachments]
        body = super().body(light, data_type, **kwargs)
        serialized = body.get("attachments") if isinstance(body, dict) else None
        if not isinstance(serialized, list) or len(serialized) != len(contents):
            return super().body(data, data_type, **kwargs)
        for item, content in zip(serialized, contents, strict=True):
            item["content"] = content
        return body


class SentInvokeResponse(InvokeResponse):
    """An invoke response that is built once per turn and never changed after it is handed to botbuilder.

    `TurnContext.send_activities` deep-copies every outgoing activity; for an invoke response that means copying the
    whole Adaptive Card node by node (about half of a vote's CPU time in a profile). The response is ours and
    immutable once returned, so a copy may share it.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> SentInvokeResponse:
        return self


def invoke_body_json(body: Any) -> Any:
    """The JSON of an invoke response body; plain-JSON card content (`value`) is passed through, not walked by msrest."""
    value = getattr(body, "value", None)
    if not isinstance(value, (dict, list)) or not _is_json(value):
        return serializer_helper(body)
    light = copy.copy(body)
    light.value = None
    out = serializer_helper(light)
    if not isinstance(out, dict):
        return serializer_helper(body)
    out["value"] = value
    return out


class FastConnectorClient(ConnectorClient):
    """botbuilder's ConnectorClient with the card-passthrough serializer for conversation operations."""

    def __init__(self, credentials: Any, base_url: str, user_agent: str = "") -> None:
        super().__init__(credentials, base_url=base_url)
        serializer = CardPassthroughSerializer(self._serialize.dependencies)
        self.conversations = ConversationsOperations(self._client, self.config, serializer, self._deserialize)
        # The same User-Agent as the client botbuilder's factory made (it appends its own product token), copied
        # through msrest's public configuration instead of importing the constant from a private module.
        base = self.config.user_agent
        if user_agent.startswith(base) and user_agent[len(base):].strip():
            self.config.add_user_agent(user_agent[len(base):].strip())


class ConnectorClientCache:
    """Connector clients by (service URL, audience, app id), least recently used dropped beyond `limit`."""

    def __init__(self, limit: int = MAX_CLIENTS) -> None:
        self.limit = limit
        self._clients: OrderedDict[ClientKey, ConnectorClient] = OrderedDict()
        self.created = 0

    def get(self, key: ClientKey) -> ConnectorClient | None:
        client = self._clients.get(key)
        if client is not None:
            self._clients.move_to_end(key)
        return client

    def put(self, key: ClientKey, client: ConnectorClient) -> ConnectorClient:
        """Store a new client; if another turn stored one meanwhile, keep that one."""
        existing = self.get(key)
        if existing is not None:
            _close_soon(client)
            return existing
        self._clients[key] = client
        self.created += 1
        while len(self._clients) > self.limit:
            _, old = self._clients.popitem(last=False)
            _close_soon(old)
        return client

    def __len__(self) -> int:
        return len(self._clients)

    async def close(self) -> None:
        """Close every cached client (on shutdown)."""
        clients, self._clients = list(self._clients.values()), OrderedDict()
        for client in clients:
            await _close(client)


async def _close(client: ConnectorClient, delay: float = 0.0) -> None:
    if delay:
        await asyncio.sleep(delay)
    with contextlib.suppress(Exception):
        await client.__aexit__(None, None, None)  # closes the client's HTTP session


_closing: set[asyncio.Task[None]] = set()


def _close_soon(client: ConnectorClient) -> None:
    """Close a client a little later (a turn may still be using it)."""
    try:
        task = asyncio.get_running_loop().create_task(_close(client, 30.0))
    except RuntimeError:
        return
    _closing.add(task)
    task.add_done_callback(_closing.discard)


class CachingConnectorFactory(ConnectorFactory):
    """Hands out a cached client when one exists for (service URL, audience, app id); else asks the inner factory."""

    def __init__(self, inner: ConnectorFactory, app_id: str | None, cache: ConnectorClientCache) -> None:
        self.inner = inner
        self.app_id = app_id
        self.cache = cache

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (service_url, audience, self.app_id)
        client = self.cache.get(key)
        if client is None:
            made = await self.inner.create(service_url, audience)
            if type(made) is ConnectorClient and made.config.credentials is not None:
                # Same credentials botbuilder's factory made for this app id and audience; faster serializer.
                made = FastConnectorClient(made.config.credentials, service_url, made.config.user_agent)
            client = self.cache.put(key, made)
        return client


class LazyUserTokenClient(UserTokenClient):
    """Creates the real user-token client on first use (OAuth sign-in), not on every activity."""

    def __init__(self, create: Callable[[], Awaitable[UserTokenClient]]) -> None:
        super().__init__()
        self._create = create
        self._inner: UserTokenClient | None = None

    async def _client(self) -> UserTokenClient:
        if self._inner is None:
            self._inner = await self._create()
        return self._inner

    async def get_user_token(self, user_id: str, connection_name: str, channel_id: str, magic_code: str) -> Any:
        return await (await self._client()).get_user_token(user_id, connection_name, channel_id, magic_code)

    async def get_sign_in_resource(self, connection_name: str, activity: Activity, final_redirect: str) -> Any:
        return await (await self._client()).get_sign_in_resource(connection_name, activity, final_redirect)

    async def sign_out_user(self, user_id: str, connection_name: str, channel_id: str) -> Any:
        return await (await self._client()).sign_out_user(user_id, connection_name, channel_id)

    async def get_token_status(self, user_id: str, channel_id: str, include_filter: str) -> Any:
        return await (await self._client()).get_token_status(user_id, channel_id, include_filter)

    async def get_aad_tokens(self, user_id: str, connection_name: str, resource_urls: list[str], channel_id: str) -> Any:
        return await (await self._client()).get_aad_tokens(user_id, connection_name, resource_urls, channel_id)

    async def exchange_token(self, user_id: str, connection_name: str, channel_id: str, exchange_request: Any) -> Any:
        return await (await self._client()).exchange_token(user_id, connection_name, channel_id, exchange_request)


class CachingBotFrameworkAuthentication(BotFrameworkAuthentication):
    """Wraps a BotFrameworkAuthentication: identical validation, cached connector clients, lazy user-token client."""

    def __init__(self, inner: BotFrameworkAuthentication, cache: ConnectorClientCache | None = None) -> None:
        self.inner = inner
        self.cache = cache or ConnectorClientCache()

    def _wrap(self, factory: ConnectorFactory | None, claims_identity: ClaimsIdentity | None) -> ConnectorFactory | None:
        if factory is None or isinstance(factory, CachingConnectorFactory):
            return factory
        return CachingConnectorFactory(factory, app_id_of(claims_identity), self.cache)

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self.inner.authenticate_request(activity, auth_header)
        result.connector_factory = self._wrap(result.connector_factory, result.claims_identity)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> AuthenticateRequestResult:
        return await self.inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        factory = self._wrap(self.inner.create_connector_factory(claims_identity), claims_identity)
        assert factory is not None
        return factory

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return LazyUserTokenClient(lambda: self.inner.create_user_token_client(claims_identity))

    def create_bot_framework_client(self) -> Any:
        return self.inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self.inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self.inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        """Close the cached connector clients."""
        await self.cache.close()
