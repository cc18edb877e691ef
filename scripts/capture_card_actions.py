"""Capture every card action verb and data shape this release puts into cards, for tests/test_old_cards.py.

Renders every card the bot can post (the fixtures in tests/card_fixtures plus the few builders they leave out), walks
each card with tests.card_rules.elements (top-level actions, ActionSets, ShowCard cards, selectActions, refresh) and
writes tests/fixtures/card_actions-<version>.json: one entry per verb and set of data keys (for the `cmd` pseudo-verb
also per command word, since each word routes to another handler). Prints registered verbs no card uses and card verbs
no handler registers. Run from the repository root: `.venv/bin/python scripts/capture_card_actions.py`.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cards  # noqa: E402
from bot import __version__  # noqa: E402

ACTION_KINDS = {"Action.Execute": "Execute", "Action.Submit": "Submit"}
# Handled by the dispatcher itself (bot/hosts/botbuilder/bot.py `_run_verb`): the data's `command` goes through the command table.
DISPATCHER_VERBS = {"cmd"}
# Data values one handler branches on (a different form or step), so each value is a shape of its own.
ROUTING_FIELDS = ("kind", "step")

_builders: dict[int, str] = {}
_depth = [0]


def _track(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a card builder so the outermost call records which builder made the returned card."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _depth[0] += 1
        try:
            out = fn(*args, **kwargs)
        finally:
            _depth[0] -= 1
        if _depth[0] == 0 and isinstance(out, dict) and out.get("type") == "AdaptiveCard":
            _builders[id(out)] = name
        return out

    return wrapper


def _instrument() -> None:
    """Wrap every public function of cards/*.py before anything imports them by name."""
    for mod in pkgutil.iter_modules(cards.__path__):
        module = importlib.import_module(f"cards.{mod.name}")
        for attr, fn in list(vars(module).items()):
            if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not attr.startswith("_"):
                setattr(module, attr, _track(f"{module.__name__}.{attr}", fn))


def _extra_cards() -> dict[str, dict[str, Any]]:
    """Cards the fixtures leave out (they post buttons too, or may in a later release)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.messages import t
    from cards.core import suggest_card
    from cards.polls import created_card
    from cards.privacy import audit_card, erase_card, export_card

    def nb(key: str, **p: object) -> str:
        return t(key, "nb-NO", **p)

    at = datetime(2009, 11, 23, 10, 0, tzinfo=UTC)
    return {
        "extra.suggest": suggest_card(nb, "avstemning"),
        "extra.erase": erase_card(nb),
        "extra.audit": audit_card(nb, [(at, "Åse Ærlig registrerte chatten som **Oppvekst**")], ZoneInfo("Europe/Oslo")),
        "extra.audit_empty": audit_card(nb, [], ZoneInfo("Europe/Oslo")),
        "extra.privacy_export": export_card(nb, "https://bot.example.no/downloads/a", "https://bot.example.no/downloads/b",
                                            "mandag 23. november kl. 12.00"),
        "extra.poll_created": created_card(nb, "Arbeidsmøte Oppvekst"),
    }


def all_cards() -> list[tuple[str, str, dict[str, Any]]]:
    """(fixture name, builder, card) for every card."""
    _instrument()
    from tests.card_fixtures import all_fixtures

    found = {**all_fixtures(), **_extra_cards()}
    return [(name, _builders.get(id(c), "?"), c) for name, c in sorted(found.items())]


def _inputs(card: dict[str, Any]) -> list[str]:
    from tests.card_rules import elements

    return sorted({str(el["id"]) for el, _ in elements(card) if str(el.get("type", "")).startswith("Input.") and "id" in el})


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Execute/Submit action anywhere in the card."""
    from tests.card_rules import elements

    return [el for el, _ in elements(card) if el.get("type") in ACTION_KINDS]


def verb_of(action: dict[str, Any]) -> str:
    data = action.get("data") if isinstance(action.get("data"), dict) else {}
    if action["type"] == "Action.Execute":
        return str(action.get("verb") or data.get("verb") or "")
    return str(data.get("verb") or "")


def command_name(command: str) -> str:
    """The command name (alias as written, without arguments) a `cmd` action's text routes to."""
    from bot.chat.routes import normalise
    from bot.features import build_router

    found = build_router().match(command)
    if not found:
        return command
    text = normalise(command)
    return max((n for n in found[0].names if text == n or text.startswith(n + " ")), key=len, default=command)


def shape_key(verb: str, data: dict[str, Any]) -> tuple[str, frozenset[str], str]:
    """Verb + set of data keys, plus the values that pick another path in one handler (ROUTING_FIELDS)."""
    picks = [command_name(str(data["command"])) if verb in DISPATCHER_VERBS and "command" in data else ""]
    picks += [f"{k}={data[k]}" for k in ROUTING_FIELDS if k in data]
    return verb, frozenset(data), " ".join(p for p in picks if p)


def capture() -> list[dict[str, Any]]:
    seen: dict[tuple[str, frozenset[str], str], dict[str, Any]] = {}
    for name, builder, card in all_cards():
        inputs = _inputs(card)
        for action in actions(card):
            verb = verb_of(action)
            data = dict(action.get("data") or {})
            key = shape_key(verb, data)
            if key in seen:
                seen[key]["fixtures"] = sorted({*seen[key]["fixtures"], name})
                continue
            seen[key] = {"verb": verb, "data": data, "card": builder, "kind": ACTION_KINDS[action["type"]],
                         "fixtures": [name],
                         "inputs": [] if action.get("associatedInputs") == "none" else inputs}
    return [seen[k] for k in sorted(seen, key=lambda k: (k[0], sorted(k[1]), k[2]))]


def gaps(entries: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(registered verbs no card uses, card verbs no handler registers)."""
    from bot.features import build_router

    registered = set(build_router().verbs)
    used = {e["verb"] for e in entries}
    return sorted(registered - used), sorted(used - registered)


def main() -> None:
    entries = capture()
    out = ROOT / "tests" / "fixtures" / f"card_actions-{__version__}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    unused, unregistered = gaps(entries)
    print(f"{len(entries)} shapes of {len({e['verb'] for e in entries})} verbs -> {out.relative_to(ROOT)}")
    print("registered, in no card:", ", ".join(unused) or "none")
    print("in cards, not registered:", ", ".join(f"{v} (dispatcher)" if v in DISPATCHER_VERBS else v
                                                  for v in unregistered) or "none")
    unknown = sorted({e["card"] for e in entries if e["card"] == "?"})
    if unknown:
        print("cards without a known builder:", unknown)


if __name__ == "__main__":
    main()
