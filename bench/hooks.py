"""Plug-in points for features built in parallel (polls, broadcasts, needs). Each hook returns None when its feature
is absent, so `python -m bench` runs on any branch; the lead fills these in (or extends them) once the features land.

- `poll_vote_activity(...)`: set up one poll through the bot over HTTP and return a MakeActivity for `poll.vote`
  invokes (2,000 sequential / 20 concurrent in the latency section, 200 distinct voters in "concurrent voting").
- `broadcast(...)`: one broadcast to 200 faggruppe chats (the delivery section measures the outbox path meanwhile).
- `seed_polls` / `seed_needs`: data-scale seeds and timed operations (render a poll card with 60 voters; summary of
  2,000 entries; XLSX export of 10,000).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bench.load import MakeActivity, activity

ROOT = Path(__file__).resolve().parent.parent
Timed = dict[str, Callable[[], Awaitable[Any]]]  # operation name -> coroutine factory to time


def has_feature(name: str) -> bool:
    """True when bot/teams/handlers/<name>.py exists on this branch."""
    return (ROOT / "bot" / "teams" / "handlers" / f"{name}.py").exists()


def _actions(node: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Action."):
            out.append(node)
        for v in node.values():
            out.extend(_actions(v))
    elif isinstance(node, list):
        for v in node:
            out.extend(_actions(v))
    return out


def _fill(card: dict[str, Any]) -> dict[str, Any]:
    """Plausible values for every Input.* of a form (first choices, tomorrow at 10:00, a title)."""
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    values: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            kind, id_ = str(node.get("type", "")), node.get("id")
            if id_ and kind.startswith("Input."):
                if kind == "Input.ChoiceSet":
                    choices = [c.get("value") for c in node.get("choices") or [] if isinstance(c, dict)]
                    values[id_] = ",".join(choices[:3]) if node.get("isMultiSelect") else (choices[0] if choices else "")
                elif kind == "Input.Date":
                    values[id_] = tomorrow
                elif kind == "Input.Time":
                    values[id_] = "10:00"
                elif kind == "Input.Number":
                    values[id_] = str(node.get("value") or 1)
                elif kind == "Input.Toggle":
                    values[id_] = node.get("valueOff", "false")
                else:
                    values[id_] = node.get("value") or "Bench-avstemning"
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return values


def _card_of(body: Any) -> dict[str, Any] | None:
    if isinstance(body, dict) and body.get("type") == "application/vnd.microsoft.card.adaptive":
        return body.get("value")
    attachments = body.get("attachments") if isinstance(body, dict) else None
    for att in attachments or []:
        if isinstance(att, dict) and att.get("contentType") == "application/vnd.microsoft.card.adaptive":
            return att.get("content")
    return None


def _vote_targets(cards: list[dict[str, Any]]) -> tuple[Any, list[Any]] | None:
    for card in cards:
        votes = [a.get("data") or {} for a in _actions(card) if a.get("verb") == "poll.vote"]
        if votes and votes[0].get("poll_id") is not None:
            slots = list(dict.fromkeys(v.get("slot_id") for v in votes if v.get("slot_id") is not None))
            return votes[0]["poll_id"], slots
    return None


async def poll_vote_activity(bot_url: str, service_url: str,
                             last_sent: Callable[[], Awaitable[list[dict[str, Any]]]]) -> MakeActivity | None:
    """Create a poll with the `avstemning` form and return a maker of `poll.vote` invokes; None if polls are absent.

    Best effort against the poll engineer's cards: send `avstemning`, fill every Input.* of the form with a plausible
    value, press its Action.Execute, then read poll_id/slot_id from the `poll.vote` actions of the card that comes back
    (in the invoke response or posted to the chat). Adjust here if the form needs more than that.
    """
    if not has_feature("polls"):
        return None
    async with aiohttp.ClientSession() as http:

        async def post(act: dict[str, Any]) -> Any:
            async with http.post(f"{bot_url}/api/messages", json=act) as r:
                return await r.json(content_type=None) if r.status == 200 else None

        await post(activity(service_url, 0, text="avstemning", textFormat="plain"))
        forms = [c for c in (_card_of(x["body"]) for x in reversed(await last_sent())) if c]
        submit = next((a for c in forms for a in _actions(c) if a.get("type") == "Action.Execute"), None)
        if not forms or submit is None:
            return None
        data = {**(submit.get("data") or {}), **_fill(forms[0])}
        body = await post(activity(service_url, 0, "invoke", name="adaptiveCard/action", value={
            "action": {"type": "Action.Execute", "verb": submit.get("verb"), "data": data}, "trigger": "manual"}))
        cards = [c for c in [_card_of(body)] if c] + [c for c in (_card_of(x["body"]) for x in reversed(await last_sent())) if c]
        found = _vote_targets(cards)
        if found is None:
            return None
        return vote_maker(service_url, *found)


def vote_maker(service_url: str, poll_id: Any, slot_ids: list[Any]) -> MakeActivity:
    """`poll.vote` invokes from client c, cycling over the slots and answers."""
    answers = ("yes", "maybe", "no")

    def make(client: int, i: int) -> dict[str, Any]:
        data = {"poll_id": poll_id, "slot_id": slot_ids[i % len(slot_ids)], "answer": answers[(client + i) % 3]}
        return activity(service_url, client, "invoke", name="adaptiveCard/action",
                        value={"action": {"type": "Action.Execute", "verb": "poll.vote", "data": data}, "trigger": "manual"},
                        replyToId=f"act-{uuid.uuid4().hex[:6]}")

    make.poll_id = poll_id  # type: ignore[attr-defined]
    return make


async def count_votes(bot_url: str, poll_id: Any) -> int | None:
    """Votes stored for a poll (to compare with votes sent in "concurrent voting"); None until wired to the poll repo."""
    return None


async def broadcast(bot_url: str, service_url: str, conversations: int) -> dict[str, Any] | None:
    """Send one broadcast to `conversations` faggruppe chats through the bot; None while broadcasts are absent.

    The delivery section measures the same outbox path with rows queued directly; once broadcasts land, drive the
    broadcast form here and return {"group_key": ...} so the section can wait for and count its deliveries.
    """
    if not has_feature("broadcasts"):
        return None
    return None


async def seed_polls(services: Any, n_polls: int) -> Timed | None:
    """Seed n polls with 10 votes each; return operations to time (render a poll card with 60 voters). None: absent."""
    if not has_feature("polls"):
        return None
    return None


async def seed_needs(services: Any, n_entries: int) -> Timed | None:
    """Seed n needs/benefits entries; return operations to time (summary of 2,000; XLSX export of n). None: absent."""
    if not has_feature("needs"):
        return None
    return None
