"""Versions of the next-best-action policy: register, train, evaluate offline, activate.

The life of a version, like the score models' (``services/scoring.py``):

1. :func:`register_prior` stores the prior that ships with the package (learned in the
   simulator) as a version – ``candidate``, never active on its own.
2. :func:`train_version` learns a new version from the settled decisions of the policy group
   (what the active version did and what followed), starting from the active version (or
   the prior); it is a ``candidate``.
3. :func:`evaluate_version` estimates offline, on the logged decisions of the policy group,
   what the candidate and the active version would each earn per decision (inverse
   propensity and doubly robust estimates, with intervals clustered by case), how often
   they would contact and how often a contact would bring a complaint. It passes if the
   doubly robust estimate of the difference in net recovery is not significantly negative
   (its lower bound above ``-tolerance`` × the active version's value), the complaint rate
   is not significantly higher, and the logged decisions carry enough weight (effective
   sample size).
4. :func:`activate_version` makes it active – only after an evaluation against the version
   active now, and only by a person (an active user with the role ``compliance`` or
   ``admin``); after a failed evaluation only with a written reason by a compliance user. The
   very first version has nothing to be compared with: its activation needs the person and a
   written note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mahnwerk.ml.nba.features import FEATURES
from mahnwerk.ml.nba.offline import LoggedDecisions, compare, ips
from mahnwerk.ml.nba.policy import N_ACTIONS, Policy, PolicyState
from mahnwerk.ml.nba.training import shipped_prior
from mahnwerk.ml.nba.views import ACTION_INDEX
from mahnwerk.services.actor import today_in_germany, utcnow
from mahnwerk.services.nba.decisions import (
    NbaError,
    active_version,
    load_state,
    policy_config,
    settle_decisions,
)
from mahnwerk.store.db import transaction
from mahnwerk.store.models import User
from mahnwerk.store.nba import NbaDecision, NbaPolicyVersion

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime

#: minimum length of a written approval note or override reason
MIN_NOTE = 20
#: roles that may approve a policy version
APPROVER_ROLES = frozenset({"compliance", "admin"})
#: the candidate may be this much worse (share of the active version's value) at the lower
#: bound of the doubly robust difference and still pass
TOLERANCE = 0.02
#: fewer effective logged decisions than this and the evaluation cannot pass
MIN_ESS = 200.0
EVALUATION_DAYS = 180


def _dir(runtime: Runtime, version: str) -> str:
    return f"nba/{version}/state.npz"


def _store_state(runtime: Runtime, state: PolicyState) -> tuple[str, str]:
    version = state.version
    rel = _dir(runtime, version)
    state.save(runtime.settings.var_dir / rel)
    return version, rel


def _row(s: Session, version: str) -> NbaPolicyVersion:
    row = s.scalar(select(NbaPolicyVersion).where(NbaPolicyVersion.version == version))
    if row is None:
        raise NbaError(f"Version {version} der Kontaktsteuerung gibt es nicht")
    return row


def list_versions(s: Session) -> list[NbaPolicyVersion]:
    return list(s.scalars(select(NbaPolicyVersion).order_by(NbaPolicyVersion.created_at.desc())))


def register_prior(runtime: Runtime) -> NbaPolicyVersion:
    """The shipped prior as a version (once; the existing row if it is there)."""
    state = shipped_prior()
    version, rel = _store_state(runtime, state)
    with transaction(runtime.sessions) as s:
        row = s.scalar(select(NbaPolicyVersion).where(NbaPolicyVersion.version == version))
        if row is None:
            row = NbaPolicyVersion(
                version=version,
                path=rel,
                created_at=utcnow(),
                parent=None,
                source="prior",
                n_decisions=0,
                status="candidate",
                evaluation={"note": state.note},
            )
            s.add(row)
            s.flush()
        s.expunge(row)
    return row


# ---------------------------------------------------------------------- logged rows


def _matrix(rows: list[NbaDecision]) -> np.ndarray:
    index = {name: k for k, name in enumerate(FEATURES)}
    X = np.zeros((len(rows), len(FEATURES)))
    for i, r in enumerate(rows):
        for name, value in r.features.items():
            k = index.get(name)
            if k is not None:
                X[i, k] = value
    return X


def _logged(rows: list[NbaDecision], costs: np.ndarray) -> LoggedDecisions:
    X = _matrix(rows)
    action = np.array([ACTION_INDEX[r.action] for r in rows], dtype=int)
    mask = np.zeros((len(rows), N_ACTIONS), dtype=bool)
    for i, r in enumerate(rows):
        for a in r.probabilities:
            if a in ACTION_INDEX:
                mask[i, ACTION_INDEX[a]] = True
        mask[i, action[i]] = True
    paid = np.array([float(r.paid) for r in rows])
    streak = np.round(X[:, FEATURES.index("unanswered_streak")] * 6.0)
    return LoggedDecisions(
        case=np.array([r.case_id for r in rows]),
        action=action,
        propensity=np.array([r.propensity for r in rows]),
        reward=paid - costs[action],
        features=X,
        balance=np.array([float(r.balance) for r in rows]),
        streak=streak,
        mask=mask,
        extra={
            "reached": np.array([bool(r.reached) for r in rows]),
            "complaint": np.array([r.complaint for r in rows]),
            "paid": paid,
        },
    )


def _settled_rows(s: Session, since: date | None, until: date | None = None) -> list[NbaDecision]:
    q = select(NbaDecision).where(NbaDecision.settled.is_(True), NbaDecision.arm == "policy")
    if since is not None:
        q = q.where(NbaDecision.run_date >= since)
    if until is not None:
        q = q.where(NbaDecision.run_date <= until)
    return list(s.scalars(q.order_by(NbaDecision.run_date, NbaDecision.case_id)))


# --------------------------------------------------------------------------- train


def train_version(runtime: Runtime, *, today: date | None = None) -> NbaPolicyVersion:
    """A candidate learned from the settled decisions the active version has not seen."""
    today = today or today_in_germany()
    settings = runtime.settings
    with transaction(runtime.sessions) as s:
        settle_decisions(s, settings, today)
    with runtime.sessions() as s:
        parent = active_version(s)
        if parent is None:
            raise NbaError(
                "keine aktive Version: erst die mitgelieferte Startversion freigeben "
                "(mahnwerk nba list, mahnwerk nba activate)"
            )
        since = None if parent.data_to is None else parent.data_to + timedelta(days=1)
        rows = _settled_rows(s, since)
        if len(rows) < 100:
            raise NbaError(
                f"zu wenige abgeschlossene Entscheidungen zum Lernen ({len(rows)}; "
                f"mindestens 100, jede {settings.nba.horizon_days} Tage nach dem Entscheid)"
            )
        state = load_state(settings, parent).copy()
        parent_version, parent_from = parent.version, parent.data_from
        s.expunge_all()
    policy = Policy(state, policy_config(settings.nba))
    logged = _logged(rows, policy.config.action_costs())
    X = logged.features
    assert X is not None
    reached = logged.extra["reached"]
    policy.learn_contacts(X, logged.action, reached, logged.extra["complaint"])
    balance = np.maximum(logged.balance if logged.balance is not None else 1.0, 0.01)
    policy.learn_payments(X, logged.action, reached, logged.extra["paid"] / balance)
    state.parent = parent_version
    state.note = f"gelernt aus {len(rows)} Entscheidungen bis {rows[-1].run_date.isoformat()}"
    version, rel = _store_state(runtime, state)
    with transaction(runtime.sessions) as s:
        row = s.scalar(select(NbaPolicyVersion).where(NbaPolicyVersion.version == version))
        if row is None:
            row = NbaPolicyVersion(
                version=version,
                path=rel,
                created_at=utcnow(),
                parent=parent_version,
                source="trained",
                n_decisions=len(rows),
                data_from=parent_from or rows[0].run_date,
                data_to=rows[-1].run_date,
                status="candidate",
                evaluation={},
            )
            s.add(row)
            s.flush()
        s.expunge(row)
    return row


# ------------------------------------------------------------------------ evaluate


@dataclass
class Evaluation:
    version: str
    against: str
    passed: bool
    reasons: list[str]
    details: dict[str, Any]


def evaluate_version(
    runtime: Runtime,
    version: str,
    *,
    today: date | None = None,
    days: int = EVALUATION_DAYS,
    seed: int = 0,
) -> Evaluation:
    """Offline evaluation of ``version`` against the active one (see the module docstring)."""
    today = today or today_in_germany()
    settings = runtime.settings
    with transaction(runtime.sessions) as s:
        settle_decisions(s, settings, today)
    with runtime.sessions() as s:
        row = _row(s, version)
        current = active_version(s)
        if current is None:
            raise NbaError("keine aktive Version, gegen die bewertet werden könnte")
        if current.version == version:
            raise NbaError(f"{version} ist schon aktiv")
        rows = _settled_rows(s, today - timedelta(days=days))
        cand_state = load_state(settings, row)
        cur_state = load_state(settings, current)
        against = current.version
        s.expunge_all()
    if not rows:
        raise NbaError("keine protokollierten, abgeschlossenen Entscheidungen zum Bewerten")
    cfg = policy_config(settings.nba)
    candidate, active = Policy(cand_state, cfg), Policy(cur_state, cfg)
    logged = _logged(rows, cfg.action_costs())
    details, passed, reasons = _evaluate(logged, candidate, active, seed)
    details.update(
        {
            "against": against,
            "from": rows[0].run_date.isoformat(),
            "to": rows[-1].run_date.isoformat(),
        }
    )
    with transaction(runtime.sessions) as s:
        r = _row(s, version)
        r.evaluation = details
        r.evaluated_at = utcnow()
        r.evaluation_passed = passed
        if r.status == "candidate":
            r.status = "evaluated"
    return Evaluation(version, against, passed, reasons, details)


def _evaluate(
    logged: LoggedDecisions, candidate: Policy, active: Policy, seed: int
) -> tuple[dict[str, Any], bool, list[str]]:
    X, balance, streak, mask = logged.features, logged.balance, logged.streak, logged.mask
    assert X is not None and balance is not None and streak is not None and mask is not None
    rng = np.random.default_rng(seed)
    from mahnwerk.ml.nba.policy import single_thread

    with single_thread():
        p_cand, _ = candidate.probabilities(X, balance, streak, mask, rng, draws=64)
        p_cur, _ = active.probabilities(X, balance, streak, mask, rng, draws=64)
    q = candidate.expected_net(X, balance)
    comparison = compare(logged, p_cand, p_cur, q)
    contact = LoggedDecisions(
        logged.case, logged.action, logged.propensity, (logged.action > 0).astype(float)
    )
    complaint = LoggedDecisions(
        logged.case, logged.action, logged.propensity, logged.extra["complaint"].astype(float)
    )
    rates = {
        "contacts": {
            "candidate": ips(contact, p_cand).as_dict(),
            "current": ips(contact, p_cur).as_dict(),
        },
        "complaints": {
            "candidate": ips(complaint, p_cand).as_dict(),
            "current": ips(complaint, p_cur).as_dict(),
        },
    }
    dr_diff = comparison.difference["DR"]
    dr_cur = comparison.current["DR"]
    ess = comparison.candidate["IPS"].ess
    reasons: list[str] = []
    if dr_diff.low < -TOLERANCE * abs(dr_cur.value):
        reasons.append(
            f"Nettoerlös je Entscheidung womöglich schlechter: DR-Differenz {dr_diff.value:+.3f} € "
            f"(95 %: {dr_diff.low:+.3f} … {dr_diff.high:+.3f})"
        )
    comp_c = ips(complaint, p_cand)
    comp_a = ips(complaint, p_cur)
    if comp_c.low > comp_a.high:
        reasons.append(
            f"mehr Beschwerden zu erwarten: {comp_c.value:.5f} statt {comp_a.value:.5f} "
            "je Entscheidung"
        )
    if ess < MIN_ESS:
        reasons.append(
            "zu wenig Gewicht in den protokollierten Entscheidungen "
            f"(effektiv {ess:.0f} < {MIN_ESS:.0f})"
        )
    details = {
        "n": len(logged),
        "comparison": comparison.as_dict(),
        "rates": rates,
        "reasons": reasons,
        "tolerance": TOLERANCE,
        "min_ess": MIN_ESS,
    }
    return details, not reasons, reasons


# ------------------------------------------------------------------------ activate


def activate_version(
    runtime: Runtime,
    version: str,
    *,
    by: str,
    note: str | None = None,
    override_reason: str | None = None,
) -> NbaPolicyVersion:
    """Make ``version`` the active policy (see the module docstring for the rules)."""
    with transaction(runtime.sessions) as s:
        row = _row(s, version)
        user = s.scalar(select(User).where(User.email == (by or "").strip().lower()))
        if user is None or not user.active or user.role not in APPROVER_ROLES:
            raise NbaError(
                "freigeben darf nur eine aktive Person mit der Rolle compliance oder admin "
                f"({by or 'niemand angegeben'})"
            )
        current = active_version(s)
        if current is not None and current.id == row.id:
            raise NbaError(f"{version} ist schon aktiv")
        if current is None:
            if not note or len(note.strip()) < MIN_NOTE:
                raise NbaError(
                    "die erste Version hat nichts, womit sie verglichen werden könnte: "
                    f"Freigabe nur mit schriftlicher Begründung (--note, mind. {MIN_NOTE} Zeichen)"
                )
        else:
            evaluated_against = (row.evaluation or {}).get("against")
            if row.evaluation_passed is None or evaluated_against != current.version:
                raise NbaError(
                    f"{version} ist nicht gegen die aktive Version {current.version} bewertet: "
                    f"erst `mahnwerk nba evaluate {version}`"
                )
            if not row.evaluation_passed:
                if not override_reason or len(override_reason.strip()) < MIN_NOTE:
                    raise NbaError(
                        f"Bewertung von {version} nicht bestanden: Freigabe nur mit "
                        f"schriftlicher Begründung (mind. {MIN_NOTE} Zeichen) einer "
                        "Compliance-Person (--override-reason)"
                    )
                if user.role != "compliance":
                    raise NbaError("übersteuern darf nur die Rolle compliance")
                note = f"ÜBERSTEUERT: {override_reason.strip()}"
        now = utcnow()
        s.execute(
            update(NbaPolicyVersion)
            .where(NbaPolicyVersion.status == "active", NbaPolicyVersion.id != row.id)
            .values(status="retired", retired_at=now)
        )
        row.status = "active"
        row.activated_at = now
        row.approved_by = user.email
        row.approval_note = (note or "").strip()[:2000] or None
        s.flush()
        s.expunge(row)
    return row


__all__ = [
    "Evaluation",
    "activate_version",
    "evaluate_version",
    "list_versions",
    "register_prior",
    "train_version",
]
