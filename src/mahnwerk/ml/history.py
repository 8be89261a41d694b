"""Case histories: the seam between the store and the ML package.

Everything in ``mahnwerk.ml`` reads debtor behaviour from one :class:`CaseHistories`
bundle of pandas DataFrames. Today the debtor simulator fills it; later a small adapter
in ``store``/``batch`` builds the same frames from the store's tables (``case_file``,
``claim``, ``cost``, ``payment``, ``case_event``, ``address``, ``contact_point``, ``debtor``)
with one SELECT each. Nothing in this package knows how the frames were made.

Conventions:

* amounts are integer cents (``int64``), as in the vectorised batch code;
* timestamps are timezone-naive ``datetime64`` (local time, Europe/Berlin), dates as
  timestamps at midnight;
* ``as_of`` is the snapshot time: features only look at rows with a timestamp ``<= as_of``,
  targets only at payments after it. The payments frame may therefore hold rows after
  ``as_of`` (the simulator writes the outcome window there, as the store would after the
  fact) – :meth:`CaseHistories.until` cuts them off.

Protected attributes (sex, nationality, age band) are *not* part of a history. They are
held apart (see :mod:`mahnwerk.ml.protected`) and only the fairness audit sees them.
The optional ``birth_date`` of a consumer is in ``persons`` because the store keeps it for
identification; features use it only if age is explicitly switched on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

#: Required columns per frame (name → meaning). The store adapter must deliver these.
SCHEMA: dict[str, dict[str, str]] = {
    "persons": {
        "person_id": "Person across creditors (store: person.id)",
        "debtor_type": "'consumer' (Verbraucher) or 'business' (Unternehmen)",
        "birth_date": "Date of birth of a consumer, NaT for businesses (only used if age is on)",
        "postcode": "Current postcode (5 digits, str)",
    },
    "cases": {
        "case_id": "Case (store: case_file.id)",
        "person_id": "Debtor person",
        "creditor_id": "Creditor (Mandant)",
        "debtor_type": "'consumer' or 'business' as recorded on the case",
        "claim_type": "Kind of claim: telecom, energy, ecommerce, rent, health, loan, b2b",
        "principal_cents": "Sum of principal of the claims",
        "costs_cents": "Dunning and agency costs plus interest so far",
        "due_date": "Earliest due date of the claims",
        "opened_at": "Handover to the agency",
        "stage": "Current stage: reminder, dunning, final_notice, payment_plan, court",
        "stage_since": "Time the case entered its current stage",
    },
    "events": {
        "case_id": "Case",
        "ts": "Time the contact was sent or the call placed",
        "channel": "letter, email, sms, call",
        "delivery": "delivered, bounced (e-mail/SMS), returned (letter), not_reached (call)",
        "responded": "The debtor reacted to this contact (bool)",
        "response_ts": "Time of the reaction, NaT if none",
    },
    "payments": {
        "case_id": "Case",
        "ts": "Value date",
        "amount_cents": "Amount",
        "method": "transfer or direct_debit",
        "reversed": "Returned direct debit (Rücklastschrift) or reversed booking (bool)",
    },
    "promises": {
        "case_id": "Case",
        "made_at": "When the promise or plan was agreed",
        "due_at": "When the promised amount or instalment is due",
        "amount_cents": "Promised amount",
        "plan_id": "Payment plan the instalment belongs to, <NA> for a single promise",
        "kept": "True/False once due, <NA> while not yet due",
    },
    "address_changes": {
        "person_id": "Person",
        "ts": "When the new address became known",
        "old_postcode": "Previous postcode",
        "new_postcode": "New postcode",
    },
}


@dataclass(frozen=True)
class CaseHistories:
    """A snapshot of everything the models may know about open cases at ``as_of``."""

    as_of: pd.Timestamp
    persons: pd.DataFrame
    cases: pd.DataFrame
    events: pd.DataFrame
    payments: pd.DataFrame
    promises: pd.DataFrame
    address_changes: pd.DataFrame

    def validate(self) -> None:
        """Raise ``ValueError`` if a frame lacks a required column."""
        for name, columns in SCHEMA.items():
            frame: pd.DataFrame = getattr(self, name)
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise ValueError(f"Tabelle {name!r}: Spalten fehlen {missing}")

    def until(self, as_of: pd.Timestamp | None = None) -> CaseHistories:
        """The same histories seen at ``as_of`` (default: own ``as_of``), future rows cut.

        Promises not yet due at that time get ``kept = <NA>``, events get their reaction
        removed if it came later.
        """
        t = pd.Timestamp(as_of) if as_of is not None else self.as_of
        ev = self.events[self.events["ts"] <= t].copy()
        late = ev["response_ts"] > t
        if late.any():
            ev.loc[late, "responded"] = False
            ev.loc[late, "response_ts"] = pd.NaT
        pr = self.promises[self.promises["made_at"] <= t].copy()
        pr["kept"] = pr["kept"].astype("boolean")
        pr.loc[pr["due_at"] > t, "kept"] = pd.NA
        return replace(
            self,
            as_of=t,
            cases=self.cases[self.cases["opened_at"] <= t],
            events=ev,
            payments=self.payments[self.payments["ts"] <= t],
            promises=pr,
            address_changes=self.address_changes[self.address_changes["ts"] <= t],
        )
