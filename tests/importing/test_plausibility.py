"""Plausibility of handed-over claims (file import and the case service behind the API):
amounts above the creditor's ceiling, zero claims and a default in the future are refused
with file, line and field; zero-width characters are removed and direction overrides
refused."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.portfolio.importing import import_file
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Base, Case, Creditor

HEADER = (
    "Aktenzeichen;Rechnungsnummer;Rechnungsdatum;Fälligkeit;Verzug seit;Betrag;Schuldnerart;"
    "Vorname;Nachname;Firma;Geburtsdatum;Straße;PLZ;Ort;Land;E-Mail;Telefon;IBAN"
)
MUELLER = "Verbraucher;Jürgen;Müller;;17.05.1980;Hauptstraße 5;10115;Berlin;DE;;;"
BIDI = MUELLER.replace("Müller", "Mül\u202eler")
ZERO_WIDTH = MUELLER.replace("Müller", "Mül\u200bler\ufeff")


def csv_file(path, rows):
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode())
    return path


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }


@pytest.fixture
def creditor_id(sessions) -> int:
    with transaction(sessions) as s:
        return accounts.add_creditor(s, CLI, "Stadtwerke Nord").id


def test_implausible_rows_are_refused_with_line_and_field_and_nothing_is_stored(
    tmp_path, sessions, engine, creditor_id
):
    future = (today_in_germany() + timedelta(days=3)).strftime("%d.%m.%Y")
    rows = [
        f"K-1;R-1;01.02.2025;15.02.2025;;1.000.000,00;{MUELLER}",  # the ceiling itself: fine
        f"K-2;R-2;01.02.2025;15.02.2025;;1.000.000,01;{MUELLER}",
        f"K-3;R-3;01.02.2025;15.02.2025;;0,00;{MUELLER}",
        f"K-4;R-4;01.02.2025;15.02.2025;{future};10,00;{MUELLER}",
        f"K-5;R-5;01.02.2025;15.02.2025;;10,00;{BIDI}",
    ]
    before = counts(engine)
    report = import_file(sessions, CLI, csv_file(tmp_path / "x.csv", rows), creditor_id)
    assert [str(p) for p in report.problems] == [
        "Zeile 3, Spalte „Betrag“: Betrag 1.000.000,01 € liegt über der Obergrenze "
        "1.000.000,00 € des Mandanten",
        "Zeile 4, Spalte „Betrag“: Betrag ist 0",
        f"Zeile 5, Spalte „Verzug seit“: Verzugsbeginn {future} liegt in der Zukunft",
        "Zeile 6, Spalte „Nachname“: enthält Steuerzeichen für die Schreibrichtung (U+202E)",
    ]
    assert counts(engine) == before


def test_the_ceiling_is_the_creditors_setting(tmp_path, sessions, creditor_id):
    with transaction(sessions) as s:
        s.get(Creditor, creditor_id).settings = {"max_claim": "5000.00"}
    rows = [f"K-1;R-1;01.02.2025;15.02.2025;;5.000,01;{MUELLER}"]
    report = import_file(sessions, CLI, csv_file(tmp_path / "x.csv", rows), creditor_id)
    assert "Obergrenze 5.000,00 € des Mandanten" in str(report.problems[0])


def test_zero_width_characters_are_removed_from_names(tmp_path, sessions, creditor_id):
    rows = [f"K-1;R-1;01.02.2025;15.02.2025;;10,00;{ZERO_WIDTH}"]
    report = import_file(sessions, CLI, csv_file(tmp_path / "x.csv", rows), creditor_id)
    assert report.ok, report.problems
    with sessions() as s:
        assert s.scalar(select(Case)).debtor.last_name == "Müller"


def _input(amount: str, default_from: date, last: str = "Müller") -> cases.CaseInput:
    debtor = cases.DebtorInput(kind="natural", consumer=True, first_name="Jürgen", last_name=last)
    claim = cases.ClaimInput(invoice_no="R-1", amount=D(amount), default_from=default_from)
    return cases.CaseInput("K-1", debtor, (claim,))


def test_the_case_service_behind_the_api_refuses_the_same(sessions, creditor_id):
    today = today_in_germany()
    with transaction(sessions) as s:
        for data, message in (
            (_input("1000000.01", date(2025, 1, 1)), "liegt über der Obergrenze 1.000.000,00 €"),
            (_input("0", date(2025, 1, 1)), "Forderung R-1: Betrag ist 0"),
            (_input("5", today + timedelta(days=1)), "liegt in der Zukunft"),
            (
                _input("5", date(2025, 1, 1), "\u2066Müller"),
                "debtor.last_name: enthält Steuerzeichen",
            ),
        ):
            with pytest.raises(cases.CaseError, match=message):
                cases.create_case(s, CLI, creditor_id, data)
        case = cases.create_case(s, CLI, creditor_id, _input("5", today, "Mül\u200cler"))
        assert case.debtor.last_name == "Müller"
