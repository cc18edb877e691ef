"""A realistic register for the decision document tests, the sample DOCX and the benchmark: a shared archive for Helgeland.

Every date is taken from `today` (the test clock's, or the real one for the sample), never written out.
Three benefits lack an owner, two an indicator and three a baseline; Helse og omsorg has sent nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.needs.model import ACTIVE, BENEFIT, NEED, WITHDRAWN, Benefit, Entry, Need

PROJECT = "Felles sak- og arkivløsning for Helgeland"
COOPERATION = "Digitale Helgeland"
ARKIV = "Personal, arkiv, økonomi"
TJENESTER = "Tjenester, felleskomponenter og virksomhetsarkitektur"
IT = "IT-drift og sikkerhet"
OPPVEKST = "Oppvekst"
HELSE = "Helse og omsorg"
INVOLVED = [ARKIV, TJENESTER, IT, OPPVEKST, HELSE]
Row = tuple[str, Need | Benefit, str, str]  # kind, content, faggruppe, submitter name


def needs() -> list[Row]:
    """Six needs from four faggrupper."""
    return [
        (NEED, Need("Én felles arkivkjerne for alle kommunene", "Kommunene bruker fem ulike sak/arkiv-systemer; "
                    "journalføring og bevaring skjer ulikt, og overgang mellom systemer krever manuelt arbeid.",
                    "Felles arkivkjerne med like rutiner, felles klassifikasjon og automatisk journalføring.", "hoy",
                    current_situation="Fem systemer, tre leverandører", services="Arkiv, politisk sekretariat",
                    municipalities=("Rana", "Vefsn", "Alstahaug", "Brønnøy")), ARKIV, "Åse Ærlig"),
        (NEED, Need("Automatisk journalføring av e-post", "Saksbehandlere kopierer e-post inn i saken for hånd; "
                    "mye blir aldri journalført.", "E-post til saken journalføres med ett klikk.", "middels",
                    municipalities=("Hemnes", "Nesna", "Leirfjord")), ARKIV, "Ørjan Øverli"),
        (NEED, Need("Digital post til innbyggere og virksomheter", "Brev skrives ut og sendes med post fra sju "
                    "kommuner.", "All utgående post sendes digitalt via SvarUt, papir bare ved reservasjon.", "hoy",
                    municipalities=("Sømna", "Bindal", "Vega", "Vevelstad")), TJENESTER, "Kari Nordmann"),
        (NEED, Need("Innsyn for innbyggere og presse", "Postlister publiseres ulikt og sent.",
                    "Felles, oppdatert postliste med innsyn på nett.", "lav", municipalities=("Rana", "Dønna", "Herøy")),
         TJENESTER, "Kari Nordmann"),
        (NEED, Need("Felles tilgangsstyring og logging", "Tilganger til arkivet gis per kommune uten felles kontroll.",
                    "Rollebasert tilgang med felles logg og kvartalsvis kontroll.", "hoy", municipalities=("Rana", "Vefsn"),
                    security_concern=True), IT, "Per Hansen"),
        (NEED, Need("Elevmapper arkiveres riktig", "Elevmapper i skole og barnehage lagres i fagsystemer uten "
                    "arkivfunksjon.", "Elevmapper arkiveres i arkivkjernen med riktig bevaringstid.", "middels",
                    municipalities=("Grane", "Hattfjelldal", "Træna")), OPPVEKST, "Åse Ærlig"),
    ]


def benefits(today: date) -> list[Row]:
    """Seven benefits: G-numbers follow the order here when stored after the needs."""
    d = today
    return [
        (BENEFIT, Benefit("Redusert tid til manuell journalføring", "effektivisering", category="spart_tid", priced=True,
                          description="Automatisk journalføring av e-post og skjema fjerner manuelt arbeid.",
                          municipalities=("Rana", "Vefsn", "Alstahaug", "Brønnøy"),
                          indicator="Timer brukt på manuell journalføring per måned", unit="timer/mnd",
                          baseline_value=820.0, baseline_date=d - timedelta(days=120), target_value=300.0,
                          realisation_date=d + timedelta(days=540), estimate_nok=1_234_567.5, estimate_hours=6240.0,
                          owner="Arkivleder, Rana kommune", measures="Opplæring av alle saksbehandlere.",
                          depends_on="Leveranse 2: automatisk journalføring", risk="Lav bruk hvis opplæringen uteblir."),
         ARKIV, "Åse Ærlig"),
        (BENEFIT, Benefit("Færre lisenser for sak/arkiv", "effektivisering", category="unngatte_kostnader", priced=True,
                          municipalities=("Rana", "Vefsn", "Hemnes", "Nesna", "Leirfjord"), indicator="Lisenskostnad per år",
                          unit="kr", baseline_value=2_400_000.0, baseline_date=d - timedelta(days=90),
                          target_value=1_550_000.0, realisation_date=d + timedelta(days=365), estimate_nok=850_000.0,
                          owner="Økonomisjef, Vefsn kommune", depends_on="Leveranse 1: felles arkivkjerne"),
         ARKIV, "Ørjan Øverli"),
        (BENEFIT, Benefit("Raskere svar på innsynsbegjæringer", "kvalitet", category="kvalitet",
                          municipalities=("Rana", "Dønna", "Herøy"), indicator="Median svartid på innsyn", unit="dager",
                          baseline_value=6.0, baseline_date=d - timedelta(days=60), target_value=2.0,
                          realisation_date=d + timedelta(days=450)), TJENESTER, "Kari Nordmann"),
        (BENEFIT, Benefit("Bedre informasjonssikkerhet i arkivet", "kvalitet", municipalities=("Rana", "Vefsn"),
                          owner="IT-sjef, Helgeland IKT", realisation_date=d + timedelta(days=270),
                          risk="Forutsetter felles identitets- og tilgangsstyring."), IT, "Per Hansen"),
        (BENEFIT, Benefit("Mindre papirpost og porto", "effektivisering", category="unngatte_kostnader", priced=True,
                          municipalities=("Sømna", "Bindal", "Vega", "Vevelstad"), indicator="Brev sendt på papir",
                          unit="brev/år", baseline_value=48_000.0, baseline_date=d - timedelta(days=400),
                          target_value=12_000.0, realisation_date=d - timedelta(days=30), estimate_nok=310_000.75,
                          status="under_realisering"), TJENESTER, "Kari Nordmann"),
        (BENEFIT, Benefit("Døgnåpent innsyn for innbyggerne", "andre_aktorer", municipalities=("Alstahaug",),
                          indicator="Andel saker med digitalt innsyn", unit="%",
                          owner="Kommunikasjonssjef, Alstahaug kommune"), TJENESTER, "Kari Nordmann"),
        (BENEFIT, Benefit("Spart tid ved arkivuttrekk til IKA", "effektivisering", category="spart_tid", priced=True,
                          estimate_hours=400.0, realisation_date=d + timedelta(days=700)), OPPVEKST, "Åse Ærlig"),
    ]


WITHDRAWN_TITLE = "Trukket: eget papirarkiv i Træna"


def rows(today: date) -> list[Row]:
    """The whole register in the order it is stored (needs, then benefits)."""
    return [*needs(), *benefits(today)]


def entries(today: date, project_id: int = 1) -> list[Entry]:
    """The register as stored entries (ids 1..n, one withdrawn benefit at the end), for tests without a database."""
    now = datetime.combine(today, datetime.min.time(), UTC)
    out = [Entry(i, kind, content, project_id, faggruppe, f"u{i}", name, ACTIVE, now, now)
           for i, (kind, content, faggruppe, name) in enumerate(rows(today), 1)]
    gone = Benefit(WITHDRAWN_TITLE, "effektivisering", estimate_nok=9_999_999.0)
    out.append(Entry(len(out) + 1, BENEFIT, gone, project_id, ARKIV, "u0", "Åse Ærlig", WITHDRAWN, now, now))
    return out


def scaled(n: int, today: date) -> list[Row]:
    """n entries cycling through the register with numbered titles (the benchmark's 500-entry project)."""
    base = rows(today)
    out: list[Row] = []
    for i in range(n):
        kind, content, faggruppe, name = base[i % len(base)]
        out.append((kind, replace(content, title=f"{content.title} ({i + 1})"), faggruppe, name))
    return out


async def store(services: Any, project_id: int, today: date, register: list[Row] | None = None) -> list[Entry]:
    """Save the register through the needs repository, and one withdrawn benefit."""
    repo = services.needs
    now = services.clock.now()
    saved = [await repo.create(kind, content, project_id=project_id, faggruppe=faggruppe, submitter_id=f"u{i}",
                               submitter_name=name, now=now)
             for i, (kind, content, faggruppe, name) in enumerate(register or rows(today))]
    gone = await repo.create(BENEFIT, Benefit(WITHDRAWN_TITLE, "effektivisering", estimate_nok=9_999_999.0),
                             project_id=project_id, faggruppe=ARKIV, submitter_id="u0", submitter_name="Åse Ærlig", now=now)
    await repo.withdraw(gone.id, actor_id="u0", now=now)
    return saved
