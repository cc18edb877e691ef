"""Line breaks typed in an agenda, a broadcast or a decision comment survive in the card (Teams joins single newlines)."""

from __future__ import annotations

from cards.common import escape, lines
from tests.broadcast_helpers import compose, quick_chats
from tests.card_rules import elements
from tests.harness import TeamsClient, iter_actions
from tests.test_polls_e2e import create_poll

AGENDA = "1. Velkommen\r\n2. Status for BP2\n\n\n3. Eventuelt"


def _texts(card: dict) -> list[str]:
    return [str(el.get("text", "")) for el, _ in elements(card) if el.get("type") == "TextBlock"]


def test_lines_become_paragraphs():
    assert lines(escape(AGENDA)) == "1\\. Velkommen\n\n2\\. Status for BP2\n\n3\\. Eventuelt"
    assert lines("én linje") == "én linje"


async def test_agenda_lines_are_kept_in_the_poll_card(teams: TeamsClient, members):
    conv = teams.group("Oppvekst", members)
    _pid, _aid, card = await create_poll(teams, conv, members[0], agenda=AGENDA)
    assert any(iter_actions(card))
    assert "1\\. Velkommen\n\n2\\. Status for BP2\n\n3\\. Eventuelt" in _texts(card)


async def test_broadcast_lines_are_kept(teams: TeamsClient, bot, leader):
    await quick_chats(teams, bot, leader, {"Oppvekst": 1})
    preview = await compose(teams, teams.personal(leader), leader, message="Hei alle\nMøte i morgen\n**Husk** saksliste")
    assert "Hei alle\n\nMøte i morgen\n\n**Husk** saksliste" in _texts(preview)
