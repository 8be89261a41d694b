"""the court dunning procedure: procedures, EDA files, court replies and messages, titles

Revision ID: 0014
Revises: 0012

Titles (with the claims they cover and the enforcement acts against them), the court
procedure of a case from the prepared Mahnbescheid application to the title, the EDA files
written for the Mahngericht and the court's reply files with each message in them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mahnwerk.store.types

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "court_reply",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("framing", sa.String(length=10), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "eda_file",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("edaid", sa.String(length=6), nullable=False),
        sa.Column("satzart", sa.String(length=2), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.Column("receipt_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "court_procedure",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_since", sa.Date(), nullable=False),
        sa.Column("tgz", sa.String(length=35), nullable=False),
        sa.Column("gnr", sa.String(length=11), nullable=True),
        sa.Column("court_id", sa.String(length=10), nullable=False),
        sa.Column("application", sa.JSON(), nullable=False),
        sa.Column("application_digest", sa.String(length=64), nullable=False),
        sa.Column("vb_application", sa.JSON(), nullable=True),
        sa.Column("vb_digest", sa.String(length=64), nullable=True),
        sa.Column("prepared_by", sa.String(length=100), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vb_prepared_by", sa.String(length=100), nullable=True),
        sa.Column("vb_approved_by", sa.String(length=100), nullable=True),
        sa.Column("returned_reason", sa.String(length=500), nullable=True),
        sa.Column(
            "approval_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "vb_approval_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "mb_file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "vb_file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("not_served_on", sa.Date(), nullable=True),
        sa.Column("objection_on", sa.Date(), nullable=True),
        sa.Column("vb_prepared_on", sa.Date(), nullable=True),
        sa.Column("vb_filed_on", sa.Date(), nullable=True),
        sa.Column("vb_issued_on", sa.Date(), nullable=True),
        sa.Column("vb_served_on", sa.Date(), nullable=True),
        sa.Column("vb_not_served_on", sa.Date(), nullable=True),
        sa.Column("handed_over_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["approval.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.ForeignKeyConstraint(
            ["mb_file_id"],
            ["eda_file.id"],
        ),
        sa.ForeignKeyConstraint(
            ["vb_approval_id"],
            ["approval.id"],
        ),
        sa.ForeignKeyConstraint(
            ["vb_file_id"],
            ["eda_file.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("court_procedure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_court_procedure_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_court_procedure_gnr"), ["gnr"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_court_procedure_mb_file_id"), ["mb_file_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_court_procedure_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_court_procedure_tgz"), ["tgz"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_court_procedure_vb_file_id"), ["vb_file_id"], unique=False
        )

    op.create_table(
        "court_message",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("reply_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("satzart", sa.String(length=2), nullable=False),
        sa.Column("reference", sa.String(length=35), nullable=False),
        sa.Column("gnr", sa.String(length=11), nullable=False),
        sa.Column(
            "procedure_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=500), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["court_procedure.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reply_id"],
            ["court_reply.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    with op.batch_alter_table("court_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_court_message_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_court_message_procedure_id"), ["procedure_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_court_message_reply_id"), ["reply_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_court_message_status"), ["status"], unique=False)

    op.create_table(
        "title",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "procedure_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("court", sa.String(length=200), nullable=False),
        sa.Column("file_number", sa.String(length=60), nullable=False),
        sa.Column("issued", sa.Date(), nullable=False),
        sa.Column("final", sa.Date(), nullable=True),
        sa.Column("principal", mahnwerk.store.types.Cents(), nullable=False),
        sa.Column("interest_from", sa.Date(), nullable=True),
        sa.Column("interest", sa.String(length=30), nullable=False),
        sa.Column("interest_amount", mahnwerk.store.types.Cents(), nullable=False),
        sa.Column("costs", mahnwerk.store.types.Cents(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["court_procedure.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("title", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_title_case_id"), ["case_id"], unique=False)

    op.create_table(
        "title_claim",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("title_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("claim_ref", sa.String(length=100), nullable=False),
        sa.Column("principal", mahnwerk.store.types.Cents(), nullable=False),
        sa.Column("interest_from", sa.Date(), nullable=True),
        sa.Column("interest", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
        ),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["title.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("title_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_title_claim_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_title_claim_title_id"), ["title_id"], unique=False)

    op.create_table(
        "title_enforcement_act",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("title_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("acted_on", sa.Date(), nullable=False),
        sa.Column("what", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["title.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("title_enforcement_act", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_title_enforcement_act_title_id"), ["title_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("title_enforcement_act", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_title_enforcement_act_title_id"))

    op.drop_table("title_enforcement_act")
    with op.batch_alter_table("title_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_title_claim_title_id"))
        batch_op.drop_index(batch_op.f("ix_title_claim_claim_id"))

    op.drop_table("title_claim")
    with op.batch_alter_table("title", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_title_case_id"))

    op.drop_table("title")
    with op.batch_alter_table("court_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_court_message_status"))
        batch_op.drop_index(batch_op.f("ix_court_message_reply_id"))
        batch_op.drop_index(batch_op.f("ix_court_message_procedure_id"))
        batch_op.drop_index(batch_op.f("ix_court_message_case_id"))

    op.drop_table("court_message")
    with op.batch_alter_table("court_procedure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_court_procedure_vb_file_id"))
        batch_op.drop_index(batch_op.f("ix_court_procedure_tgz"))
        batch_op.drop_index(batch_op.f("ix_court_procedure_state"))
        batch_op.drop_index(batch_op.f("ix_court_procedure_mb_file_id"))
        batch_op.drop_index(batch_op.f("ix_court_procedure_gnr"))
        batch_op.drop_index(batch_op.f("ix_court_procedure_case_id"))

    op.drop_table("court_procedure")
    op.drop_table("eda_file")
    op.drop_table("court_reply")
