"""Foundation end to end: install, help, register, mentions, unknown text, roles, bad bodies, healthz."""

from __future__ import annotations

import aiohttp

from tests.fakes.connector import card_of
from tests.harness import TeamsClient, find_action, iter_actions


async def test_install_sends_welcome_and_registers_conversation(teams: TeamsClient, bot, leader, members):
    conv = teams.group("Oppvekst", [leader, *members])
    res = await teams.install(conv, leader)
    assert res.status in (200, 201)
    assert "Faggruppe-boten" in str(res.card)
    stored = await bot.services.conversations.get(conv.id)
    assert stored is not None and stored.active and stored.kind == "groupChat"
    assert stored.reference["serviceUrl"] == teams.connector.url


async def test_install_in_english_locale(teams: TeamsClient, leader):
    res = await teams.install(teams.personal(leader), leader, locale="en-US")
    assert "Hi! I am the Faggruppe bot" in str(res.card)


async def test_uninstall_marks_inactive(teams: TeamsClient, bot, leader):
    conv = teams.group("Helse")
    await teams.install(conv, leader)
    await teams.uninstall(conv, leader)
    stored = await bot.services.conversations.get(conv.id)
    assert stored is not None and not stored.active


async def test_installation_update_registers_and_removal_deactivates(teams: TeamsClient, bot, leader):
    # Teams sends installationUpdate (add / remove) as well as conversationUpdate; both hosts handle it.
    conv = teams.group("Kultur")
    added = await teams.post(teams.activity(conv, leader, "installationUpdate", action="add"))
    assert added.status in (200, 201) and not added.cards  # no second welcome: conversationUpdate brings it
    stored = await bot.services.conversations.get(conv.id)
    assert stored is not None and stored.active
    await teams.post(teams.activity(conv, leader, "installationUpdate", action="remove"))
    stored = await bot.services.conversations.get(conv.id)
    assert stored is not None and not stored.active


async def test_help_lists_commands_with_buttons(teams: TeamsClient, members):
    user = members[0]
    res = await teams.send(teams.personal(user), user, "hjelp")
    card = res.card
    assert "Dette kan jeg" in str(card)
    titles = {a["title"] for a in iter_actions(card) if a.get("title")}
    assert {"Ny møteavstemning", "Mine innspill", "Vis alle kommandoer"} <= titles  # buttons say the task
    # a help button works too: an Action.Submit routed by verb "cmd" with the command word
    assert find_action(card, "Mine innspill")["data"] == {"verb": "cmd", "command": "mine innspill"}
    again = await teams.press(teams.personal(user), user, card, "Mine innspill")
    assert "Du har ikke sendt inn noe ennå" in str(again.card)


async def test_help_in_english(teams: TeamsClient, members):
    res = await teams.send(teams.personal(members[0]), members[0], "help", locale="en-GB")
    assert "What I can do" in str(res.card)


async def test_group_chat_needs_mention_and_strips_it(teams: TeamsClient, members):
    conv = teams.group("Oppvekst", members)
    ignored = await teams.send(conv, members[0], "hjelp", mention=False)
    assert ignored.sent == []
    res = await teams.send(conv, members[0], "hjelp")
    assert "Dette kan jeg" in str(res.card)


async def test_channel_mention(teams: TeamsClient, members):
    conv = teams.channel("Generelt", members)
    res = await teams.send(conv, members[1], "HJELP")
    assert "Dette kan jeg" in str(res.card)


async def test_unknown_command_gives_hint(teams: TeamsClient, members):
    res = await teams.send(teams.personal(members[0]), members[0], "blåbærsyltetøy")
    assert res.texts and "hjelp" in res.texts[0]


async def test_register_by_leader(teams: TeamsClient, bot, leader, members):
    conv = teams.group("Chat", [leader, *members])
    res = await teams.send(conv, leader, "registrer oppvekst")
    assert "Oppvekst" in res.texts[0]
    stored = await bot.services.conversations.get(conv.id)
    assert stored.faggruppe == "Oppvekst"
    audit = await bot.services.audit.recent()
    assert audit[0].action == "faggruppe.register"


async def test_register_card_adds_new_faggruppe(teams: TeamsClient, bot, leader):
    conv = teams.group("Ny")
    res = await teams.send(conv, leader, "registrer")
    card = res.card
    empty = await teams.press(conv, leader, card, verb="faggruppe.register", inputs={})
    assert "Velg en faggruppe" in str(empty.card)
    ok = await teams.press(conv, leader, card, verb="faggruppe.register", inputs={"new_faggruppe": "Samfunnssikkerhet"})
    assert ok.status == 200
    assert (await bot.services.conversations.get(conv.id)).faggruppe == "Samfunnssikkerhet"
    assert "Samfunnssikkerhet" in await bot.services.conversations.faggrupper(bot.settings.faggrupper)


async def test_register_refused_for_member(teams: TeamsClient, bot, members):
    conv = teams.group("Chat", members)
    res = await teams.send(conv, members[0], "registrer Oppvekst")
    assert "bare prosjektledere" in res.texts[0]
    assert (await bot.services.conversations.get(conv.id)).faggruppe is None


async def test_replayed_leader_card_by_member_is_refused(teams: TeamsClient, bot, leader, members):
    conv = teams.group("Chat", [leader, *members])
    card = (await teams.send(conv, leader, "registrer")).card
    res = await teams.press(conv, members[0], card, verb="faggruppe.register", inputs={"faggruppe": "Oppvekst"})
    assert "bare prosjektledere" in res.invoke_message
    assert (await bot.services.conversations.get(conv.id)).faggruppe is None


async def test_leader_add_and_remove(teams: TeamsClient, bot, leader, members):
    conv = teams.group("Chat", [leader, *members])
    target = members[1]
    refused = await teams.send(conv, members[0], "leder legg til", mentions=[target])
    assert "bare prosjektledere" in refused.texts[0]
    res = await teams.send(conv, leader, "leder legg til", mentions=[target])
    assert "er nå prosjektleder" in res.texts[0]
    person = await bot.services.people.find(target.aad)
    assert person is not None and person.is_leader
    # the new leader can now do leader things
    ok = await teams.send(conv, target, "registrer Oppvekst")
    assert "registrert" in ok.texts[0]
    res = await teams.send(conv, leader, "leder fjern", mentions=[target])
    assert "ikke lenger" in res.texts[0]
    assert not (await bot.services.people.find(target.aad)).is_leader


async def test_leader_cannot_remove_configured_leader(teams: TeamsClient, leader):
    conv = teams.group("Chat", [leader])
    res = await teams.send(conv, leader, "leder fjern", mentions=[leader])
    assert "fjerne deg selv" in res.texts[0]


async def test_malformed_bodies_get_400(teams: TeamsClient):
    url = f"{teams.bot_url}/api/messages"
    for body in (b"not json", b"[1,2,3]", b'{"no": "type"}', b'{"type": 5}', b"\xff\xfe"):
        async with teams.http.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
            assert r.status == 400, body


async def test_message_without_conversation_is_400(teams: TeamsClient, members):
    act = teams.activity(teams.personal(members[0]), members[0], text="hjelp")
    del act["conversation"]
    res = await teams.post(act)
    assert res.status == 400


async def test_oversized_body_gets_413(teams: TeamsClient, members):
    act = teams.activity(teams.personal(members[0]), members[0], text="x" * 400_000)
    res = await teams.post(act)
    assert res.status == 413


async def test_unknown_activity_type_is_ignored(teams: TeamsClient, members):
    act = teams.activity(teams.personal(members[0]), members[0], "somethingNew")
    res = await teams.post(act)
    assert res.status in (200, 201)
    assert res.sent == []


async def test_unknown_verb_gets_clear_message(teams: TeamsClient, members):
    user = members[0]
    card = {"type": "AdaptiveCard", "actions": [{"type": "Action.Execute", "title": "x", "verb": "nope.nothing"}]}
    res = await teams.press(teams.personal(user), user, card, "x")
    assert res.status == 200
    assert "ikke lenger i bruk" in res.invoke_message


async def test_healthz(teams: TeamsClient):
    async with teams.http.get(f"{teams.bot_url}/healthz") as r:
        body = await r.json()
    assert r.status == 200
    assert body["database"]["reachable"] is True
    assert body["scheduler"]["running"] is True
    assert body["version"]
    assert body["graph"].startswith("off")


async def test_download_links_expire(teams: TeamsClient, bot, clock):
    from datetime import timedelta

    url, _ = await bot.services.download_link(b"hello", "x.txt", "text/csv; charset=utf-8")
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as r:
            assert r.status == 200 and await r.read() == b"hello"
            assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        clock.advance(timedelta(hours=2))
        async with http.get(url) as r:
            assert r.status == 410  # gone: expired
        async with http.get(url.rsplit("/", 1)[0] + "/guess") as r:
            assert r.status == 404


def test_card_of_helper():
    assert card_of({"attachments": []}) is None
    assert find_action({"actions": [{"type": "Action.Submit", "title": "a", "data": {"verb": "v"}}]}, "a")


async def test_nameless_card_action_gets_name_from_roster(teams: TeamsClient, bot, members):
    """Some clients send card actions without the sender's name: the bot asks the roster once."""
    user = members[2]
    conv = teams.group("Oppvekst", members)
    act = teams.activity(conv, user, "invoke", name="adaptiveCard/action",
                         value={"action": {"type": "Action.Execute", "verb": "cmd", "data": {"command": "hjelp"}}})
    act["from"] = {"id": user.id, "aadObjectId": user.aad}
    res = await teams.post(act)
    assert res.status == 200
    assert (await bot.services.people.get(user.aad)).name == user.name
