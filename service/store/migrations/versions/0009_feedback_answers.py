"""feedback: who answered (``member_id``, the side of the relation), the
themes actually learned, whether the relation continued after the round, and
when the answer last changed. One answer per author, proposal and member, so
an officer can record both sides of a pair, or every member of a circle.

Feedback given before this revision keeps working: its ``member_id`` is the
member of the API key that gave it, when that key was a member key, else
null (an answer whose side is unknown); ``themes_learned`` is empty and
``continued`` unknown.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("themes_learned", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("continued", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    feedback = sa.table(
        "feedback",
        sa.column("author", sa.String()),
        sa.column("member_id", sa.String()),
        sa.column("themes_learned", sa.JSON()),
    )
    apikey = sa.table("apikey", sa.column("name", sa.String()), sa.column("member_id", sa.String()))
    op.execute(
        feedback.update().values(
            member_id=sa.select(apikey.c.member_id)
            .where(apikey.c.name == feedback.c.author)
            .scalar_subquery(),
            themes_learned=[],
        )
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.alter_column("themes_learned", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_constraint("uq_feedback_proposal_author", type_="unique")
        batch_op.create_unique_constraint(
            "uq_feedback_proposal_author_member", ["proposal_id", "author", "member_id"]
        )
        batch_op.create_index(batch_op.f("ix_feedback_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_member_id"))
        batch_op.drop_constraint("uq_feedback_proposal_author_member", type_="unique")
        batch_op.create_unique_constraint("uq_feedback_proposal_author", ["proposal_id", "author"])
        batch_op.drop_column("updated_at")
        batch_op.drop_column("continued")
        batch_op.drop_column("themes_learned")
        batch_op.drop_column("member_id")
