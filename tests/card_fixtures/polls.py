"""Meeting poll cards: form (empty, with errors), poll with 10 slots and 60 voters in every state, the list."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.messages import t
from bot.polls.model import ANSWERS, Poll, Slot, Vote
from cards.poll_list import list_card
from cards.polls import PollView, form_card, poll_card

TZ = ZoneInfo("Europe/Oslo")
NAMES = ["Åse Ærlig-Østensen", "Ørjan Øverli", "Kari Nordmann", "Per Hansen", "Bjørg Fløttum-Vågsbotn",
         "Mikkel Sæther", "Ingrid Lønnå", "Håkon Brønnøysund"]


def _t(key: str, **p: object) -> str:
    return t(key, "nb-NO", **p)


def big_poll(**changes: Any) -> tuple[Poll, tuple[Vote, ...]]:
    """10 slots around the DST change, 60 voters answering every slot."""
    first = datetime(2026, 10, 22, 8, 0, tzinfo=UTC)
    slots = tuple(Slot(100 + i, first + timedelta(days=i, hours=i % 3)) for i in range(10))
    poll = Poll(
        id=42, conversation_id="19:abc@thread.v2", creator_id="creator", creator_name="Lise Leder-Kristoffersen",
        title="Arbeidsmøte: felles løsning for søknad om barnehageplass – Helgeland, Vesterålen og Træna kommune",
        duration_min=90, slots=slots, agenda="1. Status fra kommunene\n2. Gevinster og behov (BP2)\n3. Eventuelt " * 5,
        online=True, deadline=first - timedelta(days=1), activity_id="act-1",
    )
    poll = dataclasses.replace(poll, **changes)
    votes = tuple(
        Vote(s.id, f"voter-{v}", ANSWERS[(v + i) % 3], f"{NAMES[v % len(NAMES)]} {v}", f"29:user-{v}")
        for v in range(60) for i, s in enumerate(slots)
    )
    return poll, votes


def fixtures() -> dict[str, dict[str, Any]]:
    poll, votes = big_poll()
    refresh = tuple(f"29:user-{v}" for v in range(60))
    view = PollView(poll, votes, 64, 4, TZ, None, True, refresh)
    errors = {"title": _t("polls.err.title_empty"), "slot_1": _t("polls.err.slot_past"),
              "slot_2": _t("polls.err.slot_duplicate"), "deadline": _t("polls.err.deadline_after_first"),
              "slots": _t("polls.err.too_few", min=2)}
    values = {"title": "", "agenda": "Agenda med æøå " * 20, "slot_date_0": "2026-11-10", "slot_time_0": "10:00",
              "slot_date_1": "2020-01-01", "slot_time_1": "09:00", "slot_date_2": "2026-11-10", "slot_time_2": "10:00",
              "deadline_date": "2026-11-12", "deadline_time": "12:00", "anonymous": "true", "duration": "custom",
              "duration_custom": "45", "mode": "place", "location": "Rådhuset i Mo i Rana, møterom «Ørnen»"}
    closed = dict(state="closed", chosen_slot_id=103)
    return {
        "form_empty": form_card(_t),
        "form_errors": form_card(_t, values, errors, rows=10, suggest=True, notice="Ikke med: Gjest Gjestesen"),
        "poll_open_generic": poll_card(_t, view),
        "poll_open_personal": poll_card(_t, dataclasses.replace(view, viewer_id="voter-7", show_close=False)),
        "poll_anonymous": poll_card(_t, dataclasses.replace(view, poll=dataclasses.replace(poll, anonymous=True),
                                                             viewer_id="voter-3")),
        "poll_hidden": poll_card(_t, dataclasses.replace(view, poll=dataclasses.replace(poll, hidden=True))),
        "poll_closed_booked": poll_card(_t, dataclasses.replace(view, refresh_user_ids=(), poll=dataclasses.replace(
            poll, **closed, booking_state="booked", join_url="https://teams.microsoft.com/l/meetup-join/19%3ameeting_x"))),
        "poll_closed_pending": poll_card(_t, dataclasses.replace(view, refresh_user_ids=(), poll=dataclasses.replace(
            poll, **closed, booking_state="pending"))),
        "poll_closed_ics": poll_card(_t, dataclasses.replace(view, refresh_user_ids=(), poll=dataclasses.replace(
            poll, **closed, booking_state="off", ics_url="https://bot.example.no/downloads/abcdefghijklmnop"))),
        "poll_list": list_card(_t, [(poll, 60), (dataclasses.replace(poll, id=43, deadline=None, activity_id=""), 0)], TZ),
        "poll_list_empty": list_card(_t, [], TZ),
    }
