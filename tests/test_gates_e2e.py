"""Phase gates end to end: timeline, set/change/remove deadlines, jobs, reminders, decisions, overdue notices."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from bot.delivery.outbox import CANCELLED, NewDelivery
from bot.gates import jobs as gate_jobs
from bot.gates.store import GateRepo
from bot.kernel.status import InputStatus
from tests.dates import at_local, day, iso, long_nb, summer_time_starts, winter_time_starts
from tests.fakes.connector import card_of
from tests.gates_helpers import INVOLVED, PROJECT, reminders, run_reminder_now, set_deadline, setup_chats, timeline
from tests.harness import TeamsClient, find_action, iter_actions


async def _project(bot, leader, groups=INVOLVED):
    return await bot.services.projects.create(PROJECT, "Felles arkiv for 16 kommuner", leader.aad, list(groups))


async def test_timeline_shows_phases_and_bps(teams, bot, leader, members):
    await _project(bot, leader)
    card = await timeline(teams, teams.personal(leader), leader, name="felles sak")
    body = str(card)
    for word in ("Idé", "Konsept", "Planlegge", "Gjennomføre", "Avslutte", "Realisere", "BP1", "BP5",
                 "Mandat for konseptfasen", "Sluttrapport", "Ingen frist", "Kalender: av"):
        assert word in body, word
    find_action(card, verb="gates.form", bp=2)
    # members see the timeline without leader buttons; the alias works
    member_card = (await teams.send(teams.personal(members[0]), members[0], "phases")).card
    assert "BP3" in str(member_card)
    assert not [a for a in _actions(member_card) if a.get("verb") == "gates.form"]


def _block(card: dict, bp: int) -> dict:
    return next(el for el in card["body"] if el.get("type") == "Container"
                and str(el["items"][0].get("text", "")).startswith(f"**BP{bp}**"))


async def test_timeline_opens_current_and_next_gate_and_confirms_a_saved_deadline(teams, bot, leader, members, clock):
    await _project(bot, leader)  # phase "ide": BP1 (ahead) and BP2 (next) open, BP3–BP5 one line each
    conv = teams.personal(leader)
    card = await timeline(teams, conv, leader, name="felles sak")
    for bp in (1, 2):
        assert _block(card, bp)["items"][1]["type"] == "FactSet"
    for bp in (3, 4, 5):
        hidden = _block(card, bp)["items"][1]
        assert hidden["id"] == f"details-bp{bp}" and hidden["isVisible"] is False
        assert "Ingen frist" in _block(card, bp)["items"][0]["text"]  # the status stays in sight
    toggles = {a["title"]: a["targetElements"] for a in card["actions"] if a["type"] == "Action.ToggleVisibility"}
    assert toggles["Vis alle beslutningspunkter"] == ["details-bp3", "details-bp4", "details-bp5"]
    assert all(i.startswith("manage-") for i in toggles["Administrer"])  # every leader action behind one toggle
    assert find_action(card, verb="gates.form", bp=2)["title"] == "Sett frist BP2"
    res = await set_deadline(teams, conv, leader, 4, day(clock, 40).isoformat())
    assert "✓ Fristen er lagret." in json.dumps(_block(res.card, 4), ensure_ascii=False)
    assert _block(res.card, 4)["items"][1]["type"] == "FactSet"  # the saved gate is open
    assert find_action(res.card, verb="gates.form", bp=4)["title"] == "Endre frist BP4"
    assert find_action(res.card, verb="gates.form", bp=2)["title"] == "Sett frist BP2"
    again = await timeline(teams, conv, leader, name="felles sak")
    assert "Fristen er lagret" not in json.dumps(again, ensure_ascii=False)


async def test_set_change_remove_deadline_replaces_jobs(teams, bot, leader, members, clock):
    await _project(bot, leader)
    chats = await setup_chats(teams, leader, members)
    conv = chats["Oppvekst"]
    # the Monday after clocks go forward, at least a month ahead of the test clock
    spring = summer_time_starts(day(clock, 30))
    deadline = spring + timedelta(days=1)
    res = await set_deadline(teams, conv, leader, 2, deadline.isoformat())
    assert "Fristen for BP2" in res.texts[0]
    assert long_nb(deadline) in str(res.card) and "dager igjen" in str(res.card)
    gate = await GateRepo(bot.services.db).at(1, 2)
    sched = bot.services.scheduler
    prefix = f"gate:{gate.id}:"
    assert sorted(sched.job_ids(prefix)) == sorted([f"{prefix}overdue", f"{prefix}reminder:1", f"{prefix}reminder:14",
                                                    f"{prefix}reminder:7"])
    # 09:00 local on each side of the switch to summer time: 07:00Z from that day on, 08:00Z before
    assert sched.next_run(f"{prefix}reminder:1") == at_local(spring, 9) and at_local(spring, 9).hour == 7
    assert sched.next_run(f"{prefix}reminder:7") == at_local(deadline - timedelta(days=7), 9)
    assert sched.next_run(f"{prefix}reminder:14") == at_local(deadline - timedelta(days=14), 9)
    assert at_local(deadline - timedelta(days=7), 9).hour == 8 == at_local(deadline - timedelta(days=14), 9).hour
    assert sched.next_run(f"{prefix}overdue") == at_local(deadline + timedelta(days=1), 9)

    # change: across the switch to winter time; old offsets' jobs are gone, none duplicated
    autumn = winter_time_starts(day(clock, 30))
    moved = autumn + timedelta(days=2)
    await set_deadline(teams, conv, leader, 2, moved.isoformat(), offsets="3,1", at="14:00")
    assert sorted(sched.job_ids(prefix)) == sorted([f"{prefix}overdue", f"{prefix}reminder:1", f"{prefix}reminder:3"])
    assert sched.next_run(f"{prefix}reminder:1") == at_local(autumn + timedelta(days=1), 9)
    assert sched.next_run(f"{prefix}reminder:3") == at_local(autumn - timedelta(days=1), 9)
    assert at_local(autumn + timedelta(days=1), 9).hour == 8 and at_local(autumn - timedelta(days=1), 9).hour == 7
    again = await GateRepo(bot.services.db).at(1, 2)
    assert again.id == gate.id and again.deadline_time.hour == 14

    # the form opens with the stored values, and Remove clears deadline and jobs
    card = await timeline(teams, conv, leader)
    form = (await teams.press(conv, leader, card, verb="gates.form", bp=2)).card
    assert moved.isoformat() in str(form) and "14:00" in str(form)
    res = await teams.press(conv, leader, form, verb="gates.remove")
    assert sched.job_ids(prefix) == []
    assert (await GateRepo(bot.services.db).at(1, 2)).deadline is None
    assert "Ingen frist" in str(res.card)
    actions = [a.action for a in await bot.services.audit.recent()]
    assert actions.count("gate.deadline.set") == 2 and "gate.deadline.remove" in actions


async def test_form_errors_keep_values_and_save_nothing(teams, bot, leader):
    await _project(bot, leader)
    conv = teams.personal(leader)
    res = await set_deadline(teams, conv, leader, 3, "2020-01-01", offsets="fjorten", groups=[])
    body = str(res.card)
    assert "tilbake i tid" in body and "hele dager" in body and "minst én faggruppe" in body
    assert "fjorten" in body and "2020-01-01" in body
    assert await GateRepo(bot.services.db).at(1, 3) is None
    assert bot.services.scheduler.job_ids("gate:") == []


async def test_member_cannot_set_or_decide_even_with_replayed_card(teams, bot, leader, members, clock):
    await _project(bot, leader)
    conv = teams.group("Chat", [leader, members[0]])
    card = await timeline(teams, conv, leader)
    form = (await teams.press(conv, leader, card, verb="gates.form", bp=1)).card
    res = await teams.press(conv, members[0], form, verb="gates.save", inputs={"deadline": iso(clock, 30)})
    assert "bare prosjektledere" in res.invoke_message
    forged = {"actions": [{"type": "Action.Execute", "verb": "gates.remove",
                           "data": {"verb": "gates.remove", "project_id": 1, "bp": 1}}]}
    res = await teams.press(conv, members[0], forged, verb="gates.remove")
    assert "bare prosjektledere" in res.invoke_message
    decision = (await teams.press(conv, leader, card, verb="gates.decision_form", bp=1)).card
    res = await teams.press(conv, members[0], decision, verb="gates.decide", inputs={"decision": "approved"})
    assert "bare prosjektledere" in res.invoke_message
    res = await teams.press(conv, members[0], card, verb="gates.phase", inputs={"phase": "avslutte"})
    assert "bare prosjektledere" in res.invoke_message
    assert (await bot.services.projects.get(1)).phase == "ide"
    assert await GateRepo(bot.services.db).at(1, 1) is None


async def test_set_phase_by_command_and_card(teams, bot, leader):
    await _project(bot, leader)
    conv = teams.personal(leader)
    res = await teams.send(conv, leader, f"fase Planlegge {PROJECT}")
    assert "Planlegge" in res.texts[0]
    assert (await bot.services.projects.get(1)).phase == "planlegge"
    card = await timeline(teams, conv, leader)
    res = await teams.press(conv, leader, card, verb="gates.phase", inputs={"phase": "gjennomfore"})
    assert "Nåværende fase: **Gjennomføre**" in str(res.card)
    assert (await teams.send(conv, leader, "fase")).texts[0].startswith("Skriv")


async def test_reminder_goes_to_involved_chats_once_with_input_status(teams, bot, leader, members, connector, clock):
    await _project(bot, leader)
    chats = await setup_chats(teams, leader, members)
    seen: list[int] = []

    async def status(project_id: int) -> InputStatus:
        seen.append(project_id)
        return InputStatus(total=5, needs=3, benefits=2, by_faggruppe={"Oppvekst": 5}, missing=("Helse og omsorg",))

    bot.services.input_status = status
    await set_deadline(teams, chats["Oppvekst"], leader, 2, iso(clock, 60), documents="Prosjektforslag\nGevinstanalyse")
    gate = await GateRepo(bot.services.db).at(1, 2)
    run_reminder_now(bot.services, gate.id, "7")
    for name in INVOLVED:
        await connector.wait_for(lambda n=name: reminders(connector, chats[n]))
    # the job running again (a retry, a second instance) posts nothing new
    assert await gate_jobs.send_reminder(gate.id, "7") == 0
    await asyncio.sleep(0.3)
    for name in INVOLVED:
        got = reminders(connector, chats[name])
        assert len(got) == 1
        card = card_of(got[0])
        body = str(card)
        assert "BP2" in body and "Prosjektforslag" in body and "Gevinstanalyse" in body
        assert "Innspill så langt: 5 (3 behov, 2 gevinster)" in body and "Helse og omsorg" in body
        assert find_action(card, "Gi innspill")["data"] == {"verb": "cmd", "command": "innspill", "project_id": 1}
        assert find_action(card, "Se tidslinjen")["data"]["command"] == f"faser {PROJECT}"
    assert reminders(connector, chats["IT-drift og sikkerhet"]) == []
    assert set(seen) == {1}
    assert bot.services.scheduler.job_ids(f"gate:{gate.id}:reminder:7") == []  # a date job is gone once run
    # "Se tidslinjen" from the reminder works for a member
    res = await teams.press(chats["Oppvekst"], members[0], card_of(reminders(connector, chats["Oppvekst"])[0]),
                            "Se tidslinjen")
    assert "BP2" in str(res.card)


async def test_reminder_without_status_provider_omits_it(teams, bot, leader, members, connector, clock):
    await _project(bot, leader)
    chats = await setup_chats(teams, leader, members)
    bot.services.input_status = None  # the needs/benefits feature is not there
    await set_deadline(teams, chats["Oppvekst"], leader, 1, iso(clock, 30), groups=["Oppvekst"])
    gate = await GateRepo(bot.services.db).at(1, 1)
    run_reminder_now(bot.services, gate.id, "1")
    got = await connector.wait_for(lambda: reminders(connector, chats["Oppvekst"]))
    assert "Innspill så langt" not in str(got[0])
    assert "Mandat for konseptfasen" in str(got[0])


async def test_reminder_after_deadline_is_skipped(teams, bot, leader, members, connector, clock):
    await _project(bot, leader)
    chats = await setup_chats(teams, leader, members)
    await set_deadline(teams, chats["Oppvekst"], leader, 2, iso(clock, 5))
    gate = await GateRepo(bot.services.db).at(1, 2)
    clock.advance(timedelta(days=10))
    assert await gate_jobs.send_reminder(gate.id, "7") == 0
    assert reminders(connector, chats["Oppvekst"]) == []


async def test_approval_moves_phase_cancels_reminders_and_announces(teams, bot, leader, members, connector, clock):
    await _project(bot, leader)
    chats = await setup_chats(teams, leader, members)
    s = bot.services
    await set_deadline(teams, chats["personal"], leader, 1, iso(clock, 30))
    gate = await GateRepo(s.db).at(1, 1)
    # a reminder queued but not yet sent (due later) must be cancelled too
    await s.outbox.enqueue([NewDelivery(key=f"gate:{gate.id}:reminder:1@x:{chats['Oppvekst'].id}",
                                        conversation_id=chats["Oppvekst"].id, payload={"activity": {"type": "message"}},
                                        group_key=gate_jobs.reminder_group(gate.id),
                                        not_before=s.clock.now() + timedelta(days=30))])
    conv = chats["personal"]
    card = await timeline(teams, conv, leader)
    form = (await teams.press(conv, leader, card, verb="gates.decision_form", bp=1)).card
    err = await teams.press(conv, leader, form, verb="gates.decide", inputs={"decision": "postponed", "comment": " "})
    assert "Skriv hvorfor" in str(err.card)
    res = await teams.press(conv, leader, form, verb="gates.decide",
                            inputs={"decision": "approved", "comment": "Vedtatt i styringsgruppa"})
    assert "er godkjent" in res.texts[0] and "Konsept" in res.texts[0]
    assert "Nåværende fase: **Konsept**" in str(res.card)
    assert (await s.projects.get(1)).phase == "konsept"
    assert s.scheduler.job_ids(f"gate:{gate.id}:") == []
    assert [r.state for r in await s.outbox.group(gate_jobs.reminder_group(gate.id))] == [CANCELLED]
    for name in INVOLVED:
        got = await connector.wait_for(lambda n=name: [a for a in connector.sent(chats[n].id)
                                                       if "godkjent" in str(a.get("attachments"))])
        assert "Vedtatt i styringsgruppa" in str(got[0])
    stored = await GateRepo(s.db).get(gate.id)
    assert stored.status == "approved" and stored.decided_by == leader.aad
    assert "gate.decision.approved" in [a.action for a in await s.audit.recent()]
    # a replayed decision does not move the phase twice
    again = await teams.press(conv, leader, form, verb="gates.decide", inputs={"decision": "approved"})
    assert "allerede godkjent" in again.texts[0]
    assert (await s.projects.get(1)).phase == "konsept"


async def test_postponed_decision_then_new_deadline_reopens(teams, bot, leader, members, clock):
    await _project(bot, leader)
    conv = teams.personal(leader)
    await set_deadline(teams, conv, leader, 2, iso(clock, 30))
    card = await timeline(teams, conv, leader)
    form = (await teams.press(conv, leader, card, verb="gates.decision_form", bp=2)).card
    res = await teams.press(conv, leader, form, verb="gates.decide", inputs={"decision": "postponed", "comment": "Mangler ROS"})
    assert "utsatt" in res.texts[0] and "Utsatt" in str(res.card)
    gate = await GateRepo(bot.services.db).at(1, 2)
    assert bot.services.scheduler.job_ids(f"gate:{gate.id}:") == []
    assert (await bot.services.projects.get(1)).phase == "ide"
    await set_deadline(teams, conv, leader, 2, iso(clock, 60))
    gate = await GateRepo(bot.services.db).at(1, 2)
    assert gate.status == "open" and bot.services.scheduler.job_ids(f"gate:{gate.id}:reminder")


async def test_overdue_notice_goes_to_leaders_personal_chat(teams, bot, leader, members, connector, clock):
    await _project(bot, leader)
    chats = await setup_chats(teams, leader, members)
    deadline = day(clock, 5)
    await set_deadline(teams, chats["Oppvekst"], leader, 2, deadline.isoformat())
    gate = await GateRepo(bot.services.db).at(1, 2)
    clock.advance(timedelta(days=9))
    s = bot.services
    s.scheduler.add(gate_jobs.OVERDUE_FUNC, gate_jobs.overdue_job_id(gate.id), datetime.now(UTC) + timedelta(seconds=0.2),
                    (gate.id, deadline.isoformat()), misfire_grace_time=3600)
    got = await connector.wait_for(lambda: [a for a in connector.sent(chats["personal"].id)
                                            if "Fristen er passert" in str(a.get("attachments"))])
    assert len(got) == 1 and long_nb(deadline) in str(got[0])
    assert not [a for a in connector.sent(chats["Oppvekst"].id) if "Fristen er passert" in str(a.get("attachments"))]
    assert await gate_jobs.send_overdue(gate.id, deadline.isoformat()) == 0


async def test_dead_faggruppe_chat_is_reported_to_leader(teams, bot, leader, members, connector, clock):
    await _project(bot, leader)
    chats = await setup_chats(teams, leader, members)
    await set_deadline(teams, chats["Oppvekst"], leader, 2, iso(clock, 60))
    gate = await GateRepo(bot.services.db).at(1, 2)
    connector.fail(403, conversation=chats["Helse og omsorg"].id, code="BotNotInConversationRoster")
    run_reminder_now(bot.services, gate.id, "7")
    await connector.wait_for(lambda: reminders(connector, chats["Oppvekst"]))
    notice = await connector.wait_for(lambda: [a for a in connector.sent(chats["personal"].id)
                                               if "kom ikke fram" in (a.get("text") or "")])
    assert len(notice) == 1
    assert not (await bot.services.conversations.get(chats["Helse og omsorg"].id)).active


def _actions(card):
    from tests.harness import iter_actions

    return list(iter_actions(card))


async def test_reminder_uses_needs_benefits_status_of_the_project(teams, bot, leader, members, connector, clock):
    await _project(bot, leader)
    chats = await setup_chats(teams, leader, members)
    assert bot.services.input_status is not None  # bound at start by the needs/benefits feature
    await set_deadline(teams, chats["Oppvekst"], leader, 2, iso(clock, 60), groups=["Oppvekst"])
    gate = await GateRepo(bot.services.db).at(1, 2)
    run_reminder_now(bot.services, gate.id, "14")
    got = await connector.wait_for(lambda: reminders(connector, chats["Oppvekst"]))
    body = str(got[0])
    assert "Innspill så langt: 0 (0 behov, 0 gevinster)" in body
    assert "Oppvekst" in body and "Helse og omsorg" in body  # nobody has sent anything yet


async def test_reminder_retried_after_connector_errors_arrives_once(teams, bot, leader, members, connector, clock):
    await _project(bot, leader)
    chats = await setup_chats(teams, leader, members)
    await set_deadline(teams, chats["Oppvekst"], leader, 2, iso(clock, 60), groups=["Oppvekst"])
    gate = await GateRepo(bot.services.db).at(1, 2)
    connector.fail(502, conversation=chats["Oppvekst"].id, method="POST", times=1)
    run_reminder_now(bot.services, gate.id, "7")
    await connector.wait_for(lambda: reminders(connector, chats["Oppvekst"]))
    for _ in range(50):
        rows = await bot.services.outbox.group(gate_jobs.reminder_group(gate.id))
        if rows[0].state == "sent":
            break
        await asyncio.sleep(0.1)
    assert len(rows) == 1 and rows[0].state == "sent" and rows[0].attempts == 2
    assert len(reminders(connector, chats["Oppvekst"])) == 1


async def test_project_chooser_with_many_projects(teams: TeamsClient, bot, members):
    for i in range(8):
        await bot.services.projects.create(f"Prosjekt {i}", "", "x", ["Oppvekst"])
    user = members[0]
    chooser = (await teams.send(teams.personal(user), user, "faser")).card
    assert len(list(iter_actions(chooser))) == 1
    wanted = await bot.services.projects.by_name("Prosjekt 6")
    res = await teams.press(teams.personal(user), user, chooser, verb="gates.timeline", inputs={"project_id": str(wanted.id)})
    assert "Prosjekt 6" in json.dumps(res.card, ensure_ascii=False)
