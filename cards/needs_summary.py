"""Summary (with charts), export links, and input-campaign cards."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.kernel.choices import choice_value
from bot.needs.model import BENEFIT, NEED, Summary
from cards.common import (
    Card,
    Element,
    card,
    choice_input,
    clip,
    date_input,
    escape,
    facts,
    open_url,
    submit,
    text,
    time_input,
    title,
)
from cards.common import (
    execute as execute_action,
)
from cards.needs import fmt_number

T = Callable[..., str]
MAX_BARS = 12


CHART_MIN_CATEGORIES = 2
CHART_MIN_ENTRIES = 5


def _chart_label(value: str) -> str:
    """A chart label made safe and short."""
    # Chart labels are plain text (not markdown); keep them short and free of angle brackets.
    return clip(value.replace("<", "‹").replace(">", "›"), 40)


def figure(heading: str, counts: Mapping[str, int], total: int, *, limit: int = 30) -> list[Element]:
    """One representation per figure: a bar chart when it adds something (several categories with data, enough
    entries, every category fits), otherwise a table. The bars carry their values and no axis, so no fractional
    ticks (0, 0.75, 1.5 …) can show; clients without charts get the table as the chart's fallback."""
    rows = [(k, n) for k, n in counts.items() if n]
    table = facts([(escape(clip(k, 80)), str(n)) for k, n in rows[:limit]])
    out: list[Element] = [text(heading, weight="Bolder", spacing="Medium")]
    if len(rows) >= CHART_MIN_CATEGORIES and total >= CHART_MIN_ENTRIES and len(rows) <= MAX_BARS:
        out.append({"type": "Chart.HorizontalBar", "displayMode": "AbsoluteNoAxis", "colorSet": "categorical",
                    "data": [{"x": _chart_label(k), "y": n} for k, n in rows], "fallback": table})
    else:
        out.append(table)
    return out


def summary_card(t: T, project_name: str, s: Summary, *, lang: str = "nb") -> Card:
    """Counts by kind / faggruppe / municipality, totals, top entries, charts, missing faggrupper."""
    body: list[Element] = [title(t("needs.summary.title", project=escape(project_name)))]
    if s.total == 0:
        body.append(text(t("needs.summary.empty")))
    # Needs and benefits are two numbers in this table; a pie of the same two numbers would only repeat them.
    body.append(facts([
        (t("needs.summary.total"), str(s.total)),
        (t("needs.summary.needs"), str(s.by_kind.get(NEED, 0))),
        (t("needs.summary.benefits"), str(s.by_kind.get(BENEFIT, 0))),
        (t("needs.summary.total_nok"), fmt_number(s.total_nok, lang)),
        (t("needs.summary.total_hours"), fmt_number(s.total_hours, lang)),
    ]))
    if s.by_faggruppe:
        body += figure(t("needs.summary.by_faggruppe"), s.by_faggruppe, s.total)
    if s.by_municipality:
        body += figure(t("needs.summary.by_municipality"), s.by_municipality, s.total)
    if s.top:
        body.append(text(t("needs.summary.top"), weight="Bolder", spacing="Medium"))
        for i, e in enumerate(s.top, 1):
            amount = []
            if e.estimate_nok:
                amount.append(t("needs.summary.nok", value=fmt_number(e.estimate_nok, lang)))
            if e.estimate_hours:
                amount.append(t("needs.summary.hours", value=fmt_number(e.estimate_hours, lang)))
            body.append(text(f"{i}\\. {escape(clip(e.title, 120))} ({escape(clip(e.faggruppe, 60))}): {', '.join(amount)}",
                             spacing="Small"))
    if s.missing:
        body.append(text(t("needs.summary.missing"), weight="Bolder", spacing="Medium"))
        body.append(text(escape(", ".join(s.missing))))
    else:
        body.append(text(t("needs.summary.all_sent"), weight="Bolder", spacing="Medium"))
    return card(body, [submit(t("needs.summary.new_input"), "cmd", {"command": "innspill"})])


def export_card(t: T, project_name: str, xlsx_url: str, csv_url: str, expires: str, count: int) -> Card:
    """Download links for the XLSX workbook and the CSV file."""
    return card(
        [title(t("needs.export.title", project=escape(project_name))),
         text(t("needs.export.body", n=count)), text(t("common.link_expires", time=expires), subtle=True)],
        [open_url(t("needs.export.xlsx"), xlsx_url), open_url(t("needs.export.csv"), csv_url)],
    )


def campaign_form(t: T, projects: list[tuple[str, str]], faggrupper: list[str], *, values: Mapping[str, str],
                  errors: Mapping[str, str]) -> Card:
    """Leader's form: project, faggrupper, deadline (date and time)."""
    v, e = values, errors
    body: list[Element] = [title(t("needs.campaign.form_title")), text(t("needs.campaign.form_intro"))]
    if e:
        body.append(text(t("error.invalid_input"), color="Attention", weight="Bolder"))
    body += choice_input("project_id", t("needs.field.project"), projects, v.get("project_id", ""), required=True,
                         error=e.get("project_id"))
    body += choice_input("faggrupper", t("needs.campaign.faggrupper"), [(f, choice_value(f)) for f in faggrupper],
                         v.get("faggrupper", ""), required=True, multi=True, error=e.get("faggrupper"), style="expanded")
    body += date_input("deadline_date", t("needs.campaign.deadline_date"), v.get("deadline_date", ""), required=True,
                       error=e.get("deadline_date"))
    body += time_input("deadline_time", t("needs.campaign.deadline_time"), v.get("deadline_time", "") or "12:00",
                       required=True, error=e.get("deadline_time"))
    return card(body, [execute_action(t("needs.campaign.start"), "needs.campaign.start", style="positive")])


def campaign_started_card(t: T, project_name: str, deadline: str, chats: int, faggrupper: list[str],
                          without_chat: list[str]) -> Card:
    """What the leader sees after starting a campaign."""
    body = [text(t("needs.campaign.started", project=escape(project_name), deadline=deadline, n=chats),
                 weight="Bolder"),
            text(escape(", ".join(faggrupper)), subtle=True)]
    if without_chat:
        body.append(text(t("needs.campaign.no_chat", names=escape(", ".join(without_chat)))))
    return card(body)


def campaign_post_card(t: T, project_name: str, deadline: str, faggruppe: str, project_id: int) -> Card:
    """Posted in each faggruppe chat: please send needs and benefits by the deadline."""
    return card(
        [title(t("needs.campaign.post_title", project=escape(project_name))),
         text(t("needs.campaign.post_body", faggruppe=escape(faggruppe), deadline=deadline)),
         text(t("needs.campaign.post_how"), subtle=True)],
        [submit(t("needs.campaign.post_button"), "cmd", {"command": "innspill", "project_id": project_id})],
    )


def campaign_report_card(t: T, project_name: str, deadline: str, by_faggruppe: Mapping[str, int],
                         by_person: list[tuple[str, str, int]], missing: list[str]) -> Card:
    """At the deadline: how many entries came from which faggruppe and from whom."""
    total = sum(by_faggruppe.values())
    body: list[Element] = [title(t("needs.campaign.report_title", project=escape(project_name))),
                           text(t("needs.campaign.report_intro", deadline=deadline, n=total))]
    if by_faggruppe:
        body.append(facts([(escape(clip(f, 80)), str(n)) for f, n in by_faggruppe.items()]))
    if by_person:
        body.append(text(t("needs.campaign.report_people"), weight="Bolder", spacing="Medium"))
        body.append(facts([(escape(clip(name, 80)), f"{n} ({escape(clip(f, 60))})") for name, f, n in by_person[:50]]))
    if missing:
        body.append(text(t("needs.campaign.report_missing", names=escape(", ".join(missing))), weight="Bolder"))
    return card(body, [submit(t("needs.campaign.report_summary"), "cmd", {"command": f"oversikt {project_name}"})])
