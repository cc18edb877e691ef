"""Every setting declared once (variable, field, default, parser, meaning): the source of load_settings and README."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import __version__
from bot.configparse import (
    Parser,
    boolean,
    choice,
    database_url,
    guid,
    guids,
    integer,
    long_secret,
    names,
    secret,
    tenant,
    text,
    timezone,
    token,
    url,
    working_hours,
)
from bot.kernel.defaults import FAGGRUPPER, MUNICIPALITIES

APP_TYPES = ("MultiTenant", "SingleTenant", "UserAssignedMSI")
BOT_HOSTS = ("botbuilder", "agents")
GRAPH_AUTHS = ("", "client-secret", "certificate", "managed-identity")
DEV_MANIFEST_APP_ID = "5b8f3a52-7c1e-4d2a-9f6b-0c4e8d1a2f37"  # fixed id for local packages without MICROSOFT_APP_ID
BOT_ENDPOINTS = ("BOT_OPENID_METADATA_URL", "BOT_TOKEN_ISSUER", "BOT_TO_CHANNEL_LOGIN_URL", "BOT_TO_CHANNEL_OAUTH_SCOPE")
# Any of these set means Graph is meant to be on; the tuning variables (GRAPH_BASE_URL, ...) do not count.
GRAPH_SWITCHES = ("GRAPH_ORGANIZER", "GRAPH_AUTH", "GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "GRAPH_CLIENT_SECRET",
                  "GRAPH_CLIENT_CERTIFICATE_PATH")


@dataclass(frozen=True)
class Var:
    """One environment variable: the Settings field it fills, its default as written in .env, and its meaning."""

    name: str
    field: str
    default: str
    parse: Parser
    group: str
    doc: str
    shown: str = ""  # the README's default column when the raw default does not say it (derived defaults)


GROUPS = {
    "bot": "Bot Framework and access",
    "http": "HTTP",
    "storage": "Storage, people and organisation",
    "graph": "Microsoft Graph (calendars; optional)",
    "ops": "Operations and retention",
    "package": "Teams app package (`python -m bot package`)",
}
_LOWER = str.lower

SPEC: tuple[Var, ...] = (
    # -- Bot Framework and access -------------------------------------------------------------------------------------
    Var("MICROSOFT_APP_ID", "app_id", "", guid, "bot",
        "Azure Bot app id (GUID). When set, every request to `/api/messages` needs a valid Bot Framework token. "
        "Empty: no authentication (local development), see `BOT_ALLOW_UNAUTHENTICATED`."),
    Var("MICROSOFT_APP_PASSWORD", "app_password", "", secret, "bot",
        "client secret of the app registration (needed for `MultiTenant` and `SingleTenant`)"),
    Var("MICROSOFT_APP_TYPE", "app_type", "MultiTenant", choice(*APP_TYPES, fold=_LOWER), "bot",
        "`MultiTenant`, `SingleTenant` (Azure's choice for new bots) or `UserAssignedMSI`; leave it empty with an empty "
        "app id"),
    Var("MICROSOFT_APP_TENANT_ID", "app_tenant_id", "", guid, "bot",
        "directory (tenant) id (GUID) of the app registration; needed for `SingleTenant` and `UserAssignedMSI`"),
    Var("ALLOWED_TENANTS", "allowed_tenants", "", guids, "bot",
        "comma-separated tenant ids whose Teams may use the bot; activities and proactive messages to other tenants are "
        "refused. Needed for a `MultiTenant` app id", shown="`MICROSOFT_APP_TENANT_ID` for `SingleTenant` and "
        "`UserAssignedMSI`, else empty (all)"),
    Var("BOT_ALLOW_UNAUTHENTICATED", "allow_unauthenticated", "false", boolean, "bot",
        "`true` lets a bot without `MICROSOFT_APP_ID` listen on an address other machines reach (a shared test "
        "server); anyone who reaches the port can then act as anyone. Never in production"),
    Var("BOT_OPENID_METADATA_URL", "openid_metadata_url", "", url(), "bot",
        "Bot Framework endpoints for national clouds and tests: set all four `BOT_*` endpoints or none",
        shown="public cloud"),
    Var("BOT_TOKEN_ISSUER", "token_issuer", "", text, "bot", "see `BOT_OPENID_METADATA_URL`", shown="public cloud"),
    Var("BOT_TO_CHANNEL_LOGIN_URL", "to_channel_login_url", "", url(), "bot", "see `BOT_OPENID_METADATA_URL`",
        shown="public cloud"),
    Var("BOT_TO_CHANNEL_OAUTH_SCOPE", "to_channel_oauth_scope", "", text, "bot", "see `BOT_OPENID_METADATA_URL`",
        shown="public cloud"),
    Var("CHANNEL_SERVICE", "channel_service", "", text, "bot",
        "`https://botframework.azure.us` for the US Government cloud; other clouds set the four `BOT_*` endpoints",
        shown="public cloud"),
    Var("TAB_APP_ID_URI", "tab_app_id_uri", "", text, "bot",
        "Application ID URI the leaders' tab's SSO tokens are issued for (their audience; `webApplicationInfo.resource` "
        "in the manifest)", shown="`api://<host of PUBLIC_BASE_URL>/<MICROSOFT_APP_ID>`"),
    Var("TAB_DEV_USER", "tab_dev_user", "", text, "bot",
        "development mode only (no `MICROSOFT_APP_ID`, listening on loopback): the AAD object id the tab signs in as; "
        "ignored in any other configuration", shown="the first `BOT_LEADERS` entry"),
    Var("BOT_HOST", "bot_host", "botbuilder", choice(*BOT_HOSTS, fold=_LOWER), "bot",
        "the chat SDK behind `/api/messages`: `botbuilder` (Bot Framework SDK) or `agents` (Microsoft 365 Agents "
        "SDK); same app registration, database and features (see \"Choosing the host\")"),
    # -- HTTP ---------------------------------------------------------------------------------------------------------
    Var("HOST", "host", "127.0.0.1", text, "http",
        "address to listen on; without `MICROSOFT_APP_ID` only a loopback address (`127.0.0.1`, `::1`, `localhost`) "
        "is allowed unless `BOT_ALLOW_UNAUTHENTICATED=true`. The Docker image sets `0.0.0.0`"),
    Var("PORT", "port", "3978", integer(1, 65535), "http", "port to listen on"),
    Var("PUBLIC_BASE_URL", "public_base_url", "", url(), "http",
        "the bot's public URL, used in download links; with `MICROSOFT_APP_ID` set it should be a public `https://` "
        "address (a warning at start, an error in `make doctor` otherwise)", shown="`http://HOST:PORT`"),
    Var("MAX_BODY_BYTES", "max_body_bytes", "262144", integer(1024), "http", "larger request bodies get 413"),
    # -- Storage, people and organisation -----------------------------------------------------------------------------
    Var("DATABASE_URL", "database_url", "sqlite+aiosqlite:///data/faggruppe-bot.db", database_url, "storage",
        "SQLite file, or `postgresql+psycopg://user@host/db` for several instances"),
    Var("BOT_TIMEZONE", "timezone", "Europe/Oslo", timezone, "storage",
        "IANA time zone for showing and scheduling times"),
    Var("BOT_LANGUAGE", "language", "nb", choice("nb", "en", fold=_LOWER), "storage",
        "the organisation's language, `nb` (bokmål) or `en`: every card shared in a chat, reminders and other messages "
        "the bot sends on its own. A member whose Teams is in English gets English only in views of their own "
        "(the personal chat); Nynorsk users get bokmål"),
    Var("BOT_LEADERS", "leaders", "", names(lower=True), "storage",
        "comma-separated Entra ID object ids or UPNs of project leaders; the truth at every start (someone taken off the "
        "list loses the role; leaders granted in chat with `leder legg til` stay until `leder fjern`), re-read on every "
        "instance at least every 60 s"),
    Var("MUNICIPALITIES", "municipalities", "", names(MUNICIPALITIES), "storage", "comma-separated municipality list",
        shown="Digitale Helgeland's 16"),
    Var("COOPERATION_NAME", "cooperation_name", "", text, "storage",
        "the cooperation's name (e.g. `Digitale Helgeland`), shown on the title page of decision documents"),
    Var("FAGGRUPPER", "faggrupper", "", names(FAGGRUPPER), "storage", "comma-separated faggruppe list",
        shown="the seven usual faggrupper"),
    # -- Microsoft Graph ----------------------------------------------------------------------------------------------
    Var("GRAPH_ORGANIZER", "graph_organizer", "", text, "graph",
        "the organiser mailbox (UPN or object id), e.g. `sekretariat@digitalehelgeland.no`; Graph is off while all of "
        "`GRAPH_ORGANIZER`, `GRAPH_AUTH`, `GRAPH_TENANT_ID`, `GRAPH_CLIENT_ID`, `GRAPH_CLIENT_SECRET` and "
        "`GRAPH_CLIENT_CERTIFICATE_PATH` are empty"),
    Var("GRAPH_AUTH", "graph_auth", "", choice(*GRAPH_AUTHS, fold=_LOWER), "graph",
        "`client-secret`, `certificate` or `managed-identity`",
        shown="`client-secret` (`certificate` when only a certificate is given)"),
    Var("GRAPH_TENANT_ID", "graph_tenant_id", "", tenant, "graph", "tenant of the app registration"),
    Var("GRAPH_CLIENT_ID", "graph_client_id", "", guid, "graph",
        "the app registration (for managed identity: picks a user-assigned identity)"),
    Var("GRAPH_CLIENT_SECRET", "graph_client_secret", "", secret, "graph", "client secret"),
    Var("GRAPH_CLIENT_CERTIFICATE_PATH", "graph_client_certificate_path", "", text, "graph",
        "PEM file with the RSA private key and certificate"),
    Var("GRAPH_BASE_URL", "graph_base_url", "https://graph.microsoft.com/v1.0", url(https=True), "graph",
        "national clouds: e.g. `https://graph.microsoft.us/v1.0`, `https://microsoftgraph.chinacloudapi.cn/v1.0`"),
    Var("AZURE_AUTHORITY_HOST", "graph_authority_host", "", url(https=True), "graph",
        "token authority (national clouds)", shown="`https://login.microsoftonline.com`"),
    Var("GRAPH_DEADLINE_SECONDS", "graph_deadline_seconds", "10", integer(1, 600), "graph",
        "total time for one Graph call, retries included (kept under Teams' 10–15 s invoke limit; a booking that runs "
        "out of time is pending and retried by the scheduler)"),
    Var("GRAPH_MAX_RETRIES", "graph_max_retries", "3", integer(0, 10), "graph",
        "retries of 429/503/504 (Retry-After honoured within the deadline)"),
    Var("WORKING_HOURS", "working_hours", "8,16", working_hours, "graph",
        "local working hours for suggested meeting times"),
    # -- Operations and retention -------------------------------------------------------------------------------------
    Var("LOG_LEVEL", "log_level", "INFO", choice("DEBUG", "INFO", "WARNING", "ERROR", fold=str.upper), "ops",
        "`DEBUG`, `INFO`, `WARNING` or `ERROR`"),
    Var("LOG_FORMAT", "log_format", "text", choice("text", "json", fold=_LOWER), "ops",
        "`json` gives one JSON object per line"),
    Var("DOWNLOAD_TTL_MINUTES", "download_ttl_minutes", "15", integer(1, 60 * 24 * 7), "ops",
        "lifetime of download links (each link also works only once, for the person who asked)"),
    Var("SCHEDULER_ENABLED", "scheduler_enabled", "true", boolean, "ops", "run scheduled jobs in this process"),
    Var("OUTBOX_STALE_SECONDS", "outbox_stale_seconds", "60", integer(2, 3600), "ops",
        "a delivery claimed by a crashed instance is sent again after this long (one send may take half of it, at "
        "most 30 s)"),
    Var("TEAMS_APP_RATE_LIMIT", "teams_app_rate_limit", "50", integer(1, 50), "ops",
        "proactive messages per second the app sends, across all instances (Teams allows about 50; on PostgreSQL only "
        "the scheduler's leader sends them, so a lower figure leaves room for the replies every instance makes)"),
    Var("JOB_RETRY_SECONDS", "job_retry_seconds", "60", integer(1, 3600), "ops",
        "a scheduled job (reminder, auto-close) interrupted by a crash or kill runs again after this long"),
    Var("POLL_REMINDER_HOURS", "poll_reminder_hours", "24", integer(0, 24 * 14), "ops",
        "meeting polls: remind members who have not answered this many hours before the deadline (0 = off)"),
    Var("CAMPAIGN_REMINDER_HOURS", "campaign_reminder_hours", "48", integer(0, 24 * 30), "ops",
        "input campaigns: hours before the deadline to remind members who have sent nothing (0 = off)"),
    Var("RETENTION_POLLS_DAYS", "retention_polls_days", "365", integer(1), "ops",
        "days votes are kept after a poll closed"),
    Var("RETENTION_INPUTS_DAYS", "retention_inputs_days", "1825", integer(1), "ops",
        "days needs and benefits are kept"),
    Var("RETENTION_AUDIT_DAYS", "retention_audit_days", "730", integer(1), "ops",
        "days the audit log and broadcasts are kept"),
    Var("RETENTION_PEOPLE_DAYS", "retention_people_days", "730", integer(1), "ops",
        "people the bot has not seen for this many days are erased as by `slett mine data`"),
    Var("PRIVACY_PSEUDONYM_KEY", "pseudonym_key", "", long_secret, "ops",
        "key (≥ 32 characters) of the HMAC pseudonyms that replace erased people; set it from a key vault",
        shown="generated once and kept in the database"),
    Var("METRICS_TOKEN", "metrics_token", "", token, "ops",
        "bearer token (≥ 24 characters) that opens `/metrics` from anywhere; without it only loopback clients see it"),
    Var("METRICS_LOOPBACK", "metrics_loopback", "true", boolean, "ops",
        "serve `/metrics` to loopback clients without a token (a forwarding header withdraws this trust)"),
    Var("SHUTDOWN_GRACE_SECONDS", "shutdown_grace_seconds", "10", integer(1, 600), "ops",
        "on SIGTERM, in-flight turns and sends get this long before the process exits"),
    # -- Teams app package --------------------------------------------------------------------------------------------
    Var("MANIFEST_APP_ID", "manifest_app_id", "", guid, "package",
        "the Teams app id in the package (`id`); the bot id is `MICROSOFT_APP_ID`",
        shown="`MICROSOFT_APP_ID`, else a fixed development id"),
    Var("DEVELOPER_NAME", "developer_name", "Faggruppe-bot", text, "package",
        "publisher shown in Teams (at most 32 characters)"),
    Var("DEVELOPER_URL", "developer_url", "", text, "package",
        "https page for the app's about dialog (set it before publishing)",
        shown="`PUBLIC_BASE_URL` when https, else a placeholder"),
    Var("PRIVACY_URL", "privacy_url", "", text, "package", "privacy statement (https)",
        shown="`PUBLIC_BASE_URL` when https, else a placeholder"),
    Var("TERMS_URL", "terms_url", "", text, "package", "terms of use (https)",
        shown="`PUBLIC_BASE_URL` when https, else a placeholder"),
    Var("APP_VERSION", "app_version", "", text, "package",
        "package version (`MAJOR.MINOR.PATCH`); leave it empty to use the bot's own version, set it higher only to "
        "upload a changed package of the same release", shown=f"the bot's version ({__version__})"),
)
BY_NAME = {var.name: var for var in SPEC}


def _cell(value: str) -> str:
    """A value escaped for a Markdown table cell."""
    return value.replace("|", "\\|")


def markdown_table(groups: tuple[str, ...] = tuple(GROUPS)) -> str:
    """The README table of the given groups (a bold row names each group when there are several), from SPEC."""
    lines: list[str] = []
    for key in groups:
        if len(groups) > 1:
            lines.append(f"| **{GROUPS[key]}** | | |")
        for var in SPEC:
            if var.group == key:
                default = var.shown or (f"`{var.default}`" if var.default else "empty")
                lines.append(f"| `{var.name}` | {_cell(default)} | {_cell(var.doc)} |")
    return "\n".join(["| Variable | Default | Meaning |", "|---|---|---|", *lines])


TABLE_BLOCK = re.compile(r"(<!-- BEGIN config-table ([a-z,]+) -->\n)(.*?)(<!-- END config-table -->)", re.DOTALL)


def render_tables(readme: str) -> str:
    """README with every `<!-- BEGIN config-table g1,g2 -->` ... `<!-- END config-table -->` block regenerated."""
    return TABLE_BLOCK.sub(lambda m: m[1] + markdown_table(tuple(m[2].split(","))) + "\n" + m[4], readme)
