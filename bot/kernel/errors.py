"""Domain errors; the chat layer turns them into Norwegian (or English) messages in one place (bot.chat.errors)."""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors the user should see as a clear message. `key` names a catalogue message."""

    key = "error.generic"

    def __init__(self, key: str | None = None, **params: object) -> None:
        """An error with catalogue `key` (the class's default when None) and the text's parameters."""
        super().__init__(key or self.key)
        if key:
            self.key = key
        self.params = params


class NotAllowed(DomainError):
    """The actor lacks the role for this action."""

    key = "error.not_allowed"


class NotFound(DomainError):
    """The thing asked for does not exist (or not in this chat)."""

    key = "error.not_found"


class Conflict(DomainError):
    """The thing is in a state that forbids this action (closed poll, sent broadcast)."""

    key = "error.conflict"


class InvalidInput(DomainError):
    """A form with field errors: `fields` maps input id to a catalogue key (or (key, params))."""

    key = "error.invalid_input"

    def __init__(self, fields: dict[str, str | tuple[str, dict[str, object]]], **params: object) -> None:
        """An error carrying the per-field errors of a form."""
        super().__init__(None, **params)
        self.fields = fields
