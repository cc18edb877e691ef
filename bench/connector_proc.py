"""The fake Bot Connector (tests/fakes/connector.py) in its own process: `python -m bench.connector_proc`.

Prints its URL and the URL of a small control API on the first line of stdout. Keeps (op, conversation, wall
time) per call instead of every body, so tens of thousands of replies stay small.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from aiohttp import web

from tests.fakes.connector import FakeConnector


class CountingConnector(FakeConnector):
    """Records (op, conversation id, time.time()) instead of each body."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str, float]] = []
        self.last: deque[dict[str, Any]] = deque(maxlen=20)

    def _record(self, request: web.Request, op: str, cid: str, aid: str | None, body: dict[str, Any] | None) -> None:
        self.calls.append((op, cid, time.time()))
        if body is not None:
            self.last.append({"op": op, "conversation_id": cid, "activity_id": aid, "body": body})
        self.activities.clear()


def control_app(connector: CountingConnector) -> web.Application:
    """GET /counts, GET /calls?since=N, GET /last (last 20 bodies), POST /limits {"on": bool}, POST /reset."""

    async def counts(request: web.Request) -> web.Response:
        out: dict[str, int] = {"429": connector.count_429}
        for op, _, _ in connector.calls:
            out[op] = out.get(op, 0) + 1
        return web.json_response(out)

    async def calls(request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response({"calls": connector.calls[since:], "count_429": connector.count_429})

    async def last(request: web.Request) -> web.Response:
        return web.json_response(list(connector.last))

    async def limits(request: web.Request) -> web.Response:
        connector.enforce_limits = bool((await request.json()).get("on"))
        return web.json_response({"enforce_limits": connector.enforce_limits})

    async def reset(request: web.Request) -> web.Response:
        connector.calls.clear()
        connector.count_429 = 0
        connector._per_conv.clear()
        connector._app.clear()
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/counts", counts)
    app.router.add_get("/calls", calls)
    app.router.add_get("/last", last)
    app.router.add_post("/limits", limits)
    app.router.add_post("/reset", reset)
    return app


async def main() -> None:
    connector = CountingConnector()
    url = await connector.start()
    runner = web.AppRunner(control_app(connector), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(url, f"http://127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
