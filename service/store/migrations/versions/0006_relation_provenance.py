"""relation.created_by, note, created_at, round_id: who stored an exclusion or
a lock (a "never again" decline, a lock for later rounds, or a direct POST),
why and when. Relations stored earlier keep them empty (not known).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("relation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("round_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("relation", schema=None) as batch_op:
        batch_op.drop_column("round_id")
        batch_op.drop_column("created_at")
        batch_op.drop_column("note")
        batch_op.drop_column("created_by")
