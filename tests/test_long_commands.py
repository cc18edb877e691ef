"""Long texts cannot block the bot: a 240 KB command is refused at once (by message and through the card path),
another chat is answered meanwhile, and command matching keeps its meaning (multi-word names, punctuation, arguments).
"""

from __future__ import annotations

import asyncio

from bot.chat.routes import MAX_COMMAND_CHARS
from bot.features import build_router
from tests.fakes.connector import card_of
from tests.harness import TeamsClient

LONG = "hjelp " + "a " * 120_000  # 240 KB: every word a candidate for a command name before the fix
REFUSED = "for lang til å være en kommando"


def _texts(teams: TeamsClient, conv_id: str) -> list[str]:
    return [a.get("text") or "" for a in teams.connector.sent(conv_id)]


async def test_long_text_is_refused_while_another_chat_is_answered(teams: TeamsClient, members, leader):
    user, other = members[0], members[1]
    me, elsewhere = teams.personal(user), teams.personal(other)
    long_post = asyncio.create_task(teams.send(me, user, LONG))
    other_answer = await teams.send(elsewhere, other, "hjelp")
    res = await long_post
    assert res.status in (200, 201)
    assert any(REFUSED in t for t in _texts(teams, me.id)), _texts(teams, me.id)
    assert not any(card_of(a) for a in teams.connector.sent(me.id)), "the long text was run as a command"
    assert other_answer.status in (200, 201) and any(card_of(a) for a in teams.connector.sent(elsewhere.id))
    # A group chat, the bot @mentioned: the same refusal; unmentioned long text is ignored as before.
    group = teams.group("Oppvekst", [leader, user])
    res = await teams.send(group, user, LONG)
    assert any(REFUSED in t for t in res.texts), res.texts
    res = await teams.send(group, user, LONG, mention=False)
    assert res.sent == []


async def test_long_command_through_the_card_path_is_refused(teams: TeamsClient, members):
    user = members[0]
    me = teams.personal(user)
    submit = {"type": "AdaptiveCard", "actions": [{"type": "Action.Submit", "title": "s", "data": {"verb": "cmd"}}]}
    res = await teams.press(me, user, submit, "s", inputs={"command": LONG})
    assert any(REFUSED in t for t in res.texts), res.texts
    execute = {"type": "AdaptiveCard", "actions": [{"type": "Action.Execute", "title": "e", "verb": "cmd",
                                                    "data": {"command": LONG}}]}
    res = await teams.press(me, user, execute, "e")
    assert res.status == 200 and REFUSED in res.invoke_message
    # At the limit a command still works.
    res = await teams.press(me, user, execute, "e", inputs={"command": "hjelp " + "x" * (MAX_COMMAND_CHARS - 6)})
    assert res.status == 200 and not res.invoke_message
    res = await teams.press(me, user, execute, "e", inputs={"command": "Hjelp?"})
    assert res.status == 200 and not res.invoke_message


def test_matching_keeps_names_punctuation_and_arguments():
    router = build_router()
    cases = {
        "hjelp?": ("hjelp", ""),
        "  Mine\u00a0 DATA  ": ("mine data", ""),
        "slett mine data!": ("slett mine data", ""),
        "mine innspill ekstra": ("mine innspill", "ekstra"),
        "avstemning  Møte   neste uke?": ("avstemning", "Møte neste uke?"),
        "leder legg til <at>Åse</at>": ("leder legg til", "<at>Åse</at>"),
        "leder": ("leder", ""),
        "?": ("hjelp", ""),
    }
    for text, (word, args) in cases.items():
        found = router.match(text)
        assert found is not None, text
        assert (found[0].names[0], found[1]) == (router.match(word)[0].names[0], args), text
    assert router.match("mine") is None and router.match("ukjent kommando") is None
    found = router.match(LONG[:MAX_COMMAND_CHARS])
    assert found is not None and found[0].word == "hjelp"
