"""Bank statements and the review queue through the API, with a staff user's API key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from api_support import assert_problem, case_body
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mahnwerk.banking.generator import to_camt053
from mahnwerk.banking.statement import BankEntry, Sign
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction
from mahnwerk.store.models import ApiKey, Payment, User

DAY = date(2026, 3, 2)


def credit(amount: str, remittance: str, name: str, ref: str) -> BankEntry:
    return BankEntry(
        amount=D(amount),
        sign=Sign.CREDIT,
        booking_date=DAY,
        value_date=DAY,
        counterparty_name=name,
        remittance=remittance,
        bank_reference=ref,
        bank_transaction_code="PMNT/RCDT/ESCT",
    )


def camt(*entries: BankEntry, statement_id: str = "STMT-1") -> bytes:
    return to_camt053(list(entries), statement_id=statement_id)


def upload(client, headers, data: bytes, name: str = "auszug.xml"):
    return client.post(
        "/api/v1/bank/statements",
        files={"file": (name, data, "application/xml")},
        headers=headers,
    )


@pytest.fixture
def staff(sessions) -> dict[str, str]:
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, "kasse@inkasso.example", "sehr-geheim-123", "agent")
        key = accounts.create_staff_api_key(
            s, CLI, "kasse@inkasso.example", "Abruf", scopes=("bank",)
        ).key
    return {"Authorization": f"Bearer {key}"}


def new_case(client, tenant, ref: str, amount: str, last_name: str) -> dict:
    body = case_body(ref)
    body["claims"][0]["amount"] = amount
    body["claims"][0]["interest"] = {"kind": "none"}  # the open balance stays the amount
    body["debtor"]["last_name"] = last_name
    body["debtor"].pop("iban")
    response = client.post("/api/v1/cases", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_staff_key_imports_a_statement_once(client, tenants, staff, sessions):
    case = new_case(client, tenants.a, "K-1", "120.00", "Müller")
    data = camt(credit("120.00", f"Az. {case['reference']}", "Jürgen Müller", "B1"))

    first = upload(client, staff, data)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["entries"], body["booked"], body["duplicates"]) == (1, 1, 0)
    assert body["amount_booked"] == "120.00"

    again = upload(client, staff, data)
    assert (again.json()["booked"], again.json()["duplicates"]) == (0, 1)
    with sessions() as s:
        payments = s.scalars(select(Payment).where(Payment.case_id == case["id"])).all()
        assert [(p.amount, p.source) for p in payments] == [(D("120.00"), "bank")]


def test_unreadable_statement_is_a_422_naming_where_and_books_nothing(
    client, tenants, staff, sessions
):
    case = new_case(client, tenants.a, "K-1", "120.00", "Müller")
    good = camt(credit("120.00", case["reference"], "Jürgen Müller", "B1")).decode()
    broken = good.replace("<Amt Ccy=", "<Amt Currency=", 1).encode()
    problem = assert_problem(upload(client, staff, broken, "kaputt.xml"), 422)
    assert "kaputt.xml" in problem["detail"] and "nichts wurde gebucht" in problem["detail"]
    assert problem["line"] is not None
    with sessions() as s:
        assert s.scalars(select(Payment)).all() == []


def test_review_queue_confirm_and_correct(client, tenants, staff, sessions):
    a = new_case(client, tenants.a, "K-1", "80.00", "Ostmann")
    b = new_case(client, tenants.a, "K-2", "80.00", "Ostmann")
    # the amount fits both cases of the debtor and the text names neither: a person decides
    data = camt(
        credit("80.00", "Zahlung", "Jürgen Ostmann", "R1"),
        credit("30.00", "Teilbetrag", "Unbekannt GmbH", "R2"),
    )
    summary = upload(client, staff, data).json()
    assert summary["booked"] == 0 and summary["review"] + summary["unapplied"] == 2

    queue = client.get("/api/v1/bank/reviews", params={"include_unapplied": "true"}, headers=staff)
    assert queue.status_code == 200
    items = {i["amount"]: i for i in queue.json()["items"]}
    assert set(items) == {"80.00", "30.00"}
    proposed = items["80.00"]["candidates"]
    assert {c["allocations"][0]["case_id"] for c in proposed} >= {a["id"], b["id"]}
    assert all(c["reasons"] for c in proposed)

    chosen = proposed[0]["allocations"][0]["case_id"]
    done = client.post(
        f"/api/v1/bank/reviews/{items['80.00']['id']}/confirm",
        json={"candidate": 1},
        headers=staff,
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "booked"

    wrong_sum = client.post(
        f"/api/v1/bank/reviews/{items['30.00']['id']}/correct",
        json={"allocations": [{"case_id": b["id"], "amount": "20.00"}]},
        headers=staff,
    )
    assert "30.00" in assert_problem(wrong_sum, 422)["detail"]
    fixed = client.post(
        f"/api/v1/bank/reviews/{items['30.00']['id']}/correct",
        json={"allocations": [{"case_id": b["id"], "amount": "30.00"}]},
        headers=staff,
    )
    assert fixed.status_code == 200, fixed.text
    with sessions() as s:
        paid = {
            (p.case_id, p.amount)
            for p in s.scalars(select(Payment).where(Payment.source == "bank"))
        }
    assert paid == {(chosen, D("80.00")), (b["id"], D("30.00"))}

    again = client.post(
        f"/api/v1/bank/reviews/{items['30.00']['id']}/not-ours", json={}, headers=staff
    )
    assert "schon erledigt" in assert_problem(again, 422)["detail"]
    missing = client.post("/api/v1/bank/reviews/999999/not-ours", json={}, headers=staff)
    assert_problem(missing, 404)


def test_creditor_keys_may_not_use_the_bank_routes(client, tenants, staff):
    case = new_case(client, tenants.a, "K-1", "120.00", "Müller")
    data = camt(credit("120.00", case["reference"], "Jürgen Müller", "B1"))
    problem = assert_problem(upload(client, tenants.a.headers, data), 403)
    assert "mahnwerk apikey create --user" in problem["detail"]
    assert_problem(client.get("/api/v1/bank/reviews", headers=tenants.a.headers), 403)


def test_a_staff_key_dies_with_its_user(client, staff, sessions):
    assert client.get("/api/v1/bank/reviews", headers=staff).status_code == 200
    with transaction(sessions) as s:
        s.scalar(select(User).where(User.email == "kasse@inkasso.example")).active = False
    assert_problem(client.get("/api/v1/bank/reviews", headers=staff), 401)


def test_staff_keys_only_for_active_staff(sessions):
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord")
        accounts.add_user(
            s, CLI, "chef@stadtwerke.example", "sehr-geheim-123", "creditor", creditor.id
        )
        with pytest.raises(accounts.AccountError, match="kein aktiver Mitarbeiter"):
            accounts.create_staff_api_key(s, CLI, "chef@stadtwerke.example", scopes=("bank",))
        with pytest.raises(accounts.AccountError, match="gibt es nicht"):
            accounts.create_staff_api_key(s, CLI, "niemand@example.org", scopes=("bank",))
        # a key has exactly one owner: the database refuses a key of nobody
        s.add(ApiKey(prefix="x", key_hash="0" * 64, name="", created_at=accounts.utcnow()))
        with pytest.raises(IntegrityError):
            s.flush()


def test_the_loser_of_two_concurrent_uploads_gets_409(
    client, tenants, staff, sessions, engine, db_url
):
    if db_url.startswith("sqlite"):
        # SQLite has one writer: the request's own writes (the key's last use) wait for the
        # half-done upload held open here; tests/banking/test_bank_import_concurrent.py
        # covers the import itself on SQLite
        pytest.skip("needs concurrent writers (PostgreSQL)")
    import hashlib
    import threading

    from sqlalchemy import event

    from mahnwerk.services.actor import utcnow
    from mahnwerk.services.banking.statements import parse_statement_file
    from mahnwerk.store.banking_store import BankStatement

    case = new_case(client, tenants.a, "K-1", "120.00", "Müller")
    data = camt(credit("120.00", f"Az. {case['reference']}", "Jürgen Müller", "B1"))
    [st] = parse_statement_file(data)
    winner = sessions()  # the other upload, half-way: its statement stored, not committed
    winner.begin()
    winner.add(
        BankStatement(
            account_iban=st.account_iban, statement_id=st.statement_id,
            source_format=st.source_format, filename="auszug.xml",
            file_sha256=hashlib.sha256(data).hexdigest(), entries=1,
            imported_by="Gewinner", imported_at=utcnow(),
        )
    )  # fmt: skip
    winner.flush()
    about_to_insert = threading.Event()

    def spy(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO BANK_STATEMENT "):
            about_to_insert.set()

    box: dict = {}
    event.listen(engine, "before_cursor_execute", spy)
    try:
        thread = threading.Thread(target=lambda: box.update(r=upload(client, staff, data)))
        thread.start()
        assert about_to_insert.wait(30)
    finally:
        winner.commit()
        winner.close()
        event.remove(engine, "before_cursor_execute", spy)
    thread.join(60)
    problem = assert_problem(box["r"], 409)
    assert "gleichzeitig schon importiert" in problem["detail"]
    with sessions() as s:
        assert s.scalars(select(Payment).where(Payment.case_id == case["id"])).all() == []
