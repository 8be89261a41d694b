"""The import reads what issue 17 needs: claim kind and origin (§ 288 Abs. 2 BGB), the ground
of default (the creditor's reminder, the § 286 Abs. 3 notice), the contract's subject and date
(§ 13a Abs. 1 Nr. 2 RDG); a claim without a ground of default is not in default."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.portfolio.importing import import_file
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case

HEADER = (
    "Aktenzeichen;Rechnungsnummer;Rechnungsdatum;Fälligkeit;Betrag;Schuldnerart;Nachname;Firma;"
    "Forderungsart;Entstehung;Mahnung vom;Verzugshinweis;Vertragsgegenstand;Vertragsdatum"
)


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "bestand.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def creditor(sessions) -> int:
    with transaction(sessions) as s:
        return accounts.add_creditor(s, CLI, "Stadtwerke Nord").id


def test_kind_origin_reminder_notice_and_contract_are_imported(tmp_path, sessions):
    cid = creditor(sessions)
    path = write(
        tmp_path,
        # the creditor's reminder of 10.03.2025 arrives 14.03.: interest from 15.03.2025
        "K-1;R-1;15.02.2025;01.03.2025;100,00;Verbraucher;Meier;;;;10.03.2025;;"
        "Stromliefervertrag Tarif Basis;01.03.2023",
        # the invoice of 15.02. carried the § 286 Abs. 3 notice: received 19.02., due 01.03.:
        # 30 days from 01.03. end on 31.03., interest from 01.04.2025
        "K-1;R-2;15.02.2025;01.03.2025;200,00;Verbraucher;Meier;;Entgelt;;;ja;;",
        # no ground at all: not in default
        "K-1;R-3;15.02.2025;01.03.2025;300,00;Verbraucher;Meier;;;;;;;",
        # damages against a business, arisen before 29.07.2014: § 286 Abs. 3 does not apply
        "K-2;S-1;15.02.2025;01.03.2025;400,00;Unternehmer;;Bau GmbH;Schadensersatz;01.06.2014;;;;",
    )
    report = import_file(sessions, CLI, path, cid)
    assert report.ok, report.problems
    with sessions() as s:
        k1 = s.scalar(select(Case).where(Case.external_ref == "K-1"))
        r1, r2, r3 = k1.claims
        assert (r1.reminder_date, r1.default_from) == (date(2025, 3, 10), date(2025, 3, 15))
        assert "Mahnung des Gläubigers vom 10.03.2025" in r1.default_ground
        assert (r1.contract_subject, r1.contract_date) == (
            "Stromliefervertrag Tarif Basis",
            date(2023, 3, 1),
        )
        assert (r2.notice_286_3, r2.default_from) == (True, date(2025, 4, 1))
        assert (r3.default_from, r3.default_ground) == (None, "")
        assert [c.kind for c in k1.claims] == ["entgelt", "entgelt", "entgelt"]
        k2 = s.scalar(select(Case).where(Case.external_ref == "K-2"))
        (s1,) = k2.claims
        assert (s1.kind, s1.origin, s1.default_from) == ("other", date(2014, 6, 1), None)


def test_bad_grounds_of_default_are_refused_naming_row_and_column(tmp_path, sessions):
    cid = creditor(sessions)
    path = write(
        tmp_path,
        "K-1;R-1;15.02.2025;01.03.2025;100,00;Verbraucher;Meier;;;;01.02.2025;;;",
        "K-1;R-2;;01.03.2025;100,00;Verbraucher;Meier;;;;;ja;;",
        "K-1;R-3;15.02.2025;01.03.2025;100,00;Verbraucher;Meier;;Zinsen;;;;;",
        "K-1;R-4;15.02.2025;01.03.2025;100,00;Verbraucher;Meier;;Schadensersatz;;;ja;;",
        "K-1;R-5;15.02.2025;01.03.2025;100,00;Verbraucher;Meier;;;;;vielleicht;;",
    )
    report = import_file(sessions, CLI, path, cid)
    assert not report.ok
    found = [(p.row, p.column) for p in report.problems]
    assert found == [
        (2, "reminder_date"),  # a reminder before the due date (§ 286 Abs. 1 BGB)
        (3, "invoice_date"),  # § 286 Abs. 3 counts from the receipt of the invoice
        (4, "claim_kind"),
        (5, "notice_286_3"),  # only for an Entgeltforderung
        (6, "notice_286_3"),
    ]
    assert "liegt vor der Fälligkeit" in report.problems[0].message
