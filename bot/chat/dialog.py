"""Teams dialogs (task modules), host-neutral: forms that only the person who opened them sees.

A launcher card's button (`Action.Submit` with `msteams.type = task/fetch` and a verb) makes Teams send `task/fetch`;
the verb's handler answers with its form card, shown in a dialog. Buttons in the dialog submit `task/submit` with
the verb and the inputs: a card back keeps the dialog open (errors, the next step), a card without buttons or a
text closes it with that message. Cards are written with Action.Execute; `dialog_card` turns those into
Action.Submit, which is what dialogs run.
"""

from __future__ import annotations

import copy
from typing import Any

from cards.common import Card, attachment

_BUTTONS = ("Action.Execute", "Action.Submit")


def _submit(action: dict[str, Any]) -> dict[str, Any]:
    """One Action.Execute as the Action.Submit a dialog runs, the verb moved into its data."""
    out = {k: v for k, v in action.items() if k not in ("type", "verb", "data")}
    out["type"] = "Action.Submit"
    out["data"] = {**(action.get("data") or {}), "verb": action.get("verb") or (action.get("data") or {}).get("verb")}
    return out


def _convert(node: Any) -> Any:
    """Convert a card tree for a dialog: Execute becomes Submit, and `refresh` goes (dialogs run no refresh)."""
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute":
            return _submit(node)
        return {k: _convert(v) for k, v in node.items() if k != "refresh"}
    if isinstance(node, list):
        return [_convert(item) for item in node]
    return node


def dialog_card(card: Card) -> Card:
    """The card with every Action.Execute as an Action.Submit carrying its verb (dialogs run Action.Submit only)."""
    return _convert(copy.deepcopy(card))


def _has_buttons(node: Any) -> bool:
    """Whether the card has any button: only a card with buttons keeps the dialog open."""
    if isinstance(node, dict):
        return node.get("type") in _BUTTONS or any(_has_buttons(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_buttons(item) for item in node)
    return False


def _first_text(node: Any) -> str:
    """The card's first TextBlock (its heading): the dialog's title, or the message when the dialog closes."""
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            return str(node.get("text", ""))
        for key in ("body", "items"):
            if isinstance(node.get(key), list):
                for item in node[key]:
                    if found := _first_text(item):
                        return found
    return ""


def _plain(markdown: str) -> str:
    """A card heading as plain text for a dialog title or message, at most 200 characters."""
    # User text in it stays escaped (as in every invoke message): only the bold markers go.
    return markdown.replace("**", "").strip()[:200]


def dialog_response(card: Card | None, message: str) -> dict[str, Any]:
    """The task/fetch or task/submit response body: the card in a dialog, or a closing message."""
    if card is not None and _has_buttons(card):
        return {"task": {"type": "continue", "value": {
            "title": _plain(_first_text(card)) or "Faggruppe-bot", "width": "large", "height": "large",
            "card": attachment(dialog_card(card)),
        }}}
    text = _plain(_first_text(card)) if card is not None else message
    return {"task": {"type": "message", "value": text or message}}
