"""Baseline: a bare Microsoft 365 Agents SDK echo agent (CloudAdapter + ActivityHandler) on aiohttp.

`python -m bench.echo_agents PORT`. Anonymous (no client id), like faggruppe-bot without MICROSOFT_APP_ID.
"""

from __future__ import annotations

import sys

from aiohttp import web
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_middleware
from microsoft_agents.hosting.core import ActivityHandler, TurnContext
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, AnonymousTokenProvider, Connections


class EchoAgent(ActivityHandler):
    """Replies with the text."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(turn_context.activity.text or "")


class AnonymousConnections(Connections):
    """Every connection is anonymous (no client id configured): outbound calls carry no token."""

    def __init__(self) -> None:
        self._provider = AnonymousTokenProvider()

    def get_connection(self, connection_name: str) -> AnonymousTokenProvider:
        return self._provider

    def get_default_connection(self) -> AnonymousTokenProvider:
        return self._provider

    def get_token_provider(self, claims_identity: object, service_url: str) -> AnonymousTokenProvider:
        return self._provider

    def get_token_provider_from_activity(self, *args: object, **kwargs: object) -> AnonymousTokenProvider:
        return self._provider

    def get_default_connection_configuration(self) -> AgentAuthConfiguration:
        return AgentAuthConfiguration(anonymous_allowed=True)


def create_app() -> web.Application:
    """The echo app: POST /api/messages (behind the SDK's JWT middleware), GET /healthz."""
    adapter = CloudAdapter(connection_manager=AnonymousConnections())
    agent = EchoAgent()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, agent)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application(middlewares=[jwt_authorization_middleware])
    app["agent_configuration"] = AgentAuthConfiguration(anonymous_allowed=True)
    app["adapter"] = adapter
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
