"""Find anything: one search box for staff (every case) and for creditor users (their own
cases only), by name, company, case reference, the creditor's reference, invoice number,
IBAN, e-mail or phone, tolerant of umlauts and typos (:mod:`mahnwerk.store.search`).

Searching is reading personal data: every search is audited, with the number of results and
the cases shown, never the words searched for (they may be a name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.services import audit
from mahnwerk.services.actor import Actor
from mahnwerk.store.models import Case, Creditor, Debtor
from mahnwerk.store.search import LIMIT, find_cases

#: what the field of a hit is called on the page
FIELD_DE = {
    "name": "Name",
    "reference": "Aktenzeichen",
    "invoice": "Rechnungsnummer",
    "iban": "IBAN",
    "email": "E-Mail",
    "phone": "Telefon",
}


class SearchError(ValueError):
    """A search that cannot be made (German message)."""


@dataclass(frozen=True)
class Result:
    case_id: int
    reference: str
    external_ref: str
    debtor: str
    creditor: str
    stage: str
    status: str
    field: str
    score: float
    created: date


def search(session: Session, actor: Actor, query: str, *, limit: int = LIMIT) -> list[Result]:
    """The cases ``actor`` may see that match ``query``, best first."""
    if actor.role == "debtor" or actor.kind == "system":
        raise SearchError("Suche nur für Mitarbeitende und Mandanten")
    query = query.strip()
    if len(query) > 200:
        raise SearchError("Suchbegriff zu lang (höchstens 200 Zeichen)")
    scope = None if actor.is_staff else actor.creditor_id
    if not actor.is_staff and scope is None:
        raise SearchError("Suche nur für Mitarbeitende und Mandanten")
    hits = find_cases(session.connection(), query, creditor_id=scope, limit=limit)
    if not hits:
        audit.record(session, actor, "search", "case", details={"results": 0})
        return []
    rows = {
        case.id: (case, debtor, creditor)
        for case, debtor, creditor in session.execute(
            select(Case, Debtor, Creditor)
            .join(Debtor, Debtor.id == Case.debtor_id)
            .join(Creditor, Creditor.id == Case.creditor_id)
            .where(Case.id.in_([h.case_id for h in hits]))
        )
    }
    results = []
    for hit in hits:
        case, debtor, creditor = rows[hit.case_id]
        if not actor.may_see_creditor(case.creditor_id):  # the query filtered; this is a belt
            continue
        results.append(
            Result(
                case.id,
                case.reference,
                case.external_ref,
                debtor.display_name,
                creditor.name,
                case.stage,
                case.status,
                hit.field,
                hit.score,
                case.created_at.date(),
            )
        )
    audit.record(
        session,
        actor,
        "search",
        "case",
        details={"results": len(results), "cases": [r.case_id for r in results]},
    )
    return results
