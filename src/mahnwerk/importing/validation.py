"""One row of a portfolio file → a typed :class:`Record`, or the list of its problems.

Rules (where the issue left a choice, the choice is written here):

- ``creditor_ref`` and ``invoice_no`` are required. Rows with the same ``creditor_ref`` form
  one case; a ``creditor_ref`` + ``invoice_no`` twice in a file, and rows of one case that
  disagree on the debtor, are found after all rows are read (see
  :mod:`mahnwerk.services.portfolio.importing`), not here.
- ``amount``: German form ``1.234,56`` (also ``1234,56``, ``1234``, ``1.234`` = 1234 euro,
  ``1234.56`` with a decimal point and one or two decimals, a ``€``/``EUR`` sign); numbers
  in XLSX/JSON are taken as euro. It must be greater than 0 and have at most two decimals.
  Stored as integer cents.
- Dates: ``dd.mm.yyyy`` (a time behind it is ignored) or ISO ``yyyy-mm-dd``; real date cells
  in XLSX. A four-digit year between 1900 and 2100 is required (``01.02.25`` is refused: the
  century of a birth date cannot be guessed).
- ``default_from`` is the first day of interest. When it is empty the claim is **not in
  default** unless a ground is given (§ 286 BGB, :mod:`mahnwerk.domain.default`):
  ``reminder_date`` (the creditor's own reminder: default when it is taken to have arrived,
  its date plus the receipt days, interest from the next day), ``notice_286_3`` (the invoice
  pointed to § 286 Abs. 3 BGB: 30 days after due date and receipt of the invoice, which needs
  ``invoice_date``), or, for an Entgeltforderung of a debtor who is not a consumer, § 286
  Abs. 3 BGB by law when ``invoice_date`` is given. A ``default_from`` *before* ``due_date`` is
  refused (default cannot begin before the claim is due); the same day is accepted; so is a
  reminder before the due date. One of ``due_date`` and ``default_from`` is required.
- ``claim_kind``: ``entgelt`` (payment for goods or services, also Entgelt, Lieferung,
  Leistung; the default) or ``other`` (also sonstige, Schadensersatz, Vertragsstrafe,
  Erstattung): § 288 Abs. 2 BGB. ``origin`` is the day the claim arose (8 instead of 9 points
  before 29.07.2014). ``notice_286_3``: ja/nein, true/false, 1/0, x.
- ``contract_subject`` and ``contract_date`` name the contract (§ 13a Abs. 1 Nr. 2 RDG).
- ``debtor_type``: ``consumer`` (also Verbraucher, privat, B2C) or ``business`` (also
  Unternehmer, Unternehmen, Firma, gewerblich, B2B). Empty: ``business`` if only a company is
  given, else ``consumer`` (the choice with the lower statutory interest, § 288 Abs. 1 BGB).
  It sets the claim's ``consumer`` flag; interest is statutory (§ 288 BGB).
- Name: a row with a company and no last name is a legal person; otherwise a natural person,
  who needs a last name (a business with a last name is a sole trader). A consumer needs a
  last name; a business needs a company or a last name.
- Address: street, postcode and city all or none. ``country`` empty = DE; names such as
  Deutschland/Österreich are accepted. German postcodes have five digits (a four-digit one
  gets its leading 0 back, which Excel drops).
- ``iban`` is checked with schwifty: country, length, structure and the check digits
  (ISO 13616). The national bank code registry is deliberately not required: a bank missing
  from the bundled list must not block a whole portfolio.
- ``email`` must look like one; ``phone`` needs at least five digits.
- Text longer than its database column is refused rather than cut.
- Plausibility (:mod:`mahnwerk.domain.plausibility`): an amount above the creditor's ceiling
  (default 1,000,000 €) and a ``default_from`` in the future are refused; zero-width
  characters are removed from text, and text with direction overrides is refused.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from schwifty import IBAN
from schwifty.exceptions import (
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    InvalidStructure,
    SchwiftyException,
)

from mahnwerk.domain.default import DEFAULT_RECEIPT_DAYS, default_start
from mahnwerk.domain.identity import identity_key
from mahnwerk.domain.money import format_eur
from mahnwerk.domain.plausibility import DEFAULT_MAX_CLAIM, SUSPECT, clean_text, text_problem
from mahnwerk.importing.headers import CANONICAL, GERMAN, HeaderMap, Problem
from mahnwerk.importing.source import Cells, RowError


class Record(NamedTuple):
    """A valid row, ready for the staging table (dates as ISO text, amount in cents)."""

    row_no: int
    creditor_ref: str
    invoice_no: str
    invoice_date: str | None
    due_date: str | None
    default_from: str | None
    amount: int
    kind: str  # natural, legal
    consumer: bool
    first_name: str | None
    last_name: str | None
    company: str | None
    birth_date: str | None
    street: str | None
    postcode: str | None
    city: str | None
    country: str
    email: str | None
    phone: str | None
    iban: str | None
    identity_key: str
    #: hash of all debtor fields: rows of one case must have the same one
    debtor_fp: int
    claim_kind: str  # entgelt, other
    origin: str | None
    reminder_date: str | None
    notice_286_3: bool
    contract_subject: str | None
    contract_date: str | None
    #: why the claim is in default (empty: it is not)
    default_ground: str


#: Debtor fields that rows of one case must agree on, in :class:`Record` order.
DEBTOR_FIELDS = (
    "kind",
    "consumer",
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
)
#: The file column behind each debtor field (``kind`` and ``consumer`` come from the type).
DEBTOR_COLUMN = {f: f for f in DEBTOR_FIELDS} | {"kind": "debtor_type", "consumer": "debtor_type"}

MAX_LENGTH = {
    "creditor_ref": 100,
    "invoice_no": 100,
    "first_name": 100,
    "last_name": 100,
    "company": 200,
    "street": 200,
    "postcode": 10,
    "city": 100,
    "email": 254,
    "phone": 254,
    "contract_subject": 200,
}

ENTGELT_WORDS = {
    "entgelt", "entgeltforderung", "lieferung", "leistung", "kaufpreis", "vergütung",
    "verguetung", "miete", "honorar",
}  # fmt: skip
OTHER_WORDS = {
    "other", "sonstige", "sonstiges", "andere", "schadensersatz", "schadenersatz",
    "vertragsstrafe", "erstattung", "rückforderung", "rueckforderung",
}  # fmt: skip
YES_WORDS = {"ja", "j", "yes", "y", "true", "wahr", "1", "x"}
NO_WORDS = {"nein", "n", "no", "false", "falsch", "0", "-"}

CONSUMER_WORDS = {"consumer", "verbraucher", "privat", "privatperson", "privatkunde", "b2c"}
BUSINESS_WORDS = {
    "business",
    "unternehmer",
    "unternehmen",
    "firma",
    "gewerbe",
    "gewerblich",
    "geschaeftlich",
    "geschäftlich",
    "geschaeftskunde",
    "geschäftskunde",
    "b2b",
}
COUNTRY_NAMES = {
    "deutschland": "DE",
    "germany": "DE",
    "d": "DE",
    "brd": "DE",
    "oesterreich": "AT",
    "österreich": "AT",
    "austria": "AT",
    "a": "AT",
    "schweiz": "CH",
    "switzerland": "CH",
    "niederlande": "NL",
    "holland": "NL",
    "belgien": "BE",
    "luxemburg": "LU",
    "frankreich": "FR",
    "polen": "PL",
    "tschechien": "CZ",
    "daenemark": "DK",
    "dänemark": "DK",
    "italien": "IT",
    "spanien": "ES",
}

_DE_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T][0-9:.+\-Z]*)?")
_DE_AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?")
_DOT_AMOUNT = re.compile(r"(\d+)\.(\d{1,2})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"(?=(?:\D*\d){5})\+?[0-9 ()/.\-]+")
_IBAN_SEPARATORS = re.compile(r"[\s\-./]+")
_IBAN_FORM = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")
_IBAN_CHECK_DIGITS = "Prüfziffer der IBAN stimmt nicht"
_COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")
_ONE_DAY = timedelta(days=1)
#: Columns parsed from their raw cell value rather than as text.
_VALUE_COLUMNS = (
    "amount",
    "invoice_date",
    "due_date",
    "default_from",
    "birth_date",
    "origin",
    "reminder_date",
    "contract_date",
)


GIVEN = "Verzugsbeginn vom Gläubiger angegeben"


class CellError(ValueError):
    """A cell that is not what its column needs (German message)."""


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def parse_date(value: object) -> date:
    """A date from ``dd.mm.yyyy``, ``yyyy-mm-dd`` or a date cell.

    >>> parse_date("05.03.2025"), parse_date("2025-03-05"), parse_date("5.3.2025 00:00")
    (datetime.date(2025, 3, 5), datetime.date(2025, 3, 5), datetime.date(2025, 3, 5))
    """
    if (
        type(value) is str
        and len(value) == 10
        and value[2] == "."
        and value[5] == "."
        and value.isascii()
        and (digits := value[:2] + value[3:5] + value[6:]).isdigit()
    ):
        try:
            day = date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
        except ValueError as exc:
            raise CellError(f"„{value}“ ist kein gültiges Datum") from exc
    elif isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        match = _DE_DATE.fullmatch(text)
        try:
            if match:
                day = date(int(match[3]), int(match[2]), int(match[1]))
            elif match := _ISO_DATE.fullmatch(text):
                day = date(int(match[1]), int(match[2]), int(match[3]))
            else:
                raise CellError(f"„{_shown(text)}“ ist kein Datum (erwartet TT.MM.JJJJ)")
        except ValueError as exc:
            if isinstance(exc, CellError):
                raise
            raise CellError(f"„{_shown(text)}“ ist kein gültiges Datum") from exc
    elif isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 80000:
        from openpyxl.utils.datetime import from_excel

        day = from_excel(value).date()  # an Excel serial number in an unformatted cell
    else:
        raise CellError(f"„{_shown(value)}“ ist kein Datum (erwartet TT.MM.JJJJ)")
    if not 1900 <= day.year <= 2100:
        raise CellError(f"„{_shown(value)}“ ist kein plausibles Datum (Jahr {day.year})")
    return day


def parse_cents(value: object) -> int:
    """An amount in cents from German text (``1.234,56``) or a number cell.

    >>> parse_cents("1.234,56"), parse_cents("12,5"), parse_cents("1.234"), parse_cents("99.90")
    (123456, 1250, 123400, 9990)
    >>> parse_cents("-5,00")
    -500
    """
    if isinstance(value, bool):
        raise CellError(f"„{value}“ ist kein Betrag")
    if isinstance(value, int):
        return value * 100
    if isinstance(value, float):
        cents = round(value * 100)
        if abs(value * 100 - cents) > 1e-6:
            raise CellError(f"„{value}“ hat mehr als zwei Nachkommastellen")
        return int(cents)
    if isinstance(value, Decimal):
        try:
            exact = value * 100
            if exact != exact.to_integral_value():
                raise CellError(f"„{value}“ hat mehr als zwei Nachkommastellen")
            return int(exact)
        except InvalidOperation as exc:
            raise CellError(f"„{value}“ ist kein Betrag") from exc
    if type(value) is str and (match := _DE_AMOUNT.fullmatch(value)):
        return int(match[1].replace(".", "")) * 100 + int((match[2] or "0").ljust(2, "0"))
    text = str(value).strip()
    raw = text
    text = text.replace("€", "").replace("EUR", "").replace("\xa0", "").replace(" ", "")
    sign = 1
    if text.startswith("-"):
        sign, text = -1, text[1:]
    elif text.endswith("-"):  # SAP writes credit amounts as 12,50-
        sign, text = -1, text[:-1]
    elif text.startswith("+"):
        text = text[1:]
    match = _DE_AMOUNT.fullmatch(text)
    if match:
        euros = int(match[1].replace(".", ""))
        cents = int((match[2] or "0").ljust(2, "0"))
        return sign * (euros * 100 + cents)
    match = _DOT_AMOUNT.fullmatch(text)
    if match:
        return sign * (int(match[1]) * 100 + int(match[2].ljust(2, "0")))
    if re.fullmatch(r"[\d.]+,\d{3,}|\d+\.\d{3,}", text) and not re.fullmatch(
        r"\d{1,3}(\.\d{3})+", text
    ):
        raise CellError(f"„{_shown(raw)}“ hat mehr als zwei Nachkommastellen")
    raise CellError(f"„{_shown(raw)}“ ist kein Betrag (erwartet z. B. 1.234,56)")


@lru_cache(maxsize=8192)
def iban_problem(value: str) -> str | None:
    """Why ``value`` (already without blanks, upper case) is no valid IBAN, or ``None``.

    >>> iban_problem("DE89370400440532013000") is None, iban_problem("DE88370400440532013000")
    (True, 'Prüfziffer der IBAN stimmt nicht')
    """
    if (
        len(value) == 22
        and value.startswith("DE")
        and value.isascii()
        and value[2:].isdigit()
        and "02" <= value[2:4] <= "98"
    ):
        # German IBANs, most of a portfolio, are checked here: 22 digits after DE leave
        # only the ISO 7064 check to do, and schwifty's IBAN object costs ten times that
        # (its verdict on such a value is the same, see the tests)
        return None if int(value[4:] + "1314" + value[2:4]) % 97 == 1 else _IBAN_CHECK_DIGITS
    if not _IBAN_FORM.fullmatch(value):
        return f"„{_shown(value)}“ ist keine IBAN (Ländercode, zwei Prüfziffern, Kontonummer)"
    try:
        IBAN(value, validate_bban=False)
    except InvalidChecksumDigits:
        return _IBAN_CHECK_DIGITS
    except InvalidCountryCode:
        return f"Ländercode {value[:2]} der IBAN ist unbekannt"
    except InvalidLength:
        return f"Länge der IBAN stimmt nicht für {value[:2]} ({len(value)} Zeichen)"
    except InvalidStructure:
        return f"Aufbau der IBAN passt nicht zum Format für {value[:2]}"
    except SchwiftyException as exc:  # pragma: no cover - other schwifty checks
        return f"IBAN ungültig ({exc})"
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dict | list):
        raise CellError("verschachtelte Werte werden nicht unterstützt")
    return str(value).strip() or None


#: The text columns, in the order :meth:`RowValidator.__call__` unpacks them.
_TEXT_COLUMNS = tuple(c for c in CANONICAL if c not in _VALUE_COLUMNS)
_DAY_COLUMNS = _VALUE_COLUMNS[1:]
#: Distinct date texts remembered per file (a portfolio has a few thousand invoice and due
#: dates and some ten thousand birth dates); beyond that, dates are parsed each time.
_DAY_CACHE = 1 << 16
_NOT_IN_FILE = (None,)

Day = tuple[date, str]
"""A parsed date and its ISO text."""


class RowValidator:
    """Checks rows of one file against its :class:`HeaderMap`; call it per row.

    It is on the hot path of a million-row import, so the cells of a row are picked with
    :func:`operator.itemgetter` and date texts are parsed once per file.
    """

    def __init__(
        self,
        header_map: HeaderMap,
        *,
        today: date,
        row_word: str = "Zeile",
        width: int | None = None,
        receipt_days: int = DEFAULT_RECEIPT_DAYS,
        max_claim: Decimal = DEFAULT_MAX_CLAIM,
    ) -> None:
        columns = header_map.columns
        # rows are cut or padded to ``span`` cells plus one ``None``, which stands for every
        # column the file does not have
        self._span = max(columns.values(), default=-1) + 1
        self._texts = itemgetter(*(columns.get(c, self._span) for c in _TEXT_COLUMNS))
        self._values = itemgetter(*(columns.get(c, self._span) for c in _VALUE_COLUMNS))
        self._limits = [(c, MAX_LENGTH.get(c, sys.maxsize)) for c in _TEXT_COLUMNS]
        self._days: dict[str, Day | None] = {}
        self.labels = header_map.labels
        self.today = today
        self.receipt_days = receipt_days
        self.max_cents = int(max_claim * 100)
        self.row_word = row_word
        #: number of header cells; a CSV row with more non-empty cells is refused
        self.width = width
        self._last_debtor: tuple[object, ...] | None = None
        self._last_identity: tuple[str, int] = ("", 0)

    def problem(self, row: int, column: str | None, message: str) -> Problem:
        header = self.labels.get(column) if column else None
        return Problem(row, column, message, header or None, self.row_word)

    def __call__(self, row: int, cells: Cells) -> Record | list[Problem]:
        if isinstance(cells, RowError):
            return [self.problem(row, None, cells.message)]
        problems: list[Problem] = []
        if self.width is not None and len(cells) > self.width:
            self._check_width(row, cells, problems)
        padded = list(cells)
        if len(padded) < self._span:
            padded += [None] * (self._span - len(padded))
        padded[self._span :] = _NOT_IN_FILE
        (creditor_ref, invoice_no, kind_text, first, last, company, street, postcode, city,
         country_text, email, phone, iban, claim_kind_text, notice_text,
         contract_subject) = self._text_cells(row, padded, problems)  # fmt: skip
        amount_cell, *day_cells = self._values(padded)

        if creditor_ref is None:
            problems.append(self.problem(row, "creditor_ref", "Aktenzeichen fehlt"))
        if invoice_no is None:
            problems.append(self.problem(row, "invoice_no", "Rechnungsnummer fehlt"))
        amount = self._amount(row, amount_cell, problems)
        invoice_day, due, default, birth, origin, reminder, contract_day = self._dates(
            row, day_cells, problems
        )
        consumer = self._consumer(row, kind_text, last, company, problems)
        claim_kind = self._claim_kind(row, claim_kind_text, problems)
        notice = self._yes_no(row, "notice_286_3", notice_text, problems)
        default, ground = self._default(
            row, due, default, invoice_day, reminder, notice, consumer, claim_kind, problems
        )
        kind = "legal" if company and not last else "natural"
        country = self._country(row, country_text, problems)
        postcode = self._address(row, street, postcode, city, country, problems)
        self._contact(row, email, phone, problems)
        if iban is not None:
            iban = _IBAN_SEPARATORS.sub("", iban).upper()
            reason = iban_problem(iban)
            if reason:
                problems.append(self.problem(row, "iban", reason))

        if problems:
            return problems
        assert creditor_ref is not None and invoice_no is not None
        debtor = (kind, consumer, first, last, company, birth[1] if birth else None, street,
                  postcode, city, country, email, phone, iban)  # fmt: skip
        if debtor == self._last_debtor:
            key, fingerprint = self._last_identity
        else:
            key = identity_key(
                last_name=last,
                first_name=first,
                company=company if kind == "legal" else None,
                birth_date=birth[0] if birth else None,
                street=street,
                postcode=postcode,
            )
            fingerprint = hash(debtor)
            self._last_debtor, self._last_identity = debtor, (key, fingerprint)
        return Record(
            row,
            creditor_ref,
            invoice_no,
            invoice_day[1] if invoice_day else None,
            due[1] if due else None,
            default[1] if default else None,
            amount,
            *debtor,
            key,
            fingerprint,
            claim_kind,
            origin[1] if origin else None,
            reminder[1] if reminder else None,
            notice,
            contract_subject,
            contract_day[1] if contract_day else None,
            ground,
        )

    def _check_width(self, row: int, cells: Sequence[object], problems: list[Problem]) -> None:
        n = len(cells)
        if (
            self.width is not None
            and n > self.width
            and any(c not in (None, "") for c in cells[self.width :])
        ):
            problems.append(
                self.problem(
                    row,
                    None,
                    f"die Zeile hat {n} Zellen, die Kopfzeile nur {self.width} "
                    "(Trennzeichen im Text? Text mit ; bitte in Anführungszeichen)",
                )
            )

    def _text_cells(
        self, row: int, padded: list[object], problems: list[Problem]
    ) -> list[str | None]:
        cells = self._texts(padded)
        try:  # text cells (all of CSV) strip; anything else is converted one by one
            texts = [None if v is None else (v.strip() or None) for v in cells]
        except AttributeError:
            texts = []
            for column, value in zip(_TEXT_COLUMNS, cells, strict=True):
                try:
                    texts.append(value.strip() or None if type(value) is str else _text(value))
                except CellError as exc:
                    problems.append(self.problem(row, column, str(exc)))
                    texts.append(None)
        if SUSPECT.search("".join(t for t in texts if t)):
            texts = self._clean(row, texts, problems)
        too_long = [
            (column, limit, len(text))
            for (column, limit), text in zip(self._limits, texts, strict=True)
            if text is not None and len(text) > limit
        ]
        for column, limit, length in too_long:
            problems.append(
                self.problem(row, column, f"zu lang ({length} Zeichen, höchstens {limit})")
            )
        return texts

    def _clean(
        self, row: int, texts: list[str | None], problems: list[Problem]
    ) -> list[str | None]:
        """Zero-width characters removed; text with direction overrides refused."""
        cleaned: list[str | None] = []
        for column, text in zip(_TEXT_COLUMNS, texts, strict=True):
            if text is not None:
                reason = text_problem(text)
                if reason:
                    problems.append(self.problem(row, column, reason))
                text = clean_text(text).strip() or None
            cleaned.append(text)
        return cleaned

    def _amount(self, row: int, cell: object, problems: list[Problem]) -> int:
        if cell is None or cell == "":
            problems.append(self.problem(row, "amount", "Betrag fehlt"))
            return 0
        try:
            amount = parse_cents(cell)
        except CellError as exc:
            problems.append(self.problem(row, "amount", str(exc)))
            return 0
        if amount < 0:
            problems.append(
                self.problem(
                    row,
                    "amount",
                    f"Betrag ist negativ ({_shown(cell)}); Gutschriften werden nicht importiert",
                )
            )
        elif amount == 0:
            problems.append(self.problem(row, "amount", "Betrag ist 0"))
        elif amount > self.max_cents:
            ceiling = format_eur(Decimal(self.max_cents) / 100)
            problems.append(
                self.problem(
                    row, "amount",
                    f"Betrag {format_eur(Decimal(amount) / 100)} liegt über der Obergrenze"
                    f" {ceiling} des Mandanten",
                )
            )  # fmt: skip
        return amount

    def _day(self, cell: object) -> Day | None:
        """The date of a cell, ``None`` for an empty one; :class:`CellError` for no date."""
        if type(cell) is not str:
            if cell is None:
                return None
            day = parse_date(cell)
            return day, day.isoformat()
        try:
            return self._days[cell]
        except KeyError:
            pass
        found: Day | None = None
        if cell.strip():
            day = parse_date(cell)
            found = day, day.isoformat()
        if len(self._days) < _DAY_CACHE:
            self._days[cell] = found
        return found

    def _dates(
        self, row: int, cells: Sequence[object], problems: list[Problem]
    ) -> list[Day | None]:
        """Invoice, due, default, birth, origin, reminder and contract date."""
        days: list[Day | None] = [None] * len(_DAY_COLUMNS)
        for k, (column, cell) in enumerate(zip(_DAY_COLUMNS, cells, strict=True)):
            try:
                days[k] = self._day(cell)
            except CellError as exc:
                problems.append(self.problem(row, column, str(exc)))
        due, default, birth = days[1], days[2], days[3]
        if due is None and default is None and cells[1] in (None, "") and cells[2] in (None, ""):
            problems.append(
                self.problem(row, "due_date", "Fälligkeit fehlt (oder „Verzug seit“ angeben)")
            )
        if default is not None and default[0] > self.today:
            problems.append(
                self.problem(
                    row, "default_from", f"Verzugsbeginn {default[0]:%d.%m.%Y} liegt in der Zukunft"
                )
            )
        if birth is not None and birth[0] > self.today:
            problems.append(self.problem(row, "birth_date", "Geburtsdatum liegt in der Zukunft"))
        return days

    def _default(
        self,
        row: int,
        due: Day | None,
        default: Day | None,
        invoice: Day | None,
        reminder: Day | None,
        notice: bool,
        consumer: bool,
        claim_kind: str,
        problems: list[Problem],
    ) -> tuple[Day | None, str]:
        """The first day of interest and its ground (§ 286 BGB, ``domain.default``)."""
        if default is not None:  # as domain.default.default_start, without the call (hot path)
            if due is not None and default[0] < due[0]:
                problems.append(
                    self.problem(
                        row,
                        "default_from",
                        f"Verzugsbeginn {default[0]:%d.%m.%Y} liegt vor der Fälligkeit "
                        f"{due[0]:%d.%m.%Y}",
                    )
                )
            return default, GIVEN
        if reminder is None and not notice and consumer:
            return None, ""  # a consumer's claim with no ground: not in default
        ground = default_start(
            due_date=due[0] if due else None,
            default_from=default[0] if default else None,
            invoice_date=invoice[0] if invoice else None,
            reminder_date=reminder[0] if reminder else None,
            notice_286_3=notice,
            consumer=consumer,
            entgelt=claim_kind == "entgelt",
            receipt_days=self.receipt_days,
        )
        for column, message in ground.problems:
            problems.append(self.problem(row, column, message))
        if ground.default_from is None:
            return None, ""
        if default is not None:
            return default, ground.ground
        return (ground.default_from, ground.default_from.isoformat()), ground.ground

    def _claim_kind(self, row: int, text: str | None, problems: list[Problem]) -> str:
        if text is None:
            return "entgelt"
        word = text.lower()
        if word in ENTGELT_WORDS:
            return "entgelt"
        if word in OTHER_WORDS:
            return "other"
        problems.append(
            self.problem(
                row,
                "claim_kind",
                f"Forderungsart „{_shown(text)}“ ist unbekannt (erlaubt: entgelt/Entgelt, "
                "other/sonstige: Schadensersatz, Vertragsstrafe, Erstattung)",
            )
        )
        return "entgelt"

    def _yes_no(self, row: int, column: str, text: str | None, problems: list[Problem]) -> bool:
        if text is None:
            return False
        word = text.lower()
        if word in YES_WORDS:
            return True
        if word not in NO_WORDS:
            problems.append(self.problem(row, column, f"„{_shown(text)}“: ja oder nein erwartet"))
        return False

    def _consumer(
        self,
        row: int,
        kind_text: str | None,
        last: str | None,
        company: str | None,
        problems: list[Problem],
    ) -> bool:
        if kind_text is None:
            consumer = not (company and not last)
        else:
            word = kind_text.lower()
            if word in CONSUMER_WORDS:
                consumer = True
            elif word in BUSINESS_WORDS:
                consumer = False
            else:
                problems.append(
                    self.problem(
                        row,
                        "debtor_type",
                        f"Schuldnerart „{_shown(kind_text)}“ ist unbekannt "
                        "(erlaubt: consumer/Verbraucher, business/Unternehmer)",
                    )
                )
                consumer = True
        if consumer and not last:
            problems.append(
                self.problem(row, "last_name", "Nachname fehlt (Verbraucher: natürliche Person)")
            )
        elif not consumer and not last and not company:
            problems.append(self.problem(row, "company", "Firma (oder Nachname) fehlt"))
        return consumer

    def _country(self, row: int, text: str | None, problems: list[Problem]) -> str:
        if text is None:
            return "DE"
        found = COUNTRY_NAMES.get(text.lower())
        if found:
            return found
        if _COUNTRY_CODE.fullmatch(text):
            return text.upper()
        problems.append(
            self.problem(row, "country", f"Land „{_shown(text)}“ unbekannt (bitte ISO-Code wie DE)")
        )
        return "DE"

    def _address(
        self,
        row: int,
        street: str | None,
        postcode: str | None,
        city: str | None,
        country: str,
        problems: list[Problem],
    ) -> str | None:
        """Checks street, postcode and city together; returns the postcode (a German one
        with the leading 0 that Excel drops put back)."""
        if street or postcode or city:
            for column, value in (("street", street), ("postcode", postcode), ("city", city)):
                if not value:
                    problems.append(
                        self.problem(
                            row,
                            column,
                            f"Adresse unvollständig: {GERMAN[column]} fehlt "
                            "(Straße, PLZ und Ort gehören zusammen)",
                        )
                    )
        if postcode and country == "DE":
            if len(postcode) == 4 and postcode.isdigit():
                postcode = "0" + postcode
            if not (len(postcode) == 5 and postcode.isdigit()):
                problems.append(
                    self.problem(
                        row, "postcode", f"„{_shown(postcode)}“ ist keine deutsche PLZ (5 Ziffern)"
                    )
                )
        return postcode

    def _contact(
        self, row: int, email: str | None, phone: str | None, problems: list[Problem]
    ) -> None:
        if email is not None and not _EMAIL.fullmatch(email):
            problems.append(
                self.problem(row, "email", f"„{_shown(email)}“ ist keine E-Mail-Adresse")
            )
        if phone is not None and not _PHONE.fullmatch(phone):
            problems.append(
                self.problem(row, "phone", f"„{_shown(phone)}“ ist keine Telefonnummer")
            )


def describe_conflict(first: Sequence[object], other: Sequence[object]) -> list[str]:
    """The debtor fields (in :data:`DEBTOR_FIELDS` order) where two rows of a case differ."""
    return [f for f, a, b in zip(DEBTOR_FIELDS, first, other, strict=True) if a != b]
