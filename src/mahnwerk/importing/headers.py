"""The canonical columns of a portfolio file, the German headers that name them, mapping
files, and :class:`Problem` (one finding about one row and column, in German).

Headers are compared without case, white space, punctuation and with umlauts spelled out,
so ``Fälligkeitsdatum``, ``FAELLIGKEITSDATUM`` and ``Fälligkeits-Datum`` are the same.

>>> resolve_headers(["Aktenzeichen", "Rechnungs-Nr.", "Betrag", "Fällig am", "Nachname"]).columns
{'creditor_ref': 0, 'invoice_no': 1, 'amount': 2, 'due_date': 3, 'last_name': 4}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mahnwerk.domain.identity import fold

CANONICAL = (
    "creditor_ref",
    "invoice_no",
    "invoice_date",
    "due_date",
    "default_from",
    "amount",
    "debtor_type",
    "first_name",
    "last_name",
    "company",
    "birth_date",
    "street",
    "postcode",
    "city",
    "country",
    "email",
    "phone",
    "iban",
    "claim_kind",
    "origin",
    "reminder_date",
    "notice_286_3",
    "contract_subject",
    "contract_date",
)

#: How a column is named to people when the file does not name it.
GERMAN = {
    "creditor_ref": "Aktenzeichen",
    "invoice_no": "Rechnungsnummer",
    "invoice_date": "Rechnungsdatum",
    "due_date": "Fälligkeit",
    "default_from": "Verzug seit",
    "amount": "Betrag",
    "debtor_type": "Schuldnerart",
    "first_name": "Vorname",
    "last_name": "Nachname",
    "company": "Firma",
    "birth_date": "Geburtsdatum",
    "street": "Straße",
    "postcode": "PLZ",
    "city": "Ort",
    "country": "Land",
    "email": "E-Mail",
    "phone": "Telefon",
    "iban": "IBAN",
    "claim_kind": "Forderungsart",
    "origin": "Entstehung",
    "reminder_date": "Mahnung vom",
    "notice_286_3": "Verzugshinweis",
    "contract_subject": "Vertragsgegenstand",
    "contract_date": "Vertragsdatum",
}

_ALIASES = {
    "creditor_ref": (
        "Aktenzeichen", "Kundennummer", "Kundennr", "Kunden-Nr.", "Mandantenreferenz",
        "Referenz", "Vorgangsnummer", "Vorgang", "Fallnummer", "Akte", "external_ref",
    ),
    "invoice_no": (
        "Rechnungsnummer", "Rechnungsnr", "Rechnungs-Nr.", "Rechnung", "Re.-Nr.", "RgNr",
        "Belegnummer", "Belegnr", "Beleg",
    ),
    "invoice_date": ("Rechnungsdatum", "Belegdatum", "RgDatum", "Rechnung vom"),
    "due_date": ("Fälligkeit", "Fälligkeitsdatum", "Fällig am", "fällig", "Fälligkeitstag"),
    "default_from": (
        "Verzug seit", "Verzugsbeginn", "Verzugsdatum", "Verzug ab", "im Verzug seit",
        "Zinsbeginn", "Zinsen ab",
    ),
    "amount": (
        "Betrag", "Forderungsbetrag", "Hauptforderung", "offener Betrag", "Offen",
        "Betrag EUR", "Betrag (EUR)", "Betrag in EUR", "Betrag €", "Forderung",
    ),
    "debtor_type": ("Schuldnerart", "Schuldnertyp", "Kundenart", "Kundentyp", "Art"),
    "first_name": ("Vorname", "Vornamen"),
    "last_name": ("Nachname", "Familienname", "Zuname"),
    "company": ("Firma", "Firmenname", "Unternehmen", "Firmierung"),
    "birth_date": ("Geburtsdatum", "geboren am", "geb.", "Geb.-Datum", "Geburtstag"),
    "street": ("Straße", "Strasse", "Str.", "Straße und Hausnummer", "Straße/Hausnr.", "Anschrift"),
    "postcode": ("PLZ", "Postleitzahl"),
    "city": ("Ort", "Stadt", "Wohnort"),
    "country": ("Land", "Staat", "Ländercode"),
    "email": ("E-Mail", "Email", "E-Mail-Adresse", "Mail"),
    "phone": ("Telefon", "Telefonnummer", "Tel.", "Rufnummer", "Mobil", "Handy"),
    "iban": ("IBAN", "Bankverbindung IBAN"),
    "claim_kind": ("Forderungsart", "Art der Forderung", "Forderungstyp", "kind"),
    "origin": ("Entstehung", "Entstanden am", "Entstehungsdatum", "Leistungsdatum"),
    "reminder_date": ("Mahnung vom", "Mahndatum", "Datum der Mahnung", "Mahnung"),
    "notice_286_3": (
        "Verzugshinweis", "Hinweis § 286 Abs. 3", "Hinweis 286", "Hinweis nach § 286 Abs. 3 BGB",
    ),
    "contract_subject": ("Vertragsgegenstand", "Vertrag", "Gegenstand des Vertrags"),
    "contract_date": ("Vertragsdatum", "Vertrag vom", "Vertragsschluss", "Vertragsabschluss"),
}  # fmt: skip

#: At least one column of each group must be in the file.
REQUIRED = (
    ("creditor_ref",),
    ("invoice_no",),
    ("amount",),
    ("due_date", "default_from"),
    ("last_name", "company"),
)


def normalize_header(text: str) -> str:
    """Lower case, umlauts spelled out, only letters and digits.

    >>> normalize_header(" Straße / Hausnr. "), normalize_header("E-Mail"), normalize_header("PLZ")
    ('strassehausnr', 'email', 'plz')
    """
    return re.sub(r"[^a-z0-9]+", "", fold(text))


KNOWN: dict[str, str] = {normalize_header(c): c for c in CANONICAL}
for _canonical, _names in _ALIASES.items():
    for _name in _names:
        KNOWN.setdefault(normalize_header(_name), _canonical)


@dataclass(frozen=True)
class Problem:
    """One finding: the row (``None`` for the file or its header), the canonical column
    (``None`` for the whole row), the header as written in the file, and the reason."""

    row: int | None
    column: str | None
    message: str
    header: str | None = None
    row_word: str = "Zeile"

    def where(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"{self.row_word} {self.row}")
        if self.column is not None:
            parts.append(f"Spalte „{self.header or GERMAN.get(self.column, self.column)}“")
        return ", ".join(parts) or "Datei"

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "header": self.header or (GERMAN.get(self.column) if self.column else None),
            "message": self.message,
        }


class MappingError(ValueError):
    """A mapping file that cannot be used (German message)."""


def load_mapping(path: Path) -> dict[str, str | None]:
    """A mapping file, YAML or JSON: ``{"Spalte im Export": "canonical_name", ...}``;
    ``null`` instead of a name ignores that column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"Zuordnungsdatei {path} ist nicht lesbar ({exc})") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"Zuordnungsdatei {path} ist kein gültiges YAML/JSON ({exc})") from exc
    return check_mapping(data)


def check_mapping(data: object) -> dict[str, str | None]:
    if not isinstance(data, Mapping):
        raise MappingError('Zuordnung muss ein Objekt sein: {"Spalte im Export": "invoice_no"}')
    mapping: dict[str, str | None] = {}
    for key, value in data.items():
        if value is not None and (not isinstance(value, str) or value not in CANONICAL):
            raise MappingError(
                f"Zuordnung „{key}“: {value!r} ist keine bekannte Spalte "
                f"(erlaubt: {', '.join(CANONICAL)})"
            )
        mapping[str(key)] = value
    return mapping


@dataclass
class HeaderMap:
    """Which cell holds which canonical column, and what was wrong with the header row."""

    columns: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def resolve_headers(
    headers: Sequence[str], mapping: Mapping[str, str | None] | None = None
) -> HeaderMap:
    """Map the file's headers to canonical columns: the mapping file first, then the
    canonical and German names. Unknown headers are ignored (and listed), as are headers
    the mapping sets to ``null`` and built-in names of a column the mapping assigns to
    another header. A column named twice or a required column missing is a problem."""
    own = {normalize_header(k): v for k, v in (mapping or {}).items()}
    explicit = {v for v in own.values() if v}
    result = HeaderMap()
    for index, header in enumerate(headers):
        if not header.strip():
            continue
        key = normalize_header(header)
        if key in own:
            canonical = own[key]
        else:
            canonical = KNOWN.get(key)
            if canonical in explicit:
                canonical = None
        if canonical is None:
            result.ignored.append(header)
            continue
        if canonical in result.columns:
            result.problems.append(
                Problem(
                    None,
                    canonical,
                    f"die Spalte „{header}“ meint dasselbe wie „{result.labels[canonical]}“ "
                    f"({canonical}); bitte eine davon entfernen oder umbenennen",
                    header=header,
                )
            )
            continue
        result.columns[canonical] = index
        result.labels[canonical] = header
    for group in REQUIRED:
        if not any(c in result.columns for c in group):
            names = " oder ".join(f"„{GERMAN[c]}“ ({c})" for c in group)
            result.problems.append(Problem(None, None, f"Spalte {names} fehlt in der Kopfzeile"))
    return result
