"""the append-only triggers fire in every session_replication_role

Revision ID: 0012
Revises: 0011

The portfolio import sets ``session_replication_role = replica`` for its own transaction
where the role may, to skip the per-row foreign-key triggers. In that mode PostgreSQL skips
ordinary user triggers too, so a session in it could change the audit trail and the
ledger. ``ENABLE ALWAYS`` keeps the triggers that refuse UPDATE and DELETE on those tables
firing in every mode; the import only inserts, so it is not slowed. SQLite has no such mode
and is left as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("audit_entry", "ledger_posting")


def _set(state: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in APPEND_ONLY:
        op.execute(f"ALTER TABLE {table} ENABLE {state}TRIGGER {table}_no_change")


def upgrade() -> None:
    _set("ALWAYS ")


def downgrade() -> None:
    _set("")
