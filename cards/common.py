"""Building blocks shared by every card: the envelope, escaping, text and form inputs with errors."""

from __future__ import annotations

import re
from typing import Any

from bot.kernel.cardinput import parse_number

CARD_VERSION = "1.5"
MAX_PRIMARY_ACTIONS = 6  # buttons seen without opening anything (tests/card_rules.py defines and checks them)
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

Card = dict[str, Any]
Element = dict[str, Any]

_MD_SPECIAL = re.compile(r"([\\`*_\[\](){}#+\-.!|~])")


class Inert(str):
    """Text that `escape` has made inert; escaping it again changes nothing (so layers may each escape)."""

    __slots__ = ()


def escape(text: object) -> Inert:
    """Make user text inert in a Teams message or card: no markdown, links, mentions or templating survive.

    The one escaping function: card builders call it for user text they place, and `bot.messages.t` calls it for every
    user-text parameter of a catalogue message (see USER_TEXT there).
    """
    if isinstance(text, Inert):
        return text
    s = "" if text is None else str(text)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    # `<at>` mentions and HTML-ish tags: the angle brackets become look-alikes (before escaping, so no `\›` shows).
    s = s.replace("<", "‹").replace(">", "›")
    return Inert(_MD_SPECIAL.sub(r"\\\1", s))


def lines(value: str) -> str:
    """Keep the line breaks someone typed: Teams' markdown joins lines split by one newline, so each line becomes a
    paragraph (blank lines collapse). `value` must already be escaped or made safe."""
    parts = [line.rstrip() for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n\n".join(p for p in parts if p.strip())


def clip(text: object, limit: int) -> str:
    """Shorten text for display, with an ellipsis."""
    s = "" if text is None else str(text)
    return s if len(s) <= limit else s[: max(0, limit - 1)].rstrip() + "…"


def card(body: list[Element], actions: list[Element] | None = None, **extra: Any) -> Card:
    """An Adaptive Card 1.5 envelope that fills the width in Teams."""
    out: Card = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        out["actions"] = actions
    out.update(extra)
    return out


def attachment(content: Card) -> dict[str, Any]:
    """A card as a message attachment."""
    return {"contentType": CONTENT_TYPE, "content": content}


def text(value: str, *, size: str | None = None, weight: str | None = None, color: str | None = None,
         subtle: bool = False, wrap: bool = True, spacing: str | None = None, **extra: Any) -> Element:
    """A TextBlock; `value` must already be escaped where it holds user text."""
    el: Element = {"type": "TextBlock", "text": value, "wrap": wrap}
    if size:
        el["size"] = size
    if weight:
        el["weight"] = weight
    if color:
        el["color"] = color
    if subtle:
        el["isSubtle"] = True
    if spacing:
        el["spacing"] = spacing
    el.update(extra)
    return el


def title(value: str) -> Element:
    """The card's heading."""
    return text(value, size="Large", weight="Bolder", style="heading")


def error_text(message: str | None) -> list[Element]:
    """A red line under an input, or nothing."""
    return [text(message, color="Attention", size="Small", spacing="None")] if message else []


def facts(pairs: list[tuple[str, str]]) -> Element:
    """A FactSet; values must already be escaped."""
    return {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in pairs]}


def execute(title_: str, verb: str, data: dict[str, Any] | None = None, *, style: str | None = None,
            associated_inputs: str | None = None) -> Element:
    """An Action.Execute button (Universal Actions) routed by verb."""
    el: Element = {"type": "Action.Execute", "title": title_, "verb": verb, "data": {"verb": verb, **(data or {})}}
    if style:
        el["style"] = style
    if associated_inputs:
        el["associatedInputs"] = associated_inputs
    return el


def submit(title_: str, verb: str, data: dict[str, Any] | None = None, *, style: str | None = None) -> Element:
    """An Action.Submit button; the bot routes it by the `verb` in its data."""
    el: Element = {"type": "Action.Submit", "title": title_, "data": {"verb": verb, **(data or {})}}
    if style:
        el["style"] = style
    return el


def open_dialog(title_: str, verb: str, data: dict[str, Any] | None = None) -> Element:
    """A button that opens a Teams dialog (task module) for the one who presses it: the verb's form (bot.chat.dialog)."""
    return {"type": "Action.Submit", "title": title_, "data": {"msteams": {"type": "task/fetch"}, "verb": verb, **(data or {})}}


def launcher_card(line: str, note: str, button: str, verb: str, data: dict[str, Any] | None = None) -> Card:
    """What a group chat sees instead of a form: who is writing what, and a button opening the form in a dialog."""
    return card([text(line, weight="Bolder"), text(note, subtle=True, size="Small")], [open_dialog(button, verb, data)])


def open_url(title_: str, url: str) -> Element:
    """An Action.OpenUrl button."""
    return {"type": "Action.OpenUrl", "title": title_, "url": url}


def _input(kind: str, id_: str, label: str, *, required: bool, error: str | None, **props: Any) -> list[Element]:
    """An input element with its label, required marker and error line; the shared core of every input helper."""
    # Teams marks a required input's label itself: adding "*" here would show two.
    el: Element = {"type": kind, "id": id_, "label": label}
    el.update({k: v for k, v in props.items() if v is not None and v != ""})
    if required:
        el["isRequired"] = True
        el.setdefault("errorMessage", props.get("errorMessage") or "Må fylles ut.")
    return [el, *error_text(error)]


def text_input(id_: str, label: str, value: str = "", *, required: bool = False, error: str | None = None,
               multiline: bool = False, max_length: int | None = None, placeholder: str = "") -> list[Element]:
    """A text input with its label and server-side error."""
    return _input("Input.Text", id_, label, required=required, error=error, value=value, isMultiline=multiline or None,
                  maxLength=max_length, placeholder=placeholder)


def number_input(id_: str, label: str, value: str | float | None = None, *, required: bool = False,
                 error: str | None = None, minimum: float | None = None, maximum: float | None = None) -> list[Element]:
    """A number input; value is kept as entered."""
    val = None if value in (None, "") else parse_number(value)  # as typed when it is a number; never inf or NaN
    return _input("Input.Number", id_, label, required=required, error=error, value=val, min=minimum, max=maximum)


def numeric_text_input(id_: str, label: str, value: str | float | None = None, *, hint: str,
                       error: str | None = None, required: bool = False) -> list[Element]:
    """A number typed as text: what was typed comes back to the bot (Input.Number drops letters silently), so the
    bot can answer with a field error and keep the input; `hint` ('bare tall') is the placeholder."""
    shown = "" if value is None else str(value)
    return _input("Input.Text", id_, f"{label} ({hint})", required=required, error=error, value=shown,
                  maxLength=40, placeholder=hint)


def date_input(id_: str, label: str, value: str = "", *, required: bool = False, error: str | None = None) -> list[Element]:
    """A date input (YYYY-MM-DD)."""
    return _input("Input.Date", id_, label, required=required, error=error, value=value)


def time_input(id_: str, label: str, value: str = "", *, required: bool = False, error: str | None = None) -> list[Element]:
    """A time input (HH:MM)."""
    return _input("Input.Time", id_, label, required=required, error=error, value=value)


def choice_input(id_: str, label: str, choices: list[tuple[str, str]], value: str = "", *, required: bool = False,
                 error: str | None = None, multi: bool = False, style: str = "compact") -> list[Element]:
    """A ChoiceSet: choices are (title, value); titles must already be plain text (they are not markdown)."""
    return _input(
        "Input.ChoiceSet", id_, label, required=required, error=error, value=value,
        choices=[{"title": t, "value": v} for t, v in choices], isMultiSelect=multi or None, style=style,
    )


def toggle_input(id_: str, label: str, title_: str, value: bool = False) -> list[Element]:
    """A toggle ('true' / 'false')."""
    return [{"type": "Input.Toggle", "id": id_, "label": label, "title": title_,
             "value": "true" if value else "false", "valueOn": "true", "valueOff": "false"}]


def container(items: list[Element], **props: Any) -> Element:
    """A Container."""
    return {"type": "Container", "items": items, **props}


def toggle(title_: str, targets: list[str]) -> Element:
    """An Action.ToggleVisibility that opens (and closes again) the elements with these ids."""
    return {"type": "Action.ToggleVisibility", "title": title_, "targetElements": targets}


def rows_with_actions(rows: list[tuple[list[Element], list[Element]]], *, budget: int, toggle_title: str,
                      id_prefix: str) -> list[Element]:
    """List rows (items, buttons): the buttons shown in each row while they fit in `budget` primary actions,
    otherwise hidden in every row and opened together by one toggle above the list (tests/card_rules.py)."""
    total = sum(len(actions) for _, actions in rows)
    out: list[Element] = []
    ids: list[str] = []
    for i, (items, actions) in enumerate(rows):
        row = list(items)
        if actions and total <= budget:
            row.append({"type": "ActionSet", "actions": actions})
        elif actions:
            ids.append(f"{id_prefix}-{i}")
            row.append(container([{"type": "ActionSet", "actions": actions}], id=ids[-1], isVisible=False,
                                 spacing="Small"))
        out.append(container(row, separator=True))
    if ids:
        out.insert(0, {"type": "ActionSet", "actions": [toggle(toggle_title, ids)]})
    return out


def columns(*cols: tuple[list[Element], str | int]) -> Element:
    """A ColumnSet from (items, width) pairs."""
    return {"type": "ColumnSet", "columns": [{"type": "Column", "width": w, "items": items} for items, w in cols]}
