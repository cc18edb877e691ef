"""The tab's portfolio over HTTP with Entra ID tokens: phases and gates, readiness from the register, deadline edits
through the chat command's path (reminders rescheduled, audit), members refused."""

from __future__ import annotations

from datetime import timedelta

import aiohttp

from bot.gates.store import GateRepo
from tests.dates import at_local, iso
from tests.fakes.identity import FakeIdentity
from tests.harness import RunningBot, User
from tests.test_gates_calendar import _settled
from tests.test_tab_api import auth, get, identity, tab

__all__ = ["identity", "tab"]


async def test_portfolio_and_deadline_edit(tab, identity: FakeIdentity, leader: User, members: list[User], clock):
    running, http = tab
    url = f"{running.url}/api/tab/portfolio"
    status, data = await get(http, url, auth(identity, members[0]))
    assert status == 200 and not data["can_edit"]
    [project] = data["projects"]
    assert project["name"] == "Søknadsportal" and [g["label"] for g in project["gates"]] == [f"BP{i}" for i in range(1, 6)]
    assert project["input"] == {"total": 2, "needs": 1, "benefits": 1, "missing": [], "by_faggruppe": {"Oppvekst": 2}}
    target = f"{url}/{project['id']}/2"
    async with http.put(target, json={"deadline": iso(clock, 40)}, headers=auth(identity, members[0])) as resp:
        assert resp.status == 403
    async with http.put(target, json={"deadline": iso(clock, -3)}, headers=auth(identity, leader)) as resp:
        assert resp.status == 422 and (await resp.json())["fields"]["deadline"]
    async with http.put(target, json={"deadline": iso(clock, 40), "deadline_time": "12:00"},
                        headers=auth(identity, leader)) as resp:
        assert resp.status == 200, await resp.text()
        body = await resp.json()
    assert body["gate"]["status"] == "planned" and body["gate"]["days_left"] == 40 and len(body["reminders"]) == 3
    gate = await GateRepo(running.services.db).at(project["id"], 2)
    sched = running.services.scheduler
    prefix = f"gate:{gate.id}:"
    assert sorted(sched.job_ids(prefix)) == sorted([f"{prefix}overdue", f"{prefix}reminder:1", f"{prefix}reminder:14",
                                                    f"{prefix}reminder:7"])
    assert sched.next_run(f"{prefix}overdue") == at_local(gate.deadline + timedelta(days=1), 9)
    assert next(a.action for a in await running.services.audit.recent()) == "gate.deadline.set"
    _, data = await get(http, url, auth(identity, leader))
    assert data["projects"][0]["next"] == "BP2"
    async with http.delete(target, headers=auth(identity, leader)) as resp:
        assert resp.status == 200 and (await resp.json())["removed"]
    assert sched.job_ids(prefix) == []


async def test_deadline_edit_books_and_moves_the_calendar_event(make_settings, graph_settings, fake_graph, clock,
                                                                 leader: User, connector):
    # Development mode (no app id, loopback) signs in as the first BOT_LEADERS entry: the leader.
    running = RunningBot(make_settings(**graph_settings, GRAPH_MAX_RETRIES="0"), clock)
    await running.start()
    try:
        project = await running.services.projects.create("Søknadsportal", "", leader.aad, ["Oppvekst"])
        target = f"{running.url}/api/tab/portfolio/{project.id}/3"
        async with aiohttp.ClientSession() as http:
            async with http.put(target, json={"deadline": iso(clock, 60)}) as resp:
                assert resp.status == 200, await resp.text()
            gate = await GateRepo(running.services.db).at(project.id, 3)
            status = await _settled(running, f"gate:{gate.id}", "booked")
            assert fake_graph.events[status.event_id]["start"]["dateTime"].startswith(iso(clock, 60))
            async with http.put(target, json={"deadline": iso(clock, 75), "deadline_time": "10:00"}) as resp:
                assert resp.status == 200
            await connector.wait_for(lambda: fake_graph.calls("PATCH", "/events/"))
            assert list(fake_graph.events) == [status.event_id]  # the same event, moved
            async with http.delete(target) as resp:
                assert resp.status == 200
            await _settled(running, f"gate:{gate.id}", "cancelled")
    finally:
        await running.stop()
