"""The Teams app package: manifest from the template and configuration, validated, zipped to build/faggruppe-bot.zip."""

from __future__ import annotations

import ipaddress
import json
import sys
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config import DEV_MANIFEST_APP_ID, Settings
from bot.ops.manifest_rules import (
    MANIFEST_DIR,
    MAX_COMMAND_DESCRIPTION,
    MAX_COMMAND_TITLE,
    MAX_COMMANDS,
    PLACEHOLDER,
    validate_files,
)

SCOPES = ("personal", "groupChat", "team")
PLACEHOLDER_URL = "https://faggruppe-bot.invalid/"  # .invalid is reserved (RFC 2606): it can never resolve


def _https_or_placeholder(*candidates: str) -> str:
    """The first https URL among the candidates, else the placeholder URL."""
    for url in candidates:
        if url.startswith("https://"):
            return url
    return PLACEHOLDER_URL


def placeholders(settings: Settings) -> dict[str, str]:
    """Values for the ${{NAME}} placeholders of manifest/manifest.json."""
    public = settings.public_base_url if settings.public_base_url.startswith("https://") else ""
    developer = settings.developer_url or _https_or_placeholder(public)
    return {
        "APP_VERSION": settings.app_version,
        "MANIFEST_APP_ID": settings.manifest_app_id,
        "BOT_ID": settings.app_id or settings.manifest_app_id,
        "DEVELOPER_NAME": settings.developer_name,
        "DEVELOPER_URL": developer,
        "PRIVACY_URL": settings.privacy_url or _https_or_placeholder(developer),
        "TERMS_URL": settings.terms_url or _https_or_placeholder(developer),
        # The leaders' tab (bot/tab) is served by the bot itself; its SSO tokens are issued for TAB_APP_ID_URI.
        "TAB_BASE_URL": (public or PLACEHOLDER_URL).rstrip("/"),
        "TAB_APP_ID_URI": settings.tab_app_id_uri
        or f"api://{urlsplit(public or PLACEHOLDER_URL).netloc}/{settings.app_id or settings.manifest_app_id}",
    }


def _fill(value: Any, values: dict[str, str]) -> Any:
    """`value` with its ${{NAME}} placeholders replaced (recursively through lists and dicts)."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def valid_domains(settings: Settings) -> list[str]:
    """The bot's public host (download links), unless it is local or an IP address."""
    host = (urlsplit(settings.public_base_url).hostname or "").lower()
    if not host or host == "localhost" or host.endswith(".localhost"):
        return []
    try:
        ipaddress.ip_address(host)
        return []
    except ValueError:
        return [host]


# The most important commands per scope, first; every other command with a help text follows in help order while
# there is room (Teams shows at most 10 per list), so new commands join the manifest automatically.
_GROUP = ("hjelp", "avstemning", "avstemninger", "innspill", "innspillsrunde", "faser", "oversikt", "prosjekter", "eksport",
          "registrer")
PREFERRED: dict[str, tuple[str, ...]] = {
    "personal": ("hjelp", "innspill", "mine innspill", "faser", "prosjekter", "oversikt", "kunngjøring", "eksport",
                 "mine data", "slett mine data"),
    "groupChat": _GROUP,
    "team": _GROUP,
}


def command_entries(scope: str = "personal") -> list[tuple[str, str, str]]:
    """(title, Norwegian description, English description) of a scope's most important commands."""
    from bot.features import build_router
    from bot.messages import t

    entries = build_router().help_entries()
    rank = {word: i for i, word in enumerate(PREFERRED.get(scope, ()))}
    chosen = sorted(entries, key=lambda c: (rank.get(c.word, len(rank)), entries.index(c)))[:MAX_COMMANDS]
    out: list[tuple[str, str, str]] = []
    for cmd in chosen:
        nb = t(cmd.help_key or "", "nb-NO").replace("**", "")
        en = t(cmd.help_key or "", "en-US").replace("**", "")
        out.append((cmd.word[:MAX_COMMAND_TITLE], _clip(nb), _clip(en)))
    return out


def _clip(s: str) -> str:
    """A command description shortened to the manifest's limit."""
    return s if len(s) <= MAX_COMMAND_DESCRIPTION else s[: MAX_COMMAND_DESCRIPTION - 1].rstrip() + "…"


def render(settings: Settings) -> dict[str, bytes]:
    """Every file of the package (name -> bytes), before validation."""
    values = placeholders(settings)
    manifest = _fill(json.loads((MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8")), values)
    entries = {scope: command_entries(scope) for scope in SCOPES}
    manifest["bots"][0]["commandLists"] = [
        {"scopes": [scope], "commands": [{"title": title, "description": nb} for title, nb, _ in entries[scope]]}
        for scope in SCOPES
    ]
    manifest["validDomains"] = valid_domains(settings)
    files: dict[str, bytes] = {}
    for lang in manifest.get("localizationInfo", {}).get("additionalLanguages", []):
        loc = json.loads((MANIFEST_DIR / lang["file"]).read_text(encoding="utf-8"))
        if lang["languageTag"].startswith("en"):
            for i, scope in enumerate(SCOPES):
                for j, (_, _, en) in enumerate(entries[scope]):
                    loc[f"bots[0].commandLists[{i}].commands[{j}].description"] = en
        files[lang["file"]] = _json_bytes(loc)
    files["manifest.json"] = _json_bytes(manifest)
    for key in ("color", "outline"):
        name = manifest["icons"][key]
        files[name] = (MANIFEST_DIR / name).read_bytes()
    return files


def _json_bytes(data: Any) -> bytes:
    """Pretty-printed UTF-8 JSON with a final newline."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_zip(files: dict[str, bytes], out: str | Path) -> Path:
    """Write the package with every file at the top level of the zip."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), files[name])
    return path


def build_package(settings: Settings, out: str | Path = "build/faggruppe-bot.zip") -> int:
    """Render, validate and zip the Teams app package; 0 on success, 1 (with reasons on stderr) when invalid."""
    files = render(settings)
    errors = validate_files(files)
    if errors:
        print(f"The Teams app package is invalid ({len(errors)} problems); nothing was written:", file=sys.stderr)
        for e in errors:
            print(f"  - {e}", file=sys.stderr)
        return 1
    manifest = json.loads(files["manifest.json"])
    if PLACEHOLDER_URL in json.dumps(manifest):
        print("Note: DEVELOPER_URL / PRIVACY_URL / TERMS_URL are not set; the package uses a placeholder URL. "
              "Set them before publishing.", file=sys.stderr)
    if DEV_MANIFEST_APP_ID in (manifest["id"], manifest["bots"][0]["botId"]):
        print("Note: MICROSOFT_APP_ID is not set; the package uses a development app id that no Azure Bot has.",
              file=sys.stderr)
    path = write_zip(files, out)
    print(f"Wrote {path} (manifest {manifest['manifestVersion']}, version {manifest['version']}, "
          f"{sum(len(cl['commands']) for cl in manifest['bots'][0]['commandLists'])} commands in "
          f"{len(manifest['bots'][0]['commandLists'])} lists)")
    return 0
