"""Foundation tables. Feature tables live in their own modules beside this one and share `Base`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, LargeBinary, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True  # no per-instance state: SQLAlchemy may cache statements that use it

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Store an aware datetime as UTC; a naive one is a bug and is refused."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Read a datetime back as aware UTC (SQLite returns it naive)."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of all tables."""

    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Conversation(Base):
    """A chat or channel the bot is in, with the stored ConversationReference."""

    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(400), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # personal / groupChat / channel
    tenant_id: Mapped[str] = mapped_column(String(64), default="")
    team_id: Mapped[str] = mapped_column(String(400), default="")
    service_url: Mapped[str] = mapped_column(String(400))
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    name: Mapped[str] = mapped_column(String(400), default="")
    faggruppe: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    person_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inactive_reason: Mapped[str] = mapped_column(String(200), default="")
    installed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Person(Base):
    """A person the bot has seen; id is the AAD object id, or the channel user id for guests."""

    __tablename__ = "people"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    channel_user_id: Mapped[str] = mapped_column(String(200), default="", index=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    upn: Mapped[str] = mapped_column(String(300), default="", index=True)
    tenant_id: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(20), default="member")
    # Where the role came from: "config" (BOT_LEADERS: revoked when no longer listed) or "chat" (granted by a leader,
    # kept until removed in chat); who granted or removed it in chat, and when.
    role_source: Mapped[str] = mapped_column(String(20), default="")
    role_granted_by: Mapped[str] = mapped_column(String(200), default="")
    role_granted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Base):
    """That a person has been seen in a conversation (members of a faggruppe)."""

    __tablename__ = "memberships"
    conversation_id: Mapped[str] = mapped_column(String(400), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Faggruppe(Base):
    """A faggruppe name: the configured ones plus those leaders added."""

    __tablename__ = "faggrupper"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Project(Base):
    """A Prosjektveiviseren project; shared by needs/benefits and phase gates."""

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[str] = mapped_column(String(200), default="")
    faggrupper: Mapped[list[Any]] = mapped_column(JSON, default=list)
    phase: Mapped[str] = mapped_column(String(40), default="ide")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """A leader action: who did what, when."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(80))
    target: Mapped[str] = mapped_column(String(400), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxItem(Base):
    """One proactive delivery (reminder, broadcast, notice) to one conversation, sent exactly once."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    group_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    conversation_id: Mapped[str] = mapped_column(String(400))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending/sending/sent/failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    last_error: Mapped[str] = mapped_column(String(400), default="")
    activity_id: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)

    __table_args__ = (Index("ix_outbox_state_not_before", "state", "not_before"),)


class Download(Base):
    """A short-lived file behind an unguessable link; only the token's hash is stored. A file with an owner is
    personal: `used_at` is set (and the content dropped) when its link is first used."""

    __tablename__ = "downloads"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    owner_id: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)
