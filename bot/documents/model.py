"""The document model: a project's register gathered for one decision point (pure: no I/O, no SDK).

What the register lacks is gathered here too, so the document and the chat reply say the same thing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.needs.model import ACTIVE, BENEFIT, BENEFIT_TYPES, NEED, Benefit, Entry, benefit

# The decision points that have a draft, and the document each gets (catalogue key documents.title.<bp>).
DRAFT_BPS: tuple[int, ...] = (2, 3, 5)
BP_MIN, BP_MAX = 1, 5

# What a benefit must have before each decision point; checked in this order.
OWNER, INDICATOR, BASELINE, TARGET, REALISATION = "owner", "indicator", "baseline", "target", "realisation"
GAPS_BY_BP: dict[int, tuple[str, ...]] = {
    2: (OWNER, INDICATOR, BASELINE),
    3: (OWNER, INDICATOR, BASELINE, TARGET, REALISATION),
    5: (OWNER, INDICATOR, BASELINE, TARGET, REALISATION),
}
REALISED = "realisert"

T = Callable[..., str]


def has_draft(bp: int) -> bool:
    """True for the decision points that have a document draft."""
    return bp in DRAFT_BPS


@dataclass(frozen=True)
class Totals:
    """Benefits counted and summed: how many, how many priced, NOK per year and hours per year."""

    count: int = 0
    priced: int = 0
    nok: float = 0.0
    hours: float = 0.0

    def add(self, b: Benefit) -> Totals:
        """These totals with one more benefit."""
        return Totals(self.count + 1, self.priced + int(b.priced), self.nok + (b.estimate_nok or 0.0),
                      self.hours + (b.estimate_hours or 0.0))


@dataclass(frozen=True)
class DocumentModel:
    """Everything one draft shows, in the order it shows it."""

    bp: int
    project: str
    cooperation: str
    cooperation_municipalities: tuple[str, ...]
    generated: datetime  # local time
    needs_by_faggruppe: tuple[tuple[str, tuple[Entry, ...]], ...] = ()
    needs_by_municipality: tuple[tuple[str, int], ...] = ()
    benefits: tuple[Entry, ...] = ()
    by_type: tuple[tuple[str, Totals], ...] = ()
    by_municipality: tuple[tuple[str, Totals], ...] = ()  # "" = no municipality named
    total: Totals = field(default_factory=Totals)
    gaps: tuple[tuple[str, tuple[Entry, ...]], ...] = ()  # gap -> benefits lacking it (only gaps that occur)
    missing_faggrupper: tuple[str, ...] = ()
    timeline: tuple[Entry, ...] = ()  # benefits with a realisation date, earliest first
    undated: tuple[Entry, ...] = ()
    overdue: tuple[Entry, ...] = ()  # realisation date passed, not registered as realised
    by_status: tuple[tuple[str, int], ...] = ()

    @property
    def needs(self) -> tuple[Entry, ...]:
        """Every need, faggruppe by faggruppe."""
        return tuple(e for _, group in self.needs_by_faggruppe for e in group)

    @property
    def empty(self) -> bool:
        """True when the register has no active need or benefit for the project."""
        return not self.benefits and not self.needs_by_faggruppe


def lacks(b: Benefit, gap: str) -> bool:
    """True when the benefit lacks what `gap` names (blank text counts as missing)."""
    if gap == OWNER:
        return not b.owner.strip()
    if gap == INDICATOR:
        return not b.indicator.strip()
    if gap == BASELINE:
        return b.baseline_value is None
    if gap == TARGET:
        return b.target_value is None
    if gap == REALISATION:
        return b.realisation_date is None
    raise ValueError(gap)


def _ordered_groups(needs: list[Entry], involved: Iterable[str]) -> tuple[tuple[str, tuple[Entry, ...]], ...]:
    """Needs per faggruppe: the involved faggrupper first in their order, then any other alphabetically."""
    present = {e.faggruppe for e in needs}
    order = [f for f in dict.fromkeys(involved) if f in present] + sorted(present - set(involved))
    return tuple((f, tuple(e for e in needs if e.faggruppe == f)) for f in order)


def _municipality_counts(needs: list[Entry], known: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """Needs per municipality: every municipality of the cooperation (zeros show who is not covered), then others."""
    counts = Counter(m for e in needs for m in e.municipalities)
    others = sorted(set(counts) - set(known))
    return tuple((m, counts.get(m, 0)) for m in (*known, *others))


def _sums(benefits: list[Entry], known: tuple[str, ...]) -> tuple[tuple[tuple[str, Totals], ...],
                                                                  tuple[tuple[str, Totals], ...], Totals]:
    """Totals per benefit type, per receiving municipality (a shared benefit counts in each), and overall."""
    by_type: dict[str, Totals] = {}
    by_muni: dict[str, Totals] = {}
    total = Totals()
    for e in benefits:
        b = benefit(e)
        by_type[b.benefit_type] = by_type.get(b.benefit_type, Totals()).add(b)
        for m in b.municipalities or ("",):
            by_muni[m] = by_muni.get(m, Totals()).add(b)
        total = total.add(b)
    types = [k for k in BENEFIT_TYPES if k in by_type] + sorted(set(by_type) - set(BENEFIT_TYPES))
    munis = [m for m in known if m in by_muni] + sorted(set(by_muni) - set(known) - {""}) + ([""] if "" in by_muni else [])
    return tuple((k, by_type[k]) for k in types), tuple((m, by_muni[m]) for m in munis), total


def gather(entries: Iterable[Entry], *, bp: int, project: str, cooperation: str, municipalities: tuple[str, ...],
           involved: Iterable[str], generated: datetime) -> DocumentModel:
    """The model of one draft from a project's entries (withdrawn entries are left out)."""
    involved = tuple(involved)
    active = [e for e in entries if e.status == ACTIVE]
    needs = [e for e in active if e.kind == NEED]
    benefits = sorted((e for e in active if e.kind == BENEFIT), key=lambda e: e.id)
    by_type, by_muni, total = _sums(benefits, municipalities)
    gaps = tuple((g, lacking) for g in GAPS_BY_BP.get(bp, GAPS_BY_BP[2])
                 if (lacking := tuple(e for e in benefits if lacks(benefit(e), g))))
    dated = sorted((e for e in benefits if benefit(e).realisation_date), key=lambda e: (benefit(e).realisation_date, e.id))
    today = generated.date()
    overdue = tuple(e for e in dated if _before(benefit(e).realisation_date, today) and benefit(e).status != REALISED)
    sent = {e.faggruppe for e in active}
    return DocumentModel(
        bp=bp, project=project, cooperation=cooperation, cooperation_municipalities=municipalities, generated=generated,
        needs_by_faggruppe=_ordered_groups(needs, involved), needs_by_municipality=_municipality_counts(needs, municipalities),
        benefits=tuple(benefits), by_type=by_type, by_municipality=by_muni, total=total, gaps=gaps,
        missing_faggrupper=tuple(f for f in involved if f not in sent), timeline=tuple(dated),
        undated=tuple(e for e in benefits if not benefit(e).realisation_date), overdue=overdue,
        by_status=tuple(Counter(benefit(e).status for e in benefits).most_common()),
    )


def _before(day: date | None, today: date) -> bool:
    """True when `day` is set and earlier than `today`."""
    return day is not None and day < today


def plural(t: T, key: str, n: int) -> str:
    """The text `key.one` for 1, else `key.other`, with n filled in."""
    return t(f"{key}.{'one' if n == 1 else 'other'}", n=n)


def missing_lines(model: DocumentModel, t: T) -> list[str]:
    """What the register lacks, as sentences ('3 gevinster mangler gevinsteier'); empty when nothing is missing."""
    if model.empty:
        return [t("documents.missing.empty")]
    out = [plural(t, f"documents.missing.{gap}", len(lacking)) for gap, lacking in model.gaps]
    if not model.benefits:
        out.append(t("documents.missing.no_benefits"))
    if model.missing_faggrupper:
        out.append(t("documents.missing.faggrupper", names=", ".join(model.missing_faggrupper)))
    return out
