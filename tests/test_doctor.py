"""`python -m bot doctor`: the whole deployment, one language, non-zero only for real errors; --online against fakes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.ops.doctor import run_doctor
from tests.fakes.graph import FakeGraph
from tests.fakes.identity import FakeIdentity
from tests.harness import RunningBot
from tests.procs import ROOT

APP_ID = "0b8f1e9a-6c0e-4a57-9f4d-2f1a3c5d7e90"
TENANT = "11111111-2222-3333-4444-555555555555"


async def doctor(settings, *, lang: str = "nb", online: bool = False, env: dict[str, str] | None = None) -> tuple[int, str]:
    out = io.StringIO()
    code = await run_doctor(settings, lang=lang, online=online, out=out, env=env or {})
    return code, out.getvalue()


def lines(text: str, label: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(label)]


def test_default_local_setup_exits_0_with_notes(tmp_path: Path):
    """The newcomer path: .env.example as is, nothing started yet."""
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-m", "bot", "doctor"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stderr == "" and "[FEIL]" not in res.stdout
    assert "[MERK]  Graph er av" in res.stdout and re.search(r"\nResultat: 0 feil, \d+ merknader\.\n$", res.stdout)
    assert not (tmp_path / "data").exists()  # looking does not create the database


async def test_running_bot_database_is_migrated_and_details_are_shown(make_settings, clock):
    running = RunningBot(make_settings(ALLOWED_TENANTS=TENANT), clock)
    await running.start()
    try:
        code, nb = await doctor(running.settings)
        _, en = await doctor(running.settings, lang="en")
    finally:
        await running.stop()
    assert code == 0
    assert "er migrert til siste versjon" in nb and "Utgående kø: 0 meldinger venter." in nb
    assert "Jobblageret til planleggeren svarer" in nb and f"Tillatte tenanter: {TENANT}." in nb
    assert "Innkommende autentisering er av" in nb  # the auth mode /healthz no longer tells the public
    assert not set(nb.splitlines()) & set(en.splitlines()), "Norwegian and English output share a line"


async def test_errors_make_the_exit_code_non_zero(make_settings):
    code, out = await doctor(make_settings(HOST="0.0.0.0"))
    assert code == 1 and any("HOST=0.0.0.0" in line for line in lines(out, "[FEIL]"))
    prod = make_settings(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="x", MICROSOFT_APP_TYPE="SingleTenant",
                         MICROSOFT_APP_TENANT_ID=TENANT)
    code, out = await doctor(prod, lang="en")
    assert code == 1
    assert f"App registration: app id {APP_ID}, type SingleTenant, tenant {TENANT}, secret set." in out
    assert [line for line in lines(out, "[ERROR]") if "PUBLIC_BASE_URL" in line]
    assert "x" not in [w.strip(".,") for w in out.split()]  # the secret is never printed


def test_settings_that_do_not_load_are_errors_in_the_report(tmp_path: Path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "GRAPH_ORGANIZER": "x@kommune.no",
           "MICROSOFT_APPID": APP_ID}
    res = subprocess.run([sys.executable, "-m", "bot", "--lang", "en", "doctor"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert lines(res.stdout, "[ERROR]")[0].startswith("[ERROR] Microsoft Graph (client-secret) is missing GRAPH_TENANT_ID")


async def test_unknown_variables_are_noted(make_settings):
    _, out = await doctor(make_settings(), env={"MICROSOFT_APPID": APP_ID, "GRAPH_ORGANISER": "x", "HOME": "/"})
    assert "[MERK]  GRAPH_ORGANISER er ikke en innstilling boten kjenner" in out
    assert "[MERK]  MICROSOFT_APPID er ikke en innstilling boten kjenner" in out and "HOME" not in out


async def test_online_graph_token_calendar_and_free_busy(make_settings, fake_graph: FakeGraph):
    code, out = await doctor(make_settings(**fake_graph.env()), online=True)
    assert code == 0, out
    assert "[OK]    Fikk et tilgangstoken for Graph fra Entra ID." in out
    assert f"i {fake_graph.organizer}." in out and "[OK]    Ledig/opptatt (getSchedule) virker." in out
    assert f"Graph er på: arrangørpostboks {fake_graph.organizer}, innlogging med client-secret" in out

    fake_graph.permissions = set()
    code, out = await doctor(make_settings(**fake_graph.env()), online=True)
    assert code == 1 and "Calendars.ReadWrite" in out and "Calendars.ReadBasic" in out

    code, out = await doctor(make_settings(**fake_graph.env(GRAPH_CLIENT_SECRET="wrong")), online=True)
    assert code == 1 and lines(out, "[FEIL]")[0].startswith("[FEIL]  Fikk ikke token for Graph (")


async def test_offline_doctor_does_not_call_graph(make_settings, fake_graph: FakeGraph):
    code, out = await doctor(make_settings(**fake_graph.env()))
    assert code == 0 and fake_graph.requests == [] and "doctor --online" in out


@pytest.fixture
def identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    ident = FakeIdentity(tmp_path)
    ident.start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ident.ca_file))
    yield ident
    ident.stop()


@pytest.mark.parametrize("bot_host", ["botbuilder", "agents"], indirect=True)
async def test_online_bot_token_proves_the_secret(make_settings, identity: FakeIdentity, bot_host: str):
    env = {**identity.env(APP_ID, "right-secret"), "MICROSOFT_APP_TENANT_ID": TENANT, "ALLOWED_TENANTS": TENANT,
           "PUBLIC_BASE_URL": "https://bot.kommune.no"}
    code, out = await doctor(make_settings(**env), online=True, lang="en")
    assert code == 0, out
    assert "[OK]    Got a Bot Connector token from Entra ID" in out and identity.token_requests
    identity.client_secret = "right-secret"
    code, out = await doctor(make_settings(**{**env, "MICROSOFT_APP_PASSWORD": "stale-secret"}), online=True, lang="en")
    assert code == 1 and "[ERROR] No Bot Connector token (" in out and "stale-secret" not in out


@pytest.mark.parametrize("bot_host", ["botbuilder", "agents"], indirect=True)
async def test_doctor_names_the_host_and_its_sdk_version(make_settings, bot_host: str):
    from importlib.metadata import version

    sdk = {"botbuilder": "botbuilder-core", "agents": "microsoft-agents-hosting-core"}[bot_host]
    _, out = await doctor(make_settings(), lang="en")
    assert f"[OK]    Chat host (BOT_HOST): {bot_host}, {sdk} {version(sdk)}." in out
