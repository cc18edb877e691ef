"""Imports every model module so that Base.metadata knows all tables (used by Alembic and tests)."""

from bot.storage import models  # noqa: F401
from bot.storage.models import Base

__all__ = ["Base"]
