"""Request and response bodies of the API, with their limits written into the OpenAPI document.

Amounts are JSON strings with exactly two decimals (``"1250.00"``): never a float. Texts have
the length of their column and no control characters (PostgreSQL refuses NUL bytes), so
that every limit the database has is refused as a 422 before it reaches the database.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from mahnwerk.services.actor import today_in_germany

#: Dates the ledger can compute with: the base-rate table starts 2002-01-01.
FIRST_DAY = date(2002, 1, 1)
LAST_DAY = date(2100, 12, 31)
MAX_ID = 2**63 - 1

AMOUNT_PATTERN = r"^\d{1,10}\.\d{2}$"
_PRINTABLE = r"[^\x00-\x1f\x7f]"


def _no_surrogates(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("enthält ungültige Unicode-Zeichen (einzelne Surrogate)") from exc
    return value


def _text(max_length: int, min_length: int = 0) -> Any:
    """Limits of a one-line text of at most ``max_length`` printable characters."""
    return Field(
        min_length=min_length,
        max_length=max_length,
        pattern=f"^{_PRINTABLE}{{{min_length},{max_length}}}$",
    )


_clean = AfterValidator(_no_surrogates)
Text100 = Annotated[str, _text(100, 1), _clean]
Text200 = Annotated[str, _text(200, 1), _clean]
OptText200 = Annotated[str, _text(200), _clean]
OptText500 = Annotated[str, _text(500), _clean]
Day = date


Amount = Annotated[
    str,
    Field(
        pattern=AMOUNT_PATTERN,
        max_length=13,
        description="Betrag in Euro als Text mit Dezimalpunkt und zwei Nachkommastellen, "
        'z. B. "1250.00"',
        examples=["1250.00"],
    ),
]


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    """Only ``JJJJ-MM-TT`` (pydantic alone would also take Unix timestamps and datetimes)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return value
    raise ValueError("ist kein Datum im Format JJJJ-MM-TT")


IsoDate = Annotated[date, BeforeValidator(_iso_day)]


def _in_ledger_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"muss zwischen {FIRST_DAY.isoformat()} und {LAST_DAY.isoformat()} liegen")
    return value


LedgerDate = Annotated[date, BeforeValidator(_iso_day), AfterValidator(_in_ledger_range)]


def _iban_ok(value: str) -> str:
    moved = value[4:] + value[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    if int(digits) % 97 != 1:
        raise ValueError(f"{value} hat eine falsche Prüfziffer")
    return value


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def amount_text(value: Decimal) -> str:
    return f"{value:.2f}"


CaseStatus = Literal["open", "closed", "recalled"]
DeliveryStatus = Literal["pending", "delivered", "failed"]
DayCountName = Literal["act/365", "act/act", "30/360"]
AllocationName = Literal["bgb367", "bgb497"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------- input


class InterestIn(Strict):
    kind: Literal["statutory", "base_plus", "fixed", "none"] = Field(
        default="statutory",
        description="statutory: § 288 BGB; base_plus: Basiszinssatz + points; fixed: rate % p. a.",
    )
    points: str | None = Field(
        default=None, pattern=r"^-?\d{1,2}(\.\d{1,4})?$", description="nur bei base_plus"
    )
    rate: str | None = Field(
        default=None, pattern=r"^\d{1,2}(\.\d{1,4})?$", description="nur bei fixed"
    )

    @model_validator(mode="after")
    def _value_fits_kind(self) -> InterestIn:
        if self.kind == "base_plus" and self.points is None:
            raise ValueError("interest.points fehlt (Prozentpunkte über dem Basiszinssatz)")
        if self.kind == "fixed" and self.rate is None:
            raise ValueError("interest.rate fehlt (Zinssatz in Prozent pro Jahr)")
        if self.kind != "base_plus" and self.points is not None:
            raise ValueError("interest.points gibt es nur bei kind base_plus")
        if self.kind != "fixed" and self.rate is not None:
            raise ValueError("interest.rate gibt es nur bei kind fixed")
        return self

    @property
    def value(self) -> Decimal | None:
        raw = self.points if self.kind == "base_plus" else self.rate
        return None if raw is None else Decimal(raw)


class ClaimIn(Strict):
    invoice_no: Text100
    amount: Amount
    default_from: LedgerDate | None = Field(
        default=None,
        description="erster Zinstag (Tag nach Verzugseintritt); ohne Angabe wird der Verzug aus "
        "reminder_date oder notice_286_3 berechnet, sonst ist die Forderung nicht in Verzug "
        "(§ 286 BGB)",
    )
    invoice_date: LedgerDate | None = None
    due_date: LedgerDate | None = Field(
        default=None, description="Fälligkeit; Pflicht, wenn default_from fehlt"
    )
    interest: InterestIn = Field(default_factory=InterestIn)
    label: OptText200 = ""
    kind: Literal["entgelt", "other"] = Field(
        default="entgelt",
        description="entgelt: Entgelt für Waren oder Leistungen (§ 288 Abs. 2 BGB: 9 Punkte "
        "gegenüber Unternehmern); other: Schadensersatz, Vertragsstrafe, Erstattung (5 Punkte)",
    )
    origin: LedgerDate | None = Field(
        default=None, description="Entstehung (vor 29.07.2014: 8 statt 9 Punkte)"
    )
    reminder_date: LedgerDate | None = Field(
        default=None, description="Datum der eigenen Mahnung des Gläubigers (§ 286 Abs. 1 BGB)"
    )
    notice_286_3: bool = Field(
        default=False,
        description="die Rechnung wies auf die Folgen des § 286 Abs. 3 BGB hin (Verzug 30 Tage "
        "nach Fälligkeit und Zugang)",
    )
    contract_subject: OptText200 = Field(
        default="", description="Vertragsgegenstand (§ 13a Abs. 1 Nr. 2 RDG)"
    )
    contract_date: LedgerDate | None = Field(
        default=None, description="Datum des Vertragsschlusses (§ 13a Abs. 1 Nr. 2 RDG)"
    )

    @model_validator(mode="after")
    def _when_due(self) -> ClaimIn:
        if self.default_from is None and self.due_date is None:
            raise ValueError("due_date oder default_from fehlt")
        return self


class CostIn(Strict):
    date: LedgerDate
    label: Text200
    amount: Amount


class DebtorIn(Strict):
    kind: Literal["natural", "legal"] = Field(description="natural: Person; legal: Firma")
    consumer: bool = Field(description="Verbraucher (§ 13 BGB)? bestimmt den Verzugszins")
    first_name: Text100 | None = None
    last_name: Text100 | None = None
    company: Text200 | None = None
    birth_date: IsoDate | None = None
    street: Text200 | None = None
    postcode: str | None = Field(default=None, pattern=r"^[A-Za-z0-9 -]{3,10}$", max_length=10)
    city: Text100 | None = None
    country: str = Field(default="DE", pattern=r"^[A-Z]{2}$", max_length=2)
    email: str | None = Field(
        default=None, pattern=r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]{1,180}$"
    )
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ()/-]{3,30}$", max_length=31)
    iban: Annotated[
        str | None,
        Field(pattern=r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$", max_length=34),
        AfterValidator(lambda v: None if v is None else _iban_ok(v)),
    ] = None

    @model_validator(mode="after")
    def _complete(self) -> DebtorIn:
        if self.kind == "natural" and not self.last_name:
            raise ValueError("debtor.last_name fehlt (Person)")
        if self.kind == "legal" and not self.company:
            raise ValueError("debtor.company fehlt (Firma)")
        parts = [self.street, self.postcode, self.city]
        if any(parts) and not all(parts):
            raise ValueError("debtor.street, debtor.postcode und debtor.city nur zusammen angeben")
        if (
            self.birth_date is not None
            and not date(1900, 1, 1) <= self.birth_date <= today_in_germany()
        ):
            raise ValueError("debtor.birth_date muss zwischen 1900-01-01 und heute liegen")
        return self


class CaseIn(Strict):
    external_ref: Text100 = Field(
        description="Ihr Aktenzeichen; ein zweiter Fall mit demselben wird mit 409 abgelehnt"
    )
    debtor: DebtorIn
    claims: list[ClaimIn] = Field(min_length=1, max_length=100)
    costs: list[CostIn] = Field(default_factory=list, max_length=100)
    day_count: DayCountName = "act/365"
    allocation: AllocationName = "bgb367"


class PaymentIn(Strict):
    date: IsoDate = Field(description="Tag der Zahlung (nicht in der Zukunft)")
    amount: Amount
    reference: OptText200 = ""
    external_id: Text100 | None = Field(
        default=None, description="Ihre Kennung der Zahlung; eine Wiederholung bucht nichts"
    )
    claim: Text100 | None = Field(
        default=None,
        description="Rechnungsnummer der Forderung, auf die der Schuldner zahlt (§ 366 Abs. 1 "
        "BGB); ohne Angabe gilt die gesetzliche Reihenfolge",
    )

    @model_validator(mode="after")
    def _plausible(self) -> PaymentIn:
        if not FIRST_DAY <= self.date <= today_in_germany():
            raise ValueError(f"date muss zwischen {FIRST_DAY.isoformat()} und heute liegen")
        if Decimal(self.amount) <= 0:
            raise ValueError("amount muss größer als 0.00 sein")
        return self


class RecallIn(Strict):
    reason: OptText500 = ""


#: Mirrors of the domain's names (a test checks they agree).
EventType = Literal[
    "case.created",
    "stage.changed",
    "payment.received",
    "dispute.opened",
    "case.recalled",
    "case.closed",
]


class WebhookIn(Strict):
    url: str = Field(
        pattern=r"^https?://[^\s/?#\x00-\x1f\x7f]+(/[^\s\x00-\x1f\x7f]*)?$",
        max_length=500,
        description="http(s)-URL, an die Ereignisse per POST gehen",
    )
    events: list[EventType] | None = Field(
        default=None,
        max_length=6,
        description="nur diese Ereignisse; ohne Angabe alle",
    )


# --------------------------------------------------------------------------- output


class CaseSummary(BaseModel):
    id: int
    external_ref: str
    reference: str = Field(description="Aktenzeichen der Agentur")
    stage: str
    status: str = Field(description="open, closed, recalled")
    created_at: datetime
    claims: int = Field(description="Anzahl der Forderungen")
    principal_total: str = Field(description="Summe der Hauptforderungen")


class CaseList(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(description="für die nächste Seite als ?cursor=; null am Ende")


class AddressOut(BaseModel):
    street: str
    postcode: str
    city: str
    country: str


class ContactOut(BaseModel):
    kind: str
    value: str
    consent: bool
    status: str


class DebtorOut(BaseModel):
    kind: str
    consumer: bool
    first_name: str | None
    last_name: str | None
    company: str | None
    birth_date: date | None
    address: AddressOut | None
    contacts: list[ContactOut]
    ibans: list[str]


class InterestOut(BaseModel):
    kind: str
    value: str | None


class ClaimOut(BaseModel):
    invoice_no: str
    amount: str
    default_from: date | None = Field(description="erster Zinstag; null: nicht in Verzug")
    invoice_date: date | None
    due_date: date | None
    interest: InterestOut
    label: str
    kind: str
    origin: date | None
    default_ground: str
    contract_subject: str
    contract_date: date | None


class CostOut(BaseModel):
    date: Day
    label: str
    amount: str
    reversed: bool = Field(
        default=False, description="storniert (eine Gegenbuchung nimmt sie zurück)"
    )


class PaymentOut(BaseModel):
    id: int
    date: Day
    amount: str
    source: str
    reference: str
    external_id: str | None
    claim: str | None = Field(description="die bestimmte Forderung (§ 366 Abs. 1 BGB)")
    created_at: datetime
    reversed: bool = Field(
        default=False, description="storniert (Rücklastschrift oder Korrektur mit Gegenbuchung)"
    )


class EventOut(BaseModel):
    id: int
    at: datetime
    kind: str
    actor: str
    data: dict[str, Any]


class CaseDetail(BaseModel):
    id: int
    external_ref: str
    reference: str
    stage: str
    status: str
    day_count: str
    allocation: str
    created_at: datetime
    updated_at: datetime
    debtor: DebtorOut
    claims: list[ClaimOut]
    costs: list[CostOut]
    payments: list[PaymentOut]
    timeline: list[EventOut]


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="zum Prüfen der Signatur; wird nur jetzt gezeigt")


class WebhookList(BaseModel):
    items: list[WebhookOut]


class DeliveryOut(BaseModel):
    id: int
    event_id: int
    event_type: str
    case_id: int
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="nur bei pending")
    delivered_at: datetime | None


class DeliveryList(BaseModel):
    items: list[DeliveryOut]


# ---------------------------------------------------------- statement (documentation)


class PeriodOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: date = Field(alias="from")
    to: date
    days: int
    basis: int
    rate: str
    base: str
    interest: str


class UnchargedOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: date = Field(alias="from")
    to: date


class ClaimStatementOut(BaseModel):
    id: str
    kind: str
    default_from: date | None
    principal: str
    principal_open: str
    interest_open: str
    interest_accrued: str
    interest_paid: str
    periods: list[PeriodOut]
    uncharged: list[UnchargedOut] | None = Field(
        default=None, description="ohne Zinsen gelassen: Basiszinssatz des Halbjahrs unbekannt"
    )


class CostStatementOut(BaseModel):
    date: Day
    label: str
    amount: str
    paid: str
    open: str
    credited: str | None = Field(default=None, description="angerechnet (§ 288 Abs. 5 S. 3 BGB)")
    claim: str | None = None


class AllocationItemOut(BaseModel):
    kind: str
    target: str
    amount: str


class AllocationOut(BaseModel):
    date: Day
    amount: str
    to_costs: str
    to_interest: str
    to_principal: str
    unapplied: str
    items: list[AllocationItemOut]
    claim: str | None = Field(default=None, description="bestimmte Forderung (§ 366 Abs. 1 BGB)")


class TotalsOut(BaseModel):
    principal_open: str
    interest_open: str
    costs_open: str
    total_open: str
    credit: str


class StatementOut(BaseModel):
    """The Forderungsaufstellung, exactly as ``mahnwerk statement --format json`` prints it."""

    as_of: date
    day_count: str
    allocation: str
    claims: list[ClaimStatementOut]
    costs: list[CostStatementOut]
    allocations: list[AllocationOut]
    totals: TotalsOut
    warnings: list[str] = Field(
        description="Hinweise, z. B. ein unbekannter oder nicht bestätigter Basiszinssatz"
    )


def aware(moment: datetime) -> datetime:
    """Datetimes as stored come back naive on SQLite; they are UTC."""
    return _utc(moment)
