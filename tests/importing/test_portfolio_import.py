"""The portfolio import on SQLite and PostgreSQL: whole or nothing, repeatable, set-based."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text

from mahnwerk.cli import main
from mahnwerk.domain.case_reference import case_reference
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.portfolio.importing import _Store, import_file
from mahnwerk.store.db import transaction
from mahnwerk.store.models import (
    Address,
    AuditEntry,
    BankAccount,
    Base,
    Case,
    CaseEvent,
    Claim,
    ContactPoint,
    Debtor,
    ImportBatch,
    LedgerPosting,
    Person,
)

HEADER = (
    "Aktenzeichen;Rechnungsnummer;Rechnungsdatum;Fälligkeit;Verzug seit;Betrag;Schuldnerart;"
    "Vorname;Nachname;Firma;Geburtsdatum;Straße;PLZ;Ort;Land;E-Mail;Telefon;IBAN"
)
MUELLER = (
    "Verbraucher;Jürgen;Müller;;17.05.1980;Hauptstraße 5;10115;Berlin;DE;"
    "j.mueller@example.org;030 1234567;DE89 3704 0044 0532 0130 00"
)
BAU = "Unternehmer;;;Bau & Söhne GmbH;;Industriestraße 1;01067;Dresden;;;;"


def csv_file(path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding))
    return path


def standard_rows() -> list[str]:
    return [
        f"K-1;R-1;01.02.2025;15.02.2025;;1.234,56;{MUELLER}",
        f"K-1;R-2;01.03.2025;15.03.2025;01.04.2025;99,90;{MUELLER}",
        f"K-2;R-3;01.03.2025;15.03.2025;;500,00;{BAU}",
    ]


@pytest.fixture
def creditor_id(sessions) -> int:
    with transaction(sessions) as s:
        return accounts.add_creditor(s, CLI, "Stadtwerke Nord").id


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_german_csv_becomes_cases_claims_debtors_and_postings(
    tmp_path, sessions, engine, creditor_id, encoding
):
    path = csv_file(tmp_path / "bestand.csv", standard_rows(), encoding)
    seen = []
    report = import_file(sessions, CLI, path, creditor_id, progress=seen.append)
    assert report.ok, report.problems
    assert (report.rows, report.cases_created, report.claims_created) == (3, 2, 3)
    assert report.encoding == ("utf-8" if encoding == "utf-8" else "cp1252")
    assert seen[-1].phase == "store" and seen[-1].done == seen[-1].total
    with transaction(sessions) as s:
        k1 = s.scalar(select(Case).where(Case.external_ref == "K-1"))
        assert k1.reference == case_reference(k1.id)
        # R-1 names no ground of default: not in default (§ 286 BGB); R-2 gives its day
        assert [(c.invoice_no, c.principal, c.default_from) for c in k1.claims] == [
            ("R-1", D("1234.56"), None),
            ("R-2", D("99.90"), date(2025, 4, 1)),
        ]
        assert all(c.interest_kind == "statutory" for c in k1.claims)
        debtor = k1.debtor
        assert (debtor.first_name, debtor.last_name, debtor.kind, debtor.consumer) == (
            "Jürgen",
            "Müller",
            "natural",
            True,
        )
        assert debtor.birth_date == date(1980, 5, 17)
        assert [(a.street, a.postcode, a.city) for a in debtor.addresses] == [
            ("Hauptstraße 5", "10115", "Berlin")
        ]
        assert sorted((c.kind, c.value) for c in debtor.contacts) == [
            ("email", "j.mueller@example.org"),
            ("phone", "030 1234567"),
        ]
        assert [b.iban for b in debtor.bank_accounts] == ["DE89370400440532013000"]
        k2 = s.scalar(select(Case).where(Case.external_ref == "K-2"))
        assert (k2.debtor.kind, k2.debtor.consumer, k2.debtor.company) == (
            "legal",
            False,
            "Bau & Söhne GmbH",
        )
        assert k2.debtor.addresses[0].postcode == "01067"
        # R-3, an Entgelt against a business: § 286 Abs. 3 BGB applies by law. The invoice of
        # 01.03.2025 arrives on 05.03. (4 days), due 15.03.: 30 days from 15.03. end on
        # 14.04.2025, interest from 15.04.2025
        (r3,) = k2.claims
        assert r3.default_from == date(2025, 4, 15)
        assert "§ 286 Abs. 3 BGB" in r3.default_ground
        postings = s.scalars(select(LedgerPosting).order_by(LedgerPosting.id)).all()
        # the posting is dated on the first day of interest, or the due date if not in default
        assert [(p.kind, p.amount, p.value_date, p.reason, p.source) for p in postings] == [
            (
                "claim",
                D("1234.56"),
                date(2025, 2, 15),
                "Forderung R-1",
                f"import:{report.batch_id}",
            ),
            ("claim", D("99.90"), date(2025, 4, 1), "Forderung R-2", f"import:{report.batch_id}"),
            ("claim", D("500.00"), date(2025, 4, 15), "Forderung R-3", f"import:{report.batch_id}"),
        ]
        assert all(p.claim_id is not None for p in postings)
        assert sum(p.amount for p in postings) == s.scalar(select(func.sum(Claim.principal)))
        events = s.scalars(select(CaseEvent).order_by(CaseEvent.id)).all()
        assert [(e.case_id, e.kind, e.actor) for e in events] == [
            (k1.id, "case.created", "cli:local"),
            (k2.id, "case.created", "cli:local"),
        ]
        assert events[0].data == {"source": "import", "batch": report.batch_id, "claims": 2}
        # the stored case works with the ledger: a statement can be computed
        statement = cases.statement(cases.get_case(s, CLI, k1.id), date(2025, 12, 31))
        assert statement.totals.principal_open == D("1334.46")
        batch = s.get(ImportBatch, report.batch_id)
        assert (batch.rows, batch.cases_created, batch.claims_created) == (3, 2, 3)
        assert batch.sha256 == report.sha256 and batch.report["claims_created"] == 3
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "import")).all()
        assert len(audit) == 1
        assert audit[0].entity_id == str(report.batch_id)
        assert "Müller" not in json.dumps(audit[0].details, ensure_ascii=False)


def test_postings_sum_to_the_claim_amounts(tmp_path, sessions, engine, creditor_id):
    rows = [
        f"K-{n // 3};R-{n};01.02.2025;15.02.2025;;{n + 1},{n % 100:02d};{MUELLER}"
        for n in range(60)
    ]
    report = import_file(sessions, CLI, csv_file(tmp_path / "f.csv", rows), creditor_id)
    assert report.ok and report.claims_created == 60 and report.cases_created == 20
    with engine.connect() as conn:
        per_case = conn.execute(
            text(
                "SELECT c.id, (SELECT SUM(principal) FROM claim WHERE case_id = c.id),"
                " (SELECT SUM(amount) FROM ledger_posting WHERE case_id = c.id) FROM case_file c"
            )
        ).all()
        assert len(per_case) == 20
        assert all(claims == postings for _, claims, postings in per_case)
        total = conn.execute(text("SELECT SUM(amount) FROM ledger_posting")).scalar()
        assert total == sum((n + 1) * 100 + n % 100 for n in range(60))


def test_the_sql_case_reference_equals_the_domain_one(engine):
    ids = [1, 2, 96, 97, 98, 123, 4711, 999_999, 12_345_678, 99_999_999]
    with engine.begin() as conn:
        store = _Store(conn, 0, None)  # type: ignore[arg-type]
        values = " UNION ALL ".join(f"SELECT {i} AS id" for i in ids)
        got = conn.execute(
            text(f"SELECT id, {store.reference_sql('id')} FROM ({values}) t ORDER BY id")
        ).all()
    assert got == [(i, case_reference(i)) for i in ids]


def test_xlsx_import(tmp_path, sessions, creditor_id):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append(
        [
            "K-1",
            "R-1",
            date(2025, 2, 1),
            date(2025, 2, 15),
            None,
            1234.56,
            "consumer",
            "Özlem",
            "Yılmaz",
            None,
            date(1990, 1, 2),
            "Königsallee 1",
            40212,
            "Düsseldorf",
            "DE",
            None,
            None,
            None,
        ]
    )
    sheet.append(
        [
            "K-1",
            "R-2",
            date(2025, 3, 1),
            date(2025, 3, 15),
            None,
            20,
            "consumer",
            "Özlem",
            "Yılmaz",
            None,
            date(1990, 1, 2),
            "Königsallee 1",
            40212,
            "Düsseldorf",
            "DE",
            None,
            None,
            None,
        ]
    )
    path = tmp_path / "bestand.xlsx"
    book.save(path)
    report = import_file(sessions, CLI, path, creditor_id)
    assert report.ok, report.problems
    assert (report.cases_created, report.claims_created, report.format) == (1, 2, "xlsx")
    with transaction(sessions) as s:
        case = s.scalar(select(Case))
        assert [c.principal for c in case.claims] == [D("1234.56"), D("20.00")]
        assert case.debtor.last_name == "Yılmaz"
        assert case.debtor.addresses[0].city == "Düsseldorf"


def test_json_import(tmp_path, sessions, creditor_id):
    rows = [
        {
            "creditor_ref": "A-1",
            "invoice_no": "1",
            "due_date": "2025-01-31",
            "amount": "10.00",
            "debtor_type": "business",
            "company": "Müller Logistik GmbH",
            "postcode": "80331",
            "street": "Marienplatz 1",
            "city": "München",
        },
        {
            "creditor_ref": "A-2",
            "invoice_no": "2",
            "due_date": "31.01.2025",
            "amount": 12.5,
            "first_name": "Anna",
            "last_name": "Weiß",
        },
    ]
    path = tmp_path / "bestand.json"
    path.write_text(json.dumps({"rows": rows}, ensure_ascii=False), "utf-8")
    report = import_file(sessions, CLI, path, creditor_id)
    assert report.ok, report.problems
    assert (report.cases_created, report.claims_created) == (2, 2)
    with transaction(sessions) as s:
        debtors = s.scalars(select(Debtor).order_by(Debtor.id)).all()
        assert [(d.kind, d.consumer, d.company or d.last_name) for d in debtors] == [
            ("legal", False, "Müller Logistik GmbH"),
            ("natural", True, "Weiß"),
        ]


def test_mapping_file_names_other_headers(tmp_path, sessions, creditor_id):
    mapping = tmp_path / "zuordnung.yaml"
    mapping.write_text(
        "Vorgang: creditor_ref\nBeleg: invoice_no\nSaldo: amount\nKunde: last_name\n"
        "Zahlbar bis: due_date\n",
        "utf-8",
    )
    path = tmp_path / "export.csv"
    path.write_text(
        "Vorgang;Beleg;Saldo;Kunde;Zahlbar bis;Bemerkung\n"
        "V-1;B-1;1.000,00;Schäfer;28.02.2025;egal\n",
        "utf-8",
    )
    report = import_file(sessions, CLI, path, creditor_id, mapping=mapping)
    assert report.ok, report.problems
    assert report.ignored_columns == ["Bemerkung"]
    with transaction(sessions) as s:
        claim = s.scalar(select(Claim))
        # a due date alone is no ground of default (§ 286 BGB)
        assert (claim.invoice_no, claim.principal, claim.due_date, claim.default_from) == (
            "B-1",
            D("1000.00"),
            date(2025, 2, 28),
            None,
        )


BAD_ROWS = [
    f"K-1;R-1;01.02.2025;15.02.2025;;1.234,56;{MUELLER}",
    f"K-2;R-2;01.02.2025;15.02.2025;;10,00;{MUELLER.replace('DE89 3704', 'DE88 3704')}",
    f"K-3;R-3;01.02.2025;31.02.2025;;10,00;{MUELLER}",
    f"K-4;R-4;01.02.2025;15.02.2025;;-25,00;{MUELLER}",
    f"K-5;R-5;01.02.2025;15.02.2025;;10,00;{MUELLER.replace('Müller', '')}",
    f"K-1;R-1;01.02.2025;15.02.2025;;1.234,56;{MUELLER}",
    f"K-1;R-6;01.02.2025;15.02.2025;;5,00;{MUELLER.replace('Berlin', 'Potsdam')}",
]


def test_a_bad_file_reports_every_row_and_column_and_stores_nothing(
    tmp_path, sessions, engine, creditor_id
):
    before = counts(engine)
    report = import_file(sessions, CLI, csv_file(tmp_path / "bad.csv", BAD_ROWS), creditor_id)
    assert not report.ok
    assert [str(p) for p in report.problems] == [
        "Zeile 3, Spalte „IBAN“: Prüfziffer der IBAN stimmt nicht",
        "Zeile 4, Spalte „Fälligkeit“: „31.02.2025“ ist kein gültiges Datum",
        "Zeile 5, Spalte „Betrag“: Betrag ist negativ (-25,00); Gutschriften werden nicht importiert",
        "Zeile 6, Spalte „Nachname“: Nachname fehlt (Verbraucher: natürliche Person)",
        "Zeile 7, Spalte „Rechnungsnummer“: Aktenzeichen „K-1“ mit Rechnungsnummer „R-1“ steht "
        "schon in Zeile 2 (doppelt in der Datei)",
        "Zeile 8, Spalte „Ort“: Schuldnerdaten widersprechen Zeile 2 desselben Aktenzeichens "
        "„K-1“ (alle Zeilen eines Falls brauchen denselben Schuldner)",
    ]
    assert counts(engine) == before


def test_cli_exit_code_2_for_a_bad_file_and_nothing_stored(
    tmp_path, db_url, engine, creditor_id, monkeypatch, capsys
):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    before = counts(engine)
    path = csv_file(tmp_path / "bad.csv", BAD_ROWS)
    assert main(["import", str(path), "--creditor", str(creditor_id)]) == 2
    out = capsys.readouterr().out
    assert "wurde NICHT importiert: 6 Probleme; nichts gespeichert" in out
    assert "Zeile 3, Spalte „IBAN“: Prüfziffer der IBAN stimmt nicht" in out
    assert "Zeile 4, Spalte „Fälligkeit“" in out and "Zeile 5, Spalte „Betrag“" in out
    assert "Zeile 6, Spalte „Nachname“" in out
    assert main(["import", str(path), "--creditor", str(creditor_id), "--format", "json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["problems_total"] == 6
    assert data["problems"][0] == {
        "row": 3,
        "column": "iban",
        "header": "IBAN",
        "message": "Prüfziffer der IBAN stimmt nicht",
    }
    assert counts(engine) == before


def test_cli_imports_and_the_same_file_again_is_recognised(
    tmp_path, db_url, engine, creditor_id, monkeypatch, capsys
):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    path = csv_file(tmp_path / "bestand.csv", standard_rows())
    assert main(["import", str(path), "--creditor", str(creditor_id)]) == 0
    out = capsys.readouterr().out
    assert "abgeschlossen" in out and "Fälle angelegt:                 2" in out
    after_first = counts(engine)
    assert main(["import", str(path), "--creditor", str(creditor_id)]) == 0
    assert "bereits importiert" in capsys.readouterr().out
    assert counts(engine) == after_first
    assert main(["import", str(path), "--creditor", "999"]) == 2
    assert "Mandant 999 gibt es nicht" in capsys.readouterr().err


def test_same_file_twice_creates_no_duplicates(tmp_path, sessions, engine, creditor_id):
    path = csv_file(tmp_path / "bestand.csv", standard_rows())
    first = import_file(sessions, CLI, path, creditor_id)
    after_first = counts(engine)
    second = import_file(sessions, CLI, path, creditor_id)
    assert second.ok and second.already_imported
    assert second.previous_batch_id == first.batch_id
    assert second.claims_created == 0 and second.cases_created == 0
    assert counts(engine) == after_first


def test_repeated_claims_are_not_duplicated_and_changed_amounts_are_reported_not_applied(
    tmp_path, sessions, engine, creditor_id
):
    import_file(sessions, CLI, csv_file(tmp_path / "a.csv", standard_rows()), creditor_id)
    rows = [
        f"K-1;R-1;01.02.2025;15.02.2025;;1.300,00;{MUELLER}",  # changed amount
        f"K-1;R-2;01.03.2025;15.03.2025;01.04.2025;99,90;{MUELLER}",  # the same
        f"K-1;R-7;01.05.2025;15.05.2025;;42,00;{MUELLER}",  # new claim, existing case
        f"K-9;R-8;01.05.2025;15.05.2025;;7,00;{MUELLER}",  # new case, same debtor
    ]
    report = import_file(sessions, CLI, csv_file(tmp_path / "b.csv", rows), creditor_id)
    assert report.ok and not report.already_imported
    assert (report.claims_existing, report.claims_created) == (2, 2)
    assert (report.cases_created, report.cases_extended) == (1, 1)
    assert [c.as_dict() for c in report.changed_amounts] == [
        {
            "creditor_ref": "K-1",
            "invoice_no": "R-1",
            "stored_amount": "1234.56",
            "file_amount": "1300.00",
            "row": 2,
        }
    ]
    with transaction(sessions) as s:
        k1 = s.scalar(select(Case).where(Case.external_ref == "K-1"))
        assert [(c.invoice_no, c.principal) for c in k1.claims] == [
            ("R-1", D("1234.56")),
            ("R-2", D("99.90")),
            ("R-7", D("42.00")),
        ]
        assert [e.kind for e in k1.events] == ["case.created", "claim.added"]
        k9 = s.scalar(select(Case).where(Case.external_ref == "K-9"))
        assert k9.debtor_id == k1.debtor_id
        assert s.scalar(select(func.count()).select_from(Debtor)) == 2
        assert s.scalar(select(func.count()).select_from(LedgerPosting)) == 5
        batch = s.get(ImportBatch, report.batch_id)
        assert batch.report["changed_amounts"][0]["file_amount"] == "1300.00"


def test_a_stored_case_with_another_debtor_is_refused(tmp_path, sessions, engine, creditor_id):
    import_file(sessions, CLI, csv_file(tmp_path / "a.csv", standard_rows()), creditor_id)
    before = counts(engine)
    rows = [f"K-2;R-9;01.05.2025;15.05.2025;;42,00;{MUELLER}"]
    report = import_file(sessions, CLI, csv_file(tmp_path / "b.csv", rows), creditor_id)
    assert [str(p) for p in report.problems] == [
        "Zeile 2, Spalte „Aktenzeichen“: Fall „K-2“ ist schon mit einem anderen Schuldner gespeichert"
    ]
    assert counts(engine) == before


def test_one_person_across_two_creditors(tmp_path, sessions, creditor_id):
    with transaction(sessions) as s:
        other = accounts.add_creditor(s, CLI, "Versandhaus Süd").id
    import_file(sessions, CLI, csv_file(tmp_path / "a.csv", standard_rows()), creditor_id)
    # the same person, spelled differently, at another creditor
    variant = MUELLER.replace("Jürgen;Müller", "JUERGEN;Mueller")
    rows = [f"X-1;77;01.02.2025;15.02.2025;;50,00;{variant}"]
    report = import_file(sessions, CLI, csv_file(tmp_path / "b.csv", rows), other)
    assert report.ok
    with transaction(sessions) as s:
        debtors = s.scalars(select(Debtor).where(Debtor.kind == "natural")).all()
        assert sorted(d.creditor_id for d in debtors) == sorted([creditor_id, other])
        assert len({d.person_id for d in debtors}) == 1
        assert s.scalar(select(func.count()).select_from(Person)) == 2  # Müller and the GmbH


def test_import_finds_a_debtor_created_through_the_api_path(tmp_path, sessions, creditor_id):
    with transaction(sessions) as s:
        debtor = cases.DebtorInput(
            kind="natural",
            consumer=True,
            first_name="Jürgen",
            last_name="Müller",
            birth_date=date(1980, 5, 17),
        )
        made = cases.create_case(
            s,
            CLI,
            creditor_id,
            cases.CaseInput(
                external_ref="API-1",
                debtor=debtor,
                claims=(cases.ClaimInput("A", D("1.00"), date(2025, 1, 1)),),
            ),
        )
        debtor_id = made.debtor_id
    report = import_file(sessions, CLI, csv_file(tmp_path / "a.csv", standard_rows()), creditor_id)
    assert report.ok
    with transaction(sessions) as s:
        k1 = s.scalar(select(Case).where(Case.external_ref == "K-1"))
        assert k1.debtor_id == debtor_id
        assert s.scalar(select(func.count()).select_from(Address)) == 1  # only the GmbH's
        assert s.scalar(select(func.count()).select_from(ContactPoint)) == 0
        assert s.scalar(select(func.count()).select_from(BankAccount)) == 0


def test_unreadable_and_unsupported_files(tmp_path, sessions, creditor_id):
    odd = tmp_path / "bestand.pdf"
    odd.write_bytes(b"%PDF-1.4")
    report = import_file(sessions, CLI, odd, creditor_id)
    assert "wird nicht unterstützt" in str(report.problems[0])
    broken = tmp_path / "bestand.xlsx"
    broken.write_bytes(b"not a zip")
    report = import_file(sessions, CLI, broken, creditor_id)
    assert "keine lesbare XLSX-Datei" in str(report.problems[0])
    headerless = tmp_path / "x.csv"
    headerless.write_text("a;b\n1;2\n", "utf-8")
    report = import_file(sessions, CLI, headerless, creditor_id)
    assert len(report.problems) == 5 and not report.ok
