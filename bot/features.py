"""The explicit list of features: each puts its commands, card verbs and start-up hooks in the route table.

Order matters only for start-up hooks (people first: registration before anything proactive); help order comes
from each command's `order`. Texts and tables are listed in bot.modules.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.broadcasts import handlers as broadcasts
from bot.chat.routes import Router
from bot.documents import handlers as documents
from bot.gates import handlers as gates
from bot.needs import handlers as needs
from bot.people import handlers as people
from bot.polls import handlers as polls
from bot.privacy import handlers as privacy
from bot.projects import handlers as projects

FEATURES: tuple[tuple[str, Callable[[Router], None]], ...] = (
    ("people", people.register), ("broadcasts", broadcasts.register), ("documents", documents.register),
    ("gates", gates.register), ("needs", needs.register), ("polls", polls.register), ("privacy", privacy.register),
    ("projects", projects.register),
)


def build_router() -> Router:
    """A router with every feature registered."""
    router = Router()
    for _name, register in FEATURES:
        register(router)
    return router
