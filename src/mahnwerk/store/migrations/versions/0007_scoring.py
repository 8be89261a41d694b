"""scoring: model versions, case scores, audits, protected attributes, drift

Revision ID: 0007
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "model_version",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("version", sa.String(60), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("trained_at", TS, nullable=False),
        sa.Column("data_from", sa.Date(), nullable=True),
        sa.Column("data_to", sa.Date(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("n_cases", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("audit_passed", sa.Boolean(), nullable=True),
        sa.Column("override_reason", sa.String(2000), nullable=True),
        sa.Column("override_by", sa.String(254), nullable=True),
        sa.Column("activated_at", TS, nullable=True),
        sa.Column("activated_by", sa.String(254), nullable=True),
        sa.Column("retired_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )
    op.create_index("ix_model_version_status", "model_version", ["status"])
    op.create_table(
        "case_score",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("model_version", sa.String(60), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("scored_at", TS, nullable=False),
        sa.Column("p_pay_30d", sa.Float(), nullable=False),
        sa.Column("p_full_180d", sa.Float(), nullable=False),
        sa.Column("expected_amount", sa.BigInteger(), nullable=False),
        sa.Column("open_amount", sa.BigInteger(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("reason_1", sa.String(300), nullable=False),
        sa.Column("reason_2", sa.String(300), nullable=False),
        sa.Column("reason_3", sa.String(300), nullable=False),
        sa.Column("reason_codes", sa.JSON(), nullable=False),
        sa.Column("segment", sa.String(80), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["model_version"], ["model_version.version"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "run_date", "model_version"),
    )
    op.create_index("ix_case_score_case_id", "case_score", ["case_id"])
    op.create_index("ix_case_score_run_date", "case_score", ["run_date"])
    op.create_table(
        "model_audit",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("model_version", sa.String(60), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("html_path", sa.String(500), nullable=False),
        sa.Column("pdf_path", sa.String(500), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["model_version"], ["model_version.version"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_model_audit_model_version", "model_audit", ["model_version"])
    op.create_table(
        "protected_attribute",
        sa.Column("person_id", ID, nullable=False),
        sa.Column("sex", sa.String(10), nullable=True),
        sa.Column("age_band", sa.String(20), nullable=True),
        sa.Column("nationality", sa.String(20), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_table(
        "drift_report",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("model_version", sa.String(60), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("psi", sa.JSON(), nullable=False),
        sa.Column("alert", sa.Boolean(), nullable=False),
        sa.Column("alerts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["model_version"], ["model_version.version"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_drift_report_run_date", "drift_report", ["run_date"])


def downgrade() -> None:
    op.drop_table("drift_report")
    op.drop_table("protected_attribute")
    op.drop_table("model_audit")
    op.drop_table("case_score")
    op.drop_table("model_version")
