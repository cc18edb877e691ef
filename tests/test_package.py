"""The Teams app package: built from the template, valid by Microsoft's published schema and by the rules it cannot express."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bot.__main__ import main
from bot.config import DEV_MANIFEST_APP_ID, load_settings
from bot.features import build_router
from bot.messages import t
from bot.ops.manifest_rules import MAX_COMMANDS, SCHEMA_DIR, validate_files
from bot.ops.package import build_package, render
from tests.jstools import NODE_MODULES, requires_node, run_node

APP_ID = "0f6c9d4e-2b1a-4c3d-8e7f-9a0b1c2d3e4f"


@pytest.fixture
def prod_settings(make_settings):
    return make_settings(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="x", PUBLIC_BASE_URL="https://bot.digitalehelgeland.no",
                         DEVELOPER_NAME="Digitale Helgeland", DEVELOPER_URL="https://www.digitalehelgeland.no",
                         PRIVACY_URL="https://www.digitalehelgeland.no/personvern", TERMS_URL="https://www.digitalehelgeland.no/vilkar",
                         APP_VERSION="1.2.3")


def _manifest(files: dict[str, bytes]) -> dict:
    return json.loads(files["manifest.json"])


def test_package_zip_has_manifest_icons_and_localization(tmp_path: Path, prod_settings, capsys):
    out = tmp_path / "faggruppe-bot.zip"
    assert build_package(prod_settings, out) == 0
    assert "Wrote" in capsys.readouterr().out
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["color.png", "en.json", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
        en = json.loads(zf.read("en.json"))
    assert manifest["manifestVersion"] == "1.30"
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["version"] == "1.2.3"
    assert manifest["developer"] == {"name": "Digitale Helgeland", "websiteUrl": "https://www.digitalehelgeland.no",
                                     "privacyUrl": "https://www.digitalehelgeland.no/personvern",
                                     "termsOfUseUrl": "https://www.digitalehelgeland.no/vilkar"}
    assert manifest["validDomains"] == ["bot.digitalehelgeland.no"]
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "groupChat", "team"}
    assert "Faggruppe" in manifest["name"]["short"] and "møte" in manifest["description"]["short"].lower()
    assert en["name.short"] and "expert groups" in en["description.short"]


def test_command_lists_follow_the_router(prod_settings):
    manifest = _manifest(render(prod_settings))
    words = {cmd.word for cmd in build_router().help_entries()}
    lists = manifest["bots"][0]["commandLists"]
    assert [cl["scopes"] for cl in lists] == [["personal"], ["groupChat"], ["team"]]
    for cl in lists:
        titles = [c["title"] for c in cl["commands"]]
        assert len(titles) == min(MAX_COMMANDS, len(words)) and set(titles) <= words
        assert cl["commands"][0] == {"title": "hjelp", "description": t("help.cmd.hjelp", "nb")}
        assert all(c["description"] for c in cl["commands"])
    if len(words) <= MAX_COMMANDS:  # every command is listed while there is room
        assert all({c["title"] for c in cl["commands"]} == words for cl in lists)
    en = json.loads(render(prod_settings)["en.json"])
    assert en["bots[0].commandLists[0].commands[0].description"] == t("help.cmd.hjelp", "en")


def test_generated_manifest_is_valid(prod_settings, make_settings):
    assert validate_files(render(prod_settings)) == []
    assert validate_files(render(make_settings())) == []  # local defaults: development id, placeholder URLs


def test_manifest_app_id_defaults():
    assert load_settings({}).manifest_app_id == DEV_MANIFEST_APP_ID
    assert load_settings({"MICROSOFT_APP_ID": APP_ID}).manifest_app_id == APP_ID
    other = "11111111-2222-4333-8444-555555555555"
    assert load_settings({"MICROSOFT_APP_ID": APP_ID, "MANIFEST_APP_ID": other}).manifest_app_id == other


def _png(size: tuple[int, int], colour: tuple[int, int, int, int], mode: str = "RGBA") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, colour[: len(mode)]).save(buf, format="PNG")
    return buf.getvalue()


def _broken(files: dict[str, bytes], change) -> list[str]:
    manifest = _manifest(files)
    change(manifest)
    return validate_files({**files, "manifest.json": json.dumps(manifest).encode()})


def test_invalid_packages_are_explained(prod_settings):
    files = render(prod_settings)

    def many_commands(m):
        m["bots"][0]["commandLists"][0]["commands"] = [{"title": f"kommando {i}", "description": "x"} for i in range(11)]

    assert any("11 commands; Teams allows 10" in e for e in _broken(files, many_commands))
    errors = _broken(files, lambda m: m.update(id="ikke-en-guid"))
    assert any("id must be a GUID" in e for e in errors)
    assert any(e.startswith("manifest.json: id:") for e in errors), errors  # Microsoft's schema says so too
    assert any("validDomains" in e for e in _broken(files, lambda m: m.update(validDomains=["https://bot.example.no/api"])))
    assert any("wildcard on a top-level" in e for e in _broken(files, lambda m: m.update(validDomains=["*.no"])))
    assert any("https URL" in e for e in _broken(files, lambda m: m["developer"].update(privacyUrl="http://x.no")))
    assert any("${{BOT_ID}}" in e for e in _broken(files, lambda m: m["bots"][0].update(botId="${{BOT_ID}}")))
    assert any("name/short" in e for e in _broken(files, lambda m: m["name"].update(short="x" * 31)))
    assert any("more than one command list" in e
               for e in _broken(files, lambda m: m["bots"][0]["commandLists"][1].update(scopes=["personal"])))


def test_icon_rules(prod_settings):
    files = render(prod_settings)
    assert any("must be 192x192" in e for e in validate_files({**files, "color.png": _png((96, 96), (0, 0, 0, 255))}))
    opaque = validate_files({**files, "outline.png": _png((32, 32), (255, 255, 255, 255), "RGB")})
    assert any("transparent" in e for e in opaque)
    teal = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    teal.paste((11, 85, 99, 255), (8, 8, 24, 24))
    buf = io.BytesIO()
    teal.save(buf, format="PNG")
    assert any("white on transparent" in e for e in validate_files({**files, "outline.png": buf.getvalue()}))
    assert any("not a readable image" in e for e in validate_files({**files, "color.png": b"not a png"}))


def test_the_shipped_icons():
    color = Image.open(Path(SCHEMA_DIR).parent / "color.png")
    outline = Image.open(Path(SCHEMA_DIR).parent / "outline.png")
    assert color.size == (192, 192) and outline.size == (32, 32)
    assert len(color.convert("RGB").getcolors(maxcolors=100_000)) > 50  # a drawing, not a flat placeholder
    alpha = outline.getchannel("A").histogram()
    assert alpha[0] > 400 and alpha[255] > 40


def test_invalid_package_is_refused_and_nothing_written(tmp_path: Path, make_settings, capsys):
    out = tmp_path / "pkg.zip"
    assert build_package(make_settings(APP_VERSION="1.0", DEVELOPER_URL="http://ikke-https.no"), out) == 1
    err = capsys.readouterr().err
    assert "invalid" in err and "version" in err and "websiteUrl must be an https URL" in err
    assert not out.exists()


def test_cli_package_command(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for var in ("MICROSOFT_APP_ID", "MANIFEST_APP_ID", "PUBLIC_BASE_URL", "APP_VERSION", "DEVELOPER_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/x.db")
    assert main(["package", "--out", str(tmp_path / "out" / "app.zip")]) == 0
    assert (tmp_path / "out" / "app.zip").is_file()
    assert "placeholder URL" in capsys.readouterr().err


@requires_node("@microsoft/app-manifest", "fs-extra")
def test_vendored_schemas_are_microsofts():
    npm_dir = NODE_MODULES / "@microsoft" / "app-manifest" / "build" / "json-schemas" / "teams" / "v1.30"
    for name in ("MicrosoftTeams.schema.json", "MicrosoftTeams.Localization.schema.json"):
        assert (SCHEMA_DIR / name).read_bytes() == (npm_dir / name).read_bytes(), name


@requires_node("@microsoft/app-manifest", "fs-extra")
def test_manifest_passes_microsofts_validator(tmp_path: Path, prod_settings, make_settings):
    dirs = []
    for name, settings in (("prod", prod_settings), ("dev", make_settings())):
        (tmp_path / name).mkdir()
        for file, data in render(settings).items():
            (tmp_path / name / file).write_bytes(data)
        dirs.append(tmp_path / name)
    # ... and a broken one, so that a clean result means something.
    (tmp_path / "broken").mkdir()
    for file, data in render(prod_settings).items():
        (tmp_path / "broken" / file).write_bytes(data)
    broken = json.loads((tmp_path / "broken" / "manifest.json").read_text())
    broken["bots"][0]["scopes"] = ["kanal"]
    (tmp_path / "broken" / "manifest.json").write_text(json.dumps(broken))
    prod, dev, bad = run_node("validate_manifest.js", *map(str, [*dirs, tmp_path / "broken"]), timeout=60)
    for result in (prod, dev):
        assert result["schema"].endswith("v1.30")
        assert result["errors"] == []
    assert any("/bots/0/scopes/0" in e for e in bad["errors"])
