"""Imports every module with tables (bot.modules.STORES) so that Base.metadata knows them all (Alembic, tests)."""

from bot import modules
from bot.storage.models import Base

modules.load(modules.STORES)

__all__ = ["Base"]
