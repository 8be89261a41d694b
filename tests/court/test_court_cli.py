"""The commands: mahnwerk court prepare | export | import | review | applicant, and
mahnwerk approvals approve --by (four-eyes), with German output and exit codes."""

from __future__ import annotations

from datetime import date

import pytest
from court_support import KENNZIFFER, case_ref, court_file, make_case, make_creditor, msg_mb_issued
from sqlalchemy import select

from mahnwerk.cli import main
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.workspace import workflow
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Creditor
from mahnwerk.store.workflow import Approval


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MAHNWERK_EDA_KENNZIFFER", KENNZIFFER)
    monkeypatch.delenv("MAHNWERK_EDA_OUTBOX", raising=False)
    monkeypatch.delenv("MAHNWERK_EDA_INBOX", raising=False)
    return tmp_path / "var"


def users(sessions) -> None:
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, "agent@inkasso.example", "geheim-geheim-1", "agent")
        accounts.add_user(s, CLI, "lead@inkasso.example", "geheim-geheim-2", "teamlead")


def test_prepare_approve_export_import(env, sessions, capsys):
    users(sessions)
    case_id = make_case(sessions, make_creditor(sessions))
    ref = case_ref(sessions, case_id)
    assert (
        main(["court", "prepare", ref, "--date", "2026-03-02", "--by", "agent@inkasso.example"])
        == 0
    )
    out = capsys.readouterr().out
    assert f"Mahnbescheid vorbereitet: {ref}, 1250.00 € Hauptforderung, Amtsgericht Uelzen" in out
    with sessions() as s:
        approval = s.scalars(select(Approval)).one()
    assert main(["approvals", "list"]) == 0
    assert f"{approval.id:>6}  {ref}  court_handover" in capsys.readouterr().out

    args = ["approvals", "approve", str(approval.id), "--reason", "geprüft"]
    assert main([*args, "--by", "agent@inkasso.example"]) == 2
    assert "Vier-Augen-Prinzip" in capsys.readouterr().err
    assert main([*args, "--by", "nobody@inkasso.example"]) == 2
    assert "keinen aktiven Benutzer" in capsys.readouterr().err
    assert main([*args, "--by", "lead@inkasso.example"]) == 0
    assert f"Freigabe {approval.id} erteilt" in capsys.readouterr().out

    assert main(["court", "export", "--date", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    outbox = env / "eda" / "out"
    (written,) = sorted(outbox.glob("*.EDA"))
    assert f"{written}  (1 Anträge, Satzart 01)" in out
    assert written.read_bytes()[:10] == b"AA" + KENNZIFFER.encode()
    assert list(outbox.glob(".*.tmp")) == []
    assert main(["court", "export", "--date", "2026-03-03"]) == 0
    assert "keine Datei geschrieben" in capsys.readouterr().out

    reply = env / "K03.EDA"
    reply.write_bytes(court_file("03", [msg_mb_issued(ref, "26123456701", date(2026, 3, 4))]))
    assert main(["court", "import", str(reply), "--date", "2026-03-05"]) == 0
    out = capsys.readouterr().out
    assert "K03.EDA: 1 Nachricht(en) verarbeitet" in out
    assert (
        "Mahnbescheid erlassen am 04.03.2026 (Geschäftsnummer 26123456701); Kosten 149.60 € gebucht."
        in out
    )
    assert main(["court", "import", str(reply)]) == 0
    assert "schon eingelesen, nichts geändert" in capsys.readouterr().out


def test_the_inbox_and_a_refused_file(env, sessions, capsys):
    inbox = env / "eda" / "in"
    inbox.mkdir(parents=True)
    (inbox / "unknown.EDA").write_bytes(
        court_file("03", [msg_mb_issued("XX-1", "26999999901", date(2026, 3, 4))])
    )
    (inbox / "broken.EDA").write_bytes(b"AA" + b" " * 100)
    assert main(["court", "import"]) == 2
    captured = capsys.readouterr()
    assert "broken.EDA abgelehnt, nichts eingelesen: Datei: Länge 102" in captured.err
    assert "1 ohne Zuordnung" in captured.out
    assert (inbox / "done" / "unknown.EDA").exists()
    assert (inbox / "failed" / "broken.EDA").exists()
    assert "Länge 102" in (inbox / "failed" / "broken.EDA.fehler.txt").read_text()
    assert main(["court", "review"]) == 0
    assert "XX-1" in capsys.readouterr().out


def test_a_case_that_cannot_go_to_court_exits_2_with_every_reason(env, sessions, capsys):
    case_id = make_case(sessions, make_creditor(sessions), street=None, postcode=None, city=None)
    with transaction(sessions) as s:
        workflow.open_dispute(s, CLI, case_id, "bestritten")
    assert main(["court", "prepare", case_ref(sessions, case_id)]) == 2
    err = capsys.readouterr().err
    assert "kann nicht ins gerichtliche Mahnverfahren" in err
    assert "  - Widerspruch/Einwand des Schuldners offen" in err
    assert "  - keine Anschrift des Schuldners" in err


def test_the_creditors_court_data(env, sessions, capsys):
    creditor = make_creditor(sessions, court=None)
    assert main(["court", "applicant", str(creditor), "--legal-form", "GmbH"]) == 0
    out = capsys.readouterr().out
    assert "noch offen: gesetzlicher Vertreter" in out and "Bundesland des Mandanten fehlt" in out
    assert main([
        "court", "applicant", str(creditor), "--land", "NI", "--counter-performance", "rendered",
        "--representative", "Geschäftsführerin: Dr. Hanna Berg", "--catalogue", "43",
    ]) == 0  # fmt: skip
    assert "noch offen" not in capsys.readouterr().out
    with sessions() as s:
        court = s.get(Creditor, creditor).settings["court"]
    assert court["representatives"] == [{"function": "Geschäftsführerin", "name": "Dr. Hanna Berg"}]
    assert main(["court", "applicant", str(creditor), "--representative", "ohne Doppelpunkt"]) == 2


def test_the_worker_picks_up_the_inbox(env, sessions):
    """The periodic job ``court_replies`` imports what the beA/EGVP client dropped, once."""
    from datetime import UTC, datetime

    from mahnwerk.bootstrap import build
    from mahnwerk.jobs import periodic
    from mahnwerk.store.court import CourtReply

    runtime = build()
    now = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    periodic.court_replies(runtime, now, "slot")  # no inbox yet: nothing happens
    assert not (env / "eda" / "in").exists()

    inbox = env / "eda" / "in"
    inbox.mkdir(parents=True)
    data = court_file("03", [msg_mb_issued("XX-2", "26999999902", date(2026, 3, 4))])
    (inbox / "K03.EDA").write_bytes(data)
    (inbox / ".K04.EDA.part").write_bytes(b"still being written")
    periodic.court_replies(runtime, now, "slot")
    assert (inbox / "done" / "K03.EDA").read_bytes() == data
    assert (inbox / ".K04.EDA.part").exists()
    (inbox / "again.EDA").write_bytes(data)
    periodic.court_replies(runtime, now, "slot")
    with sessions() as s:
        assert [r.filename for r in s.scalars(select(CourtReply))] == ["K03.EDA"]
    assert (inbox / "done" / "again.EDA").exists()
    assert "court_replies" in periodic.REGISTRY
