"""The benchmark sections that drive processes over HTTP: start-up, activity latency, delivery, reminders."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp

from bench import hooks
from bench.load import drive, message
from bench.procs import ConnectorProc, Proc, free_port

SECTION_TIMEOUT_S = 90.0


BOTS = {"bot_botbuilder": "botbuilder", "bot_agents": "agents"}  # one faggruppe-bot process per chat host (BOT_HOST)
ECHOS = ("echo_botbuilder", "echo_agents")


def bot_env(work: Path, name: str, port: int, host: str = "botbuilder") -> dict[str, str]:
    """Environment of a faggruppe-bot process: local (no app id), SQLite in the scratch directory, the chat host."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_APP_", "DATABASE_URL", "BOT_HOST"))}
    env.update({"DATABASE_URL": f"sqlite+aiosqlite:///{work}/{name}.db", "PORT": str(port), "HOST": "127.0.0.1",
                "LOG_LEVEL": "INFO", "MICROSOFT_APP_ID": "", "SCHEDULER_ENABLED": "true", "BOT_HOST": host})
    return env


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


class Rig:
    """The fake connector, both echo baselines and faggruppe-bot on each host (with the bench control API), each its own
    process. Delivery, reminders and scale drive the default host (`bot`: botbuilder)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.connector = ConnectorProc()
        self.targets: dict[str, Proc] = {}
        self.rss_after_start: dict[str, float] = {}

    async def __aenter__(self) -> Rig:
        self.connector.start()
        specs = {
            "echo_botbuilder": ["-m", "bench.echo_botbuilder"],
            "echo_agents": ["-m", "bench.echo_agents"],
            **{name: ["-m", "bench.serve_bot"] for name in BOTS},
        }
        for name, args in specs.items():
            port = free_port()
            env = bot_env(self.work, name, port, BOTS.get(name, "botbuilder"))
            p = Proc(name, [*args, str(port)] if name not in BOTS else args, port, env, self.work)
            await p.start()
            self.targets[name] = p
        await asyncio.sleep(0.3)
        self.rss_after_start = {name: p.rss_mb() for name, p in self.targets.items()}
        return self

    async def __aexit__(self, *exc: object) -> None:
        for p in self.targets.values():
            p.stop()
        self.connector.stop()

    @property
    def bot(self) -> Proc:
        return self.targets["bot_botbuilder"]

    async def control(self, method: str, path: str, json: Any = None, bot: str = "bot_botbuilder") -> Any:
        url = f"{self.targets[bot].url}/_bench{path}"
        async with aiohttp.ClientSession() as http, http.request(method, url, json=json) as r:
            r.raise_for_status()
            return await r.json()

    def startup(self) -> dict[str, Any]:
        """Seconds from spawn to /healthz 200 and RSS after start of each server (started one after the other)."""
        out: dict[str, Any] = {name: {"startup_s": round(p.startup_s, 3), "rss_mb": round(self.rss_after_start[name], 1)}
                               for name, p in self.targets.items()}
        for key in ("startup_s", "rss_mb"):
            for bot in BOTS:
                for base in ECHOS:
                    out[bot][f"{key}_ratio_{base}"] = ratio(out[bot][key], out[base][key])
        return out

    def memory(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, p in self.targets.items():
            out[name] = {"rss_after_start_mb": round(self.rss_after_start[name], 1),
                         "rss_after_benchmarks_mb": round(p.rss_mb(), 1)}
        for key in ("rss_after_start_mb", "rss_after_benchmarks_mb"):
            for bot in BOTS:
                for base in ECHOS:
                    out[bot][f"{key}_ratio_{base}"] = ratio(out[bot][key], out[base][key])
        return out


async def latency(rig: Rig, n: int, concurrency: int) -> dict[str, Any]:
    """`hjelp` (and poll votes, when polls exist) sequential and at `concurrency` clients, each host vs the echo bots."""
    svc = rig.connector.url
    make = message(svc, "hjelp")
    for p in rig.targets.values():  # warm-up: every bench user seen once, caches filled, code paths imported
        await drive(p.url, make, max(2 * concurrency, 60), concurrency)
    out: dict[str, Any] = {"hjelp": {}}
    for mode, conc in (("sequential", 1), (f"concurrent_{concurrency}", concurrency)):
        res: dict[str, Any] = {}
        for name, p in rig.targets.items():
            before = await rig.connector.counts()
            run = await drive(p.url, make, n, conc)
            after = await rig.connector.counts()
            s = run.summary()
            s["replies_per_request"] = round((after.get("reply", 0) + after.get("send", 0) - before.get("reply", 0)
                                              - before.get("send", 0)) / max(1, s["n"]), 3)
            res[name] = s
        for bot in BOTS:
            for base in ECHOS:
                res[f"ratio_{bot}_{base}"] = {k: ratio(res[bot][k], res[base][k]) for k in ("p50_ms", "p95_ms", "p99_ms")}
        out["hjelp"][mode] = res
    makers = {bot: await hooks.poll_vote_activity(rig.targets[bot].url, svc, rig.connector.last,
                                                  "19:bench-poll-1@thread.v2") for bot in BOTS}
    if any(m is None for m in makers.values()):
        why = "could not create a poll from the avstemning form" if hooks.has_feature("polls") else "polls are not on this branch"
        out["poll_vote"] = {"skipped": f"{why} (bench/hooks.py: poll_vote_activity)"}
        return out
    for bot, maker in makers.items():  # warm-up of the vote path
        await drive(rig.targets[bot].url, maker, max(2 * concurrency, 60), concurrency)
    votes: dict[str, Any] = {}
    for mode, conc in (("sequential", 1), (f"concurrent_{concurrency}", concurrency)):
        votes[mode] = {}
        for bot, maker in makers.items():
            votes[mode][bot] = (await drive(rig.targets[bot].url, maker, n, conc)).summary()
        for base in ECHOS:
            echo = out["hjelp"][mode][base]
            votes[mode][base] = {k: echo[k] for k in ("p50_ms", "p95_ms", "p99_ms")}
            for bot in BOTS:
                votes[mode][f"ratio_{bot}_{base}"] = {k: ratio(votes[mode][bot][k], echo[k])
                                                      for k in ("p50_ms", "p95_ms", "p99_ms")}
    out["poll_vote"] = votes
    out["concurrent_voting"] = {bot: await concurrent_voting(rig, 200, bot) for bot in BOTS}
    return out


async def concurrent_voting(rig: Rig, voters: int, bot: str = "bot_botbuilder") -> dict[str, Any]:
    """`voters` members (each a different user) vote at once on a fresh poll, over several slots; count what is stored."""
    svc, url = rig.connector.url, rig.targets[bot].url
    maker = await hooks.poll_vote_activity(url, svc, rig.connector.last, "19:bench-poll-2@thread.v2", user_offset=10_000)
    if maker is None:
        return {"skipped": "could not create the second poll"}
    crowd = await drive(url, maker, voters, voters)
    stored = await rig.control("GET", f"/votes?poll_id={maker.poll_id}", bot=bot)  # type: ignore[attr-defined]
    return {**crowd.summary(), "slots": len(maker.slot_ids), "votes_sent": len(crowd.latencies),  # type: ignore[attr-defined]
            "votes_counted": stored["rows"], "distinct_voters": stored["voters"],
            "equal": stored["rows"] == len(crowd.latencies) == voters}


async def _wait_settled(rig: Rig, group: str, n: int) -> dict[str, Any]:
    deadline = time.monotonic() + SECTION_TIMEOUT_S
    while True:
        states = await rig.control("GET", f"/outbox?group={group}")
        settled = sum(v["rows"] for k, v in states.items() if k in ("sent", "failed"))
        if settled >= n or time.monotonic() > deadline:
            return states
        await asyncio.sleep(0.05)


async def delivery(rig: Rig, n: int) -> dict[str, Any]:
    """One real broadcast (Broadcaster.start, as the leader's "Send") to n faggruppe chats, Teams' limits enforced."""
    prefix, faggruppe = "19:bench-bc", "Bench-faggruppe"
    await rig.control("POST", "/conversations", {"prefix": prefix, "n": n, "service_url": rig.connector.url,
                                                  "faggruppe": faggruppe})
    await rig.connector.reset()
    await rig.connector.limits(True)
    t0 = time.time()
    started = await rig.control("POST", "/broadcast", {"faggruppe": faggruppe})
    group = started["group_key"]
    states = await _wait_settled(rig, group, n)
    calls = [c for c in await rig.connector.calls() if c[0] in ("send", "reply") and c[1].startswith(prefix)]
    counts = await rig.connector.counts()
    await rig.connector.limits(False)
    per_conv = Counter(c[1] for c in calls)
    wall = (max(c[2] for c in calls) - t0) if calls else None
    minimum = n / 50
    return {
        "via": "broadcast (Broadcaster.start)", "deliveries": n, "wall_s": round(wall, 3) if wall else None,
        "theoretical_min_s": minimum, "ratio_to_min": ratio(wall, minimum), "count_429": counts.get("429", 0),
        "delivered": len(per_conv), "doubled": sum(1 for v in per_conv.values() if v > 1), "outbox": states,
    }


async def reminders(rig: Rig, n: int) -> dict[str, Any]:
    """n scheduler jobs due in the same second, each queueing a reminder: lateness from due time to the connector."""
    prefix, group = "19:bench-rem", f"bench:reminder:{int(time.time())}"
    await rig.control("POST", "/conversations", {"prefix": prefix, "n": n, "service_url": rig.connector.url})
    await rig.connector.reset()
    await rig.connector.limits(True)
    due = float(int(time.time()) + 2)  # on a whole second, like a reminder at 09:00:00
    await rig.control("POST", "/remind_jobs", {"prefix": prefix, "n": n, "group": group, "due_epoch": due})
    states = await _wait_settled(rig, group, n)
    calls = [c for c in await rig.connector.calls() if c[0] in ("send", "reply") and c[1].startswith(prefix)]
    counts = await rig.connector.counts()
    await rig.connector.limits(False)
    late = sorted(c[2] - due for c in calls)
    per_conv = Counter(c[1] for c in calls)

    def pct(p: float, xs: list[float]) -> float | None:
        return round(xs[max(0, min(len(xs) - 1, round(p / 100 * len(xs) + 0.5) - 1))], 3) if xs else None

    # Under 50 messages per second per app, message k (0-based) cannot leave before k // 50 seconds after due time.
    beyond = sorted(x - (k // 50) for k, x in enumerate(late))
    return {
        "via": "scheduler jobs (bench.jobs:remind) -> outbox -> delivery engine", "reminders": n,
        "lateness_p50_s": pct(50, late), "lateness_p99_s": pct(99, late), "lateness_max_s": round(late[-1], 3) if late else None,
        "rate_limit_floor_p99_s": (round(0.99 * n) - 1) // 50, "rate_limit_floor_max_s": (n - 1) // 50,
        "beyond_floor_p50_s": pct(50, beyond), "beyond_floor_p99_s": pct(99, beyond),
        "beyond_floor_max_s": round(beyond[-1], 3) if beyond else None, "early": sum(1 for x in late if x < 0),
        "count_429": counts.get("429", 0), "delivered": len(per_conv), "doubled": sum(1 for v in per_conv.values() if v > 1),
        "outbox": states,
    }
