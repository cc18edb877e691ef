"""Helpers for the needs/benefits end-to-end tests."""

from __future__ import annotations

from typing import Any

from bot.kernel.choices import encode_multi
from tests.harness import Conv, TeamsClient, User

NEED_OK = {"title": "Digital søknad om barnehageplass æøå 🚸", "problem": "Papirskjema gir dobbeltarbeid",
           "desired_situation": "Automatisk behandling", "priority": "hoy", "municipalities": "Rana,Vefsn"}
BENEFIT_OK = {"title": "Spart tid i saksbehandling", "benefit_type": "effektivisering", "priced": "true",
              "estimate_nok": "250000", "estimate_hours": "1200", "baseline_value": "3.5", "baseline_date": "2026-01-01",
              "realisation_date": "2026-10-30", "municipalities": "Rana"}


def inputs(node: Any) -> dict[str, dict[str, Any]]:
    """Every input element in a card by id."""
    out: dict[str, dict[str, Any]] = {}
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Input.") and node.get("id"):
            out[node["id"]] = node
        for v in node.values():
            out.update(inputs(v))
    elif isinstance(node, list):
        for item in node:
            out.update(inputs(item))
    return out


def texts(node: Any) -> list[str]:
    """Every TextBlock text and FactSet value in a card."""
    out: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            out.append(node.get("text", ""))
        if node.get("type") == "FactSet":
            out += [f"{f['title']}: {f['value']}" for f in node.get("facts", [])]
        for v in node.values():
            if isinstance(v, (dict, list)):
                out += texts(v)
    elif isinstance(node, list):
        for item in node:
            out += texts(item)
    return out


def error_after(card: dict[str, Any], input_id: str) -> str | None:
    """The red error text right after an input (searches containers too)."""
    def walk(items: list[Any]) -> str | None:
        for i, el in enumerate(items):
            if isinstance(el, dict) and el.get("id") == input_id:
                nxt = items[i + 1] if i + 1 < len(items) else None
                if isinstance(nxt, dict) and nxt.get("type") == "TextBlock" and nxt.get("color") == "Attention":
                    return str(nxt["text"])
                return None
            for key in ("items", "body"):
                if isinstance(el, dict) and isinstance(el.get(key), list):
                    found = walk(el[key])
                    if found:
                        return found
        return None

    return walk(card.get("body", []))


def filled(card: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """What Teams would send: the card's current input values, overridden by what the user typed."""
    current = {k: v.get("value") for k, v in inputs(card).items() if v.get("value") not in (None, "")}
    return {**{k: str(v) if not isinstance(v, str) else v for k, v in current.items()}, **values}


async def create_project(teams: TeamsClient, leader: User, name: str, faggrupper: list[str]) -> dict[str, Any]:
    """Create a project through the `prosjekt ny` card; returns the confirmation card."""
    conv = teams.personal(leader)
    form = await teams.send(conv, leader, "prosjekt ny")
    res = await teams.press(conv, leader, form.card, verb="project.create",
                            inputs={"name": name, "description": "Felles løsning", "faggrupper": encode_multi(faggrupper)})
    assert res.status == 200, res.body
    return res.card


async def faggruppe_chat(teams: TeamsClient, leader: User, members: list[User], faggruppe: str) -> Conv:
    """A group chat registered to a faggruppe."""
    conv = teams.group(faggruppe, [leader, *members])
    await teams.install(conv, leader)
    res = await teams.send(conv, leader, f"registrer {faggruppe}")
    assert faggruppe in res.texts[0]
    return conv


async def submit(teams: TeamsClient, conv: Conv, user: User, kind: str, values: dict[str, str]) -> Any:
    """`innspill`, choose the kind, fill the form and save; returns the save result."""
    choose = await teams.send(conv, user, "innspill")
    form = await teams.press(conv, user, choose.card, verb="needs.form", kind=kind)
    return await teams.press(conv, user, form.card, verb="needs.save", inputs=filled(form.card, values))
