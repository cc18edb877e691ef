"""Every combination of settings either is refused up front (one line per problem) or sets up botbuilder and Graph.

Hypothesis draws combinations of good, bad and missing values for the variables the Bot Framework and Graph set-up
read; any combination that load_settings and the start checks accept must build the CloudAdapter, the bot's
credentials and the Graph calendar without an exception (what used to surface later as a traceback).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import trustme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import ConfigError, load_settings
from bot.startup import policy_problems

GUID = "0b8f1e9a-6c0e-4a57-9f4d-2f1a3c5d7e90"
TENANT = "11111111-2222-3333-4444-555555555555"
FILES = Path(tempfile.mkdtemp(prefix="faggruppe-bot-config-"))  # per process (parallel workers do not share it)
PEM = FILES / "graph-app.pem"
GARBAGE = FILES / "graph-garbage.pem"


def _pem_files() -> None:
    if not PEM.exists():
        cert = trustme.CA().issue_cert("faggruppe-bot-graph", key_type=trustme.KeyType.RSA)
        cert.private_key_and_cert_chain_pem.write_to_path(str(PEM))
    GARBAGE.write_text("not a certificate\n")


def _one_of(*values: str) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


# Bot Framework and Graph are drawn separately (the other part left empty), so accepted combinations are common.
BOT_POOLS: dict[str, st.SearchStrategy[str]] = {
    "MICROSOFT_APP_ID": _one_of("", GUID, GUID, "my-bot"),
    "MICROSOFT_APP_PASSWORD": _one_of("", "secret", "secret"),
    "MICROSOFT_APP_TYPE": _one_of("", "MultiTenant", "SingleTenant", "UserAssignedMSI", "singletenant", "Other"),
    "MICROSOFT_APP_TENANT_ID": _one_of("", TENANT, TENANT, "kommune.onmicrosoft.com"),
    "ALLOWED_TENANTS": _one_of("", TENANT, TENANT, "kommune"),
    "BOT_ALLOW_UNAUTHENTICATED": _one_of("", "true", "kanskje"),
    "HOST": _one_of("", "127.0.0.1", "0.0.0.0", "::1"),
    "BOT_OPENID_METADATA_URL": _one_of("", "https://login.example/v1/.well-known/openidconfiguration"),
    "BOT_TOKEN_ISSUER": _one_of("", "https://api.botframework.test"),
    "BOT_TO_CHANNEL_LOGIN_URL": _one_of("", "https://login.example/" + TENANT, "login.example"),
    "BOT_TO_CHANNEL_OAUTH_SCOPE": _one_of("", "https://api.botframework.test"),
    "CHANNEL_SERVICE": _one_of("", "", "https://botframework.azure.us", "https://botframework.example"),
    "PUBLIC_BASE_URL": _one_of("", "https://bot.kommune.no", "bot.kommune.no"),
}
GRAPH_POOLS: dict[str, st.SearchStrategy[str]] = {
    "GRAPH_ORGANIZER": _one_of("", "sekretariat@kommune.no", "sekretariat@kommune.no"),
    "GRAPH_AUTH": _one_of("", "", "client-secret", "certificate", "managed-identity", "password"),
    "GRAPH_TENANT_ID": _one_of("", TENANT, "kommune.onmicrosoft.com", "t"),
    "GRAPH_CLIENT_ID": _one_of("", GUID, GUID, "c"),
    "GRAPH_CLIENT_SECRET": _one_of("", "secret"),
    "GRAPH_CLIENT_CERTIFICATE_PATH": _one_of("", str(PEM), str(GARBAGE), "/nonexistent/app.pem"),
    "GRAPH_BASE_URL": _one_of("", "https://graph.microsoft.us/v1.0", "http://graph.example"),
    "AZURE_AUTHORITY_HOST": _one_of("", "https://login.microsoftonline.us", "login.microsoftonline.us"),
}
SEEN: dict[str, int] = {"refused": 0, "policy": 0, "built": 0}


async def _build_everything(s) -> None:
    """What create_app and the first proactive send set up, without the network."""
    from bot.calendar.factory import build_calendar
    from bot.hosts.botbuilder.adapter import auth_configuration, build_adapter, close_adapter
    from bot.hosts.botbuilder.auth import BotCredentialFactory

    adapter = build_adapter(s)
    await close_adapter(adapter)
    if s.app_id:
        login = s.to_channel_login_url or "https://login.microsoftonline.com/"
        await BotCredentialFactory(auth_configuration(s)).create_credentials(s.app_id, "https://api.botframework.com",
                                                                             login, True)
    calendar, status = await build_calendar(s)
    if s.graph_enabled:
        assert calendar is not None and status.startswith("on:"), status
        await calendar.close()  # type: ignore[attr-defined]
    else:
        assert calendar is None


def check(env: dict[str, str]) -> None:
    _pem_files()
    try:
        s = load_settings(env)
    except ConfigError as refused:
        lines = refused.lines("nb")
        assert lines and all(line and "\n" not in line for line in lines)
        SEEN["refused"] += 1
        return
    if policy_problems(s):
        SEEN["policy"] += 1
        return
    asyncio.run(_build_everything(s))
    SEEN["built"] += 1


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(env=st.fixed_dictionaries(BOT_POOLS))
def test_bot_framework_combinations_are_refused_or_set_up(env: dict[str, str]):
    check(env)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(env=st.fixed_dictionaries(GRAPH_POOLS))
def test_graph_combinations_are_refused_or_set_up(env: dict[str, str]):
    check(env)


def test_both_outcomes_were_exercised():
    """Guard against a vacuous property: the draws above hit refusals and accepted set-ups alike."""
    assert SEEN["refused"] and SEEN["built"], SEEN
