"""delivery by workers: claims on outbox messages, worker heartbeats, periodic job slots

Revision ID: 0013
Revises: 0023

The outbox gets the batch a message was queued in (its delivery job and print bundle), when
it was queued, and the worker holding it with the end of its lease. ``worker_beat`` holds
one heartbeat per worker process, ``periodic_run`` one row per periodic job and slot.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("queued_at", TS, nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("lease_until", TS, nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_batch"), ["batch"], unique=False)
    op.create_table(
        "worker_beat",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("engine", sa.String(length=20), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("seen_at", TS, nullable=False),
        sa.Column("stopped_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("worker_beat", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_beat_seen_at"), ["seen_at"], unique=False)
    op.create_table(
        "periodic_run",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("slot", sa.String(length=40), nullable=False),
        sa.Column("worker", sa.String(length=120), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "slot"),
    )


def downgrade() -> None:
    op.drop_table("periodic_run")
    with op.batch_alter_table("worker_beat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_beat_seen_at"))
    op.drop_table("worker_beat")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_batch"))
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("queued_at")
        batch_op.drop_column("batch")
