"""payment plans from affordability: offers with stated finances, plan-completion models

Revision ID: 0022
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "plan_offer",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("net_income", sa.BigInteger(), nullable=True),
        sa.Column("dependants", sa.Integer(), nullable=True),
        sa.Column("rent", sa.BigInteger(), nullable=True),
        sa.Column("fixed_costs", sa.BigInteger(), nullable=True),
        sa.Column("capacity", sa.BigInteger(), nullable=True),
        sa.Column("total_open", sa.BigInteger(), nullable=False),
        sa.Column("max_months", sa.Integer(), nullable=False),
        sa.Column("min_instalment", sa.BigInteger(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("cost_notice", sa.String(length=1000), nullable=False),
        sa.Column("model_version", sa.String(length=60), nullable=True),
        sa.Column("chosen", sa.String(length=20), nullable=True),
        sa.Column("instalment", sa.BigInteger(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("within_limits", sa.Boolean(), nullable=True),
        sa.Column("p_complete", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("plan_id", ID, nullable=True),
        sa.Column("task_id", ID, nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("counter_instalment", sa.BigInteger(), nullable=True),
        sa.Column("counter_count", sa.Integer(), nullable=True),
        sa.Column("counter_start", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["payment_plan.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_offer_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_offer_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_offer_status"), ["status"], unique=False)
    op.create_table(
        "plan_model_version",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=60), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("n_plans", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("audit_passed", sa.Boolean(), nullable=True),
        sa.Column("audit_path", sa.String(length=500), nullable=True),
        sa.Column("override_reason", sa.String(length=2000), nullable=True),
        sa.Column("override_by", sa.String(length=254), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activated_by", sa.String(length=254), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )
    with op.batch_alter_table("plan_model_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_model_version_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_model_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_model_version_status"))
    op.drop_table("plan_model_version")
    with op.batch_alter_table("plan_offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_offer_status"))
        batch_op.drop_index(batch_op.f("ix_plan_offer_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_offer_case_id"))
    op.drop_table("plan_offer")
