"""Bot Framework authentication helpers: fail-closed inbound checks and credentials for custom login endpoints."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from botbuilder.integration.aiohttp import ConfigurationServiceClientCredentialFactory
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    MicrosoftAppCredentials,
    PasswordServiceClientCredentialFactory,
)
from botframework.connector.auth.app_credentials import AppCredentials
from msal import ConfidentialClientApplication
from msal.authority import WELL_KNOWN_AUTHORITY_HOSTS

from bot.config import Settings

log = logging.getLogger(__name__)


class Unauthorized(Exception):
    """The request does not carry a valid Bot Framework token."""


async def authenticate(auth: BotFrameworkAuthentication, activity: Activity, header: str | None) -> AuthenticateRequestResult:
    """Validate the Authorization header with botbuilder's own rules; any failure (not only PermissionError) is 401."""
    try:
        return await auth.authenticate_request(activity, header)  # type: ignore[arg-type]
    except Exception as exc:
        # botbuilder raises PermissionError for most rejections but plain Exception / PyJWT errors / IndexError
        # (unknown kid) / requests errors for others; all of them mean "not authenticated", never 500.
        log.warning("inbound token rejected: %s", type(exc).__name__)
        raise Unauthorized(type(exc).__name__) from None


class _CustomAuthorityCredentials(MicrosoftAppCredentials):
    """App credentials for a login endpoint that is not a Microsoft host (private clouds, tests).

    MSAL's instance discovery asks login.microsoftonline.com to vouch for the authority, which it never does for a
    host it does not know; an operator who configures BOT_TO_CHANNEL_LOGIN_URL has vouched for it instead.
    """

    def __init__(self, app_id: str, password: str, tenant_id: str | None, oauth_scope: str, endpoint: str) -> None:
        super().__init__(app_id, password, channel_auth_tenant=tenant_id, oauth_scope=oauth_scope)
        self.oauth_endpoint = endpoint
        self._msal: ConfidentialClientApplication | None = None

    def get_access_token(self, force_refresh: bool = False) -> str:
        scope = self.oauth_scope if self.oauth_scope.endswith("/.default") else self.oauth_scope + "/.default"
        if self._msal is None:
            self._msal = ConfidentialClientApplication(
                client_id=self.microsoft_app_id, client_credential=self.microsoft_app_password,
                authority=self.oauth_endpoint, instance_discovery=False,
            )
        token = self._msal.acquire_token_silent([scope], account=None) or self._msal.acquire_token_for_client(scopes=[scope])
        if "access_token" in token:
            return str(token["access_token"])
        raise PermissionError(f"Failed to get access token: {token.get('error', 'unknown error')}")


def is_microsoft_login(endpoint: str) -> bool:
    """True when the login endpoint is on a host MSAL knows (public and national clouds)."""
    return (urlparse(endpoint).hostname or "").lower() in WELL_KNOWN_AUTHORITY_HOSTS


class BotCredentialFactory(ConfigurationServiceClientCredentialFactory):
    """botbuilder's configuration credential factory, plus working credentials for non-Microsoft login endpoints."""

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                 validate_authority: bool) -> AppCredentials:
        inner = self._inner
        custom = bool(login_endpoint) and not is_microsoft_login(login_endpoint)
        if (custom and isinstance(inner, PasswordServiceClientCredentialFactory)
                and not await inner.is_authentication_disabled() and await inner.is_valid_app_id(app_id)):
            return _CustomAuthorityCredentials(app_id, inner.password, inner.tenant_id, oauth_scope, login_endpoint)
        return await super().create_credentials(app_id, oauth_scope, login_endpoint, validate_authority)


async def bot_token(settings: Settings) -> str:
    """A Bot Connector token from Entra ID, got the way the bot gets one before it sends (for `doctor --online`)."""
    import asyncio

    from botframework.connector.auth import AuthenticationConstants as Public
    from botframework.connector.auth import GovernmentConstants as Gov

    from bot.hosts.botbuilder.adapter import auth_configuration

    if settings.to_channel_login_url:
        login, scope = settings.to_channel_login_url, settings.to_channel_oauth_scope
    elif settings.channel_service:
        login, scope = Gov.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX, Gov.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
    else:
        login, scope = Public.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX, Public.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
    credentials = await BotCredentialFactory(auth_configuration(settings)).create_credentials(settings.app_id, scope, login, True)
    return str(await asyncio.to_thread(credentials.get_access_token))
