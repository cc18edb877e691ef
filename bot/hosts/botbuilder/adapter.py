"""The botbuilder CloudAdapter with configuration from Settings, and turn-error handling."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from msrest.exceptions import ClientException, DeserializationError

from bot.chat import events
from bot.config import Settings
from bot.hosts.botbuilder.auth import BotCredentialFactory
from bot.hosts.botbuilder.bot import sender
from bot.hosts.botbuilder.fastpath import CachingBotFrameworkAuthentication

# Failures talking to the Bot Connector (HTTP errors, network errors, unreadable answers).
CONNECTOR_ERRORS = (ClientException, DeserializationError, aiohttp.ClientError, TimeoutError, OSError)


def auth_configuration(settings: Settings) -> SimpleNamespace:
    """The attribute object ConfigurationBotFrameworkAuthentication reads (unset values stay absent)."""
    cfg = SimpleNamespace(APP_ID=settings.app_id or None, APP_PASSWORD=settings.app_password or None,
                          APP_TYPE=settings.app_type, APP_TENANTID=settings.app_tenant_id or None)
    optional = {
        "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": settings.openid_metadata_url,
        "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": settings.token_issuer,
        "TO_CHANNEL_FROM_BOT_LOGIN_URL": settings.to_channel_login_url,
        "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": settings.to_channel_oauth_scope,
        "CHANNEL_SERVICE": settings.channel_service,
    }
    for key, value in optional.items():
        if value:
            setattr(cfg, key, value)
    return cfg


def build_adapter(settings: Settings) -> CloudAdapter:
    """A CloudAdapter that validates inbound JWTs whenever an app id is configured (connector clients cached)."""
    cfg = auth_configuration(settings)
    auth = CachingBotFrameworkAuthentication(
        ConfigurationBotFrameworkAuthentication(cfg, credentials_factory=BotCredentialFactory(cfg))
    )
    adapter = CloudAdapter(auth)

    async def on_error(context: TurnContext, error: Exception) -> None:
        await events.turn_failed(error, isinstance(error, CONNECTOR_ERRORS), context.activity, sender(context))

    adapter.on_turn_error = on_error
    return adapter


async def close_adapter(adapter: CloudAdapter) -> None:
    """Close the cached connector clients (on shutdown)."""
    auth = adapter.bot_framework_authentication
    if isinstance(auth, CachingBotFrameworkAuthentication):
        await auth.close()
