"""search: folding functions and indexes for finding cases by name, reference, number

Revision ID: 0023
Revises: 0012

PostgreSQL gets ``mw_fold`` / ``mw_key`` / ``mw_name`` (the SQL twins of
:func:`mahnwerk.store.search.search_fold` / ``search_key`` / ``search_name``; a test checks
that they agree),
the ``pg_trgm`` extension (trusted: the database owner may create it) and indexes over the
folded fields: trigram (GIN) indexes for the debtor's name and the contact points, B-tree
indexes for the references, invoice numbers and IBANs. SQLite registers the same functions
on every connection (``store.db``) and needs no index: it scans.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the same letters as mahnwerk.store.search.ACCENTED / PLAIN, upper case added for servers
# whose lower() folds ASCII only (locale "C")
ACCENTED = "áàâãåāăąéèêëēėęěíìîïīįóòôõøōőúùûůūűųçćčñńňšśşžźżýÿłđ"
PLAIN = "aaaaaaaaeeeeeeeeiiiiiiooooooouuuuuuucccnnnssszzzyyld"

FOLD = f"""
CREATE OR REPLACE FUNCTION mw_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
  SELECT btrim(regexp_replace(translate(
    replace(replace(replace(replace(replace(replace(replace(lower(value),
      'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ß', 'ss'), 'Ä', 'ae'), 'Ö', 'oe'), 'Ü', 'ue'),
    '{ACCENTED}{ACCENTED.upper()}', '{PLAIN}{PLAIN}'),
    '[^a-z0-9]+', ' ', 'g'))
$$
"""
NAME_FOLD = f"""
CREATE OR REPLACE FUNCTION mw_name(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
  SELECT btrim(mw_fold(value) || ' ' || btrim(regexp_replace(translate(
    replace(replace(replace(replace(replace(replace(replace(lower(value),
      'ä', 'a'), 'ö', 'o'), 'ü', 'u'), 'ß', 'ss'), 'Ä', 'a'), 'Ö', 'o'), 'Ü', 'u'),
    '{ACCENTED}{ACCENTED.upper()}', '{PLAIN}{PLAIN}'),
    '[^a-z0-9]+', ' ', 'g')))
$$
"""
KEY = """
CREATE OR REPLACE FUNCTION mw_key(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
  SELECT replace(mw_fold(value), ' ', '')
$$
"""
NAME = (
    "mw_name(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' '"
    " || coalesce(company, ''))"
)
INDEXES = (
    ("ix_search_debtor_name", "debtor", f"USING gin (({NAME}) gin_trgm_ops)"),
    ("ix_search_contact_value", "contact_point", "USING gin ((mw_key(value)) gin_trgm_ops)"),
    ("ix_search_case_reference", "case_file", "((mw_key(reference)))"),
    ("ix_search_case_external_ref", "case_file", "((mw_key(external_ref)))"),
    ("ix_search_claim_invoice", "claim", "((mw_key(invoice_no)))"),
    ("ix_search_bank_iban", "bank_account", "((mw_key(iban)))"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(FOLD)
    op.execute(KEY)
    op.execute(NAME_FOLD)
    for name, table, how in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} {how}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _how in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("DROP FUNCTION IF EXISTS mw_name(text)")
    op.execute("DROP FUNCTION IF EXISTS mw_key(text)")
    op.execute("DROP FUNCTION IF EXISTS mw_fold(text)")
