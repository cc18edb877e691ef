"""The fast activity path: cached connector clients through botbuilder's extension points, same auth, same answers."""

from __future__ import annotations

import aiohttp
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from bot.config import load_settings
from bot.hosts.botbuilder.adapter import auth_configuration
from bot.hosts.botbuilder.fastpath import CachingBotFrameworkAuthentication, LazyUserTokenClient
from tests.harness import RunningBot, TeamsClient


def _auth(**env: str) -> CachingBotFrameworkAuthentication:
    settings = load_settings({"DATABASE_URL": "sqlite+aiosqlite:///:memory:", **env})
    return CachingBotFrameworkAuthentication(ConfigurationBotFrameworkAuthentication(auth_configuration(settings)))


def _activity(service_url: str) -> Activity:
    return Activity().deserialize({"type": "message", "serviceUrl": service_url, "channelId": "msteams",
                                   "conversation": {"id": "a:1"}, "from": {"id": "29:u"}, "recipient": {"id": "28:b"}})


async def test_same_service_url_gives_same_client_other_url_another():
    auth = _auth()
    first = await auth.authenticate_request(_activity("http://127.0.0.1:1/"), "")
    second = await auth.authenticate_request(_activity("http://127.0.0.1:1/"), "")
    a = await first.connector_factory.create("http://127.0.0.1:1/", first.audience)
    b = await second.connector_factory.create("http://127.0.0.1:1/", second.audience)
    c = await second.connector_factory.create("http://127.0.0.1:2/", second.audience)
    assert a is b
    assert c is not a
    assert a.config.base_url == "http://127.0.0.1:1/" and c.config.base_url == "http://127.0.0.1:2/"
    proactive = auth.create_connector_factory(first.claims_identity)
    assert await proactive.create("http://127.0.0.1:1/", first.audience) is a
    assert auth.cache.created == 2
    await auth.close()
    assert len(auth.cache) == 0


async def test_different_audience_gives_different_client():
    auth = _auth()
    result = await auth.authenticate_request(_activity("http://127.0.0.1:1/"), "")
    a = await result.connector_factory.create("http://127.0.0.1:1/", "https://api.botframework.com")
    b = await result.connector_factory.create("http://127.0.0.1:1/", "https://other.example")
    assert a is not b
    await auth.close()


async def test_cache_is_bounded():
    auth = _auth()
    auth.cache.limit = 3
    result = await auth.authenticate_request(_activity("http://127.0.0.1:1/"), "")
    for port in range(1, 6):
        await result.connector_factory.create(f"http://127.0.0.1:{port}/", None)
    assert len(auth.cache) == 3
    await auth.close()


async def test_user_token_client_is_created_only_when_used():
    auth = _auth()
    result = await auth.authenticate_request(_activity("http://127.0.0.1:1/"), "")
    client = await auth.create_user_token_client(result.claims_identity)
    assert isinstance(client, LazyUserTokenClient)
    assert client._inner is None


async def test_missing_token_still_refused_when_app_id_is_set():
    auth = _auth(MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000001", MICROSOFT_APP_PASSWORD="x")
    try:
        await auth.authenticate_request(_activity("http://127.0.0.1:1/"), "")
    except PermissionError:
        return
    raise AssertionError("an activity without a token was accepted")


async def test_unauthenticated_http_request_gets_401_when_app_id_is_set(make_settings, connector, members):
    running = RunningBot(make_settings(MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000001", MICROSOFT_APP_PASSWORD="x"))
    await running.start()
    try:
        async with aiohttp.ClientSession() as http:
            teams = TeamsClient(http, running.url, connector)
            result = await teams.send(teams.personal(members[0]), members[0], "hjelp")
        assert result.status == 401
        assert connector.sent() == []
    finally:
        await running.stop()


async def test_bot_answers_over_http_reusing_one_client(teams: TeamsClient, bot, members, connector):
    for user in members[:3]:
        for _ in range(2):
            result = await teams.send(teams.personal(user), user, "hjelp")
            assert result.status in (200, 201)
            assert result.cards, "no help card"
    auth = bot.services.messenger.adapter.bot_framework_authentication
    assert isinstance(auth, CachingBotFrameworkAuthentication)
    assert auth.cache.created == 1


def test_card_passthrough_serializer_matches_msrest():
    from botbuilder.schema import Attachment
    from botframework.connector import models
    from msrest import Serializer

    from bot.hosts.botbuilder.fastpath import CardPassthroughSerializer
    from cards.core import help_card

    card = help_card(lambda k, **p: f"Tekst {k} æøå ÆØÅ", [("hjelp", "hjelp", "Vis hjelp", False),
                                                                       ("registrer", "registrer", "Registrer", True)],
                     is_leader=True)
    activity = Activity(type="message", text="hei", reply_to_id="x1",
                        attachments=[Attachment(content_type="application/vnd.microsoft.card.adaptive", content=card)],
                        entities=[{"type": "mention", "text": "<at>Åse</at>", "mentioned": {"id": "29:a", "name": "Åse"}}])
    deps = {k: v for k, v in models.__dict__.items() if isinstance(v, type)}
    assert CardPassthroughSerializer(deps).body(activity, "Activity") == Serializer(deps).body(activity, "Activity")
    as_dict = Activity(type="message", attachments=[{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}])
    assert CardPassthroughSerializer(deps).body(as_dict, "Activity") == Serializer(deps).body(as_dict, "Activity")
    plain = Activity(type="message", text="bare tekst")
    assert CardPassthroughSerializer(deps).body(plain, "Activity") == Serializer(deps).body(plain, "Activity")
    assert activity.attachments[0].content is card
