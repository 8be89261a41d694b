"""``mahnwerk assistant reply`` prints what the chat would say and does what the portal
would do; JSON with intent, confidence, entities, reply, handover and actions."""

from __future__ import annotations

import json

from sqlalchemy import select

from mahnwerk.cli import main
from mahnwerk.store.models import Case
from mahnwerk.store.workflow import CaseFlag, PaymentPlan


def run(capsys, *args):
    code = main(["assistant", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_reply_as_json_records_what_the_portal_would(
    monkeypatch, capsys, db_url, sessions, case_id, model, tmp_path
):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MAHNWERK_SECRET_KEY", "k")
    with sessions() as s:
        reference = s.get(Case, case_id).reference
    code, out, _ = run(
        capsys, "reply", "--case", reference, "--text", "ich zahl nächsten freitag",
        "--format", "json", "--today", "2026-01-12",
    )  # fmt: skip
    answer = json.loads(out)
    assert code == 0
    assert set(answer) >= {"intent", "confidence", "entities", "reply", "handover", "actions"}
    assert answer["intent"] == "promise" and answer["handover"] is False
    assert 0.0 <= answer["confidence"] <= 1.0
    assert answer["entities"]["date"] == "2026-01-16"
    assert answer["actions"][0]["kind"] == "promise_recorded"
    with sessions() as s:
        (plan,) = s.scalars(select(PaymentPlan).where(PaymentPlan.case_id == case_id)).all()
        assert plan.start.isoformat() == "2026-01-16"
    code, out, _ = run(
        capsys, "reply", "--case", reference, "--text", "mein Vater ist verstorben",
        "--conversation", str(answer["conversation_id"]), "--format", "json",
    )  # fmt: skip
    second = json.loads(out)
    assert second["conversation_id"] == answer["conversation_id"]
    assert second["intent"] == "deceased" and second["handover"] is True
    with sessions() as s:
        assert [f.kind for f in s.scalars(select(CaseFlag))] == ["deceased"]


def test_a_bad_reference_is_refused(monkeypatch, capsys, db_url, tmp_path):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MAHNWERK_SECRET_KEY", "k")
    code, _, err = run(capsys, "reply", "--case", "MW-00000001-00", "--text", "hallo")
    assert code == 2 and "kein gültiges Aktenzeichen" in err
    code, _, err = run(capsys, "reply", "--case", "MW-00000999-11", "--text", "hallo")
    assert code == 2 and "gibt es nicht" in err
