"""The German texts of e-mails and SMS, made from an outbox message's payload.

The payload is the JSON-ready letter data built by ``services.dunning.compose.message_payload``
(dates as ISO strings); every amount, interest period, cost and warning comes from its
``statement``, the statement as planned (:mod:`mahnwerk.domain.statement_json`). A first
contact by e-mail carries every item of § 13a Abs. 1 RDG; :func:`first_contact_gaps` names
what is missing, and a message with gaps is not sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from mahnwerk.channels.base import DeliveryError, Failure
from mahnwerk.domain import notices, statement_json
from mahnwerk.domain import supervision as sv
from mahnwerk.domain.ledger import Statement
from mahnwerk.domain.money import format_eur, format_rate

#: § 13a Abs. 1 Nr. 8 RDG, § 13h RDG: the supervisory authority (see domain.supervision).
SUPERVISORY_AUTHORITY: dict[str, str] = {
    "name": sv.AUTHORITY_NAME,
    "address": f"{sv.AUTHORITY_STREET}, {sv.AUTHORITY_POSTCODE} {sv.AUTHORITY_CITY}",
    "email": sv.AUTHORITY_EMAIL,
    "website": sv.AUTHORITY_WEBSITE,
}

SUBJECTS = {
    "reminder": "Zahlungserinnerung",
    "dunning_1": "Mahnung",
    "dunning_2": "Zweite Mahnung",
    "final_notice": "Letzte Mahnung vor gerichtlichen Schritten",
    "monitoring": "Offene Forderung",
    "acknowledgement_notice": "Hinweis zum Schuldanerkenntnis (§ 13a Abs. 4 RDG)",
}


def _eur(value: object) -> str:
    return format_eur(Decimal(str(value)))


def _de(value: object) -> str:
    if not value:
        return "–"
    return date.fromisoformat(str(value)).strftime("%d.%m.%Y")


def planned_statement(payload: Mapping[str, Any]) -> Statement | None:
    """The statement stored with the message, or ``None`` if it has none (or not one)."""
    data = payload.get("statement")
    if not isinstance(data, dict):
        return None
    try:
        return statement_json.load(data)
    except (KeyError, ValueError, TypeError, ArithmeticError):
        return None


def _statement_or_refuse(payload: Mapping[str, Any]) -> Statement:
    """The planned statement, from which every amount an e-mail or SMS shows comes; without
    it the message is refused as incomplete."""
    st = planned_statement(payload)
    if st is None:
        raise DeliveryError(
            "Nachricht unvollständig: Forderungsaufstellung fehlt", Failure.INCOMPLETE
        )
    return st


def privacy_notice(payload: Mapping[str, Any]) -> str:
    """The short data-protection notice of a first contact (Art. 14 DSGVO), or ``""`` if the
    message carries none. It is rendered from the message's agency, creditor and address
    source, like the rest of the letter's text (a message composed before this carried the
    text itself, which is then used)."""
    privacy = payload.get("privacy") or {}
    if privacy.get("text"):
        return str(privacy["text"])
    if not privacy.get("url"):
        return ""
    agency = payload.get("agency") or {}
    return notices.privacy_short_notice(
        agency=str(agency.get("name") or ""),
        agency_address=str(agency.get("address") or ""),
        agency_email=str(agency.get("email") or agency.get("phone") or ""),
        creditor=str((payload.get("creditor") or {}).get("name") or ""),
        address_researched=bool((payload.get("debtor") or {}).get("address_researched")),
        full_notice_url=str(privacy["url"]),
    )


def first_contact_gaps(payload: Mapping[str, Any]) -> list[str]:
    """The § 13a Abs. 1 RDG items (and the Art. 14 DSGVO notice) a first contact lacks
    (German), empty if complete."""
    gaps: list[str] = []
    st = planned_statement(payload)
    if st is None:
        gaps.append("Forderungsaufstellung (Nr. 3 bis 5)")
    creditor = payload.get("creditor") or {}
    if not creditor.get("name"):
        gaps.append("Name des Auftraggebers (Nr. 1)")
    if not creditor.get("address") and not creditor.get("address_withheld_reason"):
        gaps.append("Anschrift des Auftraggebers (Nr. 1)")
    for claim in payload.get("claims") or []:
        if not claim.get("reason") and not (
            (claim.get("label") or claim.get("invoice_no"))
            and (claim.get("invoice_date") or claim.get("contract_date"))
        ):
            gaps.append(f"Forderungsgrund und Datum von {claim.get('invoice_no')} (Nr. 2)")
    for notice in payload.get("rate_notices") or []:
        if not notice.get("reason"):
            gaps.append(f"Grund des erhöhten Zinssatzes von {notice.get('claim')} (Nr. 4)")
    costs = () if st is None else st.costs
    if any(not cost.label for cost in costs):
        gaps.append("Art und Grund der Kosten (Nr. 5)")
    vat = any(c.code == notices.VAT_CODE for c in costs)
    if vat and not payload.get("vat_claimed"):
        gaps.append("Erklärung zur Umsatzsteuer (Nr. 6)")
    authority = payload.get("authority") or {}
    if not authority.get("name") or not authority.get("address"):
        gaps.append("Aufsichtsbehörde (Nr. 8)")
    if not (payload.get("privacy") or {}).get("url") or not privacy_notice(payload):
        gaps.append("Datenschutzhinweis mit Link (Art. 14 DSGVO)")
    return gaps


def subject(payload: Mapping[str, Any]) -> str:
    title = SUBJECTS.get(str(payload.get("template")), "Ihre offene Forderung")
    return f"{title} – Aktenzeichen {payload.get('case_reference')}"


def email_text(payload: Mapping[str, Any]) -> str:
    """The body of a dunning e-mail; with ``first_contact`` all § 13a Abs. 1 RDG items."""
    agency = payload.get("agency") or {}
    creditor = payload.get("creditor") or {}
    debtor = payload.get("debtor") or {}
    st = _statement_or_refuse(payload)
    totals = st.totals
    lines = [
        f"Guten Tag {debtor.get('name', '')},".replace(" ,", ","),
        "",
        f"wir sind von {creditor.get('name')} mit dem Einzug der folgenden Forderung beauftragt "
        f"(unser Aktenzeichen {payload.get('case_reference')}).",
        "",
        f"Offener Gesamtbetrag am {_de(payload.get('date'))}: {_eur(totals.total_open)}",
        f"Bitte zahlen Sie bis zum {_de(payload.get('pay_by'))} unter Angabe des Aktenzeichens "
        f"{payload.get('case_reference')}.",
    ]
    acknowledgement = payload.get("acknowledgement") or {}
    if acknowledgement.get("text"):
        lines += ["", f"{acknowledgement.get('title')}: {acknowledgement['text']}", ""]
    if payload.get("bank", {}).get("iban"):
        bank = payload["bank"]
        lines.append(f"Bankverbindung: {bank.get('holder', '')}, IBAN {bank['iban']}")
    lines += ["", "Forderungsaufstellung", "---------------------"]
    for claim in st.claims:
        lines.append(
            f"Hauptforderung {claim.id}: {_eur(claim.principal)}, "
            f"davon offen {_eur(claim.principal_open)}"
        )
    lines.append(f"Zinsen offen: {_eur(totals.interest_open)}")
    lines.append(f"Kosten offen: {_eur(totals.costs_open)}")
    lines.append(f"Gesamt offen: {_eur(totals.total_open)}")
    for warning in st.warnings:
        lines.append(f"Hinweis zur Zinsberechnung: {warning}")
    if payload.get("first_contact"):
        lines += ["", *_first_contact_items(payload, st)]
    elif payload.get("rate_notices"):
        lines += ["", *_rate_notice_lines(payload)]
    if payload.get("credit_bureau_notice"):
        lines += [
            "",
            f"{notices.CREDIT_BUREAU_TITLE} (§ 31 Abs. 2 Nr. 4 BDSG): {notices.CREDIT_BUREAU_TEXT}",
        ]
    privacy = privacy_notice(payload)
    if privacy:
        lines += ["", f"{notices.PRIVACY_TITLE}: {privacy}"]
    lines += [
        "",
        "Wenn Sie die Forderung für unberechtigt halten, teilen Sie uns das bitte mit; "
        "bis zur Klärung mahnen wir nicht weiter.",
        "",
        "Mit freundlichen Grüßen",
        str(agency.get("name", "")),
    ]
    if agency.get("address"):
        lines.append(str(agency["address"]))
    if agency.get("email"):
        lines.append(str(agency["email"]))
    if agency.get("phone"):
        lines.append(f"Telefon {agency['phone']}")
    if agency.get("registration"):
        lines.append(f"Registriert nach § 10 RDG: {agency['registration']}")
    return "\n".join(lines) + "\n"


def _rate_notice_lines(payload: Mapping[str, Any]) -> list[str]:
    return [
        "Gesonderter Hinweis zum Zinssatz (§ 13a Abs. 1 Nr. 4 RDG): " + str(n.get("text"))
        for n in payload.get("rate_notices") or []
    ]


def _first_contact_items(payload: Mapping[str, Any], st: Statement) -> list[str]:
    creditor = payload.get("creditor") or {}
    authority = payload.get("authority") or SUPERVISORY_AUTHORITY
    out = ["Angaben nach § 13a Abs. 1 RDG", "-----------------------------"]
    address = creditor.get("address") or (
        f"Anschrift nicht angegeben: {creditor.get('address_withheld_reason')}"
    )
    out.append(f"Auftraggeber: {creditor.get('name')}, {address}")
    amounts = {c.id: c for c in st.claims}
    for claim in payload.get("claims") or []:
        default_from = getattr(amounts.get(str(claim.get("invoice_no"))), "default_from", None)
        reason = claim.get("reason") or (
            f"{claim.get('label') or ''}, Rechnung {claim.get('invoice_no')} vom "
            f"{_de(claim.get('invoice_date'))}"
        ).lstrip(", ")
        out.append(
            f"Forderungsgrund: {reason}, fällig seit {_de(claim.get('due_date') or default_from)}"
        )
    out.append("Zinsberechnung:")
    periods = [(c, p) for c in st.claims for p in c.periods]
    if not periods:
        out.append("  Es werden keine Zinsen verlangt.")
    for claim, p in periods:
        out.append(
            f"  {claim.id}: {format_rate(p.rate)} % aus {_eur(p.base)} vom {_de(p.start)} "
            f"bis {_de(p.end)} ({p.days} Tage) = {_eur(p.interest)}"
        )
    rates = _rate_notice_lines(payload)
    out.append(
        "Zinssatz über dem gesetzlichen Verzugszins (Nr. 4): "
        + ("ja, siehe gesonderten Hinweis." if rates else "nein.")
    )
    out += rates
    out.append("Kosten:")
    costs = st.costs
    if not costs:
        out.append("  Es werden keine Kosten verlangt.")
    for cost in costs:
        code = f" ({cost.code})" if cost.code else ""
        out.append(
            f"  {cost.label}{code}: {_eur(cost.amount)} – Grund: "
            "Verzugsschaden (§§ 280, 286 BGB, § 13e RDG)"
        )
    out.append(
        "Umsatzsteuer (Nr. 6): "
        + (notices.VAT_STATEMENT if payload.get("vat_claimed") else notices.NO_VAT)
    )
    debtor = payload.get("debtor") or {}
    if debtor.get("address_researched"):
        out.append(
            "Ihre Anschrift wurde von uns ermittelt und nicht vom Auftraggeber mitgeteilt. "
            "Ist sie falsch, teilen Sie uns das bitte unter den unten genannten Kontaktdaten mit."
        )
    out.append(
        f"Zuständige Aufsichtsbehörde: {authority.get('name')}, {authority.get('address')}, "
        f"{authority.get('email')}"
    )
    return out


def sms_text(payload: Mapping[str, Any]) -> str:
    """A short reminder (no amounts of interest or costs, no personal data beyond the name)."""
    st = _statement_or_refuse(payload)
    agency = (payload.get("agency") or {}).get("name", "")
    return (
        f"{agency}: Zur Akte {payload.get('case_reference')} sind "
        f"{_eur(st.totals.total_open)} offen. Bitte zahlen Sie bis "
        f"{_de(payload.get('pay_by'))} oder melden Sie sich bei uns."
    )
