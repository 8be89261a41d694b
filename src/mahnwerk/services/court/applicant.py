"""The creditor's data for the Mahnantrag (``creditor.settings["court"]``): legal form,
gesetzliche Vertreter, seat (Land, or the Mahngericht named), the declaration on the
counter-performance (§ 690 Abs. 1 Nr. 4 ZPO), the usual catalogue number of its claims.

Keys: ``name``, ``legal_form``, ``anrede``, ``representatives`` (list of ``{function,
name}``), ``street``, ``postcode``, ``city`` (default: ``settings["address"]``), ``land``,
``mahngericht`` (XJustiz id), ``counter_performance`` (``rendered`` / ``none``),
``catalogue`` (``{nr, document, addition}``), ``askezi``, ``streitig``.
"""

from __future__ import annotations

from typing import Any

from mahnwerk.court.directory import mahngericht_for
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor
from mahnwerk.services.court.prepare import applicant_of
from mahnwerk.store.models import Creditor

KEYS = frozenset(
    {
        "name", "legal_form", "anrede", "representatives", "street", "postcode", "city",
        "land", "mahngericht", "counter_performance", "catalogue", "askezi", "streitig",
    }
)  # fmt: skip


class ApplicantError(ValueError):
    pass


def applicant_problems(creditor: Creditor) -> list[str]:
    """What is still missing for a Mahnantrag of this creditor (German)."""
    court = dict((creditor.settings or {}).get("court") or {})
    party, problems = applicant_of(creditor)
    if party is None:
        return problems
    if not (party.street and party.postcode and party.city):
        problems.append("Anschrift (Straße, Postleitzahl, Ort)")
    if party.legal_form and not party.representatives:
        problems.append("gesetzlicher Vertreter (Funktion: Name)")
    if court.get("counter_performance") not in ("rendered", "none"):
        problems.append("Erklärung zur Gegenleistung (rendered oder none)")
    _, problem = mahngericht_for(
        party.postcode, named=court.get("mahngericht") or None, land=court.get("land") or None
    )
    if problem:
        problems.append(problem)
    return problems


def set_applicant(
    session: Any, actor: Actor, creditor_id: int, changes: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Merge ``changes`` into the creditor's court data; the data and what is still missing."""
    if not actor.is_staff:
        raise ApplicantError("nur Mitarbeitende ändern die Gerichtsangaben")
    unknown = set(changes) - KEYS
    if unknown:
        raise ApplicantError(f"unbekannte Angaben: {', '.join(sorted(unknown))}")
    creditor = session.get(Creditor, creditor_id)
    if creditor is None:
        raise ApplicantError(f"Mandant {creditor_id} gibt es nicht")
    settings = dict(creditor.settings or {})
    court = dict(settings.get("court") or {})
    court.update(changes)
    settings["court"] = court
    creditor.settings = settings
    session.flush()
    audit.record(
        session, actor, "update", "creditor", creditor.id,
        creditor_id=creditor.id, details={"court": sorted(changes)},
    )  # fmt: skip
    return court, applicant_problems(creditor)
