"""where a role came from: people.role_source, role_granted_by, role_granted_at

Leaders granted in chat are known from the audit log (`role.change` entries); every other leader came from BOT_LEADERS,
so the next start revokes them when they are no longer listed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("role_source", sa.String(length=20), nullable=False, server_default=""))
        batch.add_column(sa.Column("role_granted_by", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("role_granted_at", sa.DateTime(timezone=True), nullable=True))
    conn = op.get_bind()
    people = sa.table("people", sa.column("id", sa.String), sa.column("role", sa.String),
                      sa.column("role_source", sa.String), sa.column("role_granted_by", sa.String),
                      sa.column("role_granted_at", sa.DateTime(timezone=True)))
    audit = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)),
                     sa.column("actor_id", sa.String), sa.column("action", sa.String), sa.column("target", sa.String),
                     sa.column("details", sa.JSON))
    leaders = [r.id for r in conn.execute(sa.select(people.c.id).where(people.c.role == "leader"))]
    for person_id in leaders:
        last = conn.execute(
            sa.select(audit.c.at, audit.c.actor_id, audit.c.details)
            .where(audit.c.action == "role.change", audit.c.target == person_id).order_by(audit.c.id.desc()).limit(1)
        ).first()
        granted = last is not None and isinstance(last.details, dict) and last.details.get("role") == "leader"
        values = ({"role_source": "chat", "role_granted_by": last.actor_id, "role_granted_at": last.at} if granted
                  else {"role_source": "config"})
        conn.execute(sa.update(people).where(people.c.id == person_id).values(**values))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("role_granted_at")
        batch.drop_column("role_granted_by")
        batch.drop_column("role_source")
