"""The store as :class:`~mahnwerk.ml.history.CaseHistories`: what training and scoring see.

:func:`load_histories` reads the frames of :mod:`mahnwerk.ml.history` from the store's
tables with one SELECT each (the mapping is documented in
:mod:`mahnwerk.services.scoring.simulation`, which writes it), as seen at ``as_of`` (local time,
Europe/Berlin):

* cases opened by ``as_of`` and not closed or recalled by then; stage = the last
  ``stage.changed`` up to ``as_of`` (``payment_plan`` if a plan was running then);
* contacts (``message.sent``/``message.failed``/``call.logged``) up to ``as_of`` with their
  delivery (``letter.returned`` marks a letter) and reactions (``debtor.responded``, or the
  debtor's own steps in the application, see :func:`_responses_in_the_application`);
* ALL payments of those cases (also after ``as_of``: the targets of training come from them);
* promises and instalments (``promise.recorded``, or for plans agreed in the application
  their ``payment_plan`` rows judged against the payments), address changes (the address
  history).

Protected attributes are NOT part of it: :func:`load_protected` reads them apart, for the
fairness audit only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, exists, select
from sqlalchemy.orm import Session

from mahnwerk.domain.dunning import DEFAULT_GRACE_DAYS, PlanTerms
from mahnwerk.ml.history import CaseHistories
from mahnwerk.services.scoring.simulation import (
    BERLIN_TZ,
    CLAIM_LABELS,
    T_ADDRESS,
    T_CASE,
    T_CLAIM,
    T_COST,
    T_DEBTOR,
    T_EVENT,
    T_PAYMENT,
    T_PAYMENT_REVERSAL,
    T_PLAN,
    T_PROTECTED,
    to_utc,
)

#: stored stage → the stage the models know
ML_STAGE = {
    "new": "reminder",
    "reminder": "reminder",
    "dunning_1": "dunning",
    "dunning_2": "dunning",
    "final_notice": "final_notice",
    "court_handover": "court",
    "enforcement": "court",
    "monitoring": "court",
    "write_off": "court",
    "credit_bureau_report": "court",
}
_LABEL_TYPE = {v: k for k, v in CLAIM_LABELS.items()}


def _conn_of(db: Session | Engine | Connection) -> tuple[Connection, bool]:
    if isinstance(db, Session):
        return db.connection(), False
    if isinstance(db, Engine):
        return db.connect(), True
    return db, False


def local(values: Any) -> pd.Series:
    """Stored timestamps (UTC; naive on SQLite) → naive local Europe/Berlin."""
    s = pd.to_datetime(pd.Series(values, dtype=object), utc=True)
    return s.dt.tz_convert(BERLIN_TZ).dt.tz_localize(None).astype("datetime64[ns]")


def _frame(conn: Connection, stmt: Any, columns: list[str]) -> pd.DataFrame:
    rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _claim_type(label: str) -> Any:
    prefix = str(label).split(":", 1)[0]
    return _LABEL_TYPE.get(prefix, np.nan)


def load_histories(
    db: Session | Engine | Connection,
    as_of: Any,
    *,
    persons_of: Sequence[int] | None = None,
    include_closed: bool = False,
) -> CaseHistories:
    """Everything the models may know about the cases open at ``as_of`` (local time).

    ``persons_of``: only the cases of the persons of these cases (one debtor's history for
    one decision, read with indexed queries); ``include_closed``: also the cases closed or
    recalled by then (the plan-completion model learns from plans whose case was paid)."""
    conn, close = _conn_of(db)
    try:
        return _load(conn, pd.Timestamp(as_of), persons_of, include_closed)
    finally:
        if close:
            conn.close()


def _load(
    conn: Connection,
    t: pd.Timestamp,
    persons_of: Sequence[int] | None = None,
    include_closed: bool = False,
) -> CaseHistories:
    cut = to_utc(pd.Series([t]))[0]
    day = t.date()
    c, d, e = T_CASE.c, T_DEBTOR.c, T_EVENT.c

    query = (
        select(c.id, d.person_id, c.creditor_id, d.consumer, c.created_at, c.status, c.updated_at)
        .join_from(T_CASE, T_DEBTOR, d.id == c.debtor_id)
        .where(c.created_at <= cut)
        .order_by(c.id)
    )
    only: list[int] | None = None
    if persons_of is not None:
        persons = (
            select(d.person_id)
            .join_from(T_CASE, T_DEBTOR, d.id == c.debtor_id)
            .where(c.id.in_(list(persons_of)))
        )
        query = query.where(d.person_id.in_(persons))
    cases = _frame(
        conn,
        query,
        ["case_id", "person_id", "creditor_id", "consumer", "opened_at", "status", "updated_at"],
    )
    if persons_of is not None:
        only = [int(x) for x in cases["case_id"]]

    def limit(stmt: Any, column: Any) -> Any:
        return stmt if only is None else stmt.where(column.in_(only))

    if not include_closed:
        closed = _frame(
            conn,
            limit(
                select(e.case_id, e.at).where(
                    e.kind.in_(("case.closed", "case.recalled")), e.at <= cut
                ),
                e.case_id,
            ),
            ["case_id", "at"],
        )
        keep = ~cases["case_id"].isin(closed["case_id"])
        if len(cases):
            upd = local(cases["updated_at"])
            keep &= (cases["status"] == "open") | (upd > t)
        cases = cases[keep].reset_index(drop=True)
    ids = cases["case_id"].to_numpy(np.int64)
    id_set = set(ids.tolist())
    cases["opened_at"] = local(cases["opened_at"])
    cases["debtor_type"] = np.where(cases["consumer"].astype(bool), "consumer", "business")

    cl = T_CLAIM.c
    claims = _frame(
        conn,
        limit(select(cl.case_id, cl.due_date, cl.principal, cl.label, cl.id), cl.case_id).order_by(
            cl.id
        ),
        ["case_id", "due_date", "principal", "label", "id"],
    )
    claims = claims[claims["case_id"].isin(id_set)]
    g = claims.groupby("case_id")
    cases["principal_cents"] = cases["case_id"].map(g["principal"].sum()).fillna(0).astype(np.int64)
    cases["due_date"] = pd.to_datetime(cases["case_id"].map(g["due_date"].min()))
    cases["claim_type"] = cases["case_id"].map(g["label"].first()).map(_claim_type)
    co = T_COST.c
    costs = _frame(
        conn,
        limit(select(co.case_id, co.amount).where(co.date <= day), co.case_id),
        ["case_id", "amount"],
    )
    cases["costs_cents"] = (
        cases["case_id"].map(costs.groupby("case_id")["amount"].sum()).fillna(0).astype(np.int64)
    )

    # stage as of t: the last stage change, or a running payment plan
    stages = _frame(
        conn,
        limit(
            select(e.case_id, e.at, e.data, e.id).where(e.kind == "stage.changed", e.at <= cut),
            e.case_id,
        ),
        ["case_id", "at", "data", "id"],
    )
    stages = stages[stages["case_id"].isin(id_set)]
    cases["stage"] = "reminder"
    cases["stage_since"] = cases["opened_at"]
    if len(stages):
        stages["at"] = local(stages["at"])
        last = stages.sort_values(["case_id", "at", "id"]).drop_duplicates("case_id", keep="last")
        last = last.set_index("case_id")
        to = last["data"].map(lambda x: ML_STAGE.get(str((x or {}).get("to")), "reminder"))
        has = cases["case_id"].isin(last.index)
        cases.loc[has, "stage"] = cases.loc[has, "case_id"].map(to)
        cases.loc[has, "stage_since"] = cases.loc[has, "case_id"].map(last["at"])
    pl = T_PLAN.c
    plans = _frame(
        conn,
        limit(
            select(pl.id, pl.case_id, pl.kind, pl.status, pl.agreed_on, pl.closed_at).where(
                pl.kind == "plan", pl.agreed_on <= day
            ),
            pl.case_id,
        ),
        ["id", "case_id", "kind", "status", "agreed_on", "closed_at"],
    )
    plans = plans[plans["case_id"].isin(id_set)]
    if len(plans):
        closed_at = local(plans["closed_at"])
        running = plans[(plans["status"] == "active") | (closed_at > t).to_numpy()]
        if len(running):
            since = pd.to_datetime(running.groupby("case_id")["agreed_on"].max())
            on = cases["case_id"].isin(since.index)
            cases.loc[on, "stage"] = "payment_plan"
            cases.loc[on, "stage_since"] = cases.loc[on, "case_id"].map(since)
    cases["stage_since"] = pd.to_datetime(cases["stage_since"])

    person_of = cases.set_index("case_id")["person_id"]

    # contacts and reactions
    kinds = ("message.sent", "message.failed", "call.logged", "letter.returned", "debtor.responded")
    ev = _frame(
        conn,
        limit(
            select(e.id, e.case_id, e.at, e.kind, e.data).where(e.kind.in_(kinds)), e.case_id
        ).order_by(e.id),
        ["id", "case_id", "at", "kind", "data"],
    )
    ev = ev[ev["case_id"].isin(id_set)]
    ev["at"] = local(ev["at"])
    data = ev["data"].map(lambda x: x or {})
    channel = data.map(lambda x: x.get("channel"))
    is_contact = (
        (
            ev["kind"].isin(("message.sent", "message.failed"))
            & channel.isin(("letter", "email", "sms"))
        )
        | (ev["kind"] == "call.logged")
    ) & (ev["at"] <= t)
    contacts = ev[is_contact].copy()
    contacts["channel"] = np.where(contacts["kind"] == "call.logged", "call", channel[is_contact])
    outcome = data[is_contact].map(lambda x: x.get("outcome"))
    delivery = np.where(
        contacts["kind"] == "message.failed",
        np.where(contacts["channel"] == "letter", "returned", "bounced"),
        np.where(outcome.isin(("not_reached", "wrong_number")), "not_reached", "delivered"),
    )
    contacts["delivery"] = delivery
    ref = data.map(lambda x: x.get("contact_event"))
    ret = ev[(ev["kind"] == "letter.returned") & (ev["at"] <= t)]
    contacts.loc[contacts["id"].isin(ref[ret.index].dropna().astype(np.int64)), "delivery"] = (
        "returned"
    )
    resp = ev[ev["kind"] == "debtor.responded"].copy()
    resp["ref"] = ref[resp.index]
    first_resp = resp.dropna(subset=["ref"]).sort_values("at").drop_duplicates("ref")
    r_at = first_resp.set_index(first_resp["ref"].astype(np.int64))["at"]
    # (mapping through an empty Series would try to turn its datetimes into floats)
    contacts["response_ts"] = (
        pd.to_datetime(contacts["id"].map(r_at))
        if len(r_at)
        else pd.Series(pd.NaT, index=contacts.index, dtype="datetime64[ns]")
    )
    contacts["response_ts"] = _earliest(
        contacts["response_ts"],
        _responses_in_the_application(conn, contacts, outcome, id_set, only is not None),
    )
    contacts["responded"] = contacts["response_ts"].notna()
    events = pd.DataFrame(
        {
            "case_id": contacts["case_id"].astype(np.int64).to_numpy(),
            "person_id": contacts["case_id"].map(person_of).astype(np.int64).to_numpy(),
            "ts": contacts["at"].to_numpy(),
            "channel": contacts["channel"].astype(str).to_numpy(),
            "delivery": contacts["delivery"].astype(str).to_numpy(),
            "responded": contacts["responded"].astype(bool).to_numpy(),
            "response_ts": contacts["response_ts"].to_numpy(),
        }
    ).sort_values(["case_id", "ts"], kind="stable", ignore_index=True)

    # payments (all of them: targets read those after t)
    p = T_PAYMENT.c
    reversed_ = exists().where(T_PAYMENT_REVERSAL.c.payment_id == p.id).label("reversed")
    pay = _frame(
        conn,
        limit(
            select(p.case_id, p.date, p.amount, p.reference, reversed_, p.id), p.case_id
        ).order_by(p.id),
        ["case_id", "date", "amount", "reference", "reversed", "id"],
    )
    pay = pay[pay["case_id"].isin(id_set)]
    payments = pd.DataFrame(
        {
            "case_id": pay["case_id"].astype(np.int64).to_numpy(),
            "person_id": pay["case_id"].map(person_of).astype(np.int64).to_numpy(),
            "ts": pd.to_datetime(pay["date"]).to_numpy(),
            "amount_cents": pay["amount"].astype(np.int64).to_numpy(),
            "method": np.where(
                pay["reference"].astype(str).str.contains("Lastschrift"), "direct_debit", "transfer"
            ),
            "reversed": pay["reversed"].astype(bool).to_numpy(),
        }
    ).sort_values(["case_id", "ts"], kind="stable", ignore_index=True)

    # promises and instalments
    pr = _frame(
        conn,
        limit(
            select(e.case_id, e.at, e.data).where(e.kind == "promise.recorded", e.at <= cut),
            e.case_id,
        ),
        ["case_id", "at", "data"],
    )
    pr = pr[pr["case_id"].isin(id_set)]
    pdata = pr["data"].map(lambda x: x or {})
    promises = pd.DataFrame(
        {
            "case_id": pr["case_id"].astype(np.int64).to_numpy(),
            "person_id": pr["case_id"].map(person_of).astype(np.int64).to_numpy(),
            "made_at": local(pr["at"]).to_numpy(),
            "due_at": pd.to_datetime(pdata.map(lambda x: x.get("due_at"))).to_numpy(),
            "amount_cents": pdata.map(lambda x: x.get("amount_cents", 0)).astype(np.int64),
            "plan_id": pd.array(
                [x.get("payment_plan_id") if x.get("plan") else None for x in pdata],
                dtype="Int64",
            ),
            "kept": pd.array([x.get("kept") for x in pdata], dtype="boolean"),
        }
    )
    recorded = {int(x["payment_plan_id"]) for x in pdata if x.get("payment_plan_id") is not None}
    agreed = _agreed_instalments(conn, id_set, recorded, pay, t, only is not None)
    agreed["person_id"] = agreed["case_id"].map(person_of).astype(np.int64)
    promises = pd.concat([promises, agreed[promises.columns]], ignore_index=True)
    promises["kept"] = promises["kept"].astype("boolean")
    promises["plan_id"] = promises["plan_id"].astype("Int64")
    promises = promises.sort_values(["case_id", "due_at"], kind="stable", ignore_index=True)

    # addresses → persons' postcodes and moves
    a = T_ADDRESS.c
    pids = set(cases["person_id"].tolist())

    def of_persons(stmt: Any) -> Any:
        return stmt if only is None else stmt.where(d.person_id.in_(list(pids)))

    addr = _frame(
        conn,
        of_persons(
            select(a.id, d.person_id, a.debtor_id, a.postcode, a.valid_from, a.valid_to)
            .join_from(T_ADDRESS, T_DEBTOR, d.id == a.debtor_id)
            .order_by(a.debtor_id, a.id)
        ),
        ["id", "person_id", "debtor_id", "postcode", "valid_from", "valid_to"],
    )
    addr = addr[addr["person_id"].isin(pids)].copy()
    addr["from_ts"] = pd.to_datetime(addr["valid_from"])
    addr["to_ts"] = pd.to_datetime(addr["valid_to"])
    addr["old"] = addr.groupby("debtor_id")["postcode"].shift(1)
    mv = addr[addr["from_ts"].notna() & (addr["from_ts"] <= t) & addr["old"].notna()]
    address_changes = (
        pd.DataFrame(
            {
                "person_id": mv["person_id"].astype(np.int64).to_numpy(),
                "ts": mv["from_ts"].to_numpy(),
                "old_postcode": mv["old"].astype(str).to_numpy(),
                "new_postcode": mv["postcode"].astype(str).to_numpy(),
            }
        )
        .drop_duplicates(["person_id", "ts", "old_postcode", "new_postcode"])
        .sort_values(["person_id", "ts"], kind="stable", ignore_index=True)
    )
    current = addr[
        (addr["from_ts"].isna() | (addr["from_ts"] <= t))
        & (addr["to_ts"].isna() | (addr["to_ts"] > t))
    ]
    postcode = current.groupby("person_id")["postcode"].last()

    deb = _frame(
        conn,
        of_persons(select(d.person_id, d.consumer, d.birth_date, d.id).order_by(d.id)),
        ["person_id", "consumer", "birth_date", "id"],
    )
    deb = deb[deb["person_id"].isin(pids)].drop_duplicates("person_id")
    persons = pd.DataFrame(
        {
            "person_id": deb["person_id"].astype(np.int64).to_numpy(),
            "debtor_type": np.where(deb["consumer"].astype(bool), "consumer", "business"),
            "birth_date": pd.to_datetime(deb["birth_date"]).to_numpy(),
            "postcode": deb["person_id"].map(postcode).to_numpy(),
        }
    ).sort_values("person_id", ignore_index=True)

    out_cases = cases[
        [
            "case_id",
            "person_id",
            "creditor_id",
            "debtor_type",
            "claim_type",
            "principal_cents",
            "costs_cents",
            "due_date",
            "opened_at",
            "stage",
            "stage_since",
        ]
    ].copy()
    for col in ("case_id", "person_id", "creditor_id"):
        out_cases[col] = out_cases[col].astype(np.int64)
    h = CaseHistories(
        as_of=t,
        persons=persons,
        cases=out_cases,
        events=events,
        payments=payments,
        promises=promises,
        address_changes=address_changes,
    )
    h.validate()
    return h


#: call outcomes in which the debtor took part in the talk, not merely picked up
ENGAGED_CALL = ("promise", "plan", "dispute", "callback")


def _responses_in_the_application(
    conn: Connection,
    contacts: pd.DataFrame,
    outcome: pd.Series,
    case_ids: set[int],
    filtered: bool = False,
) -> pd.Series:
    """When the debtor reacted to each contact, as the application records it (it writes no
    ``debtor.responded``, the simulator's event): the debtor's own first step afterwards (an
    event by a debtor actor: a plan proposed, a dispute, a mandate or contact hours given
    in the portal) answers the last contact before it; a call in which the debtor
    promised, agreed a plan, disputed or asked for a call back answers itself.

    Returned per row of ``contacts`` (NaT: no reaction); like ``debtor.responded`` it is
    not cut at ``as_of`` here (:class:`~mahnwerk.ml.history.CaseHistories` hides the later
    ones)."""
    e = T_EVENT.c
    query = select(e.case_id, e.at).where(e.actor.like("debtor:%"))
    if filtered:
        query = query.where(e.case_id.in_(list(case_ids)))
    own = _frame(conn, query, ["case_id", "at"])
    own = own[own["case_id"].isin(case_ids)]
    answered = pd.Series(pd.NaT, index=contacts.index, dtype="datetime64[ns]")
    if len(own) and len(contacts):
        own = own.assign(at=local(own["at"]).to_numpy(), case_id=own["case_id"].astype(np.int64))
        sent = contacts[["id", "case_id", "at"]].astype({"case_id": np.int64})
        sent = sent.rename(columns={"at": "sent_at"}).sort_values("sent_at", kind="stable")
        pairs = pd.merge_asof(
            own.sort_values("at", kind="stable"),
            sent,
            left_on="at",
            right_on="sent_at",
            by="case_id",
            direction="backward",
        ).dropna(subset=["id"])
        first = pairs.groupby(pairs["id"].astype(np.int64))["at"].min()
        answered = pd.to_datetime(contacts["id"].map(first)).astype("datetime64[ns]")
    in_call = (contacts["kind"] == "call.logged") & outcome.isin(ENGAGED_CALL)
    answered[in_call] = _earliest(answered[in_call], contacts.loc[in_call, "at"])
    return answered


def _earliest(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise the earlier time; NaT only where both are."""
    both = pd.concat([pd.to_datetime(a), pd.to_datetime(b)], axis=1)
    return both.min(axis=1).astype("datetime64[ns]")


def _agreed_instalments(
    conn: Connection,
    case_ids: set[int],
    recorded: set[int],
    pay: pd.DataFrame,
    t: pd.Timestamp,
    filtered: bool = False,
) -> pd.DataFrame:
    """Promises and plans agreed in the application (``plan.agreed``), one row per
    instalment, in the columns of ``promises``; plans already described by
    ``promise.recorded`` events (the simulator's) are left out.

    An instalment counts as kept as the dunning rule judges a plan
    (:func:`mahnwerk.domain.dunning.plan_state`): the payments since the plan was agreed,
    up to its due date plus the grace days, cover it and every instalment before it. It is
    unknown (``<NA>``) until those grace days have passed by ``t``, unless already covered;
    payments after ``t`` are never looked at. Instalments due after a plan was replaced or
    broken are dropped: nobody owed them any more."""
    columns = ["id", "case_id", "kind", "instalment", "start", "interval_months", "count"]
    columns += ["status", "agreed_on", "created_at", "closed_at"]
    table = T_PLAN.c
    query = select(*(table[c] for c in columns)).where(table.agreed_on <= t.date())
    if filtered:
        query = query.where(table.case_id.in_(list(case_ids)))
    plans = _frame(conn, query, columns)
    plans = plans[plans["case_id"].isin(case_ids) & ~plans["id"].isin(recorded)]
    rows: list[tuple[int, int, Any, date, date, int, int, Any]] = []
    for plan in plans.itertuples(index=False):
        terms = PlanTerms(
            plan.kind,
            plan.agreed_on,
            plan.start,
            Decimal(plan.instalment).scaleb(-2),  # stored in cents
            int(plan.count),
            int(plan.interval_months),
        )
        for k, due in enumerate(terms.due_dates(), start=1):
            rows.append(
                (
                    plan.id,
                    plan.case_id,
                    plan.created_at,
                    plan.agreed_on,
                    due,
                    k,
                    int(plan.instalment),
                    plan.closed_at if plan.status in _ENDED else None,
                )
            )
    out = pd.DataFrame(
        rows,
        columns=[
            "plan",
            "case_id",
            "created_at",
            "agreed_on",
            "due",
            "k",
            "instalment",
            "ended_at",
        ],
    )
    if out.empty:
        return pd.DataFrame(
            columns=["case_id", "made_at", "due_at", "amount_cents", "plan_id", "kept"]
        )
    ended = local(out["ended_at"])
    out = out[ended.isna().to_numpy() | (pd.to_datetime(out["due"]) <= ended).to_numpy()]
    today = t.date()
    grace = timedelta(days=DEFAULT_GRACE_DAYS)
    judged = np.array([due + grace < today for due in out["due"]], dtype=bool)
    upto = [min(due + grace, today) for due in out["due"]]
    paid = _paid_between(pay, out["case_id"], out["agreed_on"], pd.Series(upto, index=out.index))
    covered = paid >= out["instalment"].to_numpy(np.int64) * out["k"].to_numpy(np.int64)
    kept = pd.array(covered, dtype="boolean")
    kept[~covered & ~judged] = pd.NA  # still within its grace days
    return pd.DataFrame(
        {
            "case_id": out["case_id"].astype(np.int64).to_numpy(),
            "made_at": local(out["created_at"]).to_numpy(),
            "due_at": pd.to_datetime(out["due"]).to_numpy(),
            "amount_cents": out["instalment"].astype(np.int64).to_numpy(),
            "plan_id": pd.array(out["plan"].astype(np.int64).to_numpy(), dtype="Int64"),
            "kept": kept,
        }
    )


#: plan statuses after which no further instalment is owed (a completed plan's last
#: instalments were paid early and still count as kept)
_ENDED = ("replaced", "broken")


def _paid_between(
    pay: pd.DataFrame, case_id: pd.Series, first: pd.Series, last: pd.Series
) -> np.ndarray:
    """Cents paid (not reversed) on each ``case_id`` with a value date from ``first`` to
    ``last`` (both included), by binary search over the payments' running sums."""
    ok = pay[~pay["reversed"].astype(bool)]
    day = pd.to_datetime(ok["date"]).to_numpy("datetime64[D]").astype(np.int64)
    key = ok["case_id"].to_numpy(np.int64) * _DAYS + day
    order = np.argsort(key, kind="stable")
    key = key[order]
    running = np.concatenate([[0], np.cumsum(ok["amount"].to_numpy(np.int64)[order])])

    def upto(days: pd.Series) -> np.ndarray:
        wanted = case_id.to_numpy(np.int64) * _DAYS + (
            pd.to_datetime(days).to_numpy("datetime64[D]").astype(np.int64)
        )
        return np.asarray(running[np.searchsorted(key, wanted, side="right")], dtype=np.int64)

    return np.asarray(upto(last) - upto(pd.to_datetime(first) - pd.Timedelta(days=1)))


#: spacing of case ids in the payments' search key: more days than any date has
_DAYS = 1 << 20


def load_protected(db: Session | Engine | Connection) -> pd.DataFrame:
    """``person_id``, ``sex``, ``age_band``, ``nationality`` – for the fairness audit ONLY."""
    conn, close = _conn_of(db)
    try:
        t = T_PROTECTED.c
        return _frame(
            conn,
            select(t.person_id, t.sex, t.age_band, t.nationality),
            ["person_id", "sex", "age_band", "nationality"],
        )
    finally:
        if close:
            conn.close()


def as_of_end_of(day: date) -> pd.Timestamp:
    """The snapshot time of a run date: the end of that day (local time)."""
    return pd.Timestamp(day) + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
