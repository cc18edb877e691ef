"""Seed every table of the schema with rows about a marked person and a bystander, driven by the inventory.

The erasure and retention tests then need no knowledge of any feature.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, LargeBinary, String, Table, Text, insert, select
from sqlalchemy.types import TypeDecorator

from bot.storage.all_models import Base
from bot.storage.db import Database
from bot.storage.inventory import CHAT_ID, EMAIL, FILE, FREE_TEXT, PERSON_ID, PERSON_NAME, inventory

OLD = datetime.now(UTC) - timedelta(days=365 * 20)  # older than every retention period
# Values that make a row count as finished for the retention rules (sent deliveries, closed polls, booked events).
SETTLED = {("outbox", "state"): "sent", ("polls", "state"): "closed", ("calendar_bookings", "state"): "booked",
           ("conversations", "active"): False, ("conversations", "kind"): "groupChat"}


@dataclass(frozen=True)
class Marked:
    """A person whose traces the tests look for."""

    aad: str
    channel: str
    name: str
    email: str

    @property
    def chat(self) -> str:
        """The id of their personal chat with the bot."""
        return f"a:1{self.aad[:8]}-personal"

    @property
    def needles(self) -> tuple[str, ...]:
        return self.aad, self.channel, self.name, self.email, self.chat


def tables() -> list[Table]:
    """Every table of the schema, parents first (APScheduler's own table is not in the metadata)."""
    return list(Base.metadata.sorted_tables)


def _kind_value(kind: str, col: Any, who: Marked) -> Any:
    text = f"Kontakt: {who.name} ({who.email}), id {who.aad} i {who.chat}"
    if kind == PERSON_ID:
        return who.channel if "channel" in col.name else who.aad
    if kind == CHAT_ID:
        return who.chat
    if kind == PERSON_NAME:
        return who.name
    if kind == EMAIL:
        return who.email
    if kind == FILE:
        return text.encode()
    if isinstance(col.type, JSON):
        return {"text": text, "attendees": [who.email], "user": {"id": who.aad, "name": who.name},
                "entities": [{"type": "mention", "mentioned": {"id": who.channel, "name": who.name}}]}
    return text


def _plain_value(table: str, col: Any, n: int) -> Any:
    if (table, col.name) in SETTLED:
        return SETTLED[(table, col.name)]
    impl = col.type.impl if isinstance(col.type, TypeDecorator) else col.type
    if isinstance(impl, Integer):
        return n
    if isinstance(impl, Boolean):
        return False
    if isinstance(impl, DateTime):
        return OLD
    if isinstance(impl, Date):
        return OLD.date() if n else date.today()
    if isinstance(impl, JSON):
        return []
    if isinstance(impl, LargeBinary):
        return b"x"
    if isinstance(impl, (String, Text)):
        return f"x{n}"
    raise AssertionError(f"no seed value for {table}.{col.name} ({impl!r})")


async def seed(db: Database, who: Marked, n: int) -> None:
    """Row number n (1, 2, ...) in every table, about `who`."""
    declared = inventory()
    async with db.write() as s:
        for t in tables():
            kinds = declared[t.name].kinds()
            values = {}
            for col in t.columns:
                kind = kinds[col.name]
                values[col.name] = _plain_value(t.name, col, n) if kind == "none" else _kind_value(kind, col, who)
            await s.execute(insert(t).values(**values))


async def dump(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, JSON and bytes as text."""
    out: dict[str, list[dict[str, Any]]] = {}
    async with db.session() as s:
        for t in tables():
            rows = (await s.execute(select(t))).mappings().all()
            out[t.name] = [{k: _text(v) for k, v in r.items()} for r in rows]
    return out


def _text(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def traces(rows: dict[str, list[dict[str, Any]]], who: Marked) -> list[tuple[str, str]]:
    """(table, column) of every value that still contains one of the person's ids, name or address."""
    found = []
    for table, items in rows.items():
        for row in items:
            for col, value in row.items():
                if isinstance(value, str) and any(x.lower() in value.lower() for x in who.needles):
                    found.append((table, col))
    return sorted(set(found))


def declared_personal() -> set[tuple[str, str]]:
    """(table, column) of every column declared able to hold personal data."""
    kinds = (PERSON_ID, CHAT_ID, PERSON_NAME, EMAIL, FREE_TEXT, FILE)
    return {(t, c) for t, data in inventory().items() for k in kinds for c in data.columns(k)}
