"""Inbound Bot Framework JWT validation and outbound bot tokens, against a local OpenID/JWKS/token server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings
from tests.fakes.connector import FakeConnector
from tests.fakes.identity import FakeIdentity, new_key
from tests.harness import RunningBot, TeamsClient, User

APP_ID = "0b8f1e9a-6c0e-4a57-9f4d-2f1a3c5d7e90"
PASSWORD = "s3cret-app-password-do-not-log"


@pytest.fixture
def identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeIdentity:
    ident = FakeIdentity(tmp_path)
    ident.start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ident.ca_file))
    yield ident
    ident.stop()


@pytest.fixture
async def auth_teams(identity: FakeIdentity, make_settings: Callable[..., Settings], connector: FakeConnector,
                     clock) -> AsyncIterator[tuple[TeamsClient, RunningBot]]:
    running = RunningBot(make_settings(**identity.env(APP_ID, PASSWORD)), clock)
    await running.start()
    async with aiohttp.ClientSession() as http:
        yield TeamsClient(http, running.url, connector), running
    await running.stop()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _nothing_processed(teams: TeamsClient, running: RunningBot, conv_id: str, res) -> None:
    assert res.status == 401, (res.status, res.body)
    assert teams.connector.records == []
    assert await running.services.conversations.get(conv_id) is None


async def test_valid_token_passes_and_reply_carries_bot_token(auth_teams, identity: FakeIdentity, members: list[User]):
    teams, running = auth_teams
    user = members[0]
    conv = teams.personal(user)
    act = teams.activity(conv, user, text="hjelp")
    res = await teams.post(act, bearer(identity.token(APP_ID, teams.connector.url)))
    assert res.status in (200, 201)
    assert "Dette kan jeg" in str(res.card)
    assert await running.services.conversations.get(conv.id) is not None
    # the reply went out with a bearer token from the (fake) login endpoint, for the configured scope
    auth = teams.connector.records[-1].headers.get("Authorization", "")
    assert auth.startswith("Bearer bot-token-") and auth.removeprefix("Bearer ") in identity.issued
    assert identity.token_requests and identity.token_requests[0]["client_id"] == [APP_ID]
    assert identity.token_requests[0]["scope"] == ["https://api.botframework.test/.default"]


def _bad_tokens(identity: FakeIdentity, service_url: str) -> dict[str, str | None]:
    other = new_key()
    unendorsed = new_key(endorsements=["webchat"])
    identity.keys.append(unendorsed)
    return {
        "missing": None,
        "not bearer": "Basic " + identity.token(APP_ID, service_url),
        "garbage": "Bearer not.a.jwt",
        "expired": "Bearer " + identity.token(APP_ID, service_url, expires_in=-3600),
        "wrong audience": "Bearer " + identity.token(APP_ID, service_url, audience="9d2f0a63-0000-4000-8000-000000000000"),
        "wrong issuer": "Bearer " + identity.token(APP_ID, service_url, issuer="https://evil.example"),
        "emulator issuer": "Bearer " + identity.token(
            APP_ID, service_url, issuer="https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/", ver="1.0",
            appid=APP_ID),
        "other key same kid": "Bearer " + identity.token(APP_ID, service_url, key=other, kid=identity.keys[0].kid),
        "unknown kid": "Bearer " + identity.token(APP_ID, service_url, key=other),
        "alg none": "Bearer " + identity.token(APP_ID, service_url, alg="none"),
        "HS256 with public key": "Bearer " + _hs256(identity, service_url),
        "wrong serviceUrl": "Bearer " + identity.token(APP_ID, "https://evil.example/"),
        "no serviceUrl claim": "Bearer " + identity.token(APP_ID, None),
        "key not endorsed for msteams": "Bearer " + identity.token(APP_ID, service_url, key=unendorsed),
    }


def _hs256(identity: FakeIdentity, service_url: str) -> str:
    import time

    import jwt

    now = int(time.time())
    secret = "shared-secret-guess-0123456789abcdef"
    return jwt.encode({"iss": "https://api.botframework.test", "aud": APP_ID, "exp": now + 600, "nbf": now - 60,
                       "serviceurl": service_url}, secret, algorithm="HS256", headers={"kid": identity.keys[0].kid})


async def test_bad_tokens_get_401_and_nothing_is_processed(auth_teams, identity: FakeIdentity, members: list[User]):
    teams, running = auth_teams
    user = members[0]
    for name, header in _bad_tokens(identity, teams.connector.url).items():
        conv = teams.personal(user)
        conv = type(conv)(id=f"{conv.id}-{name.replace(' ', '-')}", kind="personal")
        for act in (teams.activity(conv, user, text="hjelp"),
                    teams.activity(conv, user, "invoke", name="adaptiveCard/action",
                                   value={"action": {"type": "Action.Execute", "verb": "faggruppe.register",
                                                     "data": {"faggruppe": "Oppvekst"}}}),
                    teams.activity(conv, user, "conversationUpdate", membersAdded=[{"id": "28:faggruppe-bot"}])):
            res = await teams.post(act, {"Authorization": header} if header else None)
            assert res.status == 401, (name, act["type"], res.status, res.body)
            await _nothing_processed(teams, running, conv.id, res)
    assert await running.services.people.get(user.id) is None


async def test_good_token_is_accepted_after_bad_ones(auth_teams, identity: FakeIdentity, members: list[User]):
    """A rejected token does not poison the key cache: valid traffic keeps working."""
    teams, _ = auth_teams
    user = members[1]
    conv = teams.personal(user)
    bad = await teams.post(teams.activity(conv, user, text="hjelp"), bearer(identity.token(APP_ID, None, key=new_key())))
    assert bad.status == 401
    good = await teams.post(teams.activity(conv, user, text="hjelp"), bearer(identity.token(APP_ID, teams.connector.url)))
    assert good.status in (200, 201) and good.cards


async def test_without_app_id_auth_is_off_and_healthz_says_so(teams: TeamsClient, members: list[User]):
    user = members[0]
    res = await teams.send(teams.personal(user), user, "hjelp")
    assert res.status in (200, 201)
    async with teams.http.get(f"{teams.bot_url}/healthz") as r:
        assert (await r.json())["auth"].startswith("off")


async def test_healthz_reports_jwt_when_app_id_set(auth_teams):
    teams, _ = auth_teams
    async with teams.http.get(f"{teams.bot_url}/healthz") as r:
        assert (await r.json())["auth"] == "jwt"


@pytest.mark.only_host("botbuilder")
def test_settings_are_mapped_to_botbuilder(identity: FakeIdentity, make_settings):
    """The BOT_* settings reach botbuilder's parameterized authentication (national clouds, tests)."""
    from bot.hosts.botbuilder.adapter import build_adapter

    def configured(adapter):
        # The fast path wraps botbuilder's ConfigurationBotFrameworkAuthentication; look at what it wraps.
        auth = adapter.bot_framework_authentication
        return getattr(auth, "inner", auth)._inner

    adapter = build_adapter(make_settings(**identity.env(APP_ID, PASSWORD)))
    inner = configured(adapter)
    assert type(inner).__name__ == "_ParameterizedBotFrameworkAuthentication"
    assert inner._to_bot_from_channel_open_id_metadata_url == identity.metadata_url
    assert inner._to_bot_from_channel_token_issuer == "https://api.botframework.test"
    assert inner._to_channel_from_bot_login_url == identity.login_url
    assert inner._to_channel_from_bot_oauth_scope == "https://api.botframework.test"
    public = build_adapter(make_settings(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD=PASSWORD))
    assert type(configured(public)).__name__ == "_PublicCloudBotFrameworkAuthentication"
    gov = build_adapter(make_settings(MICROSOFT_APP_ID=APP_ID, CHANNEL_SERVICE="https://botframework.azure.us"))
    assert type(configured(gov)).__name__ == "_GovernmentCloudBotFrameworkAuthentication"


def test_partial_endpoint_configuration_is_refused():
    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="BOT_TOKEN_ISSUER"):
        load_settings({"MICROSOFT_APP_ID": APP_ID, "BOT_OPENID_METADATA_URL": "https://127.0.0.1/x"})


async def test_proactive_delivery_carries_bot_token(auth_teams, identity: FakeIdentity, members: list[User]):
    from bot.delivery.outbox import NewDelivery

    teams, running = auth_teams
    user = members[2]
    conv = teams.personal(user)
    res = await teams.post(teams.activity(conv, user, text="hjelp"), bearer(identity.token(APP_ID, teams.connector.url)))
    assert res.status in (200, 201)
    await running.services.delivery.enqueue([NewDelivery(key="auth:proactive", conversation_id=conv.id,
                                                         payload={"activity": {"type": "message", "text": "Hei"}})])
    record = await teams.connector.wait_for(
        lambda: next((r for r in teams.connector.records if r.body and r.body.get("text") == "Hei"), None))
    assert record.headers.get("Authorization", "").removeprefix("Bearer ") in identity.issued
