"""Stored data that the network contract now refuses: history entries of a
member with itself, and NUL characters in free text (SQLite only:
PostgreSQL never stored them). Without this, validating the stored network
fails, so every write and the recommendations would be refused.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM relation WHERE kind = 'history' AND a = b"))
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # In Python: SQLite's text functions stop at a NUL.
    rows = bind.execute(sa.text("SELECT id, name, description, contact_name FROM member"))
    for member_id, *texts in rows.all():
        if not any(text and "\x00" in text for text in texts):
            continue
        name, description, contact = (t.replace("\x00", "") if t else t for t in texts)
        bind.execute(
            sa.text(
                "UPDATE member SET name = :name, description = :description, "
                "contact_name = :contact WHERE id = :id"
            ),
            # A name must not become empty: the id stands in for one made of NULs.
            {
                "name": name or member_id,
                "description": description,
                "contact": contact or None,
                "id": member_id,
            },
        )


def downgrade() -> None:
    """The removed entries were invalid; nothing to restore."""
