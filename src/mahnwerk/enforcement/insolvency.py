"""Insolvency notices (Insolvenzbekanntmachungen, § 9 InsO): the file shape, its parser, and
matching notices against debtors.

**File shape** (CSV or JSON; one notice per row or object):

==================  ========  ==============================================================
field               required  content
==================  ========  ==============================================================
``court``           yes       Insolvenzgericht, e.g. ``Amtsgericht Charlottenburg``
``file_number``     yes       Aktenzeichen, e.g. ``36 IK 123/26``
``date``            yes       day of the decision (``2026-03-02`` or ``02.03.2026``)
``kind``            yes       ``eroeffnung``, ``abweisung_mangels_masse``,
                              ``restschuldbefreiung_erteilt``, ``restschuldbefreiung_versagt``
                              (the German words, e.g. ``Eröffnung``, are accepted too)
``last_name``       one of    natural person: family name (with ``first_name``)
``company``         the two   company name (legal person)
``first_name``      no        given name(s)
``birth_date``      no        date of birth where the notice gives it
``street``          no        address (Wohnsitz / Sitz)
``postcode``        no        five digits
``city``            no
``administrator``   no        Insolvenzverwalter / Treuhänder (name and address, one text)
``claims_deadline`` no        day by which claims are to be filed (§ 28 Abs. 1 InsO)
==================  ========  ==============================================================

CSV: UTF-8 (a BOM is allowed), ``;`` or ``,`` separated (from the header line), a header
line with the field names above in any order; unknown columns are refused. JSON: a list of
objects or ``{"notices": [...]}``. A file with any bad row is refused whole, with every
problem naming the file, the line (CSV) or the index (JSON) and the field.

**Matching** (:class:`DebtorIndex`): names are normalised (case, umlauts and ß, accents,
punctuation, legal-form words of companies). A notice with a birth date is compared with
the debtors born that day; without one, with the debtors of its postcode.

- same name and same birth date → ``sure`` (confidence 1.0);
- same name, both birth dates known and different → no match, whatever else agrees;
- same name and same postcode, a birth date missing on one side → ``probable`` (0.85);
- spelling variants (rapidfuzz ``token_sort_ratio`` of the whole name ≥ 88) with the same
  birth date → ``probable`` (0.9 × similarity), with the same postcode and no birth date to
  compare → ``probable`` (0.75 × similarity);
- companies: the same normalised name and postcode → ``probable`` (0.9), variants ≥ 90 →
  ``probable`` (0.75 × similarity) (no register number to be sure by).

Probable matches go to a person; only a sure one acts by itself.

>>> normalise_name("Müller-Lüdenscheidt,  Hans-Jürgen")
'mueller luedenscheidt hans juergen'
>>> normalise_company("Muster Bau GmbH & Co. KG")
'muster bau'
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from rapidfuzz import fuzz, process


class NoticeKind(StrEnum):
    OPENING = "eroeffnung"
    DISMISSED = "abweisung_mangels_masse"
    DISCHARGE_GRANTED = "restschuldbefreiung_erteilt"
    DISCHARGE_REFUSED = "restschuldbefreiung_versagt"

    @property
    def german(self) -> str:
        return _KIND_TEXT[self]


_KIND_TEXT = {
    NoticeKind.OPENING: "Eröffnung des Insolvenzverfahrens",
    NoticeKind.DISMISSED: "Abweisung mangels Masse",
    NoticeKind.DISCHARGE_GRANTED: "Restschuldbefreiung erteilt",
    NoticeKind.DISCHARGE_REFUSED: "Restschuldbefreiung versagt",
}

FIELDS = (
    "court",
    "file_number",
    "date",
    "kind",
    "last_name",
    "first_name",
    "company",
    "birth_date",
    "street",
    "postcode",
    "city",
    "administrator",
    "claims_deadline",
)
REQUIRED = ("court", "file_number", "date", "kind")
SURE = "sure"
PROBABLE = "probable"
#: rapidfuzz similarity (0–100) from which a differently spelt name counts as a variant.
PERSON_SIMILARITY = 88.0
COMPANY_SIMILARITY = 90.0

_LEGAL_FORMS = frozenset(
    [
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "haftungsbeschraenkt",
        "ek",
        "ev",
        "eg",
        "se",
        "kgaa",
        "gbr",
        "co",
        "und",
        "partg",
        "partner",
        "partnerschaft",
        "ltd",
        "limited",
        "inc",
    ]
)
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
_POSTCODE = re.compile(r"^\d{5}$")


# ----------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Notice:
    court: str
    file_number: str
    day: date
    """Day of the decision (the file's ``date``)."""
    kind: NoticeKind
    last_name: str = ""
    first_name: str = ""
    company: str = ""
    birth_date: date | None = None
    street: str = ""
    postcode: str = ""
    city: str = ""
    administrator: str = ""
    claims_deadline: date | None = None

    @property
    def is_company(self) -> bool:
        return bool(self.company) and not self.last_name

    @property
    def name(self) -> str:
        if self.is_company:
            return self.company
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def content_hash(self) -> str:
        """The notice's identity: the same notice in two files is imported once."""
        parts = (
            normalise_name(self.court),
            re.sub(r"\s+", "", self.file_number.casefold()),
            self.kind.value,
            self.day.isoformat(),
            normalise_company(self.company) if self.is_company else normalise_name(self.name),
            self.birth_date.isoformat() if self.birth_date else "",
        )
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NoticeProblem:
    where: str
    """``notices.csv, Zeile 4`` or ``notices.json, Eintrag 3``."""
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}, Feld {self.field}: {self.message}"


class NoticeFileError(ValueError):
    """A notice file that cannot be read whole; nothing of it is imported."""

    def __init__(self, problems: list[NoticeProblem]) -> None:
        shown = "; ".join(str(p) for p in problems[:20])
        more = f" (und {len(problems) - 20} weitere)" if len(problems) > 20 else ""
        super().__init__(shown + more)
        self.problems = problems


# ------------------------------------------------------------------------------ parse


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_name(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue, ß as ss, accents dropped, punctuation as spaces."""
    lowered = (text or "").casefold().translate(_TRANSLIT)
    return " ".join(_NON_WORD.sub(" ", _strip_accents(lowered)).split())


def normalise_company(text: str) -> str:
    """:func:`normalise_name` without legal-form words (GmbH, & Co. KG, …)."""
    words = normalise_name(text).split()
    kept = [w for w in words if w not in _LEGAL_FORMS]
    return " ".join(kept or words)


def _parse_date(text: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"„{text}“ ist kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ)")


_KIND_ALIASES = {
    "eroeffnung": NoticeKind.OPENING,
    "eroeffnung des insolvenzverfahrens": NoticeKind.OPENING,
    "abweisung mangels masse": NoticeKind.DISMISSED,
    "abweisung_mangels_masse": NoticeKind.DISMISSED,
    "restschuldbefreiung erteilt": NoticeKind.DISCHARGE_GRANTED,
    "restschuldbefreiung_erteilt": NoticeKind.DISCHARGE_GRANTED,
    "erteilung der restschuldbefreiung": NoticeKind.DISCHARGE_GRANTED,
    "restschuldbefreiung versagt": NoticeKind.DISCHARGE_REFUSED,
    "restschuldbefreiung_versagt": NoticeKind.DISCHARGE_REFUSED,
    "versagung der restschuldbefreiung": NoticeKind.DISCHARGE_REFUSED,
}


def parse_kind(text: str) -> NoticeKind:
    """The kind of a notice from its key or its German name.

    >>> parse_kind("Eröffnung"), parse_kind("Restschuldbefreiung erteilt").value
    (<NoticeKind.OPENING: 'eroeffnung'>, 'restschuldbefreiung_erteilt')
    """
    key = " ".join(text.casefold().translate(_TRANSLIT).replace("-", " ").split())
    kind = _KIND_ALIASES.get(key) or _KIND_ALIASES.get(key.replace(" ", "_"))
    if kind is None:
        allowed = ", ".join(k.value for k in NoticeKind)
        raise ValueError(f"unbekannte Art „{text}“ ({allowed})")
    return kind


def _notice(raw: dict[str, Any], where: str, problems: list[NoticeProblem]) -> Notice | None:
    before = len(problems)

    def fail(name: str, message: str) -> None:
        problems.append(NoticeProblem(where, name, message))

    unknown = sorted(k for k in raw if k not in FIELDS)
    for name in unknown:
        fail(name, "unbekanntes Feld")
    values: dict[str, str] = {}
    for name in FIELDS:
        value = raw.get(name)
        if value is None:
            values[name] = ""
        elif isinstance(value, str):
            values[name] = value.strip()
        else:
            fail(name, f"Text erwartet, nicht {type(value).__name__}")
            values[name] = ""
    for name in REQUIRED:
        if not values[name]:
            fail(name, "fehlt")
    if not values["last_name"] and not values["company"]:
        fail("last_name", "Name fehlt (last_name bei Personen, company bei Unternehmen)")
    if values["postcode"] and not _POSTCODE.match(values["postcode"]):
        fail("postcode", f"„{values['postcode']}“ ist keine fünfstellige Postleitzahl")
    dates: dict[str, date | None] = {}
    for name in ("date", "birth_date", "claims_deadline"):
        dates[name] = None
        if values[name]:
            try:
                dates[name] = _parse_date(values[name])
            except ValueError as exc:
                fail(name, str(exc))
    kind: NoticeKind | None = None
    if values["kind"]:
        try:
            kind = parse_kind(values["kind"])
        except ValueError as exc:
            fail("kind", str(exc))
    if len(problems) > before or kind is None or dates["date"] is None:
        return None
    return Notice(
        court=values["court"],
        file_number=values["file_number"],
        day=dates["date"],
        kind=kind,
        last_name=values["last_name"],
        first_name=values["first_name"],
        company=values["company"],
        birth_date=dates["birth_date"],
        street=values["street"],
        postcode=values["postcode"],
        city=values["city"],
        administrator=values["administrator"],
        claims_deadline=dates["claims_deadline"],
    )


def parse_csv(data: bytes, filename: str = "notices.csv") -> list[Notice]:
    """Notices from a CSV file (see the module docstring); refused whole on any problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NoticeFileError(
            [NoticeProblem(filename, "-", f"keine UTF-8-Datei (Byte {exc.start})")]
        ) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _read_csv(reader, filename)
    except csv.Error as exc:  # e.g. a bare carriage return inside an unquoted field
        raise NoticeFileError(
            [NoticeProblem(f"{filename}, Zeile {reader.line_num}", "-", f"kein CSV: {exc}")]
        ) from exc


def _read_csv(reader: csv.DictReader[str], filename: str) -> list[Notice]:
    problems: list[NoticeProblem] = []
    header = [h.strip() for h in reader.fieldnames or []]
    if not header:
        raise NoticeFileError([NoticeProblem(filename, "-", "leere Datei ohne Kopfzeile")])
    missing = [c for c in REQUIRED if c not in header]
    if "last_name" not in header and "company" not in header:
        missing.append("last_name oder company")
    unknown = [c for c in header if c not in FIELDS]
    if missing or unknown:
        raise NoticeFileError(
            [NoticeProblem(f"{filename}, Kopfzeile", c, "fehlt") for c in missing]
            + [NoticeProblem(f"{filename}, Kopfzeile", c, "unbekannte Spalte") for c in unknown]
        )
    reader.fieldnames = header
    notices: list[Notice] = []
    for row in reader:
        where = f"{filename}, Zeile {reader.line_num}"
        if None in row:
            problems.append(NoticeProblem(where, "-", "mehr Spalten als in der Kopfzeile"))
            continue
        raw = {k: v for k, v in row.items() if v not in (None, "") or k in REQUIRED}
        notice = _notice(raw, where, problems)
        if notice is not None:
            notices.append(notice)
    if problems:
        raise NoticeFileError(problems)
    return notices


def parse_json(data: bytes, filename: str = "notices.json") -> list[Notice]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NoticeFileError([NoticeProblem(filename, "-", f"kein JSON: {exc}")]) from exc
    items = doc.get("notices") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise NoticeFileError(
            [NoticeProblem(filename, "-", 'erwartet eine Liste oder {"notices": [...]}')]
        )
    problems: list[NoticeProblem] = []
    notices: list[Notice] = []
    for i, raw in enumerate(items, start=1):
        where = f"{filename}, Eintrag {i}"
        if not isinstance(raw, dict):
            problems.append(NoticeProblem(where, "-", "Objekt erwartet"))
            continue
        notice = _notice(raw, where, problems)
        if notice is not None:
            notices.append(notice)
    if problems:
        raise NoticeFileError(problems)
    return notices


def parse(data: bytes, filename: str) -> list[Notice]:
    """CSV or JSON, told apart by the first non-blank character."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return parse_json(data, filename) if head in (b"[", b"{") else parse_csv(data, filename)


# ---------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class DebtorRecord:
    """What matching needs of a debtor (one row per creditor's debtor)."""

    id: int
    kind: str  # natural, legal
    last_name: str = ""
    first_name: str = ""
    company: str = ""
    birth_date: date | None = None
    postcodes: tuple[str, ...] = ()
    """Postcodes of the debtor's addresses (current and earlier)."""


DebtorRow = tuple[int, str, "str | None", "str | None", "str | None", "date | str | None"]


@dataclass(frozen=True)
class Match:
    debtor_id: int
    level: str  # sure, probable
    confidence: float
    reasons: tuple[str, ...]


@dataclass
class DebtorIndex:
    """Debtors indexed by birth date and by postcode, names normalised once.

    Built once per import (:meth:`build` from plain rows, or :meth:`from_records`);
    :meth:`match` then costs a few dictionary look-ups and one rapidfuzz comparison against
    the few debtors in the block. Birth dates are kept as ISO text (``1980-05-01``), the
    form SQLite stores them in, so that a million rows need no date objects.
    """

    names: list[str] = field(default_factory=list)
    birth: list[str | None] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    company: list[bool] = field(default_factory=list)
    by_birth: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_postcode: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def from_records(cls, records: Iterable[DebtorRecord]) -> DebtorIndex:
        records = list(records)
        return cls.build(
            ((r.id, r.kind, r.last_name, r.first_name, r.company, r.birth_date) for r in records),
            ((r.id, p) for r in records for p in r.postcodes),
        )

    @classmethod
    def build(
        cls, debtors: Iterable[DebtorRow], addresses: Iterable[tuple[int, str]]
    ) -> DebtorIndex:
        """The index from plain rows: debtors ``(id, kind, last_name, first_name, company,
        birth_date)`` (birth date as ``date`` or ISO text) and addresses ``(debtor id,
        postcode)``. No object per debtor; every distinct name is normalised once."""
        index = cls()
        person_cache: dict[tuple[str, str], str] = {}
        company_cache: dict[str, str] = {}
        ids, names, births, companies = index.ids, index.names, index.birth, index.company
        by_birth, by_postcode = index.by_birth, index.by_postcode
        position: dict[int, int] = {}
        for pos, (did, kind, last, first, company, birth) in enumerate(debtors):
            if birth is not None and not isinstance(birth, str):
                birth = birth.isoformat()
            if kind == "legal":
                key_c = company or ""
                name = company_cache.get(key_c)
                if name is None:
                    name = company_cache[key_c] = normalise_company(key_c)
                companies.append(True)
            else:
                key = (last or "", first or "")
                name = person_cache.get(key)
                if name is None:
                    name = person_cache[key] = normalise_name(f"{key[0]} {key[1]}")
                companies.append(False)
                if birth is not None:
                    by_birth[birth].append(pos)
            position[did] = pos
            ids.append(did)
            names.append(name)
            births.append(birth)
        # a debtor with two addresses in one postcode appears twice in that block; matching
        # keys its results by debtor, so that costs a comparison, not a duplicate match
        for did, postcode in addresses:
            where = position.get(did)
            if where is not None:
                by_postcode[postcode].append(where)
        return index

    def __len__(self) -> int:
        return len(self.ids)

    def match(self, notice: Notice) -> list[Match]:
        """The debtors this notice may concern, best first (see the module docstring)."""
        if notice.is_company:
            return self._match_company(notice)
        name = normalise_name(f"{notice.last_name} {notice.first_name}")
        found: dict[int, Match] = {}
        if notice.birth_date is not None:
            block = self.by_birth.get(notice.birth_date.isoformat(), [])
            for pos, score in _similar(name, [self.names[p] for p in block], block):
                if score >= 100.0:
                    found[pos] = Match(self.ids[pos], SURE, 1.0, ("Name und Geburtsdatum gleich",))
                else:
                    found[pos] = Match(
                        self.ids[pos],
                        PROBABLE,
                        round(0.9 * score / 100, 3),
                        (f"Geburtsdatum gleich, Name ähnlich ({score:.0f} %)",),
                    )
        if notice.postcode:
            block = [
                p
                for p in self.by_postcode.get(notice.postcode, [])
                if p not in found and not self.company[p]
            ]
            for pos, score in _similar(name, [self.names[p] for p in block], block):
                known = self.birth[pos]
                if known is not None and notice.birth_date is not None:
                    continue  # both birth dates known and different: not this person
                if score >= 100.0:
                    found[pos] = Match(
                        self.ids[pos],
                        PROBABLE,
                        0.85,
                        ("Name und Postleitzahl gleich, Geburtsdatum nicht vergleichbar",),
                    )
                else:
                    found[pos] = Match(
                        self.ids[pos],
                        PROBABLE,
                        round(0.75 * score / 100, 3),
                        (f"Postleitzahl gleich, Name ähnlich ({score:.0f} %)",),
                    )
        return sorted(found.values(), key=lambda m: (-m.confidence, m.debtor_id))

    def _match_company(self, notice: Notice) -> list[Match]:
        if not notice.postcode:
            return []
        name = normalise_company(notice.company)
        block = [p for p in self.by_postcode.get(notice.postcode, []) if self.company[p]]
        out: dict[int, Match] = {}
        for pos, score in _similar(
            name, [self.names[p] for p in block], block, cutoff=COMPANY_SIMILARITY
        ):
            if score >= 100.0:
                out[pos] = Match(self.ids[pos], PROBABLE, 0.9, ("Firma und Postleitzahl gleich",))
            else:
                out[pos] = Match(
                    self.ids[pos],
                    PROBABLE,
                    round(0.75 * score / 100, 3),
                    (f"Postleitzahl gleich, Firma ähnlich ({score:.0f} %)",),
                )
        return sorted(out.values(), key=lambda m: (-m.confidence, m.debtor_id))


def _similar(
    name: str,
    choices: Sequence[str],
    positions: Sequence[int],
    cutoff: float = PERSON_SIMILARITY,
) -> list[tuple[int, float]]:
    """Positions whose name is ``name`` (100) or a spelling variant of it (≥ ``cutoff``).

    ``token_sort_ratio`` so that "Hans Peter Meier" and "Meier Hans-Peter" agree; exact
    equality of the normalised text is checked first (a token sort alone would also make
    "Peter Hans" equal to "Hans Peter")."""
    if not choices:
        return []
    out = []
    for choice, score, i in process.extract(
        name, choices, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, limit=None
    ):
        out.append((positions[i], 100.0 if choice == name else min(float(score), 99.9)))
    return out
