"""Errors to user texts, in one place: domain refusals, invalid input, bad card data, and the generic apology."""

from __future__ import annotations

import logging

from bot.chat import telemetry
from bot.chat.reply import Reply
from bot.chat.turn import Ctx
from bot.kernel.errors import DomainError, InvalidInput
from bot.messages import t

log = logging.getLogger(__name__)
# What a handler may raise on card data it did not expect (a stale or hand-made card): answered, not a crash.
BAD_DATA = (KeyError, TypeError, ValueError, AttributeError)


def error_replies(ctx: Ctx, error: Exception) -> list[Reply] | None:
    """The answer to an error a handler raised; None for errors that are bugs (the host's turn-error path answers)."""
    if isinstance(error, InvalidInput):
        return [Reply(text=ctx.t("error.invalid_input"))]
    if isinstance(error, DomainError):
        telemetry.set_outcome(f"refused:{error.key}")
        return [Reply(text=ctx.t(error.key, **error.params))]
    if isinstance(error, BAD_DATA):
        log.warning("bad card data for %s", ctx.verb or "command", exc_info=error)
        telemetry.set_outcome("bad_input")
        return [Reply(text=ctx.t("error.bad_card"))]
    return None


def generic_text(locale: str | None) -> str:
    """The apology for an unexpected failure."""
    return t("error.generic", locale)


def tenant_refused_text(locale: str | None) -> str:
    """The answer to someone from a tenant that is not allowed."""
    return t("error.tenant", locale)
