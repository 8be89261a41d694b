"""legal review (issue 17): default grounds, claim kinds, designated payments, flat fees per
claim, acknowledgements in plans, operators' reference values

Revision ID: 0018
Revises: 0016

- ``claim.default_from`` may be empty (not in default, § 286 BGB); new: ``kind``
  (entgelt/other, § 288 Abs. 2 BGB), ``reminder_date``, ``notice_286_3``, ``default_ground``,
  ``contract_subject``, ``contract_date`` (§ 13a Abs. 1 Nr. 2 RDG).
- ``payment.claim_id``: the claim the debtor named (§ 366 Abs. 1 BGB).
- ``cost.claim_id``: the claim a cost belongs to (the § 288 Abs. 5 BGB flat fee).
- ``payment_plan.acknowledgement``: the plan contains an acknowledgement of the debt.
- ``reference_value``: base rates and garnishment amounts added by operators.

SQLite cannot drop a NOT NULL in place, and copying ``claim`` (as batch mode does) would break
the foreign keys that point to it; there the column is renamed, a nullable one added, the
values copied and the old column dropped (SQLite 3.35 or later). The server defaults of the
new NOT NULL columns fill the rows already there and stay (removing them would copy the table
on SQLite as well).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():
        op.execute("ALTER TABLE claim RENAME COLUMN default_from TO default_from_required")
        op.execute("ALTER TABLE claim ADD COLUMN default_from DATE")
        op.execute("UPDATE claim SET default_from = default_from_required")
        op.execute("ALTER TABLE claim DROP COLUMN default_from_required")
        for table in ("payment", "cost"):
            op.execute(f"ALTER TABLE {table} ADD COLUMN claim_id INTEGER REFERENCES claim (id)")
    else:
        op.alter_column("claim", "default_from", existing_type=sa.Date(), nullable=True)
        for table in ("payment", "cost"):
            op.add_column(table, sa.Column("claim_id", ID, nullable=True))
            op.create_foreign_key(f"fk_{table}_claim_id", table, "claim", ["claim_id"], ["id"])
    op.add_column(
        "claim", sa.Column("kind", sa.String(10), nullable=False, server_default="entgelt")
    )
    op.add_column("claim", sa.Column("reminder_date", sa.Date(), nullable=True))
    op.add_column(
        "claim",
        sa.Column("notice_286_3", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "claim", sa.Column("default_ground", sa.String(200), nullable=False, server_default="")
    )
    op.add_column(
        "claim", sa.Column("contract_subject", sa.String(200), nullable=False, server_default="")
    )
    op.add_column("claim", sa.Column("contract_date", sa.Date(), nullable=True))
    op.add_column(
        "payment_plan",
        sa.Column("acknowledgement", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "reference_value",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(40), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("dataset", "key"),
    )


def downgrade() -> None:
    op.drop_table("reference_value")
    op.drop_column("payment_plan", "acknowledgement")
    for column in (
        "contract_date",
        "contract_subject",
        "default_ground",
        "notice_286_3",
        "reminder_date",
        "kind",
    ):
        op.drop_column("claim", column)
    if _sqlite():
        for table in ("payment", "cost"):
            op.execute(f"ALTER TABLE {table} DROP COLUMN claim_id")
    else:
        for table in ("payment", "cost"):
            op.drop_constraint(f"fk_{table}_claim_id", table, type_="foreignkey")
            op.drop_column(table, "claim_id")
        op.execute("UPDATE claim SET default_from = COALESCE(default_from, due_date)")
        op.alter_column("claim", "default_from", existing_type=sa.Date(), nullable=False)
