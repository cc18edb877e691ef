"""The Teams app package's rules: Microsoft's manifest schema, then what it cannot express (ids, URLs, commands, icons)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config import GUID_RE

MANIFEST_DIR = Path(__file__).resolve().parents[2] / "manifest"
SCHEMA_DIR = MANIFEST_DIR / "schema"
MAX_COMMANDS = 10  # Teams shows at most 10 commands per command list
# Earlier manifest schema versions limit a menu command to 32 / 128 characters (newer ones allow 128 / 4000): keep the
# stricter limits so the menu reads the same in every Teams client.
MAX_COMMAND_TITLE = 32
MAX_COMMAND_DESCRIPTION = 128
ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}
PLACEHOLDER = re.compile(r"\$\{\{([A-Z_]+)\}\}")
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_DOMAIN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$")


def _schema(name: str) -> dict[str, Any]:
    """A Teams JSON schema shipped with the bot."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def _schema_errors(doc: Any, schema: dict[str, Any], where: str) -> list[str]:
    """The schema violations in `doc`, each prefixed with `where`."""
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
    """The ${{...}} placeholders left unfilled in the package's JSON files."""
    out = []
    for name, data in files.items():
        if name.endswith(".json"):
            for m in sorted(set(PLACEHOLDER.findall(data.decode("utf-8", "replace")))):
                out.append(f"{name}: placeholder ${{{{{m}}}}} was not filled in")
    return out


def _id_errors(manifest: dict[str, Any]) -> list[str]:
    """The app id and the bot ids that are not GUIDs."""
    out = []
    if not GUID_RE.match(str(manifest.get("id", ""))):
        out.append(f"manifest.json: id must be a GUID, got {manifest.get('id')!r} (set MANIFEST_APP_ID)")
    for i, b in enumerate(manifest.get("bots", [])):
        if not GUID_RE.match(str(b.get("botId", ""))):
            out.append(f"manifest.json: bots/{i}/botId must be a GUID, got {b.get('botId')!r} (set MICROSOFT_APP_ID)")
    return out


def _url_errors(manifest: dict[str, Any]) -> list[str]:
    """The developer URLs that are not https."""
    out = []
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        url = str(manifest.get("developer", {}).get(key, ""))
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            out.append(f"manifest.json: developer/{key} must be an https URL, got {url!r}")
    return out


def _command_errors(manifest: dict[str, Any]) -> list[str]:
    """Problems with the one bot's command lists (scopes, duplicates, counts, lengths)."""
    bots = manifest.get("bots", [])
    if len(bots) != 1:
        return [f"manifest.json: exactly one bot expected, got {len(bots)}"]
    bot = bots[0]
    out: list[str] = []
    seen_scopes: list[str] = []
    for i, cl in enumerate(bot.get("commandLists", [])):
        out += _command_list_errors(i, cl.get("commands", []))
        seen_scopes += cl.get("scopes", [])
    for scope in set(seen_scopes):
        if seen_scopes.count(scope) > 1:
            out.append(f"manifest.json: scope {scope!r} is in more than one command list")
    for scope in seen_scopes:
        if scope not in bot.get("scopes", []):
            out.append(f"manifest.json: command list scope {scope!r} is not one of the bot's scopes")
    return out


def _command_list_errors(i: int, commands: list[dict[str, Any]]) -> list[str]:
    """One command list: how many commands, unique titles, title and description lengths."""
    out: list[str] = []
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
    return out


def _domain_errors(manifest: dict[str, Any]) -> list[str]:
    """The validDomains entries Teams would refuse."""
    out = []
    for d in manifest.get("validDomains", []):
        if str(d).startswith("*") and str(d).count(".") < 2:
            out.append(f"manifest.json: validDomains entry {d!r} is a wildcard on a top-level domain")
        elif not _DOMAIN.match(str(d)):
            out.append(f"manifest.json: validDomains entry {d!r} must be a host name without scheme or path")
    return out


def _localization_errors(manifest: dict[str, Any], files: dict[str, bytes]) -> list[str]:
    """Problems in the localisation files (schema, and command counts matching the manifest)."""
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
    """Problems with the colour and outline icons (present, PNG, right size)."""
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
    """Problems with the outline icon's transparency."""
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
