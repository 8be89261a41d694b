"""who vouches for a debtor's stored bank account (issue 20: tenant-safe payment matching)

Revision ID: 0021
Revises: 0015

``bank_account.provenance`` says who established the account: ``creditor`` (typed in by a
creditor through an import or the API, never used to match payments), ``debtor``,
``portal``, ``mandate`` or ``payment``; ``evidence`` what established it and
``established_at`` when. Existing rows are classified from what the store already knows:

- accounts given with a mandate in the portal (``source = 'portal'``) or holding the IBAN
  of a SEPA mandate of the same debtor: ``mandate``;
- accounts from which a payment was booked to the debtor's case by a person in the review
  queue: ``payment``;
- everything else stays ``creditor``. Payments booked automatically before this revision
  do not count: the old matcher trusted creditor-typed accounts, so such a booking could
  itself be the capture issue 20 describes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NORMALISED = "REPLACE(UPPER(bank_account.iban), ' ', '')"


def upgrade() -> None:
    with op.batch_alter_table("bank_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("provenance", sa.String(length=10), server_default="creditor", nullable=False)
        )
        batch_op.add_column(
            sa.Column("evidence", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("established_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            "ck_bank_account_provenance",
            "provenance IN ('creditor', 'debtor', 'portal', 'mandate', 'payment')",
        )
    op.execute(
        f"""UPDATE bank_account SET provenance = 'mandate', evidence = 'Mandat',
                established_at = created_at
            WHERE source = 'portal' OR EXISTS (
                SELECT 1 FROM sepa_mandate m
                WHERE m.debtor_id = bank_account.debtor_id
                  AND REPLACE(UPPER(m.iban), ' ', '') = {_NORMALISED})"""
    )
    op.execute(
        f"""UPDATE bank_account SET provenance = 'payment',
                evidence = 'Zahlung, in der Klärung bestätigt', established_at = created_at
            WHERE provenance = 'creditor' AND EXISTS (
                SELECT 1 FROM bank_match bm
                JOIN bank_entry be ON be.id = bm.entry_id
                JOIN case_file c ON c.id = bm.case_id
                WHERE c.debtor_id = bank_account.debtor_id
                  AND bm.kind = 'payment' AND bm.decided_by <> 'auto'
                  AND be.counterparty_iban = {_NORMALISED})"""
    )


def downgrade() -> None:
    with op.batch_alter_table("bank_account", schema=None) as batch_op:
        batch_op.drop_constraint("ck_bank_account_provenance", type_="check")
        batch_op.drop_column("established_at")
        batch_op.drop_column("evidence")
        batch_op.drop_column("provenance")
