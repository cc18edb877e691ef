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
    return (tid or "").lower()


def conversation_kind(activity: Activity) -> str:
    """personal, groupChat or channel."""
    kind = getattr(activity.conversation, "conversation_type", None) if activity.conversation else None
    return kind if kind in ("personal", "groupChat", "channel") else "personal"


def team_id(activity: Activity) -> str:
    """The team id for channel conversations."""
    if isinstance(activity.channel_data, dict):
        return ((activity.channel_data.get("team") or {}).get("id")) or ""
    return ""


def conversation_name(activity: Activity) -> str:
    """A display name for the conversation where Teams gives one."""
    name = getattr(activity.conversation, "name", None) if activity.conversation else None
    if not name and isinstance(activity.channel_data, dict):
        name = (activity.channel_data.get("channel") or {}).get("name") or (activity.channel_data.get("team") or {}).get("name")
    return name or ""
