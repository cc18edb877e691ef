"""The gevinstrealiseringsplan chapters (BP3, and BP5 with status against the plan), and `render` for every draft.

The register has no field for measuring times or measured values; the plan says 'ikke registrert' there
instead of deriving something that looks like data.
"""

from __future__ import annotations

from bot.documents import chapters
from bot.documents.chapters import baseline_text, estimate, or_missing, ref
from bot.documents.docx import Writer, day, num
from bot.documents.model import DocumentModel, T, plural
from bot.needs.model import Entry, benefit


def overview(w: Writer, m: DocumentModel, t: T) -> None:
    """One line per benefit (owner, when, estimate), then the sums and the chart."""
    w.heading(t("documents.doc.plan.overview"), 1)
    if not m.benefits:
        w.para(t("documents.doc.benefits.none"))
        return
    head = [t("documents.col.nr"), t("documents.col.benefit"), t("documents.col.owner"), t("documents.col.when"),
            t("documents.col.estimate")]
    rows = [[ref(e), e.title, or_missing(t, benefit(e).owner), or_missing(t, day(benefit(e).realisation_date)),
             estimate(t, benefit(e).estimate_nok, benefit(e).estimate_hours)] for e in m.benefits]
    w.table(head, rows, (1.2, 6.6, 3.2, 2.2, 2.8))
    chapters.sums(w, m, t)
    chapters.charts(w, m, t)


def _plan_rows(t: T, e: Entry) -> list[tuple[str, str]]:
    """The label/value rows that describe one benefit in the benefit plan."""
    b = benefit(e)
    category = t(f"needs.category.{b.category}") if b.category else t("documents.doc.not_registered")
    return [
        (t("needs.field.description"), or_missing(t, b.description)),
        (t("needs.field.faggruppe"), e.faggruppe),
        (t("documents.col.type"), f"{t(f'needs.btype.{b.benefit_type}')} / {category}"),
        (t("needs.field.priced"), t("common.yes" if b.priced else "common.no")),
        (t("documents.col.receivers"), ", ".join(b.municipalities) or t("documents.doc.not_registered")),
        (t("needs.field.indicator"), or_missing(t, b.indicator)),
        (t("needs.field.unit"), or_missing(t, b.unit)),
        (t("documents.col.baseline"), baseline_text(t, e)),
        (t("needs.field.target_value"), or_missing(t, num(b.target_value))),
        (t("needs.field.realisation_date"), or_missing(t, day(b.realisation_date))),
        (t("documents.doc.plan.measuring"), t("documents.doc.not_registered")),
        (t("documents.doc.plan.responsible"), or_missing(t, b.owner)),
        (t("documents.col.estimate"), estimate(t, b.estimate_nok, b.estimate_hours)),
        (t("needs.field.measures"), or_missing(t, b.measures)),
        (t("needs.field.depends_on"), or_missing(t, b.depends_on)),
        (t("needs.field.risk"), or_missing(t, b.risk)),
        (t("documents.col.status"), t(f"needs.bstatus.{b.status}")),
    ]


def measurement_plan(w: Writer, m: DocumentModel, t: T) -> None:
    """Per benefit: indicator, baseline with date, target, measuring times, responsible, dependencies and risk."""
    w.heading(t("documents.doc.plan.heading"), 1)
    w.para(t("documents.doc.plan.intro"))
    for e in m.benefits:
        w.heading(f"{ref(e)}: {e.title}", 3)
        w.key_values(_plan_rows(t, e))


def timeline(w: Writer, m: DocumentModel, t: T) -> None:
    """When each benefit is expected, earliest first; benefits without a date are named."""
    w.heading(t("documents.doc.timeline.heading"), 1)
    if m.timeline:
        head = [t("documents.col.when"), t("documents.col.nr"), t("documents.col.benefit"), t("documents.col.owner"),
                t("documents.col.status")]
        rows = [[day(benefit(e).realisation_date), ref(e), e.title, or_missing(t, benefit(e).owner),
                 t(f"needs.bstatus.{benefit(e).status}")] for e in m.timeline]
        w.table(head, rows, (2.4, 1.2, 7.0, 3.2, 2.2))
    if m.undated:
        w.para(t("documents.doc.timeline.undated", n=len(m.undated)), bold=True)
        w.bullets([f"{ref(e)} {e.title}" for e in m.undated])


def risks(w: Writer, m: DocumentModel, t: T) -> None:
    """Dependencies on deliveries and risks, for the benefits that have them registered."""
    w.heading(t("documents.doc.risk.heading"), 1)
    listed = [e for e in m.benefits if benefit(e).depends_on.strip() or benefit(e).risk.strip()]
    if listed:
        rows = [[ref(e), e.title, or_missing(t, benefit(e).depends_on), or_missing(t, benefit(e).risk)] for e in listed]
        w.table([t("documents.col.nr"), t("documents.col.benefit"), t("needs.field.depends_on"), t("needs.field.risk")],
                rows, (1.2, 4.8, 5.0, 5.0))
    without = len(m.benefits) - len(listed)
    if without:
        w.para(plural(t, "documents.doc.risk.none_for", without), italic=True)


def status_against_plan(w: Writer, m: DocumentModel, t: T) -> None:
    """BP5: each benefit's plan next to its registered status; measured values are not in the register."""
    w.heading(t("documents.doc.status.heading"), 1)
    w.para(t("documents.doc.status.no_measurements"), bold=True)
    if not m.benefits:
        return
    w.bullets([f"{t(f'needs.bstatus.{s}')}: {n}" for s, n in m.by_status])
    if m.overdue:
        w.para(plural(t, "documents.doc.status.overdue_count", len(m.overdue)))
    head = [t("documents.col.nr"), t("documents.col.benefit"), t("documents.doc.status.plan"), t("documents.col.when"),
            t("documents.doc.status.registered"), t("documents.doc.status.measured"), t("documents.doc.status.remark")]
    overdue = {e.id for e in m.overdue}
    rows = []
    for e in m.benefits:
        b = benefit(e)
        plan = t("documents.doc.status.plan_value", baseline=baseline_text(t, e), target=or_missing(t, num(b.target_value)))
        rows.append([ref(e), e.title, plan, or_missing(t, day(b.realisation_date)), t(f"needs.bstatus.{b.status}"),
                     t("documents.doc.not_registered"),
                     t("documents.doc.status.overdue") if e.id in overdue else ""])
    w.table(head, rows, (1.1, 3.8, 3.5, 1.9, 2.0, 1.7, 2.0))


def render(m: DocumentModel, t: T) -> bytes:
    """The whole draft for the model's decision point, as DOCX bytes."""
    w = Writer(title=f"{t(f'documents.title.{m.bp}')}: {m.project}", subject=f"BP{m.bp}", author=m.cooperation or "Faggruppe-bot",
               created=m.generated)
    chapters.front(w, m, t)
    chapters.intro(w, m, t)
    chapters.missing(w, m, t)
    if m.empty:
        return w.to_bytes()  # a short, honest draft: nothing to tabulate yet
    if m.bp == 2:
        chapters.needs(w, m, t)
        chapters.benefits_chapter(w, m, t)
    else:
        overview(w, m, t)
        measurement_plan(w, m, t)
        timeline(w, m, t)
        risks(w, m, t)
        if m.bp == 5:
            status_against_plan(w, m, t)
    return w.to_bytes()
