"""The German texts of e-mails and SMS, made from an outbox message's payload.

The payload is the JSON-ready letter data built by ``services.dunning.compose.message_payload``
(amounts as strings with a decimal point, dates as ISO strings). A first contact by e-mail
carries every item of § 13a Abs. 1 RDG; :func:`first_contact_gaps` names what is missing, and a
message with gaps is not sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from mahnwerk.domain import supervision as sv
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
}


def _eur(value: object) -> str:
    return format_eur(Decimal(str(value)))


def _de(value: object) -> str:
    if not value:
        return "–"
    return date.fromisoformat(str(value)).strftime("%d.%m.%Y")


def first_contact_gaps(payload: Mapping[str, Any]) -> list[str]:
    """The § 13a Abs. 1 RDG items a first contact lacks (German), empty if complete."""
    gaps: list[str] = []
    creditor = payload.get("creditor") or {}
    if not creditor.get("name"):
        gaps.append("Name des Auftraggebers (Nr. 1)")
    if not creditor.get("address") and not creditor.get("address_withheld_reason"):
        gaps.append("Anschrift des Auftraggebers (Nr. 1)")
    for claim in payload.get("claims") or []:
        if not (claim.get("label") or claim.get("invoice_no")) or not (
            claim.get("invoice_date") or claim.get("origin")
        ):
            gaps.append(f"Forderungsgrund und Datum von {claim.get('invoice_no')} (Nr. 2)")
    for cost in payload.get("costs") or []:
        if not cost.get("label"):
            gaps.append("Art und Grund der Kosten (Nr. 5)")
    authority = payload.get("authority") or {}
    if not authority.get("name") or not authority.get("address"):
        gaps.append("Aufsichtsbehörde (Nr. 8)")
    return gaps


def subject(payload: Mapping[str, Any]) -> str:
    title = SUBJECTS.get(str(payload.get("template")), "Ihre offene Forderung")
    return f"{title} – Aktenzeichen {payload.get('case_reference')}"


def email_text(payload: Mapping[str, Any]) -> str:
    """The body of a dunning e-mail; with ``first_contact`` all § 13a Abs. 1 RDG items."""
    agency = payload.get("agency") or {}
    creditor = payload.get("creditor") or {}
    debtor = payload.get("debtor") or {}
    totals = payload.get("totals") or {}
    lines = [
        f"Guten Tag {debtor.get('name', '')},".replace(" ,", ","),
        "",
        f"wir sind von {creditor.get('name')} mit dem Einzug der folgenden Forderung beauftragt "
        f"(unser Aktenzeichen {payload.get('case_reference')}).",
        "",
        f"Offener Gesamtbetrag am {_de(payload.get('date'))}: {_eur(totals.get('total_open', 0))}",
        f"Bitte zahlen Sie bis zum {_de(payload.get('pay_by'))} unter Angabe des Aktenzeichens "
        f"{payload.get('case_reference')}.",
    ]
    if payload.get("bank", {}).get("iban"):
        bank = payload["bank"]
        lines.append(f"Bankverbindung: {bank.get('holder', '')}, IBAN {bank['iban']}")
    lines += ["", "Forderungsaufstellung", "---------------------"]
    for claim in payload.get("claims") or []:
        lines.append(
            f"Hauptforderung {claim.get('invoice_no')}: {_eur(claim.get('principal'))}, "
            f"davon offen {_eur(claim.get('principal_open'))}"
        )
    lines.append(f"Zinsen offen: {_eur(totals.get('interest_open', 0))}")
    lines.append(f"Kosten offen: {_eur(totals.get('costs_open', 0))}")
    lines.append(f"Gesamt offen: {_eur(totals.get('total_open', 0))}")
    if payload.get("first_contact"):
        lines += ["", *_first_contact_items(payload)]
    if payload.get("credit_bureau_notice"):
        lines += [
            "",
            "Hinweis: Bleibt die Forderung unbestritten und unbezahlt, kann sie nach "
            "§ 31 Abs. 2 Nr. 4 BDSG frühestens vier Wochen nach der ersten Mahnung an eine "
            "Auskunftei gemeldet werden.",
        ]
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
    if agency.get("registration"):
        lines.append(str(agency["registration"]))
    return "\n".join(lines) + "\n"


def _first_contact_items(payload: Mapping[str, Any]) -> list[str]:
    creditor = payload.get("creditor") or {}
    authority = payload.get("authority") or SUPERVISORY_AUTHORITY
    out = ["Angaben nach § 13a Abs. 1 RDG", "-----------------------------"]
    address = creditor.get("address") or (
        f"Anschrift nicht angegeben: {creditor.get('address_withheld_reason')}"
    )
    out.append(f"Auftraggeber: {creditor.get('name')}, {address}")
    for claim in payload.get("claims") or []:
        reason = claim.get("label") or f"Rechnung {claim.get('invoice_no')}"
        on = claim.get("invoice_date") or claim.get("origin")
        out.append(
            f"Forderungsgrund: {reason} (Rechnung {claim.get('invoice_no')} vom {_de(on)}), "
            f"fällig seit {_de(claim.get('due_date') or claim.get('default_from'))}"
        )
    out.append("Zinsberechnung:")
    periods = [(c, p) for c in payload.get("claims") or [] for p in c.get("periods") or []]
    if not periods:
        out.append("  Es werden keine Zinsen verlangt.")
    for claim, p in periods:
        out.append(
            f"  {claim.get('invoice_no')}: {format_rate(Decimal(str(p['rate'])))} % aus "
            f"{_eur(p['base'])} vom {_de(p['start'])} bis {_de(p['end'])} "
            f"({p['days']} Tage) = {_eur(p['interest'])}"
        )
    out.append("Kosten:")
    costs = payload.get("costs") or []
    if not costs:
        out.append("  Es werden keine Kosten verlangt.")
    for cost in costs:
        code = f" ({cost['code']})" if cost.get("code") else ""
        out.append(
            f"  {cost.get('label')}{code}: {_eur(cost.get('amount'))} – Grund: "
            f"{cost.get('reason') or 'Verzugsschaden (§§ 280, 286 BGB, § 13e RDG)'}"
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
    totals = payload.get("totals") or {}
    agency = (payload.get("agency") or {}).get("name", "")
    return (
        f"{agency}: Zur Akte {payload.get('case_reference')} sind "
        f"{_eur(totals.get('total_open', 0))} offen. Bitte zahlen Sie bis "
        f"{_de(payload.get('pay_by'))} oder melden Sie sich bei uns."
    )
