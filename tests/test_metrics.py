"""/metrics over HTTP: activity latency by kind and verb, turn errors, outbox, 429s and retries, jobs, Graph, pools."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from bot.calendar.port import CalendarError
from bot.delivery.outbox import NewDelivery
from bot.scheduling.scheduler import RUN_NAMED
from bot.storage.models import OutboxItem
from tests.crashkit import Db
from tests.harness import RunningBot, TeamsClient


async def scrape(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/metrics", headers=headers or {}) as r:
        return r.status, await r.text()


def samples(text: str) -> list[Any]:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def value(text: str, name: str, **labels: str) -> float | None:
    """The sample's value, None when the series is absent."""
    for s in samples(text):
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return None


async def wait_metric(url: str, name: str, minimum: float = 1, timeout: float = 20.0, **labels: str) -> str:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status, text = await scrape(url)
        assert status == 200
        if (value(text, name, **labels) or 0) >= minimum:
            return text
        assert asyncio.get_running_loop().time() < deadline, f"{name}{labels} never reached {minimum}"
        await asyncio.sleep(0.2)


def invoke(teams: TeamsClient, conv: Any, user: Any, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    return teams.activity(conv, user, "invoke", name="adaptiveCard/action",
                          value={"action": {"type": "Action.Execute", "verb": verb, "data": data}})


async def test_metrics_after_a_chat_message_and_card_actions(bot: RunningBot, teams: TeamsClient, members):
    user = members[0]
    me = teams.personal(user)
    assert (await teams.send(me, user, "hjelp")).status in (200, 201)
    assert (await teams.post(invoke(teams, me, user, "faggruppe.register", {"faggruppe": "Oppvekst"}))).status == 200
    hostile = f"evil.{uuid.uuid4().hex}"
    assert (await teams.post(invoke(teams, me, user, hostile, {}))).status == 200
    await teams.send(me, user, f"tullball {uuid.uuid4().hex}")

    status, text = await scrape(bot.url)
    assert status == 200
    series = "faggruppe_activity_duration_seconds_count"
    assert value(text, series, kind="message", action="hjelp") == 1
    assert value(text, series, kind="invoke", action="faggruppe.register") == 1
    assert value(text, series, kind="invoke", action="other") == 1  # unknown verbs share one series
    assert value(text, series, kind="message", action="") == 1  # unknown text: no action
    assert hostile not in text
    assert value(text, "faggruppe_activity_duration_seconds_sum", kind="message", action="hjelp") > 0
    assert value(text, "faggruppe_turn_errors_total", reason="unhandled") in (None, 0)
    assert value(text, "faggruppe_outbox_items", state="pending") == 0
    assert value(text, "faggruppe_outbox_oldest_age_seconds") == 0
    assert value(text, "faggruppe_database_up") == 1
    assert value(text, "faggruppe_scheduler_leader") == 1
    assert value(text, "faggruppe_db_pool_capacity", pool="app") >= 1
    assert value(text, "faggruppe_db_pool_connections", pool="app", state="in_use") is not None
    assert value(text, "faggruppe_db_pool_connections", pool="scheduler", state="idle") is not None
    assert value(text, "faggruppe_throttled_total", target="connector") == 0
    assert value(text, "faggruppe_build_info") == 1


async def test_turn_errors_count_replies_the_connector_refused(bot: RunningBot, teams: TeamsClient, members):
    user = members[1]
    teams.connector.fail(500, times=1)
    await teams.send(teams.personal(user), user, "hjelp")
    _, text = await scrape(bot.url)
    assert value(text, "faggruppe_turn_errors_total", reason="reply_failed") == 1


async def test_outbox_depth_and_age_of_the_oldest_due_item(bot: RunningBot, clock, make_settings):
    db = Db(bot.settings.database_url)
    now = clock.now()
    try:
        with Session(db.engine) as s, s.begin():
            # One later (pending, not due) and one due ten minutes ago, claimed by a worker that is still alive.
            s.add(OutboxItem(key="later", group_key="", conversation_id="19:x", state="pending", attempts=0,
                             payload={"activity": {"type": "message"}}, not_before=now + timedelta(days=1),
                             created_at=now, claimed_by="", last_error="", activity_id=""))
            s.add(OutboxItem(key="stuck", group_key="", conversation_id="19:y", state="sending", attempts=1,
                             payload={"activity": {"type": "message"}}, not_before=now - timedelta(minutes=10),
                             created_at=now - timedelta(minutes=10), claimed_at=now, claimed_by="w-other",
                             last_error="", activity_id=""))
    finally:
        db.close()
    _, text = await scrape(bot.url)
    assert value(text, "faggruppe_outbox_items", state="pending") == 1
    assert value(text, "faggruppe_outbox_items", state="due") == 0
    assert value(text, "faggruppe_outbox_items", state="sending") == 1
    assert 590 <= value(text, "faggruppe_outbox_oldest_age_seconds") <= 900


async def test_connector_429_and_retry_are_counted(bot: RunningBot, teams: TeamsClient, leader):
    conv = teams.group("Oppvekst", [leader])
    await teams.install(conv, leader)
    teams.connector.fail(429, conversation=conv.id, method="POST", headers={"Retry-After": "0"})
    await bot.services.delivery.enqueue([NewDelivery(key=f"m:{uuid.uuid4().hex}", conversation_id=conv.id,
                                                     payload={"activity": {"type": "message", "text": "Hei"}})])
    text = await wait_metric(bot.url, "faggruppe_deliveries_total", outcome="sent")
    assert value(text, "faggruppe_throttled_total", target="connector") == 1
    assert value(text, "faggruppe_retries_total", target="connector") == 1
    assert value(text, "faggruppe_deliveries_total", outcome="retry") == 1


async def test_job_lateness_runs_and_failures(bot: RunningBot):
    sched = bot.services.scheduler
    assert sched is not None
    # Due 90 s ago (the scheduler was down then): it runs at once, 90 s late.
    sched._aps.add_job(RUN_NAMED, "date", args=["privacy.retention"], id="late-retention",
                       run_date=datetime.now(UTC) - timedelta(seconds=90), misfire_grace_time=3600)
    sched.add("poll.remind", "broken-reminder", datetime.now(UTC), ())  # no poll id: raises
    text = await wait_metric(bot.url, "faggruppe_job_failures_total", job="poll.remind")
    text = await wait_metric(bot.url, "faggruppe_job_runs_total", job="privacy.retention")
    bucket = "faggruppe_job_lateness_seconds_bucket"
    assert value(text, bucket, job="privacy.retention", le="60.0") == 0
    assert value(text, bucket, job="privacy.retention", le="120.0") == 1
    # Added for "now": it runs now, not a retry interval (60 s) later.
    assert value(text, "faggruppe_job_lateness_seconds_count", job="poll.remind") == 1
    assert value(text, bucket, job="poll.remind", le="5.0") == 1


async def test_graph_latency_errors_and_throttling(make_settings, graph_settings, fake_graph, clock):
    running = RunningBot(make_settings(**graph_settings), clock)
    await running.start()
    try:
        calendar = running.services.calendar
        assert calendar is not None
        fake_graph.fault(429, method="GET", path="/calendar", retry_after=0)
        await calendar.read_calendar()  # retried after the 429, then answered
        fake_graph.fault(403, method="GET", path="/calendar")
        with pytest.raises(CalendarError):
            await calendar.read_calendar()
        _, text = await scrape(running.url)
    finally:
        await running.stop()
    assert value(text, "faggruppe_graph_request_duration_seconds_count", op="read calendar") == 2
    assert value(text, "faggruppe_graph_errors_total", op="read calendar", kind="permission") == 1
    assert value(text, "faggruppe_throttled_total", target="graph") == 1
    assert value(text, "faggruppe_retries_total", target="graph") == 1


async def test_two_apps_in_one_process_keep_their_own_registries(make_settings, clock, tmp_path):
    first = RunningBot(make_settings(), clock)
    second = RunningBot(make_settings(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/second.db"), clock)
    await first.start()
    await second.start()
    try:
        assert (await scrape(first.url))[0] == (await scrape(second.url))[0] == 200
    finally:
        await second.stop()
        await first.stop()
