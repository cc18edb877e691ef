"""Helpers for process-level tests: direct database access from the test process and a traffic driver."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.storage.db import Database, sync_url
from bot.storage.models import Conversation, OutboxItem, Person
from tests.fakes.connector import FakeConnector
from tests.harness import Conv, TeamsClient, User, make_user


class Db:
    """Synchronous access to the bot's database from the test process (what an operator would see)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(sync_url(url))

    def close(self) -> None:
        self.engine.dispose()

    def insert_outbox(self, rows: list[tuple[str, str, str]]) -> None:
        """Queue deliveries directly (key, conversation id, text), as a feature's enqueue would."""
        now = datetime.now(UTC)
        with Session(self.engine) as s, s.begin():
            for key, conv, text in rows:
                s.add(OutboxItem(key=key, group_key="crash", conversation_id=conv, state="pending", attempts=0,
                                 payload={"activity": {"type": "message", "text": text}}, not_before=now, created_at=now,
                                 claimed_by="", last_error="", activity_id=""))

    def outbox_states(self) -> dict[str, str]:
        with Session(self.engine) as s:
            return {k: st for k, st in s.execute(select(OutboxItem.key, OutboxItem.state))}

    def conversations(self) -> dict[str, str | None]:
        with Session(self.engine) as s:
            return {i: f for i, f in s.execute(select(Conversation.id, Conversation.faggruppe))}

    def leaders(self) -> set[str]:
        with Session(self.engine) as s:
            return set(s.scalars(select(Person.id).where(Person.role == "leader")))


def delivered_counts(connector: FakeConnector, prefix: str) -> Counter[str]:
    """How many times the connector accepted each outbox text starting with prefix."""
    return Counter(t for a in connector.sent() if isinstance(t := a.get("text"), str) and t.startswith(prefix))


@dataclass
class Acked:
    """What the bot acknowledged (HTTP 2xx) before it died."""

    installs: set[str] = field(default_factory=set)
    registered: dict[str, str] = field(default_factory=dict)
    leaders: set[str] = field(default_factory=set)
    attempted: int = 0
    failed: int = 0


async def drive(teams: TeamsClient, leader: User, acked: Acked, stop: asyncio.Event, tag: str) -> None:
    """Install chats, register faggrupper and appoint leaders in a loop until stopped or the bot dies."""
    n = 0
    while not stop.is_set():
        n += 1
        conv = Conv(id=f"19:{tag}-{n}-{uuid.uuid4().hex[:6]}@thread.v2", kind="groupChat", name=f"Chat {n}")
        target = make_user(f"Kari {tag} {n}")
        teams.add_members(conv, [leader, target])
        steps: list[tuple[str, Any]] = [
            ("install", lambda c=conv: teams.install(c, leader)),
            ("register", lambda c=conv, n=n: teams.send(c, leader, f"registrer Gruppe {tag} {n}")),
            ("leader", lambda c=conv, u=target: teams.send(c, leader, "leder legg til", mentions=[u])),
        ]
        for kind, step in steps:
            acked.attempted += 1
            try:
                res = await step()
            except (TimeoutError, aiohttp.ClientError, ConnectionError):
                acked.failed += 1
                return
            if res.status not in (200, 201):
                acked.failed += 1
                continue
            texts = [a.get("text") or "" for a in teams.connector.sent(conv.id)]  # drivers run concurrently
            if kind == "install":
                acked.installs.add(conv.id)
            elif kind == "register" and any("registrert" in t for t in texts):
                acked.registered[conv.id] = f"Gruppe {tag} {n}"
            elif kind == "leader" and any("er nå prosjektleder" in t for t in texts):
                acked.leaders.add(target.aad)


def dump(obj: Any) -> str:
    return json.dumps(obj, default=str)[:2000]


async def register_chats(teams: TeamsClient, db: Database, leader: User, faggruppe: str, n: int) -> list[str]:
    """Group chats registered straight in the shared registry (hundreds of installs over the wire would take minutes)."""
    from botbuilder.core import TurnContext
    from botbuilder.schema import Activity

    from bot.storage.conversations import ConversationRepo

    repo = ConversationRepo(db)
    out = []
    for i in range(n):
        conv = teams.group(f"{faggruppe} {i}")
        ref = TurnContext.get_conversation_reference(Activity().deserialize(teams.activity(conv, leader))).serialize()
        await repo.touch(conversation_id=conv.id, kind="groupChat", tenant_id=leader.tenant, team_id="",
                         service_url=teams.connector.url, reference=ref, name=conv.name, installed=True)
        await repo.set_faggruppe(conv.id, faggruppe)
        out.append(conv.id)
    return out
