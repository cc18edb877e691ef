"""Phase gate cards: timeline, set-deadline form, decision form, reminder and overdue notice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, tzinfo

from bot.gates.model import (
    APPROVED,
    DECISION_POINTS,
    OVERDUE,
    PHASES,
    POSTPONED,
    Gate,
    days_left,
    gate_status,
    phase_index,
)
from bot.kernel.choices import choice_value
from bot.kernel.status import InputStatus
from cards.common import (
    Card,
    Element,
    card,
    choice_input,
    container,
    date_input,
    error_text,
    escape,
    execute,
    facts,
    lines,
    submit,
    text,
    text_input,
    time_input,
    title,
    toggle,
)
from cards.when import at_day

T = Callable[..., str]
# Only overdue is coloured (attention passes contrast); the status is always said in words beside the bold BP.
STATUS_COLOR = {"overdue": "Attention"}


def format_date(t: T, day: date, at: time | None = None) -> str:
    """'tirsdag 8. desember 2026' (and ' kl. 12.00' when a time is given)."""
    return at_day(t, day, at, year=True)


def left_text(t: T, day: date, now: datetime, tz: tzinfo) -> str:
    """'7 dager igjen', 'i dag', '3 dager over fristen'."""
    n = days_left(day, now, tz)
    if n == 0:
        return t("gates.today")
    if n == 1:
        return t("gates.day_left")
    return t("gates.days_left", days=n) if n > 0 else t("gates.days_over", days=-n)


def bp_label(bp: int) -> str:
    """'BP2'."""
    return f"BP{bp}"


def _bp_block(t: T, project_id: int, bp: int, gate: Gate | None, now: datetime, tz: tzinfo, *, is_leader: bool,
              calendar: str | None, expanded: bool = True, saved: bool = False) -> Element:
    """One decision point: expanded (all facts) or collapsed to one line with its facts hidden behind 'Vis alle'."""
    status = gate_status(gate, now, tz)
    pairs: list[tuple[str, str]] = []
    if gate and gate.deadline:
        pairs.append((t("gates.fact.deadline"), format_date(t, gate.deadline, gate.deadline_time)))
        if status not in (APPROVED, POSTPONED):
            pairs.append((t("gates.fact.left"), left_text(t, gate.deadline, now, tz)))
    pairs.append((t("gates.fact.status"), t(f"gates.status.{status}")))
    if gate and gate.faggrupper:
        pairs.append((t("gates.fact.faggrupper"), escape(", ".join(gate.faggrupper))))
    documents = gate.documents if gate and gate.documents else DECISION_POINTS[bp].documents
    pairs.append((t("gates.fact.documents"), escape("; ".join(documents))))
    if gate and gate.comment:
        pairs.append((t("gates.fact.comment"), lines(escape(gate.comment))))
    if calendar:
        pairs.append((t("gates.fact.calendar"), t(f"gates.calendar.{calendar}")))
    head = f"**{bp_label(bp)}** – {t(f'gates.bp.{bp}')}"
    if not expanded:
        head += f" · {t(f'gates.status.{status}')}"
    items: list[Element] = [text(head, color=STATUS_COLOR.get(status))]
    items.append(facts(pairs) if expanded else container([facts(pairs)], id=f"details-bp{bp}", isVisible=False))
    if saved:
        items.append(text(t("gates.timeline.saved"), weight="Bolder", spacing="Small"))
    if is_leader and status != APPROVED:  # opened by the card's one "Administrer" toggle
        data = {"project_id": project_id, "bp": bp}
        set_key = "gates.action.change" if gate and gate.deadline else "gates.action.set"
        items.append(container([{"type": "ActionSet", "actions": [
            execute(t(set_key, bp=bp_label(bp)), "gates.form", data),
            execute(t("gates.action.decide", bp=bp_label(bp)), "gates.decision_form", data),
        ]}], id=f"manage-bp{bp}", isVisible=False))
    return container(items, style="emphasis" if status == OVERDUE else "default", spacing="Medium", separator=True)


def _expanded(bp: int, current: int, gate: Gate | None, now: datetime, tz: tzinfo, saved_bp: int | None) -> bool:
    """The gate ahead of the current phase and the one after it are open, and any overdue or just saved gate."""
    return bp in (current + 1, current + 2) or bp == saved_bp or gate_status(gate, now, tz) == OVERDUE


def timeline_card(t: T, *, project_id: int, project_name: str, phase: str, gates: dict[int, Gate], now: datetime,
                  tz: tzinfo, is_leader: bool, calendar_on: bool, calendar_states: dict[int, str] | None = None,
                  saved_bp: int | None = None) -> Card:
    """The phases Idé → Realisere with BP1–BP5 between them: the current and next gate open (deadline, days left,
    status, what is due), the others one line each; leader actions behind one 'Administrer'."""
    current = phase_index(phase)
    body: list[Element] = [
        title(t("gates.timeline.title", project=escape(project_name))),
        text(t("gates.timeline.current", phase=t(f"gates.phase.{PHASES[current]}"))),
        text(t("gates.timeline.calendar_on" if calendar_on else "gates.timeline.calendar_off"), subtle=True, size="Small"),
    ]
    states = calendar_states or {}
    collapsed: list[str] = []
    for i, ph in enumerate(PHASES):
        mark = "✓ " if i < current else ("▶ " if i == current else "○ ")
        line = f"{mark}**{t(f'gates.phase.{ph}')}**" if i == current else f"{mark}{t(f'gates.phase.{ph}')}"
        here = f"  {t('gates.timeline.here')}" if i == current else ""
        body.append(text(line + here, spacing="Medium", color="Accent" if i == current else None))
        if i < len(DECISION_POINTS):
            bp = i + 1
            open_ = _expanded(bp, current, gates.get(bp), now, tz, saved_bp)
            if not open_:
                collapsed.append(f"details-bp{bp}")
            body.append(_bp_block(t, project_id, bp, gates.get(bp), now, tz, is_leader=is_leader, expanded=open_,
                                  calendar=states.get(bp) if calendar_on else None, saved=bp == saved_bp))
    actions: list[Element] = []
    if is_leader:  # leader actions wait behind one toggle: the timeline stays readable (≤ 6 buttons in sight)
        body.append(container([
            *choice_input("phase", t("gates.phase_choice"), [(t(f"gates.phase.{p}"), p) for p in PHASES],
                          value=PHASES[current]),
            {"type": "ActionSet", "actions": [execute(t("gates.action.set_phase"), "gates.phase", {"project_id": project_id})]},
        ], id="manage-phase", isVisible=False, separator=True))
        managed = [item["id"] for block in body for item in block.get("items", []) if item.get("id", "").startswith("manage-")]
        actions.append(toggle(t("gates.action.manage"), [*managed, "manage-phase"]))
    if collapsed:
        actions.append(toggle(t("gates.action.show_all"), collapsed))
    actions.append(execute(t("gates.action.timeline"), "gates.timeline", {"project_id": project_id}))
    return card(body, actions)


def deadline_form(t: T, *, project_id: int, project_name: str, bp: int, faggrupper: list[str],
                  values: dict[str, str], errors: dict[str, str] | None = None, can_remove: bool = False) -> Card:
    """`Sett frist`: date, optional time, faggrupper, documents due, reminder offsets; errors by the fields."""
    errs = errors or {}
    chosen = values.get("faggrupper", "")
    body: list[Element] = [
        title(t("gates.form.title", bp=bp_label(bp), project=escape(project_name))),
        text(t(f"gates.bp.{bp}"), subtle=True),
        *date_input("deadline", t("gates.form.date"), values.get("deadline", ""), required=True,
                    error=errs.get("deadline")),
        *time_input("deadline_time", t("gates.form.time"), values.get("deadline_time", ""), error=errs.get("deadline_time")),
        *choice_input("faggrupper", t("gates.form.faggrupper"), [(f, choice_value(f)) for f in faggrupper],
                      value=chosen, required=True, error=errs.get("faggrupper"), multi=True, style="expanded"),
        *text_input("documents", t("gates.form.documents"), values.get("documents", ""), multiline=True,
                    max_length=4200, error=errs.get("documents")),
        *text_input("offsets", t("gates.form.offsets"), values.get("offsets", ""), max_length=60,
                    error=errs.get("offsets"), placeholder="14, 7, 1"),
        *error_text(errs.get("_form")),
    ]
    data = {"project_id": project_id, "bp": bp}
    actions = [execute(t("gates.form.save"), "gates.save", data, style="positive")]
    if can_remove:
        actions.append(execute(t("gates.form.remove"), "gates.remove", data, style="destructive", associated_inputs="none"))
    actions.append(execute(t("gates.form.back"), "gates.timeline", data, associated_inputs="none"))
    return card(body, actions)


def decision_form(t: T, *, project_id: int, project_name: str, bp: int, values: dict[str, str],
                  errors: dict[str, str] | None = None) -> Card:
    """Record Godkjent / Utsatt with a comment."""
    errs = errors or {}
    body: list[Element] = [
        title(t("gates.decision.title", bp=bp_label(bp), project=escape(project_name))),
        text(t(f"gates.bp.{bp}"), subtle=True),
        *choice_input("decision", t("gates.decision.choice"),
                      [(t("gates.decision.approved"), APPROVED), (t("gates.decision.postponed"), POSTPONED)],
                      value=values.get("decision", ""), required=True, error=errs.get("decision"), style="expanded"),
        *text_input("comment", t("gates.decision.comment"), values.get("comment", ""), multiline=True, max_length=2000,
                    error=errs.get("comment")),
    ]
    data = {"project_id": project_id, "bp": bp}
    return card(body, [execute(t("gates.decision.save"), "gates.decide", data, style="positive"),
                       execute(t("gates.form.back"), "gates.timeline", data, associated_inputs="none")])


def reminder_card(t: T, *, project_id: int, project_name: str, bp: int, deadline: date, deadline_time: time | None, left: str,
                  documents: tuple[str, ...], status: InputStatus | None, draft: bool = False) -> Card:
    """Posted in each involved faggruppe chat at every reminder offset; `draft` adds "Last ned utkast" (BP2, BP3, BP5)."""
    body: list[Element] = [
        title(t("gates.reminder.title", bp=bp_label(bp), project=escape(project_name))),
        text(t(f"gates.bp.{bp}"), subtle=True),
        text(t("gates.reminder.deadline", date=format_date(t, deadline, deadline_time), left=left)),
    ]
    if documents:
        body.append(text(t("gates.reminder.due"), weight="Bolder"))
        body.append(text("\n".join(f"- {escape(d)}" for d in documents)))
    if status is not None:
        body.append(text(t("gates.reminder.status", total=status.total, needs=status.needs, benefits=status.benefits),
                         spacing="Medium"))
        if status.missing:
            body.append(text(t("gates.reminder.missing", names=escape(", ".join(status.missing))), weight="Bolder"))
        else:
            body.append(text(t("gates.reminder.all_sent")))
    actions = [submit(t("gates.action.input"), "cmd", {"command": "innspill", "project_id": project_id}),
               submit(t("gates.action.timeline"), "cmd", {"command": f"faser {project_name}"})]
    if draft:
        # Leaders and the secretariat get the draft decision document; members who press it are told who may.
        actions.append(execute(t("documents.button"), "documents.draft", {"project_id": project_id, "bp": bp}))
    return card(body, actions)


def overdue_card(t: T, *, project_id: int, project_name: str, bp: int, deadline: date, deadline_time: time | None) -> Card:
    """To the leader(s) on the day after a missed deadline."""
    body = [
        title(t("gates.overdue.title", bp=bp_label(bp), project=escape(project_name))),
        text(t("gates.overdue.body", date=format_date(t, deadline, deadline_time)), color="Attention"),
    ]
    data = {"project_id": project_id, "bp": bp}
    return card(body, [execute(t("gates.action.decide", bp=bp_label(bp)), "gates.decision_form", data),
                       execute(t("gates.action.set", bp=bp_label(bp)), "gates.form", data),
                       submit(t("gates.action.timeline"), "cmd", {"command": f"faser {project_name}"})])


def announcement_card(t: T, *, project_name: str, bp: int, decision: str, phase: str, comment: str) -> Card:
    """A decision, announced in the involved chats."""
    key = "gates.announce.approved" if decision == APPROVED else "gates.announce.postponed"
    body = [
        title(t(f"gates.status.{decision}") + f": {bp_label(bp)}"),
        text(t(key, bp=bp_label(bp), project=escape(project_name), phase=t(f"gates.phase.{phase}"))),
    ]
    if comment:
        body.append(facts([(t("gates.fact.comment"), lines(escape(comment)))]))
    return card(body, [submit(t("gates.action.timeline"), "cmd", {"command": f"faser {project_name}"})])


def project_chooser(t: T, projects: list[tuple[str, int]]) -> Card:
    """Which project's timeline to show: a dropdown of (name, id) and one button (Teams shows few buttons)."""
    body = [
        text(t("gates.choose_project")),
        *choice_input("project_id", t("gates.project"), [(n, str(i)) for n, i in projects],
                      value=str(projects[0][1]) if projects else "", required=True),
    ]
    return card(body, [execute(t("gates.show_timeline"), "gates.timeline", style="positive")])
