"""The Teams app package: manifest from the template and configuration, validated, zipped to build/faggruppe-bot.zip."""

from __future__ import annotations

import io
import ipaddress
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config import DEV_MANIFEST_APP_ID, GUID_RE, Settings

MANIFEST_DIR = Path(__file__).resolve().parents[2] / "manifest"
SCHEMA_DIR = MANIFEST_DIR / "schema"
SCOPES = ("personal", "groupChat", "team")
MAX_COMMANDS = 10  # Teams shows at most 10 commands per command list
MAX_COMMAND_TITLE = 32
MAX_COMMAND_DESCRIPTION = 128
ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}
PLACEHOLDER_URL = "https://faggruppe-bot.invalid/"
_PLACEHOLDER = re.compile(r"\$\{\{([A-Z_]+)\}\}")
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_DOMAIN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$")


def _https_or_placeholder(*candidates: str) -> str:
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
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
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
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def _schema_errors(doc: Any, schema: dict[str, Any], where: str) -> list[str]:
    from jsonschema import Draft4Validator

    out = []
    for err in sorted(Draft4Validator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path)):
        path = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{where}: {path}: {err.message[:300]}")
    return out


def validate_files(files: dict[str, bytes]) -> list[str]:
    """Everything wrong with a package: Microsoft's schema for its manifestVersion, then the rules it cannot express."""
    errors: list[str] = []
    try:
        manifest = json.loads(files["manifest.json"].decode("utf-8"))
    except KeyError:
        return ["manifest.json is missing"]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"manifest.json is not valid JSON: {exc}"]
    version = manifest.get("manifestVersion")
    schema_file = SCHEMA_DIR / "MicrosoftTeams.schema.json"
    schema = _schema(schema_file.name)
    if schema["properties"]["manifestVersion"].get("const") != version:
        errors.append(f"manifest.json: manifestVersion {version!r} has no vendored schema in {SCHEMA_DIR}")
    errors += _schema_errors(manifest, schema, "manifest.json")
    errors += _placeholder_errors(files)
    errors += _id_errors(manifest)
    if not _SEMVER.match(str(manifest.get("version", ""))):
        errors.append(f"manifest.json: version must be MAJOR.MINOR.PATCH, got {manifest.get('version')!r} (set APP_VERSION)")
    errors += _url_errors(manifest)
    errors += _command_errors(manifest)
    errors += _domain_errors(manifest)
    errors += _localization_errors(manifest, files)
    errors += _icon_errors(manifest, files)
    return errors


def _placeholder_errors(files: dict[str, bytes]) -> list[str]:
    out = []
    for name, data in files.items():
        if name.endswith(".json"):
            for m in sorted(set(_PLACEHOLDER.findall(data.decode("utf-8", "replace")))):
                out.append(f"{name}: placeholder ${{{{{m}}}}} was not filled in")
    return out


def _id_errors(manifest: dict[str, Any]) -> list[str]:
    out = []
    if not GUID_RE.match(str(manifest.get("id", ""))):
        out.append(f"manifest.json: id must be a GUID, got {manifest.get('id')!r} (set MANIFEST_APP_ID)")
    for i, b in enumerate(manifest.get("bots", [])):
        if not GUID_RE.match(str(b.get("botId", ""))):
            out.append(f"manifest.json: bots/{i}/botId must be a GUID, got {b.get('botId')!r} (set MICROSOFT_APP_ID)")
    return out


def _url_errors(manifest: dict[str, Any]) -> list[str]:
    out = []
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        url = str(manifest.get("developer", {}).get(key, ""))
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            out.append(f"manifest.json: developer/{key} must be an https URL, got {url!r}")
    return out


def _command_errors(manifest: dict[str, Any]) -> list[str]:
    out: list[str] = []
    bots = manifest.get("bots", [])
    if len(bots) != 1:
        return [f"manifest.json: exactly one bot expected, got {len(bots)}"]
    bot = bots[0]
    seen_scopes: list[str] = []
    for i, cl in enumerate(bot.get("commandLists", [])):
        commands = cl.get("commands", [])
        if len(commands) > MAX_COMMANDS:
            out.append(f"manifest.json: bots/0/commandLists/{i} has {len(commands)} commands; Teams allows {MAX_COMMANDS}")
        titles = [c.get("title", "") for c in commands]
        if len(set(titles)) != len(titles):
            out.append(f"manifest.json: bots/0/commandLists/{i} has duplicate command titles")
        for j, c in enumerate(commands):
            if not c.get("title") or len(c["title"]) > MAX_COMMAND_TITLE:
                out.append(f"manifest.json: bots/0/commandLists/{i}/commands/{j}/title must be 1-{MAX_COMMAND_TITLE} characters")
            if len(c.get("description", "")) > MAX_COMMAND_DESCRIPTION:
                out.append(f"manifest.json: bots/0/commandLists/{i}/commands/{j}/description is over "
                           f"{MAX_COMMAND_DESCRIPTION} characters")
        seen_scopes += cl.get("scopes", [])
    for scope in set(seen_scopes):
        if seen_scopes.count(scope) > 1:
            out.append(f"manifest.json: scope {scope!r} is in more than one command list")
    for scope in seen_scopes:
        if scope not in bot.get("scopes", []):
            out.append(f"manifest.json: command list scope {scope!r} is not one of the bot's scopes")
    return out


def _domain_errors(manifest: dict[str, Any]) -> list[str]:
    out = []
    for d in manifest.get("validDomains", []):
        if str(d).startswith("*") and str(d).count(".") < 2:
            out.append(f"manifest.json: validDomains entry {d!r} is a wildcard on a top-level domain")
        elif not _DOMAIN.match(str(d)):
            out.append(f"manifest.json: validDomains entry {d!r} must be a host name without scheme or path")
    return out


def _localization_errors(manifest: dict[str, Any], files: dict[str, bytes]) -> list[str]:
    out = []
    info = manifest.get("localizationInfo") or {}
    schema = _schema("MicrosoftTeams.Localization.schema.json")
    n_commands = [len(cl.get("commands", [])) for cl in manifest.get("bots", [{}])[0].get("commandLists", [])]
    for lang in info.get("additionalLanguages", []):
        name = lang.get("file", "")
        if name not in files:
            out.append(f"manifest.json: localization file {name!r} is not in the package")
            continue
        try:
            loc = json.loads(files[name].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            out.append(f"{name}: not valid JSON: {exc}")
            continue
        out += _schema_errors(loc, schema, name)
        for key in loc:
            m = re.match(r"^bots\[0\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.", key)
            if m and (int(m.group(1)) >= len(n_commands) or int(m.group(2)) >= n_commands[int(m.group(1))]):
                out.append(f"{name}: {key} points at a command the manifest does not have")
    return out


def _icon_errors(manifest: dict[str, Any], files: dict[str, bytes]) -> list[str]:
    from PIL import Image, UnidentifiedImageError

    out = []
    for key, size in ICON_SIZES.items():
        name = manifest.get("icons", {}).get(key, "")
        if name not in files:
            out.append(f"manifest.json: icons/{key} file {name!r} is not in the package")
            continue
        try:
            img = Image.open(io.BytesIO(files[name]))
            img.load()
        except (UnidentifiedImageError, OSError):
            out.append(f"{name}: not a readable image")
            continue
        if img.format != "PNG":
            out.append(f"{name}: must be a PNG, got {img.format}")
        if img.size != size:
            out.append(f"{name}: must be {size[0]}x{size[1]} pixels, got {img.size[0]}x{img.size[1]}")
        if key == "outline":
            out += _outline_errors(name, img)
    return out


def _outline_errors(name: str, img: Any) -> list[str]:
    if img.mode not in ("RGBA", "LA") and "transparency" not in img.info:
        return [f"{name}: the outline icon must have a transparent background (mode {img.mode} has no alpha)"]
    rgba = img.convert("RGBA")
    pixels = list(getattr(rgba, "get_flattened_data", rgba.getdata)())
    if not any(a == 0 for *_, a in pixels):
        return [f"{name}: the outline icon must have a transparent background"]
    if not any(a > 0 for *_, a in pixels):
        return [f"{name}: the outline icon is empty"]
    coloured = [p for p in pixels if p[3] > 0 and min(p[:3]) < 240]
    if coloured:
        return [f"{name}: the outline icon must be white on transparent; {len(coloured)} pixels are not white"]
    return []


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
