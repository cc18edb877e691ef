"""ALLOWED_TENANTS end to end: other tenants are refused politely, logged without text, and nothing is stored."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.harness import TENANT, RunningBot, TeamsClient, make_user

OTHER = "99999999-8888-7777-6666-555555555555"
SECRET_TEXT = "hemmelig melding om Ærlig"


@pytest.fixture
async def tenant_teams(make_settings, connector, clock) -> AsyncIterator[tuple[TeamsClient, RunningBot]]:
    running = RunningBot(make_settings(ALLOWED_TENANTS=f"{TENANT.upper()}, 12345678-0000-0000-0000-000000000000"), clock)
    await running.start()
    async with aiohttp.ClientSession() as http:
        yield TeamsClient(http, running.url, connector), running
    await running.stop()


async def test_allowed_tenant_works(tenant_teams, members):
    teams, _ = tenant_teams
    res = await teams.send(teams.personal(members[0]), members[0], "hjelp")
    assert "Dette kan jeg" in str(res.card)


async def test_other_tenant_message_gets_polite_refusal_and_nothing_stored(tenant_teams, caplog):
    teams, running = tenant_teams
    stranger = make_user("Ola Fremmed", tenant=OTHER)
    conv = teams.personal(stranger)
    with caplog.at_level(logging.INFO):
        res = await teams.send(conv, stranger, f"registrer {SECRET_TEXT}")
    assert res.status in (200, 201)
    assert res.texts == ["Beklager, denne boten er ikke åpnet for din organisasjon."]
    assert await running.services.conversations.get(conv.id) is None
    assert await running.services.people.get(stranger.aad) is None
    assert any("tenant that is not allowed" in r.getMessage() for r in caplog.records)
    logged = " ".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert SECRET_TEXT not in logged and "Fremmed" not in logged


async def test_other_tenant_invoke_gets_message_response(tenant_teams, leader):
    teams, running = tenant_teams
    stranger = make_user("Ola Fremmed", tenant=OTHER)
    conv = teams.group("Fremmed chat", [stranger])
    card = {"type": "AdaptiveCard", "actions": [{"type": "Action.Execute", "title": "Lagre", "verb": "faggruppe.register",
                                                 "data": {"faggruppe": "Oppvekst"}}]}
    res = await teams.press(conv, stranger, card, "Lagre", locale="en-US")
    assert res.status == 200
    assert res.invoke_message == "Sorry, this bot is not available to your organisation."
    assert res.sent == []
    assert await running.services.conversations.get(conv.id) is None


async def test_other_tenant_install_and_unmentioned_group_message_are_silent(tenant_teams):
    teams, running = tenant_teams
    stranger = make_user("Ola Fremmed", tenant=OTHER)
    conv = teams.group("Fremmed chat", [stranger])
    res = await teams.install(conv, stranger)
    assert res.status in (200, 201) and res.sent == []
    quiet = await teams.send(conv, stranger, "hei alle sammen", mention=False)
    assert quiet.sent == []
    loud = await teams.send(conv, stranger, "hjelp")
    assert loud.texts == ["Beklager, denne boten er ikke åpnet for din organisasjon."]
    assert await running.services.conversations.get(conv.id) is None


async def test_spoofed_or_missing_tenant_is_refused(tenant_teams, members):
    """Every tenant id in the activity must be allowed; an activity naming none is refused."""
    teams, running = tenant_teams
    user = members[0]
    conv = teams.personal(user)
    mixed = teams.activity(conv, user, text="hjelp")
    mixed["channelData"]["tenant"]["id"] = OTHER
    res = await teams.post(mixed)
    assert res.texts == ["Beklager, denne boten er ikke åpnet for din organisasjon."]
    none = teams.activity(conv, user, text="hjelp")
    none["conversation"].pop("tenantId")
    none["channelData"] = {}
    res = await teams.post(none)
    assert res.texts == ["Beklager, denne boten er ikke åpnet for din organisasjon."]
    assert await running.services.conversations.get(conv.id) is None
