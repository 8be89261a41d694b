"""Finding cases by what people type, on SQLite and PostgreSQL (issue 18: "Find anything")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import text

from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, Actor
from mahnwerk.services.admin import accounts
from mahnwerk.services.workspace.search import SearchError, search
from mahnwerk.store.db import transaction
from mahnwerk.store.search import LIMIT, search_fold, search_key, search_name

AGENT = Actor(kind="user", id="agent@example.org", role="agent", origin="127.0.0.1")


def creditor_user(creditor_id: int) -> Actor:
    return Actor(
        kind="user",
        id="m@example.org",
        role="creditor",
        origin="127.0.0.1",
        creditor_id=creditor_id,
    )


@pytest.fixture
def portfolio(sessions) -> dict[str, int]:
    ids: dict[str, int] = {}
    with transaction(sessions) as s:
        nord = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        sued = accounts.add_creditor(s, CLI, "Autohaus Süd GmbH")
        s.flush()

        def add(key: str, creditor, ref: str, invoice: str, **debtor) -> None:
            person = dict(kind="natural", consumer=True, street="Hauptstraße 5", postcode="80331",
                          city="München")  # fmt: skip
            person.update(debtor)
            claim = cases.ClaimInput(
                invoice_no=invoice,
                amount=D("120.00"),
                default_from=date(2026, 1, 16),
                due_date=date(2026, 1, 15),
                label="Strom",
            )
            case = cases.create_case(
                s, CLI, creditor.id, cases.CaseInput(ref, cases.DebtorInput(**person), (claim,))
            )
            s.flush()
            ids[key] = case.id
            ids[f"{key}:creditor"] = creditor.id

        add("mueller", nord, "N-1", "RE-2012", first_name="Jürgen", last_name="Müller",
            birth_date=date(1980, 5, 17), email="J.Mueller@Example.org", phone="0151 2345678",
            iban="DE89 3704 0044 0532 0130 00")  # fmt: skip
        add("bau", nord, "N-2", "RE-2013", kind="legal", consumer=False, company="Müller Bau GmbH",
            postcode="20095", city="Hamburg")  # fmt: skip
        add("schmidt", sued, "S-1", "A-77", first_name="Anna", last_name="Schmidt",
            birth_date=date(1990, 1, 2), email="anna@example.org", phone="040 123456")  # fmt: skip
        add("mueller-sued", sued, "S-2", "A-78", first_name="Jürgen", last_name="Müller",
            birth_date=date(1971, 3, 3))  # fmt: skip
    return ids


def found(sessions, actor, query) -> list[int]:
    with transaction(sessions) as s:
        return [r.case_id for r in search(s, actor, query)]


@pytest.mark.parametrize(
    "query", ["Jürgen Müller", "juergen mueller", "Jurgen Muller", "Müler", "MUELLER JÜRGEN"]
)
def test_a_name_is_found_with_or_without_umlauts_and_with_a_typo(sessions, portfolio, query):
    hits = found(sessions, AGENT, query)
    assert portfolio["mueller"] in hits[:3], hits
    assert portfolio["mueller-sued"] in hits  # the same name at another creditor
    assert portfolio["schmidt"] not in hits


def test_a_company_is_found_by_a_word_of_its_name(sessions, portfolio):
    assert found(sessions, AGENT, "müller bau")[0] == portfolio["bau"]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("RE 2012", "mueller"),  # invoice with a space instead of the hyphen
        ("re-2012", "mueller"),
        ("DE89370400440532013000", "mueller"),  # IBAN without spaces
        ("de89 3704 0044 0532 0130 00", "mueller"),
        ("j.mueller@example.org", "mueller"),  # e-mail in other case
        ("+49 151 2345678", "mueller"),  # the same phone number, international
        ("+49 40 123456", "schmidt"),  # a short number (8 digits after the 0), international
        ("0049 40 123456", "schmidt"),
        ("040/123456", "schmidt"),
        ("N-2", "bau"),  # the creditor's reference
    ],
)
def test_numbers_and_references_are_found_as_typed(sessions, portfolio, query, key):
    assert found(sessions, AGENT, query)[0] == portfolio[key]


def test_the_case_reference_finds_its_case(sessions, portfolio):
    with sessions() as s:
        reference = s.execute(
            text("SELECT reference FROM case_file WHERE id = :id"), {"id": portfolio["schmidt"]}
        ).scalar_one()
    assert found(sessions, AGENT, reference.lower()) == [portfolio["schmidt"]]


def test_a_common_name_fills_the_page_with_that_name_before_near_ones(sessions, portfolio):
    """More debtors of the very name than a page holds: the page shows only them (PostgreSQL
    takes them unordered, see ``NAME_TIERS``); with fewer, the near names follow."""
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Versand West GmbH")
        s.flush()
        for n, (first, last) in enumerate([("Lea", "Koch")] * (LIMIT + 2) + [("Lea", "Kochs")]):
            debtor = cases.DebtorInput(kind="natural", consumer=True, first_name=first,
                last_name=last, street="Weg 1", postcode="50667", city="Köln")  # fmt: skip
            claim = cases.ClaimInput(invoice_no=f"K-{n}", amount=D("50.00"),
                default_from=date(2026, 1, 16), due_date=date(2026, 1, 15), label="Ware")  # fmt: skip
            cases.create_case(s, CLI, creditor.id, cases.CaseInput(f"K-{n}", debtor, (claim,)))
    with transaction(sessions) as s:
        page = search(s, AGENT, "lea koch")
        assert len(page) == LIMIT and {r.debtor for r in page} == {"Lea Koch"}
        near = search(s, AGENT, "lea kochs")
        assert near[0].debtor == "Lea Kochs" and {r.debtor for r in near[1:]} == {"Lea Koch"}


def test_a_creditor_user_finds_only_its_own_cases(sessions, portfolio):
    nord = creditor_user(portfolio["mueller:creditor"])
    assert set(found(sessions, nord, "Jürgen Müller")) == {portfolio["mueller"]}
    assert found(sessions, nord, "A-77") == []  # another creditor's invoice
    assert found(sessions, nord, "anna@example.org") == []


def test_a_debtor_cannot_search_and_a_search_is_audited_without_the_words(sessions, portfolio):
    debtor = Actor(kind="debtor", id="1", role="debtor", origin="127.0.0.1", creditor_id=1)
    with transaction(sessions) as s, pytest.raises(SearchError):
        search(s, debtor, "Müller")
    found(sessions, AGENT, "Jürgen Müller")
    with sessions() as s:
        details = s.execute(
            text("SELECT details FROM audit_entry WHERE action = 'search' ORDER BY id DESC")
        ).scalar()
    assert "Müller" not in str(details) and "mueller" not in str(details).lower()


SAMPLES = ["Jürgen MÜLLER-Lüdenscheidt", "Ñandú Øre Łódź", "RE-20 12/x", "  ", "Émile Zoë ß"]


def test_the_database_folds_as_python_does(engine):
    with engine.connect() as conn:
        for sample in SAMPLES:
            assert conn.execute(text("SELECT mw_fold(:v)"), {"v": sample}).scalar() == search_fold(
                sample
            )
            assert conn.execute(text("SELECT mw_key(:v)"), {"v": sample}).scalar() == search_key(
                sample
            )
            assert conn.execute(text("SELECT mw_name(:v)"), {"v": sample}).scalar() == search_name(
                sample
            )
