"""Start-up of `python -m bot`: the checks that refuse an unsafe or unworkable start, one line each, and the line
saying where the bot is. Refusals live here, not in load_settings, so `package` and `privacy` still run anywhere."""

from __future__ import annotations

import asyncio
import errno
import os
import socket
from collections.abc import Mapping
from pathlib import Path

from bot import __version__
from bot.config import Problem, Settings, graph_mode
from bot.configparse import is_loopback, url_host
from bot.messages import t


def cli_language(flag: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """'nb' or 'en' for operator output: --lang, else the locale (LC_ALL, LC_MESSAGES, LANG), else Norwegian."""
    if flag:
        return "en" if flag.lower().startswith("en") else "nb"
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "nb"
    return "nb"


def policy_problems(settings: Settings) -> list[Problem]:
    """Settings that load but must not serve: authentication off on a reachable address, an open multi-tenant app,
    a production app without its secret, an unreadable Graph certificate."""
    problems: list[Problem] = []
    # Without an app id no JWT is checked (anyone who reaches the port can act as anyone): loopback only, or opted in.
    if not settings.app_id and not is_loopback(settings.host) and not settings.allow_unauthenticated:
        problems.append(Problem("start.unauthenticated", {"host": settings.host}))
    if settings.app_id and settings.app_type == "MultiTenant":
        # A multi-tenant app can be installed from any organisation: ALLOWED_TENANTS must name whose chats it serves.
        if not settings.allowed_tenants:
            problems.append(Problem("start.multitenant_open"))
        if not settings.app_password:
            problems.append(Problem("start.no_secret"))
    if settings.graph_enabled and graph_mode(settings) == "certificate":
        path = Path(settings.graph_client_certificate_path)
        if not certificate_usable(path):
            problems.append(Problem("start.certificate", {"path": str(path)}))
    return problems


def certificate_usable(path: Path) -> bool:
    """True when the file is a PEM with an unencrypted private key and a certificate (what CertificateCredential loads)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        data = path.read_bytes()
        load_pem_private_key(data, password=None)
        x509.load_pem_x509_certificate(data)
    except (OSError, ValueError, TypeError):
        return False
    return True


def bind_problems(settings: Settings) -> list[Problem]:
    """Try the address before starting, so a port in use or a foreign HOST is one line, not a traceback."""
    host = settings.host or "127.0.0.1"
    try:
        infos = socket.getaddrinfo(host, settings.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        return [Problem("start.host", {"host": host})]
    for family, kind, proto, _, address in dict.fromkeys(infos):
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return [Problem("start.port_in_use", {"host": host, "port": settings.port})]
            return [Problem("start.host", {"host": host})]
        finally:
            sock.close()
    return []


async def database_problems(settings: Settings) -> list[Problem]:
    """The database answers and was not migrated by a newer release (the bot migrates older ones at start)."""
    from bot.ops.dbcheck import inspect_database

    state = await inspect_database(settings.database_url)
    if not state.reachable:
        return [Problem("start.database", {"where": state.where, "error": state.error})]
    if state.unknown:
        return [Problem("start.database_newer", {"where": state.where, "revision": ", ".join(state.unknown)})]
    return []


def start_problems(settings: Settings) -> list[Problem]:
    """Everything that refuses `python -m bot run`, in the order an operator would fix it."""
    problems = policy_problems(settings)
    if problems:
        return problems
    return bind_problems(settings) or asyncio.run(database_problems(settings))


def local_url(settings: Settings) -> str:
    """The address the bot listens on, as a URL this machine can open."""
    host = "127.0.0.1" if settings.host in ("", "0.0.0.0") else "::1" if settings.host == "::" else settings.host
    return f"http://{f'[{host}]' if ':' in host else host}:{settings.port}"


def running_line(settings: Settings, lang: str) -> str:
    """One line: where the bot is, its health URL and (for a local bot without app id) the Playground command."""
    base = local_url(settings)
    extra = "" if settings.auth_enabled else t("start.playground", lang)
    return t("start.running", lang, version=__version__, messages=f"{base}/api/messages", health=f"{base}/healthz",
             extra=extra)


def public_url_problem(settings: Settings) -> Problem | None:
    """A production bot (app id set) whose download links would point to this machine or to plain http.

    A warning at start (the bot still answers; only links break) and an error in the doctor."""
    public = settings.public_base_url
    if settings.app_id and (not public.startswith("https://") or is_loopback(url_host(public))):
        return Problem("start.public_url", {"url": public})
    return None


def unauthenticated_warning(settings: Settings, lang: str) -> str | None:
    """The loud warning for an unauthenticated bot others can reach (BOT_ALLOW_UNAUTHENTICATED=true)."""
    if settings.app_id or is_loopback(settings.host):
        return None
    return t("start.unauthenticated_warning", lang, host=settings.host, port=settings.port)


def start_warnings(settings: Settings, lang: str) -> list[str]:
    """Lines printed at start without refusing it."""
    public = public_url_problem(settings)
    warnings = [unauthenticated_warning(settings, lang), public and t("start.warning", lang, text=public.text(lang))]
    return [w for w in warnings if w]
