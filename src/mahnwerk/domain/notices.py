"""The texts the law requires in letters, e-mails and pages, and the checks that they can be
given: the sender (§ 13a Abs. 1, § 10 RDG, § 5 DDG), § 13a Abs. 1 Nr. 4 and 6 RDG, § 13a
Abs. 4 RDG, § 31 Abs. 2 Nr. 4 BDSG and the short data-protection notice of Art. 14 DSGVO.

They live here, in one place, because letters (``documents``), e-mails and SMS
(``channels``) and pages (``web``) all print them and must say the same. Every function is
pure: it takes the data and returns German text or a list of problems.

>>> sender_problems(name="Inkasso Nord GmbH", address="Ballindamm 17, 20095 Hamburg",
...     registration="Az. 3712E-1024/2025", email="service@inkasso-nord.example", phone="")
[]
>>> sender_problems(name="", address="Hamburg", registration="", email="", phone="")[0]
'Name der Agentur fehlt (MAHNWERK_AGENCY_NAME)'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_ADDRESS = re.compile(r"^\s*(?P<street>.+?),\s*(?P<postcode>\d{5})\s+(?P<city>.+?)\s*$")

#: The title of the notice of a possible credit-bureau report; a sent document contains the
#: notice when its text contains this title (see :func:`contains_notice`).
CREDIT_BUREAU_TITLE = "Hinweis auf eine mögliche Meldung an eine Auskunftei"
CREDIT_BUREAU_TEXT = (
    "Bleibt die Forderung unbestritten und unbezahlt, dürfen wir sie nach § 31 Abs. 2 Nr. 4 "
    "BDSG an eine Auskunftei (zum Beispiel die SCHUFA) melden – frühestens vier Wochen nach "
    "der ersten Mahnung und nach mindestens zwei schriftlichen Mahnungen. Bestreiten Sie die "
    "Forderung, melden wir sie nicht."
)

#: § 13a Abs. 1 Nr. 6 RDG.
VAT_STATEMENT = (
    "Unser Auftraggeber ist nicht zum Vorsteuerabzug berechtigt: er kann die mit den "
    "Inkassokosten geltend gemachte Umsatzsteuer nicht als Vorsteuer abziehen."
)
NO_VAT = "Mit den Inkassokosten wird keine Umsatzsteuer geltend gemacht."
#: Cost code of VAT on the agency fee (VV 7008 RVG).
VAT_CODE = "VV 7008"

#: § 13a Abs. 4 RDG (Satz 2 Nr. 2: typical defences that are lost).
ACKNOWLEDGEMENT_TITLE = "Hinweis zum Schuldanerkenntnis (§ 13a Abs. 4 RDG)"
PRIVACY_TITLE = "Datenschutzhinweis (Art. 14 DSGVO)"


def parse_address(text: str) -> tuple[str, str, str] | None:
    """``"Ballindamm 17, 20095 Hamburg"`` → street, postcode, city (``None`` if it does not
    parse as a German postal address).

    >>> parse_address("Ballindamm 17, 20095 Hamburg")
    ('Ballindamm 17', '20095', 'Hamburg')
    """
    match = _ADDRESS.match(text or "")
    if not match:
        return None
    return match["street"], match["postcode"], match["city"]


def sender_problems(
    *, name: str, address: str, registration: str, email: str, phone: str
) -> list[str]:
    """What is missing for the agency to send anything (German, naming the setting): its name,
    a postal address, its registration under § 10 RDG and an electronic or phone contact.
    A letter, e-mail or SMS with a problem here is refused; no placeholder is printed."""
    problems = []
    if not name.strip():
        problems.append("Name der Agentur fehlt (MAHNWERK_AGENCY_NAME)")
    if parse_address(address) is None:
        problems.append(
            "Anschrift der Agentur fehlt oder ist keine Postanschrift „Straße Nr, PLZ Ort“ "
            "(MAHNWERK_AGENCY_ADDRESS)"
        )
    if not registration.strip():
        problems.append(
            "Registrierung im Rechtsdienstleistungsregister fehlt (§ 10 RDG, "
            "MAHNWERK_AGENCY_REGISTRATION)"
        )
    if not email.strip() and not phone.strip():
        problems.append(
            "Kontakt der Agentur fehlt (MAHNWERK_AGENCY_EMAIL oder MAHNWERK_AGENCY_PHONE)"
        )
    return problems


def normalized(text: str) -> str:
    """White space collapsed (text extracted from a PDF breaks lines anywhere)."""
    return " ".join(text.split())


def contains_notice(document_text: str, title: str = CREDIT_BUREAU_TITLE) -> bool:
    """Whether the text of a sent document contains the notice with ``title``.

    >>> contains_notice("… Hinweis auf eine mögliche\\nMeldung an eine Auskunftei: …")
    True
    """
    return normalized(title) in normalized(document_text)


@dataclass(frozen=True)
class RateNotice:
    """§ 13a Abs. 1 Nr. 4 RDG for one claim: its rate, the statutory one, and why."""

    claim: str
    rate: str
    statutory: str
    reason: str

    def text(self) -> str:
        return (
            f"Für die Forderung {self.claim} verlangen wir Zinsen von {self.rate} und damit mehr "
            f"als den gesetzlichen Verzugszinssatz von {self.statutory} (§ 288 BGB). "
            f"Grund: {self.reason}."
        )


def rate_reason(contract_subject: str, contract_date: str) -> str:
    """Why a rate above the statute is claimed: the contract that agreed it.

    >>> rate_reason("Ratenkauf einer Küche", "01.02.2025")
    'im Vertrag (Ratenkauf einer Küche) vom 01.02.2025 vereinbarter Zinssatz'
    """
    what = f" ({contract_subject})" if contract_subject else ""
    when = f" vom {contract_date}" if contract_date else ""
    return f"im Vertrag{what}{when} vereinbarter Zinssatz"


def claim_reason(
    *,
    invoice_no: str,
    invoice_date: str,
    label: str,
    contract_subject: str,
    contract_date: str,
) -> str:
    """The ground of a claim (§ 13a Abs. 1 Nr. 2 RDG) from what the creditor handed over:
    the contract's subject and date where known; otherwise the invoice with its number and
    date. A date is never called the date of a contract unless it is one.

    >>> claim_reason(invoice_no="4711", invoice_date="15.01.2025", label="Strom",
    ...     contract_subject="Stromliefervertrag Tarif Basis", contract_date="01.03.2023")
    'Stromliefervertrag Tarif Basis (Vertrag vom 01.03.2023; Rechnung 4711 vom 15.01.2025)'
    >>> claim_reason(invoice_no="4711", invoice_date="15.01.2025", label="Strom",
    ...     contract_subject="", contract_date="")
    'Strom (Rechnung 4711 vom 15.01.2025)'
    """
    invoice = f"Rechnung {invoice_no}" + (f" vom {invoice_date}" if invoice_date else "")
    if contract_subject:
        contract = f"Vertrag vom {contract_date}" if contract_date else "Vertragsdatum unbekannt"
        return f"{contract_subject} ({contract}; {invoice})"
    return f"{label} ({invoice})" if label else invoice


def acknowledgement_notice(parts: Iterable[str]) -> str:
    """The notice of § 13a Abs. 4 RDG before a debtor is asked to acknowledge the debt;
    ``parts`` are the parts of the claim the acknowledgement covers (Satz 2 Nr. 1).

    >>> text = acknowledgement_notice(["Hauptforderung R-1: 1.250,00 €"])
    >>> "verjährt" in text and "erfasst: Hauptforderung R-1: 1.250,00 €" in text
    True
    """
    covered = "; ".join(parts) or "die gesamte offene Forderung"
    return (
        "Wir bitten Sie, die Forderung anzuerkennen (Schuldanerkenntnis). Bevor Sie das tun, "
        "beachten Sie bitte: Durch ein Schuldanerkenntnis verlieren Sie in der Regel die "
        "Möglichkeit, Einwendungen und Einreden gegen die anerkannte Forderung geltend zu "
        "machen, die bei Abgabe des Anerkenntnisses bestanden – zum Beispiel, dass die "
        "Forderung nicht besteht, dass sie schon bezahlt (erfüllt) ist oder dass sie verjährt "
        f"ist. Das Anerkenntnis erfasst: {covered}. Sie sind nicht verpflichtet, die Forderung "
        "anzuerkennen; eine Ratenzahlung ist auch ohne Anerkenntnis möglich."
    )


def privacy_short_notice(
    *,
    agency: str,
    agency_address: str,
    agency_email: str,
    creditor: str,
    address_researched: bool,
    full_notice_url: str,
) -> str:
    """The short data-protection notice of the first contact (Art. 14 DSGVO), with the link to
    the full notice."""
    source = f"von unserem Auftraggeber {creditor}"
    if address_researched:
        source += ", Ihre Anschrift aus einer Anschriftenermittlung"
    return (
        f"Verantwortlich für die Verarbeitung Ihrer Daten ist {agency}, {agency_address}, "
        f"{agency_email}. Ihre Daten (Name, Anschrift, Kontaktdaten, Angaben zur Forderung) "
        f"haben wir {source} erhalten. Wir verarbeiten sie, um die Forderung einzuziehen "
        "(Art. 6 Abs. 1 Buchst. b und f DSGVO). Empfänger können unser Auftraggeber, Gerichte "
        "und Gerichtsvollzieher, Auskunfteien (nur nach § 31 BDSG), Post-, Druck- und "
        "Zahlungsdienstleister sein. Ein statistisches Verfahren schätzt die Wahrscheinlichkeit "
        "einer Zahlung, um Zeitpunkt und Weg unserer Schreiben zu wählen; Entscheidungen mit "
        "rechtlicher Wirkung trifft immer ein Mensch. Sie haben das Recht auf Auskunft, "
        "Berichtigung, Löschung, Einschränkung der Verarbeitung, Widerspruch (Art. 21 DSGVO) "
        "und Beschwerde bei einer Datenschutzaufsichtsbehörde. Den vollständigen Hinweis mit "
        f"Speicherdauer finden Sie unter {full_notice_url}"
    )
