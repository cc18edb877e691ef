"""faggruppe-bot as `python -m bot` runs it, plus a bench-only control API under /_bench (never in the product).

`python -m bench.serve_bot` reads the same environment as `python -m bot`. The control API seeds conversations and
queues outbox rows inside the bot process, so deliveries and reminders run in the process under test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from sqlalchemy import func, select

from bot.app import SERVICES, create_app
from bot.config import load_settings
from bot.delivery.outbox import NewDelivery
from bot.kernel.logsetup import setup_logging
from bot.storage.models import OutboxItem

TENANT = "11111111-2222-3333-4444-555555555555"


def reference(conversation_id: str, service_url: str) -> dict[str, Any]:
    """A stored conversation reference like the one the bot keeps from an install."""
    return ConversationReference(
        channel_id="msteams", service_url=service_url, bot=ChannelAccount(id="28:faggruppe-bot", name="Faggruppe-bot"),
        conversation=ConversationAccount(id=conversation_id, conversation_type="groupChat", tenant_id=TENANT, is_group=True),
    ).serialize()


async def conversations(request: web.Request) -> web.Response:
    """POST {prefix, n, service_url, faggruppe?}: register n group chats (of one faggruppe, when given)."""
    body = await request.json()
    services = request.app[SERVICES]
    for i in range(int(body["n"])):
        cid = f"{body['prefix']}-{i}"
        await services.conversations.touch(conversation_id=cid, kind="groupChat", tenant_id=TENANT, team_id="",
                                           service_url=body["service_url"], reference=reference(cid, body["service_url"]),
                                           name=f"Bench {i}", installed=True)
        if body.get("faggruppe"):
            await services.conversations.set_faggruppe(cid, body["faggruppe"])
    return web.json_response({"ok": True})


async def enqueue(request: web.Request) -> web.Response:
    """POST {prefix, n, group, due_epoch?}: queue one delivery to each of n conversations."""
    body = await request.json()
    services = request.app[SERVICES]
    due = datetime.fromtimestamp(float(body["due_epoch"]), UTC) if body.get("due_epoch") else None
    items = [
        NewDelivery(key=f"{body['group']}:{i}", conversation_id=f"{body['prefix']}-{i}", group_key=body["group"],
                    payload={"activity": {"type": "message", "text": f"Påminnelse {i}"}}, not_before=due)
        for i in range(int(body["n"]))
    ]
    added = await services.delivery.enqueue(items)  # type: ignore[union-attr]
    return web.json_response({"added": added})


async def outbox(request: web.Request) -> web.Response:
    """GET ?group=: rows per state and the attempts made."""
    services = request.app[SERVICES]
    group = request.query["group"]
    q = (select(OutboxItem.state, func.count(), func.sum(OutboxItem.attempts))
         .where(OutboxItem.group_key == group).group_by(OutboxItem.state))
    async with services.db.session() as s:
        rows = (await s.execute(q)).all()
    return web.json_response({state: {"rows": n, "attempts": int(a or 0)} for state, n, a in rows})


async def votes(request: web.Request) -> web.Response:
    """GET ?poll_id=: vote rows stored for a poll and distinct voters (read from the database)."""
    from bot.polls.store import PollVoteRow

    services = request.app[SERVICES]
    poll_id = int(request.query["poll_id"])
    q = select(func.count(), func.count(func.distinct(PollVoteRow.voter_id))).where(PollVoteRow.poll_id == poll_id)
    async with services.db.session() as s:
        rows, voters = (await s.execute(q)).one()
    return web.json_response({"rows": rows, "voters": voters})


async def broadcast(request: web.Request) -> web.Response:
    """POST {faggruppe, author_id}: one broadcast to every chat of a faggruppe, started like the leader's "Send"."""
    from bot.broadcasts.model import Draft, State, TargetMode, Targets
    from bot.broadcasts.service import broadcaster
    from bot.broadcasts.store import BroadcastRepo

    body = await request.json()
    services = request.app[SERVICES]
    draft = Draft(title="Bench-kunngjøring", message="Husk fagdagen på fredag – påmelding i kanalen.",
                  targets=Targets(TargetMode.SOME, (body["faggruppe"],)))
    b = await BroadcastRepo(services.db).save_draft(draft, author_id=body.get("author_id", "bench-leader"),
                                                    author_name="Bench Leder", locale="nb-NO", conversation_id="")
    assert b is not None
    started = await broadcaster(services).start(b.id, [State.DRAFT])
    return web.json_response({"id": b.id, "group_key": b.group_key, "started": started})


async def remind_jobs(request: web.Request) -> web.Response:
    """POST {prefix, n, group, due_epoch}: n scheduler jobs due at the same instant, each queueing one reminder."""
    body = await request.json()
    services = request.app[SERVICES]
    due = datetime.fromtimestamp(float(body["due_epoch"]), UTC)
    for i in range(int(body["n"])):
        services.scheduler.add("bench.jobs:remind", f"{body['group']}:{i}", due,  # type: ignore[union-attr]
                               (body["group"], f"{body['prefix']}-{i}", i))
    return web.json_response({"scheduled": int(body["n"])})


_queries = {"n": 0, "on": False}


async def queries(request: web.Request) -> web.Response:
    """GET: SQL statements executed since the first call (the first call starts counting)."""
    if not _queries["on"]:
        from sqlalchemy import event

        def count(*_: Any) -> None:
            _queries["n"] += 1

        event.listen(request.app[SERVICES].db.engine.sync_engine, "before_cursor_execute", count)
        _queries["on"] = True
    return web.json_response({"queries": _queries["n"]})


def main() -> None:
    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    app.router.add_post("/_bench/conversations", conversations)
    app.router.add_post("/_bench/enqueue", enqueue)
    app.router.add_get("/_bench/outbox", outbox)
    app.router.add_get("/_bench/queries", queries)
    app.router.add_get("/_bench/votes", votes)
    app.router.add_post("/_bench/broadcast", broadcast)
    app.router.add_post("/_bench/remind_jobs", remind_jobs)
    web.run_app(app, host=settings.host, port=settings.port, print=None, shutdown_timeout=5)


if __name__ == "__main__":
    main()
