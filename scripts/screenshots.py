"""Copy the best card and Playground screenshots into docs/screenshots/ (after the browser tests made them): make screenshots."""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
WIDTH = 600
# (source under build/, name in docs/screenshots/); missing sources are reported, not fatal.
CHOSEN = [
    ("playground/help/group-hjelp.png", "playground-group-chat.png"),
    ("playground/poll/poll-closed.png", "playground-poll-closed.png"),
    ("playground/input/need-saved.png", "playground-need-saved.png"),
    ("cards/core.welcome_personal.png", "welcome.png"),
    ("cards/polls.form_empty.png", "poll-form.png"),
    ("cards/polls.poll_hidden.png", "poll.png"),
    ("cards/needs.need_form_errors.png", "need-form-errors.png"),
    ("cards/needs.summary_full.png", "needs-summary.png"),
    ("cards/gates.timeline_member_calendar_off.png", "phases.png"),
    ("cards/broadcasts.report_sending.png", "broadcast-report.png"),
]


def main() -> int:
    """Scale each chosen screenshot to 600 px wide and save it optimised."""
    OUT.mkdir(parents=True, exist_ok=True)
    missing = []
    for src, name in CHOSEN:
        path = ROOT / "build" / src
        if not path.is_file():
            missing.append(src)
            continue
        img = Image.open(path).convert("RGB")
        width = 960 if name.startswith("playground") else WIDTH
        if img.width > width:
            img = img.resize((width, round(img.height * width / img.width)), Image.Resampling.LANCZOS)
        img.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(OUT / name, optimize=True)
        print(f"docs/screenshots/{name}")
    if missing:
        print(f"missing (run the browser tests first): {', '.join(missing)}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
