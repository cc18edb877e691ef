"""Members of a conversation from the Bot Connector (paged), for proactive work such as reminders."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import ConversationReference

from bot.services import Services
from bot.storage.conversations import ConversationInfo

log = logging.getLogger(__name__)
PAGE_SIZE = 200
MAX_PAGES = 50


@dataclass(frozen=True)
class Member:
    """A conversation member: channel id (29:...), AAD object id, display name."""

    id: str
    aad_object_id: str
    name: str


async def conversation_members(services: Services, conversation: ConversationInfo) -> list[Member]:
    """All members of a chat or channel's team, paging through the connector; [] when it cannot be read."""
    adapter = services.extras.get("adapter")
    if adapter is None:
        return []
    ref = ConversationReference().deserialize(conversation.reference)
    out: list[Member] = []

    failed: list[BaseException] = []

    async def callback(turn: TurnContext) -> None:
        # Errors are caught here: the adapter's on_turn_error would otherwise post an apology into the chat.
        token = None
        # A continued turn has no channelData; without a team id, TeamsInfo asks for the conversation's own
        # roster (a chat's members, or for a channel id the team's members).
        turn.activity.channel_data = {}
        try:
            for _ in range(MAX_PAGES):
                page = await TeamsInfo.get_paged_members(turn, token, PAGE_SIZE)
                for m in page.members or []:
                    out.append(Member(m.id or "", getattr(m, "aad_object_id", "") or "", m.name or ""))
                token = page.continuation_token
                if not token:
                    break
        except Exception as exc:
            failed.append(exc)

    try:
        await adapter.continue_conversation(ref, callback, services.settings.app_id or None)
    except Exception as exc:
        failed.append(exc)
    if failed:
        log.warning("could not read conversation members: %s", type(failed[0]).__name__, exc_info=failed[0])
        return []
    return out
