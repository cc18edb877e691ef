"""Private delivery: what only the requester may see (links to their files) goes to their personal chat, never to a group."""

from __future__ import annotations

import html
import json
import logging
import re
from typing import TYPE_CHECKING

from bot.chat.turn import Ctx, Reply
from bot.messages import t
from bot.storage.conversations import ConversationInfo
from bot.storage.downloads import LinkState
from cards.common import attachment

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
LINK_PATH_RE = r"/downloads/([A-Za-z0-9_-]{16,100})"


def link_page(state: LinkState) -> str:
    """The small page a browser shows for a used, expired or unknown link (Norwegian first, English below)."""
    key = "download.gone" if state == LinkState.GONE else "download.unknown"
    nb, en = t(f"{key}.title", "nb"), t(f"{key}.title", "en")
    return (f'<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>{html.escape(nb)}</title></head>'
            f"<body><h1>{html.escape(nb)}</h1><p>{html.escape(t(f'{key}.body', 'nb'))}</p>"
            f'<p lang="en">{html.escape(en)}. {html.escape(t(f"{key}.body", "en"))}</p></body></html>')


def download_tokens(services: Services, reply: Reply) -> list[str]:
    """Tokens of links to this bot's downloads in a reply (card or text)."""
    shown = json.dumps(reply.card or {}) + (reply.text or "")
    base = re.escape(services.settings.public_base_url)
    return re.findall(base + LINK_PATH_RE, shown)


async def route(ctx: Ctx, replies: list[Reply]) -> list[Reply]:
    """In a group chat or channel, send replies that carry personal links to the requester's personal chat instead,
    and answer in the group where they went. Links that could not be delivered are revoked."""
    if not ctx.is_group or not replies:
        return replies
    out: list[Reply] = []
    notice: str | None = None
    for reply in replies:
        tokens = download_tokens(ctx.services, reply)
        if not reply.private and not await ctx.services.downloads.is_personal(tokens):
            out.append(reply)
            continue
        sent = await send_privately(ctx, reply)
        if not sent:
            await ctx.services.downloads.revoke(tokens)
        notice = notice if notice and sent else ctx.t("privacy.sent_privately" if sent else "privacy.private_failed")
    if notice:
        out.append(Reply(text=notice))
    return out


async def send_privately(ctx: Ctx, reply: Reply) -> bool:
    """Send a reply to the actor's personal chat with the bot (opened if need be); False when that is impossible."""
    engine = ctx.services.delivery
    if engine is None:
        return False
    try:
        chat = await personal_chat(ctx)
        if chat is None:
            return False
        activity: dict[str, object] = {"type": "message", "text": reply.text or ""}
        if reply.card is not None:
            activity["attachments"] = [attachment(reply.card)]
        await engine.send_now(chat.id, activity)
        return True
    except Exception as exc:  # a failed private send must never fall back to the group
        log.warning("private delivery failed: %s", type(exc).__name__)
        return False


async def personal_chat(ctx: Ctx) -> ConversationInfo | None:
    """The actor's personal chat with the bot; created through the connector when there is none yet."""
    s = ctx.services
    found = await s.conversations.personal_chat_of(ctx.actor.id)
    if found is not None and found.active:
        return found
    return await open_personal_chat(s, ctx)


async def open_personal_chat(services: Services, ctx: Ctx) -> ConversationInfo | None:
    """Ask the host for a 1:1 conversation with the actor of this turn and store its reference."""
    chat = await ctx.messenger.open_personal_chat()
    if chat is None:
        return None
    await services.conversations.touch(conversation_id=chat.id, kind="personal", tenant_id=chat.tenant_id, team_id="",
                                       service_url=chat.service_url, reference=chat.reference, person_id=ctx.actor.id)
    await services.conversations.touch_member(chat.id, ctx.actor.id)
    return await services.conversations.get(chat.id)
