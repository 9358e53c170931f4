"""Stored text that the network contract now refuses: control characters
(and, in descriptions, all but line feeds and tabs) and bidirectional
overrides in member names, descriptions, contacts and history labels.
Without this, validating the stored network would fail, so every write and
the recommendations would be refused. The characters are removed; a name left
empty takes the member's id. The pattern is written out here, not imported:
a migration must keep doing what it did when it was written.

Revision ID: 0004
Revises: 0003
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BIDI = "\u202a-\u202e\u2066-\u2069"
_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def _clean(text, pattern):
    if text is None:
        return None
    if pattern is _MULTI_LINE:
        text = text.replace("\r\n", "\n")
    return pattern.sub("", text)


def upgrade() -> None:
    bind = op.get_bind()
    members = bind.execute(
        sa.text("SELECT id, name, description, contact_name, contact_email FROM member")
    ).all()
    for member_id, *old in members:
        name, description, contact_name, contact_email = old
        new = [
            _clean(name, _SINGLE_LINE).strip() or member_id,
            _clean(description, _MULTI_LINE),
            _clean(contact_name, _SINGLE_LINE) or None,
            _clean(contact_email, _SINGLE_LINE) or None,
        ]
        if new == old:
            continue
        bind.execute(
            sa.text(
                "UPDATE member SET name = :name, description = :description, "
                "contact_name = :contact_name, contact_email = :contact_email WHERE id = :id"
            ),
            dict(
                zip(
                    ("name", "description", "contact_name", "contact_email", "id"),
                    (*new, member_id),
                    strict=True,
                )
            ),
        )
    relations = bind.execute(sa.text("SELECT id, kind, a, b, label FROM relation")).all()
    kept = {(kind, a, b, label) for _, kind, a, b, label in relations}
    for relation_id, kind, a, b, label in relations:
        new = _clean(label, _SINGLE_LINE)
        if new == label:
            continue
        if (kind, a, b, new) in kept:
            # The same entry under its clean label is already there.
            bind.execute(sa.text("DELETE FROM relation WHERE id = :id"), {"id": relation_id})
        else:
            kept.add((kind, a, b, new))
            bind.execute(
                sa.text("UPDATE relation SET label = :label WHERE id = :id"),
                {"label": new, "id": relation_id},
            )


def downgrade() -> None:
    """The removed characters were refused input; nothing to restore."""
