"""Imports every module of bot.storage so that Base.metadata knows all tables (Alembic, tests)."""

import importlib
import pkgutil

import bot.storage as _pkg
from bot.storage.models import Base

for _mod in pkgutil.iter_modules(_pkg.__path__):
    if _mod.name not in ("all_models", "migrations"):
        importlib.import_module(f"bot.storage.{_mod.name}")

__all__ = ["Base"]
