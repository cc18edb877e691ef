"""Defaults kept in the project: Digitale Helgeland's municipalities and the usual faggrupper."""

MUNICIPALITIES: tuple[str, ...] = (
    "Alstahaug", "Bindal", "Brønnøy", "Dønna", "Grane", "Hattfjelldal", "Hemnes", "Herøy",
    "Leirfjord", "Nesna", "Rana", "Sømna", "Træna", "Vefsn", "Vega", "Vevelstad",
)

FAGGRUPPER: tuple[str, ...] = (
    "Tjenester, felleskomponenter og virksomhetsarkitektur",
    "Oppvekst",
    "Personal, arkiv, økonomi",
    "Helse og omsorg",
    "Plan, bygg, eiendom, teknisk, landbruk, næring og kultur",
    "Ungdom",
    "IT-drift og sikkerhet",
)
