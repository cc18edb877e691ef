"""Welcome, help and registration cards."""

from __future__ import annotations

from collections.abc import Callable

from cards.common import Card, card, choice_input, error_text, escape, execute, submit, text, text_input, title

T = Callable[..., str]


def welcome_card(t: T, *, group: bool) -> Card:
    """Shown when the bot is installed in a chat or team."""
    body = [title(t("welcome.title")), text(t("welcome.body")), text(t("welcome.next"))]
    if group:
        body.append(text(t("welcome.register_hint"), subtle=True))
    return card(body, [submit(t("help.title"), "cmd", {"command": "hjelp"})])


def help_card(t: T, commands: list[tuple[str, str, bool]], *, is_leader: bool) -> Card:
    """Every command with a button each: (command word, description, leader only)."""
    body = [title(t("help.title")), text(t("help.intro"), subtle=True)]
    actions = []
    for word, description, leader_only in commands:
        note = f" ({t('help.leader_only')})" if leader_only else ""
        body.append(
            {
                "type": "ColumnSet",
                "columns": [
                    {"type": "Column", "width": "auto", "items": [text(f"**{escape(word)}**")]},
                    {"type": "Column", "width": "stretch", "items": [text(escape(description) + note)]},
                ],
                "selectAction": {"type": "Action.Submit", "data": {"verb": "cmd", "command": word}},
            }
        )
        if not leader_only or is_leader:
            actions.append(submit(word, "cmd", {"command": word}))
    body.append({"type": "ActionSet", "actions": actions[:12]})
    return card(body)


def register_card(t: T, faggrupper: list[str], *, value: str = "", new: str = "", error: str | None = None) -> Card:
    """Choose the faggruppe of this chat or add a new one."""
    body = [
        title(t("register.title")),
        text(t("register.intro")),
        *choice_input("faggruppe", t("register.choose"), [(f, f) for f in faggrupper], value=value),
        *text_input("new_faggruppe", t("register.new"), new, max_length=120),
        *error_text(error),
    ]
    return card(body, [execute(t("register.submit"), "faggruppe.register", style="positive")])
