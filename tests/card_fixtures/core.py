"""Foundation cards: welcome, help, register (with and without error)."""

from __future__ import annotations

from typing import Any

from bot.domain.defaults import FAGGRUPPER
from bot.messages import t
from cards.core import help_card, register_card, welcome_card


def _t(key: str, **p: object) -> str:
    return t(key, "nb-NO", **p)


def fixtures() -> dict[str, dict[str, Any]]:
    commands = [("hjelp", _t("help.cmd.hjelp"), False), ("registrer", _t("help.cmd.registrer"), True),
                ("leder legg til", _t("help.cmd.leder"), True)]
    return {
        "welcome_group": welcome_card(_t, group=True),
        "welcome_personal": welcome_card(_t, group=False),
        "help_leader": help_card(_t, commands, is_leader=True),
        "help_member": help_card(_t, commands, is_leader=False),
        "register": register_card(_t, list(FAGGRUPPER)),
        "register_error": register_card(_t, list(FAGGRUPPER), new="x" * 130, error=_t("register.too_long")),
    }
