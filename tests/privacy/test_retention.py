"""Retention and erasure (Art. 17, 18 GDPR; § 257 HGB, § 147 AO): ended debtors are blocked,
each kind of data is erased when its period has passed, the books are anonymised with their
sums kept, and a request is refused while a case is open."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from sqlalchemy import func, select

from mahnwerk.batch.reconcile import check
from mahnwerk.cli import main
from mahnwerk.config import load_settings
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.privacy.export import find_subject
from mahnwerk.services.privacy.retention import kept_until, run_retention
from mahnwerk.store.db import transaction
from mahnwerk.store.models import (
    ANONYMISED,
    Address,
    BankAccount,
    Case,
    ContactPoint,
    Debtor,
    Document,
    LedgerPosting,
    Payment,
)
from mahnwerk.store.privacy import PrivacyBlock, PrivacyErasure
from mahnwerk.store.scoring import CaseScore


def _settings(env):
    return load_settings({"MAHNWERK_VAR_DIR": str(env), "MAHNWERK_SECRET_KEY": "x" * 32})


def _count(s, model, *where) -> int:
    return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _run(sessions, settings, day: date):
    with transaction(sessions) as s:
        return run_retention(s, CLI, settings, day)


def test_periods_run_from_the_end_of_the_year_the_last_case_ended():
    assert kept_until(date(2020, 6, 30), 10) == date(2030, 12, 31)
    assert kept_until(date(2020, 1, 1), 1) == date(2021, 12, 31)


def test_open_cases_are_not_blocked_and_nothing_is_erased(env, sessions, person, close_all):
    report = _run(sessions, _settings(env), date(2040, 1, 1))
    assert report.blocked == 0 and report.erased == {}
    close_all(person.cases[:2])  # one case of the person still open
    report = _run(sessions, _settings(env), date(2040, 1, 1))
    assert report.blocked == 1  # creditor A's debtor: blocked and, long ended, erased
    assert report.erased == {"scores": 1, "contacts": 1, "letters": 1, "books": 1}
    with sessions() as s:
        b_debtor = _debtor_of(s, person.cases[2])
        assert _count(s, ContactPoint, ContactPoint.debtor_id == b_debtor) == 2  # B's: still open
        assert _count(s, ContactPoint) == 3  # and the other person's e-mail
        assert s.get(Debtor, b_debtor).last_name == "Müller"


def test_each_kind_is_erased_when_its_period_has_passed(env, sessions, person, close_all):
    settings = _settings(env)
    close_all(person.cases)  # ended on 30.06.2020
    with sessions() as s:
        before = {c.case_id: c for c in check(s.connection()).mismatches}
        balance = _journal_sum(s, person.cases)
    assert before == {}
    assert _run(sessions, settings, date(2021, 12, 31)).erased == {}  # scores: 1 year, still kept
    with sessions() as s:
        assert _count(s, PrivacyBlock) == 2
    assert _run(sessions, settings, date(2022, 1, 1)).erased == {"scores": 2}
    with sessions() as s:
        assert _count(s, CaseScore) == 0 and _count(s, ContactPoint) == 5
    assert _run(sessions, settings, date(2024, 1, 1)).erased == {"contacts": 2}
    with sessions() as s:
        assert _count(s, ContactPoint) == 1  # the other person's e-mail
    assert _run(sessions, settings, date(2027, 1, 1)).erased == {"letters": 2}
    assert not (env / "documents" / str(person.cases[0]) / "mahnung.pdf").exists()
    with sessions() as s:
        assert s.scalar(select(Document.path)) == ""
        assert (
            s.scalar(select(Debtor.last_name).where(Debtor.id == _debtor_of(s, person.cases[0])))
            == "Müller"
        )
    assert _run(sessions, settings, date(2030, 12, 31)).erased == {}
    assert _run(sessions, settings, date(2031, 1, 1)).erased == {"books": 2}
    with sessions() as s:
        debtors = s.scalars(select(Debtor).where(Debtor.id.in_(_debtors(s, person.cases)))).all()
        assert {(d.first_name, d.last_name, d.birth_date) for d in debtors} == {
            (ANONYMISED, ANONYMISED, None)
        }
        assert _count(s, Address, Address.debtor_id.in_([d.id for d in debtors])) == 0
        assert _count(s, BankAccount) == 0
        assert set(s.scalars(select(Payment.reference))) == {ANONYMISED}
        reasons = set(
            s.scalars(select(LedgerPosting.reason).where(LedgerPosting.case_id.in_(person.cases)))
        )
        assert reasons == {ANONYMISED}
        # the sums stay: the journal still proves every balance
        assert check(s.connection()).ok
        assert _journal_sum(s, person.cases) == balance == D("750.00")
        case = cases.get_case(s, CLI, person.cases[0])
        assert cases.statement(case, date(2020, 6, 30)).totals.principal_open == D("250.00")
        assert _count(s, PrivacyErasure) == 8
    assert _run(sessions, settings, date(2040, 1, 1)).erased == {}  # each kind once


def _debtor_of(s, case_id: int) -> int:
    return s.scalar(select(Case.debtor_id).where(Case.id == case_id))


def _debtors(s, case_ids) -> list[int]:
    return list(s.scalars(select(Case.debtor_id).where(Case.id.in_(case_ids)).distinct()))


def _journal_sum(s, case_ids) -> D:
    return sum(
        s.scalars(select(LedgerPosting.amount).where(LedgerPosting.case_id.in_(case_ids))), D(0)
    )


def test_an_erasure_request_is_refused_while_a_case_is_open(
    env, sessions, person, close_all, capsys
):
    close_all(person.cases[:2])
    assert main(["privacy", "erase", f"case:{person.cases[0]}", "--reason", "Antrag vom 1.3."]) == 2
    err = capsys.readouterr().err
    assert "ist offen" in err and "Art. 17 Abs. 3" in err
    with sessions() as s:
        assert _count(s, ContactPoint) == 5 and _count(s, PrivacyErasure) == 0


def test_a_request_erases_at_once_what_no_law_keeps_and_names_the_day_for_the_rest(
    env, sessions, person, close_all, capsys
):
    close_all(person.cases)
    assert main(["privacy", "erase", f"case:{person.cases[2]}", "--reason", "Antrag vom 1.3."]) == 0
    out = capsys.readouterr().out
    assert "gelöscht: contacts" in out and "gelöscht: scores" in out
    assert "aufbewahrt bis 31.12.2030: books" in out
    assert "aufbewahrt bis 31.12.2026: letters" in out
    with sessions() as s:
        assert _count(s, ContactPoint) == 1 and _count(s, CaseScore) == 0
        assert (
            s.scalar(select(Debtor.last_name).where(Debtor.id == _debtor_of(s, person.cases[0])))
            == "Müller"
        )
        kinds = set(s.scalars(select(PrivacyErasure.trigger)))
        assert kinds == {"request"}
        subject = find_subject(s, f"case:{person.cases[0]}")
        assert len(subject.debtor_ids) == 2


def test_the_workers_run_retention_once_a_day(env, sessions, person, close_all):
    from datetime import UTC, datetime

    from mahnwerk.bootstrap import build
    from mahnwerk.jobs import periodic

    job = periodic.load()["retention"]
    settings = _settings(env)
    assert job.slot(settings, datetime(2031, 12, 31, 23, 30, tzinfo=UTC)) == "2032-01-01"
    close_all(person.cases)
    job.run(build(), datetime(2031, 1, 1, 5, tzinfo=UTC), "2031-01-01")
    with sessions() as s:
        assert set(s.scalars(select(PrivacyErasure.kind))) == {
            "scores", "contacts", "letters", "books",
        }  # fmt: skip
        assert set(s.scalars(select(PrivacyErasure.actor))) == {"system:mahnwerk"}
