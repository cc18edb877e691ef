"""The HTTP load driver: Teams-like activities posted to a bot, latency per request."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

TENANT = "11111111-2222-3333-4444-555555555555"
BOT_ID = "28:faggruppe-bot"
MakeActivity = Callable[[int, int], dict[str, Any]]  # (client index, request index) -> activity


def user(n: int) -> dict[str, Any]:
    """A bench user's channel account."""
    return {"id": f"29:bench-user-{n}", "name": f"Bench Bruker {n}", "aadObjectId": str(uuid.UUID(int=n + 900_000))}


def activity(service_url: str, client: int, type_: str = "message", *, group: str = "", **extra: Any) -> dict[str, Any]:
    """An activity from bench user `client` in their personal chat with the bot (or in the group chat `group`)."""
    conversation = ({"id": group, "conversationType": "groupChat", "isGroup": True, "tenantId": TENANT} if group
                    else {"id": f"a:bench-personal-{client}", "conversationType": "personal", "tenantId": TENANT})
    return {
        "type": type_, "id": f"in-{uuid.uuid4().hex[:12]}", "timestamp": "2026-11-23T10:00:00.000Z",
        "serviceUrl": service_url, "channelId": "msteams", "from": user(client),
        "recipient": {"id": BOT_ID, "name": "Faggruppe-bot"},
        "conversation": conversation,
        "channelData": {"tenant": {"id": TENANT}}, "locale": "nb-NO", **extra,
    }


def message(service_url: str, text: str) -> MakeActivity:
    """A text message per (client, i)."""
    return lambda client, i: activity(service_url, client, text=text, textFormat="plain")


@dataclass
class Run:
    """Latencies (ms) of one load run."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    wall_s: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)

    def pct(self, p: float) -> float:
        """The p-th percentile (nearest rank)."""
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        k = max(0, min(len(xs) - 1, round(p / 100 * len(xs) + 0.5) - 1))
        return xs[k]

    def summary(self) -> dict[str, Any]:
        return {
            "n": len(self.latencies), "errors": self.errors, "wall_s": round(self.wall_s, 3),
            "p50_ms": round(self.pct(50), 3), "p95_ms": round(self.pct(95), 3), "p99_ms": round(self.pct(99), 3),
            "mean_ms": round(statistics.fmean(self.latencies), 3) if self.latencies else None,
            "rps": round(len(self.latencies) / self.wall_s, 1) if self.wall_s else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


async def drive(bot_url: str, make: MakeActivity, total: int, concurrency: int) -> Run:
    """Post `total` activities with `concurrency` clients (each its own user); time each round trip."""
    run = Run()
    url = f"{bot_url}/api/messages"
    per_client = [total // concurrency + (1 if c < total % concurrency else 0) for c in range(concurrency)]
    connector = aiohttp.TCPConnector(limit=concurrency + 4)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def client(c: int) -> None:
            for i in range(per_client[c]):
                body = make(c, i)
                t0 = time.perf_counter()
                try:
                    async with http.post(url, json=body) as r:
                        await r.read()
                        status = r.status
                except aiohttp.ClientError:
                    run.errors += 1
                    continue
                run.latencies.append((time.perf_counter() - t0) * 1000)
                run.statuses[status] = run.statuses.get(status, 0) + 1
                if status >= 300 or status < 200:
                    run.errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(client(c) for c in range(concurrency)))
        run.wall_s = time.perf_counter() - t0
    return run
