"""Meeting polls end to end over HTTP: form, votes, concurrency, modes, list, other chats, guests."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.fakes.connector import card_of
from tests.harness import TeamsClient, User, find_action, iter_actions, make_user

OSLO = ZoneInfo("Europe/Oslo")


def day(n: int) -> str:
    return (datetime.now(OSLO) + timedelta(days=n)).date().isoformat()


def form_inputs(title: str = "Arbeidsmøte Oppvekst", slots: int = 3, **extra: str) -> dict[str, str]:
    data = {"title": title, "duration": "60", "mode": "online"}
    for i in range(slots):
        data[f"slot_date_{i}"] = day(3 + i)
        data[f"slot_time_{i}"] = "10:00"
    data.update(extra)
    return data


async def create_poll(teams: TeamsClient, conv, user: User, **inputs: str) -> tuple[int, str, dict]:
    """Create a poll through the form; returns (poll id, posted activity id, posted card)."""
    form = await teams.open_form(conv, user, "avstemning")
    res = await teams.press(conv, user, form, verb="poll.create", inputs=form_inputs(**inputs))
    assert res.status == 200
    assert "er lagt ut" in res.invoke_message  # the dialog closes with this message
    posted = [a for a in res.sent if card_of(a) and any(x.get("verb") == "poll.vote" for x in iter_actions(card_of(a)))]
    assert len(posted) == 1
    card = card_of(posted[0])
    poll_id = find_action(card, verb="poll.vote")["data"]["poll_id"]
    return poll_id, posted[0]["id"], card


def stored_card(teams: TeamsClient, conv, activity_id: str) -> dict:
    return card_of(teams.connector.activities[(conv.id, activity_id)])


async def test_create_with_errors_then_valid(teams: TeamsClient, bot, members):
    conv = teams.group("Oppvekst", members)
    form = await teams.open_form(conv, members[0], "avstemning")
    assert "Ny møteavstemning" in json.dumps(form, ensure_ascii=False)
    bad = form_inputs(title="", slots=1, deadline_date=day(10))
    bad.update(slot_date_1="2020-01-01", slot_time_1="10:00", slot_date_2=day(3), slot_time_2="10:00")
    res = await teams.press(conv, members[0], form, verb="poll.create", inputs=bad)
    text = json.dumps(res.card, ensure_ascii=False)
    for msg in ("Skriv en tittel", "allerede vært", "foreslått fra før", "før det første tidspunktet"):
        assert msg in text, msg
    assert day(3) in text  # entered values are kept
    assert not await bot.services.polls.repo.open_in(conv.id)
    custom = await teams.press(conv, members[0], res.card, verb="poll.create",
                               inputs=form_inputs(duration="custom", duration_custom="2"))
    assert "mellom 5 og 600" in json.dumps(custom.card, ensure_ascii=False)
    more = await teams.press(conv, members[0], form, verb="poll.form.more", inputs={"title": "Behold"})
    assert "Tidspunkt 5" in json.dumps(more.card, ensure_ascii=False) and "Behold" in json.dumps(more.card)
    poll_id, activity_id, card = await create_poll(teams, conv, members[0])
    assert poll_id and activity_id
    assert any(el.get("type") == "Chart.VerticalBar" for el in card["body"]) is False  # no votes yet: no chart
    assert "4 av 4 medlemmer" in json.dumps(card, ensure_ascii=False)


async def test_vote_by_three_members_and_change(teams: TeamsClient, bot, members):
    conv = teams.group("Oppvekst", members)
    poll_id, aid, card = await create_poll(teams, conv, members[0])
    slot_ids = [a["data"]["slot_id"] for a in iter_actions(card) if a.get("verb") == "poll.vote" and a["data"]["answer"] == "yes"]
    for user, answer in zip(members[:3], ("yes", "maybe", "no"), strict=True):
        res = await teams.press(conv, user, card, verb="poll.vote", slot_id=slot_ids[0], answer=answer, reply_to=aid)
        mine = find_action(res.card, verb="poll.vote", slot_id=slot_ids[0], answer=answer)
        assert mine["title"].startswith("✓ ") and mine.get("style") == "positive"
    await bot.services.polls.settle()
    text = json.dumps(stored_card(teams, conv, aid), ensure_ascii=False)
    assert "Ja 1" in text and "Om nødvendig 1" in text and "Nei 1" in text
    assert "Åse Ærlig" in text and "1 av 4 medlemmer" in text
    assert "Vis hvem som har svart" in text and '"Chart.' not in text  # names behind one toggle, no chart
    # the generic card carries no personal highlight, and refreshes for the members
    stored = stored_card(teams, conv, aid)
    assert not any(a["title"].startswith("✓") for a in iter_actions(stored) if a.get("verb") == "poll.vote")
    assert stored["refresh"]["action"]["verb"] == "poll.refresh" and len(stored["refresh"]["userIds"]) == 4
    # change a vote: still one answer per member per slot
    await teams.press(conv, members[2], card, verb="poll.vote", slot_id=slot_ids[0], answer="yes", reply_to=aid)
    votes = await bot.services.polls.repo.votes(poll_id)
    assert sorted(v.answer for v in votes) == ["maybe", "yes", "yes"]
    # refresh gives the viewer's own view
    ref = await teams.press(conv, members[1], stored_card(teams, conv, aid) | {"actions": [stored["refresh"]["action"]]},
                            verb="poll.refresh")
    assert find_action(ref.card, verb="poll.vote", slot_id=slot_ids[0], answer="maybe")["title"].startswith("✓ ")


async def test_fifty_concurrent_voters(teams: TeamsClient, bot, members):
    voters = [make_user(f"Velger {i}") for i in range(50)]
    conv = teams.group("Stor gruppe", [members[0], *voters])
    poll_id, aid, card = await create_poll(teams, conv, members[0])
    slot_id = find_action(card, verb="poll.vote")["data"]["slot_id"]
    results = await asyncio.gather(*[
        teams.press(conv, u, card, verb="poll.vote", slot_id=slot_id, answer="yes", reply_to=aid) for u in voters
    ])
    assert all(r.status == 200 for r in results)
    votes = await bot.services.polls.repo.votes(poll_id)
    assert len(votes) == 50 and {v.voter_id for v in votes} == {u.aad for u in voters}
    await bot.services.polls.settle()
    assert "Ja 50" in json.dumps(stored_card(teams, conv, aid), ensure_ascii=False)


async def test_anonymous_and_hidden_modes(teams: TeamsClient, bot, members):
    conv = teams.group("Oppvekst", members)
    _, aid, card = await create_poll(teams, conv, members[0], anonymous="true")
    slot_id = find_action(card, verb="poll.vote")["data"]["slot_id"]
    await teams.press(conv, members[1], card, verb="poll.vote", slot_id=slot_id, answer="yes", reply_to=aid)
    await bot.services.polls.settle()
    text = json.dumps(stored_card(teams, conv, aid), ensure_ascii=False)
    assert "Ja 1" in text and "Ørjan" not in text and "Anonym avstemning" in text
    pid, aid2, card2 = await create_poll(teams, conv, members[0], title="Skjult", hidden="true")
    slot_id = find_action(card2, verb="poll.vote")["data"]["slot_id"]
    res = await teams.press(conv, members[1], card2, verb="poll.vote", slot_id=slot_id, answer="no", reply_to=aid2)
    assert "Ditt svar: Nei" in json.dumps(res.card, ensure_ascii=False)  # own answer still visible
    await bot.services.polls.settle()
    text = json.dumps(stored_card(teams, conv, aid2), ensure_ascii=False)
    assert "Nei 1" not in text and "Chart.VerticalBar" not in text and "1 har svart" in text
    closed = await teams.press(conv, members[0], card2, verb="poll.close", poll_id=pid)
    assert "Nei 1" in json.dumps(closed.card, ensure_ascii=False)  # shown once closed
    await bot.services.polls.settle()


async def test_list_open_polls(teams: TeamsClient, members):
    conv = teams.group("Oppvekst", members)
    empty = await teams.send(conv, members[0], "avstemninger")
    assert "Ingen åpne" in json.dumps(empty.card, ensure_ascii=False)
    pid, _aid, _ = await create_poll(teams, conv, members[0], title="Første")
    res = await teams.send(conv, members[1], "polls")
    text = json.dumps(res.card, ensure_ascii=False)
    assert "Første" in text and "teams.microsoft.com/l/message/" in text
    shown = await teams.press(conv, members[1], res.card, verb="poll.show", poll_id=pid)
    assert any(a.get("verb") == "poll.vote" for a in iter_actions(shown.cards[-1]))


async def test_poll_of_another_chat_is_refused(teams: TeamsClient, bot, members):
    conv = teams.group("Oppvekst", members)
    other = teams.group("Helse", members)
    pid, _aid, card = await create_poll(teams, conv, members[0])
    res = await teams.press(other, members[1], card, verb="poll.vote", answer="yes")
    assert "fant ikke denne avstemningen" in res.invoke_message
    res = await teams.press(other, members[0], card, verb="poll.close", poll_id=pid)
    assert "fant ikke denne avstemningen" in res.invoke_message
    assert await bot.services.polls.repo.votes(pid) == []


async def test_guest_from_other_tenant_votes_and_closed_poll_refuses(teams: TeamsClient, bot, leader, members):
    guest = User(name="Gjest Gjestesen", aad="", upn="gjest@annen.no", id="29:guest-1",
                 tenant="99999999-0000-0000-0000-000000000000")
    conv = teams.group("Oppvekst", [leader, *members, guest])
    pid, aid, card = await create_poll(teams, conv, members[0])
    slot_id = find_action(card, verb="poll.vote")["data"]["slot_id"]
    res = await teams.press(conv, guest, card, verb="poll.vote", slot_id=slot_id, answer="maybe", reply_to=aid)
    assert res.status == 200 and "Ditt svar: Om nødvendig" in json.dumps(res.card, ensure_ascii=False)
    votes = await bot.services.polls.repo.votes(pid)
    assert [v.voter_id for v in votes] == ["29:guest-1"]
    refused = await teams.press(conv, members[1], card, verb="poll.close", poll_id=pid)
    assert "Bare den som laget" in refused.invoke_message
    closed = await teams.press(conv, leader, card, verb="poll.close", poll_id=pid)
    assert "Avstemningen er lukket" in json.dumps(closed.card, ensure_ascii=False)
    late = await teams.press(conv, members[2], card, verb="poll.vote", slot_id=slot_id, answer="yes", reply_to=aid)
    assert "lukket" in late.invoke_message
    assert len(await bot.services.polls.repo.votes(pid)) == 1
    await bot.services.polls.settle()
    audit = await bot.services.audit.recent()
    assert audit[0].action == "poll.close"


class FakeCalendar:
    """Free/busy as the Graph port returns it: one busy member, one person Graph could not look up."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    async def get_schedule(self, people, start, end):
        from bot.calendar.port import BusySlot, Schedule

        self.asked.append(list(people))
        return Schedule(busy={people[0]: [BusySlot(start, end)]}, excluded=("ukjent@kommune.no",))


async def test_suggest_times_only_with_calendar(teams: TeamsClient, bot, members):
    guest = User(name="Gjest Gjestesen", aad="", upn="gjest@annen.no", id="29:guest-2",
                 tenant="99999999-0000-0000-0000-000000000000")
    conv = teams.group("Oppvekst", [*members, guest])
    form = await teams.open_form(conv, members[0], "avstemning")
    assert not any((a.get("data") or {}).get("verb") == "poll.suggest" for a in iter_actions(form))
    bot.services.calendar = FakeCalendar()
    form = await teams.open_form(conv, members[0], "avstemning Styremøte")
    assert next(el for el in iter_inputs(form) if el["id"] == "title")["value"] == "Styremøte"
    res = await teams.press(conv, members[0], form, verb="poll.suggest", inputs={"title": "Styremøte"})
    text = json.dumps(res.card, ensure_ascii=False)
    assert "Styremøte" in text and "Gjest Gjestesen" in text and "ukjent@kommune\\\\.no" in text
    assert bot.services.calendar.asked == [[m.upn for m in members]]  # same-tenant members only
    filled = [el for el in iter_inputs(res.card) if el["id"].startswith("slot_date_") and el.get("value")]
    assert len(filled) == 5


def iter_inputs(node):
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Input."):
            yield node
        for v in node.values():
            yield from iter_inputs(v)
    elif isinstance(node, list):
        for v in node:
            yield from iter_inputs(v)
