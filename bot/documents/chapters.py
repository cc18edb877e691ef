"""What each draft contains: title page, contents, what is missing, needs, benefits, sums and the chart.

The benefit plan chapters of BP3 and BP5 are in `plan.py`; `render` puts a whole document together.
"""

from __future__ import annotations

from docx.enum.section import WD_ORIENT

from bot.documents.chart import Bar, bar_chart
from bot.documents.docx import Writer, day, num
from bot.documents.model import DocumentModel, T, Totals, missing_lines
from bot.needs.model import BENEFIT, NEED, Entry, benefit, need

NUMBER_PREFIX = "G"  # benefits are named G12 in every table, so a reader can find one across chapters


def ref(e: Entry) -> str:
    """A benefit's or need's short name in tables: 'G12' / 'B7'."""
    return f"{NUMBER_PREFIX if e.kind == BENEFIT else 'B'}{e.id}"


def or_missing(t: T, value: str) -> str:
    """The value, or 'ikke registrert' when the register has none."""
    return value if value.strip() else t("documents.doc.not_registered")


def estimate(t: T, nok: float | None, hours: float | None) -> str:
    """'250 000 kr\n1 200 t' (per year), or 'ikke registrert'."""
    parts = []
    if nok:
        parts.append(t("documents.doc.nok", value=num(nok)))
    if hours:
        parts.append(t("documents.doc.hours", value=num(hours)))
    return "\n".join(parts) or t("documents.doc.not_registered")


def municipality(t: T, name: str) -> str:
    """A municipality, or 'Ingen kommune oppgitt' for benefits that name none."""
    return name or t("documents.doc.municipality_none")


# -- common chapters ------------------------------------------------------------------------------
def front(w: Writer, m: DocumentModel, t: T) -> None:
    """Title page (project, cooperation, BP, date, version, 'Utkast') and the table of contents."""
    cooperation = m.cooperation or t("documents.doc.not_given")
    facts = [
        (t("documents.doc.fact.project"), m.project),
        (t("documents.doc.fact.cooperation"), cooperation),
        (t("documents.doc.fact.municipalities"), ", ".join(m.cooperation_municipalities) or t("documents.doc.not_given")),
        (t("documents.doc.fact.bp"), f"BP{m.bp}: {t(f'gates.bp.{m.bp}')}"),
        (t("documents.doc.fact.date"), day(m.generated)),
        (t("documents.doc.fact.version"), t("documents.doc.version", time=m.generated.strftime("%d.%m.%Y kl. %H.%M"))),
        (t("documents.doc.fact.status"), t("documents.doc.status_value")),
    ]
    w.title_page(t(f"documents.title.{m.bp}"), t("documents.doc.status"), facts)
    w.toc(t("documents.doc.toc"), t("documents.doc.toc_hint"))


def intro(w: Writer, m: DocumentModel, t: T) -> None:
    """What this draft is and what it is built from."""
    w.heading(t("documents.doc.intro.heading"), 1)
    w.para(t(f"documents.doc.intro.purpose.{m.bp}"))
    groups = len({e.faggruppe for e in (*m.needs, *m.benefits)})
    w.para(t("documents.doc.intro.body", date=day(m.generated), needs=len(m.needs), benefits=len(m.benefits),
             groups=groups))
    if m.empty:
        w.para(t("documents.doc.empty"), bold=True)


def missing(w: Writer, m: DocumentModel, t: T) -> None:
    """What the register lacks, with the benefits that lack it, so the reminder before the BP can ask for it."""
    w.heading(t("documents.doc.missing.heading"), 1)
    lines = missing_lines(m, t)
    if not lines:
        w.para(t("documents.doc.missing.none", bp=m.bp))
        return
    w.bullets(lines)
    for gap, lacking in m.gaps:
        w.para(t(f"documents.doc.missing.list.{gap}"), bold=True)
        w.bullets([f"{ref(e)} {e.title} ({e.faggruppe})" for e in lacking])


# -- needs ------------------------------------------------------------------------------------------
def needs(w: Writer, m: DocumentModel, t: T) -> None:
    """Needs per faggruppe (one table each) and per municipality."""
    w.heading(t("documents.doc.needs.heading"), 1)
    w.heading(t("documents.doc.needs.by_faggruppe"), 2)
    if not m.needs_by_faggruppe:
        w.para(t("documents.doc.needs.none"))
        return
    head = [t("documents.col.nr"), t("documents.col.need"), t("documents.col.problem"), t("documents.col.desired"),
            t("documents.col.priority"), t("documents.col.municipalities")]
    for faggruppe, group in m.needs_by_faggruppe:
        w.heading(faggruppe, 3)
        rows = [[ref(e), e.title, need(e).problem, need(e).desired_situation,
                 t(f"needs.priority.{need(e).priority}"), ", ".join(e.municipalities) or t("documents.doc.not_registered")]
                for e in group]
        w.table(head, rows, (1.2, 3.3, 4.4, 4.0, 1.6, 2.5))
    w.heading(t("documents.doc.needs.by_municipality"), 2)
    w.table([t("documents.col.municipality"), t("documents.col.needs_count")],
            [[name, str(n)] for name, n in m.needs_by_municipality], (8.0, 4.0))


# -- benefits ---------------------------------------------------------------------------------------
def baseline_text(t: T, e: Entry) -> str:
    """The baseline as '3,50 per 01.01.2026', or what is missing of it."""
    b = benefit(e)
    if b.baseline_value is None:
        return t("documents.doc.not_registered")
    when = day(b.baseline_date) if b.baseline_date else t("documents.doc.date_missing")
    return t("documents.doc.baseline", value=num(b.baseline_value), date=when)


def benefit_table(w: Writer, m: DocumentModel, t: T) -> None:
    """Every benefit in one wide table (landscape pages)."""
    w.orientation(WD_ORIENT.LANDSCAPE)
    w.heading(t("documents.doc.benefits.table"), 2)
    head = [t("documents.col.nr"), t("documents.col.benefit"), t("documents.col.type"), t("documents.col.priced"),
            t("documents.col.receivers"), t("documents.col.indicator"), t("documents.col.baseline"),
            t("documents.col.target"), t("documents.col.when"), t("documents.col.estimate"), t("documents.col.owner"),
            t("documents.col.status")]
    rows = []
    for e in m.benefits:
        b = benefit(e)
        indicator = f"{b.indicator} ({b.unit})" if b.indicator and b.unit else b.indicator
        described = f"{b.title}\n{b.description}" if b.description else b.title
        rows.append([ref(e), described, t(f"needs.btype.{b.benefit_type}"), t("common.yes" if b.priced else "common.no"),
                     ", ".join(b.municipalities) or t("documents.doc.not_registered"), or_missing(t, indicator),
                     baseline_text(t, e), or_missing(t, num(b.target_value)), or_missing(t, day(b.realisation_date)),
                     estimate(t, b.estimate_nok, b.estimate_hours), or_missing(t, b.owner),
                     t(f"needs.bstatus.{b.status}")])
    w.table(head, rows, (1.1, 4.6, 2.0, 1.3, 2.4, 2.6, 2.2, 1.5, 1.8, 2.1, 2.0, 1.7))
    w.orientation(WD_ORIENT.PORTRAIT)


def _totals_row(label: str, x: Totals) -> list[str]:
    """One table row of a Totals: label, count, priced, kroner, hours."""
    return [label, str(x.count), str(x.priced), num(x.nok), num(x.hours)]


def sums(w: Writer, m: DocumentModel, t: T) -> None:
    """Sums per benefit type and per receiving municipality."""
    head = [t("documents.col.count"), t("documents.col.priced_count"), t("documents.col.nok"), t("documents.col.hours")]
    w.heading(t("documents.doc.sums.type"), 2)
    rows = [_totals_row(t(f"needs.btype.{k}"), x) for k, x in m.by_type]
    w.table([t("documents.col.type"), *head], [*rows, _totals_row(t("documents.doc.sum"), m.total)],
            (5.2, 2.0, 2.4, 3.4, 3.0))
    w.heading(t("documents.doc.sums.municipality"), 2)
    w.para(t("documents.doc.sums.municipality_note"), italic=True)
    w.table([t("documents.col.municipality"), *head], [_totals_row(municipality(t, k), x) for k, x in m.by_municipality],
            (5.2, 2.0, 2.4, 3.4, 3.0))


def charts(w: Writer, m: DocumentModel, t: T) -> None:
    """The summary charts: entries per faggruppe (needs and benefits), and estimated NOK per benefit type."""
    w.heading(t("documents.doc.chart.heading"), 2)
    per_group: dict[str, list[float]] = {}
    for e in (*m.needs, *m.benefits):
        counts = per_group.setdefault(e.faggruppe, [0.0, 0.0])
        counts[0 if e.kind == NEED else 1] += 1
    bars = [Bar(f, tuple(v)) for f, v in sorted(per_group.items(), key=lambda kv: (-sum(kv[1]), kv[0]))]
    title = t("documents.doc.chart.by_faggruppe")
    png = bar_chart(title, bars, [t("needs.summary.needs"), t("needs.summary.benefits")], lambda v: num(v))
    w.picture(png, t("documents.doc.chart.caption", n=1, title=title))
    if m.total.nok:
        title = t("documents.doc.chart.by_type")
        png = bar_chart(title, [Bar(t(f"needs.btype.{k}"), (x.nok,)) for k, x in m.by_type], [],
                        lambda v: t("documents.doc.nok", value=num(v)))
        w.picture(png, t("documents.doc.chart.caption", n=2, title=title))


def benefits_chapter(w: Writer, m: DocumentModel, t: T) -> None:
    """BP2: the benefit table, sums and the charts."""
    w.heading(t("documents.doc.benefits.heading"), 1)
    if not m.benefits:
        w.para(t("documents.doc.benefits.none"))
        return
    benefit_table(w, m, t)
    sums(w, m, t)
    charts(w, m, t)
