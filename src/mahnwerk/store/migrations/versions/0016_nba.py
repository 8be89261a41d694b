"""next-best-action policy: versions and decisions

Revision ID: 0016
Revises: 0021
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "nba_policy_version",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parent", sa.String(length=40), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("n_decisions", sa.Integer(), nullable=False),
        sa.Column("data_from", sa.Date(), nullable=True),
        sa.Column("data_to", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("evaluation", sa.JSON(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evaluation_passed", sa.Boolean(), nullable=True),
        sa.Column("approved_by", sa.String(length=254), nullable=True),
        sa.Column("approval_note", sa.String(length=2000), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )
    with op.batch_alter_table("nba_policy_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nba_policy_version_status"), ["status"], unique=False)
    op.create_table(
        "nba_decision",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("arm", sa.String(length=10), nullable=False),
        sa.Column("policy_version", sa.String(length=40), nullable=True),
        sa.Column("strategy_name", sa.String(length=60), nullable=False),
        sa.Column("strategy_version", sa.Integer(), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("allowed", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("propensity", sa.Float(), nullable=False),
        sa.Column("probabilities", sa.JSON(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("outbox_id", ID, nullable=True),
        sa.Column("reached", sa.Boolean(), nullable=True),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("complaint", sa.Boolean(), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "run_date"),
    )
    with op.batch_alter_table("nba_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nba_decision_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_nba_decision_policy_version"), ["policy_version"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_nba_decision_run_date"), ["run_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_nba_decision_settled"), ["settled"], unique=False)

    op.create_table(
        "nba_assignment",
        sa.Column("case_id", ID, nullable=False),
        sa.Column("arm", sa.String(length=10), nullable=False),
        sa.Column("strategy_name", sa.String(length=60), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("nba_assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nba_assignment_arm"), ["arm"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nba_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nba_assignment_arm"))
    op.drop_table("nba_assignment")
    with op.batch_alter_table("nba_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nba_decision_settled"))
        batch_op.drop_index(batch_op.f("ix_nba_decision_run_date"))
        batch_op.drop_index(batch_op.f("ix_nba_decision_policy_version"))
        batch_op.drop_index(batch_op.f("ix_nba_decision_case_id"))
    op.drop_table("nba_decision")
    with op.batch_alter_table("nba_policy_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nba_policy_version_status"))
    op.drop_table("nba_policy_version")
