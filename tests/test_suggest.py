"""Unknown text close to a command gets "Mente du **avstemning**?" with a button; far text keeps the plain hint."""

from __future__ import annotations

from tests import card_rules as rules
from tests.harness import TeamsClient, find_action
from tests.needs_support import texts


async def test_typo_gets_a_suggestion_with_a_button(teams: TeamsClient, members):
    user = members[0]
    conv = teams.personal(user)
    card = (await teams.send(conv, user, "avstemming")).card
    assert "Mente du **avstemning**?" in "\n".join(texts(card))
    button = find_action(card, "avstemning")
    assert button["data"] == {"verb": "cmd", "command": "avstemning"}
    assert rules.weak_colours(card) == [] and rules.literal_backslashes(card) == []
    pressed = await teams.press(conv, user, card, "avstemning")
    assert pressed.status < 300 and "avstemning" in pressed.texts[0]  # the button runs the command itself


async def test_innspil_suggests_innspill_also_in_a_group(teams: TeamsClient, members):
    user = members[1]
    card = (await teams.send(teams.group("Oppvekst", members), user, "innspil")).card
    assert "Mente du **innspill**?" in "\n".join(texts(card))


async def test_far_text_keeps_the_plain_hint(teams: TeamsClient, members):
    user = members[0]
    result = await teams.send(teams.personal(user), user, "xyzzy")
    assert result.texts == ["Det forstod jeg ikke. Skriv **hjelp** for å se hva jeg kan."]
    assert result.cards == []


async def test_english_typo_gets_english_words(teams: TeamsClient, members):
    user = members[2]
    card = (await teams.send(teams.personal(user), user, "helpp", locale="en-US")).card
    assert "Did you mean **help**?" in "\n".join(texts(card))


async def test_hostile_text_is_never_echoed(teams: TeamsClient, members):
    user = members[0]
    hostile = "avstemming **fet** [lenke](https://evil.example) <script>x</script> ![](https://evil.example/p.png)"
    result = await teams.send(teams.personal(user), user, hostile)
    shown = "\n".join(texts(result.card))
    assert "Mente du **avstemning**?" in shown
    for bit in ("evil.example", "<script>", "**fet**"):
        assert bit not in shown
    far = await teams.send(teams.personal(user), user, "[klikk](https://evil.example) *x*")
    assert far.texts == ["Det forstod jeg ikke. Skriv **hjelp** for å se hva jeg kan."]
