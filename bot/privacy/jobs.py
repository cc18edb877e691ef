"""The daily retention job."""

from __future__ import annotations

from bot.privacy.service import run_retention
from bot.scheduling import runtime


async def retention() -> None:
    """Delete or anonymise what is past its retention period."""
    await run_retention(runtime.services())
