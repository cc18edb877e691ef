"""`python -m bot doctor`: check the Graph configuration, the token, and access to the organiser's calendar."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import TextIO

from azure.core.exceptions import ServiceRequestError

from bot.config import Settings
from bot.domain.calendar import CalendarError
from bot.graph import graph_configured


def _missing(settings: Settings) -> list[str]:
    missing = [] if settings.graph_organizer else ["GRAPH_ORGANIZER (the organiser mailbox, e.g. sekretariat@kommune.no)"]
    if settings.graph_auth != "managed-identity":
        missing += [name for name, value in (("GRAPH_TENANT_ID", settings.graph_tenant_id),
                                             ("GRAPH_CLIENT_ID", settings.graph_client_id)) if not value]
        if not (settings.graph_client_secret or settings.graph_client_certificate_path):
            missing.append("GRAPH_CLIENT_SECRET or GRAPH_CLIENT_CERTIFICATE_PATH")
    return missing


async def run_doctor(settings: Settings, out: TextIO | None = None) -> int:
    """Print what works and what is missing, in plain words; 0 when everything works."""
    out = out or sys.stdout

    def say(ok: bool, nb: str, en: str) -> None:
        print(f"[{'OK ' if ok else 'FEIL'}] {nb}\n       {en}", file=out)

    print("Microsoft Graph – sjekk / check", file=out)
    print(f"  base URL: {settings.graph_base_url}   authority: {settings.graph_authority_host or 'login.microsoftonline.com'}",
          file=out)
    if not graph_configured(settings):
        say(False, "Graph er av: mangler " + ", ".join(_missing(settings)) + ". Avstemninger tilbyr .ics-filer i stedet.",
            "Graph is off: missing " + ", ".join(_missing(settings)) + ". Polls offer .ics files instead.")
        return 1
    from bot.graph.calendar import READ_PERMISSION, WRITE_PERMISSION, GraphCalendar
    from bot.graph.client import auth_mode, build_credential, scope_for

    say(True, f"Konfigurasjon: arrangørpostboks {settings.graph_organizer}, innlogging med {auth_mode(settings)}.",
        f"Configuration: organiser mailbox {settings.graph_organizer}, signing in with {auth_mode(settings)}.")
    try:
        credential = build_credential(settings)
    except Exception as exc:
        say(False, f"Kunne ikke lage innloggingen: {exc}", f"Could not set up the credential: {exc}")
        return 1
    failures = 0
    calendar = GraphCalendar(settings, credential)
    try:
        try:
            await credential.get_token(scope_for(settings.graph_base_url))
            say(True, "Fikk et tilgangstoken fra Entra ID.", "Got an access token from Entra ID.")
        except Exception as exc:
            first = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            if isinstance(exc, ServiceRequestError):
                say(False, f"Nådde ikke innloggingstjenesten: sjekk nettverk/brannmur og AZURE_AUTHORITY_HOST. ({first})",
                    f"Could not reach the token service: check the network and AZURE_AUTHORITY_HOST. ({first})")
                return 1
            say(False, f"Fikk ikke token: sjekk tenant-id, klient-id og hemmelighet/sertifikat. ({first})",
                f"No token: check the tenant id, client id and secret/certificate. ({first})")
            return 1
        try:
            name = await calendar.read_calendar()
            say(True, f"Leste kalenderen «{name}» i {settings.graph_organizer}.",
                f"Read the calendar '{name}' of {settings.graph_organizer}.")
        except CalendarError as exc:
            failures += 1
            say(False, f"Kan ikke lese kalenderen til {settings.graph_organizer}: appen mangler trolig {WRITE_PERMISSION} "
                       f"(applikasjonstillatelse med admin-samtykke, og postboksen tillatt i Exchange RBAC for Applications).",
                f"Cannot read the calendar: {exc}")
        try:
            now = datetime.now(UTC)
            await calendar.get_schedule([settings.graph_organizer], now, now + timedelta(days=1))
            say(True, "Ledig/opptatt (getSchedule) virker.", "Free/busy (getSchedule) works.")
        except CalendarError as exc:
            failures += 1
            say(False, f"Ledig/opptatt virker ikke: appen mangler trolig {READ_PERMISSION}. Forslag til møtetider blir da uten "
                       "ledig/opptatt.", f"Free/busy does not work (needs {READ_PERMISSION}): {exc}")
    finally:
        await calendar.close()
    if failures == 0:
        print("Alt virker. / Everything works.", file=out)
    return 1 if failures else 0
