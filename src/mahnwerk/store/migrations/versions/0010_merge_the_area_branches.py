"""merge the area branches

Revision ID: 0010
Revises: 0006, 0007, 0008, 0009
Create Date: 2026-11-23 16:13:38.367684
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0010"
down_revision: str | tuple[str, ...] | None = ("0006", "0007", "0008", "0009")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
