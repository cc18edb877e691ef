"""Who and where: the actor, the conversation kind and tenant of an activity."""

from __future__ import annotations

from botbuilder.schema import Activity


def actor_ids(activity: Activity) -> tuple[str, str, str]:
    """(person id, AAD object id, channel user id); the person id is the AAD id when known."""
    frm = activity.from_property
    aad = (getattr(frm, "aad_object_id", None) or "") if frm else ""
    channel_id = (frm.id or "") if frm else ""
    return (aad or channel_id), aad, channel_id


def tenant_of(activity: Activity) -> str:
    """The tenant id from the conversation or the Teams channel data."""
    tid = getattr(activity.conversation, "tenant_id", None) if activity.conversation else None
    if not tid and isinstance(activity.channel_data, dict):
        tid = (activity.channel_data.get("tenant") or {}).get("id")
    return tid.lower()[:64] if isinstance(tid, str) else ""


def tenants_of(activity: Activity) -> set[str]:
    """Every tenant id the activity names (conversation and channel data); they must all be allowed."""
    found = {getattr(activity.conversation, "tenant_id", None) if activity.conversation else None}
    if isinstance(activity.channel_data, dict):
        tenant = activity.channel_data.get("tenant")
        found.add(tenant.get("id") if isinstance(tenant, dict) else None)
    return {str(t).lower() for t in found if t}


def tenant_allowed(activity: Activity, allowed: tuple[str, ...]) -> bool:
    """True when no allow-list is set, or every tenant the activity names is on it (and it names one)."""
    if not allowed:
        return True
    tenants = tenants_of(activity)
    return bool(tenants) and tenants <= set(allowed)


def _bot_mentions(activity: Activity) -> list[str]:
    """The texts of well-formed mention entities that name the bot (junk entities are skipped)."""
    me = getattr(activity.recipient, "id", None) if activity.recipient else None
    out: list[str] = []
    for e in activity.entities or []:
        if getattr(e, "type", None) != "mention":
            continue
        props = getattr(e, "additional_properties", None)
        props = props if isinstance(props, dict) else {}
        m = props.get("mentioned") or getattr(e, "mentioned", None)
        mid = m.get("id") if isinstance(m, dict) else getattr(m, "id", None)
        if me and isinstance(mid, str) and mid == me:
            text = props.get("text")
            out.append(text if isinstance(text, str) else "")
    return out


def bot_mentioned(activity: Activity) -> bool:
    """True when a mention entity names the bot."""
    return bool(_bot_mentions(activity))


def text_without_bot_mention(activity: Activity) -> str:
    """The message text with the bot's <at>...</at> mention(s) removed."""
    text = activity.text if isinstance(activity.text, str) else ""
    for mention in dict.fromkeys(_bot_mentions(activity)):  # each text once: a thousand copies cost one pass
        if mention:
            text = text.replace(mention, " ")
    return text


def addressed_to_bot(activity: Activity) -> bool:
    """A personal chat, a card submission, or a message that @mentions the bot."""
    return conversation_kind(activity) == "personal" or activity.value is not None or bot_mentioned(activity)


def conversation_kind(activity: Activity) -> str:
    """personal, groupChat or channel."""
    kind = getattr(activity.conversation, "conversation_type", None) if activity.conversation else None
    return kind if kind in ("personal", "groupChat", "channel") else "personal"


def team_id(activity: Activity) -> str:
    """The team id for channel conversations."""
    if isinstance(activity.channel_data, dict):
        team = activity.channel_data.get("team")
        tid = team.get("id") if isinstance(team, dict) else None
        return tid[:400] if isinstance(tid, str) else ""
    return ""


def conversation_name(activity: Activity) -> str:
    """A display name for the conversation where Teams gives one."""
    name = getattr(activity.conversation, "name", None) if activity.conversation else None
    if not name and isinstance(activity.channel_data, dict):
        for part in ("channel", "team"):
            holder = activity.channel_data.get(part)
            if not name and isinstance(holder, dict):
                name = holder.get("name")
    return name[:400] if isinstance(name, str) else ""


def mentions(activity: Activity) -> list[tuple[str, str]]:
    """(channel user id, name) of people @mentioned in the message, the bot excluded."""
    out = []
    recipient = activity.recipient.id if activity.recipient else ""
    for e in activity.entities or []:
        props = e.additional_properties if hasattr(e, "additional_properties") else {}
        if getattr(e, "type", None) != "mention":
            continue
        m = props.get("mentioned") or getattr(e, "mentioned", None)
        mid = (m.get("id") if isinstance(m, dict) else getattr(m, "id", "")) or ""
        name = (m.get("name") if isinstance(m, dict) else getattr(m, "name", "")) or ""
        if mid and mid != recipient:
            out.append((mid, name))
    return out
