"""Reconciliation of the ledger (Kontenabstimmung): the journal and the facts agree.

Every claim, cost and payment of a case is also a posting of the append-only journal
(:class:`mahnwerk.store.models.LedgerPosting`), and a payment or cost taken back has a reversing
row and a reversal posting. Balances are computed from the facts (claims, costs and payments
not taken back), so the journal proves them right only if, for every case:

- the ``claim`` postings add up to the claims' principal,
- the ``cost`` postings to the costs,
- the ``payment`` postings to minus the payments,
- the ``reversal`` postings to the payments taken back minus the costs taken back,
- and there is no posting of another kind.

Then the journal's sum is the case's balance before interest: principal plus costs not taken
back minus payments not taken back. :func:`check` does this for all cases at once in the
database (one grouped query per table, amounts in integer cents) and returns only the cases
that disagree, each with the figures that differ. It runs in the daily run and as
``mahnwerk ledger check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, RowMapping, text

from mahnwerk.batch.loader import ACTIVE_COST, ACTIVE_PAYMENT

#: the figures compared, in the order they are reported (German label for people)
FIGURES: dict[str, str] = {
    "claim": "Forderungen",
    "cost": "Kosten",
    "payment": "Zahlungen",
    "reversal": "Stornos",
    "other": "unbekannte Buchungsart",
}

_FACTS = f"""
SELECT c.id AS case_id, c.reference,
  COALESCE(cl.s, 0) AS claim,
  COALESCE(co.s, 0) AS cost,
  -COALESCE(pa.s, 0) AS payment,
  COALESCE(pa.r, 0) - COALESCE(co.r, 0) AS reversal,
  0 AS other
FROM case_file c
LEFT JOIN (SELECT case_id, SUM(principal) AS s FROM claim GROUP BY case_id) cl
  ON cl.case_id = c.id
LEFT JOIN (SELECT case_id, SUM(amount) AS s,
             SUM(CASE WHEN {ACTIVE_COST} THEN 0 ELSE amount END) AS r
           FROM cost GROUP BY case_id) co ON co.case_id = c.id
LEFT JOIN (SELECT case_id, SUM(amount) AS s,
             SUM(CASE WHEN {ACTIVE_PAYMENT} THEN 0 ELSE amount END) AS r
           FROM payment GROUP BY case_id) pa ON pa.case_id = c.id
"""

_JOURNAL = """
SELECT case_id,
  SUM(CASE WHEN kind = 'claim' THEN amount ELSE 0 END) AS claim,
  SUM(CASE WHEN kind = 'cost' THEN amount ELSE 0 END) AS cost,
  SUM(CASE WHEN kind = 'payment' THEN amount ELSE 0 END) AS payment,
  SUM(CASE WHEN kind = 'reversal' THEN amount ELSE 0 END) AS reversal,
  SUM(CASE WHEN kind IN ('claim', 'cost', 'payment', 'reversal') THEN 0 ELSE amount END)
    AS other
FROM ledger_posting GROUP BY case_id
"""

_QUERY = f"""
WITH facts AS ({_FACTS}), journal AS ({_JOURNAL})
SELECT f.case_id, f.reference,
  {", ".join(f"f.{n} AS facts_{n}" for n in FIGURES)},
  {", ".join(f"COALESCE(j.{n}, 0) AS journal_{n}" for n in FIGURES)}
FROM facts f LEFT JOIN journal j ON j.case_id = f.case_id
WHERE {" OR ".join(f"f.{n} <> COALESCE(j.{n}, 0)" for n in FIGURES)}
ORDER BY f.case_id
"""


@dataclass(frozen=True)
class Difference:
    """One figure of one case where the journal and the facts disagree (euros)."""

    figure: str
    journal: Decimal
    facts: Decimal

    def german(self) -> str:
        return f"{FIGURES[self.figure]}: Journal {self.journal:.2f} €, Bestand {self.facts:.2f} €"


@dataclass(frozen=True)
class Mismatch:
    """A case whose journal does not prove its balance."""

    case_id: int
    reference: str
    differences: tuple[Difference, ...]

    def german(self) -> str:
        return f"{self.reference} (Fall {self.case_id}): " + "; ".join(
            d.german() for d in self.differences
        )


@dataclass(frozen=True)
class Report:
    cases: int
    mismatches: tuple[Mismatch, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def german(self) -> str:
        if self.ok:
            return f"Kontenabstimmung: {self.cases} Fälle geprüft, Journal und Salden stimmen."
        lines = [f"Kontenabstimmung: {len(self.mismatches)} von {self.cases} Fällen stimmen nicht:"]
        lines += [f"  {m.german()}" for m in self.mismatches]
        return "\n".join(lines)


def check(connection: Connection) -> Report:
    """Every case whose postings disagree with its claims, costs and payments."""
    cases = int(connection.scalar(text("SELECT COUNT(*) FROM case_file")) or 0)
    rows = connection.execute(text(_QUERY)).mappings().all()
    return Report(cases, tuple(_mismatch(r) for r in rows))


def _mismatch(row: RowMapping) -> Mismatch:
    differences = []
    for name in FIGURES:
        journal, facts = int(row[f"journal_{name}"]), int(row[f"facts_{name}"])
        if journal != facts:
            differences.append(Difference(name, Decimal(journal) / 100, Decimal(facts) / 100))
    return Mismatch(int(row["case_id"]), str(row["reference"]), tuple(differences))
