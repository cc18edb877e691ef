"""Realistic cards for the user guide (docs/brukerveiledning.md) and the README: ordinary names, sizes and texts.

The other fixture modules stress the cards (maximum lengths, 60 voters, 10 slots); these show what a faggruppe sees
on an ordinary day. `make screenshots` renders them and scripts/screenshots.py copies them to docs/img/.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.broadcasts.model import build_report
from bot.features import build_router
from bot.gates.model import APPROVED, DEFAULT_OFFSETS, OPEN, Gate
from bot.kernel.defaults import FAGGRUPPER, MUNICIPALITIES
from bot.kernel.projects import ProjectInfo
from bot.messages import t
from bot.needs.model import BENEFIT, NEED, Benefit, Entry, Need, summarize
from bot.polls.model import MAYBE, NO, YES, Poll, Slot, Vote
from cards.broadcasts import form_card as broadcast_form
from cards.broadcasts import report_card
from cards.common import launcher_card
from cards.core import help_card, register_card
from cards.gates import deadline_form, timeline_card
from cards.needs import entry_form
from cards.needs_summary import export_card, summary_card
from cards.polls import PollView, poll_card
from cards.privacy import erase_card
from cards.privacy import export_card as my_data_card
from cards.projects import project_list_card

TZ = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning in a past spring
PROJECT = "Felles søknadsportal for barnehage"
PEOPLE = ["Kari Nordmann", "Ola Hansen", "Ingrid Johansen", "Per Olsen", "Lise Berg", "Jon Pedersen", "Anne Larsen",
          "Morten Nilsen", "Silje Karlsen"]
GROUPS = ["Oppvekst", "Helse og omsorg", "IT-drift og sikkerhet"]


def _t(key: str, **p: object) -> str:
    return t(key, "nb-NO", **p)


def _project(pid: int = 1, name: str = PROJECT, phase: str = "konsept") -> ProjectInfo:
    return ProjectInfo(pid, name, "Én digital søknad om barnehageplass for alle kommunene på Helgeland.", "leader",
                       tuple(GROUPS), phase, NOW - timedelta(days=40))


def _poll() -> PollView:
    first = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    slots = (Slot(1, first), Slot(2, first + timedelta(days=1, hours=4)), Slot(3, first + timedelta(days=3)))
    poll = Poll(id=7, conversation_id="19:oppvekst@thread.v2", creator_id="u0", creator_name="Kari Nordmann",
                title="Arbeidsmøte: behov for søknadsportalen", duration_min=60, slots=slots,
                agenda="1. Status fra kommunene\n2. Behov og gevinster før BP2", deadline=first - timedelta(days=2))
    pattern = {1: (YES, YES, MAYBE), 2: (YES, NO, YES), 3: (NO, YES, YES), 4: (YES, YES, YES), 5: (MAYBE, NO, YES),
               6: (YES, MAYBE, NO)}
    votes = tuple(Vote(s.id, f"u{p}", answers[i], PEOPLE[p], f"29:u{p}") for p, answers in pattern.items()
                  for i, s in enumerate(slots))
    return PollView(poll, votes, 9, 3, TZ, None, True, tuple(f"29:u{p}" for p in range(9)))


def _entries() -> list[Entry]:
    needs = [("Digital søknad om barnehageplass", "hoy", "Oppvekst"), ("Automatisk opptak etter kriterier", "middels",
             "Oppvekst"), ("Felles oversikt over ledige plasser", "hoy", "Oppvekst"),
             ("Varsling til foreldre på SMS", "lav", "Helse og omsorg"), ("Innlogging med ID-porten", "hoy",
             "IT-drift og sikkerhet")]
    out = [Entry(i, NEED, Need(title=title, problem="Skjema på papir gir dobbeltarbeid.", desired_situation="Digitalt",
                               priority=prio, municipalities=tuple(MUNICIPALITIES[i: i + 3])),
                 1, group, f"u{i}", PEOPLE[i], created_at=NOW, updated_at=NOW)
           for i, (title, prio, group) in enumerate(needs)]
    benefits = [("Spart tid i saksbehandlingen", "effektivisering", 450_000.0, 900.0),
                ("Færre feil i opptaket", "kvalitet", None, 120.0), ("Raskere svar til foreldre", "andre_aktorer",
                                                                     None, None)]
    out += [Entry(10 + i, BENEFIT, Benefit(title=title, benefit_type=btype, priced=nok is not None, estimate_nok=nok,
                                           estimate_hours=hours, municipalities=tuple(MUNICIPALITIES[:5]),
                                           owner="Kommunalsjef oppvekst"),
                  1, GROUPS[i % 2], f"u{i}", PEOPLE[i + 4], created_at=NOW, updated_at=NOW)
            for i, (title, btype, nok, hours) in enumerate(benefits)]
    return out


def _gates() -> dict[int, Gate]:
    def gate(bp: int, deadline: date, status: str = OPEN, decision: str = "") -> Gate:
        return Gate(id=bp, project_id=1, bp=bp, deadline=deadline, deadline_time=None, faggrupper=tuple(GROUPS),
                    documents=(), offsets=DEFAULT_OFFSETS, status=status, decision=decision)

    return {1: gate(1, date(2026, 1, 15), APPROVED, "godkjent"), 2: gate(2, date(2026, 3, 20))}


def _report() -> Any:
    entries = []
    for g, name in enumerate(FAGGRUPPER):
        for n in range(5):
            failed = g == 2 and n == 4
            entries.append((name, f"{name} {n + 1}", "failed" if failed else "sent",
                            "403:BotNotInConversationRoster" if failed else ""))
    return build_report(entries, {name: 2 for name in FAGGRUPPER}, FAGGRUPPER)


def fixtures() -> dict[str, dict[str, Any]]:
    commands = [(c.word, c.word, _t(c.help_key or ""), c.leader) for c in build_router().help_entries()]
    projects = [(PROJECT, "1"), ("Felles arkivløsning", "2")]
    report = _report()
    report.chats_read = 12
    expires = "mandag 2. mars kl. 10.15"
    url = "https://faggruppe-bot.example.no/downloads/"
    return {
        "help_member": help_card(_t, commands, is_leader=False),
        "help_leader": help_card(_t, commands, is_leader=True),
        "poll_launcher": launcher_card(_t("polls.dialog.line", name="Kari Nordmann"), _t("dialog.note"),
                                       _t("dialog.open"), "poll.form"),
        "poll": poll_card(_t, _poll()),
        "need_form": entry_form(_t, NEED, values={"project_id": "1", "faggruppe": "Oppvekst",
                                                  "title": "Digital søknad om barnehageplass"}, errors={},
                                projects=projects, faggrupper=list(FAGGRUPPER), municipalities=list(MUNICIPALITIES)),
        "benefit_form": entry_form(_t, BENEFIT, values={"project_id": "1", "faggruppe": "Oppvekst",
                                                        "title": "Spart tid i saksbehandlingen", "estimate_nok": "ca 400"},
                                   errors={"estimate_nok": _t("error.number")}, projects=projects,
                                   faggrupper=list(FAGGRUPPER), municipalities=list(MUNICIPALITIES)),
        "summary": summary_card(_t, PROJECT, summarize(_entries(), list(FAGGRUPPER))),
        "register": register_card(_t, list(FAGGRUPPER), value="Oppvekst"),
        "projects": project_list_card(_t, [_project(), _project(2, "Felles arkivløsning", "ide")]),
        "timeline": timeline_card(_t, project_id=1, project_name=PROJECT, phase="konsept", gates=_gates(), now=NOW,
                                  tz=TZ, is_leader=True, calendar_on=False, saved_bp=2),
        "deadline_form": deadline_form(_t, project_id=1, project_name=PROJECT, bp=2, faggrupper=list(FAGGRUPPER),
                                       values={"deadline": "2026-03-20", "faggrupper": ",".join(GROUPS),
                                               "offsets": "14, 7, 1", "documents": "Behovs- og gevinstoversikt"}),
        "broadcast_form": broadcast_form(_t, list(FAGGRUPPER), [(1, PROJECT)]),
        "broadcast_report": report_card(_t, 5, "Husk innspill før BP2", _t("broadcasts.report.state.done",
                                                                              time="mandag 2. mars kl. 09.02"),
                                        report, ack=True),
        "export": export_card(_t, PROJECT, url + "x", url + "c", expires, 8),
        "my_data": my_data_card(_t, url + "j", url + "m", expires),
        "erase": erase_card(_t),
    }
