"""Decision documents: the feature lives in bot/documents/; this module puts its routes in the router."""

from __future__ import annotations

from bot.documents.handlers import register

__all__ = ["register"]
