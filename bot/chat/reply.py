"""A handler's answer, host-neutral: a card and/or text, with people @mentioned."""

from __future__ import annotations

from dataclasses import dataclass, field

from cards.common import Card


@dataclass
class Reply:
    """A handler's answer. `replace` swaps the card the action came from (forms, votes). `private` replies (links to
    the requester's files) go to the requester's personal chat when asked in a group (see bot.chat.private)."""

    card: Card | None = None
    text: str | None = None
    replace: bool = False
    private: bool = False
    mentions: list[tuple[str, str]] = field(default_factory=list)


def as_reply(reply: Reply | Card | str) -> Reply:
    """A text or card as a Reply."""
    if isinstance(reply, Reply):
        return reply
    return Reply(text=reply) if isinstance(reply, str) else Reply(card=reply)
