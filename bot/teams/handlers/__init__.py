"""Feature handlers. Each module exposes `register(router)`; FEATURES lists them in help order."""

from __future__ import annotations

import importlib

from bot.teams.router import Router

FEATURES: tuple[str, ...] = ("core",)


def build_router() -> Router:
    """A router with every feature registered."""
    router = Router()
    for name in FEATURES:
        importlib.import_module(f"{__name__}.{name}").register(router)
    return router
