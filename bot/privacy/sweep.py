"""The erasure sweep: after the features' own erasure, every column the inventory declares is cleared of the person.

Person-id columns get the pseudonym, names beside it are cleared, e-mail columns emptied, free text and JSON (entries,
outbox payloads, calendar specs, audit details, chat names) have the person's names, ids and e-mail addresses
replaced, and files that might hold anyone's data are dropped. Driven by the inventory alone, so a newly declared
column is covered without new code.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import Database
from bot.storage.inventory import CHAT_ID, EMAIL, FILE, FREE_TEXT, PERSON_ID, PERSON_NAME, TableData, inventory

REDACTED = "[slettet]"
MIN_NAME = 3  # shorter "names" would match inside ordinary words
PAGE = 200


@dataclass
class Identity:
    """Everything that points at one person, and the alias that replaces their ids."""

    person_id: str
    alias: str
    ids: set[str] = field(default_factory=set)
    chats: set[str] = field(default_factory=set)  # their personal chats with the bot
    names: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)


def _tables() -> dict[str, Table]:
    """All tables of the schema, by name."""
    from bot.storage.all_models import Base

    return dict(Base.metadata.tables)


async def identify(db: Database, person_id: str, alias: str) -> Identity:
    """The person's ids, names and e-mail addresses, read before anything is erased."""
    ident = Identity(person_id, alias, {person_id})
    tables = _tables()
    async with db.session() as s:
        for name, data in inventory().items():
            t = tables[name]
            id_cols = [t.c[c] for c in data.owners]
            wanted = [t.c[c] for c in data.columns(PERSON_NAME) + data.columns(EMAIL)]
            if not id_cols or not wanted:
                continue
            # The row's own ids too: the people row holds the AAD id and the Teams user id side by side.
            rows = await s.execute(select(*wanted, *id_cols).where(or_(*[c == person_id for c in id_cols])))
            for row in rows.all():
                values = dict(zip([c.name for c in wanted + id_cols], row, strict=True))
                for col in data.columns(PERSON_NAME):
                    ident.names.add(str(values[col] or "").strip())
                for col in data.columns(EMAIL):
                    ident.emails.add(str(values[col] or "").strip().lower())
                ident.ids.update(str(values[c.name] or "") for c in id_cols)
        # Their personal chats: the registry's conversations that belong to them.
        conv = tables["conversations"]
        ident.chats = set(await s.scalars(select(conv.c.id).where(conv.c.person_id == person_id)))
    ident.ids = {i for i in ident.ids if i and i != alias}
    ident.names = {n for n in ident.names if len(n) >= MIN_NAME}
    ident.emails = {e for e in ident.emails if "@" in e}
    return ident


async def sweep(db: Database, people: Iterable[Identity]) -> int:
    """Clear every declared column of these people; returns the rows changed."""
    people = list(people)
    if not people:
        return 0
    subs = _substitutions(people)
    tables = _tables()
    n = 0
    async with db.write() as s:
        for name, data in inventory().items():
            t = tables[name]
            n += await _columns(s, t, data, people)
            for col in data.columns(FREE_TEXT):
                n += await _free_text(s, t, col, subs, {p.alias for p in people})
            for col in data.columns(FILE):
                n += (await s.execute(update(t).where(t.c[col] != b"").values({col: b""}))).rowcount or 0
    return n


async def _columns(s: AsyncSession, t: Table, data: TableData, people: list[Identity]) -> int:
    """Pseudonymise the people's ids in a table's person-id columns and blank their free text; the rows changed."""
    n = 0
    for p in people:
        for col in data.columns(PERSON_ID):
            if p.ids:
                n += (await s.execute(update(t).where(t.c[col].in_(p.ids)).values({col: p.alias}))).rowcount or 0
        mine = or_(*[t.c[c] == p.alias for c in data.owners]) if data.owners else None
        for col in data.columns(CHAT_ID):
            if p.chats:
                n += (await s.execute(update(t).where(t.c[col].in_(p.chats)).values({col: p.alias}))).rowcount or 0
        for col in data.columns(PERSON_NAME):
            if p.names and mine is not None:
                stmt = update(t).where(t.c[col].in_(p.names), mine).values({col: ""})
                n += (await s.execute(stmt)).rowcount or 0
        for col in data.columns(EMAIL):
            if p.emails:
                stmt = update(t).where(func.lower(t.c[col]).in_(p.emails)).values({col: ""})
                n += (await s.execute(stmt)).rowcount or 0
    return n


def _substitutions(people: list[Identity]) -> list[tuple[re.Pattern[str], str]]:
    """Longest first, so a full name is replaced before a part of it could be."""
    subs: list[tuple[str, re.Pattern[str], str]] = []
    for p in people:
        subs += [(i, re.compile(re.escape(i)), p.alias) for i in p.ids | p.chats]
        subs += [(e, re.compile(re.escape(e), re.IGNORECASE), REDACTED) for e in p.emails]
        subs += [(nm, re.compile(r"(?<!\w)" + re.escape(nm) + r"(?!\w)", re.IGNORECASE), REDACTED) for nm in p.names]
    return [(pattern, repl) for _, pattern, repl in sorted(subs, key=lambda x: -len(x[0]))]


async def _free_text(s: AsyncSession, t: Table, col: str, subs: list[tuple[re.Pattern[str], str]],
                     aliases: set[str]) -> int:
    """Rewrite the values of one text/JSON column that mention the people. Read in Python (JSON is stored escaped, so
    SQL cannot search it), a page at a time with a pause between pages so the event loop keeps serving chats."""
    if not subs:
        return 0
    (key,) = t.primary_key.columns  # every table with free text has a one-column key
    n, last = 0, None
    while True:
        q = select(key, t.c[col]).order_by(key).limit(PAGE)
        rows = (await s.execute(q if last is None else q.where(key > last))).all()
        for pk, value in rows:
            clean = redact(value, subs, aliases)
            if clean != value:
                await s.execute(update(t).where(key == pk).values({col: clean}))
                n += 1
        if len(rows) < PAGE:
            return n
        last = rows[-1][0]
        await asyncio.sleep(0)


def redact(value: Any, subs: list[tuple[re.Pattern[str], str]], aliases: set[str]) -> Any:
    """A string or JSON value with the substitutions made; mention entities of erased people are dropped."""
    if isinstance(value, str):
        for pattern, repl in subs:
            value = pattern.sub(repl, value)
        return value
    if isinstance(value, dict):
        return {redact(k, subs, aliases): redact(v, subs, aliases) for k, v in value.items()}
    if isinstance(value, list):
        items = [redact(v, subs, aliases) for v in value]
        return [v for v in items if not _erased_mention(v, aliases)]
    return value


def _erased_mention(value: Any, aliases: set[str]) -> bool:
    """A Teams mention entity of an erased person (it would make the connector refuse the whole message)."""
    if not isinstance(value, dict) or value.get("type") != "mention":
        return False
    mentioned = value.get("mentioned")
    return isinstance(mentioned, dict) and mentioned.get("id") in aliases
