"""member.updated_at: when the member's profile last changed (for
``GET /v1/members?updated_since=``). Members stored earlier get the time of
this migration: they may have changed at any time before it.

Revision ID: 0005
Revises: 0004
"""

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    member = sa.table("member", sa.column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime()))
    op.execute(member.update().values(updated_at=datetime.now(UTC)))
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.alter_column(
            "updated_at", existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False
        )
        batch_op.create_index(batch_op.f("ix_member_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_updated_at"))
        batch_op.drop_column("updated_at")
