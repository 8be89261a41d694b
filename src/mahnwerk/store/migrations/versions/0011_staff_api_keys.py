"""API keys of staff users (bank statement import and review through the API)

Revision ID: 0011
Revises: 0010

An API key now belongs either to a creditor or to a staff user, never to both.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # batch mode: SQLite cannot drop NOT NULL in place, so the table is copied
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", ID, nullable=True))
        batch_op.alter_column("creditor_id", existing_type=ID, nullable=True)
        batch_op.create_index(batch_op.f("ix_api_key_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key("fk_api_key_user_id", "app_user", ["user_id"], ["id"])
        batch_op.create_check_constraint(
            "ck_api_key_one_owner", "(creditor_id IS NULL) <> (user_id IS NULL)"
        )


def downgrade() -> None:
    op.execute("DELETE FROM api_key WHERE creditor_id IS NULL")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_constraint("ck_api_key_one_owner", type_="check")
        batch_op.drop_constraint("fk_api_key_user_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_api_key_user_id"))
        batch_op.alter_column("creditor_id", existing_type=ID, nullable=False)
        batch_op.drop_column("user_id")
