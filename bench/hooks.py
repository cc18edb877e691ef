"""What the benchmarks do with the features: polls, broadcasts (via the control API in serve_bot.py) and needs.

- `poll_vote_activity(...)`: create a poll in a group chat through the bot over HTTP (`avstemning`, then the form's
  `poll.create`) and return a maker of `poll.vote` invokes (latency section, and 200 distinct voters on a second poll).
- `seed_polls` / `seed_needs`: data-scale seeds with SQLAlchemy core bulk inserts, and the operations to time
  (render a poll card with 60 voters; the summary card of a project with n/5 entries; XLSX and CSV export of n).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bench.load import BOT_ID, MakeActivity, activity

ROOT = Path(__file__).resolve().parent.parent
Timed = dict[str, Callable[[], Awaitable[Any]]]  # operation name -> coroutine factory to time


def has_feature(name: str) -> bool:
    """True when the feature folder bot/<name>/ has handlers on this branch."""
    return (ROOT / "bot" / name / "handlers.py").exists()


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


def _verb(action: dict[str, Any]) -> Any:
    """An action's verb: Action.Execute names it, Action.Submit carries it in its data."""
    return action.get("verb") or (action.get("data") if isinstance(action.get("data"), dict) else {}).get("verb")


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


def poll_form(days_ahead: int = 7, slots: int = 4) -> dict[str, Any]:
    """The values of a valid `avstemning` form: `slots` distinct start times from a week ahead."""
    first = date.today() + timedelta(days=days_ahead)
    data: dict[str, Any] = {"title": "Bench-avstemning: årsmøte", "duration": "60", "mode": "online"}
    for i in range(slots):
        data[f"slot_date_{i}"] = (first + timedelta(days=i // 2)).isoformat()
        data[f"slot_time_{i}"] = ("09:00", "13:00")[i % 2]
    return data


async def poll_vote_activity(bot_url: str, service_url: str, last_sent: Callable[[], Awaitable[list[dict[str, Any]]]],
                             group: str, *, user_offset: int = 0, slots: int = 4) -> MakeActivity | None:
    """Create a poll in the group chat `group` the way a member does, and return a maker of `poll.vote` invokes.

    Over HTTP: `avstemning` in the group chat, then the form's `poll.create` (Action.Execute) with valid values; the
    poll card posted to the chat carries poll_id/slot_id in its `poll.vote` actions. None when polls are absent.
    """
    if not has_feature("polls"):
        return None
    async with aiohttp.ClientSession() as http:

        async def post(act: dict[str, Any]) -> Any:
            async with http.post(f"{bot_url}/api/messages", json=act) as r:
                return await r.json(content_type=None) if r.status == 200 else None

        mention = {"type": "mention", "text": "<at>Faggruppe-bot</at>", "mentioned": {"id": BOT_ID, "name": "Faggruppe-bot"}}
        await post(activity(service_url, user_offset, text="<at>Faggruppe-bot</at> avstemning", textFormat="plain",
                            group=group, entities=[mention]))
        forms = [c for c in (_card_of(x["body"]) for x in reversed(await last_sent())) if c]
        opener = next((a for c in forms for a in _actions(c) if _verb(a) == "poll.form"), None)
        if opener is not None:  # the form opens in a dialog (task/fetch); its button submits task/submit
            task = await post(activity(service_url, user_offset, "invoke", name="task/fetch", group=group,
                                       value={"data": opener.get("data") or {}, "context": {"theme": "default"}}))
            dialog = ((task or {}).get("task") or {}).get("value") or {}
            submit = next((a for a in _actions(dialog.get("card")) if _verb(a) == "poll.create"), None)
            if submit is None:
                return None
            data = {**(submit.get("data") or {}), **poll_form(slots=slots)}
            body = await post(activity(service_url, user_offset, "invoke", name="task/submit", group=group,
                                       value={"data": data, "context": {"theme": "default"}}))
        else:  # the form posted in the chat, submitted with Action.Execute
            submit = next((a for c in forms for a in _actions(c) if a.get("verb") == "poll.create"), None)
            if submit is None:
                return None
            data = {**(submit.get("data") or {}), **poll_form(slots=slots)}
            body = await post(activity(service_url, user_offset, "invoke", name="adaptiveCard/action", group=group, value={
                "action": {"type": "Action.Execute", "verb": "poll.create", "data": data}, "trigger": "manual"}))
        cards = [c for c in [_card_of(body)] if c] + [c for c in (_card_of(x["body"]) for x in reversed(await last_sent())) if c]
        found = _vote_targets(cards)
        if found is None:
            return None
        return vote_maker(service_url, *found, group=group, user_offset=user_offset)


def vote_maker(service_url: str, poll_id: Any, slot_ids: list[Any], *, group: str, user_offset: int = 0) -> MakeActivity:
    """`poll.vote` invokes from user `user_offset + client` in the group chat, cycling over the slots and answers."""
    answers = ("yes", "maybe", "no")

    def make(client: int, i: int) -> dict[str, Any]:
        data = {"poll_id": poll_id, "slot_id": slot_ids[(client + i) % len(slot_ids)], "answer": answers[(client + i) % 3]}
        return activity(service_url, user_offset + client, "invoke", name="adaptiveCard/action", group=group,
                        value={"action": {"type": "Action.Execute", "verb": "poll.vote", "data": data}, "trigger": "manual"},
                        replyToId=f"act-{uuid.uuid4().hex[:6]}")

    make.poll_id = poll_id  # type: ignore[attr-defined]
    make.slot_ids = slot_ids  # type: ignore[attr-defined]
    return make


async def _insert(services: Any, model: Any, rows: list[dict[str, Any]], chunk: int = 2000) -> list[int]:
    """Bulk insert with SQLAlchemy core (executemany in chunks)."""
    from sqlalchemy import insert

    async with services.db.write() as s:
        for k in range(0, len(rows), chunk):
            await s.execute(insert(model), rows[k:k + chunk])
    return []


async def seed_polls(services: Any, n_polls: int) -> Timed | None:
    """Seed n polls (4 slots, 10 voters each: 10 votes per poll) and one poll with 60 voters; time what the bot reads.

    Operations: render the card of the 60-voter poll (votes from the database + the card), the `avstemninger` list of a
    chat with 20 open polls, and the repository read a vote makes (the poll with its slots).
    """
    if not has_feature("polls"):
        return None
    from sqlalchemy import func, select

    from bot.polls.service import ops
    from bot.polls.store import PollRow, PollSlotRow, PollVoteRow

    now = datetime.now(UTC)
    start = now + timedelta(days=7)
    chats = max(1, n_polls // 20)  # 20 open polls per chat
    polls = [dict(conversation_id=f"19:scale-poll-{i % chats}@thread.v2", creator_id=f"u{i}", creator_name=f"Åse Ærlig {i}",
                  title=f"Fagmøte {i}: budsjett og årsplan", agenda="", duration_min=60, online=True, location="",
                  deadline=None, anonymous=False, hidden=False, state="open", locale="nb-NO", activity_id=f"a{i}",
                  chosen_slot_id=None, booking_state="", join_url="", ics_url="", message_gone=False, created_at=now,
                  closed_at=None) for i in range(n_polls)]
    await _insert(services, PollRow, polls)
    async with services.db.session() as s:
        first = int(await s.scalar(select(func.min(PollRow.id))))
    ids = range(first, first + n_polls)
    await _insert(services, PollSlotRow, [dict(poll_id=pid, position=k, start=start + timedelta(hours=k))
                                          for pid in ids for k in range(4)])
    async with services.db.session() as s:
        rows = (await s.execute(select(PollSlotRow.poll_id, PollSlotRow.id).where(PollSlotRow.poll_id >= first))).all()
    slots: dict[int, list[int]] = {}
    for pid, sid in rows:
        slots.setdefault(pid, []).append(sid)
    answers = ("yes", "maybe", "no")
    big = first  # the poll with 60 voters (4 slots each: 240 votes)
    votes = [dict(poll_id=pid, slot_id=slots[pid][v % 4], voter_id=f"v{v}", voter_name=f"Bjørn Voter {v}",
                  voter_channel_id=f"29:v{v}", answer=answers[(pid + v) % 3], updated_at=now)
             for pid in ids if pid != big for v in range(10)]
    votes += [dict(poll_id=big, slot_id=sid, voter_id=f"v{v}", voter_name=f"Bjørn Voter {v}", voter_channel_id=f"29:v{v}",
                   answer=answers[(sid + v) % 3], updated_at=now) for v in range(60) for sid in slots[big]]
    await _insert(services, PollVoteRow, votes)
    o = ops(services)
    chat = polls[0]["conversation_id"]
    members = [{"id": f"v{v}", "channel_id": f"29:v{v}", "name": f"Bjørn Voter {v}", "upn": "", "email": "", "tenant": ""}
               for v in range(70)]
    o._members[chat] = (time.monotonic() + 3600, members)  # no connector here: the member list as if just fetched

    async def render_card() -> Any:
        poll = await o.repo.get(big)
        return await o.view(poll)

    async def list_open() -> Any:
        return [(p, len(await o.repo.votes(p.id))) for p in await o.repo.open_in(chat)]

    return {"poll card, 60 voters (read + render)": render_card, "open polls of a chat (20)": list_open,
            "poll get (a vote's read)": lambda: o.repo.get(big)}


async def seed_needs(services: Any, n_entries: int) -> Timed | None:
    """Seed n entries in one project (exported) and n/5 in another (summarized); time `oversikt` and `eksport`."""
    if not has_feature("needs"):
        return None
    from bot.messages import t
    from bot.needs.export import build_csv, build_xlsx
    from bot.needs.model import BENEFIT, NEED, summarize
    from bot.needs.store import NeedEntry, NeedsRepo
    from cards.needs_summary import summary_card

    now = datetime.now(UTC)
    groups = ("Helse", "Oppvekst", "Teknisk", "Økonomi", "Kultur", "Plan og bygg", "IKT")

    def row(i: int, project: int) -> dict[str, Any]:
        kind = NEED if i % 3 else BENEFIT
        fields = ({"title": f"Behov {i}", "problem": "Manuell registrering tar tid – æøå " * 3, "priority": "hoy",
                   "desired_situation": "Automatisk overføring", "current_situation": "Papirskjema"} if kind == NEED else
                  {"title": f"Gevinst {i}", "benefit_type": "effektivisering", "priced": True, "estimate_nok": 1000.0 * i,
                   "estimate_hours": 12.5, "indicator": "Timer spart", "baseline_value": 100.0, "target_value": 40.0,
                   "baseline_date": "2026-01-01", "owner": "Økonomisjef"})
        return dict(kind=kind, project_id=project, faggruppe=groups[i % len(groups)], title=fields["title"],
                    submitter_id=f"u{i % 500}", submitter_name=f"Kari Nordmann {i % 500}",
                    municipalities=["Bodø", "Tromsø"][: 1 + i % 2], fields=fields, status="active" if i % 20 else "withdrawn",
                    created_at=now, updated_at=now)

    export_project, summary_project = 900_001, 900_002
    await _insert(services, NeedEntry, [row(i, export_project) for i in range(n_entries)]
                  + [row(i, summary_project) for i in range(n_entries // 5)])
    repo = NeedsRepo(services.db)
    tz = services.settings.tz

    def tr(key: str, **p: object) -> str:
        return t(key, "nb-NO", **p)

    async def summary() -> Any:
        entries = await repo.by_project(summary_project)
        return summary_card(tr, "Digital byggesak", summarize(entries, groups), lang="nb")

    async def export_xlsx() -> Any:
        entries = await repo.by_project(export_project, include_withdrawn=True)
        return build_xlsx("Digital byggesak", entries, summarize(entries, groups), tz=tz, now=now)

    async def export_csv() -> Any:
        return build_csv("Digital byggesak", await repo.by_project(export_project, include_withdrawn=True), tz=tz)

    return {"needs summary card (n/5 entries)": summary, "XLSX export (n entries)": export_xlsx,
            "CSV export (n entries)": export_csv}
