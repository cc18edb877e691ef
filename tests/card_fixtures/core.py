"""Foundation cards: welcome, help, register (with and without error)."""

from __future__ import annotations

from typing import Any

from bot.features import build_router
from bot.kernel.defaults import FAGGRUPPER
from bot.messages import t
from cards.core import help_card, register_card, welcome_card


def _t(key: str, **p: object) -> str:
    return t(key, "nb-NO", **p)


def fixtures() -> dict[str, dict[str, Any]]:
    # every command the bot has, as `hjelp` lists them
    commands = [(c.word, c.word, _t(c.help_key or ""), c.leader) for c in build_router().help_entries()]
    english = [(c.word, c.names[1], t(c.help_key or "", "en"), c.leader) for c in build_router().help_entries()]
    return {
        "welcome_group": welcome_card(_t, group=True),
        "welcome_personal": welcome_card(_t, group=False),
        "help_leader": help_card(_t, commands, is_leader=True),
        "help_member": help_card(_t, commands, is_leader=False),
        "help_member_en": help_card(lambda k, **p: t(k, "en", **p), english, is_leader=False),
        "register": register_card(_t, list(FAGGRUPPER)),
        "register_error": register_card(_t, list(FAGGRUPPER), new="x" * 130, error=_t("register.too_long")),
    }
