"""The leaders' tab at scale: the register page's first view and /api/tab/register latency with n entries.

The bot runs as `python -m bot` in development mode (no app id, 127.0.0.1, the dev user a BOT_LEADERS leader), on a
database seeded before start through the bot's own migrations, repositories and tables. First view = the page's HTML,
/api/tab/me and the first API page the page's JS asks for (sequential, as the browser does), cold and warm.
"""

from __future__ import annotations

import logging
import math
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert

from bench import scale
from bench.procs import Proc, free_port
from bench.sections import bot_env
from bot.config import load_settings
from bot.kernel.clock import SystemClock
from bot.storage.db import Database
from bot.wiring import build_services

LEADER = "bench-tab-leader"
FIRST_VIEW_TARGET_MS = 1000.0
PROJECTS = ("Digital postkasse", "Velferdsteknologi", "Felles arkiv", "Elevportal", "Byggesak digital", "Økonomisystem",
            "Sikker sone", "Innbyggerdialog")
DEFAULT_QUERY = {"sort": "updated", "desc": "1", "page": "1"}  # register.js query() on first load
WARM_REPEAT = 10


def _row(i: int, project_ids: list[int], municipalities: list[str], now: datetime) -> dict[str, Any]:
    """One need (2 of 3) or benefit, spread over projects, faggrupper, municipalities, submitters and time."""
    kind = "benefit" if i % 3 == 0 else "need"
    title = f"{'Gevinst' if kind == 'benefit' else 'Behov'} {i}: {('arkiv', 'skjema', 'timeplan', 'sak', 'portal')[i % 5]}"
    fields: dict[str, Any] = ({"title": title, "problem": "Manuell registrering tar tid – æøå", "priority": "hoy",
                               "desired_situation": "Automatisk overføring", "current_situation": "Papirskjema"}
                              if kind == "need" else
                              {"title": title, "benefit_type": "effektivisering", "priced": True,
                               "estimate_nok": 500.0 * (i % 97), "estimate_hours": 12.5, "indicator": "Timer spart",
                               "baseline_value": 100.0, "target_value": 40.0, "owner": "Økonomisjef"})
    when = now - timedelta(minutes=i)
    places = [municipalities[i % len(municipalities)], municipalities[(i * 7 + 3) % len(municipalities)]][: 1 + i % 2]
    return dict(kind=kind, project_id=project_ids[i % len(project_ids)], faggruppe=scale.FAGGRUPPER[i % len(scale.FAGGRUPPER)],
                title=title, submitter_id=f"u{i % 400}", submitter_name=f"Kari Nordmann {i % 400}",
                municipalities=places,
                fields=fields, status="withdrawn" if i % 20 == 0 else "active", created_at=when, updated_at=when)


async def seed(url: str, n: int) -> dict[str, Any]:
    """Migrate and seed n entries over several projects (ProjectRepo.create; entries in bulk into need_entries)."""
    from bot.needs.store import NeedEntry

    db = Database(url)
    try:
        await db.migrate()
        services = build_services(load_settings({"DATABASE_URL": url}), db, SystemClock())
        t0 = time.perf_counter()
        ids = [(await services.projects.create(name, "Bench", LEADER, list(scale.FAGGRUPPER))).id for name in PROJECTS]
        now = datetime.now(UTC)
        rows = [_row(i, ids, list(services.settings.municipalities), now) for i in range(n)]
        async with db.write() as s:
            for k in range(0, n, 2000):
                await s.execute(insert(NeedEntry), rows[k:k + 2000])
        return {"project_ids": ids, "seed_s": round(time.perf_counter() - t0, 2)}
    finally:
        await db.close()


def queries(project_id: int) -> dict[str, dict[str, str]]:
    """Realistic API queries: the default page, one project, free text, another sort, a deep page."""
    return {
        "default": DEFAULT_QUERY,
        "project": {**DEFAULT_QUERY, "project": str(project_id)},
        "search": {**DEFAULT_QUERY, "q": "timeplan"},
        "sort_title": {"sort": "title", "desc": "0", "page": "1"},
        "page_20": {**DEFAULT_QUERY, "page": "20"},
    }


def pct(xs: list[float], p: float) -> float:
    """The p-th percentile (nearest rank), rounded."""
    s = sorted(xs)
    return round(s[max(0, math.ceil(p / 100 * len(s)) - 1)], 2)


async def get_ms(http: aiohttp.ClientSession, url: str, params: dict[str, str] | None = None) -> tuple[float, int]:
    """Milliseconds to the whole body of one GET, and the body's size; raises on a non-200."""
    t0 = time.perf_counter()
    async with http.get(url, params=params, headers={"X-Tab-Locale": "nb-NO"}) as r:
        body = await r.read()
        if r.status != 200:
            raise RuntimeError(f"GET {url} {params or ''}: {r.status} {body[:200]!r}")
    return (time.perf_counter() - t0) * 1000, len(body)


async def first_view(http: aiohttp.ClientSession, base: str) -> dict[str, float]:
    """The page, /api/tab/me, then the first register page, one after the other (as the page loads them)."""
    html, html_bytes = await get_ms(http, f"{base}/tab/register")
    me, _ = await get_ms(http, f"{base}/api/tab/me")
    page, api_bytes = await get_ms(http, f"{base}/api/tab/register", DEFAULT_QUERY)
    return {"total_ms": round(html + me + page, 2), "html_ms": round(html, 2), "me_ms": round(me, 2),
            "api_ms": round(page, 2), "html_bytes": html_bytes, "api_bytes": api_bytes}


async def api_latency(http: aiohttp.ClientSession, base: str, project_id: int, n: int) -> dict[str, Any]:
    """n sequential API requests cycling through the mixed queries: p50/p95/p99 overall and the median per query."""
    qs = queries(project_id)
    per: dict[str, list[float]] = {k: [] for k in qs}
    names = list(qs)
    for i in range(n):
        name = names[i % len(names)]
        per[name].append((await get_ms(http, f"{base}/api/tab/register", qs[name]))[0])
    xs = [x for v in per.values() for x in v]
    return {"n": n, "p50_ms": pct(xs, 50), "p95_ms": pct(xs, 95), "p99_ms": pct(xs, 99), "max_ms": round(max(xs), 2),
            "p50_ms_by_query": {k: round(statistics.median(v), 2) for k, v in per.items()}}


async def measure(work: Path, backend: str, url: str, n: int, requests: int) -> dict[str, Any]:
    """Seed, start `python -m bot`, time the first view cold and warm, the API mix and /healthz as the floor."""
    seeded = await seed(url, n)
    port = free_port()
    env = bot_env(work, f"tab-{backend}", port)
    env.update({"DATABASE_URL": url, "BOT_LEADERS": LEADER, "TAB_DEV_USER": LEADER, "LOG_LEVEL": "WARNING"})
    proc = Proc(f"tab-{backend}", ["-m", "bot"], port, env, work)
    await proc.start()
    try:
        async with aiohttp.ClientSession() as http:
            cold = await first_view(http, proc.url)
            warm_runs = [await first_view(http, proc.url) for _ in range(WARM_REPEAT)]
            warm = {k: round(statistics.median(r[k] for r in warm_runs), 2) for k in cold}
            lat = await api_latency(http, proc.url, seeded["project_ids"][0], requests)
            floor = [(await get_ms(http, f"{proc.url}/healthz"))[0] for _ in range(50)]
        return {"entries": n, "seed_s": seeded["seed_s"], "startup_s": round(proc.startup_s, 3), "first_view_cold": cold,
                "first_view_warm": warm, "api": lat, "healthz_p50_ms": pct(floor, 50), "rss_mb": round(proc.rss_mb(), 1),
                "first_view_target_ms": FIRST_VIEW_TARGET_MS}
    finally:
        proc.stop()


async def run(work: Path, n: int, *, pg: bool = True, requests: int = 200) -> dict[str, Any]:
    """SQLite and (if reachable and wanted) PostgreSQL."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    out: dict[str, Any] = {"entries": n, "sqlite": await measure(work, "sqlite", f"sqlite+aiosqlite:///{work}/tab-{n}.db",
                                                                 n, requests)}
    if pg:
        made = scale._pg_create()
        if made is None:
            out["postgresql"] = {"skipped": "PostgreSQL is not reachable on 127.0.0.1:5432"}
        else:
            name, url = made
            try:
                out["postgresql"] = await measure(work, "postgresql", url, n, requests)
            finally:
                scale._pg_drop(name)
    return out
