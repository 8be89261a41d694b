"""From a stored case to the plain values of :mod:`mahnwerk.enforcement` (forms, filings).

Creditor details that the core schema does not hold come from ``creditor.settings``:
``address`` (``"Straße 1, 12345 Ort"``), ``register`` (Registergericht und -nummer),
``represented_by`` (gesetzliche Vertreter), ``vat_deductible`` (bool) and
``payment_account`` (``{"holder", "iban", "bic"}``, else the agency's account from the
settings). The agency is the Bevollmächtigter (``MAHNWERK_AGENCY_*``).
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from mahnwerk.config import Settings
from mahnwerk.enforcement.values import (
    Address,
    EnforcementCase,
    Party,
    PaymentAccount,
    Representative,
    TitleRef,
)
from mahnwerk.services.actor import utcnow
from mahnwerk.store.ledger_map import domain_case
from mahnwerk.store.models import Case, Creditor, Debtor, Document


def creditor_party(creditor: Creditor) -> Party:
    cset = creditor.settings or {}
    return Party(
        kind="legal",
        name=creditor.name,
        address=Address.parse(str(cset.get("address", ""))),
        register=str(cset.get("register", "")),
        represented_by=str(cset.get("represented_by", "")),
    )


def debtor_party(debtor: Debtor) -> Party:
    address = debtor.current_address
    return Party(
        kind=debtor.kind,
        name=debtor.display_name,
        address=None
        if address is None
        else Address(address.street, address.postcode, address.city, address.country or "DE"),
        first_name=debtor.first_name or "",
        last_name=debtor.last_name or "",
        birth_date=debtor.birth_date,
    )


def agency(settings: Settings) -> Representative:
    return Representative(
        name=settings.agency_name,
        address=Address.parse(settings.agency_address),
        phone=settings.agency_phone,
        email=settings.agency_email,
        safe_id=settings.agency_safe_id,
        registration=settings.agency_registration,
    )


def payment_account(creditor: Creditor, settings: Settings) -> PaymentAccount | None:
    raw = (creditor.settings or {}).get("payment_account") or {}
    if isinstance(raw, dict) and raw.get("iban"):
        return PaymentAccount(
            str(raw.get("holder", settings.agency_name)), str(raw["iban"]), str(raw.get("bic", ""))
        )
    if settings.agency_iban:
        return PaymentAccount(settings.agency_name, settings.agency_iban, settings.agency_bic)
    return None


def enforcement_case(
    session: Session,
    case: Case,
    settings: Settings,
    as_of: date,
    titles: tuple[TitleRef, ...],
) -> EnforcementCase:
    """The case as the forms see it on ``as_of`` (its ledger, parties, titles)."""
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    place = Address.parse(settings.agency_address)
    return EnforcementCase(
        reference=case.reference,
        creditor=creditor_party(creditor),
        debtor=debtor_party(case.debtor),
        titles=titles,
        ledger_case=domain_case(case),
        as_of=as_of,
        place=place.city if place else "",
        representative=agency(settings),
        creditor_account=payment_account(creditor, settings),
        creditor_vat_deductible=bool((creditor.settings or {}).get("vat_deductible", False)),
    )


def store_pdf(
    session: Session, documents_dir: Path, case: Case, kind: str, name: str, content: bytes
) -> Document:
    """A produced PDF as a file of the case and a document row with its SHA-256."""
    digest = hashlib.sha256(content).hexdigest()
    now = utcnow()
    filename = f"{name}-{now:%Y%m%d%H%M%S}-{digest[:8]}.pdf"
    folder = documents_dir / str(case.id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    tmp = path.with_suffix(".pdf.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)
    doc = Document(
        case_id=case.id,
        kind=kind,
        filename=filename,
        path=str(Path(str(case.id)) / filename),
        media_type="application/pdf",
        sha256=digest,
        size=len(content),
        created_at=now,
    )
    session.add(doc)
    session.flush()
    return doc
