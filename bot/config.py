"""Settings: one frozen object read from the environment (and an optional .env), every problem reported at once.

Each variable is declared once in bot/configspec.py (name, default, parser, meaning); this module parses them all,
then checks the combinations botbuilder, MSAL and azure-identity would otherwise only fail on later with a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot import __version__
from bot.configparse import GUID_RE, Invalid, and_join
from bot.configspec import APP_TYPES, BOT_ENDPOINTS, DEV_MANIFEST_APP_ID, GRAPH_SWITCHES, SPEC

__all__ = ["APP_TYPES", "DEV_MANIFEST_APP_ID", "GUID_RE", "ConfigError", "Problem", "Settings", "load_settings"]
GOV_CHANNEL_SERVICE = "https://botframework.azure.us"
ALL_WORDS = {"nb": {2: "begge", 3: "alle tre", 4: "alle fire"}, "en": {2: "both", 3: "all three", 4: "all four"}}


@dataclass(frozen=True)
class Problem:
    """One configuration problem: a catalogue key (cfg.* / start.*) and its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """The problem as one line in Norwegian ('nb') or English ('en')."""
        from bot.messages import t

        params = {k: and_join(v, "og" if lang == "nb" else "and") if isinstance(v, list) else v
                  for k, v in self.params.items()}
        if "count" in params:
            params["all"] = ALL_WORDS[lang].get(int(params["count"]), str(params["count"]))
        return t(self.key, lang, **params)


class ConfigError(Exception):
    """Invalid configuration: one Problem per line, each naming the variable and what to do."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.text("en") for p in problems))
        self.problems = problems

    def lines(self, lang: str = "en") -> list[str]:
        """One line per problem."""
        return [p.text(lang) for p in self.problems]


@dataclass(frozen=True)
class Settings:
    """All configuration of one bot process (defaults: bot/configspec.py; build it with load_settings)."""

    app_id: str
    app_password: str = field(repr=False)
    app_type: str
    app_tenant_id: str
    allowed_tenants: tuple[str, ...]
    allow_unauthenticated: bool
    # Bot Framework authentication endpoints (national clouds, tests); empty means the public cloud.
    openid_metadata_url: str
    token_issuer: str
    to_channel_login_url: str
    to_channel_oauth_scope: str
    channel_service: str
    # The leaders' tab (bot/tab): SSO token audience; the user of development mode.
    tab_app_id_uri: str
    tab_dev_user: str
    bot_host: str
    host: str
    port: int
    public_base_url: str
    max_body_bytes: int
    database_url: str
    timezone: str
    leaders: tuple[str, ...]
    municipalities: tuple[str, ...]
    cooperation_name: str  # e.g. "Digitale Helgeland": on the title page of decision documents
    faggrupper: tuple[str, ...]
    # Graph (see bot/calendar): all optional, Graph is off when unset.
    graph_organizer: str
    graph_auth: str
    graph_tenant_id: str
    graph_client_id: str
    graph_client_secret: str = field(repr=False)
    graph_client_certificate_path: str
    graph_base_url: str
    graph_authority_host: str
    graph_deadline_seconds: int
    graph_max_retries: int
    working_hours: tuple[int, int]
    log_level: str
    log_format: str
    download_ttl_minutes: int
    scheduler_enabled: bool
    outbox_stale_seconds: int
    teams_app_rate_limit: int
    job_retry_seconds: int
    poll_reminder_hours: int
    campaign_reminder_hours: int
    retention_polls_days: int
    retention_inputs_days: int
    retention_audit_days: int
    # Teams app package (python -m bot package).
    manifest_app_id: str
    developer_name: str
    developer_url: str
    privacy_url: str
    terms_url: str
    app_version: str
    # Personvern: people not seen for this long are erased; the key of erased people's pseudonyms (HMAC-SHA256).
    retention_people_days: int
    pseudonym_key: str = field(repr=False)
    # Operations: /metrics for a bearer token (METRICS_TOKEN) and/or loopback clients (METRICS_LOOPBACK).
    metrics_token: str = field(repr=False)
    metrics_loopback: bool
    # SIGTERM: in-flight turns and sends get this long (together) before the process exits.
    shutdown_grace_seconds: int
    # The organisation's language (BOT_LANGUAGE): shared cards and proactive messages; see bot/chat/dispatch.py.
    language: str = "nb"

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def locale(self) -> str:
        """The organisation's locale for shared cards and proactive messages: 'nb-NO' or 'en-GB'."""
        return "en-GB" if self.language == "en" else "nb-NO"

    @property
    def auth_enabled(self) -> bool:
        """True when inbound JWT validation is on (an app id is configured)."""
        return bool(self.app_id)

    @property
    def graph_enabled(self) -> bool:
        """True when Graph is configured (load_settings has checked that it is complete)."""
        return bool(self.graph_organizer)

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file, or None for other databases."""
        if self.database_url.startswith("sqlite"):
            path = self.database_url.split(":///", 1)[-1]
            return None if path in ("", ":memory:") else Path(path)
        return None

    def tenant_allowed(self, tenant_id: str | None) -> bool:
        """True when no allow-list is set, or the tenant is on it."""
        return not self.allowed_tenants or (tenant_id or "").strip().lower() in self.allowed_tenants


def load_dotenv_file(path: str | os.PathLike[str] = ".env") -> None:
    """Load variables from a .env file into the process environment (existing values win)."""
    from dotenv import load_dotenv

    load_dotenv(path, override=False)


def _given(env: Mapping[str, str], name: str) -> bool:
    """True when the variable is set to something other than white space."""
    return bool((env.get(name) or "").strip())


def _app_problems(v: dict[str, Any], env: Mapping[str, str]) -> list[Problem]:
    """The app registration settings botbuilder's ConfigurationServiceClientCredentialFactory insists on."""
    needs = {"SingleTenant": ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID"),
             "UserAssignedMSI": ("MICROSOFT_APP_ID", "MICROSOFT_APP_TENANT_ID")}.get(v["app_type"], ())
    missing = [name for name in needs if not _given(env, name)]
    has_id = _given(env, "MICROSOFT_APP_ID")
    if missing and not has_id:
        return [Problem("cfg.app_type_local", {"type": v["app_type"], "missing": missing, "count": len(missing) + 1})]
    if missing:
        return [Problem("cfg.app_type_needs", {"type": v["app_type"], "missing": missing})]
    stray = [name for name in ("MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID") if _given(env, name)]
    if not has_id and stray:
        # A secret without its app id means authentication is off although the operator meant it on.
        return [Problem("cfg.credentials_without_id", {"names": stray})]
    return []


def _endpoint_problems(env: Mapping[str, str]) -> list[Problem]:
    """botbuilder switches to its parameterized mode when any BOT_* endpoint is set and then needs all four."""
    given = [name for name in BOT_ENDPOINTS if _given(env, name)]
    if given and len(given) != len(BOT_ENDPOINTS):
        return [Problem("cfg.endpoints_partial", {"given": given, "missing": [n for n in BOT_ENDPOINTS if n not in given]})]
    channel = (env.get("CHANNEL_SERVICE") or "").strip()
    if channel and channel.rstrip("/") != GOV_CHANNEL_SERVICE and not given:
        return [Problem("cfg.channel_service", {"raw": channel[:100]})]
    return []


def graph_mode(settings_or_values: Settings | dict[str, Any]) -> str:
    """client-secret, certificate or managed-identity (GRAPH_AUTH, else inferred from what is given)."""
    get = settings_or_values.get if isinstance(settings_or_values, dict) else \
        (lambda name: getattr(settings_or_values, name))
    if get("graph_auth"):
        return str(get("graph_auth"))
    return "certificate" if get("graph_client_certificate_path") and not get("graph_client_secret") else "client-secret"


def _graph_problems(v: dict[str, Any], env: Mapping[str, str]) -> list[Problem]:
    """Graph is all or nothing: any of its switches set means every value its auth mode needs must be there."""
    if not any(_given(env, name) for name in GRAPH_SWITCHES):
        return []
    mode = graph_mode(v)
    needs = ["GRAPH_ORGANIZER"]
    if mode == "client-secret":
        needs += ["GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "GRAPH_CLIENT_SECRET"]
    elif mode == "certificate":
        needs += ["GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "GRAPH_CLIENT_CERTIFICATE_PATH"]
    missing = [name for name in needs if not _given(env, name)]
    return [Problem("cfg.graph_missing", {"mode": mode, "missing": missing})] if missing else []


def _derived(v: dict[str, Any]) -> None:
    """Defaults that depend on other settings."""
    if not v["public_base_url"]:
        host = "127.0.0.1" if v["host"] in ("", "0.0.0.0", "::") else v["host"]
        v["public_base_url"] = f"http://{f'[{host}]' if ':' in host else host}:{v['port']}"
    v["manifest_app_id"] = v["manifest_app_id"] or v["app_id"] or DEV_MANIFEST_APP_ID
    v["app_version"] = v["app_version"] or __version__
    if not v["tab_app_id_uri"] and v["app_id"]:
        v["tab_app_id_uri"] = f"api://{urlsplit(v['public_base_url']).netloc}/{v['app_id']}"
    v["tab_dev_user"] = v["tab_dev_user"] or (v["leaders"][0] if v["leaders"] else "")
    if not v["allowed_tenants"] and v["app_type"] != "MultiTenant" and v["app_tenant_id"]:
        v["allowed_tenants"] = (v["app_tenant_id"].lower(),)  # a single-tenant app serves its own tenant


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from environment variables; raise ConfigError listing every problem, one line each."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for var in SPEC:
        raw = env.get(var.name)
        raw = var.default if raw is None or not raw.strip() else raw
        try:
            values[var.field] = var.parse(raw)
        except Invalid as bad:
            problems.append(Problem(bad.key, {"name": var.name, **bad.params}))
            values[var.field] = var.parse(var.default)
    problems += _app_problems(values, env) + _endpoint_problems(env) + _graph_problems(values, env)
    if problems:
        raise ConfigError(problems)
    _derived(values)
    return Settings(**values)


def settings_fields() -> set[str]:
    """Names of the Settings fields (a test checks each is declared in SPEC)."""
    return {f.name for f in fields(Settings)}
