"""People and roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.kernel.errors import NotAllowed

SOURCE_CONFIG = "config"
SOURCE_CHAT = "chat"


class Role(StrEnum):
    """What a person may do: members take part, leaders run projects, the secretariat compiles."""

    MEMBER = "member"
    SECRETARIAT = "secretariat"
    LEADER = "leader"


@dataclass(frozen=True)
class Person:
    """A person as the bot knows them. `id` is the AAD object id, or the channel user id for guests."""

    id: str
    name: str = ""
    role: Role = Role.MEMBER
    upn: str = ""
    aad_object_id: str = ""
    channel_user_id: str = ""
    tenant_id: str = ""
    role_source: str = ""  # "config" (BOT_LEADERS) or "chat" (granted by a leader); "" for members

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Every id the configured leader list may name this person by."""
        return (self.id, self.aad_object_id, self.upn)

    @property
    def is_leader(self) -> bool:
        """True for project leaders."""
        return self.role == Role.LEADER

    @property
    def can_export(self) -> bool:
        """Leaders and the secretariat may export registers."""
        return self.role in (Role.LEADER, Role.SECRETARIAT)


def configured_leader(identifiers: Iterable[str], leaders: Iterable[str]) -> bool:
    """True when any of a person's identifiers (AAD id, UPN, email) is in the configured leader list."""
    wanted = {x.lower() for x in leaders}
    return any(i and i.lower() in wanted for i in identifiers)


def config_role_change(person: Person, configured: bool) -> tuple[Role, str] | None:
    """The (role, source) BOT_LEADERS asks for, or None when the person's role is already right.

    Configuration is the truth for roles that came from it; a role granted in chat stays until removed in chat."""
    if configured and not person.is_leader:
        return Role.LEADER, SOURCE_CONFIG
    if configured and person.is_leader and not person.role_source:
        return Role.LEADER, SOURCE_CONFIG
    if not configured and person.is_leader and person.role_source != SOURCE_CHAT:
        return Role.MEMBER, ""
    return None


def require_leader(person: Person) -> None:
    """Raise NotAllowed unless the person is a project leader."""
    if not person.is_leader:
        raise NotAllowed("error.leader_only")


def require_export(person: Person) -> None:
    """Raise NotAllowed unless the person is a leader or in the secretariat."""
    if not person.can_export:
        raise NotAllowed("error.export_only")
