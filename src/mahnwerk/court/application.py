"""What a Mahnbescheid or Vollstreckungsbescheid application says, independent of the bytes:
parties, claims with their catalogue numbers, interest lines, Nebenforderungen, the courts.

:class:`Application` (Satzart 01) and :class:`VbApplication` (Satzart 08) are immutable
values; :func:`validate` returns every reason why an application cannot go by EDA (the
service refuses it with these reasons, naming the case); :func:`to_dict` /
:func:`from_dict` give the JSON stored with the procedure, exactly what a person approved,
and :func:`digest` its fingerprint. The records are written by
:mod:`mahnwerk.court.satzart_01` and :mod:`mahnwerk.court.satzart_08`.

Frequency limits of the format (PY ``AUSSTEUERUNG_CAPS`` citing Konditionen 2.6.1.1,
UNVERIFIED; six representatives per party confirmed): see :data:`LIMITS`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from mahnwerk.court import catalogue
from mahnwerk.court.fields import fits_charset
from mahnwerk.domain.money import format_eur

__all__ = [
    "LIMITS",
    "Ancillary",
    "Application",
    "ComputedInterest",
    "InterestLine",
    "MainClaim",
    "Party",
    "Representative",
    "Streitgericht",
    "VbApplication",
    "digest",
    "from_dict",
    "to_dict",
    "validate",
    "validate_vb",
]

#: Frequency limits per application (UNVERIFIED except ``representatives``).
LIMITS = {
    "defendants": 5,
    "catalogued_claims": 45,
    "free_text_claims": 9,
    "property_additions": 4,
    "contract_additions": 4,
    "interest_lines": 54,
    "representatives": 6,
    "vb_payments": 12,
}
#: Party Anrede keys (1.4, JL ``EdaSalutationKey``): 0 Herr/Frau (unknown), 1 Herr, 2 Frau,
#: 3 Einzelfirma, 4 GmbH & Co. KG / UG & Co. KG, B WEG; blank for a legal person with
#: its legal form in ``…RF``.
ANREDE_KEYS = ("0", "1", "2", "3", "4", "B", "")
#: Nebenforderungen mahnwerk writes: only the records whose positions are confirmed
#: (1.4: C28 Auslagen, C29 Mahnkosten, C33 VV 2300 in JL-REF 10/12).
ANCILLARY_KINDS = ("AUSL", "MAHNK", "VV23")
ANCILLARY_TEXT = {
    "AUSL": "Auslagen des Antragstellers (Porto, Vordruck)",
    "MAHNK": "Mahnkosten",
    "VV23": "vorgerichtliche Geschäftsgebühr Nr. 2300 VV RVG",
}
#: Court types of the Streitgericht (1.4; codes as listed for PGM, UNVERIFIED beyond 1).
COURT_TYPES = {1: "Amtsgericht", 2: "Landgericht"}
#: The widest amount fields: ASPBET (10 digits of cents).
MAX_CLAIM = Decimal("99999999.99")


@dataclass(frozen=True)
class Representative:
    """Gesetzlicher Vertreter: function (from the courts' list) and name."""

    function: str
    name: str = ""


@dataclass(frozen=True)
class Party:
    """Antragsteller or Antragsgegner. ``names``: first name and surname of a natural person,
    or up to four 35-character parts of a company's designation."""

    anrede: str
    names: tuple[str, ...]
    street: str
    postcode: str
    city: str
    legal_form: str = ""
    country: str = ""  # Auslandskennzeichen; blank for Germany
    representatives: tuple[Representative, ...] = ()
    askezi: str = ""  # the applicant's own Kennziffer, if any

    @property
    def display(self) -> str:
        name = " ".join(n for n in self.names if n)
        return f"{name}, {self.street}, {self.postcode} {self.city}"


@dataclass(frozen=True)
class InterestLine:
    """Running interest (C26 ``ZINS``): ``marker`` ``B`` = points above the base rate, ``F`` =
    fixed % a year; ``since`` ``None`` = from service of the Mahnbescheid."""

    rate: Decimal
    marker: str
    since: date | None
    base: Decimal
    until: date | None = None
    period: str = "1"  # yearly

    @property
    def text(self) -> str:
        rate = format(self.rate.normalize(), "f").replace(".", ",")
        what = (
            f"{rate} Prozentpunkte über dem Basiszinssatz"
            if self.marker == "B"
            else f"{rate} % jährlich"
        )
        since = f"seit {self.since:%d.%m.%Y}" if self.since else "ab Zustellung"
        until = f" bis {self.until:%d.%m.%Y}" if self.until else ""
        return f"{what} aus {format_eur(self.base)} {since}{until}"


@dataclass(frozen=True)
class MainClaim:
    """A Hauptforderung: catalogued (``catalogue`` set, C20) or free text (C23/C24)."""

    reference: str  # the claim's invoice number in mahnwerk
    amount: Decimal
    catalogue: int | None
    document: str = ""  # ASPGR: Rechnung, Vertrag, …
    number: str = ""  # ASPRNR: invoice number (or the catalogue's required entry)
    date_from: date | None = None
    date_to: date | None = None
    free_text: str = ""  # reasoning of a sonstiger Anspruch
    addition: str = ""  # 19/20/90: "PLZ Ort[, Straße]"; 28: Vertragsart
    interest: tuple[InterestLine, ...] = ()

    @property
    def designation(self) -> str:
        if self.catalogue is None:
            return f"sonstiger Anspruch: {self.free_text}"
        name = catalogue.entry(self.catalogue) or "?"
        return f"Katalog-Nr. {self.catalogue} {name}"


@dataclass(frozen=True)
class ComputedInterest:
    """Ausgerechnete Zinsen (C19 ``ZIAUS``), once per application, not part of SUASP."""

    since: date
    until: date
    amount: Decimal
    rate: Decimal | None = None


@dataclass(frozen=True)
class Ancillary:
    """A Nebenforderung: ``kind`` one of :data:`ANCILLARY_KINDS`."""

    kind: str
    amount: Decimal
    label: str = ""


@dataclass(frozen=True)
class Streitgericht:
    """The court for the contentious proceedings (C16, § 690 Abs. 1 Nr. 5 ZPO)."""

    kind: int
    postcode: str
    city: str

    @property
    def text(self) -> str:
        return f"{COURT_TYPES.get(self.kind, self.kind)} {self.postcode} {self.city}"


@dataclass(frozen=True)
class Application:
    """A Mahnbescheid application (Satzart 01)."""

    reference: str  # TGZ: our case reference, echoed by the court as ASGZ
    court_id: str
    court_name: str
    court_postcode: str
    court_city: str
    applicant: Party
    defendant: Party
    streitgericht: Streitgericht
    claims: tuple[MainClaim, ...]
    counter_performance: str  # "rendered" (VGLM1) or "none" (VGLM2)
    as_of: date  # the day the amounts were computed
    mandate_date: date | None = None  # ASPVAUFD
    computed_interest: ComputedInterest | None = None
    ancillaries: tuple[Ancillary, ...] = ()
    streitig: bool = False  # ASTRVM
    notes: tuple[str, ...] = field(default=())

    @property
    def principal(self) -> Decimal:
        return sum((c.amount for c in self.claims), Decimal("0.00"))


@dataclass(frozen=True)
class VbApplication:
    """A Vollstreckungsbescheid application (Satzart 08) for a served Mahnbescheid."""

    reference: str  # ASGZ (30 characters at most)
    gnr: str
    as_of: date
    payments: tuple[tuple[date, Decimal], ...] = ()
    service_by_court: bool = True  # VBZUM 1 (2 = Parteibetrieb)
    notes: tuple[str, ...] = field(default=())
    applied_on: date | None = None  # VBAND, the day the file was written


# ------------------------------------------------------------------------- validation


def _party_problems(role: str, party: Party) -> list[str]:
    problems: list[str] = []
    if party.anrede not in ANREDE_KEYS:
        problems.append(f"{role}: Anrede-Schlüssel {party.anrede!r} unbekannt")
    if party.anrede == "" and not party.legal_form:
        problems.append(f"{role}: Rechtsform fehlt")
    names = [n for n in party.names if n]
    if not names:
        problems.append(f"{role}: Name fehlt")
    if len(party.names) > 4:
        problems.append(f"{role}: Bezeichnung länger als 4 × 35 Zeichen")
    for n in party.names:
        if len(n) > 35:
            problems.append(f"{role}: Namensteil {n!r} länger als 35 Zeichen")
    if not party.street.strip() or not party.postcode.strip() or not party.city.strip():
        problems.append(f"{role}: Anschrift unvollständig (Straße, Postleitzahl, Ort)")
    if len(party.street) > 35:
        problems.append(f"{role}: Straße länger als 35 Zeichen")
    if len(party.city) > 27:
        problems.append(f"{role}: Ort länger als 27 Zeichen")
    if party.country:
        problems.append(
            f"{role}: Sitz im Ausland ({party.country}): Auslandskennzeichen und Zustellung "
            "im Ausland sind nicht vorgesehen"
        )
    elif party.postcode and not (len(party.postcode) == 5 and party.postcode.isdigit()):
        problems.append(f"{role}: Postleitzahl {party.postcode!r} hat nicht fünf Ziffern")
    if len(party.legal_form) > 35:
        problems.append(f"{role}: Rechtsform länger als 35 Zeichen")
    if party.anrede == "" and not party.representatives:
        problems.append(
            f"{role}: gesetzlicher Vertreter fehlt (juristische Person, § 690 Abs. 1 Nr. 1 ZPO)"
        )
    if len(party.representatives) > LIMITS["representatives"]:
        problems.append(f"{role}: mehr als {LIMITS['representatives']} gesetzliche Vertreter")
    for rep in party.representatives:
        if not rep.function.strip():
            problems.append(f"{role}: Funktion eines gesetzlichen Vertreters fehlt")
        if len(rep.function) > 35 or len(rep.name) > 35:
            problems.append(f"{role}: Angaben zum Vertreter länger als 35 Zeichen")
    for text in (*party.names, party.street, party.city, party.legal_form):
        bad = fits_charset(text)
        if bad is not None:
            problems.append(f"{role}: Zeichen {bad!r} ist im EDA-Zeichensatz nicht erlaubt")
    return problems


def _claim_problems(claim: MainClaim) -> list[str]:
    what = f"Forderung {claim.reference}"
    problems: list[str] = []
    if claim.amount <= 0:
        problems.append(f"{what}: Betrag muss größer als 0 sein")
    if claim.amount > MAX_CLAIM:
        problems.append(f"{what}: Betrag zu groß für das EDA-Feld")
    if claim.catalogue is None:
        if not claim.free_text.strip():
            problems.append(
                f"{what}: keine Katalognummer und keine Begründung (sonstiger Anspruch)"
            )
        elif len(claim.free_text) > catalogue.FREE_TEXT_MAX:
            problems.append(f"{what}: Begründung länger als {catalogue.FREE_TEXT_MAX} Zeichen")
        elif (bad := fits_charset(claim.free_text)) is not None:
            problems.append(f"{what}: Zeichen {bad!r} ist im EDA-Zeichensatz nicht erlaubt")
    else:
        problems.extend(
            f"{what}: {p}" for p in catalogue.addition_problems(claim.catalogue, claim.addition)
        )
        if len(claim.document) > 35 or len(claim.number) > 35:
            problems.append(f"{what}: Belegart oder Belegnummer länger als 35 Zeichen")
    for line in claim.interest:
        if line.marker not in ("B", "F"):
            problems.append(f"{what}: Zinskennzeichen {line.marker!r} (B oder F)")
        if line.rate <= 0 or line.rate >= 100:
            problems.append(f"{what}: Zinssatz {line.rate} außerhalb 0–100")
        if line.base <= 0 or line.base > claim.amount:
            problems.append(f"{what}: zu verzinsender Betrag {line.base} passt nicht")
    since = [line.since for line in claim.interest if line.since is not None]
    if len(since) != len(set(since)):
        problems.append(f"{what}: Zinszeiträume überschneiden sich")
    return problems


def validate(app: Application) -> list[str]:
    """Every reason why the application cannot go by EDA (German; empty: it can)."""
    problems: list[str] = []
    if not app.reference or len(app.reference) > 30:
        # 30, not 35: the VB application echoes it in a 30-character ASGZ (1.5)
        problems.append(f"Geschäftszeichen {app.reference!r}: 1 bis 30 Zeichen")
    if not app.court_postcode or not app.court_city:
        problems.append("Mahngericht fehlt")
    problems.extend(_party_problems("Antragsteller", app.applicant))
    problems.extend(_party_problems("Antragsgegner", app.defendant))
    if app.counter_performance not in ("rendered", "none"):
        problems.append(
            "Erklärung zur Gegenleistung fehlt (§ 690 Abs. 1 Nr. 4 ZPO: erbracht oder "
            "nicht abhängig)"
        )
    if not app.streitgericht.postcode or not app.streitgericht.city:
        problems.append("Gericht für das streitige Verfahren fehlt (§ 690 Abs. 1 Nr. 5 ZPO)")
    if app.streitgericht.kind not in COURT_TYPES:
        problems.append(f"Art des Streitgerichts {app.streitgericht.kind} unbekannt")
    if not app.claims:
        problems.append("keine Hauptforderung")
    for claim in app.claims:
        problems.extend(_claim_problems(claim))
    counts = {
        "catalogued_claims": sum(1 for c in app.claims if c.catalogue is not None),
        "free_text_claims": sum(1 for c in app.claims if c.catalogue is None),
        "property_additions": sum(
            1
            for c in app.claims
            if c.catalogue is not None and catalogue.addition_kind(c.catalogue) == "property"
        ),
        "contract_additions": sum(
            1
            for c in app.claims
            if c.catalogue is not None and catalogue.addition_kind(c.catalogue) == "contract"
        ),
        "interest_lines": sum(len(c.interest) for c in app.claims),
    }
    labels = {
        "catalogued_claims": "Katalog-Forderungen",
        "free_text_claims": "sonstige Ansprüche",
        "property_additions": "Angaben zu Wohnung/Objekt",
        "contract_additions": "Vertragsarten",
        "interest_lines": "Zinszeilen",
    }
    for key, count in counts.items():
        if count > LIMITS[key]:
            problems.append(
                f"{count} {labels[key]}: mehr als das EDA-Format erlaubt ({LIMITS[key]}); "
                "Antrag auf Papier stellen"
            )
    for extra in app.ancillaries:
        if extra.kind not in ANCILLARY_KINDS:
            problems.append(f"Nebenforderung {extra.kind!r} kann nicht geschrieben werden")
        if extra.amount <= 0:
            problems.append(f"Nebenforderung {extra.kind}: Betrag muss größer als 0 sein")
    if app.computed_interest is not None and app.computed_interest.amount <= 0:
        problems.append("ausgerechnete Zinsen müssen größer als 0 sein")
    return problems


def validate_vb(app: VbApplication) -> list[str]:
    problems: list[str] = []
    if not app.reference or len(app.reference) > 30:
        problems.append(f"Geschäftszeichen {app.reference!r}: 1 bis 30 Zeichen")
    if len("".join(c for c in app.gnr if c.isdigit())) != 11:
        problems.append(f"Geschäftsnummer des Gerichts {app.gnr!r}: 11 Ziffern")
    if len(app.payments) > LIMITS["vb_payments"]:
        problems.append(
            f"{len(app.payments)} Zahlungen seit dem Mahnbescheid: mehr als das EDA-Format "
            f"erlaubt ({LIMITS['vb_payments']}); Antrag auf Papier stellen"
        )
    for day, amount in app.payments:
        if amount <= 0:
            problems.append(f"Zahlung vom {day:%d.%m.%Y}: Betrag muss größer als 0 sein")
    return problems


# ------------------------------------------------------------------------- JSON form


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_dict(app: Application | VbApplication) -> dict[str, Any]:
    """The JSON-ready form (dates ISO, amounts as decimal strings)."""
    result: dict[str, Any] = _plain(app)
    return result


Builder = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


@cache
def _builder(kind: Any) -> Builder:
    """A function turning the JSON form of ``kind`` back into its value, made once per type
    (the export reads ten thousands of applications)."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        inner = _builder(next(a for a in typing.get_args(kind) if a is not type(None)))
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        parts = typing.get_args(kind)
        if len(parts) == 2 and parts[1] is Ellipsis:
            item = _builder(parts[0])
            return lambda value: tuple(item(v) for v in value)
        items = [_builder(a) for a in parts]
        return lambda value: tuple(b(v) for b, v in zip(items, value, strict=True))
    if kind is date:
        return date.fromisoformat
    if kind is Decimal:
        return Decimal
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = [(f.name, _builder(hints[f.name])) for f in dataclasses.fields(kind)]
        cls = kind

        def build(value: Any) -> Any:
            return cls(**{name: b(value[name]) for name, b in fields if name in value})

        return build
    return _identity


def from_dict(kind: type[Any], data: Mapping[str, Any]) -> Any:
    """The value of ``kind`` (:class:`Application` or :class:`VbApplication`) from its
    :func:`to_dict` form."""
    return _builder(kind)(data)  # type: ignore[arg-type]


def digest(app: Application | VbApplication) -> str:
    """SHA-256 of the canonical JSON: what a person saw is what is filed."""
    text = json.dumps(to_dict(app), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
