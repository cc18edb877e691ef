"""GraphCalendar through the real GraphServiceClient and azure-identity credentials, against the fake Graph over HTTPS."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import trustme

from bot.calendar.factory import build_calendar
from bot.calendar.freebusy import suggest_slots
from bot.calendar.port import CalendarError, EventSpec
from bot.config import Settings
from tests.fakes.graph import MSI_HEADER, ORGANIZER, FakeGraph

OSLO = ZoneInfo("Europe/Oslo")
WEU = "W. Europe Standard Time"


@pytest.fixture
async def calendar_for(make_settings: Callable[..., Settings], fake_graph: FakeGraph) -> AsyncIterator[Callable[..., Any]]:
    built: list[Any] = []

    async def build(**env: str) -> Any:
        cal, status = await build_calendar(make_settings(**fake_graph.env(**env)))
        assert cal is not None, status
        built.append(cal)
        return cal

    yield build
    for cal in built:
        await cal.close()


def spec(**kw: Any) -> EventSpec:
    base: dict[str, Any] = dict(subject="Faggruppemøte Oppvekst – «æøå»", body_html="<p>Prosjekt <b>Skole</b></p>",
                                start=datetime(2009, 12, 1, 9, tzinfo=OSLO), end=datetime(2009, 12, 1, 10, 30, tzinfo=OSLO),
                                attendees=("kari@digitalehelgeland.no", "ola@bronnoy.kommune.no"), online_meeting=True,
                                location="Teams", categories=("Faggruppe",), transaction_id="fb-test-1")
    base.update(kw)
    return EventSpec(**base)


async def test_create_update_cancel_with_real_token_path(calendar_for, fake_graph: FakeGraph):
    cal = await calendar_for()
    ref = await cal.create_event(spec())
    assert ref.id in fake_graph.events and ref.join_url.startswith("https://teams.microsoft.com/") and ref.web_link
    sent = fake_graph.calls("POST", "/events")[0]
    assert sent.path == f"/v1.0/users/{ORGANIZER}/events"
    body = sent.body
    assert body["start"] == {"dateTime": "2009-12-01T09:00:00", "timeZone": WEU}
    assert body["end"] == {"dateTime": "2009-12-01T10:30:00", "timeZone": WEU}
    assert body["isOnlineMeeting"] is True and body["onlineMeetingProvider"] == "teamsForBusiness"
    assert body["transactionId"] == "fb-test-1" and body["categories"] == ["Faggruppe"]
    assert body["body"] == {"contentType": "html", "content": "<p>Prosjekt <b>Skole</b></p>"}
    assert [a["emailAddress"]["address"] for a in body["attendees"]] == ["kari@digitalehelgeland.no", "ola@bronnoy.kommune.no"]
    # The token came from azure-identity's ClientSecretCredential via the fake token endpoint.
    assert fake_graph.token_requests[0]["grant_type"] == "client_credentials"
    assert fake_graph.token_requests[0]["scope"] == "https://127.0.0.1/.default"
    assert sent.authorization.startswith("Bearer fake-token-")

    ref2 = await cal.update_event(ref.id, spec(subject="Flyttet møte", start=datetime(2009, 12, 2, 12, tzinfo=OSLO),
                                               end=datetime(2009, 12, 2, 13, tzinfo=OSLO)))
    assert ref2.id == ref.id and len(fake_graph.events) == 1
    assert fake_graph.events[ref.id]["subject"] == "Flyttet møte"
    assert "transactionId" not in fake_graph.calls("PATCH")[0].body

    await cal.cancel_event(ref.id, "Avlyst / cancelled")
    assert ref.id in fake_graph.cancelled and fake_graph.cancelled[ref.id]["_cancel_comment"] == "Avlyst / cancelled"
    await cal.cancel_event(ref.id)  # already gone: 404 counts as done

    plain = await cal.create_event(spec(attendees=(), online_meeting=False, transaction_id="fb-test-2"))
    await cal.cancel_event(plain.id)  # no attendees: Graph refuses cancel, the event is deleted instead
    assert plain.id in fake_graph.cancelled and fake_graph.calls("DELETE")


async def test_update_of_deleted_event_is_not_found(calendar_for):
    cal = await calendar_for()
    with pytest.raises(CalendarError) as err:
        await cal.update_event("AAMk-gone=", spec())
    assert err.value.kind == "not_found"


async def test_all_day_and_timed_events_across_dst(calendar_for, fake_graph: FakeGraph):
    cal = await calendar_for()
    spring = await cal.create_event(spec(start=date(2010, 3, 28), end=date(2010, 3, 28), transaction_id="d1", attendees=()))
    ev = fake_graph.events[spring.id]
    assert ev["isAllDay"] is True
    assert ev["start"] == {"dateTime": "2010-03-28T00:00:00", "timeZone": WEU}
    assert ev["end"] == {"dateTime": "2010-03-29T00:00:00", "timeZone": WEU}  # the 23-hour day, end exclusive
    autumn = await cal.create_event(spec(start=date(2009, 10, 25), end=date(2009, 10, 27), transaction_id="d2", attendees=()))
    assert fake_graph.events[autumn.id]["end"]["dateTime"] == "2009-10-27T00:00:00"

    timed = await cal.create_event(spec(start=datetime(2010, 3, 28, 9, tzinfo=OSLO), end=datetime(2010, 3, 28, 10, tzinfo=OSLO),
                                        transaction_id="t1"))
    sent = fake_graph.calls("POST", "/events")[-1].body
    assert sent["start"] == {"dateTime": "2010-03-28T09:00:00", "timeZone": WEU}
    # Graph answers in UTC: 09:00 CEST is 07:00Z on the first summer-time day.
    answer = fake_graph._answer(fake_graph.events[timed.id])
    assert answer["start"]["dateTime"].startswith("2010-03-28T07:00:00")

    # An instant given in UTC during the repeated autumn hour (02:30 CET, the second one) is sent as UTC.
    ambiguous = datetime(2009, 10, 25, 1, 30, tzinfo=UTC)
    await cal.create_event(spec(start=ambiguous, end=ambiguous + timedelta(hours=1), transaction_id="t2"))
    sent = fake_graph.calls("POST", "/events")[-1].body
    assert sent["start"] == {"dateTime": "2009-10-25T01:30:00", "timeZone": "UTC"}
    normal = datetime(2009, 10, 26, 8, tzinfo=UTC)
    await cal.create_event(spec(start=normal, end=normal + timedelta(hours=1), transaction_id="t3"))
    assert fake_graph.calls("POST", "/events")[-1].body["start"] == {"dateTime": "2009-10-26T09:00:00", "timeZone": WEU}


async def test_retry_after_429_creates_one_event(calendar_for, fake_graph: FakeGraph):
    cal = await calendar_for()
    fake_graph.fault(429, method="POST", path="/events", retry_after=1)
    ref = await cal.create_event(spec())
    posts = fake_graph.calls("POST", "/events")
    assert len(posts) == 2 and posts[1].headers.get("Retry-Attempt") == "1"
    assert {p.body["transactionId"] for p in posts} == {"fb-test-1"}
    assert list(fake_graph.events) == [ref.id]


async def test_dropped_connection_after_create_makes_no_duplicate(calendar_for, fake_graph: FakeGraph):
    cal = await calendar_for()
    fake_graph.fault(method="POST", path="/events", drop=True, after=True)
    ref = await cal.create_event(spec())
    assert len(fake_graph.calls("POST", "/events")) == 2
    assert list(fake_graph.events) == [ref.id]  # the retry carried the same transactionId


async def test_503_is_retried_then_succeeds(calendar_for, fake_graph: FakeGraph):
    cal = await calendar_for()
    fake_graph.fault(503, method="PATCH", retry_after=0)
    ref = await cal.create_event(spec())
    await cal.update_event(ref.id, spec(subject="Ny"))
    assert len(fake_graph.calls("PATCH")) == 2 and fake_graph.events[ref.id]["subject"] == "Ny"


async def test_persistent_unavailability_is_bounded(calendar_for, fake_graph: FakeGraph):
    cal = await calendar_for(GRAPH_MAX_RETRIES="1")
    fake_graph.fault(503, method="POST", times=None, retry_after=1)
    with pytest.raises(CalendarError) as err:
        await cal.create_event(spec())
    assert err.value.kind == "unavailable" and len(fake_graph.calls("POST", "/events")) == 2
    assert not fake_graph.events


async def test_retry_after_beyond_deadline_surfaces_at_once(calendar_for, fake_graph: FakeGraph):
    cal = await calendar_for()
    fake_graph.fault(429, method="POST", retry_after=120)
    with pytest.raises(CalendarError) as err:
        await cal.create_event(spec())
    assert err.value.kind == "unavailable" and err.value.retry_after == 120
    assert len(fake_graph.calls("POST", "/events")) == 1


async def test_slow_answer_hits_the_deadline(calendar_for, fake_graph: FakeGraph):
    cal = await calendar_for(GRAPH_DEADLINE_SECONDS="1")
    await cal.read_calendar()  # the token is fetched before the slow call
    fake_graph.fault(method="POST", path="/events", delay=2)
    with pytest.raises(CalendarError) as err:
        await cal.create_event(spec())
    assert err.value.kind == "unavailable" and "did not answer" in str(err.value)


async def test_permission_errors_say_what_is_missing(calendar_for, fake_graph: FakeGraph):
    cal = await calendar_for()
    fake_graph.permissions = set()
    with pytest.raises(CalendarError) as err:
        await cal.create_event(spec())
    assert err.value.kind == "permission" and err.value.permission == "Calendars.ReadWrite"
    assert "lacks permission Calendars.ReadWrite" in str(err.value) and "RBAC" in str(err.value)
    with pytest.raises(CalendarError) as err:
        await cal.get_schedule(["kari@digitalehelgeland.no"], datetime(2009, 12, 1, tzinfo=UTC),
                               datetime(2009, 12, 2, tzinfo=UTC))
    assert err.value.permission == "Calendars.ReadBasic"
    fake_graph.permissions = {"Calendars.ReadWrite"}
    fake_graph.fault(401, method="POST")
    with pytest.raises(CalendarError) as err:
        await cal.create_event(spec())
    assert err.value.kind == "permission" and "401" in str(err.value)


async def test_wrong_secret_is_a_token_error(calendar_for):
    cal = await calendar_for(GRAPH_CLIENT_SECRET="wrong")
    with pytest.raises(CalendarError) as err:
        await cal.create_event(spec())
    assert err.value.kind == "permission" and "token" in str(err.value)


async def test_unreachable_graph_is_unavailable(calendar_for, fake_graph: FakeGraph):
    cal = await calendar_for(GRAPH_BASE_URL="https://127.0.0.1:9/v1.0", GRAPH_DEADLINE_SECONDS="3")
    with pytest.raises(CalendarError) as err:
        await cal.create_event(spec())
    assert err.value.kind == "unavailable"
    no_tokens = await calendar_for(AZURE_AUTHORITY_HOST="https://127.0.0.1:9", GRAPH_DEADLINE_SECONDS="1")
    with pytest.raises(CalendarError) as err:
        await no_tokens.create_event(spec())
    assert err.value.kind == "unavailable", err.value


async def test_certificate_credential(calendar_for, fake_graph: FakeGraph, tmp_path):
    pem = tmp_path / "app.pem"
    cert = trustme.CA().issue_cert("faggruppe-bot-graph", key_type=trustme.KeyType.RSA)  # Entra wants RS256: an RSA key
    cert.private_key_and_cert_chain_pem.write_to_path(str(pem))
    cal = await calendar_for(GRAPH_CLIENT_SECRET="", GRAPH_CLIENT_CERTIFICATE_PATH=str(pem))
    await cal.create_event(spec())
    assert fake_graph.token_requests[-1]["client_assertion_type"].endswith("jwt-bearer")


async def test_managed_identity(make_settings, fake_graph: FakeGraph, monkeypatch):
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{fake_graph.url}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", MSI_HEADER)
    cal, status = await build_calendar(make_settings(GRAPH_AUTH="managed-identity", GRAPH_ORGANIZER=ORGANIZER,
                                                     GRAPH_BASE_URL=fake_graph.base_url))
    assert cal is not None and "managed identity" in status
    try:
        await cal.create_event(spec())
    finally:
        await cal.close()
    assert fake_graph.token_requests[-1] == {"grant_type": "managed_identity", "resource": "https://127.0.0.1"}


async def test_free_busy_merge_and_external_people(calendar_for, fake_graph: FakeGraph):
    cal = await calendar_for()
    kari, per, ext = "kari@digitalehelgeland.no", "per@digitalehelgeland.no", "ola@gmail.com"
    day = datetime(2009, 12, 1, tzinfo=OSLO)
    fake_graph.set_busy(kari, day.replace(hour=8), day.replace(hour=12))
    fake_graph.set_busy(per, day.replace(hour=12), day.replace(hour=15), status="oof")
    fake_graph.set_busy(per, day.replace(hour=15), day.replace(hour=16), status="free")
    schedule = await cal.get_schedule([kari, per, ext], day, day + timedelta(days=1))
    assert schedule.excluded == (ext,)
    assert schedule.busy[kari][0].start == datetime(2009, 12, 1, 7, tzinfo=UTC)
    assert len(schedule.busy[per]) == 1  # "free" items are not busy
    slots = suggest_slots(schedule.busy, day, day + timedelta(days=1), timedelta(hours=1), OSLO)
    assert slots[0].everyone_free and slots[0].start == day.replace(hour=15)


async def test_graph_off_and_status(make_settings):
    cal, status = await build_calendar(make_settings())
    assert cal is None and status.startswith("off: not configured")
    cal, status = await build_calendar(make_settings(GRAPH_ORGANIZER="x@y.no", GRAPH_AUTH="certificate",
                                                     GRAPH_TENANT_ID="11111111-2222-3333-4444-555555555555",
                                                     GRAPH_CLIENT_ID="aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
                                                     GRAPH_CLIENT_CERTIFICATE_PATH="/nonexistent.pem"))
    assert cal is None and status.startswith("off: configuration error")


async def test_fake_validates_like_graph(fake_graph: FakeGraph):
    fake_graph.tokens.add("t")
    url = f"{fake_graph.base_url}/users/{ORGANIZER}/events"
    headers = {"Authorization": "Bearer t"}
    good = {"subject": "x", "start": {"dateTime": "2009-12-01T09:00:00", "timeZone": WEU},
            "end": {"dateTime": "2009-12-01T10:00:00", "timeZone": WEU}}
    async with aiohttp.ClientSession() as http:
        async def post(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            async with http.post(url, json=body, headers=headers) as r:
                return r.status, await r.json()

        assert (await post(good))[0] == 201
        status, err = await post({**good, "start": {"dateTime": "2009-12-01T09:00:00", "timeZone": "Europe/Oslo"}})
        assert status == 400 and "TimeZone" in err["error"]["message"]
        status, _ = await post({**good, "start": {"dateTime": "2009-12-01 09:00", "timeZone": WEU}})
        assert status == 400
        status, err = await post({**good, "isAllDay": True})
        assert status == 400 and "midnight" in err["error"]["message"]
        status, _ = await post({"subject": "no times"})
        assert status == 400
        async with http.post(url, json=good) as r:
            assert r.status == 401
