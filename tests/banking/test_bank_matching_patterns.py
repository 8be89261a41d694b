"""Issue 22: what a clerk books without thinking is booked automatically, and the hard
negatives are not. Hand-written statements (CAMT.053 and MT940) imported into the store;
each test asserts where the money goes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

from sqlalchemy import select

from mahnwerk.banking.generator import to_mt940
from mahnwerk.domain.case_reference import check_digits
from mahnwerk.services.actor import CLI, utcnow
from mahnwerk.services.banking.accounts import establish_account
from mahnwerk.services.banking.statements import import_statement
from mahnwerk.services.workspace import workflow
from mahnwerk.store.banking_store import BankEntry, BankMatch
from mahnwerk.store.db import transaction
from mahnwerk.store.models import BankAccount, Case, Payment

from .conftest import DAY

OWN = "DE89370400440532013000"  # the debtor's own account
STRANGER = "DE12500105170648489890"  # an account the agency has never seen


def _payments(bank, case_id: int) -> list[D]:
    with bank.sessions() as s:
        return sorted(
            p.amount for p in s.scalars(select(Payment).where(Payment.case_id == case_id))
        )


def _last_entry(bank) -> BankEntry:
    with bank.sessions() as s:
        row = s.scalars(select(BankEntry).order_by(BankEntry.id.desc())).first()
        assert row is not None
        return row


def _import(bank, entries, as_of: date = DAY):
    return import_statement(bank.runtime, CLI, bank.write(entries), as_of=as_of)


def _import_mt940(bank, entries, as_of: date = DAY, name: str = "auszug.sta"):
    path = Path(bank.tmp) / name
    path.write_text(to_mt940(entries))
    return import_statement(bank.runtime, CLI, path, as_of=as_of)


def _establish(bank, case_id: int, iban: str) -> None:
    """The debtor gave the account in the portal (not a creditor typing it in)."""
    with transaction(bank.sessions) as s:
        case = s.get(Case, case_id)
        assert case is not None
        establish_account(
            s, case.debtor_id, iban, provenance="portal", evidence="Portal", now=utcnow()
        )


def _open(bank, case_id: int, as_of: date = DAY) -> D:
    return bank.statement(case_id, as_of).totals.total_open


# ------------------------------------------------------------ the four examples of issue 22


def test_example_1_invoice_with_letter_o_name_reversed_in_capitals_unknown_account(bank, credit):
    cid, _ = bank.case("K-1", "480.00", invoice="RE2005")
    bank.case("K-2", "480.00", first="Anna", last="Weber", invoice="RE2006", birth=date(1990, 1, 2))
    entry = credit(
        "150.00", "Rechnung RE2OO5 Teilzahlung", name="MÜLLER, JÜRGEN", iban=STRANGER, ref="E1"
    )
    summary = _import(bank, [entry])
    assert summary.booked == 1, _last_entry(bank).candidates
    assert _payments(bank, cid) == [D("150.00")]


def test_example_2_relative_pays_from_the_debtors_own_account(bank, credit):
    cid, ref = bank.case("K-1", "400.00", first="Tom", last="Krüger")
    # the debtor paid once from his account, with our case number and his name ...
    first = credit("50.00", f"Az. {ref}", name="Tom Krüger", iban=OWN, ref="E1")
    assert _import(bank, [first]).booked == 1
    with bank.sessions() as s:
        [account] = s.scalars(select(BankAccount).where(BankAccount.iban == OWN)).all()
        assert (account.provenance, account.established) == ("payment", True)
    # ... so the account is his: a relative's "Zahlung" from it is booked on his only case
    second = credit("100.00", "Zahlung", name="Helga Krüger", iban=OWN, ref="E2")
    summary = _import(bank, [second])
    assert summary.booked == 1, _last_entry(bank).candidates
    assert _payments(bank, cid) == [D("50.00"), D("100.00")]
    reasons = _last_entry(bank)
    with bank.sessions() as s:
        match = s.scalars(select(BankMatch).where(BankMatch.entry_id == reasons.id)).one()
        assert any("einzige offene Akte" in r for r in match.reasons)


def test_example_3_invoice_with_a_blank_full_invoice_amount_without_interest(bank, credit):
    cid, _ = bank.case(
        "K-1", "300.00", invoice="RE-2012", interest="statutory", default_from=date(2025, 6, 1)
    )
    assert _open(bank, cid) > D("310.00")  # interest since default
    summary = _import(bank, [credit("300.00", "RE-20 12", name="Jürgen Müller", ref="E1")])
    assert summary.booked == 1, _last_entry(bank).candidates
    assert _payments(bank, cid) == [D("300.00")]


def test_example_4_two_invoices_in_one_transfer_are_split(bank, credit):
    a, _ = bank.case("K-1", "120.00", invoice="RE-2015")
    b, _ = bank.case("K-2", "80.00", invoice="RE-2016")
    summary = _import_mt940(bank, [credit("200.00", "RE-2015 RE-2016", ref="E1")])
    assert summary.booked == 1, _last_entry(bank).candidates
    assert (_payments(bank, a), _payments(bank, b)) == ([D("120.00")], [D("80.00")])
    with bank.sessions() as s:
        matches = s.scalars(select(BankMatch).order_by(BankMatch.case_id)).all()
        assert [(m.case_id, m.amount) for m in matches] == [(a, D("120.00")), (b, D("80.00"))]


# ---------------------------------------------------------------- references as typed


def test_case_number_typed_with_confusions_and_dropped_zeros(bank, credit):
    cid, ref = bank.case("K-1", "145.96", first="Jürgen", last="Müßig")
    number = int(ref[3:11])
    for n, text in enumerate(
        (f"az mw {ref[3:11]} {ref[-2:]}".replace("0", "O"), f"MW-{number}-{ref[-2:]}")
    ):
        entry = credit("10.00", text, name="Juergen Muessig", ref=f"E{n}")
        assert _import(bank, [entry]).booked == 1, _last_entry(bank).candidates
    assert _payments(bank, cid) == [D("10.00"), D("10.00")]


def test_one_wrong_digit_is_confirmed_by_the_check_digits(bank, credit):
    cid, ref = bank.case("K-1", "145.96", first="Jürgen", last="Müßig")
    serial = ref[3:11]
    wrong = serial[:-1] + str((int(serial[-1]) + 5) % 10)
    entry = credit("145.96", f"MW-{wrong}-{ref[-2:]}", name="Jürgen Müßig", ref="E1")
    assert _import(bank, [entry]).booked == 1, _last_entry(bank).candidates
    assert _payments(bank, cid) == [D("145.96")]


def test_invoice_number_without_its_prefix(bank, credit):
    cid, _ = bank.case("K-1", "99.90", invoice="RE-2025-04711")
    entry = credit("99.90", "Rechnung 2025 04711", name="Jürgen Müller", ref="E1")
    assert _import(bank, [entry]).booked == 1, _last_entry(bank).candidates
    assert _payments(bank, cid) == [D("99.90")]


# --------------------------------------------------------------------------- splits


def test_several_named_no_sum_fits_first_named_then_oldest(bank, credit):
    a, _ = bank.case("K-1", "100.00", invoice="RE-3001", default_from=date(2026, 1, 10))
    b, _ = bank.case("K-2", "200.00", invoice="RE-3002", default_from=date(2025, 10, 1))
    c, _ = bank.case("K-3", "50.00", invoice="RE-3003", default_from=date(2025, 12, 1))
    # 230.00 is no sum of the named cases' balances (250.00 would be K-2 and K-3 in full)
    entry = credit("230.00", "RE-3001 RE-3003 RE-3002", name="Jürgen Müller", iban=OWN, ref="E1")
    _establish(bank, a, OWN)
    summary = _import(bank, [entry])
    assert summary.booked == 1, _last_entry(bank).candidates
    # the first named gets its balance; the rest goes to the oldest named case (§ 366 BGB)
    assert (_payments(bank, a), _payments(bank, b), _payments(bank, c)) == (
        [D("100.00")],
        [D("130.00")],
        [],
    )


def test_references_of_two_debtors_go_to_review(bank, credit):
    a, ref_a = bank.case("K-1", "100.00")
    b, ref_b = bank.case("K-2", "150.00", first="Eva", last="Ost", birth=date(1971, 3, 3))
    summary = _import(bank, [credit("250.00", f"{ref_a} {ref_b}", ref="E1")])
    assert (summary.booked, summary.review) == (0, 1)
    assert _payments(bank, a) == _payments(bank, b) == []


def test_split_over_the_sum_of_balances_at_the_value_date(bank, credit):
    start = date(2025, 3, 1)
    a, ref_a = bank.case("K-1", "500.00", interest="statutory", default_from=start)
    b, ref_b = bank.case("K-2", "700.00", interest="statutory", default_from=start)
    value = DAY - timedelta(days=12)
    owed = [_open(bank, a, value), _open(bank, b, value)]
    entry = credit(str(sum(owed)), f"{ref_a} / {ref_b}", ref="E1", day=value)
    assert _import(bank, [entry]).booked == 1, _last_entry(bank).candidates
    assert (_payments(bank, a), _payments(bank, b)) == ([owed[0]], [owed[1]])


# --------------------------------------------------------------------- amounts that fit


def test_balance_at_the_value_date_not_today(bank, credit):
    cid, _ = bank.case(
        "K-1", "900.00", invoice="RE-4001", interest="statutory", default_from=date(2025, 1, 1)
    )
    value = DAY - timedelta(days=20)
    owed = _open(bank, cid, value)
    assert owed != _open(bank, cid)  # 20 days of interest apart
    entry = credit(str(owed), "Zahlung", name="Jürgen Müller", iban=OWN, ref="E1", day=value)
    bank.case("K-2", "10.00", first="Eva", last="Ost", birth=date(1971, 3, 3))
    _establish(bank, cid, OWN)
    bank.case("K-3", "77.00", invoice="RE-4003")  # a second case of the same debtor
    assert _import(bank, [entry]).booked == 1, _last_entry(bank).candidates
    assert _payments(bank, cid) == [owed]


def test_balance_less_the_costs(bank, credit):
    costs = ((date(2026, 2, 1), "Mahngebühr", D("5.00")),)
    cid, _ = bank.case("K-1", "200.00", invoice="RE-5001", costs=costs)
    bank.case("K-2", "195.00", invoice="RE-5002")  # the same debtor's other case
    _establish(bank, cid, OWN)
    entry = credit("200.00", "Zahlung", name="Jürgen Müller", iban=OWN, ref="E1")
    assert _import(bank, [entry]).booked == 1, _last_entry(bank).candidates
    assert _payments(bank, cid) == [D("200.00")]


def test_agreed_instalment(bank, credit):
    cid, _ = bank.case("K-1", "600.00", invoice="RE-6001")
    other, _ = bank.case("K-2", "180.00", invoice="RE-6002")
    with transaction(bank.sessions) as s:
        workflow.add_plan(s, CLI, cid, amount=D("75.00"), start=date(2026, 2, 1), count=8)
    _establish(bank, cid, OWN)
    # no reference: the debtor's own account, and the amount is the instalment of K-1 only
    entry = credit("75.00", "Rate", name="Jürgen Müller", iban=OWN, ref="E1")
    assert _import(bank, [entry]).booked == 1, _last_entry(bank).candidates
    assert (_payments(bank, cid), _payments(bank, other)) == ([D("75.00")], [])


# ------------------------------------------------------------------------ hard negatives


def test_same_name_other_debtor(bank, credit):
    """Two people called Jürgen Müller with the same amount open: the invoice number decides;
    without it, nothing does."""
    a, _ = bank.case("K-1", "99.90", invoice="RE-7001")
    b, _ = bank.case("K-2", "99.90", invoice="RE-7002", birth=date(1961, 8, 8))
    assert _import(bank, [credit("99.90", "Rechnung RE-7002", ref="E1")]).booked == 1
    assert (_payments(bank, a), _payments(bank, b)) == ([], [D("99.90")])
    a2, _ = bank.case("K-3", "55.55", invoice="RE-7003")
    b2, _ = bank.case("K-4", "55.55", invoice="RE-7004", birth=date(1961, 8, 8))
    summary = _import(bank, [credit("55.55", "Zahlung", iban=STRANGER, ref="E2")])
    assert summary.booked == 0
    assert _payments(bank, a2) == _payments(bank, b2) == []


def test_same_amount_other_case_with_a_typo_the_check_digits_decide(bank, credit):
    """The payer means case n but types the number of case n+1 (which has the same amount);
    the check digits are those of case n."""
    meant, ref = bank.case("K-1", "250.00", first="Jürgen", last="Müßig")
    trap, trap_ref = bank.case("K-2", "250.00", first="Eva", last="Ost", birth=date(1971, 3, 3))
    number = int(ref[3:11])
    assert int(trap_ref[3:11]) == number + 1 and number % 10 != 9
    typed = f"MW-{number + 1:08d}-{check_digits(number)}"
    entry = credit("250.00", f"Az. {typed}", name="Jürgen Müßig", ref="E1")
    assert _import(bank, [entry]).booked == 1, _last_entry(bank).candidates
    assert (_payments(bank, meant), _payments(bank, trap)) == ([D("250.00")], [])


def test_reference_of_another_creditor(bank, credit):
    """The same invoice number at two creditors: the payer's name and amount pick the one."""
    mine, _ = bank.case("K-1", "120.00", invoice="R-4711")
    other, _ = bank.case(
        "X-1", "340.00", first="Karl", last="Schmidt", invoice="R-4711",
        creditor="Versand Süd GmbH", birth=date(1955, 2, 2),
    )  # fmt: skip
    assert _import(bank, [credit("120.00", "Rechnung R-4711", ref="E1")]).booked == 1
    assert (_payments(bank, mine), _payments(bank, other)) == ([D("120.00")], [])


def test_account_a_creditor_typed_in_does_not_count(bank, credit):
    cid, _ = bank.case("K-1", "80.00", iban=OWN)  # typed in by the creditor
    with bank.sessions() as s:
        [account] = s.scalars(select(BankAccount)).all()
        assert (account.provenance, account.established) == ("creditor", False)
    summary = _import(bank, [credit("80.00", "Zahlung", name="Helga Krüger", iban=OWN, ref="E1")])
    assert summary.booked == 0
    assert _payments(bank, cid) == []


def test_our_case_number_without_mw_outranks_an_invoice_with_the_same_digits(bank, credit):
    """ "00000001-xx" is our case number as printed, without "MW": its check digits confirm
    it, although another debtor's invoice number is "00000001" and the amount fits both."""
    meant, ref = bank.case("K-1", "425.00")
    printed = ref[3:]  # "00000001-xx"
    trap, _ = bank.case(
        "K-2", "425.00", first="Ayşe", last="Schumacher", invoice=printed[:8],
        birth=date(1977, 7, 7),
    )  # fmt: skip
    entry = credit("425.00", f"{printed} Danke", name="MÜLLER, JÜRGEN", iban=STRANGER, ref="E1")
    assert _import(bank, [entry]).booked == 1, _last_entry(bank).candidates
    assert (_payments(bank, meant), _payments(bank, trap)) == ([D("425.00")], [])
