"""Broadcasts end to end: refusal, form, preview, edit, send to all and to some, report, faults, acknowledgements."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time

import aiohttp

from bot.broadcasts.model import State
from tests.broadcast_helpers import broadcast, compose, form, quick_chats
from tests.fakes.connector import card_of
from tests.harness import RunningBot, TeamsClient, find_action, iter_actions


def bid_of(card: dict) -> int:
    return int(find_action(card, verb="broadcast.send")["data"]["broadcast_id"])


async def wait_done(bot: RunningBot, teams: TeamsClient, broadcast_id: int, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        b = await broadcast(bot, broadcast_id)
        if b.state == State.DONE:
            return b
        await asyncio.sleep(0.05)
    raise AssertionError(f"broadcast {broadcast_id} not done: {b.state}")


async def exported_rows(teams: TeamsClient, conv, leader, report: dict) -> list[dict[str, str]]:
    """Press "Eksporter" on a report card, download the CSV and the XLSX; the CSV's rows as dicts."""
    res = await teams.press(conv, leader, report, "Eksporter")
    urls = {a["title"]: a["url"] for a in iter_actions(res.card) if a["type"] == "Action.OpenUrl"}
    async with aiohttp.ClientSession() as http:
        async with http.get(urls["Last ned Excel (XLSX)"]) as r:
            assert r.status == 200 and "spreadsheetml" in r.headers["Content-Type"]
        async with http.get(urls["Last ned CSV"]) as r:
            assert r.status == 200
            text = (await r.read()).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def assert_totals_first(report: dict, totals: str) -> None:
    """The report as posted: the totals line right under the heading, the per-chat rows behind one "Vis detaljer"."""
    body = report["body"]
    assert body[1]["type"] == "TextBlock" and body[1]["text"] == totals, body[1]
    shown = [el for el in body if el.get("isVisible") is not False]
    assert not any("feilet" in json.dumps(el, ensure_ascii=False) and el is not body[1] for el in shown)
    toggles = [a for el in shown if el.get("type") == "ActionSet" for a in el["actions"]]
    assert [a["title"] for a in toggles] == ["Vis detaljer"]
    details = next(el for el in body if el.get("id") in toggles[0]["targetElements"])
    assert details["isVisible"] is False and "Sendt " in json.dumps(details, ensure_ascii=False)


async def test_members_are_refused_command_and_replayed_cards(teams: TeamsClient, bot, leader, members):
    member = members[0]
    await quick_chats(teams, bot, leader, {"Oppvekst": 1})
    res = await teams.send(teams.personal(member), member, "kunngjøring")
    assert "bare prosjektledere" in res.texts[0]
    res = await teams.send(teams.personal(member), member, "broadcasts")
    assert "bare prosjektledere" in res.texts[0]
    # the leader's form and preview, replayed by a member
    personal = teams.personal(leader)
    form_card = (await teams.send(personal, leader, "kunngjøring")).card
    res = await teams.press(teams.personal(member), member, form_card, verb="broadcast.preview", inputs=form())
    assert "bare prosjektledere" in res.invoke_message
    preview = await compose(teams, personal, leader)
    res = await teams.press(teams.personal(member), member, preview, verb="broadcast.send")
    assert "bare prosjektledere" in res.invoke_message
    b = await broadcast(bot, bid_of(preview))
    assert b.state == "draft"
    assert all(r.conversation_id in (personal.id, teams.personal(member).id) for r in teams.connector.records)


async def test_form_validation_keeps_values(teams: TeamsClient, bot, leader):
    await quick_chats(teams, bot, leader, {"Oppvekst": 1})
    personal = teams.personal(leader)
    form_card = (await teams.send(personal, leader, "kunngjøring")).card
    res = await teams.press(personal, leader, form_card, verb="broadcast.preview",
                            inputs=form(title="", link="http://usikker.example/x", mode="some",
                                        send_date="2020-01-01", send_time="10:00"))
    text = json.dumps(res.card, ensure_ascii=False)
    assert "Må fylles ut." in text
    assert "https-adresse" in text and "http://usikker.example/x" in text
    assert "minst én faggruppe" in text
    assert "fram i tid" in text
    assert "Husk å levere" in text  # entered values are kept
    # targets without any registered chat
    res = await teams.press(personal, leader, form_card, verb="broadcast.preview",
                            inputs=form(mode="some", faggrupper="Ungdom"))
    assert "Ingen aktive chatter" in json.dumps(res.card, ensure_ascii=False)


async def test_preview_edit_and_send_to_all_with_live_report(teams: TeamsClient, bot, leader, members):
    # two chats installed and registered the real way, one more straight in the registry
    real = []
    for name in ("Oppvekst", "Helse og omsorg"):
        conv = teams.group(f"{name} chat", [leader, *members])
        await teams.install(conv, leader)
        assert "registrert" in (await teams.send(conv, leader, f"registrer {name}")).texts[0]
        real.append(conv)
    extra = (await quick_chats(teams, bot, leader, {"Ungdom": 1}))["Ungdom"]
    personal = teams.personal(leader)
    evil = ("Hei **alle**!\n\n- punkt <at>Alle</at> [lenke](javascript:alert(1)) [ok](https://kommune.no/a) "
            "{{DATE(2026-01-01T00:00:00Z)}}")
    preview = await compose(teams, personal, leader, message=evil, link="https://kommune.no/vedlegg.pdf")
    bid = bid_of(preview)
    text = json.dumps(preview, ensure_ascii=False)
    assert "3 chatter i 3 faggrupper" in text
    assert "<at>" not in text and "](javascript" not in text and "[ok](https://kommune.no/a)" in text
    assert "{{DATE" not in text
    # edit: the form comes back filled in, the same draft is updated
    edit_form = (await teams.press(personal, leader, preview, "Endre")).card
    assert "Frist for behov" in json.dumps(edit_form, ensure_ascii=False)
    res = await teams.press(personal, leader, edit_form, verb="broadcast.preview",
                            inputs=form(title="Frist for behov – endret", message=evil, link="https://kommune.no/vedlegg.pdf"))
    preview = res.card
    assert bid_of(preview) == bid and "endret" in json.dumps(preview, ensure_ascii=False)
    sent = await teams.press(personal, leader, preview, "Send")
    assert "sendes nå" in json.dumps(sent.card, ensure_ascii=False)
    # every chat gets it once, exactly as previewed
    chats = [*real, *extra]
    b = await wait_done(bot, teams, bid)
    embedded = next(el for el in preview["body"] if el.get("type") == "Container")
    for conv in chats:
        cards = [card_of(a) for a in teams.connector.sent(conv.id)
                 if "endret" in json.dumps(card_of(a) or {}, ensure_ascii=False)]
        assert len(cards) == 1
        assert cards[0]["body"] == embedded["items"][: len(cards[0]["body"])]
        assert find_action(cards[0], "Åpne vedlegg")["url"] == "https://kommune.no/vedlegg.pdf"
    # the report: posted to the leader, updated until done
    assert b.report_conversation_id == personal.id and b.report_activity_id

    def final_report():
        rep = json.dumps(card_of(teams.connector.activities.get((personal.id, b.report_activity_id))), ensure_ascii=False)
        return rep if "Ferdig" in rep else None

    rep = await teams.connector.wait_for(final_report)
    assert_totals_first(card_of(teams.connector.activities.get((personal.id, b.report_activity_id))), "Levert 3 av 3")
    for name in ("Oppvekst", "Helse og omsorg", "Ungdom"):
        assert name in rep
    assert "Sendt 1 · feilet 0 · venter 0" in rep
    actions = [a.action for a in await bot.services.audit.recent()]
    assert "broadcast.send" in actions
    # sending again is refused
    again = await teams.press(personal, leader, preview, "Send")
    assert "allerede sendt" in again.invoke_message


async def test_send_to_subset_and_project(teams: TeamsClient, bot, leader):
    pae = "Personal, arkiv, økonomi"  # a name with commas, in a multi-select that joins values with commas
    chats = await quick_chats(teams, bot, leader, {"Oppvekst": 2, pae: 1, "Ungdom": 1, "Helse og omsorg": 1})
    personal = teams.personal(leader)
    form_card = (await teams.send(personal, leader, "kunngjøring")).card
    choices = next(el for el in form_card["body"] if el.get("id") == "faggrupper")["choices"]
    value = {c["title"]: c["value"] for c in choices}
    picked = f"{value['Oppvekst']},{value[pae]}"
    preview = (await teams.press(personal, leader, form_card, verb="broadcast.preview",
                                 inputs=form(mode="some", faggrupper=picked))).card
    assert "3 chatter i 2 faggrupper" in json.dumps(preview, ensure_ascii=False)
    # edit keeps the selection
    edit_form = (await teams.press(personal, leader, preview, "Endre")).card
    assert next(el for el in edit_form["body"] if el.get("id") == "faggrupper")["value"] == picked
    await teams.press(personal, leader, preview, "Send")
    await wait_done(bot, teams, bid_of(preview))
    for conv in [*chats["Oppvekst"], *chats[pae]]:
        assert len(teams.connector.sent(conv.id)) == 1
    assert teams.connector.sent(chats["Ungdom"][0].id) == []
    assert teams.connector.sent(chats["Helse og omsorg"][0].id) == []
    # the faggrupper of one project
    project = await bot.services.projects.create("Felles journalsystem", "", leader.aad, ["Helse og omsorg"])
    preview = await compose(teams, personal, leader, mode="project", project=str(project.id), title="Prosjektnytt")
    assert "Felles journalsystem" in json.dumps(preview, ensure_ascii=False)
    await teams.press(personal, leader, preview, "Send")
    await wait_done(bot, teams, bid_of(preview))
    assert len(teams.connector.sent(chats["Helse og omsorg"][0].id)) == 1
    assert teams.connector.sent(chats["Ungdom"][0].id) == []


async def test_faults_403_429_502_and_dropped_connection(teams: TeamsClient, bot, leader):
    names = ("Oppvekst", "Ungdom", "Helse og omsorg", "IT-drift og sikkerhet")
    chats = await quick_chats(teams, bot, leader, dict.fromkeys(names, 1))
    gone, busy, flaky, fine = (chats[n][0] for n in names)
    c = teams.connector
    c.fail(403, conversation=gone.id, code="BotNotInConversationRoster", times=None)
    c.fail(429, conversation=busy.id, headers={"Retry-After": "1"})
    c.fail(502, conversation=flaky.id, times=2)
    c.fail(500, conversation=fine.id, drop=True)  # the connection drops: a network error, retried
    personal = teams.personal(leader)
    preview = await compose(teams, personal, leader)
    await teams.press(personal, leader, preview, "Send")
    bid = bid_of(preview)
    b = await wait_done(bot, teams, bid, timeout=20)
    for conv in (busy, flaky, fine):
        assert len(c.sent(conv.id)) == 1
    assert c.sent(gone.id) == []
    assert not (await bot.services.conversations.get(gone.id)).active
    rows = {r.conversation_id: r for r in await bot.services.outbox.group(f"broadcast:{bid}")}
    assert rows[flaky.id].attempts == 3 and rows[busy.id].attempts == 2 and rows[gone.id].state == "failed"
    assert rows[fine.id].attempts == 2
    assert c.count_429 == 1

    def final():
        rep = json.dumps(card_of(c.activities.get((personal.id, b.report_activity_id))), ensure_ascii=False)
        return rep if "Ferdig" in rep else None

    rep = await c.wait_for(final)
    assert_totals_first(card_of(c.activities.get((personal.id, b.report_activity_id))), "Levert 3 av 4 · 1 feilet")
    assert "Boten er fjernet fra chatten" in rep and "Oppvekst chat 1" in rep
    assert "Sendt 0 · feilet 1 · venter 0" in rep
    rows = await exported_rows(teams, personal, leader, card_of(c.activities.get((personal.id, b.report_activity_id))))
    assert len(rows) == 4  # one row per chat
    failed = [r for r in rows if r["Status"] == "Feilet"]
    assert [(r["Chat"], r["Årsak"]) for r in failed] == [("Oppvekst chat 1", "Boten er fjernet fra chatten")]
    assert {r["Status"] for r in rows} == {"Levert", "Feilet"}


async def test_read_acknowledgements_once_per_person(teams: TeamsClient, bot, leader, members):
    chats = await quick_chats(teams, bot, leader, {"Oppvekst": 1, "Ungdom": 1})
    personal = teams.personal(leader)
    preview = await compose(teams, personal, leader, ack="true")
    bid = bid_of(preview)
    # "Lest" in the preview does nothing yet
    early = await teams.press(personal, leader, preview, "Lest")
    assert "ikke sendt" in early.invoke_message
    await teams.press(personal, leader, preview, "Send")
    await wait_done(bot, teams, bid)
    opp, ung = chats["Oppvekst"][0], chats["Ungdom"][0]
    card_opp = card_of(teams.connector.sent(opp.id)[0])
    card_ung = card_of(teams.connector.sent(ung.id)[0])
    first = await teams.press(opp, members[0], card_opp, "Lest")
    assert "Takk" in json.dumps(first.card, ensure_ascii=False)
    assert "broadcast.ack" not in json.dumps(first.card)
    again = await teams.press(opp, members[0], card_opp, "Lest")
    assert "allerede" in json.dumps(again.card, ensure_ascii=False)
    await teams.press(opp, members[1], card_opp, "Lest")
    await teams.press(ung, members[2], card_ung, "Lest")
    repo = (await broadcast(bot, bid))
    from bot.broadcasts.service import broadcaster

    assert await broadcaster(bot.services).repo.read_counts(bid) == {"Oppvekst": 2, "Ungdom": 1}

    def report():
        rep = json.dumps(card_of(teams.connector.activities.get((personal.id, repo.report_activity_id))), ensure_ascii=False)
        return rep if "lest 2" in rep and "lest 1" in rep else None

    assert await teams.connector.wait_for(report)
    final = card_of(teams.connector.activities.get((personal.id, repo.report_activity_id)))
    assert_totals_first(final, "Levert 2 av 2 · Lest 2 av 2 (100\u00a0%)")
    rows = await exported_rows(teams, personal, leader, final)
    assert sorted((r["Faggruppe"], r["Status"], r["Lest"]) for r in rows) == [("Oppvekst", "Levert", "2"),
                                                                            ("Ungdom", "Levert", "1")]


async def test_composed_in_group_chat_reports_to_personal_chat(teams: TeamsClient, bot, leader, members):
    group = teams.group("Oppvekst", [leader, *members])
    await teams.install(group, leader)
    await teams.send(group, leader, "registrer Oppvekst")
    personal = teams.personal(leader)
    await teams.send(personal, leader, "hjelp")
    preview = await compose(teams, group, leader, title="Fra gruppechatten")
    await teams.press(group, leader, preview, "Send")
    b = await wait_done(bot, teams, bid_of(preview))
    assert b.report_conversation_id == personal.id and b.report_activity_id
    assert len([a for a in teams.connector.sent(group.id) if "Fra gruppechatten" in json.dumps(card_of(a) or {})]) == 1
