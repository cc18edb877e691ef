"""The list of a chat's open meeting polls, with links to their cards."""

from __future__ import annotations

from datetime import tzinfo
from urllib.parse import quote

from bot.polls.model import Poll
from cards.common import Card, Element, card, container, escape, execute, open_url, text, title
from cards.polls import T, deadline_text


def message_link(conversation_id: str, activity_id: str) -> str:
    """A Teams deep link to a message."""
    return f"https://teams.microsoft.com/l/message/{quote(conversation_id, safe='')}/{quote(activity_id, safe='')}"


def list_card(t: T, polls: list[tuple[Poll, int]], tz: tzinfo) -> Card:
    """Open polls of a chat: (poll, how many answered)."""
    body: list[Element] = [title(t("polls.list.title"))]
    if not polls:
        body.append(text(t("polls.list.empty")))
    for poll, answered in polls:
        buttons: list[Element] = []
        if poll.activity_id and not poll.message_gone:
            buttons.append(open_url(t("polls.list.open"), message_link(poll.conversation_id, poll.activity_id)))
        buttons.append(execute(t("polls.list.show"), "poll.show", {"poll_id": poll.id}))
        body.append(container([
            text(f"**{escape(poll.title)}**"),
            text(t("polls.list.item", n=answered, deadline=deadline_text(t, poll.deadline, tz)), subtle=True,
                 size="Small", spacing="None"),
            {"type": "ActionSet", "actions": buttons},
        ], separator=True))
    return card(body)
