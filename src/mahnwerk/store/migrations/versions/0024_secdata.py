"""money that cannot be edited, retention and erasure

Revision ID: 0024
Revises: 0018

Payments and costs become append-only like the ledger's postings:

- ``payment_reversal`` and ``cost_reversal`` hold the reversing rows (day, reason, author) of
  a payment or cost taken back; ``payment.reversed`` (a flag that was UPDATEd) is replaced by
  them: every payment flagged so far gets its reversing row from its reversal posting (day,
  reason, source), then the column is dropped.
- Triggers refuse UPDATE and DELETE on ``payment``, ``cost``, ``payment_reversal``,
  ``cost_reversal`` and (as before) ``ledger_posting``, on PostgreSQL firing ALWAYS (see
  0012). One change stays allowed: the personal text of such a row (a payment's remittance
  reference, a posting's or reversal's reason, a cost's label) may be overwritten with the
  fixed word ``anonymisiert`` when its retention period has ended, every other column
  unchanged — amounts, dates and links never change.

Retention and erasure: ``privacy_block`` (a debtor whose cases have all ended: processing
restricted, Art. 18 GDPR / § 35 Abs. 3 BDSG) and ``privacy_erasure`` (what was erased or
anonymised, when, why and by whom).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
ANONYMISED = "anonymisiert"

#: append-only tables and the personal text column each may have anonymised
MONEY_TABLES: dict[str, str] = {
    "payment": "reference",
    "cost": "label",
    "payment_reversal": "reason",
    "cost_reversal": "reason",
    "ledger_posting": "reason",
}


def upgrade() -> None:
    _reversal_tables()
    _move_reversed_flags()
    # SQLite drops the column in place (a batch copy of the table would fail: other tables'
    # foreign keys point at its rows)
    op.execute("ALTER TABLE payment DROP COLUMN reversed")
    _privacy_tables()
    for table, text_column in MONEY_TABLES.items():
        append_only(table, text_column)


def downgrade() -> None:
    for table in MONEY_TABLES:
        drop_append_only(table)
    _strict_append_only("ledger_posting")
    op.drop_table("privacy_erasure")
    op.drop_table("privacy_block")
    op.add_column(
        "payment", sa.Column("reversed", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.execute(
        "UPDATE payment SET reversed = TRUE WHERE id IN (SELECT payment_id FROM payment_reversal)"
    )
    op.drop_table("cost_reversal")
    op.drop_table("payment_reversal")


def _reversal_tables() -> None:
    for table, target in (("payment_reversal", "payment"), ("cost_reversal", "cost")):
        op.create_table(
            table,
            sa.Column("id", ID, autoincrement=True, nullable=False),
            sa.Column(f"{target}_id", ID, nullable=False),
            sa.Column("case_id", ID, nullable=False),
            sa.Column("date", sa.Date(), nullable=False),
            sa.Column("reason", sa.String(length=200), nullable=False),
            sa.Column("author", sa.String(length=100), nullable=False),
            sa.Column("created_at", TS, nullable=False),
            sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
            sa.ForeignKeyConstraint([f"{target}_id"], [f"{target}.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint(f"{target}_id"),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_case_id"), ["case_id"], unique=False)


def _move_reversed_flags() -> None:
    """Each payment flagged ``reversed`` gets its reversing row, from its reversal posting."""
    op.execute(
        "INSERT INTO payment_reversal (payment_id, case_id, date, reason, author, created_at)"
        " SELECT p.id, p.case_id,"
        "  COALESCE((SELECT max(lp.value_date) FROM ledger_posting lp"
        "            WHERE lp.payment_id = p.id AND lp.kind = 'reversal'), p.date),"
        "  COALESCE((SELECT max(lp.reason) FROM ledger_posting lp"
        "            WHERE lp.payment_id = p.id AND lp.kind = 'reversal'), 'Storno'),"
        "  COALESCE((SELECT max(lp.source) FROM ledger_posting lp"
        "            WHERE lp.payment_id = p.id AND lp.kind = 'reversal'), 'migration'),"
        "  COALESCE((SELECT max(lp.posted_at) FROM ledger_posting lp"
        "            WHERE lp.payment_id = p.id AND lp.kind = 'reversal'), p.created_at)"
        " FROM payment p WHERE p.reversed"
    )


def _privacy_tables() -> None:
    op.create_table(
        "privacy_block",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("blocked_at", TS, nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["debtor_id"], ["debtor.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("debtor_id"),
    )
    op.create_table(
        "privacy_erasure",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("trigger", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.ForeignKeyConstraint(["debtor_id"], ["debtor.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("debtor_id", "kind"),
    )


# ------------------------------------------------------------------------------ triggers


def _columns(table: str) -> list[str]:
    return [c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)]


def append_only(table: str, text_column: str) -> None:
    """Refuse UPDATE and DELETE on ``table``, except overwriting ``text_column`` with
    :data:`ANONYMISED` while every other column stays as it is."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN
              IF TG_OP = 'UPDATE'
                 AND to_jsonb(NEW) - '{text_column}' = to_jsonb(OLD) - '{text_column}'
                 AND NEW.{text_column} IN (OLD.{text_column}, '{ANONYMISED}') THEN
                RETURN NEW;
              END IF;
              RAISE EXCEPTION '{table} is append-only';
            END; $$ LANGUAGE plpgsql"""
        )
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
        op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_change")
        return
    same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _columns(table) if c != text_column)
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.execute(
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"WHEN NOT ({same} AND (NEW.{text_column} IS OLD.{text_column}"
        f" OR NEW.{text_column} = '{ANONYMISED}')) "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    )


def _strict_append_only(table: str) -> None:
    """The triggers of 0001/0012: no UPDATE, no DELETE at all."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql"""
        )
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
        op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_change")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
