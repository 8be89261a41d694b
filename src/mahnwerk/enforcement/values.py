"""Plain values the enforcement forms are filled from: parties, the title, the case.

Nothing here reads the store: ``services.enforcement`` builds these values from a stored case
and its title, tests build them by hand. :class:`EnforcementCase` carries the ledger's view of
the case (:class:`mahnwerk.domain.ledger.Case`) and the day of the forms, and computes the
statement with :func:`mahnwerk.domain.ledger.compute_statement`, so every amount on a form is
the ledger's to the cent.

>>> d = Drittschuldner.parse("Muster Logistik GmbH, Hafenstraße 4, 20457 Hamburg", "employer")
>>> d.name, d.address.line()
('Muster Logistik GmbH', 'Hafenstraße 4, 20457 Hamburg')
>>> de_date(date(2026, 3, 1))
'01.03.2026'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from mahnwerk.domain import ledger
from mahnwerk.domain.interest import (
    BasePlusInterest,
    FixedInterest,
    InterestTerms,
    NoInterest,
    StatutoryInterest,
)
from mahnwerk.domain.money import round_cents

#: The version of the ZVFV forms reproduced (BGBl. 2024 I Nr. 203; the only admissible
#: version since 1 October 2025, § 6 ZVFV). A 3rd amending ordinance announced for
#: 2026-10-01 (court-and-enforcement.md 3.1) is UNVERIFIED and not reflected.
FORM_VERSION = "ZVFV in der Fassung der Zweiten Änderungsverordnung (BGBl. 2024 I Nr. 203)"

REPRODUCTION_NOTICE = (
    "Inhaltsgleiche Wiedergabe der Felder des amtlichen Formulars ({anlage} ZVFV, "
    "BGBl. 2024 I Nr. 203) in derselben Reihenfolge; erstellt von mahnwerk, vor Einreichung "
    "prüfen und unterschreiben. Das amtliche ausfüllbare Formular (§ 2 ZVFV) liegt nicht bei."
)

#: § 754a Abs. 1 Nr. 1, § 829a Abs. 1 Nr. 1 ZPO: electronic orders and applications from a
#: Vollstreckungsbescheid without its original, up to this amount.
SIMPLIFIED_LIMIT = Decimal("5000.00")

_ADDRESS = re.compile(r"^\s*(?P<street>[^,]+?),\s*(?P<postcode>\d{5})\s+(?P<city>.+?)\s*$")
_NAMED_ADDRESS = re.compile(
    r"^\s*(?P<name>.+?),\s*(?P<street>[^,]+?),\s*(?P<postcode>\d{5})\s+(?P<city>.+?)\s*$"
)


def de_date(day: date | None) -> str:
    return "" if day is None else day.strftime("%d.%m.%Y")


def de_amount(amount: Decimal) -> str:
    """``1234.5`` → ``1.234,50`` (German, no currency sign: the form's column says €)."""
    text = f"{round_cents(amount):,.2f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    city: str
    country: str = "DE"

    @classmethod
    def parse(cls, text: str) -> Address | None:
        """``"Hafenstraße 4, 20457 Hamburg"`` → an address (``None`` if it does not parse)."""
        m = _ADDRESS.match(text or "")
        return cls(m["street"], m["postcode"], m["city"]) if m else None

    def line(self) -> str:
        country = "" if self.country in ("", "DE") else f", {self.country}"
        return f"{self.street}, {self.postcode} {self.city}{country}"


@dataclass(frozen=True)
class Party:
    """Creditor or debtor as the forms name them (Modul A / Modul B)."""

    kind: str  # natural, legal
    name: str
    address: Address | None
    first_name: str = ""
    last_name: str = ""
    birth_date: date | None = None
    birth_place: str = ""
    register: str = ""
    """Registergericht und Registernummer (companies)."""
    represented_by: str = ""
    """Gesetzliche Vertreter (managing directors of a company)."""
    salutation: str = ""
    """``Herr``, ``Frau`` or empty (the page-1 check boxes; companies are ``Unternehmen``)."""


@dataclass(frozen=True)
class Representative:
    """The filing agency (Bevollmächtigter, registered Inkassodienstleister § 79 Abs. 2 Nr. 4
    ZPO) and its contact data (page 1 of Anlage 1, the filing block of Anlage 4)."""

    name: str
    address: Address | None
    phone: str = ""
    email: str = ""
    safe_id: str = ""
    registration: str = ""


@dataclass(frozen=True)
class PaymentAccount:
    holder: str
    iban: str
    bic: str = ""


TITLE_KINDS = {
    "vollstreckungsbescheid": "Vollstreckungsbescheid",
    "urteil": "Urteil",
    "vergleich": "Vergleich",
    "notarielle_urkunde": "notarielle Urkunde",
}


@dataclass(frozen=True)
class TitleRef:
    """What the forms say of a title (Modul C; the Forderungsaufstellung's heading)."""

    kind: str  # a key of TITLE_KINDS
    issuer: str
    """Court, notary or authority that issued it."""
    issued: date
    file_no: str
    final: date | None = None
    served: date | None = None
    number: int = 1

    @property
    def kind_text(self) -> str:
        return TITLE_KINDS.get(self.kind, self.kind)

    def describe(self) -> str:
        return f"{self.kind_text} {self.issuer} vom {de_date(self.issued)}, Az. {self.file_no}"


@dataclass(frozen=True)
class Drittschuldner:
    """A third-party debtor of the PfÜB: the employer or the bank."""

    kind: str  # employer, bank
    name: str
    address: Address | None
    safe_id: str = ""

    @classmethod
    def parse(cls, text: str, kind: str) -> Drittschuldner:
        """``"Name, Straße 1, 12345 Ort"`` → a Drittschuldner; :class:`ValueError` names the
        expected shape."""
        m = _NAMED_ADDRESS.match(text or "")
        if m is None:
            raise ValueError(
                f"Drittschuldner {text!r}: erwartet „Name, Straße 1, 12345 Ort“ "
                "(Name, Straße mit Hausnummer, fünfstellige Postleitzahl und Ort)"
            )
        return cls(kind, m["name"], Address(m["street"], m["postcode"], m["city"]))


@dataclass(frozen=True)
class Problem:
    """One thing missing or wrong on a form, naming the field (``debtor.address``)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class FormError(ValueError):
    """A form that would be wrong is refused: every problem at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def interest_text(terms: InterestTerms, *, consumer: bool, origin: date | None) -> str:
    """The interest as the forms ask for it: points over the base rate, or a percentage.

    >>> interest_text(StatutoryInterest(), consumer=True, origin=None)
    '5 Prozentpunkte über dem jeweiligen Basiszinssatz'
    >>> interest_text(FixedInterest(Decimal("8.5")), consumer=True, origin=None)
    '8,5 Prozent'
    """
    if isinstance(terms, StatutoryInterest):
        points = StatutoryInterest.points(consumer=consumer, origin=origin)
        return f"{_num(points)} Prozentpunkte über dem jeweiligen Basiszinssatz"
    if isinstance(terms, BasePlusInterest):
        return f"{_num(terms.points)} Prozentpunkte über dem jeweiligen Basiszinssatz"
    if isinstance(terms, FixedInterest):
        return f"{_num(terms.rate)} Prozent"
    if isinstance(terms, NoInterest):
        return "keine Zinsen"
    return terms.describe()


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


@dataclass(frozen=True)
class EnforcementCase:
    """Everything the forms of one case need, as plain values."""

    reference: str
    """The agency's case reference (Geschäftszeichen)."""
    creditor: Party
    debtor: Party
    titles: tuple[TitleRef, ...]
    ledger_case: ledger.Case
    as_of: date
    """Day of the forms: the statement is computed up to this day (inclusive)."""
    place: str = ""
    representative: Representative | None = None
    creditor_account: PaymentAccount | None = None
    creditor_vat_deductible: bool = False
    """True if the creditor can deduct VAT (then the box "nicht vorsteuerabzugsberechtigt"
    stays empty)."""
    notes: tuple[str, ...] = field(default=())

    @cached_property
    def statement(self) -> ledger.Statement:
        return ledger.compute_statement(self.ledger_case, self.as_of)

    def problems(self) -> list[Problem]:
        """What every form needs of the case (each form adds its own checks)."""
        out: list[Problem] = []
        if not self.creditor.name.strip():
            out.append(Problem("creditor.name", "Name des Gläubigers fehlt"))
        if self.creditor.address is None:
            out.append(Problem("creditor.address", "Anschrift des Gläubigers fehlt"))
        if not self.debtor.name.strip():
            out.append(Problem("debtor.name", "Name des Schuldners fehlt"))
        if self.debtor.address is None:
            out.append(
                Problem(
                    "debtor.address", "Anschrift des Schuldners fehlt (bestimmt die Zuständigkeit)"
                )
            )
        if not self.titles:
            out.append(
                Problem("titles", "kein Vollstreckungstitel: ohne Titel keine Vollstreckung")
            )
        for i, t in enumerate(self.titles):
            if not t.file_no.strip():
                out.append(Problem(f"titles[{i}].file_no", "Geschäftszeichen des Titels fehlt"))
            if not t.issuer.strip():
                out.append(Problem(f"titles[{i}].issuer", "Gericht oder Notar des Titels fehlt"))
            if t.issued > self.as_of:
                out.append(Problem(f"titles[{i}].issued", "Titel liegt nach dem Tag des Formulars"))
        if self.statement.totals.total_open <= 0:
            out.append(Problem("statement", "nichts mehr offen: keine Vollstreckung"))
        return out
