"""needs and benefits register, entry history, input campaigns

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "need_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("faggruppe", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("submitter_id", sa.String(length=200), nullable=False),
        sa.Column("submitter_name", sa.String(length=300), nullable=False),
        sa.Column("municipalities", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_need_entries_project_id", "need_entries", ["project_id"])
    op.create_index("ix_need_entries_faggruppe", "need_entries", ["faggruppe"])
    op.create_index("ix_need_entries_submitter_id", "need_entries", ["submitter_id"])
    op.create_table(
        "need_entry_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["need_entries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_need_entry_history_entry_id", "need_entry_history", ["entry_id"])
    op.create_table(
        "input_campaigns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("faggrupper", sa.JSON(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leader_id", sa.String(length=200), nullable=False),
        sa.Column("origin_conversation_id", sa.String(length=400), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_input_campaigns_project_id", "input_campaigns", ["project_id"])
    op.create_index("ix_input_campaigns_deadline", "input_campaigns", ["deadline"])


def downgrade() -> None:
    op.drop_table("input_campaigns")
    op.drop_table("need_entry_history")
    op.drop_table("need_entries")
