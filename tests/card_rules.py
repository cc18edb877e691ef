"""Colour, action and accessibility rules every card must keep (run over all card fixtures by test_card_basics).

- **Readable colour**: no text in `good` or `warning`. Teams' light theme draws them at 2.07:1 and 1.47:1 on white
  (WCAG AA asks 4.5:1). Text uses the default colour, `attention` or `accent`; colour is only an extra cue beside an
  icon or a bold word, never the only carrier of meaning.
- **At most six primary actions**: the buttons a viewer sees without opening anything, that is the card's top-level
  `actions` plus the actions of every `ActionSet` that is neither inside an element hidden at first
  (`isVisible: false`, opened by an `Action.ToggleVisibility`) nor inside an `Action.ShowCard`'s card. Not counted:
  `selectAction`s (not buttons) and *answer rows*: an `ActionSet` whose `id` starts with `answers-` and holds at most
  three `Action.Execute` with one verb (one tap answers one item, like Ja / Om nødvendig / Nei on a poll slot).
  Answer rows are checked to be just that.
- **No literal backslash**: a backslash shows as itself unless it escapes ASCII punctuation in markdown text
  (TextBlock text, FactSet titles and values); in plain-text places (button titles, labels, placeholders, choices,
  toggle titles, TextRun text) any backslash shows.
- **At most six buttons per set**, hidden or not: Teams' host config (maxActions) cuts the rest.
- **One required marker**: Teams adds its own marker to a required input's label, so the label carries none.
- **Every input labelled**: each `Input.*` has a label with visible words (not `" "`).
- **One way to write a time** (Norwegian cards): no "16:18" or "03.12.2026" in shown text; times go through
  cards.when ("tirsdag 8. desember kl. 10.00", Språkrådet's style).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cards.common import MAX_PRIMARY_ACTIONS

MAX_PRIMARY = MAX_PRIMARY_ACTIONS

WEAK_COLOURS = {"good", "warning"}
ANSWER_ROW_PREFIX = "answers-"
MAX_ANSWER_ROW = 3
_MD_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")  # CommonMark: a backslash before ASCII punctuation is an escape


def elements(node: Any, hidden: bool = False) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every element and action with whether it is out of sight at first (hidden container or ShowCard card)."""
    if isinstance(node, dict):
        hidden = hidden or node.get("isVisible") is False
        yield node, hidden
        for key, value in node.items():
            yield from elements(value, hidden or (key == "card" and node.get("type") == "Action.ShowCard"))
    elif isinstance(node, list):
        for item in node:
            yield from elements(item, hidden)


def weak_colours(card: dict[str, Any]) -> list[str]:
    """Texts drawn in a colour that fails contrast on Teams' light theme."""
    return [el.get("text", "")[:60] for el, _ in elements(card)
            if el.get("type") in ("TextBlock", "TextRun") and str(el.get("color", "")).lower() in WEAK_COLOURS]


def _is_answer_row(el: dict[str, Any]) -> bool:
    return str(el.get("id", "")).startswith(ANSWER_ROW_PREFIX)


def answer_row_problems(card: dict[str, Any]) -> list[str]:
    """Answer rows that are not a few one-verb answers (so they cannot hide primary actions)."""
    out = []
    for el, _ in elements(card):
        if el.get("type") == "ActionSet" and _is_answer_row(el):
            acts = el.get("actions") or []
            verbs = {a.get("verb") for a in acts}
            if len(acts) > MAX_ANSWER_ROW or len(verbs) != 1 or any(a.get("type") != "Action.Execute" for a in acts):
                out.append(str(el.get("id")))
    return out


def primary_actions(card: dict[str, Any]) -> list[str]:
    """Titles of the buttons seen without opening anything (see the module docstring)."""
    titles = [str(a.get("title", "")) for a in card.get("actions") or []]
    for el, hidden in elements(card.get("body") or []):
        if el.get("type") == "ActionSet" and not hidden and not _is_answer_row(el):
            titles += [str(a.get("title", "")) for a in el.get("actions") or []]
    return titles


def oversized_action_sets(card: dict[str, Any]) -> list[int]:
    """Button sets Teams would cut (its host config draws at most six actions per set, hidden or not)."""
    sets = [el.get("actions") or [] for el, _ in elements(card) if el.get("type") in ("ActionSet", "AdaptiveCard")]
    return [len(s) for s in sets if len(s) > MAX_PRIMARY]


def _plain_texts(card: dict[str, Any]) -> Iterator[str]:
    for el, _ in elements(card):
        kind = str(el.get("type", ""))
        if kind.startswith("Action."):
            yield str(el.get("title", ""))
        elif kind.startswith("Input."):
            yield from (str(el.get(k, "")) for k in ("label", "placeholder", "title", "errorMessage"))
            yield from (str(c.get("title", "")) for c in el.get("choices") or [])
        elif kind == "TextRun":
            yield str(el.get("text", ""))


def _markdown_texts(card: dict[str, Any]) -> Iterator[str]:
    for el, _ in elements(card):
        if el.get("type") == "TextBlock":
            yield str(el.get("text", ""))
        elif el.get("type") == "FactSet":
            for fact in el.get("facts") or []:
                yield from (str(fact.get("title", "")), str(fact.get("value", "")))


def literal_backslashes(card: dict[str, Any]) -> list[str]:
    """Texts in which a backslash would show."""
    found = [s[:60] for s in _plain_texts(card) if "\\" in s]
    return found + [s[:60] for s in _markdown_texts(card) if "\\" in _MD_ESCAPE.sub("", s)]


def double_required_markers(card: dict[str, Any]) -> list[str]:
    """Required inputs whose label brings its own asterisk (Teams adds one)."""
    return [str(el.get("id")) for el, _ in elements(card)
            if str(el.get("type", "")).startswith("Input.") and el.get("isRequired")
            and str(el.get("label", "")).rstrip().endswith("*")]


_COLON_TIME = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?![\d:])")
_NUMERIC_DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")


def mixed_time_formats(card: dict[str, Any]) -> list[str]:
    """Shown texts with a colon clock time or a numeric date (not cards.when's Norwegian style)."""
    texts = [*_plain_texts(card), *_markdown_texts(card)]
    return [s[:60] for s in texts if _COLON_TIME.search(s) or _NUMERIC_DATE.search(s)]


def unlabelled_inputs(card: dict[str, Any]) -> list[str]:
    """Inputs without a label a screen reader (and a sighted user) can use."""
    return [str(el.get("id")) for el, _ in elements(card)
            if str(el.get("type", "")).startswith("Input.") and not str(el.get("label", "")).strip()]
