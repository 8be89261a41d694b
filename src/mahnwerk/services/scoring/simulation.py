"""Write a debtor simulation into the store's own tables (set-based, seconds for 5,000 cases).

:func:`write_simulation` turns a :class:`~mahnwerk.ml.simulator.Simulation` into what
production would hold after handling those cases: persons, debtors (German names and
addresses from faker, locale ``de_DE`` – no real people), address history, e-mail and mobile
numbers with consent flags, contact preferences, cases with claims, costs, payments and their
ledger postings, payment plans and promises, a few disputes, and the timeline of contacts
and reactions. :func:`mahnwerk.services.scoring.ml_data.load_histories` reads the same
:class:`~mahnwerk.ml.history.CaseHistories` back, so training runs on exactly what the store
holds.

How the simulator's frames map to the store (the loader reverses it):

* ``persons`` → ``person`` + one ``debtor`` per (creditor, person) (``kind`` legal for
  businesses), ``birth_date`` on the debtor, ``postcode`` = current ``address``;
* ``address_changes`` → the debtor's ``address`` rows with ``valid_from``/``valid_to``;
* ``cases`` → ``case_file`` (``external_ref`` = ``<prefix><sim case id>``), one or two
  ``claim`` rows (label starts with the German claim type, see :data:`CLAIM_LABELS`), one
  ``cost`` row (costs and interest so far), ``stage.changed`` at ``stage_since``;
  ``payment_plan`` stage = an active ``payment_plan`` of kind ``plan``;
* ``events`` → ``message.sent`` (letter, e-mail, SMS), ``message.failed`` (bounced e-mail or
  SMS), ``letter.returned`` (referring to its ``message.sent``), ``call.logged`` (outcome
  ``reached``/``not_reached``) and ``debtor.responded`` (referring to the contact);
* ``payments`` → ``payment`` (+ ledger postings, a ``reversal`` posting for a returned direct
  debit; reference ``SEPA-Lastschrift …`` or ``Überweisung …``) and ``payment.received``;
* ``promises`` → ``payment_plan`` rows (``promise`` or ``plan``) and one ``promise.recorded``
  event per promised amount or instalment (due date, amount, kept or not once due).

Protected attributes go to ``protected_attribute`` only (read by the fairness audit alone).
Timestamps of the frames are local (Europe/Berlin) and stored in UTC.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from faker import Faker
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    Date,
    DateTime,
    Integer,
    String,
    column,
    insert,
    table,
    text,
)

from mahnwerk.domain.case_reference import case_reference
from mahnwerk.ml.simulator import Simulation, load_params

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime

BERLIN_TZ = "Europe/Berlin"
ACTOR = "system:simulation"

#: German label prefix per claim type (the loader reads the type back from it).
CLAIM_LABELS: dict[str, str] = {
    "telecom": "Telekommunikation",
    "energy": "Energieversorgung",
    "ecommerce": "Onlinehandel",
    "rent": "Miete",
    "health": "Gesundheitsleistung",
    "loan": "Darlehen",
    "b2b": "Lieferung und Leistung",
}
#: simulator stage → stored stage (``payment_plan`` is an active plan, not a stage).
STORE_STAGE = {
    "reminder": "reminder",
    "dunning": "dunning_1",
    "final_notice": "final_notice",
    "court": "court_handover",
}
CONTACT_EVENT = {"letter": "message.sent", "email": "message.sent", "sms": "message.sent"}


@dataclass(frozen=True)
class WriteReport:
    persons: int
    debtors: int
    cases: int
    claims: int
    payments: int
    events: int
    plans: int
    disputes: int
    seconds: float

    def german(self) -> str:
        return (
            f"{self.persons} Personen, {self.debtors} Schuldner, {self.cases} Fälle, "
            f"{self.claims} Forderungen, {self.payments} Zahlungen, {self.plans} Raten/Zusagen, "
            f"{self.disputes} Einwände, {self.events} Ereignisse ({self.seconds:.1f} s)"
        )


def _t(name: str, **cols: Any) -> Any:
    return table(name, *[column(k, v) for k, v in cols.items()])


TS = DateTime(timezone=True)
T_PERSON = _t("person", id=BigInteger, identity_key=String, created_at=TS)
T_DEBTOR = _t(
    "debtor",
    id=BigInteger,
    creditor_id=BigInteger,
    person_id=BigInteger,
    kind=String,
    consumer=Boolean,
    first_name=String,
    last_name=String,
    company=String,
    birth_date=Date,
    identity_key=String,
    created_at=TS,
)
T_ADDRESS = _t(
    "address",
    id=BigInteger,
    debtor_id=BigInteger,
    street=String,
    postcode=String,
    city=String,
    country=String,
    valid_from=Date,
    valid_to=Date,
    source=String,
    created_at=TS,
)
T_CONTACT = _t(
    "contact_point",
    debtor_id=BigInteger,
    kind=String,
    value=String,
    consent=Boolean,
    source=String,
    status=String,
    created_at=TS,
)
T_PREF = _t(
    "contact_preference",
    debtor_id=BigInteger,
    channel=String,
    earliest_hour=Integer,
    latest_hour=Integer,
    created_at=TS,
)
T_CASE = _t(
    "case_file",
    id=BigInteger,
    creditor_id=BigInteger,
    debtor_id=BigInteger,
    external_ref=String,
    reference=String,
    stage=String,
    status=String,
    day_count=String,
    allocation=String,
    created_at=TS,
    updated_at=TS,
)
T_CLAIM = _t(
    "claim",
    id=BigInteger,
    case_id=BigInteger,
    invoice_no=String,
    invoice_date=Date,
    due_date=Date,
    default_from=Date,
    principal=BigInteger,
    interest_kind=String,
    label=String,
    created_at=TS,
)
T_COST = _t(
    "cost",
    id=BigInteger,
    case_id=BigInteger,
    date=Date,
    label=String,
    code=String,
    amount=BigInteger,
    created_at=TS,
)
T_PAYMENT = _t(
    "payment",
    id=BigInteger,
    case_id=BigInteger,
    date=Date,
    amount=BigInteger,
    source=String,
    reference=String,
    external_id=String,
    created_at=TS,
)
T_PAYMENT_REVERSAL = _t(
    "payment_reversal",
    payment_id=BigInteger,
    case_id=BigInteger,
    date=Date,
    reason=String,
    author=String,
    created_at=TS,
)
T_POSTING = _t(
    "ledger_posting",
    case_id=BigInteger,
    value_date=Date,
    kind=String,
    amount=BigInteger,
    reason=String,
    source=String,
    claim_id=BigInteger,
    cost_id=BigInteger,
    payment_id=BigInteger,
    posted_at=TS,
)
T_EVENT = _t(
    "case_event", id=BigInteger, case_id=BigInteger, at=TS, kind=String, actor=String, data=JSON
)
T_PLAN = _t(
    "payment_plan",
    id=BigInteger,
    case_id=BigInteger,
    kind=String,
    instalment=BigInteger,
    start=Date,
    interval_months=Integer,
    count=Integer,
    status=String,
    agreed_on=Date,
    cost_notice=String,
    created_at=TS,
    closed_at=TS,
)
T_DISPUTE = _t(
    "dispute",
    case_id=BigInteger,
    opened_at=TS,
    reason=String,
    status=String,
    resolved_at=TS,
    resolution=String,
    opened_by=String,
)
T_PROTECTED = _t(
    "protected_attribute", person_id=BigInteger, sex=String, age_band=String, nationality=String
)


def new_ids(conn: Connection, name: str, n: int) -> np.ndarray:
    """``n`` fresh primary keys of table ``name`` (PostgreSQL: its sequence; SQLite: counted
    on from the highest id while the transaction holds the write lock)."""
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text(
                f"SELECT nextval(pg_get_serial_sequence('{name}', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": n},
        ).scalars()
        return np.fromiter(rows, dtype=np.int64, count=n)
    base = int(conn.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {name}")).scalar() or 0)
    return np.arange(base + 1, base + n + 1, dtype=np.int64)


def to_utc(values: pd.Series) -> list[datetime | None]:
    """Local (Europe/Berlin) naive timestamps → aware UTC datetimes (``None`` for NaT)."""
    s = pd.to_datetime(pd.Series(values).reset_index(drop=True))
    loc = s.dt.tz_localize(
        BERLIN_TZ, ambiguous=np.zeros(len(s), dtype=bool), nonexistent="shift_forward"
    ).dt.tz_convert(UTC)
    out: list[datetime | None] = [None if v is pd.NaT else v.to_pydatetime() for v in loc]
    return out


def _dates(values: pd.Series) -> list[date | None]:
    s = pd.to_datetime(pd.Series(values).reset_index(drop=True))
    return [None if pd.isna(v) else v.date() for v in s]


def _slug(name: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", name.replace("ß", "ss")).encode("ascii", "ignore")
    return re.sub(r"[^a-z]", "", ascii_.decode().lower()) or "x"


def _insert(conn: Connection, tbl: Any, rows: list[dict[str, Any]], chunk: int = 20_000) -> None:
    for i in range(0, len(rows), chunk):
        conn.execute(insert(tbl), rows[i : i + chunk])


def write_simulation(
    runtime: Runtime,
    sim: Simulation,
    *,
    creditors: Sequence[int],
    faker_seed: int,
    prefix: str = "SIM",
    dispute_share: float = 0.01,
) -> WriteReport:
    """Write ``sim`` into the store in ONE transaction; simulator creditor ``k`` becomes
    ``creditors[(k - 1) % len(creditors)]``. Returns counts."""
    import time

    if not creditors:
        raise ValueError("mindestens ein Mandant wird gebraucht")
    started = time.perf_counter()
    with runtime.engine.begin() as conn:
        report = _write(conn, sim, list(creditors), faker_seed, prefix, dispute_share)
    return WriteReport(**report, seconds=time.perf_counter() - started)


def _write(
    conn: Connection,
    sim: Simulation,
    creditors: list[int],
    faker_seed: int,
    prefix: str,
    dispute_share: float,
) -> dict[str, int]:
    h = sim.histories
    now = datetime.now(UTC)
    fake = Faker("de_DE")
    fake.seed_instance(faker_seed)
    rng = np.random.default_rng(faker_seed)
    params = load_params()
    persons = h.persons.reset_index(drop=True)
    cases = h.cases.reset_index(drop=True)
    traits = sim.traits.set_index("person_id").reindex(persons["person_id"])
    prot = sim.protected.set_index("person_id").reindex(persons["person_id"])
    n_p, n_c = len(persons), len(cases)

    # ------------------------------------------------------------------ persons
    person_ids = new_ids(conn, "person", n_p)
    pid_of = pd.Series(person_ids, index=persons["person_id"].to_numpy())
    _insert(
        conn,
        T_PERSON,
        [
            {"id": int(i), "identity_key": f"sim:{faker_seed}:{prefix}:{p}", "created_at": now}
            for i, p in zip(person_ids, persons["person_id"], strict=True)
        ],
    )
    _insert(
        conn,
        T_PROTECTED,
        [
            {
                "person_id": int(pid_of[p]),
                "sex": None if pd.isna(s) else str(s),
                "age_band": None if pd.isna(a) else str(a),
                "nationality": None if pd.isna(nat) else str(nat),
            }
            for p, s, a, nat in zip(
                persons["person_id"],
                prot["sex"],
                prot["age_band"],
                prot["nationality"],
                strict=True,
            )
            if not (pd.isna(s) and pd.isna(a) and pd.isna(nat))
        ],
    )

    # names and contact data per person (the same human at every creditor)
    business = (persons["debtor_type"] == "business").to_numpy()
    sex = prot["sex"].to_numpy(dtype=object)
    names: list[tuple[str | None, str | None, str | None]] = []
    for b, s in zip(business, sex, strict=True):
        if b:
            names.append((None, None, fake.company()))
        elif s == "w":
            names.append((fake.first_name_female(), fake.last_name(), None))
        elif s == "m":
            names.append((fake.first_name_male(), fake.last_name(), None))
        else:
            names.append((fake.first_name_nonbinary(), fake.last_name(), None))
    birth = _dates(persons["birth_date"])

    # ------------------------------------------------------------------ debtors
    cases["creditor"] = [creditors[(int(k) - 1) % len(creditors)] for k in cases["creditor_id"]]
    pairs = cases[["creditor", "person_id"]].drop_duplicates().reset_index(drop=True)
    debtor_ids = new_ids(conn, "debtor", len(pairs))
    pairs["debtor_id"] = debtor_ids
    p_index = pd.Index(persons["person_id"].to_numpy())
    pairs["p"] = p_index.get_indexer(pairs["person_id"].to_numpy())
    debtor_rows = []
    for did, cred, pid, pi in zip(
        pairs["debtor_id"], pairs["creditor"], pairs["person_id"], pairs["p"], strict=True
    ):
        first, last, company = names[pi]
        debtor_rows.append(
            {
                "id": int(did),
                "creditor_id": int(cred),
                "person_id": int(pid_of[pid]),
                "kind": "legal" if business[pi] else "natural",
                "consumer": not business[pi],
                "first_name": first,
                "last_name": last,
                "company": company,
                "birth_date": birth[pi],
                "identity_key": f"sim:{faker_seed}:{prefix}:{pid}",
                "created_at": now,
            }
        )
    _insert(conn, T_DEBTOR, debtor_rows)

    # addresses: the history per person, repeated for each of the person's debtors
    moves = h.address_changes.sort_values(["person_id", "ts"], kind="stable")
    streets = [fake.street_address() for _ in range(n_p)]
    cities = [fake.city() for _ in range(n_p)]
    history: dict[int, list[tuple[str, date | None, date | None, str, str]]] = {}
    first_pc: dict[int, str] = {}
    for pid, grp in moves.groupby("person_id", sort=False):
        first_pc[int(pid)] = str(grp["old_postcode"].iloc[0])
        days = [d.date() for d in pd.to_datetime(grp["ts"])]
        hist: list[tuple[str, date | None, date | None, str, str]] = []
        for j, (d, pc) in enumerate(zip(days, grp["new_postcode"], strict=True)):
            until = days[j + 1] if j + 1 < len(days) else None
            hist.append((str(pc), d, until, fake.street_address(), fake.city()))
        history[int(pid)] = hist
    address_rows = []
    contact_rows = []
    pref_rows = []
    has_email = traits["has_email"].to_numpy(bool)
    has_mobile = traits["has_mobile"].to_numpy(bool)
    pref_channel = traits["preferred_channel"].to_numpy(dtype=object)
    pref_hour = traits["preferred_hour"].to_numpy(np.float64)
    wants_pref = rng.random(n_p) < 0.15
    consent_mail = rng.random(n_p) < 0.8
    consent_phone = rng.random(n_p) < 0.6
    mobiles = [
        f"+49 1{rng.integers(51, 80)} {rng.integers(1_000_000, 9_999_999)}" for _ in range(n_p)
    ]
    for did, pid, pi in zip(pairs["debtor_id"], pairs["person_id"], pairs["p"], strict=True):
        pid = int(pid)
        did = int(did)
        moved = history.get(pid, [])
        first_postcode = first_pc.get(pid, str(persons["postcode"].iloc[pi]))
        address_rows.append(
            {
                "debtor_id": did,
                "street": streets[pi],
                "postcode": first_postcode,
                "city": cities[pi],
                "country": "DE",
                "valid_from": None,
                "valid_to": moved[0][1] if moved else None,
                "source": "creditor",
                "created_at": now,
            }
        )
        for pc, since, until, street, city in moved:
            address_rows.append(
                {
                    "debtor_id": did,
                    "street": street,
                    "postcode": pc,
                    "city": city,
                    "country": "DE",
                    "valid_from": since,
                    "valid_to": until,
                    "source": "research",
                    "created_at": now,
                }
            )
        first, last, company = names[pi]
        local = _slug(company) if company else f"{_slug(first or '')}.{_slug(last or '')}"
        if has_email[pi]:
            contact_rows.append(
                {
                    "debtor_id": did,
                    "kind": "email",
                    "value": f"{local}{pid % 100}@example.org",
                    "consent": bool(consent_mail[pi]),
                    "source": "creditor",
                    "status": "valid",
                    "created_at": now,
                }
            )
        if has_mobile[pi]:
            contact_rows.append(
                {
                    "debtor_id": did,
                    "kind": "mobile",
                    "value": mobiles[pi],
                    "consent": bool(consent_phone[pi]),
                    "source": "creditor",
                    "status": "valid",
                    "created_at": now,
                }
            )
        if wants_pref[pi]:
            channel = str(pref_channel[pi])
            hour = round(float(pref_hour[pi]))
            pref_rows.append(
                {
                    "debtor_id": did,
                    "channel": channel,
                    "earliest_hour": max(8, hour - 3),
                    "latest_hour": min(20, hour + 3),
                    "created_at": now,
                }
            )
    _insert(conn, T_ADDRESS, address_rows)
    _insert(conn, T_CONTACT, contact_rows)
    _insert(conn, T_PREF, pref_rows)

    # -------------------------------------------------------------------- cases
    case_ids = new_ids(conn, "case_file", n_c)
    cid_of = pd.Series(case_ids, index=cases["case_id"].to_numpy())
    debtor_of = pairs.set_index(["creditor", "person_id"])["debtor_id"]
    case_debtor = debtor_of.reindex(
        pd.MultiIndex.from_arrays([cases["creditor"], cases["person_id"]])
    ).to_numpy()
    opened_utc = to_utc(cases["opened_at"])
    as_of = pd.Timestamp(h.as_of)
    age = ((as_of - cases["opened_at"]) / pd.Timedelta(days=1)).to_numpy()
    stage_days = params["cases"]["stage_days"]
    thresholds = np.array(list(stage_days.values()), dtype=float)
    time_stage = np.array(list(stage_days))[np.searchsorted(thresholds, age, side="right") - 1]
    time_since = cases["opened_at"] + pd.to_timedelta(
        thresholds[np.searchsorted(thresholds, age, side="right") - 1], unit="D"
    )
    on_plan = (cases["stage"] == "payment_plan").to_numpy()
    # a case on a plan keeps the stage its age gives it; the running plan marks it
    stored_stage = [
        STORE_STAGE[str(t if p else s)]
        for s, t, p in zip(cases["stage"], time_stage, on_plan, strict=True)
    ]
    time_since = time_since.where(on_plan, cases["stage_since"])
    _insert(
        conn,
        T_CASE,
        [
            {
                "id": int(cid),
                "creditor_id": int(cred),
                "debtor_id": int(did),
                "external_ref": f"{prefix}{int(sid):07d}",
                "reference": case_reference(int(cid)),
                "stage": st,
                "status": "open",
                "day_count": "act/365",
                "allocation": "bgb367",
                "created_at": op,
                "updated_at": now,
            }
            for cid, cred, did, sid, st, op in zip(
                case_ids,
                cases["creditor"],
                case_debtor,
                cases["case_id"],
                stored_stage,
                opened_utc,
                strict=True,
            )
        ],
    )

    # claims: one or two invoices per case
    two = rng.random(n_c) < 0.25
    principal = cases["principal_cents"].to_numpy(np.int64)
    first_part = np.where(two, np.maximum(principal // 2, 100), principal)
    first_part = np.minimum(first_part, principal)
    n_claims = int(n_c + two.sum())
    claim_ids = new_ids(conn, "claim", n_claims)
    due = _dates(cases["due_date"])
    claim_rows = []
    posting_rows: list[dict[str, Any]] = []
    k = 0
    for i in range(n_c):
        label = CLAIM_LABELS.get(str(cases["claim_type"].iloc[i]), "Forderung")
        parts = [int(first_part[i])] + ([int(principal[i] - first_part[i])] if two[i] else [])
        for j, amount in enumerate(parts):
            if amount <= 0:
                amount = 0
            d = due[i]
            assert d is not None
            invoice = f"RE-{d:%Y}-{int(cases['case_id'].iloc[i]):06d}-{j + 1}"
            default_from = date.fromordinal(d.toordinal() + 1)
            claim_rows.append(
                {
                    "id": int(claim_ids[k]),
                    "case_id": int(case_ids[i]),
                    "invoice_no": invoice,
                    "invoice_date": date.fromordinal(d.toordinal() - 14),
                    "due_date": d,
                    "default_from": default_from,
                    "principal": amount,
                    "interest_kind": "statutory",
                    "label": f"{label}: Rechnung {invoice}",
                    "created_at": now,
                }
            )
            posting_rows.append(
                {
                    "case_id": int(case_ids[i]),
                    "value_date": default_from,
                    "kind": "claim",
                    "amount": amount,
                    "reason": f"Forderung {invoice}",
                    "source": ACTOR,
                    "claim_id": int(claim_ids[k]),
                    "cost_id": None,
                    "payment_id": None,
                    "posted_at": now,
                }
            )
            k += 1
    _insert(conn, T_CLAIM, claim_rows[:k])
    costs = cases["costs_cents"].to_numpy(np.int64)
    cost_ids = new_ids(conn, "cost", n_c)
    opened_dates = _dates(cases["opened_at"])
    cost_rows = []
    for i in range(n_c):
        cost_rows.append(
            {
                "id": int(cost_ids[i]),
                "case_id": int(case_ids[i]),
                "date": opened_dates[i],
                "label": "Mahnkosten und Zinsen des Gläubigers bis zur Übergabe",
                "code": "handover_costs",
                "amount": int(costs[i]),
                "created_at": now,
            }
        )
        posting_rows.append(
            {
                "case_id": int(case_ids[i]),
                "value_date": opened_dates[i],
                "kind": "cost",
                "amount": int(costs[i]),
                "reason": "Mahnkosten und Zinsen des Gläubigers bis zur Übergabe",
                "source": ACTOR,
                "claim_id": None,
                "cost_id": int(cost_ids[i]),
                "payment_id": None,
                "posted_at": now,
            }
        )
    _insert(conn, T_COST, cost_rows)

    # ----------------------------------------------------------------- timeline
    events: list[dict[str, Any]] = []
    ev = h.events.reset_index(drop=True)
    n_e = len(ev)
    contact_ids = new_ids(conn, "case_event", n_e)
    ev_case = cid_of.reindex(ev["case_id"].to_numpy()).to_numpy()
    ev_at = to_utc(ev["ts"])
    resp_at = to_utc(ev["response_ts"])
    responded = ev["responded"].to_numpy(bool)
    for i in range(n_e):
        channel = str(ev["channel"].iloc[i])
        delivery = str(ev["delivery"].iloc[i])
        base = {
            "id": int(contact_ids[i]),
            "case_id": int(ev_case[i]),
            "at": ev_at[i],
            "actor": ACTOR,
        }
        if channel == "call":
            events.append(
                base
                | {
                    "kind": "call.logged",
                    "data": {
                        "outcome": "reached" if delivery == "delivered" else "not_reached",
                        "source": "simulation",
                    },
                }
            )
        elif channel in ("email", "sms") and delivery != "delivered":
            events.append(
                base
                | {
                    "kind": "message.failed",
                    "data": {
                        "channel": channel,
                        "error": "unzustellbar (Bounce)",
                        "source": "simulation",
                    },
                }
            )
        else:
            events.append(
                base
                | {
                    "kind": "message.sent",
                    "data": {"channel": channel, "template": "simulation", "source": "simulation"},
                }
            )
    _insert(conn, T_EVENT, events)  # before more ids are taken from the same table
    extra: list[dict[str, Any]] = []
    returned = (ev["channel"] == "letter").to_numpy() & (ev["delivery"] == "returned").to_numpy()
    for i in np.flatnonzero(returned).tolist():
        extra.append(
            {
                "case_id": int(ev_case[i]),
                "at": ev_at[i],
                "actor": ACTOR,
                "kind": "letter.returned",
                "data": {
                    "contact_event": int(contact_ids[i]),
                    "note": "Empfänger unbekannt verzogen",
                },
            }
        )
    for i in np.flatnonzero(responded).tolist():
        extra.append(
            {
                "case_id": int(ev_case[i]),
                "at": resp_at[i],
                "actor": ACTOR,
                "kind": "debtor.responded",
                "data": {
                    "contact_event": int(contact_ids[i]),
                    "channel": str(ev["channel"].iloc[i]),
                },
            }
        )
    # stage changes
    since_utc = to_utc(time_since)
    for i in range(n_c):
        extra.append(
            {
                "case_id": int(case_ids[i]),
                "at": since_utc[i],
                "actor": ACTOR,
                "kind": "stage.changed",
                "data": {"from": None, "to": stored_stage[i], "source": "simulation"},
            }
        )
        extra.append(
            {
                "case_id": int(case_ids[i]),
                "at": opened_utc[i],
                "actor": ACTOR,
                "kind": "case.created",
                "data": {"source": "simulation", "claims": 2 if two[i] else 1},
            }
        )

    # ----------------------------------------------------------------- payments
    pay = h.payments.reset_index(drop=True)
    n_pay = len(pay)
    pay_ids = new_ids(conn, "payment", n_pay)
    pay_case = cid_of.reindex(pay["case_id"].to_numpy()).to_numpy()
    pay_dates = _dates(pay["ts"])
    pay_at = to_utc(pd.to_datetime(pay["ts"]) + pd.Timedelta(hours=12))
    pay_rows = []
    reversal_rows = []
    for i in range(n_pay):
        debit = pay["method"].iloc[i] == "direct_debit"
        rev = bool(pay["reversed"].iloc[i])
        amount = int(pay["amount_cents"].iloc[i])
        ref = case_reference(int(pay_case[i]))
        reference = f"{'SEPA-Lastschrift' if debit else 'Überweisung'} {ref}"
        pay_rows.append(
            {
                "id": int(pay_ids[i]),
                "case_id": int(pay_case[i]),
                "date": pay_dates[i],
                "amount": amount,
                "source": "bank",
                "reference": reference,
                "external_id": f"{prefix}-{faker_seed}-{i}",
                "created_at": now,
            }
        )
        if rev:
            reversal_rows.append(
                {
                    "payment_id": int(pay_ids[i]),
                    "case_id": int(pay_case[i]),
                    "date": pay_dates[i],
                    "reason": f"Rücklastschrift {reference}",
                    "author": ACTOR,
                    "created_at": now,
                }
            )
        common: dict[str, Any] = {
            "case_id": int(pay_case[i]),
            "value_date": pay_dates[i],
            "source": ACTOR,
            "claim_id": None,
            "cost_id": None,
            "payment_id": int(pay_ids[i]),
            "posted_at": now,
        }
        posting_rows.append(
            common | {"kind": "payment", "amount": -amount, "reason": f"Zahlung {reference}"}
        )
        if rev:
            posting_rows.append(
                common
                | {"kind": "reversal", "amount": amount, "reason": f"Rücklastschrift {reference}"}
            )
        extra.append(
            {
                "case_id": int(pay_case[i]),
                "at": pay_at[i],
                "actor": ACTOR,
                "kind": "payment.reversed" if rev else "payment.received",
                "data": {
                    "amount": f"{amount / 100:.2f}",
                    "date": str(pay_dates[i]),
                    "source": "bank",
                },
            }
        )
    _insert(conn, T_PAYMENT, pay_rows)
    _insert(conn, T_PAYMENT_REVERSAL, reversal_rows)
    _insert(conn, T_POSTING, posting_rows)

    # ----------------------------------------------------- plans and promises
    pr = h.promises.reset_index(drop=True)
    plan_rows: list[dict[str, Any]] = []
    single = pr[pr["plan_id"].isna()]
    plans = pr[pr["plan_id"].notna()]
    plan_keys = sorted(int(x) for x in plans["plan_id"].unique())
    n_single = len(single)
    plan_ids = new_ids(conn, "payment_plan", n_single + len(plan_keys))
    row_plan = np.zeros(len(pr), dtype=np.int64)
    kept = pr["kept"].astype("boolean")
    for j, i in enumerate(single.index):
        pid = int(plan_ids[j])
        row_plan[i] = pid
        k_ = kept.iloc[i]
        status = "active" if pd.isna(k_) else ("completed" if k_ else "broken")
        due_d = pd.Timestamp(pr["due_at"].iloc[i])
        plan_rows.append(
            {
                "id": pid,
                "case_id": int(cid_of[pr["case_id"].iloc[i]]),
                "kind": "promise",
                "instalment": int(pr["amount_cents"].iloc[i]),
                "start": due_d.date(),
                "interval_months": 1,
                "count": 1,
                "status": status,
                "agreed_on": pd.Timestamp(pr["made_at"].iloc[i]).date(),
                "cost_notice": "",
                "created_at": now,
                "closed_at": None if status == "active" else to_utc(pd.Series([due_d]))[0],
            }
        )
    for j, key in enumerate(plan_keys):
        pid = int(plan_ids[n_single + j])
        rows = plans[plans["plan_id"] == key]
        row_plan[rows.index.to_numpy()] = pid
        k_rows = kept.loc[rows.index]
        last_due = pd.Timestamp(rows["due_at"].max())
        if last_due > as_of:
            status = "active"
        else:
            status = "completed" if bool(k_rows.fillna(False).all()) else "broken"
        plan_rows.append(
            {
                "id": pid,
                "case_id": int(cid_of[int(rows["case_id"].iloc[0])]),
                "kind": "plan",
                "instalment": int(rows["amount_cents"].iloc[0]),
                "start": pd.Timestamp(rows["due_at"].min()).date(),
                "interval_months": 1,
                "count": len(rows),
                "status": status,
                "agreed_on": pd.Timestamp(rows["made_at"].min()).date(),
                "cost_notice": "Für die Ratenzahlung entstehen keine weiteren Kosten.",
                "created_at": now,
                "closed_at": None if status == "active" else to_utc(pd.Series([last_due]))[0],
            }
        )
    _insert(conn, T_PLAN, plan_rows)
    made_at = to_utc(pr["made_at"])
    for i in range(len(pr)):
        k_ = kept.iloc[i]
        extra.append(
            {
                "case_id": int(cid_of[pr["case_id"].iloc[i]]),
                "at": made_at[i],
                "actor": ACTOR,
                "kind": "promise.recorded",
                "data": {
                    "payment_plan_id": int(row_plan[i]),
                    "plan": bool(pd.notna(pr["plan_id"].iloc[i])),
                    "due_at": pd.Timestamp(pr["due_at"].iloc[i]).isoformat(),
                    "amount_cents": int(pr["amount_cents"].iloc[i]),
                    "kept": None if pd.isna(k_) else bool(k_),
                },
            }
        )
    for row in plan_rows:
        if row["kind"] == "plan":
            extra.append(
                {
                    "case_id": row["case_id"],
                    "at": to_utc(pd.Series([pd.Timestamp(row["agreed_on"])]))[0],
                    "actor": ACTOR,
                    "kind": "plan.agreed",
                    "data": {
                        "plan_id": row["id"],
                        "plan_kind": "plan",
                        "instalment": f"{row['instalment'] / 100:.2f}",
                        "count": row["count"],
                        "start": row["start"].isoformat(),
                    },
                }
            )

    # ----------------------------------------------------------------- disputes
    disputed = np.flatnonzero(rng.random(n_c) < dispute_share)
    dispute_rows: list[dict[str, Any]] = []
    reasons = (
        "Leistung nicht erhalten",
        "Rechnung bereits bezahlt",
        "Vertrag gekündigt",
        "Betrag zu hoch",
    )
    for i in disputed.tolist():
        at = to_utc(pd.Series([as_of - pd.Timedelta(days=int(rng.integers(1, 60)))]))[0]
        resolved = rng.random() < 0.6
        dispute_rows.append(
            {
                "case_id": int(case_ids[i]),
                "opened_at": at,
                "reason": str(reasons[int(rng.integers(0, len(reasons)))]),
                "status": "resolved" if resolved else "open",
                "resolved_at": at if resolved else None,
                "resolution": "Forderung vom Gläubiger belegt" if resolved else None,
                "opened_by": ACTOR,
            }
        )
        extra.append(
            {
                "case_id": int(case_ids[i]),
                "at": at,
                "actor": ACTOR,
                "kind": "dispute.opened",
                "data": {"reason": dispute_rows[-1]["reason"], "source": "simulation"},
            }
        )
    _insert(conn, T_DISPUTE, dispute_rows)

    extra_ids = new_ids(conn, "case_event", len(extra))
    for i, row in enumerate(extra):
        row["id"] = int(extra_ids[i])
    _insert(conn, T_EVENT, extra)
    return {
        "persons": n_p,
        "debtors": len(pairs),
        "cases": n_c,
        "claims": k,
        "payments": n_pay,
        "events": len(events) + len(extra),
        "plans": len(plan_rows),
        "disputes": len(dispute_rows),
    }
