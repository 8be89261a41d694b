"""Features of open cases, computed from :class:`~mahnwerk.ml.history.CaseHistories`.

One row per case, indexed by ``case_id``, all columns ``float32`` (missing = NaN, which
LightGBM treats as its own branch). Only rows with a timestamp ``<= as_of`` are used, so
the same function serves training (a past ``as_of``) and the daily run (today).

The matrix is built from the whitelist :data:`ALLOWED_FEATURES` and checked by
:func:`~mahnwerk.ml.protected.check_no_protected`: sex, nationality, origin, names,
postcodes and other proxies never enter it. Age (``age_years``) is excluded by default and
only added with ``FeatureConfig(include_age=True)``; the model card states which it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mahnwerk.ml.history import CaseHistories
from mahnwerk.ml.protected import check_no_protected

STAGES = ("reminder", "dunning", "final_notice", "payment_plan", "court")
CLAIM_TYPES = ("telecom", "energy", "ecommerce", "rent", "health", "loan", "b2b")
CHANNELS = ("letter", "email", "sms", "call")

#: The features a model may use, in matrix order (age is added only when switched on).
ALLOWED_FEATURES: tuple[str, ...] = (
    "open_amount_eur",
    "principal_eur",
    "costs_share",
    "paid_share",
    "claim_age_days",
    "case_age_days",
    "days_in_stage",
    "stage",
    "claim_type",
    "is_business",
    "n_contacts",
    "n_responses",
    "response_rate",
    "first_response_days",
    "first_response_channel",
    "days_since_last_response",
    "n_bounced_contacts",
    "n_returned_letters",
    "n_calls_not_reached",
    "n_payments",
    "days_since_last_payment",
    "n_reversed_debits",
    "n_promises_kept",
    "n_promises_broken",
    "n_instalments_kept",
    "n_instalments_broken",
    "n_address_changes",
    "days_since_address_change",
    "other_cases",
    "other_cases_paid_share",
    "other_cases_promises_broken",
    "other_cases_responses",
)
AGE_FEATURE = "age_years"

#: Features LightGBM treats as categorical (integer codes into the tuples above).
CATEGORICAL_FEATURES: tuple[str, ...] = ("stage", "claim_type", "first_response_channel")


@dataclass(frozen=True)
class FeatureConfig:
    """Which optional features to build. Age is off unless the audit shows it does no harm."""

    include_age: bool = False

    def feature_names(self) -> tuple[str, ...]:
        return ALLOWED_FEATURES + ((AGE_FEATURE,) if self.include_age else ())


def feature_names(config: FeatureConfig | None = None) -> tuple[str, ...]:
    """The feature names in matrix order for ``config``."""
    return (config or FeatureConfig()).feature_names()


def _codes(values: pd.Series, categories: tuple[str, ...]) -> np.ndarray:
    codes = pd.Categorical(values, categories=list(categories)).codes.astype(np.float32)
    codes[codes < 0] = np.nan
    return np.asarray(codes)


def _days(as_of: pd.Timestamp, ts: pd.Series) -> np.ndarray:
    days = (as_of - ts) / pd.Timedelta(days=1)
    return np.asarray(days.to_numpy(dtype=np.float64, na_value=np.nan))


def build_features(histories: CaseHistories, config: FeatureConfig | None = None) -> pd.DataFrame:
    """The feature matrix of all cases in ``histories`` at ``histories.as_of``."""
    cfg = config or FeatureConfig()
    h = histories.until()
    t = h.as_of
    cases = h.cases.reset_index(drop=True)
    index = pd.Index(cases["case_id"].to_numpy(), name="case_id")
    m = len(cases)
    out: dict[str, np.ndarray] = {}

    def pos(case_ids: pd.Series) -> np.ndarray:
        return np.asarray(index.get_indexer(case_ids.to_numpy()))

    def count(mask_rows: np.ndarray, positions: np.ndarray) -> np.ndarray:
        p = positions[mask_rows & (positions >= 0)]
        return np.bincount(p, minlength=m).astype(np.float64)

    def last_days(positions: np.ndarray, days: np.ndarray, mask_rows: np.ndarray) -> np.ndarray:
        """Days since the most recent row per case (NaN if none)."""
        res = np.full(m, np.inf)
        ok = mask_rows & (positions >= 0) & ~np.isnan(days)
        np.minimum.at(res, positions[ok], days[ok])
        res[np.isinf(res)] = np.nan
        return res

    principal = cases["principal_cents"].to_numpy(np.float64)
    costs = cases["costs_cents"].to_numpy(np.float64)
    total = principal + costs

    # payments
    pay = h.payments
    p_pos = pos(pay["case_id"])
    rev = pay["reversed"].to_numpy(bool)
    amt = pay["amount_cents"].to_numpy(np.float64)
    ok_p = (p_pos >= 0) & ~rev
    paid = np.bincount(p_pos[ok_p], weights=amt[ok_p], minlength=m)
    p_days = _days(t, pay["ts"])
    out["open_amount_eur"] = np.maximum(total - paid, 0) / 100
    out["principal_eur"] = principal / 100
    out["costs_share"] = costs / np.maximum(principal, 1)
    out["paid_share"] = paid / np.maximum(total, 1)
    out["claim_age_days"] = _days(t, cases["due_date"])
    out["case_age_days"] = _days(t, cases["opened_at"])
    out["days_in_stage"] = _days(t, cases["stage_since"])
    out["stage"] = _codes(cases["stage"], STAGES)
    out["claim_type"] = _codes(cases["claim_type"], CLAIM_TYPES)
    out["is_business"] = (cases["debtor_type"] == "business").to_numpy(np.float64)

    # contacts and reactions
    ev = h.events
    e_pos = pos(ev["case_id"])
    all_e = np.ones(len(ev), dtype=bool)
    delivery = ev["delivery"].to_numpy()
    responded = ev["responded"].to_numpy(bool)
    delivered = delivery == "delivered"
    out["n_contacts"] = count(all_e, e_pos)
    out["n_responses"] = count(responded, e_pos)
    n_del = count(delivered, e_pos)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["response_rate"] = np.where(n_del > 0, out["n_responses"] / n_del, np.nan)
    resp = ev.loc[responded & (e_pos >= 0), ["case_id", "ts", "response_ts", "channel"]]
    first = resp.sort_values(["case_id", "response_ts"], kind="stable").drop_duplicates("case_id")
    f_pos = pos(first["case_id"])
    frd = np.full(m, np.nan)
    frd[f_pos] = ((first["response_ts"] - first["ts"]) / pd.Timedelta(days=1)).to_numpy()
    out["first_response_days"] = frd
    frc = np.full(m, np.nan)
    frc[f_pos] = _codes(first["channel"], CHANNELS)
    out["first_response_channel"] = frc
    out["days_since_last_response"] = last_days(e_pos, _days(t, ev["response_ts"]), responded)
    out["n_bounced_contacts"] = count(np.isin(delivery, ("bounced", "returned")), e_pos)
    out["n_returned_letters"] = count(delivery == "returned", e_pos)
    out["n_calls_not_reached"] = count(delivery == "not_reached", e_pos)

    # payments
    out["n_payments"] = count(~rev, p_pos)
    out["days_since_last_payment"] = last_days(p_pos, p_days, ~rev)
    out["n_reversed_debits"] = count(rev, p_pos)

    # promises and plans
    pr = h.promises
    r_pos = pos(pr["case_id"])
    kept = pr["kept"].astype("boolean")
    is_plan = pr["plan_id"].notna().to_numpy()
    k_true = kept.fillna(False).to_numpy(bool)
    k_false = (~kept).fillna(False).to_numpy(bool)
    out["n_promises_kept"] = count(k_true & ~is_plan, r_pos)
    out["n_promises_broken"] = count(k_false & ~is_plan, r_pos)
    out["n_instalments_kept"] = count(k_true & is_plan, r_pos)
    out["n_instalments_broken"] = count(k_false & is_plan, r_pos)

    # address changes of the person (last 365 days)
    ac = h.address_changes
    a_days = _days(t, ac["ts"])
    recent = a_days <= 365
    person_idx = pd.Index(cases["person_id"].unique())
    a_pp = person_idx.get_indexer(ac["person_id"].to_numpy())
    c_pp = person_idx.get_indexer(cases["person_id"].to_numpy())
    n_moves = np.bincount(a_pp[recent & (a_pp >= 0)], minlength=len(person_idx))
    last_move = np.full(len(person_idx), np.inf)
    okm = a_pp >= 0
    np.minimum.at(last_move, a_pp[okm], a_days[okm])
    last_move[np.isinf(last_move)] = np.nan
    out["n_address_changes"] = n_moves[c_pp].astype(np.float64)
    out["days_since_address_change"] = last_move[c_pp]

    # the same person's other cases (other creditors): person totals minus own values
    def person_sum(values: np.ndarray) -> np.ndarray:
        s = np.bincount(c_pp, weights=values, minlength=len(person_idx))
        return np.asarray(s[c_pp] - values)

    other_n = person_sum(np.ones(m))
    other_paid = person_sum(paid)
    other_total = person_sum(total)
    out["other_cases"] = other_n
    with np.errstate(invalid="ignore", divide="ignore"):
        out["other_cases_paid_share"] = np.where(other_n > 0, other_paid / other_total, np.nan)
    out["other_cases_promises_broken"] = person_sum(
        out["n_promises_broken"] + out["n_instalments_broken"]
    )
    out["other_cases_responses"] = person_sum(out["n_responses"])

    if cfg.include_age:
        persons = h.persons.set_index("person_id")
        birth = persons["birth_date"].reindex(cases["person_id"].to_numpy())
        out[AGE_FEATURE] = np.floor(_days(t, birth.reset_index(drop=True)) / 365.25)

    names = cfg.feature_names()
    frame = pd.DataFrame({k: np.asarray(out[k], dtype=np.float32) for k in names}, index=index)
    check_no_protected(frame.columns, allow_age=cfg.include_age)
    return frame
