"""The explicit lists of modules that contribute texts and tables (read by the catalogue, Alembic and personvern).

Like Django's INSTALLED_APPS: lower layers (bot.messages, bot.storage, bot.privacy) find feature modules here by
name instead of importing the features (which would turn the layers upside down) or scanning packages at run time.
Adding a feature adds its modules here; tests/test_architecture.py fails when a texts or store module is missing.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# Message catalogue parts: each has NB and EN dicts.
TEXTS = (
    "bot.messages.core", "bot.messages.help", "bot.messages.input", "bot.messages.when", "bot.messages.config",
    "bot.messages.doctor", "bot.messages.audit", "bot.polls.texts", "bot.needs.texts", "bot.gates.texts",
    "bot.broadcasts.texts", "bot.documents.texts", "bot.projects.texts", "bot.privacy.texts", "bot.tab.texts",
)
# Modules with SQLAlchemy tables (Base.metadata), PERSONAL_DATA declarations and PRIVACY providers.
STORES = (
    "bot.storage.models", "bot.storage.audit", "bot.storage.downloads", "bot.storage.keys", "bot.delivery.outbox",
    "bot.storage.people", "bot.storage.conversations", "bot.storage.projects", "bot.polls.store", "bot.needs.store",
    "bot.needs.privacy", "bot.gates.store", "bot.broadcasts.store", "bot.broadcasts.privacy", "bot.calendar.store",
    "bot.privacy.core",
)


def load(names: tuple[str, ...]) -> list[ModuleType]:
    """The modules, imported in the listed order."""
    return [importlib.import_module(n) for n in names]
