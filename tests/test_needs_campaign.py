"""Input campaigns: posts in the faggruppe chats, reminders to members who sent nothing, the report to the leader."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.kernel.choices import decode_multi
from bot.needs.jobs import send_campaign_reminder, send_campaign_report
from bot.needs.service import start_campaign
from tests.fakes.connector import card_of
from tests.harness import TeamsClient
from tests.needs_support import NEED_OK, create_project, faggruppe_chat, filled, inputs, texts


def _card_texts(connector, conv_id: str, needle: str) -> list[str]:
    return [x for a in connector.sent(conv_id) if (c := card_of(a)) for x in texts(c) if needle in x]


async def test_campaign_posts_reminds_non_senders_and_reports(teams: TeamsClient, bot, leader, members):
    connector = teams.connector
    await create_project(teams, leader, "Søknadsportal", ["Oppvekst", "Helse og omsorg", "Ungdom"])
    oppvekst = await faggruppe_chat(teams, leader, members[:2], "Oppvekst")
    helse = await faggruppe_chat(teams, leader, members[2:], "Helse og omsorg")
    refused = await teams.send(oppvekst, members[0], "innspillsrunde")
    assert "prosjektleder" in refused.texts[0]
    form = await teams.send(oppvekst, leader, "input round")
    values = inputs(form.card)
    wanted = ["Oppvekst", "Helse og omsorg", "Ungdom"]
    assert decode_multi(values["faggrupper"]["value"], wanted) == wanted
    past = await teams.press(oppvekst, leader, form.card, verb="needs.campaign.start",
                             inputs=filled(form.card, {"deadline_date": "2020-01-01", "deadline_time": "12:00"}))
    assert any("Fristen må være fram i tid" in x for x in texts(past.card))
    tomorrow = (datetime.now(bot.settings.tz) + timedelta(days=3)).date().isoformat()
    started = await teams.press(oppvekst, leader, form.card, verb="needs.campaign.start",
                                inputs=filled(form.card, {"deadline_date": tomorrow, "deadline_time": "12:00"}))
    shown = "\n".join(texts(started.card))
    assert "går til 2 chatter" in shown and "Ungdom" in shown  # Ungdom has no registered chat
    [campaign_id] = {int(j.split(":")[1]) for j in bot.services.scheduler.job_ids("campaign:")}
    campaign = await bot.services.campaigns.get(campaign_id)
    assert sorted(bot.services.scheduler.job_ids(f"campaign:{campaign_id}:")) == [
        f"campaign:{campaign_id}:reminder", f"campaign:{campaign_id}:report"]
    assert bot.services.scheduler.next_run(f"campaign:{campaign_id}:report") == campaign.deadline
    assert bot.services.scheduler.next_run(f"campaign:{campaign_id}:reminder") == campaign.deadline - timedelta(hours=48)
    assert campaign.deadline.astimezone(bot.settings.tz).strftime("%Y-%m-%d %H:%M") == f"{tomorrow} 12:00"
    for conv in (oppvekst, helse):
        await connector.wait_for(lambda c=conv: _card_texts(connector, c.id, "Innspill til Søknadsportal"))
    post = next(card_of(a) for a in connector.sent(oppvekst.id) if "Innspill til" in str(card_of(a)))
    # a member answers through the campaign card's button
    choose = await teams.press(oppvekst, members[0], post, "Send innspill")
    form2 = await teams.press(oppvekst, members[0], choose.card, verb="needs.form", kind="need")
    saved = await teams.press(oppvekst, members[0], form2.card, verb="needs.save", inputs=filled(form2.card, NEED_OK))
    assert "Lagret: Behov" in str(saved.card)
    await send_campaign_reminder(campaign_id)
    await send_campaign_reminder(campaign_id)  # a retried job sends nothing twice

    def reminders(conv):
        return [a for a in connector.sent(conv.id) if "Påminnelse" in (a.get("text") or "")]

    await connector.wait_for(lambda: reminders(oppvekst) and reminders(helse))
    [r1] = reminders(oppvekst)
    assert {e["mentioned"]["id"] for e in r1["entities"]} == {members[1].id}
    assert f"<at>{members[1].name}</at>" in r1["text"]
    [r2] = reminders(helse)
    assert {e["mentioned"]["id"] for e in r2["entities"]} == {members[2].id, members[3].id}
    await send_campaign_report(campaign_id)
    personal = teams.personal(leader)
    await connector.wait_for(lambda: _card_texts(connector, personal.id, "Innspillsrunde avsluttet"))
    report = "\n".join(x for a in connector.sent(personal.id) if (c := card_of(a)) for x in texts(c))
    assert "1 innspill i alt" in report
    assert "Oppvekst: 1" in report and f"{members[0].name}: 1 (Oppvekst)" in report
    assert "Ingen innspill fra: Helse og omsorg" in report
    assert len(reminders(oppvekst)) == 1


async def test_campaign_with_real_scheduler(teams: TeamsClient, bot, leader, members):
    connector = teams.connector
    await create_project(teams, leader, "Kort runde", ["Oppvekst"])
    chat = await faggruppe_chat(teams, leader, members[:2], "Oppvekst")
    s = bot.services
    project = await s.projects.by_name("Kort runde")
    deadline = s.clock.now() + timedelta(seconds=3)
    campaign, chats, without = await start_campaign(s, project, ["Oppvekst"], deadline, leader.aad, chat.id)
    assert (chats, without) == (1, [])
    await connector.wait_for(lambda: [a for a in connector.sent(chat.id) if "Påminnelse" in (a.get("text") or "")],
                             timeout=15)
    personal = teams.personal(leader)
    await connector.wait_for(lambda: _card_texts(connector, personal.id, "Innspillsrunde avsluttet: Kort runde"),
                             timeout=15)
    assert s.scheduler.job_ids(f"campaign:{campaign.id}:") == []
