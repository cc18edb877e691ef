"""Outbox idempotency keys: distinct deliveries never share a key, keys fit the column, old keys survive an upgrade."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.keys import MAX_KEY, delivery_key
from bot.storage.models import OutboxItem

PROPS = settings(max_examples=300, deadline=None, database=None)
part = st.text(max_size=40)
conv = st.text(min_size=1, max_size=450)
long_prefix = st.text(min_size=240, max_size=420)


def _sha32(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# The formats of the previous release, as oracles.
def old_gate(prefix: str, conversation_id: str) -> str:
    key = f"{prefix}:{conversation_id}"
    return key if len(key) <= 300 else f"{prefix}:#{_sha32(conversation_id)}"


def old_campaign(campaign_id: int, kind: str, conversation_id: str) -> str:
    tail = conversation_id if len(conversation_id) <= 200 else _sha32(conversation_id)
    return f"campaign:{campaign_id}:{kind}:{tail}"


def test_max_key_is_the_column_length():
    assert OutboxItem.__table__.c.key.type.length == MAX_KEY


@PROPS
@given(a=st.lists(part, min_size=1, max_size=3).flatmap(lambda lead: st.tuples(st.just(lead), conv)),
       b=st.lists(part, min_size=1, max_size=3).flatmap(lambda lead: st.tuples(st.just(lead), conv)))
def test_distinct_parts_give_distinct_keys(a, b):
    (lead_a, last_a), (lead_b, last_b) = a, b
    parts_a, parts_b = (*lead_a, last_a), (*lead_b, last_b)
    ka, kb = delivery_key(*parts_a), delivery_key(*parts_b)
    assert len(ka) <= MAX_KEY and len(kb) <= MAX_KEY
    if len(parts_a) == len(parts_b):
        assert (ka == kb) == (parts_a == parts_b)


@PROPS
@given(prefix=long_prefix, x=st.text(max_size=30), y=st.text(max_size=30), lead=st.lists(part, max_size=3))
def test_long_ids_sharing_a_long_prefix_stay_apart(prefix, x, y, lead):
    ka, kb = delivery_key(*lead, prefix + x), delivery_key(*lead, prefix + y)
    assert len(ka) <= MAX_KEY and len(kb) <= MAX_KEY
    assert (ka == kb) == (x == y)
    ka, kb = delivery_key("gate", prefix + x, "c"), delivery_key("gate", prefix + y, "c")  # a long leading part too
    assert (ka == kb) == (x == y)


def test_colons_in_leading_parts_cannot_shift_the_boundary():
    assert delivery_key("a:b", "c") != delivery_key("a", "b:c")
    assert delivery_key("gate", 1, "dead", "19:a", "b:c") != delivery_key("gate", 1, "dead", "19:a:b", "c")


@PROPS
@given(gate_id=st.integers(1, 10**6), offset=st.sampled_from(["14", "7", "1", "90s"]), cid=conv)
def test_gate_keys_are_the_old_ones(gate_id, offset, cid):
    # A reminder or overdue job that runs again after an upgrade must find the row the old release stored.
    stamp = "2009-12-03T1000"
    assert delivery_key("gate", gate_id, "reminder", f"{offset}@{stamp}", cid) == \
        old_gate(f"gate:{gate_id}:reminder:{offset}@{stamp}", cid)
    assert delivery_key("gate", gate_id, "overdue@2009-12-03", cid) == old_gate(f"gate:{gate_id}:overdue@2009-12-03", cid)


@PROPS
@given(cid=st.text(min_size=1, max_size=200), campaign_id=st.integers(1, 10**6), broadcast_id=st.integers(1, 10**6))
def test_campaign_broadcast_and_poll_keys_are_the_old_ones(cid, campaign_id, broadcast_id):
    for kind in ("post", "reminder"):
        assert delivery_key("campaign", campaign_id, kind, cid) == old_campaign(campaign_id, kind, cid)
    assert delivery_key("campaign", campaign_id, "report") == f"campaign:{campaign_id}:report"
    assert delivery_key("broadcast", broadcast_id, cid) == f"broadcast:{broadcast_id}:{cid}"
    assert delivery_key("poll", broadcast_id, "reminder") == f"poll:{broadcast_id}:reminder"


def test_a_teams_id_keeps_a_readable_key():
    cid = "19:" + "a" * 40 + "@thread.v2"
    assert delivery_key("gate", 7, "decision", "20091203T101500", cid) == f"gate:7:decision:20091203T101500:{cid}"
    long = delivery_key("gate", 7, "decision", "20091203T101500", "19:" + "b" * 400)
    assert long.startswith("gate:7:decision:20091203T101500:#") and len(long) <= MAX_KEY
