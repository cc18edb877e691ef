"""The tab's broadcasts over HTTP with Entra ID tokens: preview of the exact member card, draft, schedule and cancel,
send now, the delivery report per chat and its export; members refused."""

from __future__ import annotations

import asyncio

from tests.dates import iso
from tests.fakes.connector import FakeConnector, card_of
from tests.fakes.identity import FakeIdentity
from tests.harness import User
from tests.test_tab_api import auth, get, identity, tab

__all__ = ["identity", "tab"]
FORM = {"title": "Frist for behov", "message": "Husk å levere **behovene** innen fredag.", "mode": "all",
        "link": "https://example.no/frister", "ack": "true", "image": "https://example.no/frist.png"}


async def post(http, url: str, headers: dict[str, str], body: dict | None = None) -> tuple[int, dict]:
    async with http.post(url, json=body, headers=headers) as resp:
        return resp.status, await resp.json()


async def test_compose_preview_schedule_cancel_send_and_report(tab, identity: FakeIdentity, leader: User,
                                                               members: list[User], connector: FakeConnector, clock):
    running, http = tab
    base = f"{running.url}/api/tab/broadcasts"
    lead = auth(identity, leader)
    status, _ = await get(http, base, auth(identity, members[0]))
    assert status == 403
    status, _ = await post(http, f"{base}/preview", auth(identity, members[0]), FORM)
    assert status == 403
    status, body = await post(http, f"{base}/preview", lead, {**FORM, "title": "", "link": "http://usikker",
                                                              "image": "javascript:alert(1)"})
    assert status == 422 and set(body["fields"]) == {"title", "link", "image"}
    status, body = await post(http, f"{base}/preview", lead, FORM)
    assert status == 200 and body["chats"] == 1 and body["groups"] == 1
    texts = str(body["card"])
    assert FORM["title"] in texts and "https://example.no/frister" in texts and "broadcast.ack" in texts
    assert {"type": "Image", "url": FORM["image"], "altText": FORM["title"], "size": "Stretch"} in body["card"]["body"]
    # scheduled: saved as a draft, then scheduled for later (a job), then cancelled
    status, saved = await post(http, base, lead, {**FORM, "send_date": iso(clock, 3), "send_time": "10:00"})
    assert status == 200
    status, sent = await post(http, f"{base}/{saved['id']}/send", lead)
    assert status == 200 and sent["result"] == "scheduled"
    assert running.services.scheduler.job_ids(f"broadcast:{saved['id']}")
    status, rep = await get(http, f"{base}/{saved['id']}", lead)
    assert rep["state"] == "scheduled"
    status, body = await post(http, f"{base}/{saved['id']}/cancel", lead)
    assert status == 200 and not running.services.scheduler.job_ids(f"broadcast:{saved['id']}")
    status, body = await post(http, f"{base}/{saved['id']}/send", lead)
    assert status == 409 and body["message"]
    # now: the card reaches the faggruppe chat, and the report says so
    status, saved = await post(http, base, lead, FORM)
    status, sent = await post(http, f"{base}/{saved['id']}/send", lead)
    assert status == 200 and sent["result"] == "started"
    delivered = await connector.wait_for(lambda: [a for a in connector.sent() if "broadcast.ack" in str(card_of(a))])
    assert card_of(delivered[0])["body"] == saved["card"]["body"]  # the previewed card is the one members get
    for _ in range(50):
        status, rep = await get(http, f"{base}/{saved['id']}", lead)
        if rep["state"] == "done":
            break
        await asyncio.sleep(0.1)
    assert rep["state"] == "done" and rep["totals"]["sent"] == 1 and rep["lines"][0]["faggruppe"] == "Oppvekst"
    async with http.get(f"{base}/{saved['id']}/export", headers=lead) as resp:
        assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/csv")
        text = (await resp.read()).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("Oppvekst;1;0;0;0")
    status, listing = await get(http, base, lead)
    assert [i["state"] for i in listing["items"]][:2] == ["done", "cancelled"]
