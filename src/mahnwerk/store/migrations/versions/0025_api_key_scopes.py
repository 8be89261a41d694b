"""scopes of staff API keys (issue 20)

Revision ID: 0025
Revises: 0020

``api_key.scopes``: what a staff key may be used for (``read``, ``cases``, ``bank``,
``admin``; :data:`mahnwerk.services.actor.API_SCOPES`). Existing staff keys get every scope,
so that what they did yesterday still works (their user's role still limits them); new keys
name their scopes. Creditor keys keep "" (their tenant limits them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_key", sa.Column("scopes", sa.String(100), nullable=False, server_default=""))
    op.execute("UPDATE api_key SET scopes = 'read,cases,bank,admin' WHERE user_id IS NOT NULL")


def downgrade() -> None:
    op.drop_column("api_key", "scopes")
