"""The generated part of the record of processing (docs/personvern.md), made from the personal data inventory.

`python -m bot.privacy.record` rewrites it; a test fails when the document and the code drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings, load_settings
from bot.storage.inventory import KIND_TEXT, PERSONAL_KINDS, SUBJECTS, TableData, inventory

DOC = Path(__file__).resolve().parents[2] / "docs" / "personvern.md"
BEGIN = "<!-- BEGIN generert fra inventaret (python -m bot.privacy.record) -->"
END = "<!-- END generert -->"


def _setting_env(attr: str) -> str:
    """The environment variable of a settings attribute."""
    return attr.upper()


def retention_text(data: TableData, defaults: Settings) -> str:
    """The retention rule of a table in words, with the default period and the setting that changes it."""
    r = data.retention
    value = getattr(defaults, r.setting) if r.setting else r.fixed
    text = r.text.format(value=value)
    return f"{text} (`{_setting_env(r.setting)}`)" if r.setting else text


def _columns(data: TableData) -> str:
    """The personal columns of a table, by kind, as markdown text."""
    parts = []
    for kind in PERSONAL_KINDS:
        cols = data.columns(kind)
        if cols:
            parts.append(f"{KIND_TEXT[kind]}: " + ", ".join(f"`{c}`" for c in cols))
    return "; ".join(parts)


def section(defaults: Settings | None = None) -> str:
    """The generated Markdown between the markers."""
    defaults = defaults or load_settings({})
    declared = inventory()
    personal = {name: data for name, data in declared.items() if data.personal}
    lines = [BEGIN, "", "### Kategorier av registrerte", ""]
    used = sorted({s for data in personal.values() for s in data.subjects}, key=list(SUBJECTS).index)
    lines += [f"- {SUBJECTS[s]}" for s in used]
    lines += ["", "### Personopplysninger, lagringstid og sletting per tabell", "",
              "| Tabell | Innhold | Personopplysninger (kolonner) | Lagringstid | Når en person slettes |",
              "|---|---|---|---|---|"]
    for name, data in personal.items():
        lines.append(f"| `{name}` | {data.about} | {_columns(data)} | {retention_text(data, defaults)} | {data.erasure} |")
    rest = [name for name, data in declared.items() if not data.personal]
    lines += ["", "Tabeller uten personopplysninger: " + ", ".join(f"`{n}`" for n in rest) + ".", "",
              f"Kolonner i alt: {sum(len(d.kinds()) for d in declared.values())}, av dem "
              f"{sum(len(d.kinds()) - len(d.columns('none')) for d in declared.values())} som kan inneholde "
              "personopplysninger.", "", END]
    return "\n".join(lines)


def current(doc: str) -> str:
    """The generated part as it stands in the document."""
    start, end = doc.index(BEGIN), doc.index(END) + len(END)
    return doc[start:end]


def rewrite(path: Path = DOC) -> bool:
    """Put the generated part into the document; True when it changed."""
    doc = path.read_text(encoding="utf-8")
    fresh = doc.replace(current(doc), section())
    if fresh == doc:
        return False
    path.write_text(fresh, encoding="utf-8")
    return True


if __name__ == "__main__":
    changed = rewrite()
    print(f"{DOC}: {'updated' if changed else 'already up to date'}")
    sys.exit(0)
