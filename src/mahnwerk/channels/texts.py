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

from mahnwerk.domain import notices
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
    "acknowledgement_notice": "Hinweis zum Schuldanerkenntnis (§ 13a Abs. 4 RDG)",
}


def _eur(value: object) -> str:
    return format_eur(Decimal(str(value)))


def _de(value: object) -> str:
    if not value:
        return "–"
    return date.fromisoformat(str(value)).strftime("%d.%m.%Y")


def first_contact_gaps(payload: Mapping[str, Any]) -> list[str]:
    """The § 13a Abs. 1 RDG items (and the Art. 14 DSGVO notice) a first contact lacks
    (German), empty if complete."""
    gaps: list[str] = []
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
    for cost in payload.get("costs") or []:
        if not cost.get("label"):
            gaps.append("Art und Grund der Kosten (Nr. 5)")
    vat = any(c.get("code") == notices.VAT_CODE for c in payload.get("costs") or [])
    if vat and not payload.get("vat_claimed"):
        gaps.append("Erklärung zur Umsatzsteuer (Nr. 6)")
    authority = payload.get("authority") or {}
    if not authority.get("name") or not authority.get("address"):
        gaps.append("Aufsichtsbehörde (Nr. 8)")
    privacy = payload.get("privacy") or {}
    if not privacy.get("text") or not privacy.get("url"):
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
    acknowledgement = payload.get("acknowledgement") or {}
    if acknowledgement.get("text"):
        lines += ["", f"{acknowledgement.get('title')}: {acknowledgement['text']}", ""]
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
    for warning in payload.get("warnings") or []:
        lines.append(f"Hinweis zur Zinsberechnung: {warning}")
    if payload.get("first_contact"):
        lines += ["", *_first_contact_items(payload)]
    elif payload.get("rate_notices"):
        lines += ["", *_rate_notice_lines(payload)]
    if payload.get("credit_bureau_notice"):
        lines += [
            "",
            f"{notices.CREDIT_BUREAU_TITLE} (§ 31 Abs. 2 Nr. 4 BDSG): {notices.CREDIT_BUREAU_TEXT}",
        ]
    privacy = payload.get("privacy") or {}
    if privacy.get("text"):
        lines += ["", f"{notices.PRIVACY_TITLE}: {privacy['text']}"]
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


def _first_contact_items(payload: Mapping[str, Any]) -> list[str]:
    creditor = payload.get("creditor") or {}
    authority = payload.get("authority") or SUPERVISORY_AUTHORITY
    out = ["Angaben nach § 13a Abs. 1 RDG", "-----------------------------"]
    address = creditor.get("address") or (
        f"Anschrift nicht angegeben: {creditor.get('address_withheld_reason')}"
    )
    out.append(f"Auftraggeber: {creditor.get('name')}, {address}")
    for claim in payload.get("claims") or []:
        reason = claim.get("reason") or (
            f"{claim.get('label') or ''}, Rechnung {claim.get('invoice_no')} vom "
            f"{_de(claim.get('invoice_date'))}"
        ).lstrip(", ")
        out.append(
            f"Forderungsgrund: {reason}, "
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
    rates = _rate_notice_lines(payload)
    out.append(
        "Zinssatz über dem gesetzlichen Verzugszins (Nr. 4): "
        + ("ja, siehe gesonderten Hinweis." if rates else "nein.")
    )
    out += rates
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
    totals = payload.get("totals") or {}
    agency = (payload.get("agency") or {}).get("name", "")
    return (
        f"{agency}: Zur Akte {payload.get('case_reference')} sind "
        f"{_eur(totals.get('total_open', 0))} offen. Bitte zahlen Sie bis "
        f"{_de(payload.get('pay_by'))} oder melden Sie sich bei uns."
    )
