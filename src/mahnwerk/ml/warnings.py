"""Early warnings of payment obstacles – each one a task for a person, never a harsher letter.

Detected from the histories at ``as_of`` within a look-back window:

* ``broken_plan`` – an instalment of a payment plan fell due and was not paid;
* ``payment_stop`` – regular payments (at least three, steady interval) suddenly stopped;
* ``returned_mail`` – a letter came back undeliverable;
* ``bounced_debit`` – a direct debit was returned (Rücklastschrift);
* ``far_move`` – the person moved to another postcode region (first digit changed).

Every warning has ``action = "task"`` and ``assignee = "Sachbearbeitung"``: the daily run puts
it into an agent's queue. A warning never escalates the dunning stage on its own – a change
in someone's life is a reason to talk, not to press harder.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mahnwerk.ml.history import CaseHistories

COLUMNS = (
    "case_id",
    "kind",
    "detected_at",
    "title",
    "task",
    "action",
    "assignee",
    "priority",
)

NO_ESCALATION = "Keine Verschärfung des Mahnverfahrens, bis mit der Person gesprochen wurde."


def _eur(cents: float) -> str:
    return f"{cents / 100:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")


def _date(ts: pd.Timestamp) -> str:
    return f"{pd.Timestamp(ts):%d.%m.%Y}"


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(COLUMNS))


def broken_plans(h: CaseHistories, since: pd.Timestamp) -> pd.DataFrame:
    pr = h.promises
    kept = pr["kept"].astype("boolean")
    sel = pr[pr["plan_id"].notna() & (~kept).fillna(False) & (pr["due_at"] > since)]
    sel = (
        sel[sel["due_at"] <= h.as_of]
        .sort_values(["case_id", "due_at"])
        .drop_duplicates("case_id", keep="last")
    )
    return _frame(
        [
            {
                "case_id": r.case_id,
                "kind": "broken_plan",
                "detected_at": r.due_at,
                "title": f"Ratenplan: Rate vom {_date(r.due_at)} über {_eur(r.amount_cents)} "
                "nicht gezahlt",
                "task": "Schuldner anrufen und nach dem Grund fragen (z. B. Einkommensverlust, "
                "Krankheit, Trennung); den Plan bei Bedarf anpassen – kleinere Raten oder eine "
                f"Pause. {NO_ESCALATION}",
                "priority": 1,
            }
            for r in sel.itertuples()
        ]
    )


def payment_stops(h: CaseHistories, lookback_days: int) -> pd.DataFrame:
    pay = h.payments[~h.payments["reversed"].to_numpy(bool) & (h.payments["ts"] <= h.as_of)]
    pay = pay.sort_values(["case_id", "ts"])
    gap = pay.groupby("case_id")["ts"].diff() / pd.Timedelta(days=1)
    pay = pay.assign(gap=gap)
    agg = pay.groupby("case_id").agg(
        n=("ts", "size"), last=("ts", "max"), med=("gap", "median"), sd=("gap", "std")
    )
    agg = agg[(agg["n"] >= 3) & agg["med"].between(7, 62) & (agg["sd"] <= 0.35 * agg["med"])]
    since_last = (h.as_of - agg["last"]) / pd.Timedelta(days=1)
    overdue = since_last - agg["med"]
    hit = agg[(overdue >= 14) & (overdue <= 14 + lookback_days)]
    return _frame(
        [
            {
                "case_id": cid,
                "kind": "payment_stop",
                "detected_at": r["last"] + pd.Timedelta(days=float(r["med"]) + 14),
                "title": f"Regelmäßige Zahlungen (etwa alle {r['med']:.0f} Tage) seit "
                f"{(h.as_of - r['last']).days} Tagen ausgeblieben",
                "task": "Persönlich nachfragen, ob sich die Lage verändert hat; eine Ratenpause "
                f"oder eine neue Vereinbarung anbieten. {NO_ESCALATION}",
                "priority": 1,
            }
            for cid, r in hit.iterrows()
        ]
    )


def returned_mail(h: CaseHistories, since: pd.Timestamp) -> pd.DataFrame:
    ev = h.events
    sel = ev[
        (ev["channel"] == "letter")
        & (ev["delivery"] == "returned")
        & (ev["ts"] > since)
        & (ev["ts"] <= h.as_of)
    ]
    sel = sel.sort_values(["case_id", "ts"]).drop_duplicates("case_id", keep="last")
    return _frame(
        [
            {
                "case_id": r.case_id,
                "kind": "returned_mail",
                "detected_at": r.ts,
                "title": f"Brief vom {_date(r.ts)} kam unzustellbar zurück",
                "task": "Anschrift prüfen (Melderegisterauskunft, Adressrecherche) und die Person "
                "über andere Kanäle erreichen; bis dahin keine Briefe an diese Anschrift. "
                f"{NO_ESCALATION}",
                "priority": 2,
            }
            for r in sel.itertuples()
        ]
    )


def bounced_debits(h: CaseHistories, since: pd.Timestamp) -> pd.DataFrame:
    pay = h.payments
    sel = pay[pay["reversed"].to_numpy(bool) & (pay["ts"] > since) & (pay["ts"] <= h.as_of)]
    sel = sel.sort_values(["case_id", "ts"]).drop_duplicates("case_id", keep="last")
    return _frame(
        [
            {
                "case_id": r.case_id,
                "kind": "bounced_debit",
                "detected_at": r.ts,
                "title": f"Lastschrift über {_eur(r.amount_cents)} vom {_date(r.ts)} zurückgegeben",
                "task": "Kontakt aufnehmen und den Grund klären (Konto gewechselt, fehlende "
                f"Deckung?); den Zahlungsweg gemeinsam neu vereinbaren. {NO_ESCALATION}",
                "priority": 1,
            }
            for r in sel.itertuples()
        ]
    )


def far_moves(h: CaseHistories, since: pd.Timestamp) -> pd.DataFrame:
    ac = h.address_changes
    sel = ac[(ac["ts"] > since) & (ac["ts"] <= h.as_of)]
    sel = sel[sel["old_postcode"].str[0] != sel["new_postcode"].str[0]]
    sel = sel.sort_values(["person_id", "ts"]).drop_duplicates("person_id", keep="last")
    cases = h.cases[["case_id", "person_id"]]
    sel = sel.merge(cases, on="person_id")
    return _frame(
        [
            {
                "case_id": r.case_id,
                "kind": "far_move",
                "detected_at": r.ts,
                "title": f"Umzug in eine andere Postleitregion ({r.old_postcode[:2]}… → "
                f"{r.new_postcode[:2]}…) am {_date(r.ts)}",
                "task": "Lebensumstände erfragen (neue Arbeit, Trennung?), Kontaktdaten "
                "bestätigen, zuständiges Gericht und Gerichtsvollzieher prüfen. "
                f"{NO_ESCALATION}",
                "priority": 2,
            }
            for r in sel.itertuples()
        ]
    )


def early_warnings(histories: CaseHistories, lookback_days: int = 30) -> pd.DataFrame:
    """All early warnings of the last ``lookback_days`` days before ``as_of``.

    Columns: ``case_id``, ``kind``, ``detected_at``, ``title`` and ``task`` (German),
    ``action`` (always ``"task"``), ``assignee``, ``priority`` (1 = today).
    """
    h = histories.until()
    since = h.as_of - pd.Timedelta(days=lookback_days)
    parts = [
        broken_plans(h, since),
        payment_stops(h, lookback_days),
        returned_mail(h, since),
        bounced_debits(h, since),
        far_moves(h, since),
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return _frame([])
    out = pd.concat(parts, ignore_index=True)
    out["action"] = "task"
    out["assignee"] = "Sachbearbeitung"
    out["case_id"] = out["case_id"].astype(np.int64)
    return out.sort_values(["priority", "case_id", "kind"], ignore_index=True)
