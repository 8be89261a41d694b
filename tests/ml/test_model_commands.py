"""Train from the store, audit, activate (with and without override), score with reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.ml._store_helpers import creditors, runtime_for

from mahnwerk.ml.fairness import AuditLimits
from mahnwerk.ml.model import TrainConfig
from mahnwerk.ml.simulator import simulate
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.services.scoring.scores import (
    ScoringError,
    activate_model,
    audit_model,
    decisions_for_case,
    score_open_cases,
    train_model,
)
from mahnwerk.services.scoring.simulation import write_simulation
from mahnwerk.store.db import transaction
from mahnwerk.store.scoring import CaseScore, DriftReport, ModelVersion
from mahnwerk.store.workflow import Approval, OutboxMessage, Task

GATED = ("court_handover", "enforcement", "write_off", "credit_bureau_report")


def test_train_audit_activate_score(engine, sessions, tmp_path) -> None:
    rt = runtime_for(engine, sessions, tmp_path)
    sim = simulate(3000, seed=21)
    write_simulation(rt, sim, creditors=creditors(rt), faker_seed=3)
    as_of = sim.histories.as_of.date()
    with transaction(rt.sessions) as s:
        accounts.add_user(s, CLI, "compliance@example.org", "sehr-geheim-123", "compliance")
        accounts.add_user(s, CLI, "agent@example.org", "sehr-geheim-123", "agent")

    row = train_model(
        rt,
        as_of,
        config=TrainConfig(num_threads=1, n_estimators=80),
        today=as_of + timedelta(days=200),
    )
    assert row.metrics["pay_30d"]["auc"] > 0.62  # trivial baseline: 0.5
    assert (tmp_path / row.path / "metadata.json").exists()

    with pytest.raises(ScoringError, match="nicht geprüft"):
        activate_model(rt, row.version)
    strict = AuditLimits(max_dp_difference=0.0, max_eo_difference=0.0, min_group_size=10)
    out = audit_model(rt, row.version, limits=strict)
    assert not out.passed and out.html_path.exists()
    assert out.pdf_path is not None and out.pdf_path.read_bytes()[:4] == b"%PDF"
    with pytest.raises(ScoringError, match="nicht bestanden"):
        activate_model(rt, row.version)
    with pytest.raises(ScoringError, match="compliance"):
        activate_model(
            rt,
            row.version,
            override_reason="Grenzwerte im Test absichtlich 0",
            by="agent@example.org",
        )
    reason = "Grenzwerte im Test absichtlich auf 0 gesetzt; Abweichung fachlich geprüft"
    active = activate_model(rt, row.version, override_reason=reason, by="compliance@example.org")
    assert active.status == "active"
    with rt.sessions() as s:
        stored = s.scalar(select(ModelVersion).where(ModelVersion.version == row.version))
        assert stored is not None
        assert stored.override_reason == reason and stored.override_by == "compliance@example.org"
        before = {
            "approvals": s.scalar(select(func.count()).select_from(Approval)),
            "outbox": s.scalar(select(func.count()).select_from(OutboxMessage)),
        }

    day = as_of + timedelta(days=1)
    summary = score_open_cases(rt, day)
    assert summary is not None and summary.scored > 0
    with rt.sessions() as s:
        scores = list(s.scalars(select(CaseScore)))
        assert len(scores) == summary.scored
        assert all(sc.model_version == row.version for sc in scores)
        assert all(sc.reason_1 and sc.reason_2 and sc.reason_3 for sc in scores)
        assert len({sc.priority for sc in scores}) == len(scores)
        assert s.scalar(select(func.count()).select_from(DriftReport)) == 1
        # a low score never starts a legal step: no approvals, no outbox messages, only tasks
        lowest = min(scores, key=lambda sc: sc.p_pay_30d)
        assert s.scalar(select(func.count()).select_from(Approval)) == before["approvals"]
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == before["outbox"]
        assert not list(s.scalars(select(Approval).where(Approval.stage.in_(GATED))))
        kinds = set(s.scalars(select(Task.kind)))
        assert kinds <= {"early_warning"}
        decisions = decisions_for_case(s, lowest.case_id)
        assert decisions and decisions[0]["model_version"] == row.version
        assert len(decisions[0]["reasons"]) == 3
    # scoring the same day again replaces, never duplicates
    score_open_cases(rt, day)
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CaseScore)) == summary.scored
