"""Idempotency keys of outbox deliveries: the one way to build them (readable, never cut, within the column)."""

from __future__ import annotations

import hashlib

# A key is its parts joined by ':' (`gate:7:reminder:14@2009-12-03:19:abc@thread.v2`). Leading parts are escaped
# ('%', ':' and '#' as %25, %3A, %23), so two tuples of the same length never join to the same text; the last part
# (the conversation id, which contains ':') is kept as it is. A key that does not fit the column keeps its readable
# head and ends in a hash instead of being cut: cutting made two long conversation ids that share a prefix collide.
#
# Upgrades: deliveries are idempotent by key, so a job that runs again after an upgrade must compute the key the
# previous release stored, or the message goes out twice. The plain form is exactly the format every feature used
# (gate reminders and overdue notices, campaign posts and reminders, broadcasts, poll reminders and results) whenever
# the old key held the whole conversation id, which is every Teams id in practice (they are 20 to 160 characters).
# The hashed form is the old gate format (`<head>:#<32 hex of the conversation id>`), so gate reminders and overdue
# notices keep their keys even for ids too long to fit. Only ids over 200 characters change key for campaigns (the
# old campaign hash had no '#'), and for gate decisions (the old key was cut at 300, which is what could collide).
# The dead-chat notice (`gate:{id}:dead:{failed chat}:{leader chat}`) now names the failed chat in full instead of
# its last 60 characters; it is sent from a delivery's final failure, once, never by a job that runs again.

MAX_KEY = 300  # bot.storage.models.OutboxItem.key is String(300)
_SHORT_HASH = 32  # hex digits of the hashed last part (128 bits)


def _escape(part: str) -> str:
    """One leading key part with '%', ':' and '#' escaped, so the joined parts stay unambiguous."""
    return part.replace("%", "%25").replace(":", "%3A").replace("#", "%23")


def _sha(text: str) -> str:
    """The SHA-256 hex digest of a text (the hashed tail of an over-long key)."""
    return hashlib.sha256(text.encode()).hexdigest()


def delivery_key(*parts: object) -> str:
    """The outbox key of one delivery: `a:b:...:last`, or with the last part (or all) hashed when it would not fit."""
    if not parts:
        raise ValueError("a delivery key needs at least one part")
    *lead, last = (str(p) for p in parts)
    head = ":".join(_escape(p) for p in lead)
    key = f"{head}:{last}" if lead else last
    if len(key) <= MAX_KEY:
        return key
    if lead and len(head) + 2 + _SHORT_HASH <= MAX_KEY:
        return f"{head}:#{_sha(last)[:_SHORT_HASH]}"  # the head in full, so only the last part needs the hash
    digest = _sha(key)
    return f"{key[:MAX_KEY - len(digest) - 1]}#{digest}"
