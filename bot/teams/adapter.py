"""The botbuilder CloudAdapter with configuration from Settings, and turn-error handling."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from aiohttp import web
from botbuilder.core import Bot, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from bot.config import Settings
from bot.messages import t
from bot.teams.fastpath import CachingBotFrameworkAuthentication, invoke_body_json

log = logging.getLogger(__name__)


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
    auth = CachingBotFrameworkAuthentication(ConfigurationBotFrameworkAuthentication(auth_configuration(settings)))
    adapter = CloudAdapter(auth)

    async def on_error(context: TurnContext, error: Exception) -> None:
        log.error("unhandled error in turn: %s", type(error).__name__, exc_info=error)
        try:
            await context.send_activity(t("error.generic", context.activity.locale))
        except Exception:
            log.warning("could not tell the user about the error")

    adapter.on_turn_error = on_error
    return adapter


async def close_adapter(adapter: CloudAdapter) -> None:
    """Close the cached connector clients (on shutdown)."""
    auth = adapter.bot_framework_authentication
    if isinstance(auth, CachingBotFrameworkAuthentication):
        await auth.close()


async def process(adapter: CloudAdapter, request: web.Request, activity: Activity, bot: Bot) -> web.Response:
    """What CloudAdapter.process does for a POST, for an activity app.py has already parsed and checked.

    Calls the adapter's public process_activity (authentication included), so the body is not parsed and
    deserialised a second time.
    """
    auth_header = request.headers.get("Authorization", "")
    try:
        invoke_response = await adapter.process_activity(auth_header, activity, bot.on_turn)
    except PermissionError:
        raise web.HTTPUnauthorized() from None
    if invoke_response:
        return web.json_response(data=invoke_body_json(invoke_response.body), status=invoke_response.status)
    return web.Response(status=201)
