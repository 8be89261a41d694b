"""Model versions and scores: train from the store, audit, activate, score the open cases.

* :func:`train_model` – features and targets from
  :func:`~mahnwerk.services.scoring.ml_data.load_histories` at ``as_of`` (default: 180 days
  ago, so the whole outcome window is observed), a versioned artefact under
  ``settings.var_dir/models/<version>/`` (boosters, calibration, model card, behavioural
  segments, a reference sample for drift) and a ``model_version`` row.
* :func:`audit_model` – the fairness audit on the held-out test split of the training
  snapshot, with protected attributes read from ``protected_attribute`` (and nowhere else);
  HTML, JSON and PDF report, a ``model_audit`` row.
* :func:`activate_model` – only an audited version; after a failed audit only with a written
  reason by an active compliance user, stored on the version.
* :func:`score_open_cases` – the active model scores every open case (batch TreeSHAP for the
  reasons of all cases at once), stores ``case_score`` rows with version, three German reasons,
  segment and queue rank, a ``drift_report`` and turns early warnings into tasks for people.

Scores only order the agents' work. Nothing here creates an approval, an outbox message, a
stage change, a court or enforcement step, a credit-bureau report or a write-off.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from mahnwerk.ml.drift import any_alert, drift_report
from mahnwerk.ml.fairness import (
    ATTRIBUTE_DE,
    METRIC_DE,
    AuditLimits,
    audit,
    protected_for_cases,
)
from mahnwerk.ml.features import FeatureConfig, build_features
from mahnwerk.ml.model import PaymentModel, TrainConfig, split_by_group, train_from_histories
from mahnwerk.ml.segments import Segmenter
from mahnwerk.ml.targets import build_targets
from mahnwerk.ml.warnings import early_warnings
from mahnwerk.services.actor import today_in_germany, utcnow
from mahnwerk.services.scoring.ml_data import as_of_end_of, load_histories, load_protected
from mahnwerk.services.workspace.workflow import add_task
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, User
from mahnwerk.store.scoring import CaseScore, DriftReport, ModelAudit, ModelVersion
from mahnwerk.store.workflow import Task

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime

OUTCOME_DAYS = 180
REFERENCE_ROWS = 20_000
#: minimum length of a compliance override reason
MIN_REASON = 20


class ScoringError(ValueError):
    """A model command that cannot be done (message in German)."""


def models_dir(runtime: Runtime) -> Path:
    return runtime.settings.var_dir / "models"


# ------------------------------------------------------------------------------ train


def train_model(
    runtime: Runtime,
    as_of: date | None = None,
    *,
    config: TrainConfig | None = None,
    today: date | None = None,
) -> ModelVersion:
    """Train on the store as seen at ``as_of`` (end of day); returns the new version row."""
    today = today or today_in_germany()
    as_of = as_of or today - timedelta(days=OUTCOME_DAYS)
    t = pd.Timestamp(as_of)
    histories = load_histories(runtime.engine, t)
    if len(histories.cases) < 200:
        raise ScoringError(
            f"zu wenige Fälle zum Trainieren ({len(histories.cases)} offen am {as_of:%d.%m.%Y})"
        )
    cfg = config or TrainConfig(num_threads=2)
    model, feats, _targets = train_from_histories(histories, cfg)
    root = models_dir(runtime)
    path = model.save(root)
    seg = Segmenter.fit(feats, k=min(7, max(2, len(feats) // 200)), seed=cfg.seed)
    (path / "segments.json").write_text(seg.to_json(), encoding="utf-8")
    ref = feats.sample(min(REFERENCE_ROWS, len(feats)), random_state=0)
    scored = model.score(ref, reasons=False)
    ref = ref.assign(p_pay_30d=scored["p_pay_30d"].to_numpy())
    ref.to_csv(path / "reference.csv.gz", index=False)
    window = model.metadata.get("data_window", {})
    with transaction(runtime.sessions) as s:
        row = ModelVersion(
            version=model.version,
            path=str(path.relative_to(runtime.settings.var_dir)),
            trained_at=utcnow(),
            data_from=date.fromisoformat(window["from"]) if window.get("from") else None,
            data_to=date.fromisoformat(window["to"]) if window.get("to") else None,
            as_of=as_of,
            n_cases=len(feats),
            metrics=_short_metrics(model.metadata["metrics"]),
            status="trained",
        )
        existing = s.scalar(select(ModelVersion).where(ModelVersion.version == model.version))
        if existing is not None:
            return existing
        s.add(row)
        s.flush()
        s.expunge(row)
    return row


def _short_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for target, m in metrics.items():
        out[target] = {k: v for k, v in m.items() if not isinstance(v, list | dict)}
    return out


def load_model(runtime: Runtime, row: ModelVersion) -> PaymentModel:
    key = (str(runtime.settings.var_dir), row.version)
    model = _CACHE.get(key)
    if model is None:
        model = PaymentModel.load(runtime.settings.var_dir / row.path)
        _CACHE.clear()
        _CACHE[key] = model
    return model


_CACHE: dict[tuple[str, str], PaymentModel] = {}


def _version(s: Session, version: str) -> ModelVersion:
    row = s.scalar(select(ModelVersion).where(ModelVersion.version == version))
    if row is None:
        raise ScoringError(f"Modellversion {version} gibt es nicht")
    return row


def list_models(s: Session) -> list[ModelVersion]:
    return list(s.scalars(select(ModelVersion).order_by(ModelVersion.trained_at.desc())))


def active_model(s: Session) -> ModelVersion | None:
    return s.scalar(select(ModelVersion).where(ModelVersion.status == "active"))


# ------------------------------------------------------------------------------ audit


@dataclass
class AuditOutcome:
    version: str
    passed: bool
    html_path: Path
    pdf_path: Path | None
    failed: list[dict[str, Any]] = field(default_factory=list)


def audit_model(
    runtime: Runtime, version: str, *, limits: AuditLimits | None = None
) -> AuditOutcome:
    """Fairness audit of ``version`` on its held-out test split; HTML, JSON and PDF."""
    from mahnwerk.documents.model_audit import render_audit_pdf

    with runtime.sessions() as s:
        row = _version(s, version)
        s.expunge(row)
    model = load_model(runtime, row)
    t = pd.Timestamp(row.as_of) if row.as_of else pd.Timestamp(today_in_germany())
    h = load_histories(runtime.engine, t)
    cfg = model.metadata.get("params", {})
    feats = build_features(h, FeatureConfig(include_age=bool(model.metadata.get("age_used"))))
    y = build_targets(h)["pay_30d"].loc[feats.index]
    persons = h.cases.set_index("case_id")["person_id"].reindex(feats.index).to_numpy()
    part = split_by_group(
        persons,
        float(cfg.get("calibration_share", 0.2)),
        float(cfg.get("test_share", 0.2)),
        int(cfg.get("seed", 0)),
    )
    test = part == 2
    on_all = bool(test.sum() < 5000)
    if on_all:  # small portfolios: group metrics on the test split alone are mostly noise
        test = np.ones(len(part), dtype=bool)
    x = feats[test]
    scores = pd.Series(model.predict(x, "pay_30d"), index=x.index)
    protected = protected_for_cases(h.cases, load_protected(runtime.engine))
    result = audit(
        scores,
        y[test],
        protected,
        model_version=version,
        limits=limits,
        feature_names=model.feature_names,
        age_allowed=bool(model.metadata.get("age_used")),
    )
    if on_all:
        result.notes.append(
            "Geprüft auf dem ganzen Stichtagsbestand (Testanteil unter 5.000 Fällen) – "
            "(audited on the whole snapshot: the test split is too small)"
        )
    folder = runtime.settings.var_dir / row.path / "audit"
    html = result.save(folder)
    data = result.to_dict()
    meta = dict(model.metadata) | {"audited_at": f"{utcnow():%d.%m.%Y %H:%M} UTC"}
    pdf_path: Path | None = folder / "fairness_audit.pdf"
    try:
        assert pdf_path is not None
        pdf_path.write_bytes(render_audit_pdf(data, meta, {**METRIC_DE, **ATTRIBUTE_DE}))
    except Exception as exc:  # the PDF is a copy; the HTML report stands on its own
        result.notes.append(f"PDF nicht erzeugt: {exc}")
        pdf_path = None
    var = runtime.settings.var_dir
    with transaction(runtime.sessions) as s:
        s.add(
            ModelAudit(
                model_version=version,
                created_at=utcnow(),
                html_path=str(html.relative_to(var)),
                pdf_path=str(pdf_path.relative_to(var)) if pdf_path else None,
                passed=result.passed,
                details=json.loads(json.dumps(data, default=str)),
            )
        )
        _version(s, version).audit_passed = result.passed
    failed = json.loads(result.failed_checks().to_json(orient="records"))
    return AuditOutcome(version, result.passed, html, pdf_path, failed)


# --------------------------------------------------------------------------- activate


def activate_model(
    runtime: Runtime,
    version: str,
    *,
    override_reason: str | None = None,
    by: str | None = None,
) -> ModelVersion:
    """Make ``version`` the active model (the previous one is retired).

    Refused without an audit; refused after a failed audit unless an active compliance user
    (``by``, e-mail) gives a written reason (at least :data:`MIN_REASON` characters), which is
    stored with the version.
    """
    with transaction(runtime.sessions) as s:
        row = _version(s, version)
        if row.audit_passed is None:
            raise ScoringError(
                f"Version {version} ist nicht geprüft: erst `mahnwerk model audit {version}`"
            )
        if not row.audit_passed:
            if not override_reason or len(override_reason.strip()) < MIN_REASON:
                raise ScoringError(
                    f"Fairness-Prüfung von {version} nicht bestanden: Aktivierung nur mit "
                    f"schriftlicher Begründung (mind. {MIN_REASON} Zeichen) einer "
                    "Compliance-Person (--override-reason, --by)"
                )
            user = s.scalar(select(User).where(User.email == (by or "").strip().lower()))
            if user is None or not user.active or user.role != "compliance":
                raise ScoringError(
                    "Übersteuern darf nur eine aktive Person mit der Rolle compliance "
                    f"({by or 'niemand angegeben'})"
                )
            row.override_reason = override_reason.strip()
            row.override_by = user.email
        now = utcnow()
        s.execute(
            update(ModelVersion)
            .where(ModelVersion.status == "active", ModelVersion.id != row.id)
            .values(status="retired", retired_at=now)
        )
        row.status = "active"
        row.activated_at = now
        row.activated_by = (by or "cli").strip().lower()
        s.flush()
        s.expunge(row)
    return row


# ---------------------------------------------------------------------------- scoring


@dataclass
class ScoringSummary:
    day: date
    version: str
    scored: int = 0
    with_reasons: int = 0
    warnings: int = 0
    tasks_created: int = 0
    drift_alert: bool = False
    drift_alerts: list[str] = field(default_factory=list)
    segments: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def german(self) -> str:
        seg = ", ".join(f"{k}: {v}" for k, v in sorted(self.segments.items(), key=lambda x: -x[1]))
        drift = "Drift-ALARM: " + ", ".join(self.drift_alerts[:5]) if self.drift_alert else "stabil"
        return (
            f"Bewertung {self.day:%d.%m.%Y} mit Modell {self.version}: {self.scored} Fälle "
            f"(Gründe für {self.with_reasons}), Frühwarnungen {self.warnings}, neue Aufgaben "
            f"{self.tasks_created}, Drift {drift} ({self.seconds:.1f} s)\n  Segmente: {seg}"
        )


def score_open_cases(
    runtime: Runtime, day: date, *, reasons: bool = True, warnings_lookback_days: int = 7
) -> ScoringSummary | None:
    """Score every open case with the active model; ``None`` without an active model."""
    import time

    started = time.perf_counter()
    with runtime.sessions() as s:
        row = active_model(s)
        if row is None:
            return None
        s.expunge(row)
    model = load_model(runtime, row)
    h = load_histories(runtime.engine, as_of_end_of(day))
    with runtime.sessions() as s:
        open_ids = set(s.scalars(select(Case.id).where(Case.status == "open")))
    summary = ScoringSummary(day=day, version=row.version)
    feats = build_features(h, FeatureConfig(include_age=bool(model.metadata.get("age_used"))))
    feats = feats[feats.index.isin(open_ids)]
    if len(feats) == 0:
        return summary
    scored = model.score(feats, reasons=reasons)
    path = runtime.settings.var_dir / row.path
    seg_file = path / "segments.json"
    if seg_file.exists():
        seg = Segmenter.from_json(seg_file.read_text(encoding="utf-8")).assign(feats)["segment"]
    else:
        seg = pd.Series("", index=feats.index)
    expected = scored.get("expected_amount_eur", pd.Series(0.0, index=feats.index))
    priority = expected.rank(ascending=False, method="first").astype(int)
    now = utcnow()
    open_eur = feats["open_amount_eur"].to_numpy(np.float64)

    def cents(x: float) -> int:
        return round(float(x) * 100)

    rows = []
    for i, case_id in enumerate(feats.index.to_numpy()):
        r = [str(scored[f"reason_{k}"].iloc[i]) if reasons else "" for k in (1, 2, 3)]
        codes = [str(scored[f"reason_code_{k}"].iloc[i]) if reasons else "" for k in (1, 2, 3)]
        rows.append(
            {
                "case_id": int(case_id),
                "model_version": row.version,
                "run_date": day,
                "scored_at": now,
                "p_pay_30d": float(scored["p_pay_30d"].iloc[i]),
                "p_full_180d": float(scored["p_full_180d"].iloc[i]),
                "expected_amount": Decimal(cents(expected.iloc[i])) / 100,
                "open_amount": Decimal(cents(open_eur[i])) / 100,
                "priority": int(priority.iloc[i]),
                "reason_1": r[0][:300],
                "reason_2": r[1][:300],
                "reason_3": r[2][:300],
                "reason_codes": [c for c in codes if c],
                "segment": str(seg.iloc[i])[:80],
            }
        )
    summary.scored = len(rows)
    summary.with_reasons = len(rows) if reasons else 0
    summary.segments = {str(k): int(v) for k, v in seg.value_counts().items()}

    # drift against the training reference
    drift_row = None
    ref_file = path / "reference.csv.gz"
    if ref_file.exists():
        ref = pd.read_csv(ref_file)
        cur = feats.assign(p_pay_30d=scored["p_pay_30d"].to_numpy())
        rep = drift_report(ref, cur, columns=[c for c in ref.columns if c in cur.columns])
        summary.drift_alert = any_alert(rep)
        summary.drift_alerts = rep.loc[rep["alert"], "variable"].astype(str).tolist()
        drift_row = DriftReport(
            run_date=day,
            model_version=row.version,
            created_at=now,
            psi={
                str(v): round(float(p), 5) for v, p in zip(rep["variable"], rep["psi"], strict=True)
            },
            alert=summary.drift_alert,
            alerts=summary.drift_alerts,
        )

    warn = early_warnings(h, lookback_days=warnings_lookback_days)
    warn = warn[warn["case_id"].isin(open_ids)] if len(warn) else warn
    summary.warnings = len(warn)
    by_case = scored.reindex(warn["case_id"].to_numpy()) if len(warn) else scored.iloc[:0]

    with transaction(runtime.sessions) as s:
        s.execute(
            delete(CaseScore).where(
                CaseScore.run_date == day, CaseScore.model_version == row.version
            )
        )
        for k in range(0, len(rows), 5000):
            s.execute(insert(CaseScore), rows[k : k + 5000])
        if drift_row is not None:
            s.execute(delete(DriftReport).where(DriftReport.run_date == day))
            s.add(drift_row)
        for i, w in enumerate(warn.itertuples(index=False)):
            sc = by_case.iloc[i]
            detected = pd.Timestamp(w.detected_at)
            task = add_task(
                s,
                int(w.case_id),
                "early_warning",
                f"ew:{w.kind}:{detected:%Y-%m-%d}",
                f"{w.title}: {w.task}"[:500],
                due_at=now,
                data={
                    "warning": str(w.kind),
                    "model_version": row.version,
                    "p_pay_30d": None if pd.isna(sc["p_pay_30d"]) else float(sc["p_pay_30d"]),
                    "reasons": [str(sc.get(f"reason_{k}", "") or "") for k in (1, 2, 3)],
                    "note": "Frühwarnung: eine Person klärt den Fall, keine schärfere Mahnung.",
                },
            )
            if task is not None:
                summary.tasks_created += 1
    summary.seconds = time.perf_counter() - started
    return summary


def score_if_active(runtime: Runtime, day: date, summary: Any = None) -> ScoringSummary | None:
    """The daily run's hook: score if a model is active; a failure is reported, never fatal."""
    try:
        return score_open_cases(runtime, day)
    except Exception as exc:  # scoring must never stop or undo the dunning run
        errors = getattr(summary, "errors", None)
        if isinstance(errors, list):
            errors.append(f"Bewertung (Modell): {type(exc).__name__}: {exc}")
        return None


# -------------------------------------------------------------------------- decisions


def decisions_for_case(s: Session, case_id: int) -> list[dict[str, Any]]:
    """Every automated decision on the case that used a score, newest first: the queue
    order of each run (``case_score``) and tasks raised with a score (early warnings), each
    with score, model version and reasons – the answer to a debtor's request (Art. 22 GDPR)."""
    out: list[dict[str, Any]] = []
    for sc in s.scalars(
        select(CaseScore).where(CaseScore.case_id == case_id).order_by(CaseScore.run_date.desc())
    ):
        out.append(
            {
                "at": sc.scored_at,
                "run_date": sc.run_date,
                "decision": f"Reihenfolge der Bearbeitung: Rang {sc.priority} der Arbeitsliste",
                "decision_en": "order of the agents' work queue",
                "p_pay_30d": sc.p_pay_30d,
                "p_full_180d": sc.p_full_180d,
                "expected_amount": sc.expected_amount,
                "model_version": sc.model_version,
                "reasons": [r for r in (sc.reason_1, sc.reason_2, sc.reason_3) if r],
                "segment": sc.segment,
            }
        )
    for task in s.scalars(
        select(Task).where(Task.case_id == case_id, Task.kind == "early_warning")
    ):
        data = task.data or {}
        if not data.get("model_version"):
            continue
        out.append(
            {
                "at": task.created_at,
                "run_date": None,
                "decision": f"Aufgabe für eine Person: {task.reason}",
                "decision_en": "task for a person (early warning)",
                "p_pay_30d": data.get("p_pay_30d"),
                "p_full_180d": None,
                "expected_amount": None,
                "model_version": data.get("model_version"),
                "reasons": [r for r in data.get("reasons", []) if r],
                "segment": None,
            }
        )

    def key(d: dict[str, Any]) -> datetime:
        at: datetime = d["at"]
        return at if at.tzinfo else at.replace(tzinfo=UTC)

    return sorted(out, key=key, reverse=True)
