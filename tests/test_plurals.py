"""Counted texts pick 'one' or 'other' through the catalogue (`key.one` / `key.other`, chosen by `n`)."""

from __future__ import annotations

import json

from bot.messages import catalogue, plural_form, t
from tests.broadcast_helpers import compose, quick_chats
from tests.harness import TeamsClient


def test_plural_rule_and_catalogue_pairs():
    assert [plural_form(n) for n in (0, 1, 2, "1", "1 234", 21)] == ["other", "one", "other", "one", "other", "other"]
    for lang, texts in catalogue().items():
        for key in texts:
            if key.endswith(".one"):
                assert key[:-4] + ".other" in texts, f"{lang}: {key} has no .other"
    assert t("polls.card.answered", "en-US", n=1) == "1 has answered"
    assert t("polls.card.answered", "en-US", n=3) == "3 have answered"
    assert t("needs.campaign.report_intro", "en-US", deadline="x", n=1).endswith("1 entry in total.")


async def test_one_chat_in_one_faggruppe_is_singular(teams: TeamsClient, bot, leader):
    await quick_chats(teams, bot, leader, {"Oppvekst": 1})
    preview = await compose(teams, teams.personal(leader), leader, title="Én mottaker")
    shown = json.dumps(preview, ensure_ascii=False)
    assert "1 chat i 1 faggruppe" in shown and "faggrupper" not in shown.split("1 chat i ")[1][:20]


async def test_many_chats_are_plural(teams: TeamsClient, bot, leader):
    await quick_chats(teams, bot, leader, {"Oppvekst": 2, "Helse": 1})
    preview = await compose(teams, teams.personal(leader), leader, title="Flere mottakere")
    assert "3 chatter i 2 faggrupper" in json.dumps(preview, ensure_ascii=False)
