"""What the chat hears from a poll: the result message with @mentions and the reminder's mentions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from typing import Any

from bot.calendar.port import BOOKING_BOOKED, BOOKING_PENDING
from bot.messages import t as translate
from bot.polls.model import Poll, Vote
from cards.common import escape
from cards.polls import long_label
from cards.when import moment

T = Callable[..., str]
# Characters that would end the <at> tag, open an entity or turn on markdown inside the mention: dropped.
_NOT_IN_MENTION = re.compile(r"[<>&*_`~#|\\\[\](){}\r\n\t]+")
MAX_MENTION = 100


def translator(locale: str) -> T:
    """The catalogue in one locale, as cards take it."""
    return lambda key, **p: translate(key, locale, **p)


def mention_name(name: str) -> str:
    """A display name made safe for `<at>name</at>` (the entity's text must match the message text exactly)."""
    clean = " ".join(_NOT_IN_MENTION.sub(" ", name or "").split())[:MAX_MENTION].strip()
    return clean or "?"


def mentions(people: Iterable[tuple[str, str]]) -> tuple[str, list[dict[str, Any]]]:
    """(channel id, name) pairs as '<at>A</at>, <at>B</at>' and their mention entities (one per person)."""
    tags: list[str] = []
    entities: list[dict[str, Any]] = []
    for channel_id, name in dict(people).items():  # one mention per channel id
        tag = f"<at>{mention_name(name)}</at>"
        tags.append(tag)
        entities.append({"type": "mention", "text": tag, "mentioned": {"id": channel_id, "name": mention_name(name)}})
    return ", ".join(tags), entities


def _md_url(url: str) -> str:
    # A bracket or space in the URL would end the markdown link early.
    """`url` with the characters that would end a markdown link escaped."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def result_activity(tr: T, poll: Poll, votes: Iterable[Vote], tz: tzinfo, link_until: datetime | None) -> dict[str, Any]:
    """The message that tells the chat the chosen time, with the join link or the calendar file, and @mentions.

    Everyone who answered is mentioned (Teams notifies on mentions, not on card edits); an anonymous poll mentions
    no one, since the mentions would show who took part.
    """
    slot = poll.chosen
    assert slot is not None
    lines = [tr("polls.result.when", title=escape(poll.title), when=long_label(tr, slot.start, poll.end_of(slot), tz))]
    if not poll.online and poll.location:
        lines.append(tr("polls.result.where", where=escape(poll.location)))
    if poll.booking_state == BOOKING_BOOKED:
        lines.append(tr("polls.result.booked"))
        if poll.join_url:
            lines.append(tr("polls.result.join", url=_md_url(poll.join_url)))
    elif poll.booking_state == BOOKING_PENDING:
        lines.append(tr("polls.result.pending"))
    elif poll.ics_url:
        until = moment(tr, link_until, tz) if link_until else ""
        lines.append(tr("polls.result.ics", url=_md_url(poll.ics_url), time=until))
    entities: list[dict[str, Any]] = []
    if not poll.anonymous:
        answered = sorted({(v.voter_channel_id, v.voter_name) for v in votes if v.voter_channel_id}, key=lambda p: p[1])
        if answered:
            tags, entities = mentions(answered)
            lines.append(tr("polls.result.answered", mentions=tags))
    return {"type": "message", "text": "\n\n".join(lines), "textFormat": "markdown", "entities": entities}

