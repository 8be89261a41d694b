"""What a message says beyond its intent: amounts, a date, a number of months, an address,
contact wishes (channels, hours, an e-mail address or phone number).

Pure functions of the text and of ``today`` (the day the message is read, in Germany); no
clock here. Conventions where colloquial German is ambiguous (the assistant always repeats
the resolved date, so the debtor can correct it):

- **"nächsten Freitag"**, "kommenden Freitag", "diesen Freitag", "am Freitag", "bis
  Freitag": the first Friday *after* today (said on a Friday: a week later). "Freitag
  nächster Woche" and "übernächsten Freitag": the Friday of the following calendar week
  (Monday to Sunday).
- **"zum 15."**, "am 15.", "bis zum 15.": the next 15th from today (today included); a day
  the month does not have (the 31st in April) is the month's last day.
- **"Ende des Monats"**, "Monatsende": the last day of this month; "Anfang nächsten Monats",
  "zum Ersten": the first of the next month; "Mitte des Monats": the next 15th.
- **"15.1."** (no year): the next 15 January from today; "15.1.26" and "15.01.2026" as
  written.
- **"nächste Woche"**: the Friday of next week (the last working day of the week named).
- **"in zwei Wochen"**, "in 10 Tagen", "in einem Monat": counted from today.
- "gestern", "vorgestern", "letzte Woche", "letzten Montag": in the past (a debtor saying
  when they paid).

>>> today = date(2026, 1, 12)  # a Monday
>>> extract("ich zahle nächsten Freitag", today).date
datetime.date(2026, 1, 16)
>>> extract("zum 15. überweise ich 40,50 €", today).date, extract("zum 15.", today).amounts
(datetime.date(2026, 1, 15), ())
>>> extract("ich zahle 87 euro ende des monats", today).amounts
(Decimal('87.00'),)
>>> extract("geht das in sechs raten", today).months
6
>>> extract("neue Adresse: Lindenstraße 12, 10115 Berlin", today).address
Address(street='Lindenstraße 12', postcode='10115', city='Berlin')
"""

from __future__ import annotations

import calendar
import contextlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from mahnwerk.assistant.text import fold

WEEKDAYS = {
    "montag": 0,
    "dienstag": 1,
    "mittwoch": 2,
    "donnerstag": 3,
    "freitag": 4,
    "samstag": 5,
    "sonnabend": 5,
    "sonntag": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
MONTHS = {
    "januar": 1,
    "jan": 1,
    "januray": 1,
    "january": 1,
    "februar": 2,
    "feb": 2,
    "february": 2,
    "maerz": 3,
    "marz": 3,
    "mrz": 3,
    "march": 3,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "may": 5,
    "juni": 6,
    "june": 6,
    "juli": 7,
    "july": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "okt": 10,
    "october": 10,
    "november": 11,
    "nov": 11,
    "dezember": 12,
    "dez": 12,
    "december": 12,
}
NUMBER_WORDS = {
    "ein": 1,
    "eine": 1,
    "einen": 1,
    "einem": 1,
    "einer": 1,
    "one": 1,
    "a": 1,
    "zwei": 2,
    "two": 2,
    "drei": 3,
    "three": 3,
    "vier": 4,
    "four": 4,
    "fuenf": 5,
    "funf": 5,
    "five": 5,
    "sechs": 6,
    "six": 6,
    "sieben": 7,
    "seven": 7,
    "acht": 8,
    "eight": 8,
    "neun": 9,
    "nine": 9,
    "zehn": 10,
    "ten": 10,
    "elf": 11,
    "eleven": 11,
    "zwoelf": 12,
    "zwolf": 12,
    "twelve": 12,
    "achtzehn": 18,
    "vierundzwanzig": 24,
}
_NUM = r"(\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
STREET_ENDINGS = (
    "strasse",
    "str.",
    "str",
    "weg",
    "allee",
    "platz",
    "gasse",
    "ring",
    "damm",
    "ufer",
    "chaussee",
    "steig",
    "pfad",
    "markt",
    "hof",
    "berg",
    "grund",
    "feld",
    "tor",
    "garten",
    "wall",
    "graben",
    "kamp",
    "twiete",
    "zeile",
    "anger",
    "park",
    "siedlung",
    "deich",
    "stieg",
    "bogen",
    "hang",
    "blick",
    "winkel",
    "aue",
    "heide",
    "wiese",
    "brook",
    "gang",
    "street",
    "road",
)
STREET_STARTS = (
    "am",
    "an",
    "auf",
    "im",
    "in",
    "zum",
    "zur",
    "unter",
    "hinter",
    "vor",
    "alte",
    "neue",
)
CITY_STOP = {
    "bitte",
    "danke",
    "ab",
    "und",
    "mfg",
    "lg",
    "gruss",
    "gruesse",
    "schicken",
    "senden",
    "zusenden",
    "eintragen",
    "notieren",
    "speichern",
    "now",
    "please",
    "thanks",
    "seit",
    "vielen",
    "mit",
    "viele",
}


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    city: str


@dataclass(frozen=True)
class ContactWish:
    """Channels the debtor wants (``letter``, ``email``, ``sms``, ``call``), channels they
    refuse, and hours (``earliest``, ``latest``) if named."""

    wanted: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    hours: tuple[int, int] | None = None
    unsupported: tuple[str, ...] = ()  # e.g. WhatsApp


@dataclass(frozen=True)
class Entities:
    amounts: tuple[Decimal, ...] = ()
    date: date | None = None
    date_text: str | None = None
    months: int | None = None
    address: Address | None = None
    contact: ContactWish = field(default_factory=ContactWish)
    email: str | None = None
    phone: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The entities as JSON values (dates ISO, amounts as strings), empty ones left out."""
        out: dict[str, Any] = {}
        if self.amounts:
            out["amounts"] = [str(a) for a in self.amounts]
        if self.date is not None:
            out["date"] = self.date.isoformat()
            out["date_text"] = self.date_text
        if self.months is not None:
            out["months"] = self.months
        if self.address is not None:
            out["address"] = {
                "street": self.address.street,
                "postcode": self.address.postcode,
                "city": self.address.city,
            }
        c = self.contact
        if c.wanted or c.refused or c.hours or c.unsupported:
            out["contact"] = {
                "wanted": list(c.wanted),
                "refused": list(c.refused),
                "hours": list(c.hours) if c.hours else None,
                "unsupported": list(c.unsupported),
            }
        if self.email:
            out["email"] = self.email
        if self.phone:
            out["phone"] = self.phone
        return out


def extract(text: str, today: date) -> Entities:
    """Every entity of ``text`` as read on ``today``."""
    low = fold(text).replace("€", " € ")
    low = re.sub(r"\s+", " ", low)
    day, day_text = find_date(low, today)
    return Entities(
        amounts=find_amounts(low),
        date=day,
        date_text=day_text,
        months=find_months(low),
        address=find_address(text),
        contact=find_contact(low),
        email=find_email(text),
        phone=find_phone(text),
    )


# --------------------------------------------------------------------------- amounts

_AMOUNT = r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}|-{1,2})|\.(\d{2})(?!\d))?"
_CURRENCY = r"(?:€|eur(?:o|os|onen)?\b)"
_AMOUNT_PATTERNS = (
    re.compile(rf"{_CURRENCY}\s*{_AMOUNT}"),
    re.compile(rf"(?<![\d.,]){_AMOUNT}\s*(?:{_CURRENCY}|,-)"),
    re.compile(
        rf"(?<![\d.,]){_AMOUNT}\s*"
        r"(?:im monat|pro monat|monatlich|mtl\.?|a month|per month|each month)"
    ),
    re.compile(
        rf"(?:monatlich|rate(?:n)? (?:von|zu|a|à)|je|a month of)\s*{_AMOUNT}"
        r"(?![.\d]*\s*(?:raten|monat))"
    ),
)


def _decimal(whole: str, cents: str | None, cents_dot: str | None) -> Decimal | None:
    digits = whole.replace(".", "")
    frac = cents_dot or (cents if cents and not cents.startswith("-") else "")
    try:
        value = Decimal(f"{digits}.{(frac or '0').ljust(2, '0')}")
    except InvalidOperation:
        return None
    return value.quantize(Decimal("0.01")) if value > 0 else None


def find_amounts(low: str) -> tuple[Decimal, ...]:
    """Euro amounts in the order they appear (with ``€``/``euro``, or "50 im Monat").

    >>> find_amounts("wieso soll ich 87 euro zahlen, ich hab doch nur 40 bestellt")
    (Decimal('87.00'),)
    >>> find_amounts("40,50 € oder € 1.250,00 oder 30,- oder 75.00 eur")
    (Decimal('40.50'), Decimal('1250.00'), Decimal('30.00'), Decimal('75.00'))
    >>> find_amounts("monatlich 50 in 6 raten"), find_amounts("am 15.1. zahle ich")
    ((Decimal('50.00'),), ())
    """
    found: list[tuple[int, Decimal]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _AMOUNT_PATTERNS:
        for m in pattern.finditer(low):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            value = _decimal(m.group(1), m.group(2), m.group(3))
            if value is not None:
                found.append((m.start(), value))
                taken.append((m.start(), m.end()))
    return tuple(v for _, v in sorted(found))


# ---------------------------------------------------------------------------- months


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


_MONTHS_COUNT = re.compile(
    rf"\b{_NUM}\s*(?:monatliche[n]? )?"
    r"(?:raten|monatsraten|rate\b|monate|monaten|months|instal+ments)"
)


def find_months(low: str) -> int | None:
    """A number of months or instalments ("in 6 Raten", "über sechs Monate", "ein halbes
    Jahr"); ``None`` if none is named.

    >>> find_months("geht das in 6 raten"), find_months("über ein halbes jahr")
    (6, 6)
    >>> find_months("ich bin seit zwei jahren arbeitslos") is None
    False
    """
    if re.search(r"halbe[ns]? jahr|half a year|six months", low):
        return 6
    if re.search(r"anderthalb jahr", low):
        return 18
    m = _MONTHS_COUNT.search(low)
    if m:
        n = _number(m.group(1))
        return n if n and 0 < n <= 120 else None
    m = re.search(rf"\b{_NUM}\s*(?:jahre?n?|years?)\b", low)
    if m:
        n = _number(m.group(1))
        return n * 12 if n and 0 < n <= 10 else None
    return None


# ----------------------------------------------------------------------------- dates


def _next_weekday(today: date, weekday: int) -> date:
    """The first such weekday after today (a week later if today is one)."""
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def _week_after(today: date, weekday: int) -> date:
    monday_next = today + timedelta(days=7 - today.weekday())
    return monday_next + timedelta(days=weekday)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _day_of_month_from(today: date, dom: int) -> date | None:
    """The next ``dom``-th from today (today included); clipped to the month's end."""
    if not 1 <= dom <= 31:
        return None
    this = date(today.year, today.month, min(dom, calendar.monthrange(today.year, today.month)[1]))
    if this >= today:
        return this
    nxt = _add_months(date(today.year, today.month, 1), 1)
    return date(nxt.year, nxt.month, min(dom, calendar.monthrange(nxt.year, nxt.month)[1]))


def _explicit(today: date, day: int, month: int, year: int | None) -> date | None:
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


_WD = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MN = "|".join(sorted(MONTHS, key=len, reverse=True))
_UNIT_DAYS = {"tag": 1, "tage": 1, "tagen": 1, "day": 1, "days": 1, "woche": 7, "wochen": 7}
_UNIT_DAYS.update({"week": 7, "weeks": 7})


def find_date(low: str, today: date) -> tuple[date | None, str | None]:
    """The first date the text names, resolved from ``today`` (see the module docstring),
    and the words that named it.

    >>> t = date(2026, 1, 16)  # a Friday
    >>> find_date("naechsten freitag", t)[0], find_date("freitag naechster woche", t)[0]
    (datetime.date(2026, 1, 23), datetime.date(2026, 1, 23))
    >>> find_date("ende des monats", t)[0], find_date("anfang naechsten monats", t)[0]
    (datetime.date(2026, 1, 31), datetime.date(2026, 2, 1))
    >>> find_date("am 15.1.", t)[0], find_date("bis zum 20.", t)[0], find_date("zum 10.", t)[0]
    (datetime.date(2027, 1, 15), datetime.date(2026, 1, 20), datetime.date(2026, 2, 10))
    >>> find_date("morgen frueh", t)[0], find_date("in zwei wochen", t)[0]
    (datetime.date(2026, 1, 17), datetime.date(2026, 1, 30))
    >>> find_date("guten morgen, ich habe gestern bezahlt", t)[0]
    datetime.date(2026, 1, 15)
    >>> find_date("15.02.2026", t)[0], find_date("am 1. maerz", t)[0]
    (datetime.date(2026, 2, 15), datetime.date(2026, 3, 1))
    """
    candidates: list[tuple[int, date, str]] = []

    def add(m: re.Match[str] | None, day: date | None) -> None:
        if m is not None and day is not None:
            candidates.append((m.start(), day, m.group(0).strip()))

    for m in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})\b", low):
        with contextlib.suppress(ValueError):
            add(m, date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in re.finditer(r"(?<![\d,.])(\d{1,2})\.\s?(\d{1,2})\.(?:\s?(\d{4}|\d{2})(?!\d))?", low):
        year = int(m.group(3)) if m.group(3) else None
        add(m, _explicit(today, int(m.group(1)), int(m.group(2)), year))
    for m in re.finditer(rf"(?<![\d,.])(\d{{1,2}})\.?\s?({_MN})\b(?:\s(\d{{4}}))?", low):
        year = int(m.group(3)) if m.group(3) else None
        add(m, _explicit(today, int(m.group(1)), MONTHS[m.group(2)], year))
    for m in re.finditer(rf"\b({_MN})\s(\d{{1,2}})(?:st|nd|rd|th)?\b", low):
        add(m, _explicit(today, int(m.group(2)), MONTHS[m.group(1)], None))
    for m in re.finditer(
        r"\b(?:am|zum|bis(?: zum)?|ab(?: dem)?|spaetestens(?: zum| am| bis)?|vor dem|on the|by the)"
        rf"\s(\d{{1,2}})(?:\.|st|nd|rd|th)(?!\s?\d)(?!\s?(?:{_MN})\b)",
        low,
    ):
        add(m, _day_of_month_from(today, int(m.group(1))))
    for m in re.finditer(
        rf"\b((?:uebernaechste[nr]?|naechste[nr]? woche|kommende[nr]? woche)\s"
        rf"|(?:naechsten|kommenden|diesen|am|bis|ab|next|this|on|by)\s)?({_WD})\b"
        rf"(?:\s(naechster|kommender) woche|\sin einer woche)?",
        low,
    ):
        weekday = WEEKDAYS[m.group(2)]
        before = m.group(1) or ""
        # "übernächsten", "nächste Woche Freitag", "Freitag nächster Woche": the week after
        week_after = before.startswith(("ueber", "naechste", "kommende")) and (
            before.startswith("ueber") or "woche" in before
        )
        if week_after or m.group(3) or m.group(0).endswith("in einer woche"):
            add(m, _week_after(today, weekday))
        else:
            add(m, _next_weekday(today, weekday))
    for m in re.finditer(rf"\b({_WD}) (?:naechster|kommender) woche\b", low):
        add(m, _week_after(today, WEEKDAYS[m.group(1)]))
    for m in re.finditer(rf"\bletzte[nr]? ({_WD})\b|\blast ({_WD})\b", low):
        weekday = WEEKDAYS[m.group(1) or m.group(2)]
        back = (today.weekday() - weekday) % 7 or 7
        add(m, today - timedelta(days=back))
    simple = (
        (r"\buebermorgen\b|\bday after tomorrow\b", today + timedelta(days=2)),
        (r"(?<!guten )(?<!uber)(?<!ueber)\bmorgen\b(?!s)|\btomorrow\b", today + timedelta(days=1)),
        (r"\bheute\b|\btoday\b|\btonight\b", today),
        (r"\bvorgestern\b", today - timedelta(days=2)),
        (r"\bgestern\b|\byesterday\b", today - timedelta(days=1)),
        (r"\bletzte woche\b|\blast week\b", today - timedelta(days=7)),
        (r"\bnaechste woche\b|\bnext week\b", _week_after(today, 4)),
        (r"\bende (?:naechster|kommender) woche\b", _week_after(today, 4)),
        (
            r"\bende (?:des |dieses )?monats\b|\bmonatsende\b|\bende monat\b"
            r"|\bend of (?:the )?month\b",
            _last_day(today.year, today.month),
        ),
        (
            r"\bende (?:des )?naechsten monats\b|\bende naechster monat\b",
            _last_day(_add_months(today, 1).year, _add_months(today, 1).month),
        ),
        (
            r"\banfang (?:des )?(?:naechsten|kommenden) monats\b|\banfang naechster monat\b|"
            r"\bmonatsersten\b|\bzum ersten\b|\bam ersten\b|\bnaechsten ersten\b|"
            r"\bbeginning of next month\b|\bfirst of (?:the|next) month\b|\banfang des monats\b",
            _add_months(date(today.year, today.month, 1), 1),
        ),
        (r"\bmitte (?:des |dieses )?monats\b|\bmid-?month\b", _day_of_month_from(today, 15)),
        (r"\bnaechsten monat\b|\bnext month\b", _add_months(date(today.year, today.month, 1), 1)),
    )
    for pattern, day in simple:
        for m in re.finditer(pattern, low):
            add(m, day)
    for m in re.finditer(rf"\bin {_NUM} (tagen|tage|tag|wochen|woche|days?|weeks?)\b", low):
        n = _number(m.group(1))
        if n:
            add(m, today + timedelta(days=n * _UNIT_DAYS[m.group(2)]))
    for m in re.finditer(rf"\bin {_NUM} (monaten|monat|months?)\b", low):
        n = _number(m.group(1))
        if n:
            add(m, _add_months(today, n))
    if not candidates:
        return None, None
    # the earliest mention wins; at the same place the longer (more specific) phrase
    _, day, words = min(candidates, key=lambda c: (c[0], -len(c[2])))
    return day, words


# --------------------------------------------------------------------------- address

_POSTCODE_CITY = re.compile(
    r"(?P<no>\b\d{1,4}\s?[a-zA-Z]?(?:\s?[-/]\s?\d{1,4})?)\s*,?\s*(?:in\s+)?"
    r"(?P<pc>(?<!\d)\d{5}(?!\d))\s+"
    r"(?P<city>[^\W\d_][^\W\d_.\-/ ]*(?:[ \-/][^\W\d_][^\W\d_.]*){0,3})"
)


def _street_before(words: list[str]) -> str | None:
    """The street name at the end of ``words`` (the words before a house number)."""
    if not words:
        return None
    last = words[-1]
    low = fold(last)
    if low.endswith(STREET_ENDINGS):
        before = [fold(w) for w in words[-3:-1]]
        if before[-2:] in (
            ["an", "der"],
            ["auf", "der"],
            ["auf", "dem"],
            ["an", "den"],
            ["in", "den"],
        ):
            return " ".join(words[-3:])
        if before and before[-1] in ("am", "im", "zum", "zur", "alte", "neue", "hohe", "lange"):
            return f"{words[-2]} {last}"
        return last
    for size in (4, 3, 2):
        if len(words) >= size and fold(words[-size]) in STREET_STARTS:
            return " ".join(words[-size:])
    if last[:1].isupper() and low not in ("ist", "lautet", "adresse", "anschrift"):
        return last
    return None


def find_address(text: str) -> Address | None:
    """A German address written as street, house number, postcode and city.

    >>> find_address("bin umgezogen nach Hauptstr. 5a 80331 München, bitte dorthin schicken")
    Address(street='Hauptstr. 5a', postcode='80331', city='München')
    >>> find_address("neue adresse ab 1.3.: am wiesengrund 4 33602 bielefeld")
    Address(street='am wiesengrund 4', postcode='33602', city='bielefeld')
    >>> find_address("Bahnhofstraße 22 in 20095 Hamburg")
    Address(street='Bahnhofstraße 22', postcode='20095', city='Hamburg')
    >>> find_address("ich wohne jetzt in Berlin") is None
    True
    """
    for m in _POSTCODE_CITY.finditer(text):
        before = re.sub(r"[,:;]", " ", text[: m.start("no")]).split()
        street = _street_before(before)
        if street is None:
            continue
        city_words = []
        for w in m.group("city").split():
            if fold(w).strip(".,!?") in CITY_STOP:
                break
            city_words.append(w.strip(".,!?"))
        if not city_words:
            continue
        number = re.sub(r"\s+", "", m.group("no"))
        return Address(f"{street} {number}", m.group("pc"), " ".join(city_words))
    return None


# --------------------------------------------------------------------------- contact

_CHANNEL_WORDS = {
    "email": r"e-?\s?mails?|\bmails?\b|\bemails?\b|per mail",
    "sms": r"\bsms\b|\btexts?\b|text messages?|kurznachricht",
    "letter": r"\bbriefe?n?\b|\bpost\b|schriftlich|\bletters?\b|\bin writing\b|write to me",
    "call": r"\banruf|\banrufen|\bangerufen|\btelefon|\bcall|\bphone|\bklingeln",
}
_REFUSE = re.compile(
    r"\b(?:keine|nicht mehr|nicht|kein|no more|no|don'?t|do not|never|niemals|ohne)\s+"
    r"(?:mehr\s+|more\s+|me\s+|send me\s+|bitte\s+|per\s+|auf\s+\w+\s+|so\s+\w+\s+)?"
    r"(e-?\s?mails?|mails?|emails?|sms|texts?|briefe?|post|anrufe?n?|angerufen|telefon\w*|calls?|"
    r"anrufen|phone)"
)
_CHANNEL_OF = (
    ("email", re.compile(r"e-?\s?mails?|mails?|emails?")),
    ("sms", re.compile(r"sms|texts?")),
    ("letter", re.compile(r"briefe?|post")),
    ("call", re.compile(r"anruf\w*|angerufen|telefon\w*|calls?|phone")),
)


def _channel_of(word: str) -> str | None:
    return next((c for c, p in _CHANNEL_OF if p.fullmatch(word)), None)


def find_contact(low: str) -> ContactWish:
    """Channels wanted or refused and hours.

    >>> find_contact("bitte keine anrufe mehr, nur per e-mail")
    ContactWish(wanted=('email',), refused=('call',), hours=None, unsupported=())
    >>> find_contact("rufen sie mich bitte nur nach 18 uhr an").hours
    (18, 24)
    >>> find_contact("anrufe bitte nur zwischen 9 und 12 uhr")
    ContactWish(wanted=('call',), refused=(), hours=(9, 12), unsupported=())
    """
    refused: list[str] = []
    for m in _REFUSE.finditer(low):
        channel = _channel_of(m.group(1))
        if channel and channel not in refused:
            refused.append(channel)
    masked = _REFUSE.sub(" ", low)
    wanted = [c for c, p in _CHANNEL_WORDS.items() if re.search(p, masked) and c not in refused]
    unsupported = ["whatsapp"] if "whatsapp" in low else []
    return ContactWish(tuple(wanted), tuple(refused), find_hours(low), tuple(unsupported))


def find_hours(low: str) -> tuple[int, int] | None:
    """Hours named as a window (``earliest``, ``latest``; 24 = midnight).

    >>> find_hours("zwischen 9 und 12 uhr"), find_hours("vor 10 uhr nicht"), find_hours("abends")
    ((9, 12), (10, 24), (17, 21))
    """
    m = re.search(
        r"\b(?:zwischen|von|between)\s(\d{1,2})(?:\s?uhr)?\s(?:und|bis|and|-)\s(\d{1,2})", low
    )
    if m and 0 <= int(m.group(1)) < int(m.group(2)) <= 24:
        return int(m.group(1)), int(m.group(2))
    m = re.search(
        r"\bnicht (?:vor|before)\s(\d{1,2})|\b(?:vor|before)\s(\d{1,2})\s?(?:uhr)?\s?nicht", low
    )
    if m:
        hour = int(m.group(1) or m.group(2))
        return (hour, 24) if 0 < hour < 24 else None
    m = re.search(r"\b(?:nach|ab|after|from)\s(\d{1,2})(?:\s?uhr|\s?pm|:00)?", low)
    if m and re.search(r"uhr|pm|:00|anruf|call", low):
        hour = int(m.group(1))
        hour = hour + 12 if "pm" in low[m.start() : m.end() + 3] and hour < 12 else hour
        return (hour, 24) if 0 < hour < 24 else None
    m = re.search(r"\b(?:vor|before)\s(\d{1,2})\s?uhr", low)
    if m:
        hour = int(m.group(1))
        return (0, hour) if 0 < hour <= 24 else None
    named = (
        (r"vormittags|morgens|in the morning", (8, 12)),
        (r"mittags|mittagspause|lunch", (12, 14)),
        (r"nachmittags|afternoon", (13, 18)),
        (r"abends|am abend|nach feierabend|nach der arbeit|in the evening|evenings", (17, 21)),
    )
    for pattern, window in named:
        if re.search(pattern, low):
            return window
    return None


def find_email(text: str) -> str | None:
    """An e-mail address.

    >>> find_email("schreibt mir an Max.Mueller@web.de bitte")
    'Max.Mueller@web.de'
    """
    m = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}", text)
    return m.group(0) if m else None


def find_phone(text: str) -> str | None:
    """A German phone number (``0171 2345678``, ``+49 160 5554433``), digits only with a
    leading ``+`` kept.

    >>> find_phone("erreichbar unter 0151/98765432"), find_phone("am 15.01.2026") is None
    ('015198765432', True)
    """
    m = re.search(r"(?<![\d.])(\+49|0049|0)[\s/-]?\d{2,5}(?:[\s/-]?\d{2,}){1,3}(?![\d.])", text)
    if not m:
        return None
    digits = re.sub(r"[^\d+]", "", m.group(0))
    return digits if 8 <= len(digits.lstrip("+")) <= 15 else None
