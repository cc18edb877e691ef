"""Helpers the needs forms share: typed card values back as strings, and the project a form starts with."""

from __future__ import annotations

from typing import Any

from bot.chat.turn import Ctx
from bot.kernel.cardinput import hint_id
from bot.storage.projects import ProjectInfo


def card_values(data: dict[str, Any]) -> dict[str, str]:
    """Card data as strings, to show the form again with what was typed."""
    out: dict[str, str] = {}
    for k, v in data.items():
        if k in ("verb", "kind", "entry_id"):
            continue
        if isinstance(v, list):
            out[k] = ",".join(str(i) for i in v)
        elif isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif v is not None:
            out[k] = str(v)[:8000]
    return out


async def default_project(ctx: Ctx, projects: list[ProjectInfo], wanted: object = None) -> ProjectInfo | None:
    """The project asked for, else the newest project of this chat's faggruppe, else the newest project."""
    by_id = {p.id: p for p in projects}
    if (pid := hint_id(wanted)) in by_id:
        return by_id[pid]  # type: ignore[index]
    fg = ctx.conversation.faggruppe
    return next((p for p in projects if fg and fg in p.faggrupper), projects[0] if projects else None)
