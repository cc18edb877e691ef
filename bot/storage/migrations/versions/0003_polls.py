"""meeting polls

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=400), nullable=False),
        sa.Column("creator_id", sa.String(length=200), nullable=False),
        sa.Column("creator_name", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("locale", sa.String(length=20), nullable=False),
        sa.Column("activity_id", sa.String(length=400), nullable=False),
        sa.Column("chosen_slot_id", sa.Integer(), nullable=True),
        sa.Column("booking_state", sa.String(length=20), nullable=False),
        sa.Column("join_url", sa.String(length=2000), nullable=False),
        sa.Column("ics_url", sa.String(length=1000), nullable=False),
        sa.Column("message_gone", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_polls_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_polls_state"), ["state"], unique=False)

    op.create_table(
        "poll_slots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["polls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("poll_slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_slots_poll_id"), ["poll_id"], unique=False)

    op.create_table(
        "poll_votes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.String(length=200), nullable=False),
        sa.Column("voter_name", sa.String(length=300), nullable=False),
        sa.Column("voter_channel_id", sa.String(length=200), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["polls.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["slot_id"], ["poll_slots.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("poll_id", "slot_id", "voter_id", name="uq_poll_votes_poll_slot_voter"),
    )
    with op.batch_alter_table("poll_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_votes_poll_id"), ["poll_id"], unique=False)


def downgrade() -> None:
    op.drop_table("poll_votes")
    op.drop_table("poll_slots")
    op.drop_table("polls")
