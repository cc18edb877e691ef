"""Needs/benefits and project cards with realistic Norwegian data, long texts and maximum sizes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.kernel.defaults import FAGGRUPPER, MUNICIPALITIES
from bot.kernel.projects import ProjectInfo
from bot.messages import t
from bot.needs.model import BENEFIT, NEED, WITHDRAWN, Benefit, Entry, Need, summarize
from cards.needs import choose_kind_card, confirmation_card, entry_form, my_entries_card, withdraw_ask_card
from cards.needs_summary import (
    campaign_form,
    campaign_post_card,
    campaign_report_card,
    campaign_started_card,
    export_card,
    summary_card,
)
from cards.projects import project_created_card, project_form, project_list_card

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LONG = "Søknadsbehandling i barnehage og skole tar for lang tid fordi skjemaene må tastes inn på nytt. " * 40


def _t(key: str, **p: object) -> str:
    return t(key, "nb-NO", **p)


def _need(i: int) -> Entry:
    content = Need(title=f"Digital søknad om barnehageplass nr. {i} – æøå 🚸", problem=LONG[:4000],
                   desired_situation="Automatisk saksbehandling med få klikk", priority="hoy",
                   municipalities=tuple(MUNICIPALITIES[: 1 + i % 16]), security_concern=True)
    return Entry(i, NEED, content, 1, FAGGRUPPER[i % len(FAGGRUPPER)], f"user-{i}", "Åse Ærlig", created_at=NOW,
                 updated_at=NOW)


def _benefit(i: int, status: str = "active") -> Entry:
    content = Benefit(title=f"Spart tid i saksbehandlingen {i} – Brønnøy og Sømna", benefit_type="effektivisering",
                      category="spart_tid", priced=True, municipalities=tuple(MUNICIPALITIES),
                      indicator="Timer brukt per søknad", unit="timer", baseline_value=3.5,
                      baseline_date=date(2026, 1, 1), target_value=0.5, realisation_date=date(2026, 6, 30),
                      estimate_nok=1_250_000.0 * i, estimate_hours=1800.0 + i, owner="Kommunalsjef oppvekst",
                      measures=LONG[:4000], depends_on="Ny søknadsportal", risk="Lav oppslutning")
    return Entry(100 + i, BENEFIT, content, 1, FAGGRUPPER[i % len(FAGGRUPPER)], f"user-{i}", "Ørjan Øverli",
                 status=status, created_at=NOW, updated_at=NOW)


def fixtures() -> dict[str, dict[str, Any]]:
    projects = [(f"Felles søknadsportal {i} – Helgeland 🏔", str(i)) for i in range(1, 16)]
    errors = {"title": _t("error.required"), "estimate_nok": _t("needs.error.priced_estimate"),
              "baseline_date": _t("error.date"), "problem": _t("error.too_long", max=4000)}
    values = {"title": "x" * 200, "problem": LONG[:4000], "municipalities": ",".join(MUNICIPALITIES), "priced": "true",
              "project_id": "1", "faggruppe": FAGGRUPPER[0], "estimate_hours": "1 200"}
    entries = [_need(i) for i in range(1, 12)] + [_benefit(i) for i in range(1, 12)] + [_benefit(20, WITHDRAWN)]
    summary = summarize(entries, [*FAGGRUPPER, "Ungdomsråd og frivillighet"])
    names = {1: "Felles søknadsportal – Helgeland"}
    project = ProjectInfo(1, "Felles søknadsportal – Helgeland 🏔", LONG[:2000], "leader", tuple(FAGGRUPPER), "konsept", NOW)
    return {
        "choose": choose_kind_card(_t, project_id=3),
        "need_form_empty": entry_form(_t, NEED, values={}, errors={}, projects=projects, faggrupper=list(FAGGRUPPER),
                                      municipalities=list(MUNICIPALITIES)),
        "need_form_errors": entry_form(_t, NEED, values=values, errors=errors, projects=projects,
                                       faggrupper=list(FAGGRUPPER), municipalities=list(MUNICIPALITIES)),
        "benefit_form_errors": entry_form(_t, BENEFIT, values=values, errors=errors, projects=projects,
                                          faggrupper=list(FAGGRUPPER), municipalities=list(MUNICIPALITIES), entry_id=7),
        "confirmation_need": confirmation_card(_t, _need(3), names[1]),
        "confirmation_benefit_edited": confirmation_card(_t, _benefit(4), names[1], note=_t("needs.saved.edited", n=3)),
        "confirmation_withdrawn": confirmation_card(_t, _benefit(5, WITHDRAWN), names[1]),
        "withdraw_ask": withdraw_ask_card(_t, _need(3), names[1]),
        "mine_many": my_entries_card(_t, entries, names),
        "mine_none": my_entries_card(_t, [], names),
        "summary_full": summary_card(_t, names[1], summary),
        "summary_empty": summary_card(_t, names[1], summarize([], FAGGRUPPER)),
        "export": export_card(_t, names[1], "https://bot.example.no/downloads/" + "a" * 43,
                              "https://bot.example.no/downloads/" + "b" * 43, "mandag 23. november kl. 12.00", 23),
        "campaign_form": campaign_form(_t, projects, list(FAGGRUPPER), values={"project_id": "1"}, errors={}),
        "campaign_form_errors": campaign_form(_t, projects, list(FAGGRUPPER), values={"faggrupper": FAGGRUPPER[0]},
                                              errors={"deadline_date": _t("needs.campaign.deadline_past")}),
        "campaign_started": campaign_started_card(_t, names[1], "tirsdag 24. november kl. 12.00", 6, list(FAGGRUPPER),
                                                  ["Ungdom"]),
        "campaign_post": campaign_post_card(_t, names[1], "tirsdag 24. november kl. 12.00", FAGGRUPPER[4], 1),
        "campaign_report": campaign_report_card(_t, names[1], "tirsdag 24. november kl. 12.00", summary.by_faggruppe,
                                                [(f"Person {i} Ærlig", FAGGRUPPER[i % 7], i) for i in range(1, 40)],
                                                ["Ungdom"]),
        "project_form": project_form(_t, list(FAGGRUPPER)),
        "project_form_errors": project_form(_t, list(FAGGRUPPER), values={"name": "x" * 210},
                                            errors={"name": _t("error.too_long", max=200)}),
        "project_created": project_created_card(_t, project),
        "project_list": project_list_card(_t, [project] * 30),
    }
