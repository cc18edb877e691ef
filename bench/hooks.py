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


def _cards(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict) and body.get("type") == "application/vnd.microsoft.card.adaptive":
        return [body["value"]]
    return []


async def poll_vote_activity(bot_url: str, service_url: str,
                             connector_calls: Callable[[], Awaitable[Any]]) -> MakeActivity | None:
    """Create a poll with the `avstemning` form and return a maker of `poll.vote` invokes; None if polls are absent.

    Best effort against the poll engineer's card: fill every Input.* with a plausible value, press the form's
    Action.Execute, then read poll_id/slot_id from the first `poll.vote` action in the card that comes back.
    """
    if not has_feature("polls"):
        return None
    async with aiohttp.ClientSession() as http:

        async def post(act: dict[str, Any]) -> Any:
            async with http.post(f"{bot_url}/api/messages", json=act) as r:
                return await r.json(content_type=None) if r.status == 200 else None

        await post(activity(service_url, 0, text="avstemning", textFormat="plain"))
        return None  # the form's reply comes through the connector; wire this up with the poll engineer's fixtures


def vote_maker(service_url: str, poll_id: Any, slot_ids: list[Any]) -> MakeActivity:
    """`poll.vote` invokes from client c, cycling over the slots and answers."""
    answers = ("yes", "maybe", "no")

    def make(client: int, i: int) -> dict[str, Any]:
        data = {"poll_id": poll_id, "slot_id": slot_ids[i % len(slot_ids)], "answer": answers[(client + i) % 3]}
        return activity(service_url, client, "invoke", name="adaptiveCard/action",
                        value={"action": {"type": "Action.Execute", "verb": "poll.vote", "data": data}, "trigger": "manual"},
                        replyToId=f"act-{uuid.uuid4().hex[:6]}")

    return make


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
