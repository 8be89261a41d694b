"""security of the web side: server-side sessions, failed sign-ins, webhook secrets encrypted

Revision ID: 0020
Revises: 0019

- ``web_session`` and ``auth_failure`` (``mahnwerk.store.security``);
- ``webhook.secret`` widened and every secret stored in the clear sealed with the
  application's key (``mahnwerk.store.sealed``). The key comes from the settings through
  :func:`mahnwerk.store.migrate.upgrade`; without it, webhooks stored in the clear stop the
  upgrade with a clear message instead of being left readable.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from mahnwerk.store.sealed import is_sealed, seal

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # before any DDL: SQLite does not roll a CREATE TABLE back with the failed upgrade
    key = _key_if_needed()
    op.create_table(
        "web_session",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", ID, nullable=True),
        sa.Column("case_id", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_web_session_user_id", "web_session", ["user_id"])
    op.create_index("ix_web_session_case_id", "web_session", ["case_id"])
    op.create_table(
        "auth_failure",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_auth_failure_key_at", "auth_failure", ["key_hash", "at"])
    op.create_index("ix_auth_failure_at", "auth_failure", ["at"])

    with op.batch_alter_table("webhook") as batch:
        batch.alter_column(
            "secret",
            existing_type=sa.String(length=100),
            type_=sa.String(length=300),
            existing_nullable=False,
        )
    if key:
        _seal_webhook_secrets(key)


_WEBHOOK = sa.table("webhook", sa.column("id", ID), sa.column("secret", sa.String(300)))


def _clear_secrets() -> list[tuple[int, str]]:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_WEBHOOK.c.id, _WEBHOOK.c.secret)).all()
    return [(i, s) for i, s in rows if not is_sealed(s)]


def _key_if_needed() -> str | None:
    """The application's key if secrets stored in the clear must be sealed, else ``None``."""
    if not _clear_secrets():
        return None
    key = context.config.attributes.get("secret_key")
    if not key:
        raise RuntimeError(
            "Webhook-Geheimnisse werden jetzt verschlüsselt gespeichert: die Migration braucht "
            "den Schlüssel der Anwendung (mahnwerk db upgrade mit MAHNWERK_SECRET_KEY bzw. "
            "var/secret_key)"
        )
    return str(key)


def _seal_webhook_secrets(key: str) -> None:
    connection = op.get_bind()
    webhook = _WEBHOOK
    for webhook_id, secret in _clear_secrets():
        connection.execute(
            webhook.update().where(webhook.c.id == webhook_id).values(secret=seal(key, secret))
        )


def downgrade() -> None:
    raise NotImplementedError("sealed webhook secrets cannot be stored in the clear again")
