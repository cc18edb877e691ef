"""Welcome, help and registration cards."""

from __future__ import annotations

from collections.abc import Callable

from cards.common import (
    Card,
    Element,
    card,
    choice_input,
    container,
    error_text,
    escape,
    execute,
    submit,
    text,
    text_input,
    title,
    toggle,
)

T = Callable[..., str]


def welcome_card(t: T, *, group: bool) -> Card:
    """Shown when the bot is installed in a chat or team."""
    body = [title(t("welcome.title")), text(t("welcome.body")), text(t("welcome.next"))]
    if group:
        body.append(text(t("welcome.register_hint"), subtle=True))
    return card(body, [submit(t("help.title"), "cmd", {"command": "hjelp"})])


# Commands by task (keyed by the Norwegian command word); a command not listed here goes under "Annet".
HELP_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("meetings", ("avstemning", "avstemninger")),
    ("input", ("innspill", "mine innspill", "oversikt", "eksport", "innspillsrunde")),
    ("phases", ("prosjekter", "faser", "prosjekt ny", "fase")),
    ("broadcasts", ("kunngjøring", "kunngjøringer")),
    ("data", ("mine data", "slett mine data")),
    ("admin", ("registrer", "leder legg til", "logg")),
)
# The buttons in sight, most used first; everything else waits behind "Vis alle kommandoer".
QUICK = {False: ("avstemning", "innspill", "mine innspill", "oversikt", "faser"),
         True: ("kunngjøring", "innspillsrunde", "faser", "oversikt", "avstemning")}


def help_card(t: T, commands: list[tuple[str, str, str, bool]], *, is_leader: bool) -> Card:
    """Commands grouped by task, only those the viewer can use: (key, word as typed, description, leader only).

    At most five command buttons and one toggle are in sight (tests/card_rules.py), in rows of three; the other
    commands' buttons open with "Vis alle kommandoer".
    """
    usable = [c for c in commands if (is_leader or not c[3]) and c[0] != "hjelp"]
    grouped: dict[str, list[tuple[str, str, str, bool]]] = {}
    placed = {key: group for group, keys in HELP_GROUPS for key in keys}
    for c in usable:
        grouped.setdefault(placed.get(c[0], "other"), []).append(c)
    body: list[Element] = [title(t("help.title")), text(t("help.intro"), subtle=True)]
    for group in [*(g for g, _ in HELP_GROUPS), "other"]:
        if grouped.get(group):
            body.append(text(t(f"help.group.{group}"), weight="Bolder", spacing="Medium"))
            body += [text(f"**{escape(word)}** – {escape(desc)}", spacing="None") for _, word, desc, _ in grouped[group]]
    by_key = {c[0]: c for c in usable}
    quick = [by_key[k] for k in QUICK[is_leader] if k in by_key]
    rest = [c for c in usable if c not in quick]

    def button(c: tuple[str, str, str, bool]) -> Element:
        """A help card button that runs the command as if typed (label from help.do.*, else the command)."""
        label = t(f"help.do.{c[0]}")
        return submit(label if label != f"help.do.{c[0]}" else c[1], "cmd", {"command": c[1]})

    actions = [button(c) for c in quick]
    hidden = None
    if rest:
        actions.append(toggle(t("help.all"), ["help-all"]))
        hidden = container(_rows_of(3, [button(c) for c in rest]), id="help-all", isVisible=False)
    body += _rows_of(3, actions)  # rows of three: six task labels side by side would be cut in Teams
    if hidden:
        body.append(hidden)
    return card(body)


def suggest_card(t: T, command: str) -> Card:
    """"Mente du **avstemning**?" with a button that runs it (the word is the router's own, never the user's text)."""
    return card([text(t("unknown.suggest", command=command)), text(t("unknown.suggest_more"), subtle=True)],
                [submit(command, "cmd", {"command": command})])


def _rows_of(n: int, actions: list[Element]) -> list[Element]:
    """Buttons as ActionSets of n each."""
    return [{"type": "ActionSet", "actions": actions[i:i + n], "spacing": "Small"} for i in range(0, len(actions), n)]


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
