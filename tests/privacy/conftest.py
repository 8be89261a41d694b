"""A person with two debtor records (two creditors) and three cases, with contact data, a
payment and its reversal, a letter file and a score; and the commands' environment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, Document
from mahnwerk.store.scoring import CaseScore, ModelVersion

AT = datetime(2020, 6, 30, 12, 0, tzinfo=UTC)


@dataclass
class Person:
    cases: list[int]
    other_case: int  # a case of somebody else


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    return tmp_path / "var"


def _debtor(last: str, **extra) -> cases.DebtorInput:
    return cases.DebtorInput(
        kind="natural", consumer=True, first_name="Jürgen", last_name=last,
        birth_date=date(1970, 5, 4), street="Hauptstraße 5", postcode="10115", city="Berlin",
        **extra,
    )  # fmt: skip


@pytest.fixture
def person(sessions, tmp_path) -> Person:
    documents = tmp_path / "var" / "documents"
    ids = []
    with transaction(sessions) as s:
        a = accounts.add_creditor(s, CLI, "Stadtwerke Nord")
        b = accounts.add_creditor(s, CLI, "Fitness Süd")
        for creditor, ref in ((a, "A-1"), (a, "A-2"), (b, "B-1")):
            case = cases.create_case(
                s, CLI, creditor.id,
                cases.CaseInput(
                    ref,
                    _debtor("Müller", email="jm@example.org", phone="+4930123456",
                            iban="DE89370400440532013000"),
                    (cases.ClaimInput(invoice_no=f"R-{ref}", amount=D("250.00"),
                                      default_from=date(2019, 2, 1)),),
                ),
            )  # fmt: skip
            ids.append(case.id)
        first = s.get(Case, ids[0])
        p = cases.record_payment(
            s, CLI, first, day=date(2019, 4, 1), amount=D("50.00"), source="bank",
            reference="RE R-A-1 Jürgen Müller", external_id="x1",
        )  # fmt: skip
        cases.reverse_payment(s, CLI, p, day=date(2019, 4, 9), reason="Rücklastschrift Müller",
                              source="bank")  # fmt: skip
        folder = documents / str(ids[0])
        folder.mkdir(parents=True)
        (folder / "mahnung.pdf").write_bytes(b"%PDF-1.7 Mahnung an J. M\xc3\xbcller")
        s.add(
            Document(
                case_id=ids[0], kind="letter", filename="mahnung.pdf",
                path=f"{ids[0]}/mahnung.pdf", media_type="application/pdf", sha256="0" * 64,
                size=30, created_at=AT,
            )
        )  # fmt: skip
        s.add(ModelVersion(version="m1", path="models/m1", trained_at=AT))
        s.flush()
        s.add(
            CaseScore(
                case_id=ids[0], model_version="m1", run_date=date(2020, 6, 1), scored_at=AT,
                p_pay_30d=0.4, p_full_180d=0.2, expected_amount=D("100.00"),
                open_amount=D("250.00"), priority=1, reason_1="frühere Zahlung",
                reason_codes=["paid_before"], segment="zahlt verspätet",
            )
        )  # fmt: skip
        other = cases.create_case(
            s, CLI, a.id,
            cases.CaseInput(
                "Z-1", _debtor("Schmidt", email="s@example.org"),
                (cases.ClaimInput(invoice_no="Z", amount=D("10.00"), default_from=date(2019, 2, 1)),),
            ),
        )  # fmt: skip
        return Person(ids, other.id)


@pytest.fixture
def close_all(sessions):
    """Close cases as of ``AT`` (30.06.2020)."""
    return lambda case_ids: _close(sessions, case_ids)


def _close(sessions, case_ids, at: datetime = AT) -> None:
    with transaction(sessions) as s:
        for case in s.scalars(select(Case).where(Case.id.in_(case_ids))):
            case.status = "closed"
            case.updated_at = at
