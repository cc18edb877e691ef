"""Who and where, read from an activity's JSON (the Bot Framework wire format, whatever SDK parsed it)."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]


def _dict(value: Any) -> Json:
    """The value if it is a JSON object, else an empty one (activity fields are untrusted)."""
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    """The value if it is a string, else "" (activity fields are untrusted)."""
    return value if isinstance(value, str) else ""


def actor_ids(activity: Json) -> tuple[str, str, str]:
    """(person id, AAD object id, channel user id); the person id is the AAD id when known."""
    frm = _dict(activity.get("from"))
    aad, channel_id = _str(frm.get("aadObjectId")), _str(frm.get("id"))
    return (aad or channel_id), aad, channel_id


def actor_name(activity: Json) -> str:
    """The sender's display name."""
    return _str(_dict(activity.get("from")).get("name"))


def tenant_of(activity: Json) -> str:
    """The tenant id from the conversation or the Teams channel data."""
    tid = _dict(activity.get("conversation")).get("tenantId")
    if not tid:
        tid = _dict(_dict(activity.get("channelData")).get("tenant")).get("id")
    return tid.lower()[:64] if isinstance(tid, str) else ""


def tenants_of(activity: Json) -> set[str]:
    """Every tenant id the activity names (conversation and channel data); they must all be allowed."""
    found = {_dict(activity.get("conversation")).get("tenantId"),
             _dict(_dict(activity.get("channelData")).get("tenant")).get("id")}
    return {str(t).lower() for t in found if t}


def tenant_allowed(activity: Json, allowed: tuple[str, ...]) -> bool:
    """True when no allow-list is set, or every tenant the activity names is on it (and it names one)."""
    if not allowed:
        return True
    tenants = tenants_of(activity)
    return bool(tenants) and tenants <= set(allowed)


def _bot_mentions(activity: Json) -> list[str]:
    """The texts of well-formed mention entities that name the bot (junk entities are skipped)."""
    me = _dict(activity.get("recipient")).get("id")
    out: list[str] = []
    for e in activity.get("entities") or [] if isinstance(activity.get("entities"), list) else []:
        if not isinstance(e, dict) or e.get("type") != "mention":
            continue
        mid = _dict(e.get("mentioned")).get("id")
        if me and isinstance(mid, str) and mid == me:
            out.append(_str(e.get("text")))
    return out


def bot_mentioned(activity: Json) -> bool:
    """True when a mention entity names the bot."""
    return bool(_bot_mentions(activity))


def text_without_bot_mention(activity: Json) -> str:
    """The message text with the bot's <at>...</at> mention(s) removed."""
    text = _str(activity.get("text"))
    for mention in dict.fromkeys(_bot_mentions(activity)):  # each text once: a thousand copies cost one pass
        if mention:
            text = text.replace(mention, " ")
    return text


def addressed_to_bot(activity: Json) -> bool:
    """A personal chat, a card submission, or a message that @mentions the bot."""
    return conversation_kind(activity) == "personal" or activity.get("value") is not None or bot_mentioned(activity)


def conversation_kind(activity: Json) -> str:
    """personal, groupChat or channel."""
    kind = _dict(activity.get("conversation")).get("conversationType")
    return kind if kind in ("personal", "groupChat", "channel") else "personal"


def team_id(activity: Json) -> str:
    """The team id for channel conversations."""
    tid = _dict(_dict(activity.get("channelData")).get("team")).get("id")
    return tid[:400] if isinstance(tid, str) else ""


def conversation_name(activity: Json) -> str:
    """A display name for the conversation where Teams gives one."""
    name = _dict(activity.get("conversation")).get("name")
    channel_data = _dict(activity.get("channelData"))
    for part in ("channel", "team"):
        if not name:
            name = _dict(channel_data.get(part)).get("name")
    return name[:400] if isinstance(name, str) else ""


def mentions(activity: Json) -> list[tuple[str, str]]:
    """(channel user id, name) of people @mentioned in the message, the bot excluded."""
    out = []
    recipient = _dict(activity.get("recipient")).get("id") or ""
    entities = activity.get("entities") if isinstance(activity.get("entities"), list) else []
    for e in entities:
        if not isinstance(e, dict) or e.get("type") != "mention":
            continue
        m = _dict(e.get("mentioned"))
        mid, name = _str(m.get("id")), _str(m.get("name"))
        if mid and mid != recipient:
            out.append((mid, name))
    return out
