"""Debtor simulator: a documented generative model of debtor behaviour.

Every synthetic person gets hidden traits (see ``simulator_params.yaml``, where every
number lives): ability and willingness to pay, possibly a life event that cuts ability from
a given day on, outdated contact data, mobility (address changes), a preferred channel and
hour, and sensitivities to reminders and to costs. Protected attributes – sex, age band,
nationality – are drawn first and shift some traits a little (income gap, mobility of the
young, outdated addresses after a move). They never act on behaviour directly, and they are
returned *apart* from the histories.

From the traits follows, fully vectorised with numpy:

1. cases per person (1 + Poisson, different creditors), claim type, principal, costs,
   claim age, stage and time in stage;
2. the dunning history up to ``as_of``: contacts every ~14 days by letter, e-mail, SMS or
   call, their delivery (returned letters after moves, bounced e-mails, unreached calls),
   reactions and how fast they came, payments after a reaction, promises to pay and whether
   they were kept, payment plans with monthly instalments (kept or broken, returned direct
   debits), address changes;
3. the outcome window after ``as_of`` (written into the payments table, as the store would
   hold it later): any payment within 30 days, full settlement within 180 days, the amount
   collected – with their exact probabilities, the **oracle**.

Because the outcome probabilities are known, the oracle gives the best achievable AUC and
calibration on the simulated data; a model can only approach it, since it sees behaviour,
not traits.

Usage::

    sim = simulate(100_000, seed=1)
    sim.histories        # CaseHistories: persons, cases, events, payments, promises, …
    sim.protected        # person_id, sex, age_band, nationality (held apart)
    sim.oracle           # case_id, p_pay_30d, p_full_180d, expected_collected_cents
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from mahnwerk.ml.history import CaseHistories

CHANNELS = ("letter", "email", "sms", "call")
DAY_SECONDS = 86_400


def load_params(path: str | Path | None = None) -> dict[str, Any]:
    """Read the simulator parameters (default: the packaged ``simulator_params.yaml``)."""
    if path is None:
        text = (resources.files("mahnwerk.ml") / "simulator_params.yaml").read_text("utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    params: dict[str, Any] = yaml.safe_load(text)
    return params


@dataclass(frozen=True)
class Simulation:
    """Output of :func:`simulate`."""

    histories: CaseHistories
    #: person_id, sex, age_band, nationality, age_years – <NA> for businesses
    protected: pd.DataFrame
    #: case_id, p_pay_30d, p_full_180d, expected_collected_cents, open_cents
    oracle: pd.DataFrame
    #: person-level hidden traits (for documentation and diagnostics only)
    traits: pd.DataFrame


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=float)


def _choice_codes(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    """Draw ``n`` category codes with probabilities ``probs`` (1-d) ."""
    codes = np.searchsorted(np.cumsum(probs / probs.sum()), rng.random(n), side="right")
    return np.asarray(codes.clip(0, len(probs) - 1))


def _row_choice(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One draw per row from a (n, k) matrix of non-negative weights."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.asarray((cum < u[:, None]).sum(axis=1).clip(0, weights.shape[1] - 1))


def _ragged(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner index and index within owner for a ragged expansion by ``counts``."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    within = np.arange(int(counts.sum())) - np.repeat(starts, counts)
    return owner, within


def _logit(coef: dict[str, float], **terms: np.ndarray | float) -> np.ndarray:
    x = np.asarray(coef.get("intercept", 0.0), dtype=float)
    for name, value in terms.items():
        x = x + coef.get(name, 0.0) * np.asarray(value, dtype=float)
    return np.asarray(x, dtype=float)


def _postcodes(rng: np.random.Generator, lead: np.ndarray) -> np.ndarray:
    """Random postcodes (as int) with the given leading digit."""
    return lead * 10_000 + rng.integers(1, 10_000, len(lead))


def simulate(
    n_persons: int,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    as_of: str | pd.Timestamp | None = None,
) -> Simulation:
    """Simulate ``n_persons`` debtors with their open cases, histories and the oracle."""
    p = params if params is not None else load_params()
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp(as_of if as_of is not None else p["as_of"])
    n = int(n_persons)

    # ------------------------------------------------------------------ persons
    business = rng.random(n) < p["business_share"]
    pr = p["protected"]
    sex_keys = list(pr["sex"])
    nat_keys = list(pr["nationality"])
    sex = _choice_codes(rng, np.array(list(pr["sex"].values())), n)
    nat = _choice_codes(rng, np.array(list(pr["nationality"].values())), n)
    mix = np.array(pr["age_mixture"], dtype=float)
    comp = _choice_codes(rng, mix[:, 0], n)
    age = mix[comp, 1] + rng.random(n) * (mix[comp, 2] - mix[comp, 1])
    bands = pr["age_bands"]
    band_keys = [b[2] for b in bands]
    band = np.searchsorted(np.array([b[1] for b in bands]), np.floor(age), side="left")

    tr = p["traits"]

    def shift(table: dict[str, float], keys: list[str], codes: np.ndarray) -> np.ndarray:
        return np.asarray(np.array([table.get(k, 0.0) for k in keys])[codes], dtype=float)

    a_sh = tr["ability_shift"]
    ability = rng.standard_normal(n)
    corr = tr["ability_willingness_corr"]
    willingness = corr * ability + np.sqrt(1 - corr**2) * rng.standard_normal(n)
    consumer = ~business
    ability += np.where(
        consumer,
        shift(a_sh["age_band"], band_keys, band)
        + shift(a_sh["sex"], sex_keys, sex)
        + shift(a_sh["nationality"], nat_keys, nat),
        a_sh["business"],
    )
    w_sh = tr["willingness_shift"]
    willingness += np.where(
        consumer,
        shift(w_sh["age_band"], band_keys, band) + shift(w_sh["sex"], sex_keys, sex),
        w_sh["business"],
    )
    m_sh = tr["mobility_shift"]
    mobility = rng.standard_normal(n) + np.where(
        consumer,
        shift(m_sh["age_band"], band_keys, band) + shift(m_sh["nationality"], nat_keys, nat),
        0.0,
    )
    unreachable = rng.random(n) < _sigmoid(_logit(tr["unreachable"], mobility=mobility))
    reminder_sens = rng.lognormal(0.0, tr["reminder_sensitivity_sigma"], n)
    cb_a, cb_b = (float(v) for v in tr["cost_sensitivity_beta"])
    cost_sens = rng.beta(cb_a, cb_b, n)
    has_event = rng.random(n) < tr["life_event_probability"]
    event_day = np.where(has_event, -rng.random(n) * 365.0, np.inf)
    drop = tr["life_event_ability_drop"]
    pc = tr["preferred_channel"]
    pref_table = np.array([pc[k] for k in band_keys] + [pc["business"]], dtype=float)
    group = np.where(business, len(band_keys), band)
    pref_channel = _row_choice(rng, pref_table[group])
    ph = tr["preferred_hour"]
    pref_hour = np.clip(
        rng.normal(np.where(band == len(band_keys) - 1, ph["retired_mean"], ph["mean"]), ph["sd"]),
        8,
        20,
    )

    def ability_at(person: np.ndarray, day: np.ndarray) -> np.ndarray:
        return np.asarray(ability[person] - drop * (day >= event_day[person]), dtype=float)

    # ----------------------------------------------------------- address changes
    n_moves = rng.poisson(tr["address_changes_per_year"] * np.exp(0.7 * mobility))
    n_moves = np.minimum(n_moves, 6)
    mv_person, mv_k = _ragged(n_moves)
    mv_day = -rng.random(len(mv_person)) * 365.0
    order = np.lexsort((mv_day, mv_person))
    mv_person, mv_day = mv_person[order], mv_day[order]  # owners stay grouped, days sorted
    first_lead = rng.integers(0, 10, n)
    postcode0 = _postcodes(rng, first_lead)
    old_pc = np.empty(len(mv_person), dtype=np.int64)
    new_pc = np.empty(len(mv_person), dtype=np.int64)
    current = postcode0.copy()
    far = rng.random(len(mv_person)) < tr["far_move_share"]
    for k in range(int(n_moves.max(initial=0))):
        sel = np.flatnonzero(mv_k == k)
        who = mv_person[sel]
        old = current[who]
        lead = old // 10_000
        new_lead = np.where(far[sel], (lead + rng.integers(1, 10, len(sel))) % 10, lead)
        new = _postcodes(rng, new_lead)
        old_pc[sel], new_pc[sel] = old, new
        current[who] = new

    # --------------------------------------------------------------------- cases
    cp = p["cases"]
    n_cases_pp = 1 + np.minimum(
        rng.poisson(cp["extra_cases_per_person_poisson"], n), cp["max_cases"] - 1
    )
    case_person, _ = _ragged(n_cases_pp)
    m = len(case_person)
    case_id = np.arange(1, m + 1, dtype=np.int64)
    creditor = rng.integers(1, p["n_creditors"] + 1, m)
    ct = cp["claim_types"]
    ct_keys = list(ct)
    ct_arr = np.array(list(ct.values()), dtype=float)
    ctype = _choice_codes(rng, ct_arr[:, 0], m)
    is_bus_case = business[case_person]
    median = np.where(is_bus_case, cp["business_claim"][1], ct_arr[ctype, 1])
    sigma = np.where(is_bus_case, cp["business_claim"][2], ct_arr[ctype, 2])
    ctype_names = np.array([*ct_keys, "b2b"])[np.where(is_bus_case, len(ct_keys), ctype)]
    principal = np.maximum(np.round(median * np.exp(sigma * rng.standard_normal(m)) * 100), 1000)
    lo, hi = cp["costs_share"]
    costs = np.round(principal * (lo + (hi - lo) * rng.random(m)))
    total = (principal + costs).astype(np.int64)
    case_age = cp["case_age_days"][0] + rng.random(m) * (
        cp["case_age_days"][1] - cp["case_age_days"][0]
    )
    opened = -case_age
    o_lo, o_hi = cp["overdue_before_handover_days"]
    due = opened - (o_lo + rng.random(m) * (o_hi - o_lo))
    has_email = rng.random(n) < np.where(
        business, cp["has_email"]["business"], cp["has_email"]["consumer"]
    )
    has_mobile = rng.random(n) < np.where(
        business, cp["has_mobile"]["business"], cp["has_mobile"]["consumer"]
    )

    # ------------------------------------------------------------------ contacts
    cc = p["contacts"]
    interval = cp["contact_interval_days"]
    n_ct = np.where(case_age >= 3, np.floor((case_age - 3) / interval) + 1, 0).astype(int)
    n_ct = np.minimum(n_ct, cp["max_contacts"])
    ev_case, ev_k = _ragged(n_ct)
    ev_person = case_person[ev_case]
    e = len(ev_case)
    ev_day = opened[ev_case] + 3 + interval * ev_k + rng.uniform(-2, 2, e)
    ev_day = np.minimum(np.floor(ev_day), -1.0)
    avail = np.column_stack(
        [np.ones(e), has_email[ev_person], has_mobile[ev_person], has_mobile[ev_person]]
    ) * np.array(cp["channel_weights"])
    channel = np.where(ev_k == 0, 0, _row_choice(rng, avail))
    hour = np.where(channel == 0, 10, rng.integers(9, 20, e)).astype(float)
    ev_day = ev_day + hour / 24.0
    # delivery
    fail_ok = np.array([cc["fail_ok"][c] for c in CHANNELS])[channel]
    fail_out = np.array([cc["fail_outdated"][c] for c in CHANNELS])[channel]
    fail = np.where(unreachable[ev_person], fail_out, fail_ok)
    near = np.abs(hour - pref_hour[ev_person]) <= cc["call_hour_window"]
    fail = np.where((channel == 3) & near, np.maximum(fail - cc["call_reach_bonus"], 0.05), fail)
    # letters to the old address shortly after a move come back
    if len(mv_person):
        key_mv = mv_person * 1000.0 + (mv_day + 500.0)
        idx = np.searchsorted(key_mv, ev_person * 1000.0 + (ev_day + 500.0), side="right") - 1
        valid = idx >= 0
        idx_c = idx.clip(0)
        recent = (
            valid
            & (mv_person[idx_c] == ev_person)
            & (ev_day - mv_day[idx_c] <= cc["returned_after_move_days"])
        )
        fail = np.where(
            (channel == 0) & recent, np.maximum(fail, cc["returned_after_move_probability"]), fail
        )
    failed = rng.random(e) < fail
    delivery = np.where(
        failed, np.array(["returned", "bounced", "bounced", "not_reached"])[channel], "delivered"
    )
    ab_now = ability_at(ev_person, ev_day)
    rlogit = _logit(
        cc["response"],
        willingness=willingness[ev_person],
        ability=ab_now,
        preferred_channel=(channel == pref_channel[ev_person]),
        reminder_sensitivity=reminder_sens[ev_person] - 1.0,
        call=(channel == 3),
        cost_fatigue=cost_sens[ev_person] * (ev_k >= 4),
    )
    responded = ~failed & (rng.random(e) < _sigmoid(rlogit))
    p_fast = _sigmoid(_logit(cc["response_delay"], willingness=willingness[ev_person]))
    delay = rng.geometric(np.clip(p_fast, 0.02, 0.98)) - 1 + rng.random(e) * 0.5
    resp_day = np.where(responded, ev_day + delay, np.nan)
    responded &= resp_day <= 0
    resp_day = np.where(responded, resp_day, np.nan)

    # ------------------------------------------- payments and promises after reactions
    r_idx = np.flatnonzero(responded)
    r_case, r_person, r_day = ev_case[r_idx], ev_person[r_idx], resp_day[r_idx]
    r_ab = ability_at(r_person, r_day)
    pays = rng.random(len(r_idx)) < _sigmoid(
        _logit(cc["pay_after_response"], ability=r_ab, willingness=willingness[r_person])
    )
    promises_now = ~pays & (rng.random(len(r_idx)) < cc["promise_after_response"])
    s_lo, s_hi = cc["payment_share"]
    pay_rows = [
        (
            r_case[pays],
            r_day[pays] + rng.random(pays.sum()) * 5,
            total[r_case[pays]] * (s_lo + (s_hi - s_lo) * rng.random(pays.sum())),
            np.zeros(pays.sum(), dtype=bool),  # transfer
            np.zeros(pays.sum(), dtype=bool),
        )
    ]
    q = np.flatnonzero(promises_now)
    pm_case = r_case[q]
    pm_made = r_day[q]
    pm_due = pm_made + cc["promise_due_days"]
    pl_lo, pl_hi = cc["promise_share"]
    pm_amount = total[pm_case] * (pl_lo + (pl_hi - pl_lo) * rng.random(len(q)))
    pm_kept = rng.random(len(q)) < _sigmoid(
        _logit(
            cc["promise_kept"],
            ability=ability_at(r_person[q], pm_due),
            willingness=willingness[r_person[q]],
        )
    )
    pm_debit = rng.random(len(q)) < cc["direct_debit_share"]
    pm_plan = np.full(len(q), -1, dtype=np.int64)

    # --------------------------------------------------------------- payment plans
    pp = p["plans"]
    plan_p = _sigmoid(
        _logit(
            pp["probability"], willingness=willingness[case_person], ability=ability[case_person]
        )
    )
    has_plan = (case_age > 45) & (rng.random(m) < plan_p)
    pl_case_idx = np.flatnonzero(has_plan)
    k_lo, k_hi = pp["instalments"]
    k_inst = rng.integers(k_lo, k_hi + 1, len(pl_case_idx))
    plan_start = (
        opened[pl_case_idx] + 30 + rng.random(len(pl_case_idx)) * (case_age[pl_case_idx] - 45)
    )
    plan_debit = rng.random(len(pl_case_idx)) < 0.6
    owner, j = _ragged(k_inst)
    in_case = pl_case_idx[owner]
    in_due = plan_start[owner] + 14 + pp["interval_days"] * j
    in_amount = total[in_case] / k_inst[owner]
    in_kept = rng.random(len(owner)) < _sigmoid(
        _logit(
            pp["instalment_kept"],
            ability=ability_at(case_person[in_case], in_due),
            willingness=willingness[case_person[in_case]],
        )
    )
    active_plan = np.zeros(m, dtype=bool)
    active_plan[in_case[in_due > 0]] = True

    all_pm_case = np.concatenate([pm_case, in_case])
    all_made = np.concatenate([pm_made, plan_start[owner]])
    all_due = np.concatenate([pm_due, in_due])
    all_amount = np.concatenate([pm_amount, in_amount])
    all_kept = np.concatenate([pm_kept, in_kept])
    all_debit = np.concatenate([pm_debit, plan_debit[owner]])
    all_plan = np.concatenate([pm_plan, case_id[pl_case_idx][owner]])
    due_past = all_due <= 0
    kept_pay = all_kept & due_past
    pay_day = all_due + rng.random(len(all_due)) * 3
    kept_pay &= pay_day <= 0
    pay_rows.append(
        (
            all_pm_case[kept_pay],
            pay_day[kept_pay],
            all_amount[kept_pay],
            all_debit[kept_pay],
            np.zeros(kept_pay.sum(), dtype=bool),
        )
    )
    # a broken instalment by direct debit comes back (Rücklastschrift)
    bounce = ~all_kept & due_past & all_debit & (rng.random(len(all_due)) < 0.8)
    pay_rows.append(
        (
            all_pm_case[bounce],
            all_due[bounce],
            all_amount[bounce],
            np.ones(bounce.sum(), dtype=bool),
            np.ones(bounce.sum(), dtype=bool),
        )
    )

    # ------------------------------------------------------- history payments capped
    h_case = np.concatenate([r[0] for r in pay_rows])
    h_day = np.concatenate([r[1] for r in pay_rows])
    h_amt = np.round(np.concatenate([r[2] for r in pay_rows])).astype(np.int64)
    h_debit = np.concatenate([r[3] for r in pay_rows])
    h_rev = np.concatenate([r[4] for r in pay_rows])
    keep_rows = h_day <= 0
    h_case, h_day, h_amt, h_debit, h_rev = (
        a[keep_rows] for a in (h_case, h_day, h_amt, h_debit, h_rev)
    )
    order = np.lexsort((h_day, h_case))
    h_case, h_day, h_amt, h_debit, h_rev = (
        a[order] for a in (h_case, h_day, h_amt, h_debit, h_rev)
    )
    eff = np.where(h_rev, 0, h_amt)
    csum = pd.Series(eff).groupby(h_case).cumsum().to_numpy()
    ok = csum <= cc["max_paid_share"] * total[h_case]
    ok |= h_rev
    h_case, h_day, h_amt, h_debit, h_rev = (a[ok] for a in (h_case, h_day, h_amt, h_debit, h_rev))
    paid = np.bincount(h_case, weights=np.where(h_rev, 0, h_amt), minlength=m)
    open_cents = (total - paid).astype(np.int64)

    # ------------------------------------------------------------------ outcome
    oc = p["outcome"]
    ab0 = ability_at(case_person, np.zeros(m))
    log_open = np.log(np.maximum(open_cents, 100) / 30_000.0)
    l30 = _logit(
        oc["pay_30d"],
        ability=ab0,
        willingness=willingness[case_person],
        reminder_sensitivity=reminder_sens[case_person] - 1.0,
        log_open_amount=log_open,
        unreachable=unreachable[case_person],
        active_plan=active_plan,
        business=is_bus_case,
    )
    p30 = _sigmoid(l30)
    p_later = _sigmoid(l30 + oc["pay_later_shift"])
    q_full = _sigmoid(
        _logit(
            oc["full_given_pay"],
            ability=ab0,
            willingness=willingness[case_person],
            log_open_amount=log_open,
        )
    )
    ba, bb = oc["partial_share_beta"]
    p_any = p30 + (1 - p30) * p_later
    p_full = p_any * q_full
    expected = open_cents * p_any * (q_full + (1 - q_full) * ba / (ba + bb))
    pay30 = rng.random(m) < p30
    later = ~pay30 & (rng.random(m) < p_later)
    payer = pay30 | later
    full = payer & (rng.random(m) < q_full)
    first = np.where(pay30, 1 + rng.random(m) * 29, 31 + rng.random(m) * 149)
    n_inst = np.where(full, rng.integers(1, 4, m), 1)
    n_inst = np.where(first + 30 * (n_inst - 1) > 180, 1, n_inst)
    share = np.where(full, 1.0, rng.beta(ba, bb, m))
    collect = np.where(payer, np.round(open_cents * share), 0).astype(np.int64)
    collect = np.where(full, open_cents, collect)
    o_case, o_j = _ragged(np.where(payer, n_inst, 0))
    base = collect[o_case] // n_inst[o_case]
    rest = collect[o_case] - base * n_inst[o_case]
    o_amt = base + np.where(o_j == n_inst[o_case] - 1, rest, 0)
    o_day = first[o_case] + 30 * o_j

    # ----------------------------------------------------------- assemble frames
    def ts(days: np.ndarray) -> pd.Series:
        secs = np.round(np.asarray(days, dtype=float) * DAY_SECONDS).astype(np.int64)
        return pd.Series(np.datetime64(t0.to_datetime64(), "s") + secs.astype("timedelta64[s]"))

    person_id = np.arange(1, n + 1, dtype=np.int64)
    debtor_type = np.where(business, "business", "consumer")
    birth_days = -age * 365.25
    persons = pd.DataFrame(
        {
            "person_id": person_id,
            "debtor_type": debtor_type,
            "birth_date": ts(np.floor(birth_days)).where(consumer),
            "postcode": pd.Series(current).map("{:05d}".format),
        }
    )
    stage_days = cp["stage_days"]
    stage_names = np.array(list(stage_days))
    thresholds = np.array(list(stage_days.values()), dtype=float)
    stage_code = np.searchsorted(thresholds, case_age, side="right") - 1
    stage = stage_names[stage_code]
    stage_since = opened + thresholds[stage_code]
    last_plan_start = np.full(m, -np.inf)
    np.maximum.at(last_plan_start, pl_case_idx, plan_start)
    stage = np.where(active_plan, "payment_plan", stage)
    stage_since = np.where(active_plan, last_plan_start, stage_since)
    cases = pd.DataFrame(
        {
            "case_id": case_id,
            "person_id": person_id[case_person],
            "creditor_id": creditor.astype(np.int64),
            "debtor_type": debtor_type[case_person],
            "claim_type": ctype_names,
            "principal_cents": principal.astype(np.int64),
            "costs_cents": costs.astype(np.int64),
            "due_date": ts(np.floor(due)),
            "opened_at": ts(np.floor(opened)),
            "stage": stage,
            "stage_since": ts(np.floor(stage_since)),
        }
    )
    events = pd.DataFrame(
        {
            "case_id": case_id[ev_case],
            "person_id": person_id[ev_person],
            "ts": ts(ev_day),
            "channel": np.array(CHANNELS)[channel],
            "delivery": delivery,
            "responded": responded,
            "response_ts": ts(np.nan_to_num(resp_day, nan=0.0)).where(responded),
        }
    )
    pay_case = np.concatenate([h_case, o_case])
    payments = pd.DataFrame(
        {
            "case_id": case_id[pay_case],
            "person_id": person_id[case_person[pay_case]],
            # value dates: payments are booked per day, as the store holds them
            "ts": ts(np.floor(np.concatenate([h_day, o_day]))),
            "amount_cents": np.concatenate([h_amt, o_amt]).astype(np.int64),
            "method": np.where(
                np.concatenate([h_debit, np.zeros(len(o_case), dtype=bool)]),
                "direct_debit",
                "transfer",
            ),
            "reversed": np.concatenate([h_rev, np.zeros(len(o_case), dtype=bool)]),
        }
    )
    made_ok = all_made <= 0
    promises = pd.DataFrame(
        {
            "case_id": case_id[all_pm_case[made_ok]],
            "person_id": person_id[case_person[all_pm_case[made_ok]]],
            "made_at": ts(all_made[made_ok]),
            "due_at": ts(all_due[made_ok]),
            "amount_cents": np.round(all_amount[made_ok]).astype(np.int64),
            "plan_id": pd.array(np.where(all_plan[made_ok] >= 0, all_plan[made_ok], 0), "Int64"),
            "kept": pd.array(all_kept[made_ok], dtype="boolean"),
        }
    )
    promises.loc[all_plan[made_ok] < 0, "plan_id"] = pd.NA
    promises.loc[all_due[made_ok] > 0, "kept"] = pd.NA
    address_changes = pd.DataFrame(
        {
            "person_id": person_id[mv_person],
            "ts": ts(np.floor(mv_day)),  # the day the new address became known
            "old_postcode": pd.Series(old_pc).map("{:05d}".format),
            "new_postcode": pd.Series(new_pc).map("{:05d}".format),
        }
    )
    histories = CaseHistories(
        as_of=t0,
        persons=persons,
        cases=cases,
        events=events.sort_values(["case_id", "ts"], kind="stable", ignore_index=True),
        payments=payments.sort_values(["case_id", "ts"], kind="stable", ignore_index=True),
        promises=promises.sort_values(["case_id", "due_at"], kind="stable", ignore_index=True),
        address_changes=address_changes,
    )

    def labels(keys: list[str], codes: np.ndarray) -> pd.Series:
        return pd.Series(np.array(keys, dtype=object)[codes]).where(consumer)

    protected = pd.DataFrame(
        {
            "person_id": person_id,
            "sex": labels(sex_keys, sex),
            "age_band": labels(band_keys, band),
            "nationality": labels(nat_keys, nat),
            "age_years": pd.Series(np.floor(age)).where(consumer),
        }
    )
    oracle = pd.DataFrame(
        {
            "case_id": case_id,
            "p_pay_30d": p30,
            "p_full_180d": p_full,
            "expected_collected_cents": expected,
            "open_cents": open_cents,
        }
    )
    traits = pd.DataFrame(
        {
            "person_id": person_id,
            "ability": ability,
            "willingness": willingness,
            "unreachable": unreachable,
            "mobility": mobility,
            "reminder_sensitivity": reminder_sens,
            "cost_sensitivity": cost_sens,
            "life_event_day": np.where(has_event, event_day, np.nan),
            "preferred_channel": np.array(CHANNELS)[pref_channel],
            "preferred_hour": pref_hour,
            "has_email": has_email,
            "has_mobile": has_mobile,
        }
    )
    return Simulation(histories=histories, protected=protected, oracle=oracle, traits=traits)
