"""the portal assistant: conversations and messages

Revision ID: 0017
Revises: 0024
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "assistant_conversation",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=15), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handover_task_id", ID, nullable=True),
        sa.Column("pending_offer", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["debtor_id"], ["debtor.id"]),
        sa.ForeignKeyConstraint(["handover_task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assistant_conversation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assistant_conversation_case_id"), ["case_id"])
        batch_op.create_index(batch_op.f("ix_assistant_conversation_debtor_id"), ["debtor_id"])
    op.create_table(
        "assistant_message",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("conversation_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender", sa.String(length=10), nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("intent", sa.String(length=30), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=True),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("handover", sa.Boolean(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["assistant_conversation.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["debtor_id"], ["debtor.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assistant_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assistant_message_conversation_id"), ["conversation_id"]
        )
        batch_op.create_index(batch_op.f("ix_assistant_message_case_id"), ["case_id"])
        batch_op.create_index(batch_op.f("ix_assistant_message_debtor_id"), ["debtor_id"])


def downgrade() -> None:
    with op.batch_alter_table("assistant_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistant_message_debtor_id"))
        batch_op.drop_index(batch_op.f("ix_assistant_message_case_id"))
        batch_op.drop_index(batch_op.f("ix_assistant_message_conversation_id"))
    op.drop_table("assistant_message")
    with op.batch_alter_table("assistant_conversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistant_conversation_debtor_id"))
        batch_op.drop_index(batch_op.f("ix_assistant_conversation_case_id"))
    op.drop_table("assistant_conversation")
