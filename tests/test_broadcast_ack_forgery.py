"""Defect 8: only members of a chat a broadcast was delivered to can mark it read, once each.

A forged "Lest" from any other chat is refused and leaves the read counts as they were.
"""

from __future__ import annotations

from bot.broadcasts.service import broadcaster
from tests.broadcast_helpers import compose, quick_chats
from tests.fakes.connector import card_of
from tests.harness import TeamsClient
from tests.test_broadcasts_e2e import bid_of, wait_done

REFUSED = "bare merke en kunngjøring som lest i en chat den ble sendt til"


def forged(bid: int) -> dict:
    """A card anyone can build: the "Lest" button with a guessed broadcast id."""
    return {"type": "AdaptiveCard", "actions": [{"type": "Action.Execute", "title": "Lest", "verb": "broadcast.ack",
                                                 "data": {"broadcast_id": bid}}]}


async def test_forged_and_double_acks_do_not_count(teams: TeamsClient, bot, leader, members):
    chats = await quick_chats(teams, bot, leader, {"Oppvekst": 2, "Ungdom": 1})
    target, dead, other = chats["Oppvekst"][0], chats["Oppvekst"][1], chats["Ungdom"][0]
    teams.connector.fail(403, conversation=dead.id, code="BotNotInConversationRoster")
    personal = teams.personal(leader)
    preview = await compose(teams, personal, leader, ack="true", mode="some", faggrupper="Oppvekst")
    bid = bid_of(preview)
    await teams.press(personal, leader, preview, "Send")
    await wait_done(bot, teams, bid)
    repo = broadcaster(bot.services).repo

    # From a chat that was not a target, from a personal chat, from a target whose delivery failed: refused.
    for conv, who in ((other, members[0]), (teams.personal(members[1]), members[1]), (dead, members[2]),
                      (personal, leader)):
        res = await teams.press(conv, who, forged(bid), "Lest")
        assert REFUSED in res.invoke_message, (conv.kind, res.invoke_message, res.body)
    assert await repo.read_counts(bid) == {}

    # A member of the chat it reached: counted once, however often pressed.
    card = card_of(teams.connector.sent(target.id)[0])
    for _ in range(3):
        await teams.press(target, members[0], card, "Lest")
    await teams.press(target, members[1], forged(bid), "Lest")  # the same button, built by hand, in the right chat
    assert await repo.read_counts(bid) == {"Oppvekst": 2}
