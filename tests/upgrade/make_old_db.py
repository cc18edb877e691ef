"""Build a database as an OLD release leaves it: pending jobs of every kind, stored by that release's own code.

Run with PYTHONPATH pointing at the extracted old release (tests/fixtures/release-*.tar.gz) and nothing of this
checkout: `python make_old_db.py --db X.db --connector URL --lead 8 --manifest out.json`. The rows are made through
the release's repositories and the jobs through the helpers its handlers call; the times are real (APScheduler runs
on the real clock), `--lead` seconds ahead. The manifest says what was stored and what each job should do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot.bookings import BookingService
from bot.domain.broadcasts import Draft, State, TargetMode, Targets
from bot.domain.calendar import CalendarError
from bot.domain.clock import SystemClock
from bot.domain.polls import PollDraft
from bot.needs_service import start_campaign
from bot.scheduling.broadcast_jobs import job_id as broadcast_job_id
from bot.scheduling.gate_jobs import schedule_gate
from bot.storage.broadcasts import BroadcastRepo
from bot.storage.gates import GateRepo
from bot.storage.polls import PollRepo
from bot.teams.handlers import build_router
from bot.teams.handlers.gates import _book
from bot.teams.poll_ops import ops
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bot.config import load_settings
from bot.scheduling import runtime
from bot.scheduling.scheduler import RUN_ONCE, Scheduler
from bot.services import build_services
from bot.storage.db import Database

TENANT = "11111111-2222-3333-4444-555555555555"
BOT = {"id": "28:faggruppe-bot", "name": "Faggruppe-bot"}
FAGGRUPPER = ["Oppvekst", "Ungdom"]
MARK = {"gate_reminder": "Oppgradering Påminnelse", "gate_overdue": "Oppgradering Forfalt",
        "campaign": "Oppgradering Innspill", "poll_reminder": "Oppgraderingsmøte A", "poll_close": "Oppgraderingsmøte B",
        "broadcast": "Oppgradering Kunngjøring"}

EFFECTS = {
    "gate_reminder": "the gate reminder card (project gate_reminder) once in each faggruppe chat",
    "gate_overdue": "at start (already due): the overdue card (project gate_overdue) once in the leader's personal chat",
    "poll_reminder": "poll A's card updated; one message @mentioning the members who have not answered",
    "poll_close": "poll B's card updated, its best slot booked in Graph once, the result message once in the poll chat",
    "broadcast": "the broadcast card once in each faggruppe chat, its report card once in the leader's personal chat",
    "campaign_reminder": "one message per faggruppe chat @mentioning the members (not the leader) who sent nothing",
    "campaign_report": "the campaign report card once in the leader's personal chat",
    "booking_retry": "gate_reminder's pending calendar booking created in Graph once",
    "kept": "later jobs (poll A's close, gate_reminder's overdue, privacy:retention) stay, due as before",
}


class Unavailable:
    """A calendar that is down (Graph unreachable): a booking stays pending and its retry job is stored."""

    async def create_event(self, spec: Any) -> Any:
        raise CalendarError("unavailable", "graph down while the old release ran")

    update_event = cancel_event = get_schedule = create_event


def person(name: str, n: int) -> dict[str, str]:
    """A Teams member as the connector lists it."""
    aad = str(uuid.uuid4())
    upn = f"{name.split()[0].lower()}{n}@kommune.no"
    return {"id": f"29:upgrade-{n}-{aad[:8]}", "name": name, "aadObjectId": aad, "userPrincipalName": upn, "email": upn,
            "tenantId": TENANT}


def reference(cid: str, kind: str, url: str, user: dict[str, str], name: str = "") -> dict[str, Any]:
    """The conversation reference the bot stores when it first sees a chat."""
    ref = ConversationReference(
        channel_id="msteams", service_url=url, bot=ChannelAccount(**BOT),
        user=ChannelAccount(id=user["id"], name=user["name"], aad_object_id=user["aadObjectId"]),
        conversation=ConversationAccount(id=cid, conversation_type=kind, tenant_id=TENANT, is_group=kind != "personal",
                                         name=name or None))
    return ref.serialize()


async def register(s: Any, cid: str, kind: str, url: str, user: dict[str, str], *, name: str = "",
                   faggruppe: str | None = None) -> None:
    """A chat the bot was installed in (and, for a faggruppe chat, registered to it)."""
    await s.conversations.touch(conversation_id=cid, kind=kind, tenant_id=TENANT, team_id="", service_url=url,
                                reference=reference(cid, kind, url, user, name), name=name, installed=True,
                                person_id=user["aadObjectId"] if kind == "personal" else None)
    await s.conversations.touch_member(cid, user["aadObjectId"])
    if faggruppe:
        await s.conversations.set_faggruppe(cid, faggruppe)


def whole(moment: datetime) -> datetime:
    return moment.replace(microsecond=0) + timedelta(seconds=1)


async def build(db_path: Path, url: str, lead: float, retry_seconds: int) -> dict[str, Any]:
    leader, *members = [person(n, i) for i, n in enumerate(("Lise Leder", "Åse Ærlig", "Ørjan Øverli", "Kari Nordmann"))]
    settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{db_path}", "BOT_LEADERS": leader["aadObjectId"],
                              "POLL_REMINDER_HOURS": "1", "JOB_RETRY_SECONDS": str(retry_seconds)})
    db = Database(settings.database_url)
    await db.migrate()
    s = build_services(settings, db, SystemClock())
    runtime.bind(s)
    sched = Scheduler(settings.database_url, settings.timezone, retry_seconds=settings.job_retry_seconds)
    # What Scheduler.start does, minus leadership: jobs go to the store, none runs in this process.
    await asyncio.to_thread(sched._create_table)
    sched._aps.start(paused=True)
    s.scheduler = sched
    s.calendar, s.calendar_status = Unavailable(), "ok"  # type: ignore[assignment]
    now = whole(datetime.now(UTC))
    at = {k: now + timedelta(seconds=lead + d) for k, d in
          (("gate_reminder", 0), ("poll_reminder", 1), ("poll_close", 2), ("broadcast", 3), ("campaign_reminder", 4),
           ("booking_retry", 5))}
    s.bookings = BookingService(s, retry_base=at["booking_retry"] - datetime.now(UTC))
    for p in (leader, *members):
        await s.people.upsert(person_id=p["aadObjectId"], name=p["name"], aad_object_id=p["aadObjectId"],
                              channel_user_id=p["id"], tenant_id=TENANT, upn=p["userPrincipalName"])
    await s.people.sync_config(settings.leaders)
    chats = {"personal": f"a:upgrade-personal-{leader['aadObjectId']}",
             **{k: f"19:upgrade-{k.lower()}-{uuid.uuid4().hex}@thread.v2" for k in ("Oppvekst", "Ungdom", "poll")}}
    await register(s, chats["personal"], "personal", url, leader)
    for f in FAGGRUPPER:
        await register(s, chats[f], "groupChat", url, leader, name=f"{f} chat", faggruppe=f)
    await register(s, chats["poll"], "groupChat", url, leader, name="Møtechat")
    tz, lid = settings.tz, leader["aadObjectId"]

    # Gate reminder: a deadline a few minutes ahead with a reminder `lead` seconds from now (offsets in seconds).
    p_rem = await s.projects.create(MARK["gate_reminder"], "", lid, FAGGRUPPER)
    due = (at["gate_reminder"] + timedelta(minutes=3)).astimezone(tz).replace(second=0)
    gate = await GateRepo(db).set_deadline(p_rem.id, 2, deadline=due.date(), deadline_time=time(due.hour, due.minute),
                                           faggrupper=tuple(FAGGRUPPER), documents=(),
                                           offsets=(due - at["gate_reminder"],), set_by=lid, set_in=chats["Oppvekst"])
    schedule_gate(s, gate)
    await _book(s, gate, p_rem)  # Graph is down: the booking is pending and its retry job stored
    # Gate overdue: a deadline two days ago; its notice (09:00 yesterday) is already due, within its grace.
    p_over = await s.projects.create(MARK["gate_overdue"], "", lid, ["Oppvekst"])
    past = (now - timedelta(days=2)).astimezone(tz).date()
    overdue = await GateRepo(db).set_deadline(p_over.id, 3, deadline=past, deadline_time=None, faggrupper=("Oppvekst",),
                                              documents=(), offsets=(), set_by=lid, set_in=chats["Oppvekst"])
    schedule_gate(s, overdue)

    # Polls: A reminds in `lead`+1 s (deadline an hour later), B closes in `lead`+2 s. Both cards posted, one vote each.
    polls = PollRepo(db)
    starts = tuple((now + timedelta(days=d)).astimezone(tz).replace(hour=10, minute=0, second=0) for d in (3, 4))
    poll_ids = {}
    for key, deadline, voter in (("poll_reminder", at["poll_reminder"] + timedelta(hours=1), leader),
                                 ("poll_close", at["poll_close"], members[0])):
        draft = PollDraft(title=MARK[key], agenda="Oppgraderingstest", duration_min=60, starts=starts, online=True,
                          location="", deadline=deadline, anonymous=False, hidden=False)
        poll = await polls.create(draft, conversation_id=chats["poll"], creator_id=lid, creator_name=leader["name"],
                                  locale="nb-NO", now=now)
        await polls.vote(poll.id, poll.slots[0].id, voter["aadObjectId"], "yes", voter_name=voter["name"],
                         voter_channel_id=voter["id"], now=now)
        await polls.set_activity(poll.id, f"act-upgrade-{key}")
        ops(s).schedule_jobs(await polls.get(poll.id))
        poll_ids[key] = poll.id

    # A scheduled broadcast to both faggrupper, as the broadcast.send verb stores it.
    repo = BroadcastRepo(db)
    message = Draft(MARK["broadcast"], "Meldingen fra forrige versjon.", Targets(TargetMode.SOME, tuple(FAGGRUPPER)),
                  send_at=at["broadcast"])
    b = await repo.save_draft(message, author_id=lid, author_name=leader["name"], locale="nb-NO",
                              conversation_id=chats["personal"])
    assert b is not None and await repo.transition(b.id, [State.DRAFT], State.SCHEDULED)
    sched.add("bot.scheduling.broadcast_jobs:send_broadcast", broadcast_job_id(b.id), b.send_at, (b.id,))
    await s.audit.record(lid, "broadcast.schedule", str(b.id), send_at=b.send_at.isoformat())

    # An input campaign: the reminder halfway to the deadline (lead+4 s), the report at it.
    p_camp = await s.projects.create(MARK["campaign"], "", lid, FAGGRUPPER)
    campaign, _, _ = await start_campaign(s, p_camp, FAGGRUPPER, at["campaign_reminder"] + (at["campaign_reminder"] - now),
                                          lid, chats["Oppvekst"])

    # The daily retention job, as the privacy feature adds it at start-up.
    for hook in build_router().startup:
        if hook.__name__ == "schedule_retention":
            await hook(s)

    jobs = []
    for job in sched._aps.get_jobs():
        once = job.func_ref == RUN_ONCE
        jobs.append({"id": job.id, "func": job.args[0] if once else job.func_ref, "stored_func": job.func_ref,
                     "one_off": once, "due": (datetime.fromisoformat(job.args[2]) if once else job.next_run_time).isoformat(),
                     "next_run": job.next_run_time.isoformat(), "args": list(job.args[3:] if once else job.args)})
    await sched.shutdown()
    await db.close()
    return {"now": now.isoformat(), "lead": lead, "connector": url, "leader": leader, "members": members, "chats": chats,
            "marks": MARK, "ids": {"gate_reminder": gate.id, "gate_overdue": overdue.id, "campaign": campaign.id,
                                   "broadcast": b.id, **poll_ids},
            "expected_due": {kind: next(j["due"] for j in jobs if j["id"].startswith(prefix)) for kind, prefix in (
                ("gate_reminder", f"gate:{gate.id}:reminder:"), ("gate_overdue", f"gate:{overdue.id}:overdue"),
                ("poll_reminder", f"poll:{poll_ids['poll_reminder']}:reminder"),
                ("poll_close", f"poll:{poll_ids['poll_close']}:close"), ("broadcast", broadcast_job_id(b.id)),
                ("campaign_reminder", f"campaign:{campaign.id}:reminder"), ("campaign_report", f"campaign:{campaign.id}:report"),
                ("booking_retry", f"booking:gate:{gate.id}:retry"))},
            "effects": EFFECTS, "jobs": sorted(jobs, key=lambda j: j["due"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--connector", required=True, help="the (fake) Bot Connector URL stored as serviceUrl")
    ap.add_argument("--lead", type=float, default=8.0, help="seconds from now to the first job")
    ap.add_argument("--retry-seconds", type=int, default=4, help="JOB_RETRY_SECONDS of the old release")
    ap.add_argument("--manifest", type=Path)
    args = ap.parse_args()
    manifest = asyncio.run(build(args.db, args.connector, args.lead, args.retry_seconds))
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str)
    if args.manifest:
        args.manifest.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
