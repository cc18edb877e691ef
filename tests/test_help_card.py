"""`hjelp` over the wire: grouped by task, members see only what they can use, six buttons at most, no backslashes."""

from __future__ import annotations

from tests import card_rules as rules
from tests.harness import TeamsClient, find_action
from tests.needs_support import texts


async def test_member_sees_their_commands_grouped_with_few_buttons(teams: TeamsClient, members):
    user = members[0]
    card = (await teams.send(teams.personal(user), user, "hjelp")).card
    shown = "\n".join(texts(card))
    for heading in ("Møter", "Innspill", "Prosjekter og faser", "Mine data"):
        assert heading in shown
    for leader_only in ("Kunngjøringer", "Administrasjon", "**innspillsrunde**", "**fase**", "**registrer**", "**logg**"):
        assert leader_only not in shown
    assert "prosjektleder" not in shown  # no "(kun prosjektleder)" notes
    primary = rules.primary_actions(card)
    assert primary == ["Ny møteavstemning", "Nytt innspill", "Mine innspill", "Oversikt", "Faser og frister",
                       "Vis alle kommandoer"]
    more = find_action(card, "Vis alle kommandoer")
    assert more["type"] == "Action.ToggleVisibility" and more["targetElements"] == ["help-all"]
    rest = find_action(card, "Slett mine data")
    assert rest["data"] == {"verb": "cmd", "command": "slett mine data"}


async def test_leader_view_has_leader_tasks_and_no_literal_backslash(teams: TeamsClient, leader):
    card = (await teams.send(teams.personal(leader), leader, "hjelp")).card
    shown = "\n".join(texts(card))
    assert "Kunngjøringer" in shown and "Administrasjon" in shown
    assert "(fase ‹fase› ‹prosjekt›)" in shown.replace("\\(", "(").replace("\\)", ")")
    assert rules.literal_backslashes(card) == []
    assert rules.primary_actions(card)[:2] == ["Ny kunngjøring", "Start innspillsrunde"]
    assert len(rules.primary_actions(card)) == 6
    assert find_action(card, "Ny kunngjøring")["data"] == {"verb": "cmd", "command": "kunngjøring"}


async def test_english_help_buttons_send_english_words(teams: TeamsClient, members):
    user = members[1]
    card = (await teams.send(teams.personal(user), user, "help", locale="en-GB")).card
    assert find_action(card, "New meeting poll")["data"] == {"verb": "cmd", "command": "poll"}
    assert "Meetings" in "\n".join(texts(card))


def test_escape_leaves_no_backslash_before_angle_brackets():
    from cards.common import escape

    assert escape("a > b <c>") == "a › b ‹c›"
    assert escape("> sitat") == "› sitat"  # no blockquote either
