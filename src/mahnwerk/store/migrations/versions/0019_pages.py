"""pages for running an agency: the team-lead role, task assignment, registration hand-over
and rejection, the reason a model version was activated

Revision ID: 0019
Revises: 0017

Existing data: until now the ``compliance`` role doubled as team lead. A compliance user who
has decided an approval, or whose address is ``teamlead@…`` (the demo's team lead), did the
team lead's work and becomes ``teamlead``; the others stay ``compliance`` (models, audit
trail). Registrations made so far had their confirmation e-mailed (``mail_status`` ``sent``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    role = sa.table("role", sa.column("name", sa.String), sa.column("description", sa.String))
    op.bulk_insert(
        role,
        [{"name": "teamlead", "description": "Teamleitung: Freigaben, Arbeitsverteilung"}],
    )
    op.execute(
        role.update()
        .where(role.c.name == "compliance")
        .values(description="Compliance: Prüfpfad, Modelle, Fairness")
    )
    op.execute(
        """UPDATE app_user SET role = 'teamlead'
           WHERE role = 'compliance' AND (
             lower(email) LIKE 'teamlead@%'
             OR EXISTS (SELECT 1 FROM approval
                        WHERE approval.decided_by = 'user:' || CAST(app_user.id AS VARCHAR(20))))"""
    )
    if op.get_bind().dialect.name == "sqlite":
        # a column with its reference in place: no copy of the table (which other tables
        # reference, and SQLite would refuse to drop under their foreign keys)
        op.execute("ALTER TABLE task ADD COLUMN assigned_to INTEGER REFERENCES app_user (id)")
    else:
        op.add_column("task", sa.Column("assigned_to", ID, nullable=True))
        op.create_foreign_key(
            "fk_task_assigned_to_app_user", "task", "app_user", ["assigned_to"], ["id"]
        )
    op.create_index("ix_task_assigned_to", "task", ["assigned_to"], unique=False)
    # added in place (no table copies); registrations so far were e-mailed
    op.add_column(
        "creditor_registration",
        sa.Column("mail_status", sa.String(length=20), nullable=False, server_default="sent"),
    )
    op.add_column(
        "creditor_registration",
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "creditor_registration", sa.Column("rejected_by", sa.String(length=100), nullable=True)
    )
    op.add_column(
        "creditor_registration",
        sa.Column("rejection_reason", sa.String(length=1000), nullable=True),
    )
    op.add_column(
        "model_version", sa.Column("activation_reason", sa.String(length=2000), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("model_version", "activation_reason")
    for column in ("rejection_reason", "rejected_by", "rejected_at", "mail_status"):
        op.drop_column("creditor_registration", column)
    op.drop_index("ix_task_assigned_to", table_name="task")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_task_assigned_to_app_user", "task", type_="foreignkey")
    op.drop_column("task", "assigned_to")
    op.execute("UPDATE app_user SET role = 'compliance' WHERE role = 'teamlead'")
    op.execute("DELETE FROM role WHERE name = 'teamlead'")
    role = sa.table("role", sa.column("name", sa.String), sa.column("description", sa.String))
    op.execute(
        role.update()
        .where(role.c.name == "compliance")
        .values(description="Compliance: Prüfpfad, Modelle, Freigaben")
    )
