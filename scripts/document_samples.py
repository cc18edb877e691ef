"""Write sample decision documents to docs/samples/ from the Helgeland register in tests/documents_seed.py.

Run: .venv/bin/python scripts/document_samples.py (dates are taken from today, like the bot's own drafts).
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.documents.model import gather  # noqa: E402
from bot.documents.plan import render  # noqa: E402
from bot.kernel.defaults import MUNICIPALITIES  # noqa: E402
from bot.messages import t  # noqa: E402
from tests import documents_seed as seed  # noqa: E402

OUT = ROOT / "docs" / "samples"
NAMES = {2: "behovs-og-gevinstoversikt-utkast.docx", 3: "gevinstrealiseringsplan-utkast.docx",
         5: "gevinstrealiseringsplan-bp5-utkast.docx"}


def main() -> int:
    """Render BP2, BP3 and BP5 for the sample project."""
    OUT.mkdir(parents=True, exist_ok=True)
    now = datetime.now(ZoneInfo("Europe/Oslo")).replace(second=0, microsecond=0)
    entries = seed.entries(date.today())
    for bp, name in NAMES.items():
        model = gather(entries, bp=bp, project=seed.PROJECT, cooperation=seed.COOPERATION, municipalities=MUNICIPALITIES,
                       involved=seed.INVOLVED, generated=now)
        (OUT / name).write_bytes(render(model, lambda k, **p: t(k, "nb-NO", **p)))
        print(f"wrote {(OUT / name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
