"""The commands title, enforcement and insolvency (German output, exit code 2 on bad input)."""

from __future__ import annotations

from datetime import date

import pytest
from enforcement_support import pdf_text
from sqlalchemy import select

from mahnwerk.cli import main
from mahnwerk.store.court import Title
from mahnwerk.store.models import Case


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MAHNWERK_AGENCY_NAME", "Inkasso Nord GmbH")
    monkeypatch.setenv("MAHNWERK_AGENCY_ADDRESS", "Ballindamm 17, 20095 Hamburg")
    monkeypatch.setenv("MAHNWERK_GKG_KV2111", "24.00")


def ref(sessions, case_id):
    with sessions() as s:
        return s.get(Case, case_id).reference


def test_title_add_list_and_forms(env, sessions, store_case, capsys, tmp_path):
    case = ref(sessions, store_case("K-CLI"))
    code = main(
        [
            "title",
            "add",
            case,
            "--kind",
            "vollstreckungsbescheid",
            "--court",
            "Amtsgericht Wedding",
            "--file-no",
            "25-1111111-0-2",
            "--issued",
            "2025-06-02",
            "--final",
            "2025-06-20",
            "--interest",
            "base_plus:5",
            "--costs",
            "93.40",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Verjährung des Titels: mit Ablauf des 20.06.2055" in out
    assert (
        main(
            [
                "title",
                "add",
                case,
                "--kind",
                "urteil",
                "--court",
                "AG",
                "--file-no",
                "1",
                "--issued",
                "2025-06-02",
                "--interest",
                "fixed:x",
            ]
        )
        == 2
    )
    assert "Zinssatz 'fixed:x'" in capsys.readouterr().err
    assert main(["title", "list", case, "--date", "2026-03-31"]) == 0
    assert "Titel" in capsys.readouterr().out

    out_pdf = tmp_path / "gv.pdf"
    assert (
        main(
            [
                "enforcement",
                "form",
                case,
                "--kind",
                "gv_auftrag",
                "--out",
                str(out_pdf),
                "--date",
                "2026-03-31",
            ]
        )
        == 0
    )
    text = " ".join(pdf_text(out_pdf.read_bytes()).split())
    assert "Vollstreckungsauftrag an Gerichtsvollzieher" in text and "25-1111111-0-2" in text
    assert (
        main(["enforcement", "form", case, "--kind", "pfueb", "--out", str(tmp_path / "p.pdf")])
        == 2
    )
    assert "Drittschuldner fehlt" in capsys.readouterr().err
    assert (
        main(
            [
                "enforcement",
                "form",
                case,
                "--kind",
                "pfueb",
                "--out",
                str(tmp_path / "p.pdf"),
                "--drittschuldner",
                "Sparkasse Berlin, Alexanderplatz 2, 10178 Berlin",
                "--bank",
            ]
        )
        == 0
    )
    assert "Sparkasse Berlin" in pdf_text((tmp_path / "p.pdf").read_bytes())


def test_propose_approve_and_history(env, sessions, store_case, capsys):
    case = ref(sessions, store_case("K-PROP"))
    assert main(["enforcement", "propose", case]) == 0
    assert "kein Vollstreckungstitel" in capsys.readouterr().out
    main(
        [
            "title",
            "add",
            case,
            "--kind",
            "urteil",
            "--court",
            "AG München",
            "--file-no",
            "123 C 45/25",
            "--issued",
            "2025-09-01",
            "--final",
            "2025-10-06",
        ]
    )
    main(
        [
            "enforcement",
            "employer",
            case,
            "--name",
            "Muster AG",
            "--address",
            "Ring 1, 80331 München",
            "--income",
            "2500.00",
            "--dependants",
            "1",
        ]
    )
    capsys.readouterr()
    assert main(["enforcement", "propose", case]) == 0
    out = capsys.readouterr().out
    assert "Vorschlag: Lohnpfändung" in out and "KV 2111" in out and "24.00 €" in out
    approval = int(out.rsplit("Freigabe ", 1)[1].split()[0])
    assert main(["approvals", "approve", str(approval), "--reason", "ok"]) == 0
    assert (
        main(
            [
                "enforcement",
                "outcome",
                case,
                "--kind",
                "third_party_negative",
                "--on",
                "2026-01-10",
                "--measure",
                "1",
            ]
        )
        == 0
    )
    assert main(["enforcement", "history", case]) == 0
    assert "Drittschuldnererklärung: nichts zu pfänden" in capsys.readouterr().out
    with pytest.raises(SystemExit) as err:  # argparse refuses an unknown kind
        main(["enforcement", "outcome", case, "--kind", "unknown", "--on", "2026-01-10"])
    assert err.value.code == 2


def test_insolvency_import_twice_review_and_filing(env, sessions, store_case, capsys, tmp_path):
    case = ref(sessions, store_case("K-INS"))
    notices = tmp_path / "heute.csv"
    notices.write_text(
        "court;file_number;date;kind;last_name;first_name;birth_date;postcode\n"
        "AG Charlottenburg;36 IK 1/26;2026-03-02;Eröffnung;Meier;Hans;01.05.1980;10115\n"
        "AG Charlottenburg;36 IK 2/26;2026-03-02;Eröffnung;Meyer;Hans;01.05.1980;10115\n",
        encoding="utf-8",
    )
    assert main(["insolvency", "import", str(notices), "--format", "json"]) == 0
    first = capsys.readouterr().out
    assert '"sure": 1' in first and '"probable": 1' in first
    assert main(["insolvency", "import", str(notices), "--format", "json"]) == 0
    again = capsys.readouterr().out
    assert '"new": 0' in again and '"duplicates": 2' in again
    assert main(["insolvency", "review", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Hans Meyer ↔ Hans Meier" in listed
    match = listed.split()[0]
    assert main(["insolvency", "review", "reject", match]) == 0
    out = tmp_path / "anmeldung.pdf"
    assert main(["insolvency", "filing", case, "--out", str(out)]) == 0
    assert "Anmeldung einer Forderung zur Insolvenztabelle" in " ".join(
        pdf_text(out.read_bytes()).split()
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("court;file_number;date;kind;last_name\nAG;1;gestern;Eröffnung;X\n")
    assert main(["insolvency", "import", str(bad)]) == 2
    assert "bad.csv, Zeile 2, Feld date" in capsys.readouterr().err


def test_title_import_file_whole_or_nothing(
    env, sessions, store_case, creditor_id, capsys, tmp_path
):
    store_case("EXT-1")
    store_case("EXT-2", last_name="Klein")
    good = tmp_path / "titel.csv"
    good.write_text(
        "case;kind;court;file_no;issued;final;principal;interest_from;interest;costs\n"
        "EXT-1;vollstreckungsbescheid;AG Hünfeld;24-1;2024-05-02;2024-05-20;1000.00;2024-01-01;base_plus:5;80.00\n"
        "EXT-2;urteil;AG Köln;12 C 3/24;2024-07-01;2024-08-01;;;;\n",
        encoding="utf-8",
    )
    bad = tmp_path / "titel-bad.csv"
    bad.write_text(good.read_text().replace("EXT-2", "EXT-9"), encoding="utf-8")
    assert main(["title", "import", str(bad), "--creditor", str(creditor_id)]) == 2
    assert "Zeile 3, Feld case: Fall 'EXT-9' unbekannt" in capsys.readouterr().err
    with sessions() as s:
        assert s.scalars(select(Title)).all() == []
    assert main(["title", "import", str(good), "--creditor", str(creditor_id)]) == 0
    assert "2 Titel erfasst, 0 schon bekannt" in capsys.readouterr().out
    assert main(["title", "import", str(good), "--creditor", str(creditor_id)]) == 0
    assert "0 Titel erfasst, 2 schon bekannt" in capsys.readouterr().out
    with sessions() as s:
        second = s.scalars(select(Title).where(Title.file_number == "12 C 3/24")).one()
        assert second.principal == 1000 and second.interest == "statutory"
        assert second.interest_from == date(2025, 1, 1)
