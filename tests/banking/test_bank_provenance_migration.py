"""Migration 0021 classifies the bank accounts already stored: what a mandate or a person's
confirmation established, and what a creditor merely typed in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, insert, select

from mahnwerk.store.db import make_engine
from mahnwerk.store.migrate import upgrade

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _insert(engine: Engine, meta: MetaData, table: str, **values: Any) -> int:
    with engine.begin() as c:
        return int(c.execute(insert(meta.tables[table]).values(**values)).inserted_primary_key[0])


def test_existing_accounts_are_classified(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0015")
    meta = MetaData()
    meta.reflect(engine)
    creditor = _insert(engine, meta, "creditor", name="G", status="active", settings={},
                       created_at=NOW)  # fmt: skip
    person = _insert(engine, meta, "person", identity_key="k1", created_at=NOW)
    debtor = _insert(
        engine, meta, "debtor", creditor_id=creditor, person_id=person, kind="natural",
        consumer=True, identity_key="k1", created_at=NOW,
    )  # fmt: skip
    case = _insert(
        engine, meta, "case_file", creditor_id=creditor, debtor_id=debtor, external_ref="K-1",
        reference="MW-00000001-95", stage="new", status="open", day_count="act/365",
        allocation="bgb367", created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    accounts = {
        name: _insert(
            engine, meta, "bank_account", debtor_id=debtor, iban=iban, source=source, created_at=NOW
        )
        for name, iban, source in (
            ("portal", "DE02120300000000202051", "portal"),
            ("mandate", "DE89 3704 0044 0532 0130 00", "creditor"),
            ("confirmed", "DE12500105170648489890", "creditor"),
            ("auto", "DE75512108001245126199", "creditor"),
            ("typed", "DE27100777770209299700", "creditor"),
        )
    }
    _insert(
        engine, meta, "sepa_mandate", case_id=case, debtor_id=debtor, mandate_id="M-1",
        signed_on=date(2026, 2, 1), holder="J. M.", iban="DE89370400440532013000", bic="",
        sequence_state="FRST", status="active", pre_notice_days=14, created_at=NOW,
    )  # fmt: skip
    statement = _insert(
        engine, meta, "bank_statement", account_iban="DE02", statement_id="S", source_format="x",
        filename="", file_sha256="0" * 64, entries=2, imported_by="t", imported_at=NOW,
    )  # fmt: skip
    for key, iban, decided_by in (
        ("e1", "DE12500105170648489890", "user:7"),
        ("e2", "DE75512108001245126199", "auto"),
    ):
        entry = _insert(
            engine, meta, "bank_entry", statement_id=statement, account_iban="DE02",
            entry_key=key, amount=100, sign="CRDT", booking_date=date(2026, 2, 2),
            counterparty_name="", counterparty_iban=iban, ultimate_party_name="", remittance="",
            structured_reference="", end_to_end_id="", mandate_id="", bank_reference="",
            is_return=False, return_reason="", charges=0, status="booked",
            candidates=[], note="", created_at=NOW,
        )  # fmt: skip
        _insert(
            engine, meta, "bank_match", entry_id=entry, case_id=case, kind="payment",
            amount=100, confidence=1.0, reasons=[], decided_by=decided_by,
            decided_at=NOW,
        )  # fmt: skip

    upgrade(engine)

    meta = MetaData()
    meta.reflect(engine)
    table = meta.tables["bank_account"]
    with engine.connect() as c:
        got = {row.id: row.provenance for row in c.execute(select(table))}
    assert {name: got[i] for name, i in accounts.items()} == {
        "portal": "mandate",
        "mandate": "mandate",
        "confirmed": "payment",
        "auto": "creditor",  # booked by the old matcher: it may itself have been a capture
        "typed": "creditor",
    }
    engine.dispose()
