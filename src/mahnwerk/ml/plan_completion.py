"""Plan completion: the probability that a payment plan is paid to the end.

Trained on plan outcomes read from :class:`~mahnwerk.ml.history.CaseHistories` (the
simulator's, or the store's through :mod:`mahnwerk.services.ml_data`): every instalment of
a plan is a ``promises`` row with its ``plan_id``; a plan is **judged** once every one of its
instalments is kept or broken (so plans still running are left out, and the label is not
biased towards early breaks on the simulator), and **completed** when all were kept.

The features describe the plan as agreed and the case as it stood the moment it was agreed
(only rows before ``made_at`` are looked at): its terms (number and size of instalments,
share of the open amount), the claim, the contacts and reactions, payments, earlier
promises and plans, and – where the debtor stated them – the monthly capacity from
:mod:`mahnwerk.domain.affordability` and the instalment's share of it (``burden``). No
protected attribute or proxy (sex, nationality, origin, names, postcodes, age) is among them
(:func:`~mahnwerk.ml.protected.check_no_protected`).

One LightGBM booster, probabilities calibrated isotonically on a held-out calibration split
(split by person), metrics on a held-out test split; reasons from the booster's own
contributions (TreeSHAP) through :func:`mahnwerk.ml.reasons.top_reasons`, like the payment
model. An artefact directory holds ``plan_completion.lgb.txt``, ``calibration.json`` and
``metadata.json``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
import yaml

from mahnwerk.domain.affordability import Budget, Finances, affordable_capacity
from mahnwerk.ml.features import CLAIM_TYPES
from mahnwerk.ml.history import CaseHistories
from mahnwerk.ml.metrics import binary_metrics, reliability_curve
from mahnwerk.ml.model import _fit_isotonic, split_by_group
from mahnwerk.ml.protected import check_no_protected
from mahnwerk.ml.reasons import top_reasons

MODEL_FILE = "plan_completion.lgb.txt"
#: Days after its due date before an instalment counts as broken (the dunning rule's grace).
GRACE_DAYS = 7

#: The features, in matrix order.
PLAN_FEATURES: tuple[str, ...] = (
    "n_instalments",
    "instalment_eur",
    "instalment_share",
    "open_amount_eur",
    "principal_eur",
    "claim_type",
    "is_business",
    "case_age_days",
    "claim_age_days",
    "n_contacts",
    "n_responses",
    "response_rate",
    "n_bounced_contacts",
    "n_payments",
    "paid_share",
    "days_since_last_payment",
    "n_reversed_debits",
    "n_promises_kept",
    "n_promises_broken",
    "n_instalments_kept",
    "n_instalments_broken",
    "capacity_eur",
    "burden",
)
CATEGORICAL: tuple[str, ...] = ("claim_type",)


# ------------------------------------------------------------------------------ plans


def plan_table(histories: CaseHistories, terms: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per plan (index ``plan_key``): ``case_id``, ``plan_id``, ``person_id``,
    ``made_at``, ``n_instalments``, ``instalment_cents``, ``judged`` and ``completed``.

    ``terms`` (columns ``plan_id``, ``count``, ``instalment_cents``) gives the terms as
    agreed where the histories hold fewer rows than instalments (the store drops the
    instalments of a plan after it was broken or replaced).
    """
    pr = histories.promises
    pr = pr[pr["plan_id"].notna()]
    if pr.empty:
        return pd.DataFrame(
            columns=[
                "case_id",
                "plan_id",
                "person_id",
                "made_at",
                "n_instalments",
                "instalment_cents",
                "judged",
                "completed",
            ],
            index=pd.Index([], name="plan_key"),
        )
    kept = pr["kept"].astype("boolean")
    frame = pd.DataFrame(
        {
            "case_id": pr["case_id"].to_numpy(np.int64),
            "plan_id": pr["plan_id"].astype(np.int64).to_numpy(),
            "made_at": pd.to_datetime(pr["made_at"]).to_numpy(),
            "amount": pr["amount_cents"].to_numpy(np.int64),
            "known": kept.notna().to_numpy(),
            "kept": kept.fillna(False).to_numpy(bool),
        }
    )
    g = frame.groupby(["case_id", "plan_id"], sort=True)
    plans = pd.DataFrame(
        {
            "made_at": g["made_at"].min(),
            "n_instalments": g.size(),
            "instalment_cents": g["amount"].max(),
            "all_known": g["known"].all(),
            "any_broken": (g["known"].sum() - g["kept"].sum()) > 0,
            "all_kept": g["kept"].all(),
        }
    ).reset_index()
    if terms is not None and len(terms):
        t = terms.set_index("plan_id")
        has = plans["plan_id"].isin(t.index)
        plans.loc[has, "n_instalments"] = plans.loc[has, "plan_id"].map(t["count"])
        plans.loc[has, "instalment_cents"] = plans.loc[has, "plan_id"].map(t["instalment_cents"])
    persons = histories.cases.set_index("case_id")["person_id"]
    plans["person_id"] = plans["case_id"].map(persons)
    plans = plans[plans["person_id"].notna()].reset_index(drop=True)
    plans["person_id"] = plans["person_id"].astype(np.int64)
    plans["judged"] = plans["all_known"].astype(bool)
    plans["completed"] = plans["judged"] & plans["all_kept"].astype(bool)
    plans.index.name = "plan_key"
    return plans[
        [
            "case_id",
            "plan_id",
            "person_id",
            "made_at",
            "n_instalments",
            "instalment_cents",
            "judged",
            "completed",
        ]
    ]


# ---------------------------------------------------------------------------- features

_SPAN = 10_000_000_000  # seconds: more than any timestamp, so case_id * _SPAN + t sorts by case


def _secs(ts: Any) -> np.ndarray:
    values = pd.to_datetime(pd.Series(ts)).to_numpy("datetime64[s]").astype(np.int64)
    return np.asarray(values, dtype=np.int64)


class _Before:
    """Sums and last times of a frame's rows per case strictly before given moments."""

    def __init__(self, case_ids: np.ndarray, secs: np.ndarray, **weights: np.ndarray) -> None:
        key = np.asarray(case_ids, dtype=np.int64) * _SPAN + np.asarray(secs, dtype=np.int64)
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        self.secs = np.asarray(secs, dtype=np.int64)[order]
        self.cum = {
            name: np.concatenate([[0.0], np.cumsum(np.asarray(w, dtype=np.float64)[order])])
            for name, w in weights.items()
        }
        self.cum["n"] = np.arange(len(key) + 1, dtype=np.float64)

    def _bounds(self, case_ids: np.ndarray, secs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo = np.searchsorted(self.key, case_ids * _SPAN, side="left")
        hi = np.searchsorted(self.key, case_ids * _SPAN + secs, side="left")
        return lo, hi

    def sum(self, name: str, case_ids: np.ndarray, secs: np.ndarray) -> np.ndarray:
        lo, hi = self._bounds(case_ids, secs)
        c = self.cum[name]
        return np.asarray(c[hi] - c[lo])

    def last(self, case_ids: np.ndarray, secs: np.ndarray) -> np.ndarray:
        """Seconds of the latest row before each moment, NaN if none."""
        lo, hi = self._bounds(case_ids, secs)
        out = np.full(len(case_ids), np.nan)
        ok = hi > lo
        out[ok] = self.secs[hi[ok] - 1]
        return out


def plan_features(
    histories: CaseHistories, plans: pd.DataFrame, capacity_cents: pd.Series | None = None
) -> pd.DataFrame:
    """The feature matrix of ``plans`` (index kept; columns ``case_id``, ``made_at``,
    ``n_instalments``, ``instalment_cents``), each seen at its own ``made_at``.

    ``capacity_cents`` (same index; NaN where nothing was stated) is the monthly capacity
    from the debtor's stated finances.
    """
    cases = histories.cases.set_index("case_id")
    cid = plans["case_id"].to_numpy(np.int64)
    t = _secs(plans["made_at"])
    day = 86_400.0
    n = len(plans)
    out: dict[str, np.ndarray] = {}
    case = cases.reindex(cid)
    principal = case["principal_cents"].to_numpy(np.float64)
    costs = case["costs_cents"].to_numpy(np.float64)
    total = principal + costs

    pay = histories.payments
    rev = pay["reversed"].to_numpy(bool)
    amount = pay["amount_cents"].to_numpy(np.float64)
    p_all = _Before(
        pay["case_id"].to_numpy(np.int64),
        _secs(pay["ts"]),
        paid=np.where(rev, 0.0, amount),
        ok=(~rev).astype(np.float64),
        rev=rev.astype(np.float64),
    )
    paid = p_all.sum("paid", cid, t)
    good = pay[~rev]
    p_good = _Before(good["case_id"].to_numpy(np.int64), _secs(good["ts"]))
    open_cents = np.maximum(total - paid, 0)
    instalment = plans["instalment_cents"].to_numpy(np.float64)
    count = plans["n_instalments"].to_numpy(np.float64)

    out["n_instalments"] = count
    out["instalment_eur"] = instalment / 100
    with np.errstate(invalid="ignore", divide="ignore"):
        out["instalment_share"] = np.where(open_cents > 0, instalment / open_cents, np.nan)
    out["open_amount_eur"] = open_cents / 100
    out["principal_eur"] = principal / 100
    codes = pd.Categorical(case["claim_type"], categories=list(CLAIM_TYPES)).codes
    out["claim_type"] = np.where(codes >= 0, codes, np.nan).astype(np.float64)
    out["is_business"] = (case["debtor_type"] == "business").to_numpy(np.float64)
    out["case_age_days"] = (t - _secs(case["opened_at"])) / day
    out["claim_age_days"] = (t - _secs(case["due_date"])) / day

    ev = histories.events
    delivered = (ev["delivery"] == "delivered").to_numpy(np.float64)
    e_ts = _secs(ev["ts"])
    contacts = _Before(
        ev["case_id"].to_numpy(np.int64),
        e_ts,
        delivered=delivered,
        bounced=1.0 - delivered,
    )
    resp = ev[ev["responded"].to_numpy(bool)]
    responses = _Before(resp["case_id"].to_numpy(np.int64), _secs(resp["response_ts"]))
    out["n_contacts"] = contacts.sum("n", cid, t)
    out["n_responses"] = responses.sum("n", cid, t)
    n_del = contacts.sum("delivered", cid, t)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["response_rate"] = np.where(n_del > 0, out["n_responses"] / n_del, np.nan)
    out["n_bounced_contacts"] = contacts.sum("bounced", cid, t)
    out["n_payments"] = p_all.sum("ok", cid, t)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["paid_share"] = paid / np.maximum(total, 1)
    out["days_since_last_payment"] = (t - p_good.last(cid, t)) / day
    out["n_reversed_debits"] = p_all.sum("rev", cid, t)

    # earlier promises and instalments, once their grace days had passed
    pr = histories.promises
    kept = pr["kept"].astype("boolean")
    known = kept.notna().to_numpy()
    k_true = kept.fillna(False).to_numpy(bool)
    is_plan = pr["plan_id"].notna().to_numpy()
    judged_at = _secs(pd.to_datetime(pr["due_at"]) + pd.Timedelta(days=GRACE_DAYS))
    promises = _Before(
        pr["case_id"].to_numpy(np.int64),
        judged_at,
        promise_kept=(known & k_true & ~is_plan).astype(np.float64),
        promise_broken=(known & ~k_true & ~is_plan).astype(np.float64),
        inst_kept=(known & k_true & is_plan).astype(np.float64),
        inst_broken=(known & ~k_true & is_plan).astype(np.float64),
    )
    out["n_promises_kept"] = promises.sum("promise_kept", cid, t)
    out["n_promises_broken"] = promises.sum("promise_broken", cid, t)
    out["n_instalments_kept"] = promises.sum("inst_kept", cid, t)
    out["n_instalments_broken"] = promises.sum("inst_broken", cid, t)

    cap = (
        np.full(n, np.nan)
        if capacity_cents is None
        else capacity_cents.reindex(plans.index).to_numpy(np.float64)
    )
    out["capacity_eur"] = cap / 100
    with np.errstate(invalid="ignore", divide="ignore"):
        out["burden"] = np.where(cap > 0, instalment / cap, np.where(cap == 0, 10.0, np.nan))
    frame = pd.DataFrame(
        {k: np.asarray(out[k], dtype=np.float32) for k in PLAN_FEATURES}, index=plans.index
    )
    check_no_protected(frame.columns)
    return frame


# ------------------------------------------------------------------------------- model


@dataclass(frozen=True)
class PlanTrainConfig:
    n_estimators: int = 150
    learning_rate: float = 0.05
    num_leaves: int = 15
    max_depth: int = 4
    min_child_samples: int = 40
    reg_lambda: float = 1.0
    calibration_share: float = 0.2
    test_share: float = 0.2
    seed: int = 0
    num_threads: int = 2

    def lgb_params(self) -> dict[str, Any]:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "max_depth": self.max_depth,
            "min_data_in_leaf": self.min_child_samples,
            "lambda_l2": self.reg_lambda,
            "seed": self.seed,
            "deterministic": True,
            "num_threads": self.num_threads,
            "verbose": -1,
        }


@dataclass
class PlanCompletionModel:
    """A trained (or loaded) plan-completion model version."""

    booster: lgb.Booster
    calibration: dict[str, list[float]]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.metadata["version"])

    def _matrix(self, features: pd.DataFrame) -> np.ndarray:
        names = list(self.metadata["feature_names"])
        return np.ascontiguousarray(features[names].to_numpy(dtype=np.float32))

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probability that each plan is paid to the end."""
        raw = np.asarray(self.booster.predict(self._matrix(features), num_threads=1))
        return np.asarray(np.interp(raw, self.calibration["x"], self.calibration["y"]))

    def explain(self, features: pd.DataFrame, n_reasons: int = 3) -> pd.DataFrame:
        """``p_complete``, ``model_version`` and the top reasons in German per row."""
        x = self._matrix(features)
        contrib = np.asarray(self.booster.predict(x, pred_contrib=True, num_threads=1))
        out = pd.DataFrame(index=features.index)
        out["p_complete"] = self.predict(features)
        out["model_version"] = self.version
        names = list(self.metadata["feature_names"])
        return out.join(top_reasons(contrib, features[names], n_reasons))

    def save(self, root: str | Path) -> Path:
        path = Path(root) / self.version
        path.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(path / MODEL_FILE))
        (path / "calibration.json").write_text(json.dumps(self.calibration), encoding="utf-8")
        (path / "metadata.json").write_text(
            json.dumps(self.metadata, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        return path

    @classmethod
    def load(cls, path: str | Path) -> PlanCompletionModel:
        p = Path(path)
        return cls(
            booster=lgb.Booster(model_file=str(p / MODEL_FILE)),
            calibration=json.loads((p / "calibration.json").read_text(encoding="utf-8")),
            metadata=json.loads((p / "metadata.json").read_text(encoding="utf-8")),
        )


def train(
    features: pd.DataFrame,
    completed: pd.Series,
    groups: np.ndarray,
    config: PlanTrainConfig | None = None,
    data_window: dict[str, str] | None = None,
    created_at: datetime | None = None,
) -> tuple[PlanCompletionModel, np.ndarray]:
    """Train, calibrate and evaluate on judged plans; returns the model and the split
    (0 train, 1 calibration, 2 test) of each row, so an audit can use the same test rows."""
    cfg = config or PlanTrainConfig()
    names = list(PLAN_FEATURES)
    check_no_protected(features.columns)
    x = np.ascontiguousarray(features[names].to_numpy(dtype=np.float32))
    y = completed.reindex(features.index).to_numpy(dtype=np.float64)
    part = split_by_group(groups, cfg.calibration_share, cfg.test_share, cfg.seed)
    tr, ca, te = part == 0, part == 1, part == 2
    for name, mask in (("Training", tr), ("Kalibrierung", ca), ("Test", te)):
        if len(set(y[mask].tolist())) < 2:
            raise ValueError(f"zu wenige beurteilte Ratenpläne ({name}: nur ein Ausgang)")
    ds = lgb.Dataset(x[tr], label=y[tr], feature_name=names, categorical_feature=list(CATEGORICAL))
    booster = lgb.train(cfg.lgb_params(), ds, num_boost_round=cfg.n_estimators)
    raw_ca = np.asarray(booster.predict(x[ca], num_threads=cfg.num_threads))
    calibration = _fit_isotonic(raw_ca, y[ca])
    raw_te = np.asarray(booster.predict(x[te], num_threads=cfg.num_threads))
    p_te = np.interp(raw_te, calibration["x"], calibration["y"])
    metrics: dict[str, Any] = dict(binary_metrics(y[te], p_te))
    metrics["uncalibrated"] = binary_metrics(y[te], raw_te)
    metrics["reliability_curve"] = reliability_curve(y[te], p_te)
    created = created_at or datetime.now(UTC)
    digest = hashlib.sha256(booster.model_to_string().encode())
    digest.update(json.dumps(calibration).encode())
    meta: dict[str, Any] = {
        "version": f"plan-{created:%Y%m%d}-{digest.hexdigest()[:10]}",
        "kind": "plan_completion",
        "created_at": created.isoformat(timespec="seconds"),
        "data_window": data_window or {},
        "n_plans": {"train": int(tr.sum()), "calibration": int(ca.sum()), "test": int(te.sum())},
        "completed_share": float(y.mean()),
        "feature_names": names,
        "categorical_features": list(CATEGORICAL),
        "calibration_method": "isotonic (held-out calibration split, by person)",
        "params": asdict(cfg),
        "metrics": metrics,
        "library_versions": {"lightgbm": lgb.__version__, "numpy": np.__version__},
    }
    return PlanCompletionModel(booster, calibration, meta), part


def training_data(
    histories: CaseHistories,
    terms: pd.DataFrame | None = None,
    capacity_cents: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The judged plans of ``histories`` and their features.

    ``capacity_cents`` is indexed by ``plan_id`` (stated finances of the plan)."""
    plans = plan_table(histories, terms)
    plans = plans[plans["judged"].astype(bool).to_numpy()]
    cap = None
    if capacity_cents is not None:
        cap = pd.Series(
            plans["plan_id"].map(capacity_cents).to_numpy(np.float64), index=plans.index
        )
    return plans, plan_features(histories, plans, cap)


# ------------------------------------------------------------------- on the simulator


def load_finance_params(path: str | Path | None = None) -> dict[str, Any]:
    if path is None:
        text = (resources.files("mahnwerk.ml") / "plan_finances.yaml").read_text("utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    params: dict[str, Any] = yaml.safe_load(text)
    return params


def simulated_finances(
    traits: pd.DataFrame, persons: pd.DataFrame, seed: int, params: dict[str, Any] | None = None
) -> pd.DataFrame:
    """What simulated consumers state (``plan_finances.yaml``): ``person_id``, ``stated``,
    ``net_income``, ``dependants``, ``rent``, ``fixed_costs`` (whole euros)."""
    p = params or load_finance_params()
    rng = np.random.default_rng(seed + int(p["seed_offset"]))
    n = len(traits)
    ability = traits["ability"].to_numpy(np.float64)
    consumer = (
        persons.set_index("person_id")["debtor_type"].reindex(traits["person_id"]) == "consumer"
    ).to_numpy()
    inc = p["net_income"]
    income = inc["median"] * np.exp(
        ability * inc["ability"] + rng.standard_normal(n) * inc["sigma"]
    )
    income = np.maximum(np.round(income), inc["floor"])
    dependants = np.minimum(rng.poisson(p["dependants_poisson"], n), 5)
    r_lo, r_hi = p["rent_share"]
    rent = np.maximum(np.round(income * rng.uniform(r_lo, r_hi, n)), p["rent_floor"])
    f_lo, f_hi = p["fixed_costs_share"]
    fixed = np.round(income * rng.uniform(f_lo, f_hi, n))
    stated = consumer & (rng.random(n) < p["stated_share"])
    return pd.DataFrame(
        {
            "person_id": traits["person_id"].to_numpy(np.int64),
            "stated": stated,
            "net_income": income,
            "dependants": dependants,
            "rent": rent,
            "fixed_costs": fixed,
        }
    )


def capacity_of(finances: pd.DataFrame, on: date, budget: Budget | None = None) -> pd.Series:
    """Monthly capacity in cents per row of stated finances (NaN where not stated), by the
    domain's rule (:func:`mahnwerk.domain.affordability.affordable_capacity`)."""
    b = budget or Budget()
    out = np.full(len(finances), np.nan)
    cache: dict[tuple[int, int, int, int], float] = {}
    rows = zip(
        finances["stated"].to_numpy(bool),
        finances["net_income"].to_numpy(),
        finances["dependants"].to_numpy(),
        finances["rent"].to_numpy(),
        finances["fixed_costs"].to_numpy(),
        strict=True,
    )
    for i, (stated, inc, dep, rent, fixed) in enumerate(rows):
        if not stated:
            continue
        key = (int(inc), int(dep), int(rent), int(fixed))
        if key not in cache:
            f = Finances(Decimal(key[0]), key[1], Decimal(key[2]), Decimal(key[3]))
            cache[key] = float(affordable_capacity(f, on, b).instalment) * 100
        out[i] = cache[key]
    return pd.Series(out, index=finances.index)


def simulated_capacity(sim: Any, seed: int, on: date | None = None) -> pd.Series:
    """Capacity in cents per simulated plan (``plan_id``; NaN where nothing was stated),
    judged by the § 850c table of ``on`` (default: the simulation's ``as_of``)."""
    h = sim.histories
    fin = simulated_finances(sim.traits, h.persons, seed)
    day = on or pd.Timestamp(h.as_of).date()
    cap = capacity_of(fin, day).to_numpy()
    by_person = pd.Series(cap, index=fin["person_id"].to_numpy())
    pr = h.promises[h.promises["plan_id"].notna()].drop_duplicates("plan_id")
    person = pr["case_id"].map(h.cases.set_index("case_id")["person_id"])
    return pd.Series(
        person.map(by_person).to_numpy(np.float64),
        index=pr["plan_id"].astype(np.int64).to_numpy(),
    )


def plan_oracle(sim: Any, plans: pd.DataFrame, params: dict[str, Any] | None = None) -> np.ndarray:
    """The simulator's true probability that each plan (rows of :func:`plan_table`) is
    completed: the product over its instalments of the probability each is kept, from the
    hidden ability (with a life event's cut) and willingness."""
    from mahnwerk.ml.simulator import load_params

    p = params or load_params()
    coef = p["plans"]["instalment_kept"]
    drop = float(p["traits"]["life_event_ability_drop"])
    h = sim.histories
    traits = sim.traits.set_index("person_id")
    pr = h.promises[h.promises["plan_id"].notna()]
    key = pd.MultiIndex.from_arrays([pr["case_id"], pr["plan_id"].astype(np.int64)])
    want = pd.MultiIndex.from_arrays([plans["case_id"], plans["plan_id"]])
    rows = pr[key.isin(want)]
    person = rows["case_id"].map(h.cases.set_index("case_id")["person_id"]).to_numpy()
    day = ((pd.to_datetime(rows["due_at"]) - h.as_of) / pd.Timedelta(days=1)).to_numpy()
    ability = traits["ability"].reindex(person).to_numpy(np.float64)
    event = traits["life_event_day"].reindex(person).to_numpy(np.float64)
    ability = ability - drop * (np.nan_to_num(event, nan=np.inf) <= day)
    will = traits["willingness"].reindex(person).to_numpy(np.float64)
    logit = coef.get("intercept", 0.0) + coef.get("ability", 0.0) * ability
    logit = logit + coef.get("willingness", 0.0) * will
    log_p = -np.log1p(np.exp(-logit))
    per_plan = (
        pd.Series(log_p)
        .groupby([rows["case_id"].to_numpy(), rows["plan_id"].astype(np.int64).to_numpy()])
        .sum()
    )
    got = per_plan.reindex(list(zip(plans["case_id"], plans["plan_id"], strict=True)))
    return np.asarray(np.exp(got.to_numpy(np.float64)))
