"""Settings: one frozen object read from the environment (and an optional .env), validated with clear errors."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.defaults import FAGGRUPPER, MUNICIPALITIES

APP_TYPES = ("MultiTenant", "SingleTenant", "UserAssignedMSI")
DEV_MANIFEST_APP_ID = "5b8f3a52-7c1e-4d2a-9f6b-0c4e8d1a2f37"  # fixed id for local packages without MICROSOFT_APP_ID
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class ConfigError(Exception):
    """Invalid configuration; the message names the variable."""


def _list(value: str | None, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    if value is None or not value.strip():
        return default
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        raise ConfigError(f"{name} must be between {minimum} and {maximum or 'infinity'}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    if raw.strip().lower() in ("1", "true", "yes", "on", "ja"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off", "nei"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    """All configuration of one bot process."""

    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    host: str = "127.0.0.1"
    port: int = 3978
    public_base_url: str = "http://127.0.0.1:3978"
    database_url: str = "sqlite+aiosqlite:///data/faggruppe-bot.db"
    timezone: str = "Europe/Oslo"
    leaders: tuple[str, ...] = ()
    allowed_tenants: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = MUNICIPALITIES
    faggrupper: tuple[str, ...] = FAGGRUPPER
    max_body_bytes: int = 256 * 1024
    log_level: str = "INFO"
    log_format: str = "text"
    download_ttl_minutes: int = 60
    # Graph (see bot/graph): all optional, Graph is off when unset.
    graph_tenant_id: str = ""
    graph_client_id: str = ""
    graph_client_secret: str = field(default="", repr=False)
    graph_client_certificate_path: str = ""
    graph_auth: str = ""
    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    graph_organizer: str = ""
    working_hours: tuple[int, int] = (8, 16)
    # Bot Framework authentication endpoints (national clouds, tests); empty means the public cloud.
    openid_metadata_url: str = ""
    token_issuer: str = ""
    to_channel_login_url: str = ""
    to_channel_oauth_scope: str = ""
    channel_service: str = ""
    # Privacy / retention (days).
    retention_polls_days: int = 365
    retention_inputs_days: int = 365 * 5
    retention_audit_days: int = 365 * 2
    scheduler_enabled: bool = True
    poll_reminder_hours: int = 24
    # Input campaigns: remind non-senders this many hours before the deadline.
    campaign_reminder_hours: int = 48
    # Graph: token authority (AZURE_AUTHORITY_HOST, national clouds), total deadline per call, retries on 429/503/504.
    graph_authority_host: str = ""
    graph_deadline_seconds: int = 10
    graph_max_retries: int = 3
    # Teams app package (python -m bot package).
    manifest_app_id: str = DEV_MANIFEST_APP_ID
    developer_name: str = "Faggruppe-bot"
    developer_url: str = ""
    privacy_url: str = ""
    terms_url: str = ""
    app_version: str = "1.0.0"
    outbox_stale_seconds: int = 60
    job_retry_seconds: int = 60
    # Operations: /metrics for a bearer token (METRICS_TOKEN) and/or loopback clients (METRICS_LOOPBACK).
    metrics_token: str = field(default="", repr=False)
    metrics_loopback: bool = True
    # SIGTERM: in-flight turns and sends get this long (together) before the process exits.
    shutdown_grace_seconds: int = 10

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def auth_enabled(self) -> bool:
        """True when inbound JWT validation is on (an app id is configured)."""
        return bool(self.app_id)

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file, or None for other databases."""
        if self.database_url.startswith("sqlite"):
            path = self.database_url.split(":///", 1)[-1]
            return None if path in ("", ":memory:") else Path(path)
        return None


def load_dotenv_file(path: str | os.PathLike[str] = ".env") -> None:
    """Load variables from a .env file into the process environment (existing values win)."""
    from dotenv import load_dotenv

    load_dotenv(path, override=False)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from environment variables; raise ConfigError naming the bad variable."""
    env = os.environ if env is None else env
    app_type = env.get("MICROSOFT_APP_TYPE", "").strip() or "MultiTenant"
    if app_type not in APP_TYPES:
        raise ConfigError(f"MICROSOFT_APP_TYPE must be one of {', '.join(APP_TYPES)}, got {app_type!r}")
    app_id = env.get("MICROSOFT_APP_ID", "").strip()
    if app_id and not GUID_RE.match(app_id):
        raise ConfigError("MICROSOFT_APP_ID must be a GUID (the Azure Bot's app registration id)")
    tenant = env.get("MICROSOFT_APP_TENANT_ID", "").strip()
    if app_type == "SingleTenant" and app_id and not tenant:
        raise ConfigError("MICROSOFT_APP_TENANT_ID is required when MICROSOFT_APP_TYPE is SingleTenant")
    tz_name = env.get("BOT_TIMEZONE", "").strip() or "Europe/Oslo"
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"BOT_TIMEZONE is not a known IANA time zone: {tz_name!r}") from None
    port = _int(env, "PORT", 3978, 1, 65535)
    host = env.get("HOST", "").strip() or "127.0.0.1"
    database_url = env.get("DATABASE_URL", "").strip() or "sqlite+aiosqlite:///data/faggruppe-bot.db"
    if database_url.startswith("sqlite://") and not database_url.startswith("sqlite+aiosqlite"):
        database_url = database_url.replace("sqlite://", "sqlite+aiosqlite://", 1)
    if database_url.startswith(("postgresql://", "postgres://")):
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
    if not database_url.startswith(("sqlite+aiosqlite://", "postgresql+psycopg://")):
        raise ConfigError("DATABASE_URL must be sqlite+aiosqlite:///path or postgresql+psycopg://user@host/db")
    log_format = env.get("LOG_FORMAT", "").strip().lower() or "text"
    if log_format not in ("text", "json"):
        raise ConfigError(f"LOG_FORMAT must be text or json, got {log_format!r}")
    log_level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
    graph_auth = env.get("GRAPH_AUTH", "").strip().lower()
    if graph_auth not in ("", "client-secret", "certificate", "managed-identity"):
        raise ConfigError("GRAPH_AUTH must be client-secret, certificate or managed-identity")
    hours = _list(env.get("WORKING_HOURS"), ("8", "16"))
    try:
        working_hours = (int(hours[0]), int(hours[1]))
        if not 0 <= working_hours[0] < working_hours[1] <= 24:
            raise ValueError
    except (ValueError, IndexError):
        raise ConfigError("WORKING_HOURS must be two hours like 8,16") from None
    public = env.get("PUBLIC_BASE_URL", "").strip().rstrip("/")
    if not public:
        public = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    if not public.startswith(("http://", "https://")):
        raise ConfigError("PUBLIC_BASE_URL must start with http:// or https://")
    endpoints = ("BOT_OPENID_METADATA_URL", "BOT_TOKEN_ISSUER", "BOT_TO_CHANNEL_LOGIN_URL", "BOT_TO_CHANNEL_OAUTH_SCOPE")
    given = [n for n in endpoints if env.get(n, "").strip()]
    if given and len(given) != len(endpoints):
        # botbuilder switches to its parameterized mode when any one is set and then needs all of them.
        missing = ", ".join(n for n in endpoints if n not in given)
        raise ConfigError(f"{', '.join(given)} set without {missing}: set all four Bot Framework endpoints or none")
    return Settings(
        app_id=app_id,
        app_password=env.get("MICROSOFT_APP_PASSWORD", ""),
        app_type=app_type,
        app_tenant_id=tenant,
        host=host,
        port=port,
        public_base_url=public,
        database_url=database_url,
        timezone=tz_name,
        leaders=tuple(x.lower() for x in _list(env.get("BOT_LEADERS"))),
        allowed_tenants=tuple(x.lower() for x in _list(env.get("ALLOWED_TENANTS"))),
        municipalities=_list(env.get("MUNICIPALITIES"), MUNICIPALITIES),
        faggrupper=_list(env.get("FAGGRUPPER"), FAGGRUPPER),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 256 * 1024, 1024),
        log_level=log_level,
        log_format=log_format,
        download_ttl_minutes=_int(env, "DOWNLOAD_TTL_MINUTES", 60, 1, 60 * 24 * 7),
        graph_tenant_id=env.get("GRAPH_TENANT_ID", "").strip(),
        graph_client_id=env.get("GRAPH_CLIENT_ID", "").strip(),
        graph_client_secret=env.get("GRAPH_CLIENT_SECRET", ""),
        graph_client_certificate_path=env.get("GRAPH_CLIENT_CERTIFICATE_PATH", "").strip(),
        graph_auth=graph_auth,
        graph_base_url=(env.get("GRAPH_BASE_URL", "").strip() or "https://graph.microsoft.com/v1.0").rstrip("/"),
        graph_organizer=env.get("GRAPH_ORGANIZER", "").strip(),
        working_hours=working_hours,
        openid_metadata_url=env.get("BOT_OPENID_METADATA_URL", "").strip(),
        token_issuer=env.get("BOT_TOKEN_ISSUER", "").strip(),
        to_channel_login_url=env.get("BOT_TO_CHANNEL_LOGIN_URL", "").strip(),
        to_channel_oauth_scope=env.get("BOT_TO_CHANNEL_OAUTH_SCOPE", "").strip(),
        channel_service=env.get("CHANNEL_SERVICE", "").strip(),
        retention_polls_days=_int(env, "RETENTION_POLLS_DAYS", 365, 1),
        retention_inputs_days=_int(env, "RETENTION_INPUTS_DAYS", 365 * 5, 1),
        retention_audit_days=_int(env, "RETENTION_AUDIT_DAYS", 365 * 2, 1),
        scheduler_enabled=_bool(env, "SCHEDULER_ENABLED", True),
        poll_reminder_hours=_int(env, "POLL_REMINDER_HOURS", 24, 0, 24 * 14),
        campaign_reminder_hours=_int(env, "CAMPAIGN_REMINDER_HOURS", 48, 0, 24 * 30),
        graph_authority_host=env.get("AZURE_AUTHORITY_HOST", "").strip().rstrip("/"),
        graph_deadline_seconds=_int(env, "GRAPH_DEADLINE_SECONDS", 10, 1, 600),
        graph_max_retries=_int(env, "GRAPH_MAX_RETRIES", 3, 0, 10),
        outbox_stale_seconds=_int(env, "OUTBOX_STALE_SECONDS", 60, 2, 3600),
        manifest_app_id=env.get("MANIFEST_APP_ID", "").strip() or app_id or DEV_MANIFEST_APP_ID,
        developer_name=env.get("DEVELOPER_NAME", "").strip() or "Faggruppe-bot",
        developer_url=env.get("DEVELOPER_URL", "").strip(),
        privacy_url=env.get("PRIVACY_URL", "").strip(),
        terms_url=env.get("TERMS_URL", "").strip(),
        app_version=env.get("APP_VERSION", "").strip() or "1.0.0",
        job_retry_seconds=_int(env, "JOB_RETRY_SECONDS", 60, 1, 3600),
        metrics_token=_metrics_token(env),
        metrics_loopback=_bool(env, "METRICS_LOOPBACK", True),
        shutdown_grace_seconds=_int(env, "SHUTDOWN_GRACE_SECONDS", 10, 1, 600),
    )


def _metrics_token(env: Mapping[str, str]) -> str:
    """METRICS_TOKEN: empty (loopback only) or a long random string (it is the only thing guarding /metrics)."""
    token = env.get("METRICS_TOKEN", "").strip()
    if token and (len(token) < 24 or not re.fullmatch(r"[\x21-\x7e]+", token)):
        raise ConfigError("METRICS_TOKEN must be at least 24 printable characters without spaces (e.g. `openssl rand -hex 32`)")
    return token
