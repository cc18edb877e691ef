"""Card fixtures: every module here exposes `fixtures() -> dict[str, dict]` (name -> card) with realistic data."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def all_fixtures() -> dict[str, dict[str, Any]]:
    """Every card fixture, keyed 'module.name'."""
    out: dict[str, dict[str, Any]] = {}
    for mod in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        for name, card in module.fixtures().items():
            out[f"{mod.name}.{name}"] = card
    return out
