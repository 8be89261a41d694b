"""Fixed-width records of the EDA format: fields, layouts, render / parse / validate.

Every EDA record is 128 characters (CP850 bytes): a 9-character key (Satzart 2 + Kennung 5,
left-aligned + Folgenummer 2, e.g. ``01KS   00``) and 119 characters of data. A
:class:`Layout` lists the fields of one record kind with their 1-based positions as the
reference gives them (``shared/reference/court-and-enforcement.md`` 1.2–1.6); positions not
given there are never invented: such parts stay blank when written and unread when read.

Field kinds (conventions of 1.2):

- ``a`` text, left-aligned, blank-padded; only characters CP850 can carry, none below X'20';
- ``n`` a whole number, right-aligned, zero-padded (blank when empty);
- ``d`` a date ``JJMMTT`` (blank when empty);
- ``c`` an amount in cents, zero-padded (``Decimal`` euros in Python);
- ``r`` an interest rate with three implied decimals (``09000`` = 9,000 %);
- ``k`` a constant the record must carry.

>>> kennsatz = Layout("01KS   00", "C01 Kennsatz", (Field("TGZ", 10, 35), Field("MGPLZ", 61, 5)))
>>> record = kennsatz.render({"TGZ": "MW-00000123-20", "MGPLZ": "39418"})
>>> len(record), record[:23], record[60:65]
(128, '01KS   00MW-00000123-20', '39418')
>>> kennsatz.parse(record)["TGZ"]
'MW-00000123-20'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

__all__ = [
    "CHARSET",
    "KEY_LENGTH",
    "RECORD_LENGTH",
    "Field",
    "FieldError",
    "Layout",
    "fits_charset",
]

RECORD_LENGTH = 128
KEY_LENGTH = 9
#: The EDA character set (1.2: CP850, umlauts and ß as themselves, never transliterated).
CHARSET = "cp850"
_KINDS = frozenset("andcrk")


class FieldError(ValueError):
    """A value that does not fit its field; ``field`` names it (and its positions)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"Feld {field}: {message}")
        self.field = field


def fits_charset(text: str) -> str | None:
    """The first character EDA cannot carry (control characters, not in CP850), else ``None``.

    >>> fits_charset("Müller-Lüdenscheidt, Straße 5"), fits_charset("Łódź")
    (None, 'Ł')
    """
    if text.isascii() and text.isprintable():
        return None  # the common case, without looking at each character
    try:
        text.encode(CHARSET)
    except UnicodeEncodeError as exc:
        return text[exc.start]
    if text.isprintable():
        return None
    return next(c for c in text if ord(c) < 0x20 or ord(c) == 0x7F or not c.isprintable())


@dataclass(frozen=True)
class Field:
    """One field: ``name`` as in the Satzbeschreibung, 1-based ``start``, ``length``, kind."""

    name: str
    start: int
    length: int
    kind: str = "a"
    required: bool = False
    constant: str = ""
    fast: Callable[[object], str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")
        if self.start < 3 or self.start + self.length - 1 > RECORD_LENGTH:
            raise ValueError(f"field {self.name} outside the record")
        object.__setattr__(self, "fast", self._fast_formatter())

    def _fast_formatter(self) -> Callable[[object], str]:
        """:meth:`format` for the common values without its checks (an export renders a
        hundred thousand records); anything unusual goes through :meth:`format`."""
        n, slow, blank = self.length, self.format, " " * self.length
        empty_ok = not self.required
        kind = self.kind
        if kind == "a":

            def text(value: object) -> str:
                if value.__class__ is str:
                    if value == "" and empty_ok:
                        return blank
                    if len(value) <= n and value.isascii() and value.isprintable():
                        return value.ljust(n)
                elif value is None and empty_ok:
                    return blank
                return slow(value)

            return text
        if kind == "d":

            def day(value: object) -> str:
                if value.__class__ is date and 2000 <= value.year <= 2099:
                    return f"{value.year - 2000:02d}{value.month:02d}{value.day:02d}"
                if value is None and empty_ok:
                    return blank
                return slow(value)

            return day
        if kind in "cr":
            scale = 100 if kind == "c" else 1000

            def amount(value: object) -> str:
                if value.__class__ is Decimal:
                    scaled = value * scale
                    whole = int(scaled)
                    if whole == scaled and whole >= 0:
                        digits = str(whole)
                        if len(digits) <= n:
                            return digits.rjust(n, "0")
                elif value is None and empty_ok:
                    return blank
                return slow(value)

            return amount
        return slow

    @property
    def end(self) -> int:
        return self.start + self.length - 1

    @property
    def label(self) -> str:
        return f"{self.name} (Pos. {self.start}–{self.end})"

    # ------------------------------------------------------------------- writing

    def format(self, value: object) -> str:
        """The field's characters for ``value`` (``None``/``""`` → blanks); FieldError if it
        does not fit."""
        if self.kind == "k":
            return self.constant.ljust(self.length)
        if value is None or value == "":
            if self.required:
                raise FieldError(self.label, "fehlt")
            return " " * self.length
        if self.kind == "a":
            text = str(value)
            if len(text) <= self.length and text.isascii() and text.isprintable():
                return text.ljust(self.length)
            bad = fits_charset(text)
            if bad is not None:
                raise FieldError(
                    self.label, f"Zeichen {bad!r} ist im EDA-Zeichensatz nicht erlaubt"
                )
            if len(text) > self.length:
                raise FieldError(self.label, f"{text!r} ist länger als {self.length} Zeichen")
            return text.ljust(self.length)
        if self.kind == "d":
            if not isinstance(value, date):
                raise FieldError(self.label, f"{value!r} ist kein Datum")
            if not 2000 <= value.year <= 2099:
                raise FieldError(self.label, f"{value.isoformat()} liegt nicht in 2000–2099")
            return f"{value.year - 2000:02d}{value.month:02d}{value.day:02d}"
        number = self._number(value)
        digits = str(number)
        if number < 0:
            raise FieldError(self.label, f"{value} ist negativ")
        if len(digits) > self.length:
            raise FieldError(self.label, f"{value} hat mehr als {self.length} Stellen")
        return digits.rjust(self.length, "0")

    def _number(self, value: object) -> int:
        if self.kind == "n":
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise FieldError(self.label, f"{value!r} ist keine ganze Zahl")
            if isinstance(value, str):
                if not value.isdigit():
                    raise FieldError(self.label, f"{value!r} ist keine ganze Zahl")
                return int(value)
            return value
        if not isinstance(value, Decimal):
            raise FieldError(self.label, f"{value!r} ist kein Decimal")
        scaled = value * (100 if self.kind == "c" else 1000)
        whole = int(scaled)
        if whole != scaled:
            unit = "Cent" if self.kind == "c" else "Tausendstel"
            raise FieldError(self.label, f"{value} hat Bruchteile eines {unit}")
        return whole

    # ------------------------------------------------------------------- reading

    def read(self, record: str) -> object:
        """The value of this field in ``record`` (blank → ``None``); FieldError if broken."""
        raw = record[self.start - 1 : self.end]
        if self.kind == "a":
            return raw.rstrip()
        if self.kind == "k":
            if raw.rstrip() != self.constant.rstrip():
                raise FieldError(self.label, f"{raw!r} statt {self.constant!r}")
            return self.constant
        if not raw.strip():
            if self.required:
                raise FieldError(self.label, "fehlt")
            return None
        if not raw.isdigit() or not raw.isascii():
            raise FieldError(self.label, f"{raw!r} ist keine Zahl")
        if self.kind == "n":
            return int(raw)
        if self.kind == "d":
            try:
                return date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:6]))
            except ValueError as exc:
                raise FieldError(self.label, f"{raw!r} ist kein Datum JJMMTT") from exc
        try:
            return Decimal(int(raw)).scaleb(-2 if self.kind == "c" else -3)
        except InvalidOperation as exc:  # pragma: no cover - digits always convert
            raise FieldError(self.label, f"{raw!r} ist keine Zahl") from exc


@dataclass(frozen=True)
class Layout:
    """The fields of one record kind, identified by its ``key``: 9 characters (Satzart,
    Kennung, Folgenummer), or the two letters of the file's ``AA`` / ``BB`` records."""

    key: str
    name: str
    fields: tuple[Field, ...]
    _ordered: tuple[Field, ...] = field(init=False, repr=False, compare=False)
    _names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the fields in position order and their names, for render (called per record)
        object.__setattr__(self, "_ordered", tuple(sorted(self.fields, key=lambda f: f.start)))
        object.__setattr__(self, "_names", frozenset(f.name for f in self.fields))
        if len(self.key) not in (2, KEY_LENGTH):
            raise ValueError(f"record key {self.key!r} is not 2 or {KEY_LENGTH} characters")
        taken: list[tuple[int, int, str]] = []
        for f in self.fields:
            if f.start <= len(self.key):
                raise ValueError(f"{self.key}: {f.name} overlaps the record key")
            for start, end, other in taken:
                if f.start <= end and start <= f.end:
                    raise ValueError(f"{self.key}: {f.name} overlaps {other}")
            taken.append((f.start, f.end, f.name))

    @property
    def satzart(self) -> str:
        return self.key[:2]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def validate(self, values: Mapping[str, object]) -> list[str]:
        """Every value that does not fit, in German (empty: the record can be written)."""
        problems = [f"{self.name}: unbekanntes Feld {k}" for k in values if not self._has(k)]
        for f in self.fields:
            try:
                f.format(values.get(f.name))
            except FieldError as exc:
                problems.append(f"{self.name}: {exc}")
        return problems

    def render(self, values: Mapping[str, object]) -> str:
        """The 128-character record; :class:`FieldError` for the first field that does not
        fit (call :meth:`validate` for all of them)."""
        names = self._names
        if not names.issuperset(values):
            unknown = sorted(set(values) - names)
            raise FieldError(unknown[0], f"gibt es in {self.name} nicht")
        pieces = [self.key]
        at = len(self.key)
        get = values.get
        for f in self._ordered:
            if f.start - 1 > at:
                pieces.append(" " * (f.start - 1 - at))
            pieces.append(f.fast(get(f.name)))
            at = f.end
        pieces.append(" " * (RECORD_LENGTH - at))
        return "".join(pieces)

    def parse(self, record: str) -> dict[str, object]:
        """The fields of a 128-character record of this kind; :class:`FieldError` names the
        first broken field."""
        if len(record) != RECORD_LENGTH:
            raise FieldError(self.name, f"Satz hat {len(record)} statt {RECORD_LENGTH} Zeichen")
        if record[: len(self.key)] != self.key:
            found = record[: len(self.key)]
            raise FieldError(self.name, f"Satzkennung {found!r} statt {self.key!r}")
        return {f.name: f.read(record) for f in self.fields}

    def _has(self, name: str) -> bool:
        return name in self._names
