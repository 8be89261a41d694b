"""The plan-completion model: train from the store, audit, activate, score proposed plans.

Follows the payment model (:mod:`mahnwerk.services.scoring`):

* :func:`train_plan_model` – the plans of the store as seen at ``as_of`` (default today),
  every plan judged by then (all instalments kept, or one broken; see
  :mod:`mahnwerk.ml.plan_completion`), with the terms as agreed (``payment_plan``) and the
  capacity from the finances the debtor stated for it (``plan_offer``); so the outcomes of
  real plans feed the next version. The artefact goes to ``var/plan_models/<version>/``
  with a fairness audit on the held-out test split (protected attributes read from
  ``protected_attribute`` and nowhere else) and a ``plan_model_version`` row.
* :func:`activate_plan_model` – like the payment model: only after a passed audit, or after
  a failed one with a written reason by an active compliance user.
* :func:`score_options` – the active version's probability that each proposed plan is
  completed, with three German reasons, from the debtor's own history (read for that
  debtor only). No active version: ``None``; a failure never stops a proposal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mahnwerk.domain.affordability import PlanOption
from mahnwerk.ml import plan_completion as pc
from mahnwerk.ml.fairness import audit
from mahnwerk.services.actor import today_in_germany, utcnow
from mahnwerk.services.scoring.ml_data import as_of_end_of, load_histories, load_protected, local
from mahnwerk.services.scoring.scores import MIN_REASON, ScoringError
from mahnwerk.store.db import transaction
from mahnwerk.store.models import User
from mahnwerk.store.plans import PlanModelVersion, PlanOffer
from mahnwerk.store.workflow import PaymentPlan

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime

#: fewer judged plans than this and nothing is trained (the metrics would be noise)
MIN_PLANS = 200


def plan_models_dir(var_dir: Path) -> Path:
    return var_dir / "plan_models"


def _terms(conn: Any) -> pd.DataFrame:
    rows = conn.execute(
        select(PaymentPlan.id, PaymentPlan.count, PaymentPlan.instalment).where(
            PaymentPlan.kind == "plan"
        )
    ).all()
    return pd.DataFrame(
        [(int(i), int(c), int(a * 100)) for i, c, a in rows],
        columns=["plan_id", "count", "instalment_cents"],
    )


def _stated_capacity(conn: Any) -> pd.Series:
    rows = conn.execute(
        select(PlanOffer.plan_id, PlanOffer.capacity).where(
            PlanOffer.plan_id.is_not(None), PlanOffer.capacity.is_not(None)
        )
    ).all()
    return pd.Series(
        {int(p): float(c) * 100 for p, c in rows}, dtype=np.float64, name="capacity_cents"
    )


def train_plan_model(
    runtime: Runtime, as_of: date | None = None, *, config: pc.PlanTrainConfig | None = None
) -> PlanModelVersion:
    """Train on the judged plans of the store; returns the new version row (audited)."""
    day = as_of or today_in_germany()
    with runtime.engine.connect() as conn:
        histories = load_histories(conn, as_of_end_of(day), include_closed=True)
        terms = _terms(conn)
        capacity = _stated_capacity(conn)
    plans, feats = pc.training_data(histories, terms, capacity)
    if len(plans) < MIN_PLANS:
        raise ScoringError(
            f"zu wenige beurteilte Ratenpläne zum Trainieren ({len(plans)}, mindestens "
            f"{MIN_PLANS}) am {day:%d.%m.%Y}"
        )
    window = {
        "from": str(pd.Timestamp(plans["made_at"].min()).date()),
        "to": str(day),
        "as_of": str(day),
    }
    model, part = pc.train(
        feats,
        plans["completed"],
        plans["person_id"].to_numpy(),
        config or pc.PlanTrainConfig(),
        data_window=window,
    )
    path = model.save(plan_models_dir(runtime.settings.var_dir))
    # the fairness audit on the test split (the whole set when the split is small)
    test = part == 2
    if test.sum() < 5000:
        test = np.ones(len(part), dtype=bool)
    scores = pd.Series(model.predict(feats[test]), index=feats.index[test])
    protected = (
        plans.loc[test, ["person_id"]]
        .reset_index()
        .merge(load_protected(runtime.engine), on="person_id", how="left")
        .set_index("plan_key")
        .drop(columns="person_id")
    )
    result = audit(
        scores,
        plans.loc[test, "completed"].astype(int),
        protected,
        model_version=model.version,
        feature_names=list(pc.PLAN_FEATURES),
    )
    html = result.save(path / "audit")
    metrics = {k: v for k, v in model.metadata["metrics"].items() if not isinstance(v, list | dict)}
    var = runtime.settings.var_dir
    with transaction(runtime.sessions) as s:
        existing = s.scalar(
            select(PlanModelVersion).where(PlanModelVersion.version == model.version)
        )
        if existing is not None:
            s.expunge(existing)
            return existing
        row = PlanModelVersion(
            version=model.version,
            path=str(path.relative_to(var)),
            trained_at=utcnow(),
            as_of=day,
            n_plans=len(plans),
            metrics=json.loads(json.dumps(metrics)),
            status="trained",
            audit_passed=result.passed,
            audit_path=str(html.relative_to(var)),
        )
        s.add(row)
        s.flush()
        s.expunge(row)
    return row


def list_plan_models(s: Session) -> list[PlanModelVersion]:
    return list(s.scalars(select(PlanModelVersion).order_by(PlanModelVersion.trained_at.desc())))


def active_plan_model(s: Session) -> PlanModelVersion | None:
    return s.scalar(select(PlanModelVersion).where(PlanModelVersion.status == "active"))


def activate_plan_model(
    runtime: Runtime,
    version: str,
    *,
    override_reason: str | None = None,
    by: str | None = None,
) -> PlanModelVersion:
    """Make ``version`` the active plan model; after a failed audit only with a written
    reason (at least :data:`~mahnwerk.services.scoring.MIN_REASON` characters) of an active
    compliance user (``by``), stored with the version."""
    with transaction(runtime.sessions) as s:
        row = s.scalar(select(PlanModelVersion).where(PlanModelVersion.version == version))
        if row is None:
            raise ScoringError(f"Planmodell {version} gibt es nicht")
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
            update(PlanModelVersion)
            .where(PlanModelVersion.status == "active", PlanModelVersion.id != row.id)
            .values(status="retired", retired_at=now)
        )
        row.status = "active"
        row.activated_at = now
        row.activated_by = (by or "cli").strip().lower()
        s.flush()
        s.expunge(row)
    return row


# ---------------------------------------------------------------------------- scoring

_CACHE: dict[tuple[str, str], pc.PlanCompletionModel] = {}


def _load(var_dir: Path, row: PlanModelVersion) -> pc.PlanCompletionModel:
    key = (str(var_dir), row.version)
    model = _CACHE.get(key)
    if model is None:
        model = pc.PlanCompletionModel.load(var_dir / row.path)
        _CACHE.clear()
        _CACHE[key] = model
    return model


@dataclass(frozen=True)
class Completion:
    p_complete: float
    model_version: str
    reasons: tuple[str, ...]
    reason_codes: tuple[str, ...]


def score_options(
    session: Session,
    var_dir: Path | None,
    case_id: int,
    options: tuple[PlanOption, ...],
    capacity: float | None,
    now: datetime,
) -> list[Completion] | None:
    """The active model's view of each option (``capacity`` in euros; ``None`` when the
    debtor stated nothing). ``None`` when there is no active model or no history."""
    if var_dir is None or not options:
        return None
    row = active_plan_model(session)
    if row is None:
        return None
    model = _load(var_dir, row)
    day = today_in_germany(now)
    histories = load_histories(session, as_of_end_of(day), persons_of=[case_id])
    if case_id not in set(histories.cases["case_id"].tolist()):
        return None
    made_at = pd.Timestamp(local(pd.Series([now])).iloc[0]).floor("s")
    made_at = min(made_at, pd.Timestamp(histories.as_of))
    plans = pd.DataFrame(
        {
            "case_id": [case_id] * len(options),
            "made_at": [made_at] * len(options),
            "n_instalments": [o.count for o in options],
            "instalment_cents": [int(o.instalment * 100) for o in options],
        }
    )
    cap = pd.Series([np.nan if capacity is None else capacity * 100] * len(options))
    feats = pc.plan_features(histories, plans, cap)
    out = model.explain(feats)
    result = []
    for i in range(len(options)):
        r = out.iloc[i]
        reasons = tuple(str(r[f"reason_{k}"]) for k in (1, 2, 3) if r.get(f"reason_{k}"))
        codes = tuple(str(r[f"reason_code_{k}"]) for k in (1, 2, 3) if r.get(f"reason_code_{k}"))
        result.append(Completion(float(r["p_complete"]), row.version, reasons, codes))
    return result
