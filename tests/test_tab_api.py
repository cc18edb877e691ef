"""The leaders' tab JSON API over HTTP, signed in with Entra ID tokens from a fake identity authority over TLS."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import openpyxl
import pytest

from bot.config import Settings
from bot.needs.service import needs_repo
from bot.ops.package import render
from bot.tab.auth import dev_mode
from tests.fakes import tls
from tests.fakes.connector import FakeConnector
from tests.fakes.identity import FakeIdentity, new_key
from tests.harness import TENANT, RunningBot, TeamsClient, User
from tests.needs_support import BENEFIT_OK, NEED_OK, create_project, faggruppe_chat, submit

APP_ID = "0b8f1e9a-6c0e-4a57-9f4d-2f1a3c5d7e90"
APP_ID_URI = f"api://tab.example.test/{APP_ID}"
OTHER_TENANT = "99999999-8888-7777-6666-555555555555"


@pytest.fixture
def identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeIdentity:
    ident = FakeIdentity(tmp_path)
    ident.ca = tls.CA  # the test CA every client in this process trusts (tests/fakes/tls.py)
    ident.start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls.CA_BUNDLE))
    yield ident
    ident.stop()


@pytest.fixture
async def tab(identity: FakeIdentity, make_settings: Callable[..., Settings], connector: FakeConnector, clock,
              leader: User, members: list[User]) -> AsyncIterator[tuple[RunningBot, aiohttp.ClientSession]]:
    chat = RunningBot(make_settings(), clock)  # the data comes from chat (a local bot on the same database)
    await chat.start()
    async with aiohttp.ClientSession() as http:
        await seed(TeamsClient(http, chat.url, connector), leader, members)
    await chat.stop()
    env = {**identity.env(APP_ID, "s3cret-app-password-do-not-log"), "AZURE_AUTHORITY_HOST": identity.base,
           "ALLOWED_TENANTS": TENANT, "TAB_APP_ID_URI": APP_ID_URI}
    running = RunningBot(make_settings(**env), clock)
    await running.start()
    async with aiohttp.ClientSession() as http:
        yield running, http
    await running.stop()


def auth(identity: FakeIdentity, user: User, **kw: Any) -> dict[str, str]:
    token = identity.entra_token(kw.pop("audience", APP_ID_URI), kw.pop("tenant", user.tenant), user.aad,
                                 name=user.name, **kw)
    return {"Authorization": f"Bearer {token}"}


async def get(http: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> tuple[int, Any]:
    async with http.get(url, headers=headers) as resp:
        return resp.status, (await resp.json() if resp.content_type == "application/json" else await resp.read())


async def seed(teams: TeamsClient, leader: User, members: list[User]) -> None:
    """A project with a need from one member and a benefit from another, entered in chat."""
    await create_project(teams, leader, "Søknadsportal", ["Oppvekst"])
    conv = await faggruppe_chat(teams, leader, members, "Oppvekst")
    assert (await submit(teams, conv, members[0], "need", NEED_OK)).status == 200
    assert (await submit(teams, conv, members[1], "benefit", BENEFIT_OK)).status == 200


async def test_token_checks(tab, identity: FakeIdentity, leader: User):
    running, http = tab
    url = f"{running.url}/api/tab/me"
    status, me = await get(http, url, auth(identity, leader))
    assert status == 200 and me["role"] == "leader" and me["is_leader"] and me["name"] == leader.name
    stranger = new_key()
    bad = {
        "no token": {},
        "expired": auth(identity, leader, expires_in=-3600),
        "wrong audience": auth(identity, leader, audience="api://evil.example/" + APP_ID),
        "wrong tenant": auth(identity, leader, tenant=OTHER_TENANT),
        "wrong issuer": auth(identity, leader, issuer="https://evil.example/" + TENANT + "/v2.0"),
        "unknown key": auth(identity, leader, key=stranger),
        "cookie instead of header": {"Cookie": "token=" + auth(identity, leader)["Authorization"][7:]},
    }
    for name, headers in bad.items():
        status, body = await get(http, url, headers)
        assert status == 401, name
        assert body["error"] == "unauthorized", name
    # The v2 token's audience may also be the app id itself.
    status, _ = await get(http, url, auth(identity, leader, audience=APP_ID))
    assert status == 200


async def test_member_versus_leader(tab, identity: FakeIdentity, leader: User, members: list[User]):
    running, http = tab
    base = f"{running.url}/api/tab/register"
    status, page = await get(http, base, auth(identity, leader))
    assert status == 200 and page["total"] == 2 and page["sees_all"] and page["can_export"]
    assert {i["title"] for i in page["items"]} == {NEED_OK["title"], BENEFIT_OK["title"]}
    assert page["charts"]["by_kind"] == {"Behov": 1, "Gevinst": 1}
    status, mine = await get(http, base, auth(identity, members[0]))
    assert status == 200 and [i["title"] for i in mine["items"]] == [NEED_OK["title"]] and not mine["sees_all"]
    other = next(i for i in page["items"] if i["kind"] == "benefit")
    status, body = await get(http, f"{base}/{other['id']}", auth(identity, members[0]))
    assert status == 403 and body["error"] == "forbidden"
    project = page["options"]["projects"][0][0]
    status, _ = await get(http, f"{base}/export?project={project}", auth(identity, members[0]))
    assert status == 403
    async with http.patch(f"{base}/{other['id']}", json={"title": "Kapret"}, headers=auth(identity, members[0])) as resp:
        assert resp.status == 403
    status, _ = await get(http, f"{base}/abc", auth(identity, leader))
    assert status == 400
    status, _ = await get(http, f"{base}/999999", auth(identity, leader))
    assert status == 404


async def test_filters_sort_and_pages(tab, identity: FakeIdentity, leader: User, members: list[User]):
    running, http = tab
    base = f"{running.url}/api/tab/register"
    headers = auth(identity, leader)
    checks = {"kind=benefit": [BENEFIT_OK["title"]], "municipality=Vefsn": [NEED_OK["title"]],
              "q=saksbehandling": [BENEFIT_OK["title"]], "status=planlagt": [BENEFIT_OK["title"]],
              "faggruppe=Ukjent": [], "sort=title&desc=0": sorted([NEED_OK["title"], BENEFIT_OK["title"]]),
              "size=1&page=2&sort=title&desc=0": [sorted([NEED_OK["title"], BENEFIT_OK["title"]])[1]]}
    for query, titles in checks.items():
        status, page = await get(http, f"{base}?{query}", headers)
        assert status == 200 and [i["title"] for i in page["items"]] == titles, query
    status, page = await get(http, f"{base}?size=1&page=99", headers)
    assert page["page"] == 2 and page["pages"] == 2


async def test_edit_with_validation_error_then_fix(tab, identity: FakeIdentity, leader: User, members: list[User]):
    running, http = tab
    base = f"{running.url}/api/tab/register"
    repo = needs_repo(running.services)
    [benefit] = await repo.by_submitter(members[1].aad)
    url = f"{base}/{benefit.id}"
    status, form = await get(http, url, auth(identity, leader))
    assert status == 200 and form["can_edit"] and form["values"]["estimate_nok"] == "250000"
    assert {f["name"] for f in form["fields"]} >= {"title", "benefit_type", "estimate_nok", "project_id", "faggruppe"}
    async with http.patch(url, json={"estimate_nok": "mange", "title": ""}, headers=auth(identity, leader)) as resp:
        assert resp.status == 422
        errors = (await resp.json())["fields"]
    assert set(errors) == {"estimate_nok", "title"} and all(errors.values())
    async with http.patch(url, json={"estimate_nok": "300 000", "status": "realisert"}, headers=auth(identity, leader)) as resp:
        assert resp.status == 200, await resp.text()
        assert sorted((await resp.json())["changed"]) == ["estimate_nok", "status"]
    assert (await repo.get(benefit.id)).content.estimate_nok == 300000
    [record] = [a for a in await running.services.audit.recent() if a.action == "needs.edit_other"]
    assert record.actor_id == leader.aad and record.target == str(benefit.id)
    async with http.post(f"{url}/withdraw", headers=auth(identity, members[1])) as resp:
        assert resp.status == 200
    assert (await repo.get(benefit.id)).status == "withdrawn"


async def test_export_is_an_authenticated_download(tab, identity: FakeIdentity, leader: User, members: list[User]):
    running, http = tab
    _, page = await get(http, f"{running.url}/api/tab/register", auth(identity, leader))
    project = page["options"]["projects"][0][0]
    async with http.get(f"{running.url}/api/tab/register/export?project={project}&format=xlsx",
                        headers=auth(identity, leader)) as resp:
        assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
        assert resp.headers["Content-Disposition"].startswith("attachment;")
        book = openpyxl.load_workbook(io.BytesIO(await resp.read()))
    assert book.worksheets
    async with http.get(f"{running.url}/api/tab/register/export?project={project}&format=csv") as resp:
        assert resp.status == 401  # no link works without the token


async def test_pages_are_framed_only_by_teams_and_never_sign_in_without_token(tab, identity: FakeIdentity):
    running, http = tab
    async with http.get(f"{running.url}/tab/register?lang=en-US&theme=dark") as resp:
        assert resp.status == 200
        html = await resp.text()
        csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors" in csp and "https://teams.microsoft.com" in csp and "script-src 'self'" in csp
    assert 'lang="en"' in html and 'data-theme="dark"' in html and "Utviklingsmodus" not in html
    assert 'data-dev="0"' in html
    async with http.get(f"{running.url}/tab/static/vendor/teams-js/MicrosoftTeams.min.js") as resp:
        assert resp.status == 200 and "frame-ancestors" in resp.headers["Content-Security-Policy"]


def test_development_mode_needs_no_app_id_and_loopback(make_settings: Callable[..., Settings]):
    assert dev_mode(make_settings())
    assert not dev_mode(make_settings(HOST="0.0.0.0", BOT_ALLOW_UNAUTHENTICATED="true"))
    assert not dev_mode(make_settings(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="x" * 20))


async def test_development_mode_answers_loopback_only(bot, leader: User):
    async with aiohttp.ClientSession() as http:
        status, me = await get(http, f"{bot.url}/api/tab/me", {})
        assert status == 200 and me["role"] == "leader"  # TAB_DEV_USER defaults to the first BOT_LEADERS entry
        status, _ = await get(http, f"{bot.url}/api/tab/me", {"X-Forwarded-For": "203.0.113.9"})
        assert status == 401
        async with http.get(f"{bot.url}/tab/register") as resp:
            assert "Utviklingsmodus" in await resp.text()


def test_manifest_has_the_tabs_and_sso(make_settings: Callable[..., Settings]):
    settings = make_settings(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="x" * 20,
                             PUBLIC_BASE_URL="https://bot.example.no")
    manifest = json.loads(render(settings)["manifest.json"])
    assert [t["contentUrl"] for t in manifest["staticTabs"]] == [
        "https://bot.example.no/tab/register?lang={locale}&theme={theme}",
        "https://bot.example.no/tab/portfolio?lang={locale}&theme={theme}"]
    assert manifest["configurableTabs"][0]["configurationUrl"].startswith("https://bot.example.no/tab/configure?")
    assert manifest["webApplicationInfo"] == {"id": APP_ID, "resource": f"api://bot.example.no/{APP_ID}"}
    assert manifest["validDomains"] == ["bot.example.no"]
    assert settings.tab_app_id_uri == f"api://bot.example.no/{APP_ID}"
