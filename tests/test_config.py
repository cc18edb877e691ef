"""Configuration: one declaration per setting (README and .env.example checked against it), every problem one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, settings_fields
from bot.configspec import SPEC, markdown_table, render_tables
from bot.messages import catalogue
from bot.startup import policy_problems, public_url_problem, start_warnings, unauthenticated_warning

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "0b8f1e9a-6c0e-4a57-9f4d-2f1a3c5d7e90"
TENANT = "11111111-2222-3333-4444-555555555555"
PROD = {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "secret", "MICROSOFT_APP_TYPE": "SingleTenant",
        "MICROSOFT_APP_TENANT_ID": TENANT, "PUBLIC_BASE_URL": "https://bot.kommune.no", "HOST": "0.0.0.0"}


def problems(env: dict[str, str], lang: str = "en") -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(env)
    return info.value.lines(lang)


def test_every_settings_field_is_declared_once():
    names = [var.name for var in SPEC]
    fields = [var.field for var in SPEC]
    assert len(set(names)) == len(names) and len(set(fields)) == len(fields)
    assert set(fields) == settings_fields()


def test_readme_tables_are_the_generated_ones():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render_tables(readme) == readme, "run `python -m bot config-table --write README.md`"
    for var in SPEC:  # each variable has exactly one row (no duplicated or forgotten rows)
        assert readme.count(f"| `{var.name}` |") == 1, var.name
    assert markdown_table().count("\n| `") == len(SPEC)


def test_env_example_names_only_known_settings_with_their_defaults():
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    by_name = {var.name: var for var in SPEC}
    seen = set()
    for line in lines:
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]+)=(\S*)", line)
        if not match:
            continue
        commented, name, value = match.groups()
        assert name in by_name, f".env.example names {name}, which the bot does not know"
        seen.add(name)
        if not commented:  # an active line may only repeat the default: .env.example must start as is
            assert value in ("", by_name[name].default), f"{name}={value} differs from the default"
    assert seen == set(by_name), f"missing from .env.example: {sorted(set(by_name) - seen)}"


def test_env_example_loads_and_passes_the_start_checks():
    env = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    settings = load_settings(env)
    assert policy_problems(settings) == [] and not settings.auth_enabled


@pytest.mark.parametrize(("env", "names"), [
    ({"MICROSOFT_APP_TYPE": "SingleTenant"}, ["MICROSOFT_APP_TYPE"]),
    ({"MICROSOFT_APP_TYPE": "UserAssignedMSI", "MICROSOFT_APP_ID": APP_ID}, ["MICROSOFT_APP_TENANT_ID"]),
    ({"MICROSOFT_APP_TYPE": "SingleTenant", "MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_TENANT_ID": TENANT},
     ["MICROSOFT_APP_PASSWORD"]),
    ({"MICROSOFT_APP_PASSWORD": "secret"}, ["MICROSOFT_APP_PASSWORD"]),
    ({"MICROSOFT_APP_TENANT_ID": TENANT}, ["MICROSOFT_APP_TENANT_ID"]),
    ({"MICROSOFT_APP_ID": "not-a-guid", "PORT": "http", "MAX_BODY_BYTES": "12"}, ["MICROSOFT_APP_ID", "PORT", "MAX_BODY_BYTES"]),
    ({"BOT_TIMEZONE": "Mars/Olympus", "WORKING_HOURS": "16,8", "SCHEDULER_ENABLED": "kanskje"},
     ["BOT_TIMEZONE", "WORKING_HOURS", "SCHEDULER_ENABLED"]),
    ({"DATABASE_URL": "mysql://root:hunter2@db/x"}, ["DATABASE_URL"]),
    ({"ALLOWED_TENANTS": f"{TENANT}, contoso"}, ["ALLOWED_TENANTS"]),
    ({"PUBLIC_BASE_URL": "bot.kommune.no"}, ["PUBLIC_BASE_URL"]),
    ({"BOT_OPENID_METADATA_URL": "https://login.example/x"}, ["BOT_TOKEN_ISSUER"]),
    ({"CHANNEL_SERVICE": "https://botframework.example"}, ["CHANNEL_SERVICE"]),
    ({"GRAPH_ORGANIZER": "sekretariat@kommune.no"}, ["GRAPH_CLIENT_SECRET"]),
    ({"GRAPH_AUTH": "certificate", "GRAPH_ORGANIZER": "a@b.no", "GRAPH_TENANT_ID": TENANT, "GRAPH_CLIENT_ID": APP_ID},
     ["GRAPH_CLIENT_CERTIFICATE_PATH"]),
    ({"GRAPH_CLIENT_ID": APP_ID, "GRAPH_AUTH": "managed-identity"}, ["GRAPH_ORGANIZER"]),
    ({"GRAPH_BASE_URL": "http://graph.microsoft.com/v1.0", "AZURE_AUTHORITY_HOST": "login.microsoftonline.us"},
     ["GRAPH_BASE_URL", "AZURE_AUTHORITY_HOST"]),
])
def test_each_problem_is_one_line_naming_the_variable(env, names):
    for lang in ("nb", "en"):
        lines = problems(env, lang)
        assert len(lines) == len(names), lines
        for line, name in zip(lines, names, strict=True):
            assert name in line and "\n" not in line
    assert "hunter2" not in " ".join(problems({"DATABASE_URL": "mysql://root:hunter2@db/x"}))


def test_the_newcomer_case_says_what_to_do():
    (line,) = problems({"MICROSOFT_APP_TYPE": "SingleTenant"})
    assert line == ("MICROSOFT_APP_TYPE=SingleTenant needs MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and "
                    "MICROSOFT_APP_TENANT_ID; leave all four empty for local development.")


def test_single_tenant_app_serves_its_own_tenant():
    settings = load_settings(PROD)
    assert settings.allowed_tenants == (TENANT,) and policy_problems(settings) == []
    assert settings.tenant_allowed(TENANT.upper()) and not settings.tenant_allowed("99999999-8888-7777-6666-555555555555")
    explicit = load_settings({**PROD, "ALLOWED_TENANTS": "12345678-0000-0000-0000-000000000000"})
    assert explicit.allowed_tenants == ("12345678-0000-0000-0000-000000000000",)


@pytest.mark.parametrize(("env", "key"), [
    ({"HOST": "0.0.0.0"}, "start.unauthenticated"),
    ({"HOST": "10.0.0.5"}, "start.unauthenticated"),
    ({"HOST": "bot.intern"}, "start.unauthenticated"),
    ({**PROD, "MICROSOFT_APP_TYPE": "MultiTenant", "MICROSOFT_APP_TENANT_ID": ""}, "start.multitenant_open"),
    ({**PROD, "MICROSOFT_APP_TYPE": "MultiTenant", "MICROSOFT_APP_PASSWORD": "", "ALLOWED_TENANTS": TENANT},
     "start.no_secret"),
    ({"GRAPH_ORGANIZER": "a@b.no", "GRAPH_TENANT_ID": TENANT, "GRAPH_CLIENT_ID": APP_ID,
      "GRAPH_CLIENT_CERTIFICATE_PATH": "/nonexistent/bot.pem"}, "start.certificate"),
])
def test_refused_starts(env, key):
    assert [p.key for p in policy_problems(load_settings(env))] == [key]


@pytest.mark.parametrize("public", ["", "https://localhost:3978", "http://bot.kommune.no", "https://127.0.0.1"])
def test_production_bot_without_public_https_address_is_warned(public):
    settings = load_settings({**PROD, "PUBLIC_BASE_URL": public})
    assert policy_problems(settings) == []  # it still answers in Teams; only download links break
    (warning,) = start_warnings(settings, "en")
    assert warning.startswith("WARNING: PUBLIC_BASE_URL=http") and public_url_problem(settings) is not None
    assert start_warnings(load_settings(PROD), "en") == [] and start_warnings(load_settings({}), "en") == []


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_without_app_id_is_fine(host):
    settings = load_settings({"HOST": host})
    assert policy_problems(settings) == [] and unauthenticated_warning(settings, "nb") is None


def test_explicit_flag_allows_an_open_test_bot_with_a_warning():
    settings = load_settings({"HOST": "0.0.0.0", "BOT_ALLOW_UNAUTHENTICATED": "true"})
    assert policy_problems(settings) == []
    assert "BOT_ALLOW_UNAUTHENTICATED=true" in (unauthenticated_warning(settings, "en") or "")


def test_operator_texts_exist_in_both_languages_and_differ():
    texts = catalogue()
    keys = [k for k in texts["nb"] if k.startswith(("cfg.", "start.", "doctor."))]
    assert keys and set(keys) == {k for k in texts["en"] if k.startswith(("cfg.", "start.", "doctor."))}
    same = [k for k in keys if texts["nb"][k] == texts["en"][k]]
    assert same == []


def test_one_version_everywhere():
    """bot.__version__ is the package version (pyproject's, static so uv can lock without building), the manifest's by
    default, and /healthz's and
    GET /'s (tests/test_startup.py reads those from a running bot)."""
    import json
    import tomllib

    from bot import __version__
    from bot.ops.package import render

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == __version__
    assert json.loads(render(load_settings({}))["manifest.json"])["version"] == __version__ == "1.2.0"
    assert json.loads(render(load_settings({"APP_VERSION": "1.1.1"}))["manifest.json"])["version"] == "1.1.1"


def test_graph_certificate_must_be_a_pem_with_key_and_certificate(tmp_path: Path):
    import trustme

    good, garbage, key_only = tmp_path / "app.pem", tmp_path / "garbage.pem", tmp_path / "key.pem"
    cert = trustme.CA().issue_cert("faggruppe-bot-graph", key_type=trustme.KeyType.RSA)
    cert.private_key_and_cert_chain_pem.write_to_path(str(good))
    cert.private_key_pem.write_to_path(str(key_only))
    garbage.write_text("not a certificate")
    graph = {"GRAPH_ORGANIZER": "a@b.no", "GRAPH_TENANT_ID": TENANT, "GRAPH_CLIENT_ID": APP_ID}
    assert policy_problems(load_settings({**graph, "GRAPH_CLIENT_CERTIFICATE_PATH": str(good)})) == []
    for bad in (garbage, key_only, tmp_path / "missing.pem"):
        (problem,) = policy_problems(load_settings({**graph, "GRAPH_CLIENT_CERTIFICATE_PATH": str(bad)}))
        assert problem.key == "start.certificate" and str(bad) in problem.text("en")
