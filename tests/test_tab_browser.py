"""The leaders' tab in headless Chromium, light and dark: the register (load, filter, edit with an error and a fix), the
portfolio (a deadline with an error and a fix), broadcasts (compose, live preview, schedule, read the report) and
polls (response rate, who has not answered, close); axe-core finds no serious or critical violation.
The bot runs in development mode (no app id, loopback), as `make run` does."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.needs.service import needs_repo
from tests.dates import iso
from tests.harness import TeamsClient, User
from tests.jstools import requires_browser, run_node_async
from tests.needs_support import BENEFIT_OK, NEED_OK, create_project, faggruppe_chat, submit

pytestmark = [pytest.mark.browser, requires_browser("axe-core")]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


async def test_pages_in_light_and_dark(teams: TeamsClient, bot, leader: User, members: list[User], tmp_path: Path,
                                      clock):
    await create_project(teams, leader, "Søknadsportal", ["Oppvekst"])
    conv = await faggruppe_chat(teams, leader, members, "Oppvekst")
    await submit(teams, conv, members[0], "need", NEED_OK)
    await submit(teams, conv, members[1], "benefit", BENEFIT_OK)
    for title in ("Arbeidsmøte lys", "Arbeidsmøte mørk"):  # one poll for each run to close
        form = await teams.open_form(conv, members[0], "avstemning")
        inputs = {"title": title, "duration": "60", "mode": "online", "slot_date_0": iso(clock, 3), "slot_time_0": "10:00",
                  "slot_date_1": iso(clock, 4), "slot_time_1": "10:00"}
        assert (await teams.press(conv, members[0], form, verb="poll.create", inputs=inputs)).status == 200
    env = {"TAB_PAST_DATE": iso(clock, -3), "TAB_FUTURE_DATE": iso(clock, 40)}
    result = await run_node_async("tab_e2e.js", bot.url, str(tmp_path), timeout=180, env=env)
    contrast = result["themes"].pop("contrast")
    assert contrast == {"violations": [], "theme": "contrast"}
    for theme, page in result["themes"].items():
        assert "Utviklingsmodus" in page["banner"], theme
        assert page["rowsBefore"] == 2, theme
        assert page["filteredTitle"] == BENEFIT_OK["title"], theme
        assert page["fieldError"], theme  # the card form's message for a bad number
        assert page["focusOnOpen"] == "f-title" and page["focusOnError"] == "f-estimate_nok", theme  # keyboard users
        assert page["saved"].startswith("Lagret"), theme
        assert page["violations"] == {"loaded": [], "error": []}, (theme, page["violations"])
        portfolio = page["portfolio"]
        assert portfolio["projects"] == ["Søknadsportal"], theme
        assert portfolio["fieldError"] and portfolio["saved"].startswith("Fristen for BP2"), theme
        assert portfolio["gateState"].startswith("Planlagt"), theme
        assert portfolio["violations"] == {"loaded": [], "error": []}, (theme, portfolio["violations"])
        sent = page["broadcasts"]
        assert "Husk å levere behovene innen fredag." in sent["previewText"], theme  # Markdown rendered as in Teams
        assert sent["sent"].startswith("Planlagt") or "planlagt" in sent["sent"], (theme, sent["sent"])
        assert sent["reportState"].startswith("Planlagt til"), theme
        assert any(r.startswith("Oppvekst") for r in sent["reportRows"]), (theme, sent["reportRows"])
        assert sent["violations"] == {"preview": [], "report": []}, (theme, sent["violations"])
        polls = page["polls"]
        assert polls["rates"] and all(r.endswith("har svart") for r in polls["rates"]), (theme, polls["rates"])
        assert polls["missing"] and polls["closed"].startswith("Avstemningen er lukket"), (theme, polls)
        assert polls["violations"] == {"loaded": []}, (theme, polls["violations"])
    assert not [line for line in result["log"] if line.startswith(("pageerror", "console", "requestfailed"))], result["log"]
    await bot.services.polls.settle()
    [benefit] = await needs_repo(bot.services).by_submitter(members[1].aad)
    assert benefit.content.estimate_nok == 420000  # the dark run saved last
    if os.environ.get("UPDATE_SCREENSHOTS"):
        for theme in ("default", "dark"):
            for name in ("register", "portfolio", "broadcasts", "broadcasts-report", "polls"):
                shutil.copyfile(tmp_path / f"tab-{name}-{theme}.png",
                                SCREENSHOTS / f"tab-{name}-{'light' if theme == 'default' else theme}.png")
        shutil.copyfile(tmp_path / "tab-register-contrast.png", SCREENSHOTS / "tab-register-contrast.png")
