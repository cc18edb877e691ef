"""Feature handlers. Every module here exposes `register(router)`; help order comes from each command's `order`."""

from __future__ import annotations

import importlib
import pkgutil

from bot.teams.router import Router


def feature_modules() -> list[str]:
    """Names of the handler modules, core first."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__))
    return ["core", *[n for n in names if n != "core"]]


def build_router() -> Router:
    """A router with every feature registered."""
    router = Router()
    for name in feature_modules():
        importlib.import_module(f"{__name__}.{name}").register(router)
    return router
