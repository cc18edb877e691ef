"""Copy the chosen card and Playground screenshots into docs/screenshots/ (README) and docs/img/ (the user guide,
docs/brukerveiledning.md) after the browser tests made them: make screenshots."""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
GUIDE = ROOT / "docs" / "img"
WIDTH = 600
# (source under build/, name in docs/screenshots/): the README shows the realistic cards of tests/card_fixtures/guide.py
# (the stress fixtures stay in the tests). Missing sources are reported, not fatal.
CHOSEN = [
    ("playground/help/group-hjelp.png", "playground-group-chat.png"),
    ("playground/poll/poll-launcher.png", "playground-poll-launcher.png"),
    ("playground/input/need-saved.png", "playground-need-saved.png"),
    ("cards/core.welcome_personal.png", "welcome.png"),
    ("cards/polls.form_empty.png", "poll-form.png"),
    ("cards/guide.poll.png", "poll.png"),
    ("cards/guide.benefit_form.png", "benefit-form-errors.png"),
    ("cards/guide.summary.png", "needs-summary.png"),
    ("cards/guide.timeline.png", "phases.png"),
    ("cards/guide.broadcast_report.png", "broadcast-report.png"),
]
# Every realistic card of the user guide: build/cards/guide.<name>.png -> docs/img/<name>.png
GUIDE_CARDS = ["help_member", "help_leader", "poll_launcher", "poll", "need_form", "benefit_form", "summary", "register",
               "projects", "timeline", "deadline_form", "broadcast_form", "broadcast_report", "export", "my_data", "erase"]


def main() -> int:
    """Scale each chosen screenshot to 600 px wide and save it optimised."""
    OUT.mkdir(parents=True, exist_ok=True)
    GUIDE.mkdir(parents=True, exist_ok=True)
    wanted = [(src, OUT / name) for src, name in CHOSEN]
    wanted += [(f"cards/guide.{name}.png", GUIDE / f"{name.replace('_', '-')}.png") for name in GUIDE_CARDS]
    missing = []
    for src, target in wanted:
        path = ROOT / "build" / src
        if not path.is_file():
            missing.append(src)
            continue
        img = Image.open(path).convert("RGB")
        width = 960 if target.name.startswith("playground") else WIDTH
        if img.width > width:
            img = img.resize((width, round(img.height * width / img.width)), Image.Resampling.LANCZOS)
        img.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(target, optimize=True)
        print(target.relative_to(ROOT))
    if missing:
        print(f"missing (run the browser tests first): {', '.join(missing)}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
