"""Hypothesis strategies for the fuzz suite: Teams-shaped activities from a small pool of users and chats, card data
with hostile ids, deep nesting and huge strings, commands, and raw bodies that are not activities at all.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from hypothesis import strategies as st

from bot.features import build_router
from tests.harness import BOT_ID, make_user

ROUTER = build_router()
VERBS = [*sorted(ROUTER.verbs), "cmd", "", "nope.nothing", "faggruppe.", "../../etc", "x" * 300]
COMMANDS = [n for c in ROUTER.commands for n in c.names if n]
LEADER = make_user("Lise Leder")
USERS = [LEADER, make_user("Åse Ærlig"), make_user("Ørjan Øverli"), make_user("Zoë 🤖 Ünicode"),
         make_user("[klikk her](https://evil.example) <at>Alle</at>"),
         make_user("Ola Fremmed", tenant="99999999-8888-7777-6666-555555555555")]
CONVS = [("a:personal-fuzz", "personal"), (f"19:{uuid.uuid4().hex}@thread.v2", "groupChat"),
         (f"19:{uuid.uuid4().hex}@thread.tacv2", "channel"), ("19:other-chat@thread.v2", "groupChat")]
ID_FIELDS = ["poll_id", "slot_id", "entry_id", "project_id", "bp", "broadcast_id", "rows", "duration",
             "duration_custom", "estimate_nok", "estimate_hours", "offsets", "project"]
FIELD_NAMES = [*ID_FIELDS, "faggruppe", "new_faggruppe", "faggrupper", "command", "verb", "id", "date", "time",
               "choice", "text", "value", "member", "kommune", "answer", "deadline", "deadline_date", "option",
               "options", "need_id", "kind", "phase", "decision", "comment", "title", "message", "name", "mode",
               "send_date", "send_time", "slot_date_0", "slot_time_0", "source", "documents"]
HOSTILE_NUMBERS: list[Any] = [2**70, -(2**70), 2**63, 2**63 - 1, 2**31, 2**31 - 1, -1, 0, 1.5, -0.0, 1e308, float("1e300"), True,
                              "9" * 30, "1_000", "٣", "1e3", " 7 ", "0x10", "NaN", "inf", "", None]


def nested(depth: int, leaf: Any = 1) -> Any:
    """A value nested `depth` levels deep (objects and arrays in turn)."""
    value = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**80, max_value=2**80),
                         st.floats(allow_nan=False), st.text(max_size=40), st.sampled_from(HOSTILE_NUMBERS))
json_values = st.recursive(json_scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                                 st.dictionaries(st.text(max_size=8), kids, max_size=4)),
                           max_leaves=12)
deep_values = st.integers(min_value=1, max_value=70).map(nested)
junk_strings = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["2026-02-30", "2026-13-41", "31.02.2026", "9999-99-99T99:99", "", " ", "\u0000", "null", "-1",
                     "1e309", "<at>x</at>", "[lenke](https://evil.example)", "{{DATE(2026-01-01)}}", "' OR 1=1 --",
                     "Oppvekst", "oppvekst", "Helse og omsorg", "ÆØÅ æøå", "\u202eRTL", "🤖" * 50]),
    st.integers(min_value=1, max_value=50_000).map(lambda n: "å" * n),
    st.integers(min_value=3_900, max_value=60_000).map(lambda n: "hjelp " + "a " * (n // 2)),
)
field_values = st.one_of(junk_strings, json_values, st.sampled_from(HOSTILE_NUMBERS), deep_values)
card_data = st.dictionaries(st.sampled_from(FIELD_NAMES), field_values, max_size=8)
message_text = st.one_of(
    junk_strings,
    st.tuples(st.sampled_from(COMMANDS), junk_strings).map(lambda p: f"{p[0]} {p[1]}"),
    st.sampled_from(COMMANDS),
)
RAW_BODIES = [b"", b"{", b"null", b"[]", b'{"type": ""}', b'{"type": {}}', b"\xff" * 10, b'{"type": "message"}',
              b"[" * 2000, b"]" * 2000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000, b'{"type": "message", "x": NaN}',
              b'{"type": "message", "x": ' + b"9" * 5000 + b"}", b'{"type": "message", "text": "\\ud800"}',
              json.dumps({"type": "message", "text": "x" * 300_000}).encode()]


@st.composite
def envelopes(draw: st.DrawFn) -> dict[str, Any]:
    """A Teams-shaped activity from a small pool of users and chats."""
    user = draw(st.sampled_from(USERS))
    conv_id, kind = draw(st.sampled_from(CONVS))
    act: dict[str, Any] = {
        "type": "message", "id": f"in-{uuid.uuid4().hex[:10]}", "timestamp": "2026-11-23T10:00:00.000Z",
        "serviceUrl": "SERVICE_URL", "channelId": "msteams", "from": user.account(),
        "recipient": {"id": BOT_ID, "name": "Faggruppe-bot"},
        "conversation": {"id": conv_id, "conversationType": kind, "tenantId": user.tenant, "isGroup": kind != "personal"},
        "channelData": {"tenant": {"id": user.tenant}}, "locale": draw(st.sampled_from(["nb-NO", "en-US", "nn-NO", "", "xx"])),
    }
    if kind == "channel":
        act["channelData"]["team"] = {"id": "19:team-fuzz@thread.tacv2"}
    return act


def _mention(act: dict[str, Any], text: str) -> str:
    act["entities"] = [{"type": "mention", "text": "<at>Faggruppe-bot</at>",
                        "mentioned": {"id": BOT_ID, "name": "Faggruppe-bot"}}]
    return f"<at>Faggruppe-bot</at> {text}"


@st.composite
def activities(draw: st.DrawFn) -> dict[str, Any] | bytes:
    """An activity (or, sometimes, a raw body that is not one)."""
    act = draw(envelopes())
    shape = draw(st.sampled_from(["message", "execute", "execute", "submit", "update", "other", "mangled", "raw"]))
    if shape == "message":
        text = draw(message_text)
        if act["conversation"]["conversationType"] != "personal" and draw(st.booleans()):
            text = _mention(act, text)
            if draw(st.booleans()):
                target = draw(st.sampled_from(USERS))
                act["entities"].append({"type": "mention", "text": f"<at>{target.name}</at>",
                                        "mentioned": draw(st.one_of(st.just({"id": target.id, "name": target.name}),
                                                                    json_values))})
        act["text"] = text
    elif shape == "execute":
        act["type"] = "invoke"
        act["name"] = draw(st.sampled_from(["adaptiveCard/action", "adaptiveCard/action", "task/fetch", "x", ""]))
        action = {"type": "Action.Execute", "verb": draw(st.one_of(st.sampled_from(VERBS), json_values)),
                  "data": draw(st.one_of(card_data, card_data, json_values))}
        act["value"] = draw(st.one_of(st.just({"action": action, "trigger": "manual"}), json_values,
                                      st.just({"action": json.loads(json.dumps(action))["data"]})))
        if draw(st.booleans()):
            act["replyToId"] = draw(st.one_of(st.text(max_size=20), st.just("act-1")))
    elif shape == "submit":
        value = draw(card_data)
        value["verb"] = draw(st.one_of(st.sampled_from(VERBS), json_values))
        if value["verb"] == "cmd":
            value["command"] = draw(st.one_of(message_text, json_values))
        act["value"] = draw(st.one_of(st.just(value), json_values))
        if draw(st.booleans()):
            act["text"] = draw(junk_strings)
    elif shape == "update":
        act["type"] = draw(st.sampled_from(["conversationUpdate", "installationUpdate"]))
        me = {"id": BOT_ID}
        act["membersAdded"] = draw(st.one_of(st.just([me]), st.lists(json_values, max_size=3), st.just([])))
        act["membersRemoved"] = draw(st.one_of(st.just([]), st.just([me]), json_values))
        act["action"] = draw(st.one_of(st.sampled_from(["add", "remove", "add-upgrade"]), json_values))
    elif shape == "other":
        act["type"] = draw(st.one_of(st.sampled_from(["typing", "messageReaction", "event", "endOfConversation",
                                                       "messageUpdate", "messageDelete", "trace", "handoff"]),
                                     st.text(min_size=1, max_size=30)))
        act["value"] = draw(json_values)
    elif shape == "raw":
        text = json.dumps(act)
        return draw(st.one_of(st.sampled_from(RAW_BODIES), st.binary(max_size=300),
                              st.integers(0, len(text)).map(lambda n: text[:n].encode()),
                              json_values.map(lambda v: json.dumps(v).encode())))
    else:
        act["text"] = draw(message_text)
        for key in draw(st.lists(st.sampled_from(sorted(act)), max_size=4, unique=True)):
            if draw(st.booleans()):
                del act[key]
            else:
                act[key] = draw(st.one_of(json_values, deep_values))
        if draw(st.booleans()):
            path = draw(st.sampled_from(["conversation", "from", "channelData", "recipient"]))
            if isinstance(act.get(path), dict):
                act[path][draw(st.sampled_from(["id", "tenantId", "aadObjectId", "tenant", "team", "name"]))] = draw(json_values)
    return act
