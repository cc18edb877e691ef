"""A fake Bot Connector: the REST endpoints the bot calls, recorded, with faults and Teams' rate limits on demand."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Fault:
    """Answer `status` (with headers/body) to matching calls, `times` times (None = always)."""

    status: int
    conversation: str | None = None
    method: str | None = None
    times: int | None = 1
    headers: dict[str, str] = field(default_factory=dict)
    code: str = ""
    delay: float = 0.0
    drop: bool = False


@dataclass
class Record:
    """One call the bot made."""

    method: str
    op: str
    conversation_id: str
    activity_id: str | None
    body: dict[str, Any] | None
    at: float
    headers: dict[str, str] = field(default_factory=dict)


class FakeConnector:
    """Runs on 127.0.0.1 with a random port; the activities sent to the bot carry its URL as serviceUrl."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.members: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.faults: list[Fault] = []
        self.activities: dict[tuple[str, str], dict[str, Any]] = {}
        self.deleted: set[tuple[str, str]] = set()
        self.enforce_limits = False
        self.latency = 0.0  # seconds every successful send/reply/update takes (slow connector)
        self.count_429 = 0
        self.arrivals: list[tuple[float, str, int]] = []  # (monotonic time, conversation, status) of every POST/PUT
        self.fault_hits = 0  # calls answered by an injected fault
        self._ids = itertools.count(1)
        self._per_conv: dict[str, deque[float]] = defaultdict(deque)
        self._app: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self.url = ""
        self._changed = asyncio.Event()

    # -- server ------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        r = app.router
        r.add_post("/v3/conversations", self._create_conversation)
        r.add_post("/v3/conversations/{cid}/activities", self._send)
        r.add_post("/v3/conversations/{cid}/activities/{aid}", self._reply)
        r.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        r.add_delete("/v3/conversations/{cid}/activities/{aid}", self._delete)
        r.add_get("/v3/conversations/{cid}/members", self._members)
        r.add_get("/v3/conversations/{cid}/pagedmembers", self._paged_members)
        r.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        r.add_route("*", "/{tail:.*}", self._unknown)  # the real connector answers JSON errors, never text/plain
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self.url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # -- faults and limits -----------------------------------------------------------------------
    def fail(self, status: int, **kw: Any) -> Fault:
        """Inject a fault for the next matching call(s)."""
        f = Fault(status, **kw)
        self.faults.append(f)
        return f

    async def _fault(self, request: web.Request, cid: str) -> web.StreamResponse | None:
        arrived = time.monotonic()
        resp = await self._limit(request, cid)
        if request.method in ("POST", "PUT"):
            self.arrivals.append((arrived, cid, resp.status if resp is not None else 200))
        return resp

    async def _limit(self, request: web.Request, cid: str) -> web.StreamResponse | None:
        for f in list(self.faults):
            if f.conversation and f.conversation != cid:
                continue
            if f.method and f.method != request.method:
                continue
            if f.times is not None:
                f.times -= 1
                if f.times <= 0:
                    self.faults.remove(f)
            self.fault_hits += 1
            if f.delay:
                await asyncio.sleep(f.delay)
            if f.drop:
                request.transport.close()  # type: ignore[union-attr]
                return web.Response(status=500)
            if f.status == 429:
                self.count_429 += 1
            return web.json_response({"error": {"code": f.code or f"E{f.status}", "message": "injected"}},
                                     status=f.status, headers=f.headers)
        if self.enforce_limits and request.method in ("POST", "PUT"):
            now = time.monotonic()
            conv = self._per_conv[cid]
            while conv and now - conv[0] >= 1.0:
                conv.popleft()
            while self._app and now - self._app[0] >= 1.0:
                self._app.popleft()
            if len(conv) >= 7 or len(self._app) >= 50:
                self.count_429 += 1
                return web.json_response({"error": {"code": "TooManyRequests"}}, status=429, headers={"Retry-After": "1"})
            conv.append(now)
            self._app.append(now)
        return None

    # -- handlers ------------------------------------------------------------------------------
    def _record(self, request: web.Request, op: str, cid: str, aid: str | None, body: dict[str, Any] | None) -> None:
        self.records.append(Record(request.method, op, cid, aid, body, time.monotonic(), dict(request.headers)))
        self._changed.set()

    async def _send(self, request: web.Request) -> web.StreamResponse:
        cid = request.match_info["cid"]
        if (resp := await self._fault(request, cid)) is not None:
            return resp
        body = await request.json()
        if self.latency:
            await asyncio.sleep(self.latency)
        aid = f"act-{next(self._ids)}"
        body["id"] = aid
        self.activities[(cid, aid)] = body
        self._record(request, "send", cid, aid, body)
        return web.json_response({"id": aid})

    async def _reply(self, request: web.Request) -> web.StreamResponse:
        cid = request.match_info["cid"]
        if (resp := await self._fault(request, cid)) is not None:
            return resp
        body = await request.json()
        if self.latency:
            await asyncio.sleep(self.latency)
        aid = f"act-{next(self._ids)}"
        body["id"] = aid
        self.activities[(cid, aid)] = body
        self._record(request, "reply", cid, aid, body)
        return web.json_response({"id": aid})

    async def _update(self, request: web.Request) -> web.StreamResponse:
        cid, aid = request.match_info["cid"], request.match_info["aid"]
        if (resp := await self._fault(request, cid)) is not None:
            return resp
        if (cid, aid) in self.deleted:
            return web.json_response({"error": {"code": "ActivityNotFoundInConversation"}}, status=404)
        body = await request.json()
        body["id"] = aid
        self.activities[(cid, aid)] = body
        self._record(request, "update", cid, aid, body)
        return web.json_response({"id": aid})

    async def _delete(self, request: web.Request) -> web.StreamResponse:
        cid, aid = request.match_info["cid"], request.match_info["aid"]
        self.deleted.add((cid, aid))
        self._record(request, "delete", cid, aid, None)
        return web.Response(status=200)

    async def _create_conversation(self, request: web.Request) -> web.StreamResponse:
        if (resp := await self._fault(request, "")) is not None:
            return resp
        body = await request.json()
        cid = f"a:{uuid.uuid4().hex}"
        self._record(request, "create", cid, None, body)
        return web.json_response({"id": cid, "activityId": f"act-{next(self._ids)}"})

    async def _unknown(self, request: web.Request) -> web.StreamResponse:
        self._record(request, "unknown", "", None, None)
        return web.json_response({"error": {"code": "BadArgument", "message": "unknown resource"}}, status=404)

    async def _members(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.members.get(request.match_info["cid"], []))

    async def _paged_members(self, request: web.Request) -> web.StreamResponse:
        members = self.members.get(request.match_info["cid"], [])
        size = int(request.query.get("pageSize", "100"))
        start = int(request.query.get("continuationToken", "0") or 0)
        page = members[start:start + size]
        token = str(start + size) if start + size < len(members) else None
        return web.json_response({"members": page, "continuationToken": token})

    async def _member(self, request: web.Request) -> web.StreamResponse:
        mid = request.match_info["mid"]
        for m in self.members.get(request.match_info["cid"], []):
            if mid in (m.get("id"), m.get("aadObjectId")):
                return web.json_response(m)
        return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)

    # -- reading what the bot did ------------------------------------------------------------
    def sent(self, conversation_id: str | None = None, op: tuple[str, ...] = ("send", "reply")) -> list[dict[str, Any]]:
        """Activities the bot posted (optionally to one conversation)."""
        return [r.body for r in self.records if r.op in op and r.body is not None
                and (conversation_id is None or r.conversation_id == conversation_id)]

    def updates(self, conversation_id: str | None = None) -> list[Record]:
        """Activity updates the bot made."""
        return [r for r in self.records if r.op == "update" and (conversation_id is None or r.conversation_id == conversation_id)]

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> Any:
        """Wait until predicate() is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the bot")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=min(0.2, max(0.01, deadline - time.monotonic())))
            except TimeoutError:
                pass


def card_of(activity: dict[str, Any] | None) -> dict[str, Any] | None:
    """The Adaptive Card in an activity, if any."""
    for att in (activity or {}).get("attachments") or []:
        if att.get("contentType") == "application/vnd.microsoft.card.adaptive":
            return att.get("content")
    return None
