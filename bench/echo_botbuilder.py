"""Baseline: a bare botbuilder 4.17 echo bot (CloudAdapter + ActivityHandler) on aiohttp.

`python -m bench.echo_botbuilder PORT`. No app id: unauthenticated local traffic.
"""

from __future__ import annotations

import sys

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication


class Config:
    """No app id: unauthenticated local traffic, like faggruppe-bot without MICROSOFT_APP_ID."""

    APP_ID = None
    APP_PASSWORD = None


class EchoBot(ActivityHandler):
    """Replies with the text."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(turn_context.activity.text or "")


def create_app() -> web.Application:
    """The echo app: POST /api/messages, GET /healthz."""
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot) or web.Response(status=201)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
