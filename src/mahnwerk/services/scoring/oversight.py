"""What compliance oversees of the models: every version with its fairness audit (the report
as HTML and PDF), drift alerts, activation with a written reason, and the hold-out
comparison of the next-best-action policy once it exists.

Only the ``compliance`` role (and the operator at the shell) reads and acts here; every
read and every activation is audited. Activating is :func:`~.scores.activate_model`'s rule
(an audited version; after a failed audit only with a compliance person's reason); the
page asks for a written reason for every activation and stores it with the version.

The hold-out comparison: the next-best-action engineer's report lands as files in
``<var_dir>/reports/holdout/`` (``*.html``, ``*.pdf``, newest first by name);
:func:`holdout_reports` lists them for the compliance page until a richer read model takes
its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.ml.fairness import ATTRIBUTE_DE, METRIC_DE
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor
from mahnwerk.services.scoring.scores import MIN_REASON as MIN_REASON
from mahnwerk.services.scoring.scores import ScoringError, activate_model
from mahnwerk.store.db import transaction
from mahnwerk.store.scoring import DriftReport, ModelAudit, ModelVersion

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime
    from mahnwerk.config import Settings

COMPLIANCE = ("compliance",)


def _compliance(actor: Actor) -> None:
    if not (actor.kind == "cli" or actor.role in COMPLIANCE):
        raise PermissionError("nur für Compliance")


@dataclass
class ModelRow:
    version: ModelVersion
    audit: ModelAudit | None
    drift: DriftReport | None


@dataclass
class Oversight:
    models: list[ModelRow]
    active: ModelVersion | None
    drift_alerts: list[DriftReport]
    holdout: list[Path] = field(default_factory=list)


def overview(session: Session, actor: Actor, settings: Settings) -> Oversight:
    """Every model version (newest first) with its latest audit and drift report, the
    recent drift alerts, and the hold-out reports."""
    _compliance(actor)
    versions = list(session.scalars(select(ModelVersion).order_by(ModelVersion.trained_at.desc())))
    audits: dict[str, ModelAudit] = {}
    for row in session.scalars(select(ModelAudit).order_by(ModelAudit.id)):
        audits[row.model_version] = row
    drifts: dict[str, DriftReport] = {}
    for report in session.scalars(select(DriftReport).order_by(DriftReport.id)):
        drifts[report.model_version] = report
    alerts = list(
        session.scalars(
            select(DriftReport)
            .where(DriftReport.alert.is_(True))
            .order_by(DriftReport.run_date.desc(), DriftReport.id.desc())
            .limit(20)
        )
    )
    audit.record(session, actor, "list", "model_version", None, details={"count": len(versions)})
    return Oversight(
        models=[ModelRow(v, audits.get(v.version), drifts.get(v.version)) for v in versions],
        active=next((v for v in versions if v.status == "active"), None),
        drift_alerts=alerts,
        holdout=holdout_reports(settings),
    )


@dataclass
class Report:
    """A fairness audit for people: the checks against their limits and the groups."""

    version: ModelVersion
    audit: ModelAudit
    checks: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    notes: list[str]
    limits: dict[str, Any]
    threshold: float | None

    @staticmethod
    def metric(name: str) -> str:
        return METRIC_DE.get(name, name)

    @staticmethod
    def attribute(name: str) -> str:
        return ATTRIBUTE_DE.get(name, name)


def audit_report(session: Session, actor: Actor, version: str) -> Report | None:
    """The latest fairness audit of ``version`` (``None``: no such version or audit)."""
    _compliance(actor)
    row = session.scalar(select(ModelVersion).where(ModelVersion.version == version))
    if row is None:
        return None
    found = session.scalar(
        select(ModelAudit)
        .where(ModelAudit.model_version == version)
        .order_by(ModelAudit.id.desc())
        .limit(1)
    )
    if found is None:
        return None
    details = dict(found.details or {})
    audit.record(session, actor, "read", "model_audit", found.id, details={"version": version})
    return Report(
        version=row,
        audit=found,
        checks=list(details.get("checks") or []),
        groups=list(details.get("groups") or []),
        notes=[str(n) for n in details.get("notes") or []],
        limits=dict(details.get("limits") or {}),
        threshold=details.get("threshold"),
    )


def report_file(
    session: Session, actor: Actor, settings: Settings, version: str, kind: str
) -> Path | None:
    """The stored audit report of ``version`` as ``pdf`` or ``html`` (``None`` if absent);
    only files under the installation's ``var`` folder are handed out."""
    _compliance(actor)
    found = session.scalar(
        select(ModelAudit)
        .where(ModelAudit.model_version == version)
        .order_by(ModelAudit.id.desc())
        .limit(1)
    )
    if found is None:
        return None
    relative = found.pdf_path if kind == "pdf" else found.html_path
    if not relative:
        return None
    root = settings.var_dir.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    audit.record(
        session,
        actor,
        "export",
        "model_audit",
        found.id,
        details={"version": version, "kind": kind},
    )
    return path


def activate(runtime: Runtime, actor: Actor, email: str, version: str, reason: str) -> ModelVersion:
    """Compliance activates ``version`` with a written reason (at least :data:`MIN_REASON`
    characters), stored with the version and in the audit trail; after a failed audit the
    reason is also the override that :func:`~.scores.activate_model` demands."""
    _compliance(actor)
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ScoringError(f"Bitte die Aktivierung begründen (mindestens {MIN_REASON} Zeichen)")
    with runtime.sessions() as session:
        row = session.scalar(select(ModelVersion).where(ModelVersion.version == version))
        if row is None:
            raise ScoringError(f"Modellversion {version} gibt es nicht")
        failed = row.audit_passed is False
    activated = activate_model(
        runtime, version, override_reason=reason if failed else None, by=email
    )
    with transaction(runtime.sessions) as session:
        stored = session.scalar(select(ModelVersion).where(ModelVersion.version == version))
        assert stored is not None
        stored.activation_reason = reason[:2000]
        audit.record(
            session, actor, "activate", "model_version", stored.id,
            details={"version": version, "override": failed},
        )  # fmt: skip
    return activated


def holdout_reports(settings: Settings) -> list[Path]:
    """The hold-out comparison reports (see the module docstring), newest first."""
    folder = settings.var_dir / "reports" / "holdout"
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.suffix in (".html", ".pdf") and p.is_file()]
    return sorted(files, key=lambda p: p.name, reverse=True)
