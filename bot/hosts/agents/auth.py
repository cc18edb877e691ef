"""Agents SDK authentication: inbound Bot Framework tokens checked fail-closed, outbound tokens from its MSAL connection.

The SDK's JwtTokenValidator finds its keys only at Microsoft's fixed JWKS addresses; this subclass reads them from the
configured OpenID metadata (BOT_OPENID_METADATA_URL: national clouds, the tests' fake authority) and checks what
botbuilder checks for a channel token: RS256 signature by a published key endorsed for the channel, issuer, audience
(the app id), lifetime, and the serviceUrl claim against the activity.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import time
from typing import Any
from urllib.parse import urlparse

import aiohttp
import jwt
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core.authorization import (
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    AuthTypes,
    ClaimsIdentity,
    Connections,
    JwtTokenValidator,
)
from msal import ConfidentialClientApplication
from msal.authority import WELL_KNOWN_AUTHORITY_HOSTS

from bot.config import Settings

log = logging.getLogger(__name__)

PUBLIC = ("https://login.botframework.com/v1/.well-known/openidconfiguration", "https://api.botframework.com",
          "https://login.microsoftonline.com/botframework.com", "https://api.botframework.com")
GOV = ("https://login.botframework.azure.us/v1/.well-known/openidconfiguration", "https://api.botframework.us",
       "https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.com", "https://api.botframework.us")
KEYS_TTL_S = 24 * 3600
REFRESH_GAP_S = 300  # an unknown kid refetches the keys at most this often


class Unauthorized(Exception):
    """The request does not carry a valid Bot Framework token."""


def endpoints(settings: Settings) -> tuple[str, str, str, str]:
    """(OpenID metadata URL, token issuer, login URL, OAuth scope) for this cloud."""
    if settings.openid_metadata_url:
        return (settings.openid_metadata_url, settings.token_issuer, settings.to_channel_login_url,
                settings.to_channel_oauth_scope)
    return GOV if settings.channel_service else PUBLIC


def ssl_context() -> ssl.SSLContext:
    """The trust store: the system's, or the CA bundle named as `requests` would find it (private clouds, tests)."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or None
    return ssl.create_default_context(cafile=bundle)


class BotTokenValidator(JwtTokenValidator):
    """The SDK's validator, with keys from the configured metadata and Bot Framework's channel-token rules."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(AgentAuthConfiguration(client_id=settings.app_id or None, anonymous_allowed=not settings.app_id))
        self.app_id = settings.app_id
        self.metadata_url, self.issuer, _, _ = endpoints(settings)
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched = 0.0
        self._lock = asyncio.Lock()

    async def _fetch_keys(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            async with http.get(self.metadata_url, ssl=ssl_context()) as res:
                res.raise_for_status()
                jwks_uri = (await res.json(content_type=None))["jwks_uri"]
            async with http.get(jwks_uri, ssl=ssl_context()) as res:
                res.raise_for_status()
                keys = (await res.json(content_type=None))["keys"]
        self._keys = {k["kid"]: k for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)}
        self._fetched = time.monotonic()

    async def _key(self, kid: str) -> dict[str, Any]:
        async with self._lock:
            age = time.monotonic() - self._fetched
            if age > KEYS_TTL_S or (kid not in self._keys and age > REFRESH_GAP_S) or not self._fetched:
                await self._fetch_keys()
        if kid not in self._keys:
            raise ValueError("unknown key")
        return self._keys[kid]

    async def authenticate(self, header: str | None, activity: dict[str, Any]) -> ClaimsIdentity:
        """The caller's claims; Unauthorized for anything but a valid channel token (anonymous without an app id)."""
        if not self.app_id:
            return self.get_anonymous_claims()
        try:
            return await self._validate(header, activity)
        except Exception as exc:
            log.warning("inbound token rejected: %s", type(exc).__name__)
            raise Unauthorized(type(exc).__name__) from None

    async def _validate(self, header: str | None, activity: dict[str, Any]) -> ClaimsIdentity:
        scheme, _, token = (header or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ValueError("no bearer token")
        head = jwt.get_unverified_header(token)
        if head.get("alg") != "RS256" or not isinstance(head.get("kid"), str):
            raise ValueError("algorithm")
        jwk = await self._key(head["kid"])
        channel = activity.get("channelId")
        if isinstance(channel, str) and channel and channel not in (jwk.get("endorsements") or []):
            raise ValueError("key not endorsed for the channel")
        claims = jwt.decode(token, key=jwt.PyJWK(jwk, "RS256").key, algorithms=["RS256"], audience=self.app_id,
                            issuer=self.issuer, leeway=300, options={"require": ["exp", "iss", "aud"]})
        if claims.get("serviceurl") != activity.get("serviceUrl"):
            raise ValueError("serviceUrl claim")
        return ClaimsIdentity(claims, authentication_type="Bearer", security_token=token)


def _is_microsoft(authority: str) -> bool:
    return (urlparse(authority).hostname or "").lower() in WELL_KNOWN_AUTHORITY_HOSTS


class ChannelTokens(MsalAuth):
    """The SDK's MSAL connection for tokens to the Bot Connector: always the configured scope, and no instance discovery
    for an authority MSAL does not know (an operator who sets BOT_TO_CHANNEL_LOGIN_URL vouches for it)."""

    def __init__(self, configuration: AgentAuthConfiguration, scope: str) -> None:
        super().__init__(configuration)
        self.scope = scope if scope.endswith("/.default") else scope + "/.default"

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        return await super().get_access_token(resource_url, [self.scope], force_refresh)

    def _create_client_application(self, tenant_id: str | None = None) -> Any:
        config = self._msal_configuration
        authority = config.AUTHORITY or ""
        if AuthTypes.client_secret == config.AUTH_TYPE and authority and not _is_microsoft(authority):
            return ConfidentialClientApplication(client_id=config.CLIENT_ID, authority=authority,
                                                 client_credential=config.CLIENT_SECRET, instance_discovery=False)
        return super()._create_client_application(tenant_id)


def token_provider(settings: Settings) -> MsalAuth | AnonymousTokenProvider:
    """Outbound credentials: the app registration (secret or user-assigned identity), anonymous without an app id."""
    if not settings.app_id:
        return AnonymousTokenProvider()
    _, _, login, scope = endpoints(settings)
    if not settings.openid_metadata_url and settings.app_type == "SingleTenant" and settings.app_tenant_id:
        login = login.rsplit("/", 1)[0] + "/" + settings.app_tenant_id
    auth_type = AuthTypes.user_managed_identity if settings.app_type == "UserAssignedMSI" else AuthTypes.client_secret
    config = AgentAuthConfiguration(auth_type=auth_type, client_id=settings.app_id,
                                    client_secret=settings.app_password or None, authority=login,
                                    tenant_id=login.rstrip("/").rsplit("/", 1)[-1])
    return ChannelTokens(config, scope)


class BotConnections(Connections):
    """One connection for every outbound call (the bot has one app registration)."""

    def __init__(self, settings: Settings) -> None:
        self._provider = token_provider(settings)

    def get_connection(self, connection_name: str) -> Any:
        return self._provider

    def get_default_connection(self) -> Any:
        return self._provider

    def get_token_provider(self, claims_identity: Any, service_url: str) -> Any:
        return self._provider

    def get_token_provider_from_activity(self, *args: object, **kwargs: object) -> Any:
        return self._provider

    def get_default_connection_configuration(self) -> AgentAuthConfiguration:
        return self._provider.configuration if isinstance(self._provider, MsalAuth) \
            else AgentAuthConfiguration(anonymous_allowed=True)


async def bot_token(settings: Settings) -> str:
    """A Bot Connector token got the way the bot gets one before it sends (for `doctor --online`)."""
    provider = token_provider(settings)
    return await provider.get_access_token(endpoints(settings)[3], [])
