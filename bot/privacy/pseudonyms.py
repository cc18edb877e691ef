"""Pseudonyms of erased people: a keyed HMAC of the id, so nobody holding a list of ids can tell who an alias was.

The key comes from PRIVACY_PSEUDONYM_KEY, or is generated once and kept in the database (bot_secrets), where every
instance finds the same one. Aliases written by earlier releases (an unsalted SHA-256 of the id) are re-keyed once:
the same old alias becomes the same new one everywhere, so tallies and summaries do not change.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from bot.storage.db import Database, insert_for
from bot.storage.inventory import PERSON_ID, columns_of
from bot.storage.keys import BotSecret

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
PREFIX = "slettet-"
LEGACY = re.compile(r"^slettet-[0-9a-f]{16}$")  # sha256("faggruppe-bot:" + id)[:16], before the key
KEY_NAME = "pseudonym_key"
REKEYED = "pseudonyms_rekeyed_v1"


def pseudonym(person_id: str, key: bytes) -> str:
    """The stable stand-in for an erased person (keeps one-vote-per-person counts right)."""
    return PREFIX + hmac.new(key, person_id.encode(), hashlib.sha256).hexdigest()[:24]


async def pseudonym_key(services: Services) -> bytes:
    """The key in use; on first use in a process, the stored key is made (if need be) and old aliases re-keyed."""
    if services.pseudonym_key is not None:
        return services.pseudonym_key
    configured = services.settings.pseudonym_key
    key = configured.encode() if configured else await _stored_key(services.db)
    rekeyed = await rekey_legacy(services.db, key)
    if rekeyed:
        log.info("pseudonyms of earlier erasures re-keyed", extra={"rows": rekeyed})
    services.pseudonym_key = key
    return key


async def _stored_key(db: Database) -> bytes:
    """The generated key, created by whichever instance comes first (the others read the same row)."""
    ins = insert_for(db.dialect)(BotSecret).values(name=KEY_NAME, value=secrets.token_urlsafe(48))
    async with db.write() as s:
        await s.execute(ins.on_conflict_do_nothing(index_elements=["name"]))
        value = await s.scalar(select(BotSecret.value).where(BotSecret.name == KEY_NAME))
    assert value
    return value.encode()


async def rekey_legacy(db: Database, key: bytes) -> int:
    """Once per database: replace every old-style alias by a keyed one, consistently in all person-id columns.
    The marker row is written first in the same transaction, so of two instances starting together only one does it."""
    from bot.storage.all_models import Base

    ins = insert_for(db.dialect)(BotSecret).values(name=REKEYED, value="hmac-sha256")
    n = 0
    async with db.write() as s:
        claimed = await s.execute(ins.on_conflict_do_nothing(index_elements=["name"]).returning(BotSecret.name))
        if not claimed.fetchall():
            return 0
        for table, column in columns_of(PERSON_ID):
            col = Base.metadata.tables[table].c[column]
            old = {v for v in await s.scalars(select(col).where(col.like(PREFIX + "%")).distinct()) if LEGACY.match(v)}
            for alias in old:
                res = await s.execute(update(col.table).where(col == alias).values({column: pseudonym(alias, key)}))
                n += res.rowcount or 0
    return n
