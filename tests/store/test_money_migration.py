"""Migration 0024 turns the ``reversed`` flags stored so far into reversing rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, MetaData, insert, inspect, select

from mahnwerk.store.db import make_engine
from mahnwerk.store.migrate import upgrade
from mahnwerk.store.models import Payment, PaymentReversal

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _insert(engine: Engine, meta: MetaData, table: str, **values: Any) -> int:
    with engine.begin() as c:
        return int(c.execute(insert(meta.tables[table]).values(**values)).inserted_primary_key[0])


def test_reversed_payments_get_their_reversing_row_and_the_flag_goes(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0014")
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
    ids = {}
    for name, reversed_ in (("kept", False), ("returned", True)):
        ids[name] = _insert(
            engine, meta, "payment", case_id=case, date=date(2026, 2, 2), amount=5000,
            source="bank", reference=name, external_id=name, reversed=reversed_, created_at=NOW,
        )  # fmt: skip
        _insert(
            engine, meta, "ledger_posting", case_id=case, value_date=date(2026, 2, 2),
            kind="payment", amount=-5000, reason="Zahlung", source="bank:cli",
            payment_id=ids[name], posted_at=NOW,
        )  # fmt: skip
    _insert(
        engine, meta, "ledger_posting", case_id=case, value_date=date(2026, 2, 9),
        kind="reversal", amount=5000, reason="Rücklastschrift AC04", source="bank:user:3",
        payment_id=ids["returned"], posted_at=NOW,
    )  # fmt: skip

    upgrade(engine)

    assert "reversed" not in {c["name"] for c in inspect(engine).get_columns("payment")}
    with engine.connect() as c:
        rows = c.execute(select(PaymentReversal.__table__)).all()
        assert [(r.payment_id, r.date, r.reason, r.author) for r in rows] == [
            (ids["returned"], date(2026, 2, 9), "Rücklastschrift AC04", "bank:user:3")
        ]
        flags = dict(c.execute(select(Payment.id, Payment.reversed)).all())
        assert flags == {ids["kept"]: False, ids["returned"]: True}
    engine.dispose()
