"""Realistic noisy bank statements with ground truth, for tests, the matching bench and the
calibration of the matcher's confidence.

Seeded and deterministic. :func:`generate_open_items` makes a :class:`Portfolio`: cases
with our case numbers (``MW-00000123-20``, sequential, so a one-digit typo usually hits
another existing case; one in ten migrated from an earlier system as ``MW-2023-004711``
without check digits), 40 creditors with their invoice-number formats (numbers of different
creditors collide, as real ones do), each case's principal, costs, accrued interest and
interest per day, debtors with German names (many namesakes), their own accounts (valid
German IBANs; about 60 % *established* by earlier payments, a mandate or the portal, the
rest only typed in by the creditor, which the matcher must not use), relatives as known
payers (half of them learned), payment plans, and a few traps: namesakes with the same
amount, consecutive case numbers with the same amount, and copies of a case made by another
creditor (issue 20's attack). :func:`generate_entries` then makes what arrives on the
agency's account:

==================  =========================================================
scenario            what the entry looks like
==================  =========================================================
``exact``           case number in a usual form
``format``          case number with O/0 or I/1 confusion, blanks, no dashes, no MW,
                    leading zeros dropped, split over two remittance lines
``typo``            one digit wrong, missing, extra or two swapped
``invoice``         only the creditor's invoice number, as people type it: O/0, I/l/1,
                    S/5, B/8, a blank inside, hyphens added or dropped, prefix missing
``iban_only``       no reference; the debtor's established account; an amount that fits
``own_account``     the debtor's established account, one open case, a relative's name,
                    "Zahlung", any amount (issue 22, second example)
``typed_account``   no reference, only an account the creditor typed in (never counts):
                    a review by rule
``third_party``     a relative or stranger pays from an unknown account, with reference
``learned``         a relative's account confirmed before (learned), no reference
``split``           one payment for two or three cases of one debtor (sum of balances)
``multi_ref``       several cases named: the amount is the sum of their balances (today or
                    at the value date) or of their invoices, or fits no sum (first named
                    first, the rest oldest first)
``two_fit``         the debtor has two cases with the same balance
``return``          Rücklastschrift with reason code, sometimes with a fee
``unrelated``       refunds, interest, rent, salaries, namesakes paying something else
``namesake``        hard negative: another debtor has the same name and the same amount
``same_amount``     hard negative: a typo turns the number into the neighbouring case's,
                    which has the same amount; the check digits are the right case's
``foreign_ref``     hard negative: the invoice number also exists at another creditor
``copycat``         issue 20: another creditor copied the case (invoice number, name,
                    amount); the right outcome is a review showing both
==================  =========================================================

Amounts vary as people pay: the instalment, the balance at the value date, the balance of the
index day, the full invoice amount without interest and costs, the balance less the costs,
or a part.

The labels say which case(s) each entry belongs to and with which amounts; ``review`` marks
entries whose right outcome is a review by rule: two creditors' cases fit; two identical
cases of the debtor and no word which; only what a creditor typed in (name, amount, an
account the creditor gave) points to the case; a split over several creditors' cases not
all named by our case number; an overpayment. :func:`to_camt053` and :func:`to_mt940` write
the entries as files that :mod:`~mahnwerk.banking.camt` and :mod:`~mahnwerk.banking.mt940`
read back; a line break in a generated remittance marks a new ``Ustrd`` line.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from mahnwerk.banking.iban import iban_check_digits
from mahnwerk.banking.matching import (
    Allocation,
    Candidate,
    LearnedPayer,
    OpenItem,
    canonical,
    decide,
    value_date_balance,
)
from mahnwerk.banking.statement import BankEntry, Sign
from mahnwerk.domain.case_reference import case_reference
from mahnwerk.domain.money import ZERO

FIRST_NAMES = [
    "Jürgen",
    "Erika",
    "Max",
    "Anna",
    "Lukas",
    "Sophie",
    "Jörg",
    "Müzeyyen",
    "Özlem",
    "Hans",
    "Petra",
    "Stefan",
    "Sabine",
    "Thomas",
    "Andrea",
    "Michael",
    "Claudia",
    "Frank",
    "Monika",
    "Klaus",
    "Ursula",
    "Uwe",
    "Birgit",
    "Ralf",
    "Karin",
    "Dieter",
    "Heike",
    "Wolfgang",
    "Susanne",
    "Bernd",
    "Gabriele",
    "Jan",
    "Lena",
    "Tim",
    "Julia",
    "Paul",
    "Marie",
    "Felix",
    "Laura",
    "Jonas",
    "Emma",
    "Leon",
    "Mia",
    "Ben",
    "Hannah",
    "Elias",
    "Lea",
    "Noah",
    "Clara",
    "Björn",
    "Sören",
    "Ümit",
    "Gül",
    "Ayşe",
    "Mehmet",
    "Zoë",
]
SURNAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Schubert",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Frank",
    "Berger",
    "Winkler",
    "Roth",
    "Beck",
    "Lorenz",
    "Baumann",
    "Franke",
    "Albrecht",
    "Schuster",
    "Simon",
    "Ludwig",
    "Böhm",
    "Winter",
    "Kraus",
    "Martin",
    "Schumacher",
    "Krämer",
    "Vogt",
    "Stein",
    "Jäger",
    "Otto",
    "Sommer",
    "Groß",
    "Seidel",
    "Heinrich",
    "Brandt",
    "Haas",
    "Schreiber",
    "Graf",
    "Schulte",
    "Dietrich",
    "Ziegler",
    "Kuhn",
    "Kühn",
    "Pohl",
    "Engel",
    "Horn",
    "Busch",
    "Bergmann",
    "Thomas",
    "Voigt",
    "Sauer",
    "Arnold",
    "Wolff",
    "Pfeiffer",
    "Müßig",
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Popescu",
    "Rossi",
    "Ferrari",
]
BANK_CODES = ("37050198", "20050550", "23050101", "24050110", "12030000")  # method 00
SCENARIOS = {
    "exact": 0.37,
    "format": 0.07,
    "typo": 0.07,
    "invoice": 0.07,
    "iban_only": 0.06,
    "own_account": 0.02,
    "typed_account": 0.01,
    "third_party": 0.05,
    "learned": 0.02,
    "split": 0.04,
    "multi_ref": 0.03,
    "two_fit": 0.03,
    "return": 0.04,
    "unrelated": 0.06,
    "namesake": 0.015,
    "same_amount": 0.015,
    "foreign_ref": 0.015,
    "copycat": 0.005,
}
RETURN_REASONS = ("AC04", "MD06", "AM04", "MS03", "AC06", "MD07")
AGENCY_IBAN = "DE02120300000000202051"
N_CREDITORS = 40
INVOICE_FORMATS = (
    "RE-{y}-{n:05d}",
    "R{n:07d}",
    "{n:08d}",
    "INV-{n:06d}",
    "RG {y}/{n:05d}",
    "RE-{n}",
)
COSTS = ("0", "0", "0", "5.00", "7.50", "12.00", "25.50", "59.40", "83.54")
RATES = ("0", "5.12", "5.27", "8.12", "9.12", "12.00")  # percent a year; 0: no interest
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Label:
    """Ground truth of one generated entry (same position in the entry list).

    ``review``: the right outcome is a review by rule, whatever the debtor meant (the
    remittance fits cases of two creditors, or two identical cases and no word which one).
    """

    scenario: str
    allocations: tuple[Allocation, ...]
    review: bool = False

    @property
    def belongs_to_case(self) -> bool:
        return bool(self.allocations)

    @property
    def decidable(self) -> bool:
        """Belongs to a case and the entry alone justifies booking it: has a right answer."""
        return bool(self.allocations) and not self.review


@dataclass(frozen=True)
class Account:
    iban: str
    established: bool


@dataclass(frozen=True)
class Portfolio:
    """Open items plus what the generator knows about them and the matcher does not."""

    items: tuple[OpenItem, ...]
    learned: tuple[LearnedPayer, ...]
    accounts: Mapping[str, tuple[Account, ...]]  # debtor → own accounts
    as_of: date
    twins: tuple[tuple[int, int], ...] = ()  # namesakes with the same amount (item indexes)
    neighbours: tuple[tuple[int, int], ...] = ()  # case numbers n-1, n with the same amount
    copies: tuple[tuple[int, int], ...] = ()  # original, copy by another creditor


@dataclass(frozen=True)
class GeneratedSet:
    items: tuple[OpenItem, ...]
    learned: tuple[LearnedPayer, ...]
    entries: tuple[BankEntry, ...]
    labels: tuple[Label, ...]
    account_iban: str = AGENCY_IBAN
    as_of: date | None = None


def _luhn_account(rng: random.Random) -> str:
    body = f"{rng.randrange(10**8, 10**9):09d}"
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return body + str((10 - total % 10) % 10)


def random_iban(rng: random.Random) -> str:
    """A valid German IBAN (check digits and national check digit method 00)."""
    bban = rng.choice(BANK_CODES) + _luhn_account(rng)
    return f"DE{iban_check_digits('DE', bban)}{bban}"


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)).scaleb(-2)


def _name(rng: random.Random, surname: str | None = None) -> str:
    return f"{rng.choice(FIRST_NAMES)} {surname or rng.choice(SURNAMES)}"


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class _Amounts:
    invoices: tuple[Decimal, ...]
    costs: Decimal
    interest: Decimal
    per_day: Decimal
    days: int

    @property
    def principal(self) -> Decimal:
        return sum(self.invoices, ZERO)

    @property
    def balance(self) -> Decimal:
        return self.principal + self.costs + self.interest


def _amounts(rng: random.Random, n_invoices: int, rates: Sequence[str] = RATES) -> _Amounts:
    principal = _cents(rng, 20, 3000)
    if n_invoices == 2 and principal > Decimal("40"):
        first = _money(principal * Decimal(rng.randint(20, 80)) / 100)
        invoices: tuple[Decimal, ...] = (first, principal - first)
    else:
        invoices = (principal,)
    rate = Decimal(rng.choice(rates))
    days = rng.randint(30, 900)
    per_day = (principal * rate / 100 / 365).quantize(Decimal("0.000001"))
    interest = _money(principal * rate / 100 * days / 365)
    return _Amounts(invoices, Decimal(rng.choice(COSTS)), interest, per_day, days)


def generate_open_items(
    n_items: int,
    seed: int = 1,
    *,
    as_of: date = date(2025, 11, 24),
    years: Sequence[int] = (2021, 2022, 2023, 2024, 2025),
    legacy_share: float = 0.1,
    rates: Sequence[str] = RATES,
) -> Portfolio:
    """Open items for ``n_items`` cases, about 1.4 cases per debtor, learned payers and the
    debtors' accounts. ``rates`` (percent a year) are drawn for the cases' interest; ``("0",)``
    makes a portfolio without interest (one a store can hold exactly)."""
    rng = random.Random(seed)
    items: list[OpenItem] = []
    learned: list[LearnedPayer] = []
    accounts: dict[str, tuple[Account, ...]] = {}
    twins: list[tuple[int, int]] = []
    neighbours: list[tuple[int, int]] = []
    copies: list[tuple[int, int]] = []
    serial = dict.fromkeys(years, 0)
    counters = [rng.randrange(1000, 50000) for _ in range(N_CREDITORS)]
    number_of: dict[int, int] = {}  # case number → item index
    amounts_of: list[_Amounts] = []
    case_no = 0
    debtor_no = 0

    def invoice_numbers(creditor: int, year: int, n: int) -> tuple[str, ...]:
        out = []
        for _ in range(n):
            counters[creditor] += rng.randrange(1, 5)
            fmt = INVOICE_FORMATS[creditor % len(INVOICE_FORMATS)]
            out.append(fmt.format(y=year - rng.choice((0, 1)), n=counters[creditor]))
        return tuple(out)

    def add(item: OpenItem, amounts: _Amounts, number: int) -> int:
        items.append(item)
        amounts_of.append(amounts)
        if number:
            number_of[number] = len(items) - 1
        return len(items) - 1

    def item_for(
        debtor_id: str,
        name: str,
        ibans: tuple[str, ...],
        payers: tuple[str, ...],
        creditor: int,
        amounts: _Amounts,
        invoices: tuple[str, ...],
        ref: str,
        instalment: Decimal | None,
    ) -> OpenItem:
        return OpenItem(
            case_id=f"C{len(items) + 1:07d}",
            debtor_id=debtor_id,
            case_reference=ref,
            open_balance=amounts.balance,
            invoice_numbers=invoices,
            debtor_names=(name,),
            payer_names=payers,
            ibans=ibans,
            instalment_due=instalment,
            creditor_id=f"G{creditor:02d}",
            invoice_amounts=amounts.invoices[: len(invoices)],
            principal=amounts.principal,
            costs=amounts.costs,
            interest_per_day=amounts.per_day,
            default_from=as_of - timedelta(days=amounts.days),
        )

    while len(items) < n_items:
        debtor_no += 1
        debtor_id = f"P{debtor_no:07d}"
        twin_of = None
        if items and rng.random() < 0.01:  # a namesake of an earlier debtor
            twin_of = rng.randrange(len(items))
            name = items[twin_of].debtor_names[0]
            surname = name.partition(" ")[2]
        else:
            surname = rng.choice(SURNAMES)
            name = _name(rng, surname)
        roll = rng.random()
        own = [random_iban(rng)] if roll < 0.8 else []
        if roll < 0.1:
            own.append(random_iban(rng))
        accs = tuple(Account(i, rng.random() < 0.6) for i in own)
        accounts[debtor_id] = accs
        ibans = tuple(a.iban for a in accs if a.established)
        payers: tuple[str, ...] = ()
        if rng.random() < 0.15:
            payers = (_name(rng, surname),)
            if rng.random() < 0.5:
                learned.append(LearnedPayer(debtor_id, iban=random_iban(rng), name=payers[0]))
        n_cases = rng.choices((1, 2, 3, 4), weights=(70, 20, 7, 3))[0]
        creditor = rng.randrange(N_CREDITORS)
        first_idx = -1
        for k in range(min(n_cases, n_items - len(items))):
            if k and rng.random() >= 0.6:
                creditor = rng.randrange(N_CREDITORS)
            year = rng.choice(list(years))
            if rng.random() < legacy_share:
                serial[year] += 1
                ref, number = f"MW-{year}-{serial[year]:06d}", 0
            else:
                case_no += 1
                ref, number = case_reference(case_no), case_no
            amounts = _amounts(rng, rng.choice((1, 1, 2)), rates)
            if k and rng.random() < 0.15:  # the amount fits two cases of the debtor
                amounts = replace(amounts_of[first_idx])
            elif k == 0 and twin_of is not None and rng.random() < 0.5:
                amounts = replace(amounts_of[twin_of])
            elif number % 10 and rng.random() < 0.01:  # n-1 and n differ in one digit
                prev = number_of.get(number - 1)
                if prev is not None and items[prev].debtor_id != debtor_id:
                    amounts = replace(amounts_of[prev])
                    neighbours.append((prev, len(items)))
            invoices = invoice_numbers(creditor, year, len(amounts.invoices))
            instalment = None
            if rng.random() < 0.3:
                instalment = max(
                    Decimal("10.00"),
                    (amounts.balance / rng.choice((3, 6, 10, 12))).quantize(Decimal("1")),
                )
            idx = add(
                item_for(
                    debtor_id, name, ibans, payers, creditor, amounts, invoices, ref, instalment
                ),
                amounts,
                number,
            )
            if k == 0:
                first_idx = idx
                if twin_of is not None and amounts_of[twin_of].balance == amounts.balance:
                    twins.append((twin_of, idx))
            if rng.random() < 0.0005 and len(items) < n_items:  # another creditor copies it
                debtor_no += 1
                case_no += 1
                original = items[idx]
                copy = item_for(
                    f"P{debtor_no:07d}", name, (), (), (creditor + 7) % N_CREDITORS,
                    amounts, original.invoice_numbers, case_reference(case_no), None,
                )  # fmt: skip
                accounts[copy.debtor_id] = ()
                copies.append((idx, add(copy, amounts, case_no)))
    return Portfolio(
        tuple(items), tuple(learned), accounts, as_of, tuple(twins), tuple(neighbours),
        tuple(copies),
    )  # fmt: skip


# ------------------------------------------------------------------------ noise


def _spell_name(rng: random.Random, name: str) -> str:
    first, _, last = name.partition(" ")
    roll = rng.random()
    if roll < 0.22:
        name = name.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss")
    elif roll < 0.34:
        name = f"{last}, {first}"
    elif roll < 0.42:
        name = name.upper()
    elif roll < 0.48:
        name = f"{last}, {first}".upper()
    elif roll < 0.55:
        name = f"{first[0]}. {last}"
    elif roll < 0.60:
        name = f"{name} und {rng.choice(FIRST_NAMES)} {last}"
    return name


def _format_ref(rng: random.Random, ref: str) -> str:
    return rng.choice(
        (
            ref,
            f"Az. {ref}",
            f"Aktenzeichen {ref}",
            f"AZ: {ref}",
            f"Ihr Zeichen {ref}",
            ref.replace("-", " "),
        )
    )


def _garble_format(rng: random.Random, ref: str) -> str:
    _head, middle, tail = ref.split("-")
    roll = rng.random()
    if roll < 0.2:
        return f"MW{middle}{tail}".replace("0", "O", rng.randint(1, 3))
    if roll < 0.35:
        return ref.replace("1", "I") if "1" in ref else ref.replace("0", "O")
    if roll < 0.5:
        return f"MW {middle} {tail}" if len(tail) == 2 else f"MW {middle} {tail[:3]} {tail[3:]}"
    if roll < 0.65:
        cut = rng.randint(4, len(ref) - 2)
        return f"{ref[:cut]}\n{ref[cut:]}"
    if roll < 0.75:
        return f"mw{middle}{tail}"
    if len(tail) == 2:  # ours: leading zeros dropped, or no MW
        if roll < 0.88:
            return f"MW-{int(middle)}-{tail}"
        return f"{middle}-{tail}" if roll < 0.94 else f"{middle}{tail}"
    return f"{middle}-{tail}"


def typo(rng: random.Random, ref: str) -> str:
    """One edit in the digits of the case number: substitute, delete, insert or swap (in
    our numbers mostly in the serial, now and then in the check digits)."""
    parts = ref.split("-")
    pos_group = 1 if len(parts[-1]) == 2 and rng.random() < 0.85 else len(parts) - 1
    digits = list(parts[pos_group])
    op = rng.choice(("sub", "del", "ins", "swap"))
    pos = rng.randrange(len(digits))
    if op == "sub":
        digits[pos] = rng.choice([d for d in "0123456789" if d != digits[pos]])
    elif op == "del":
        del digits[pos]
    elif op == "ins":
        digits.insert(pos, rng.choice("0123456789"))
    else:
        pairs = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
        if pairs:
            i = rng.choice(pairs)
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
        else:
            digits[pos] = "9" if digits[pos] != "9" else "8"
    parts[pos_group] = "".join(digits)
    return "-".join(parts)


_CONFUSE = {"0": "O", "1": "I", "5": "S", "8": "B"}


def garble_invoice(rng: random.Random, number: str) -> str:
    """An invoice number as people type it: one or two of O/0, I/l/1, S/5, B/8, a blank
    inside the digits, hyphens dropped or added, the prefix left out, lower case."""
    text = number
    for _ in range(rng.choice((1, 1, 2))):
        roll = rng.random()
        if roll < 0.35:
            spots = [i for i, ch in enumerate(text) if ch in _CONFUSE]
            if spots:
                i = rng.choice(spots)
                sub = _CONFUSE[text[i]]
                sub = "l" if sub == "I" and rng.random() < 0.4 else sub
                text = text[:i] + sub + text[i + 1 :]
        elif roll < 0.55:
            spots = [i for i in range(1, len(text)) if text[i].isdigit() and text[i - 1].isdigit()]
            if spots:
                i = rng.choice(spots)
                text = text[:i] + " " + text[i:]
        elif roll < 0.7:
            text = text.replace("-", "") if "-" in text else text.replace(" ", "-")
        elif roll < 0.85:
            last = max((i for i, ch in enumerate(text) if ch.isalpha()), default=-1)
            rest = text[last + 1 :].lstrip(" -/")
            if sum(ch.isdigit() for ch in rest) >= 5:
                text = rest
        else:
            text = text.lower()
    return text


UNRELATED_CREDITS = (
    ("Telekom Deutschland GmbH", "Erstattung Kundenkonto 4471188 Gutschrift"),
    ("Finanzamt Köln-Mitte", "Erstattung Umsatzsteuer 2024"),
    ("Allianz Versicherungs-AG", "Beitragsrückerstattung Vertrag 55-1234567"),
    ("Deutsche Bank AG", "Zinsgutschrift Kontoabschluss"),
)
UNRELATED_DEBITS = (
    ("Hausverwaltung Lindner GmbH", "Miete Büro Dezember"),
    ("Stadtwerke Köln GmbH", "Abschlag Strom Kundennr 778812"),
    ("Payroll Lohnbuchhaltung", "Gehalt November"),
    ("Büromarkt Böttcher AG", "Rechnung 2025-88123 Büromaterial"),
)
NAMESAKE_TEXTS = ("Miete Dezember", "Geschenk", "Rueckzahlung Darlehen", "Kaution", "Danke")


# ---------------------------------------------------------------------- entries


@dataclass
class _World:
    """What the entry scenarios draw from."""

    rng: random.Random
    portfolio: Portfolio
    by_debtor: dict[str, list[int]] = field(default_factory=dict)
    multi: list[str] = field(default_factory=list)
    same_creditor_multi: list[tuple[str, str]] = field(default_factory=list)
    same_balance: list[str] = field(default_factory=list)
    established: list[int] = field(default_factory=list)  # items of debtors with one
    sole_established: list[int] = field(default_factory=list)
    typed: list[int] = field(default_factory=list)
    learned_by_debtor: dict[str, LearnedPayer] = field(default_factory=dict)
    with_plan: list[int] = field(default_factory=list)
    shared_invoices: list[tuple[int, int]] = field(default_factory=list)  # item, invoice
    copied: set[int] = field(default_factory=set)  # items another creditor copied

    @property
    def items(self) -> tuple[OpenItem, ...]:
        return self.portfolio.items

    @staticmethod
    def build(rng: random.Random, p: Portfolio) -> _World:
        w = _World(rng, p)
        items = p.items
        copies = {c for _, c in p.copies}
        w.copied = {o for o, _ in p.copies}
        for i, it in enumerate(items):
            if i not in copies:
                w.by_debtor.setdefault(it.debtor_id, []).append(i)
        for d, idxs in w.by_debtor.items():
            accs = p.accounts.get(d, ())
            if len(idxs) >= 2:
                w.multi.append(d)
                if len({items[i].open_balance for i in idxs}) < len(idxs):
                    w.same_balance.append(d)
                by_creditor: dict[str, int] = {}
                for i in idxs:
                    by_creditor[items[i].creditor_id] = by_creditor.get(items[i].creditor_id, 0) + 1
                w.same_creditor_multi += [(d, c) for c, k in by_creditor.items() if k >= 2]
            if any(a.established for a in accs):
                w.established.extend(idxs)
                if len(idxs) == 1:
                    w.sole_established.append(idxs[0])
            if any(not a.established for a in accs):
                w.typed.extend(idxs)
        w.learned_by_debtor = {lp.debtor_id: lp for lp in p.learned}
        w.with_plan = [i for i, it in enumerate(items) if it.instalment_due is not None]
        holders: dict[str, list[tuple[int, int]]] = {}
        for i, it in enumerate(items):
            if i in copies:
                continue
            for j, inv in enumerate(it.invoice_numbers):
                holders.setdefault(canonical(inv), []).append((i, j))
        for hs in holders.values():
            if len({items[i].creditor_id for i, _ in hs}) >= 2:
                w.shared_invoices.extend(hs)
        return w

    def own_iban(self, item: OpenItem, established: bool | None = None) -> str:
        accs = [
            a for a in self.portfolio.accounts.get(item.debtor_id, ())
            if established is None or a.established == established
        ]  # fmt: skip
        return self.rng.choice(accs).iban if accs else ""


def _days(w: _World, day: date) -> int:
    return max(0, (w.portfolio.as_of - day).days)


def _vd_balance(item: OpenItem, days: int) -> Decimal:
    return value_date_balance(item.open_balance, item.interest_per_day, days)


def _amount_for(rng: random.Random, item: OpenItem, days: int, *, partial: bool = True) -> Decimal:
    """What a debtor pays: the instalment, the balance at the value date or of today, the
    invoice amount, the balance less the costs, or (``partial``) a part of it."""
    if item.instalment_due is not None and rng.random() < 0.55:
        return item.instalment_due
    roll = rng.random()
    if not partial:
        roll *= 0.8
    if roll < 0.5:
        return _vd_balance(item, days)
    if roll < 0.58:
        return item.open_balance
    if roll < 0.7 and item.principal is not None:
        return item.principal
    if roll < 0.8 and item.costs > 0:
        return item.open_balance - item.costs
    if roll < 0.8 or item.open_balance <= Decimal("11"):
        return item.open_balance
    fits = {
        item.open_balance, item.instalment_due, item.principal, _vd_balance(item, days),
        item.open_balance - item.costs,
    }  # fmt: skip
    for _ in range(5):
        part = _cents(rng, 10, int(item.open_balance))
        if part not in fits:
            return part
    return item.open_balance


def _sum_by_order(
    items: Sequence[OpenItem], named: Sequence[int], amount: Decimal
) -> tuple[Allocation, ...]:
    """First named first, the rest oldest first, each up to its balance (an excess, which
    makes the entry a case for review, on the first)."""
    first = named[0]
    rest = sorted(named[1:], key=lambda i: (items[i].default_from or date.max, i))
    left = amount
    parts: dict[int, Decimal] = {}
    for i in (first, *rest):
        if left <= 0:
            break
        take = min(left, items[i].open_balance)
        parts[i] = take
        left -= take
    parts[first] += left
    return _alloc(*((items[i], a) for i, a in parts.items() if a > 0))


def _alloc(*pairs: tuple[OpenItem, Decimal]) -> tuple[Allocation, ...]:
    return tuple(sorted((Allocation(it.case_id, a) for it, a in pairs), key=lambda a: a.case_id))


def _is_ours(ref: str) -> bool:
    return len(ref.split("-")[-1]) == 2


def generate_entries(
    portfolio: Portfolio,
    n_entries: int,
    seed: int = 2,
    *,
    start: date | None = None,
) -> tuple[list[BankEntry], list[Label]]:
    """``n_entries`` entries booked over the 20 days before the portfolio's ``as_of``."""
    rng = random.Random(seed)
    world = _World.build(rng, portfolio)
    first_day = start or portfolio.as_of - timedelta(days=21)
    scenarios = list(SCENARIOS)
    weights = list(SCENARIOS.values())
    entries: list[BankEntry] = []
    labels: list[Label] = []
    for n in range(n_entries):
        scenario = rng.choices(scenarios, weights)[0]
        booking = first_day + timedelta(days=n * 20 // max(n_entries, 1))
        value = booking - timedelta(days=rng.choice((0, 0, 0, 0, 1, 2)))
        base = BankEntry(
            amount=ZERO,
            sign=Sign.CREDIT,
            booking_date=booking,
            value_date=value,
            bank_reference=f"{booking:%Y%m%d}{n:08d}",
            bank_transaction_code="PMNT/RCDT/ESCT",
        )
        entry, label = _one(world, scenario, base)
        entries.append(entry)
        labels.append(label)
    return entries, labels


def _one(w: _World, scenario: str, base: BankEntry) -> tuple[BankEntry, Label]:
    make = _SCENARIO_MAKERS.get(scenario)
    if make is not None:
        got = make(w, base)
        if got is not None:
            entry, allocs, review = got
            return entry, Label(scenario, allocs, review)
    if scenario not in _SIMPLE:
        scenario = "exact"  # the portfolio has nothing for it (no copies, no namesakes)
    entry, allocs, review = _simple(w, scenario, base)
    return entry, Label(scenario, allocs, review)


_SIMPLE = ("exact", "format", "typo", "invoice", "third_party")


def _simple(
    w: _World, scenario: str, base: BankEntry
) -> tuple[BankEntry, tuple[Allocation, ...], bool]:
    rng = w.rng
    pick = rng.randrange(len(w.items))
    item = w.items[pick]
    days = _days(w, base.value_date or base.booking_date)
    amount = _amount_for(rng, item, days)
    payer = _spell_name(rng, item.debtor_names[0])
    own = w.own_iban(item)
    iban = own if own and rng.random() < 0.85 else random_iban(rng)
    extra = rng.choice(("", " Rate", " Teilzahlung", f" Rg {item.invoice_numbers[0]}", " Danke"))
    if scenario == "exact":
        text = _format_ref(rng, item.case_reference) + extra
    elif scenario == "format":
        text = _garble_format(rng, item.case_reference) + extra
    elif scenario == "typo":
        text = _format_ref(rng, typo(rng, item.case_reference)) + extra
    elif scenario == "invoice":
        inv = rng.choice(item.invoice_numbers)
        if rng.random() < 0.8:
            inv = garble_invoice(rng, inv)
        text = rng.choice(
            (
                f"Rechnung {inv}",
                f"Rg.-Nr. {inv}",
                inv,
                f"RE {inv} Mahnung",
                f"Rechnung {inv} Teilzahlung",
            )
        )
        iban = own if own and rng.random() < 0.6 else random_iban(rng)
    else:  # third_party
        payer = item.payer_names[0] if item.payer_names else _name(rng)
        iban = random_iban(rng)
        text = f"{_format_ref(rng, item.case_reference)} fuer {item.debtor_names[0]}"
    e = replace(
        base, amount=amount, counterparty_name=payer, counterparty_iban=iban, remittance=text
    )
    # another creditor copied this case: its invoice number fits both (issue 20)
    review = scenario == "invoice" and pick in w.copied
    return e, _alloc((item, amount)), review


_Made = tuple[BankEntry, tuple[Allocation, ...], bool] | None


def _iban_only(w: _World, base: BankEntry) -> _Made:
    if not w.established:
        return None
    rng = w.rng
    item = w.items[rng.choice(w.established)]
    days = _days(w, base.value_date or base.booking_date)
    sole = len(w.by_debtor[item.debtor_id]) == 1
    amount = _amount_for(rng, item, days, partial=sole)
    text = rng.choice(("Zahlung", "Rate", "Ueberweisung", "Inkasso", ""))
    e = replace(
        base, amount=amount, counterparty_name=_spell_name(rng, item.debtor_names[0]),
        counterparty_iban=w.own_iban(item, True), remittance=text,
    )  # fmt: skip
    siblings = [w.items[i] for i in w.by_debtor[item.debtor_id] if w.items[i] is not item]
    ambiguous = any(_fits(s, amount, days) for s in siblings)
    return e, _alloc((item, amount)), ambiguous


def _fits(item: OpenItem, amount: Decimal, days: int) -> bool:
    return amount in (
        item.open_balance, item.instalment_due, item.principal, _vd_balance(item, days),
        item.open_balance - item.costs,
    )  # fmt: skip


def _own_account(w: _World, base: BankEntry) -> _Made:
    """Issue 22, second example: a relative pays from the debtor's own known account."""
    if not w.sole_established:
        return None
    rng = w.rng
    item = w.items[rng.choice(w.sole_established)]
    days = _days(w, base.value_date or base.booking_date)
    surname = item.debtor_names[0].partition(" ")[2]
    payer = _name(rng, surname if rng.random() < 0.5 else None)
    e = replace(
        base, amount=_amount_for(rng, item, days), counterparty_name=payer,
        counterparty_iban=w.own_iban(item, True),
        remittance=rng.choice(("Zahlung", "", "Ueberweisung")),
    )  # fmt: skip
    return e, _alloc((item, e.amount)), False


def _typed_account(w: _World, base: BankEntry) -> _Made:
    if not w.typed:
        return None
    rng = w.rng
    item = w.items[rng.choice(w.typed)]
    days = _days(w, base.value_date or base.booking_date)
    e = replace(
        base, amount=_amount_for(rng, item, days, partial=False),
        counterparty_name=_spell_name(rng, item.debtor_names[0]),
        counterparty_iban=w.own_iban(item, False), remittance=rng.choice(("Zahlung", "Rate", "")),
    )  # fmt: skip
    # nothing but what a creditor typed in (name, amount, account): a review by rule
    return e, _alloc((item, e.amount)), True


def _learned(w: _World, base: BankEntry) -> _Made:
    if not w.learned_by_debtor:
        return None
    rng = w.rng
    lp = w.learned_by_debtor[rng.choice(list(w.learned_by_debtor))]
    idxs = w.by_debtor.get(lp.debtor_id)
    if not idxs:
        return None
    item = w.items[idxs[0]]
    days = _days(w, base.value_date or base.booking_date)
    amount = item.instalment_due or _vd_balance(item, days)
    e = replace(
        base, amount=amount, counterparty_name=lp.name, counterparty_iban=lp.iban,
        remittance=rng.choice(("Zahlung", "Rate", f"fuer {item.debtor_names[0]}")),
    )  # fmt: skip
    siblings = [w.items[i] for i in idxs[1:]]
    ambiguous = any(_fits(s, amount, days) for s in siblings)
    return e, _alloc((item, amount)), ambiguous


def _split(w: _World, base: BankEntry) -> _Made:
    if not w.multi:
        return None
    rng = w.rng
    idxs = w.by_debtor[rng.choice(w.multi)]
    k = min(len(idxs), rng.choice((2, 2, 3)))
    chosen = [w.items[i] for i in rng.sample(idxs, k)]
    amount = sum((c.open_balance for c in chosen), ZERO)
    refs = [c.case_reference for c in chosen]
    named_all = rng.random() >= 0.3
    if not named_all:
        refs = refs[:1]
    first = chosen[0]
    text = " ".join(_format_ref(rng, r) for r in refs) + " Restzahlung"
    iban = w.own_iban(first, True) if rng.random() < 0.8 else ""
    e = replace(
        base, amount=amount, counterparty_name=_spell_name(rng, first.debtor_names[0]),
        counterparty_iban=iban or random_iban(rng), remittance=text,
    )  # fmt: skip
    creditors = {c.creditor_id for c in chosen}
    review = len(creditors) > 1 and not (named_all and all(_is_ours(r) for r in refs))
    return e, _alloc(*((c, c.open_balance) for c in chosen)), review


def _multi_ref(w: _World, base: BankEntry) -> _Made:
    """Issue 22, fourth example and its variants: several cases named in one text."""
    if not w.multi:
        return None
    rng = w.rng
    days = _days(w, base.value_date or base.booking_date)
    if w.same_creditor_multi and rng.random() < 0.7:
        debtor, creditor = rng.choice(w.same_creditor_multi)
        pool = [i for i in w.by_debtor[debtor] if w.items[i].creditor_id == creditor]
        by_invoice = True
    else:
        pool = w.by_debtor[rng.choice(w.multi)]
        by_invoice = False
    named = rng.sample(pool, min(len(pool), rng.choice((2, 2, 3))))
    items = [w.items[i] for i in named]
    mentions = []
    invoice_amounts = []
    for it in items:
        if by_invoice:
            j = rng.randrange(len(it.invoice_numbers))
            inv = it.invoice_numbers[j]
            mentions.append(garble_invoice(rng, inv) if rng.random() < 0.3 else inv)
            invoice_amounts.append(it.invoice_amounts[j])
        else:
            mentions.append(it.case_reference)
            invoice_amounts.append(it.principal or it.open_balance)
    roll = rng.random()
    if roll < 0.3:
        parts = [it.open_balance for it in items]
    elif roll < 0.5:
        parts = [_vd_balance(it, days) for it in items]
    elif roll < 0.7:
        parts = list(invoice_amounts)
    else:
        parts = []
    overpaid = False
    if parts:
        amount = sum(parts, ZERO)
        allocs = _alloc(*zip(items, parts, strict=True))
    else:
        total = sum((it.open_balance for it in items), ZERO)
        amount = _cents(rng, 10, max(11, int(total * Decimal("1.1"))))
        allocs = _sum_by_order(w.items, named, amount)
        overpaid = amount > total
    joiner = rng.choice((" ", " und ", ", ", " / "))
    prefix = rng.choice(("", "Rechnungen ", "Rg. ", "Az. "))
    text = prefix + joiner.join(mentions)
    first = items[0]
    e = replace(
        base, amount=amount, counterparty_name=_spell_name(rng, first.debtor_names[0]),
        counterparty_iban=w.own_iban(first) or random_iban(rng), remittance=text,
    )  # fmt: skip
    # cases of several creditors named: booking is safe only where every case that gets
    # money is named by our case number (the matcher's tenant rules)
    creditors = {it.creditor_id for it in items}
    paid = {a.case_id for a in allocs}
    review = len(creditors) > 1 and not all(
        _is_ours(m) for it, m in zip(items, mentions, strict=True) if it.case_id in paid
    )
    # more than every named case is open: an overpayment, which a person looks at
    return e, allocs, review or overpaid


def _two_fit(w: _World, base: BankEntry) -> _Made:
    if not w.same_balance:
        return None
    rng = w.rng
    idxs = w.by_debtor[rng.choice(w.same_balance)]
    balances = [w.items[i].open_balance for i in idxs]
    shared = [i for i, b in zip(idxs, balances, strict=True) if balances.count(b) > 1]
    target = w.items[rng.choice(shared)]
    with_ref = rng.random() < 0.7
    text = _format_ref(rng, target.case_reference) if with_ref else "Zahlung"
    e = replace(
        base, amount=target.open_balance,
        counterparty_name=_spell_name(rng, target.debtor_names[0]),
        counterparty_iban=w.own_iban(target) or random_iban(rng), remittance=text,
    )  # fmt: skip
    return e, _alloc((target, target.open_balance)), not with_ref


def _return(w: _World, base: BankEntry) -> _Made:
    if not w.with_plan:
        return None
    rng = w.rng
    item = w.items[rng.choice(w.with_plan)]
    assert item.instalment_due is not None
    fee = rng.choice((ZERO, Decimal("3.00"), Decimal("8.50")))
    reason = rng.choice(RETURN_REASONS)
    e = replace(
        base,
        amount=item.instalment_due + fee,
        sign=Sign.DEBIT,
        counterparty_name=item.debtor_names[0],
        counterparty_iban=w.own_iban(item) or random_iban(rng),
        remittance=f"RUECKLASTSCHRIFT {reason} {item.case_reference} Rate",
        end_to_end_id=f"{item.case_reference}-R{rng.randrange(1, 12):02d}",
        mandate_id=f"{item.case_reference}-M1",
        return_reason=reason,
        is_return=True,
        charges=fee,
        bank_transaction_code="PMNT/IDDT/UPDD",
    )
    return e, (Allocation(item.case_id, -item.instalment_due),), False


def _unrelated(w: _World, base: BankEntry) -> _Made:
    rng = w.rng
    if rng.random() < 0.25:  # a namesake of a debtor pays something else
        item = rng.choice(w.items)
        e = replace(
            base, amount=_cents(rng, 5, 4000), counterparty_name=item.debtor_names[0],
            counterparty_iban=random_iban(rng), remittance=rng.choice(NAMESAKE_TEXTS),
        )  # fmt: skip
        return e, (), False
    if rng.random() < 0.5:
        name, text = rng.choice(UNRELATED_CREDITS)
        sign = Sign.CREDIT
    else:
        name, text = rng.choice(UNRELATED_DEBITS)
        sign = Sign.DEBIT
    e = replace(
        base,
        amount=_cents(rng, 5, 4000),
        sign=sign,
        counterparty_name=name,
        counterparty_iban=random_iban(rng),
        remittance=text,
        bank_transaction_code="PMNT/RCDT/ESCT" if sign is Sign.CREDIT else "PMNT/ICDT/ESCT",
    )
    return e, (), False


def _namesake(w: _World, base: BankEntry) -> _Made:
    """Hard negative: another debtor has the same name and the same amount."""
    twins = w.portfolio.twins
    if not twins:
        return None
    rng = w.rng
    pair = rng.choice(twins)
    item = w.items[rng.choice(pair)]
    days = _days(w, base.value_date or base.booking_date)
    amount = rng.choice((item.open_balance, _vd_balance(item, days)))
    roll = rng.random()
    own = w.own_iban(item, True)
    if roll < 0.3 and own:
        text, iban = rng.choice(("Zahlung", "Rate", "")), own
    elif roll < 0.65:
        text, iban = _format_ref(rng, item.case_reference), random_iban(rng)
    elif roll < 0.8:
        text, iban = _format_ref(rng, typo(rng, item.case_reference)), random_iban(rng)
    else:
        text, iban = f"Rechnung {garble_invoice(rng, item.invoice_numbers[0])}", random_iban(rng)
    e = replace(
        base, amount=amount, counterparty_name=_spell_name(rng, item.debtor_names[0]),
        counterparty_iban=iban, remittance=text,
    )  # fmt: skip
    return e, _alloc((item, amount)), False


def _same_amount(w: _World, base: BankEntry) -> _Made:
    """Hard negative: a typo makes the number the neighbouring case's, which has the same
    amount; the check digits are those of the right case."""
    pairs = w.portfolio.neighbours
    if not pairs:
        return None
    rng = w.rng
    a, b = rng.choice(pairs)
    meant, other = (a, b) if rng.random() < 0.5 else (b, a)
    item, trap = w.items[meant], w.items[other]
    serial = trap.case_reference.split("-")[1]
    typed = f"MW-{serial}-{item.case_reference[-2:]}"
    payer = _spell_name(rng, item.debtor_names[0]) if rng.random() < 0.85 else _name(rng)
    own = w.own_iban(item)
    e = replace(
        base, amount=item.open_balance, counterparty_name=payer,
        counterparty_iban=own if own and rng.random() < 0.5 else random_iban(rng),
        remittance=_format_ref(rng, typed),
    )  # fmt: skip
    return e, _alloc((item, item.open_balance)), False


def _foreign_ref(w: _World, base: BankEntry) -> _Made:
    """Hard negative: the invoice number also exists at another creditor (another debtor)."""
    if not w.shared_invoices:
        return None
    rng = w.rng
    i, j = rng.choice(w.shared_invoices)
    item = w.items[i]
    days = _days(w, base.value_date or base.booking_date)
    amount = _amount_for(rng, item, days)
    inv = item.invoice_numbers[j]
    if rng.random() < 0.4:
        inv = garble_invoice(rng, inv)
    own = w.own_iban(item)
    e = replace(
        base, amount=amount, counterparty_name=_spell_name(rng, item.debtor_names[0]),
        counterparty_iban=own if own and rng.random() < 0.5 else random_iban(rng),
        remittance=rng.choice((f"Rechnung {inv}", f"Rg. {inv}", inv)),
    )  # fmt: skip
    return e, _alloc((item, amount)), False


def _copycat(w: _World, base: BankEntry) -> _Made:
    """Issue 20: another creditor copied the case; its debtor pays the original invoice."""
    copies = w.portfolio.copies
    if not copies:
        return None
    rng = w.rng
    original = w.items[rng.choice(copies)[0]]
    amount = rng.choice((original.open_balance, original.principal or original.open_balance))
    e = replace(
        base, amount=amount, counterparty_name=_spell_name(rng, original.debtor_names[0]),
        counterparty_iban=w.own_iban(original) or random_iban(rng),
        remittance=f"Rechnung {original.invoice_numbers[0]}",
    )  # fmt: skip
    return e, _alloc((original, amount)), True


_SCENARIO_MAKERS: dict[str, Callable[[_World, BankEntry], _Made]] = {
    "iban_only": _iban_only,
    "own_account": _own_account,
    "typed_account": _typed_account,
    "learned": _learned,
    "split": _split,
    "multi_ref": _multi_ref,
    "two_fit": _two_fit,
    "return": _return,
    "unrelated": _unrelated,
    "namesake": _namesake,
    "same_amount": _same_amount,
    "foreign_ref": _foreign_ref,
    "copycat": _copycat,
}


def generate(n_items: int, n_entries: int, seed: int = 1) -> GeneratedSet:
    portfolio = generate_open_items(n_items, seed)
    entries, labels = generate_entries(portfolio, n_entries, seed + 1)
    return GeneratedSet(
        portfolio.items, portfolio.learned, tuple(entries), tuple(labels), as_of=portfolio.as_of
    )


def as_parsed(entry: BankEntry) -> BankEntry:
    """The entry as a parser returns it (remittance lines joined by a blank)."""
    return replace(entry, remittance=" ".join(entry.remittance.split()))


# ------------------------------------------------------------------------ writers


def to_camt053(
    entries: Sequence[BankEntry],
    *,
    account_iban: str = AGENCY_IBAN,
    statement_id: str = "STMT-1",
    opening_balance: Decimal = Decimal("10000.00"),
    version: str = "08",
    batch_size: int = 1,
) -> bytes:
    """A camt.053.001.<version> statement (``02`` or ``08``) holding the entries.

    With ``batch_size > 1`` consecutive credits of the same day are put into one batch
    entry (Sammelbuchung) with several ``TxDtls``.
    """
    ns = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
    v2 = version == "02"

    def el(
        parent: etree._Element, tag: str, text: str | None = None, **attrib: str
    ) -> etree._Element:
        node = etree.SubElement(parent, f"{{{ns}}}{tag}", attrib)
        if text is not None:
            node.text = text
        return node

    doc = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    root = el(doc, "BkToCstmrStmt")
    hdr = el(root, "GrpHdr")
    el(hdr, "MsgId", f"MSG-{statement_id}")
    el(hdr, "CreDtTm", "2025-11-30T18:00:00")
    st = el(root, "Stmt")
    el(st, "Id", statement_id)
    el(st, "ElctrncSeqNb", "1")
    el(st, "CreDtTm", "2025-11-30T18:00:00")
    acct = el(st, "Acct")
    el(el(acct, "Id"), "IBAN", account_iban)
    el(acct, "Ccy", "EUR")
    closing = opening_balance + sum((e.signed_amount for e in entries), ZERO)
    first_day = min((e.booking_date for e in entries), default=date(2025, 11, 1))
    last_day = max((e.booking_date for e in entries), default=date(2025, 11, 1))
    for code, amount, day in (("PRCD", opening_balance, first_day), ("CLBD", closing, last_day)):
        bal = el(st, "Bal")
        el(el(el(bal, "Tp"), "CdOrPrtry"), "Cd", code)
        el(bal, "Amt", f"{abs(amount):.2f}", Ccy="EUR")
        el(bal, "CdtDbtInd", "CRDT" if amount >= 0 else "DBIT")
        el(el(bal, "Dt"), "Dt", day.isoformat())

    groups: list[list[BankEntry]] = []
    for e in entries:
        last = groups[-1] if groups else None
        if (
            batch_size > 1
            and last
            and len(last) < batch_size
            and e.sign is Sign.CREDIT
            and not e.is_return
            and all(x.sign is Sign.CREDIT and not x.is_return for x in last)
            and last[0].booking_date == e.booking_date
            and last[0].value_date == e.value_date
        ):
            last.append(e)
        else:
            groups.append([e])

    for group in groups:
        head = group[0]
        total = sum((x.amount for x in group), ZERO)
        ntry = el(st, "Ntry")
        el(ntry, "Amt", f"{total:.2f}", Ccy="EUR")
        el(ntry, "CdtDbtInd", head.sign.value)
        if head.is_return:
            el(ntry, "RvslInd", "false")
        if v2:
            el(ntry, "Sts", "BOOK")
        else:
            el(el(ntry, "Sts"), "Cd", "BOOK")
        el(el(ntry, "BookgDt"), "Dt", head.booking_date.isoformat())
        el(el(ntry, "ValDt"), "Dt", (head.value_date or head.booking_date).isoformat())
        if len(group) == 1 and head.bank_reference:
            el(ntry, "AcctSvcrRef", head.bank_reference)
        domain, family, sub = (head.bank_transaction_code or "PMNT/RCDT/ESCT").split("/")
        dom = el(el(ntry, "BkTxCd"), "Domn")
        el(dom, "Cd", domain)
        fam = el(dom, "Fmly")
        el(fam, "Cd", family)
        el(fam, "SubFmlyCd", sub)
        if len(group) == 1 and head.charges:
            _charges(el, ntry, head.charges, v2)
        dtls = el(ntry, "NtryDtls")
        if len(group) > 1:
            btch = el(dtls, "Btch")
            el(btch, "NbOfTxs", str(len(group)))
        for x in group:
            tx = el(dtls, "TxDtls")
            refs = el(tx, "Refs")
            if len(group) > 1 and x.bank_reference:
                el(refs, "AcctSvcrRef", x.bank_reference)
            el(refs, "EndToEndId", x.end_to_end_id or "NOTPROVIDED")
            if x.mandate_id:
                el(refs, "MndtId", x.mandate_id)
            if len(group) > 1:
                if v2:
                    el(el(el(tx, "AmtDtls"), "TxAmt"), "Amt", f"{x.amount:.2f}", Ccy="EUR")
                else:
                    el(tx, "Amt", f"{x.amount:.2f}", Ccy="EUR")
            parties = el(tx, "RltdPties")
            credit = x.sign is Sign.CREDIT
            incoming_party = credit or x.is_return  # the payer is the Dbtr
            other = ("Dbtr", "DbtrAcct") if incoming_party else ("Cdtr", "CdtrAcct")
            own = ("Cdtr", "CdtrAcct") if incoming_party else ("Dbtr", "DbtrAcct")
            pairs = [
                (other, (x.counterparty_name, x.counterparty_iban)),
                (own, ("Inkasso Nord GmbH", account_iban)),
            ]
            pairs.sort(key=lambda pair: pair[0][0] != "Dbtr")  # XSD order: Dbtr before Cdtr
            for (party, account), (name, iban) in pairs:
                if not name and not iban:
                    continue
                p = el(parties, party)
                if name:
                    el(p if v2 else el(p, "Pty"), "Nm", name)
                if iban:
                    el(el(el(parties, account), "Id"), "IBAN", iban)
            if x.remittance:
                rmt = el(tx, "RmtInf")
                for line in x.remittance.split("\n"):
                    el(rmt, "Ustrd", line)
            if x.is_return:
                rtr = el(tx, "RtrInf")
                el(el(rtr, "Rsn"), "Cd", x.return_reason or "MS03")
    # Schema order: RltdPties before RmtInf before RtrInf is already kept above.
    return bytes(etree.tostring(doc, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _charges(
    el: Callable[..., etree._Element], ntry: etree._Element, amount: Decimal, v2: bool
) -> None:
    chrgs = el(ntry, "Chrgs")
    if v2:
        el(chrgs, "Amt", f"{amount:.2f}", Ccy="EUR")
    else:
        el(chrgs, "TtlChrgsAndTaxAmt", f"{amount:.2f}", Ccy="EUR")
        rcrd = el(chrgs, "Rcrd")
        el(rcrd, "Amt", f"{amount:.2f}", Ccy="EUR")
        el(rcrd, "CdtDbtInd", "DBIT")


def _mt_amount(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def _chunks(text: str, size: int) -> list[str]:
    """Fixed-width segments; never cut next to a blank (banks' software strips them)."""
    out: list[str] = []
    while len(text) > size:
        cut = size
        while cut > 1 and (text[cut - 1] == " " or text[cut] == " "):
            cut -= 1
        out.append(text[:cut])
        text = text[cut:]
    out.append(text)
    return out


def to_mt940(
    entries: Sequence[BankEntry],
    *,
    account_iban: str = AGENCY_IBAN,
    statement_no: str = "00001",
    opening_balance: Decimal = Decimal("10000.00"),
) -> str:
    """An MT940 statement in the German (DK) layout with structured ``:86:`` fields."""
    blz, account = account_iban[4:12], account_iban[12:]
    first_day = min((e.booking_date for e in entries), default=date(2025, 11, 1))
    last_day = max((e.booking_date for e in entries), default=date(2025, 11, 1))

    def bal(tag: str, amount: Decimal, day: date) -> str:
        return f":{tag}:{'C' if amount >= 0 else 'D'}{day:%y%m%d}EUR{_mt_amount(abs(amount))}"

    lines = [
        ":20:MAHNWERK",
        f":25:{blz}/{account}",
        f":28C:{statement_no}/001",
        bal("60F", opening_balance, first_day),
    ]
    total = opening_balance
    for e in entries:
        total += e.signed_amount
        mark = "C" if e.sign is Sign.CREDIT else "D"
        vdate = e.value_date or e.booking_date
        kind = "NRTI" if e.is_return else "NTRF"
        lines.append(
            f":61:{vdate:%y%m%d}{e.booking_date:%m%d}{mark}R{_mt_amount(e.amount)}{kind}"
            f"NONREF//{e.bank_reference}"
        )
        if e.is_return:
            gvc, posting = "109", "RUECKLASTSCHRIFT"
        elif e.sign is Sign.CREDIT:
            gvc, posting = "166", "SEPA-GUTSCHRIFT"
        else:
            gvc, posting = "177", "SEPA-UEBERWEISUNG"
        purpose = ""
        if e.end_to_end_id:
            purpose += f"EREF+{e.end_to_end_id}"
        if e.mandate_id:
            purpose += f"MREF+{e.mandate_id}"
        if e.is_return and e.charges:
            purpose += f"COAM+{_mt_amount(e.charges)}"
        remittance = " ".join(e.remittance.split())
        if purpose or remittance:
            purpose += f"SVWZ+{remittance}"
        segments = _chunks(purpose, 27) if purpose else []
        keys = [f"{n}" for n in range(20, 30)] + [f"{n}" for n in range(60, 64)]
        if len(segments) > len(keys):
            raise ValueError("remittance too long for MT940 :86:")
        body = [f":86:{gvc}?00{posting}?10931"]
        body += [f"?{k}{s}" for k, s in zip(keys, segments, strict=False)]
        name_parts = _chunks(e.counterparty_name, 27) if e.counterparty_name else []
        if e.counterparty_iban:
            body.append(f"?31{e.counterparty_iban}")
        if name_parts:
            body.append(f"?32{name_parts[0]}")
        if len(name_parts) > 1:
            body.append(f"?33{name_parts[1]}")
        lines.extend(body)
    lines.append(bal("62F", total, last_day))
    lines.append("-")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------ quality


@dataclass(frozen=True)
class Quality:
    """Matching quality on a labelled set.

    ``precision``: share of automatic bookings whose allocation (cases and amounts) is
    exactly the truth; booking an entry whose right outcome is a review (``Label.review``)
    or one that belongs to no case counts as wrong. ``auto_share``: share of the entries that
    have a right answer (:attr:`Label.decidable`) booked automatically and correctly;
    ``auto_share_all``: the same over every entry that belongs to a case.
    """

    entries: int
    belonging: int
    decidable: int
    booked: int
    booked_right: int
    review: int
    unmatched: int
    unrelated_left_alone: int
    review_by_rule: int
    review_by_rule_booked: int
    by_scenario: dict[str, dict[str, int]]

    @property
    def precision(self) -> float:
        return self.booked_right / self.booked if self.booked else 1.0

    @property
    def auto_share(self) -> float:
        return self.booked_right / self.decidable if self.decidable else 0.0

    @property
    def auto_share_all(self) -> float:
        return self.booked_right / self.belonging if self.belonging else 0.0


Outcome = tuple[str, tuple[tuple[str, str], ...]]


def outcome(action: str, payload: object) -> Outcome:
    """What a decision did to an entry: the action and, when booked, the allocations as
    ``(case id, amount)`` strings (compact to send between processes)."""
    if action == "book" and isinstance(payload, Candidate):
        return action, tuple((a.case_id, f"{a.amount:.2f}") for a in payload.allocations)
    return action, ()


def score_outcomes(outcomes: Sequence[Outcome], labels: Sequence[Label]) -> Quality:
    booked = right = review = unmatched = left_alone = by_rule_booked = 0
    by: dict[str, dict[str, int]] = {}
    for (action, allocations), label in zip(outcomes, labels, strict=True):
        if action == "book":
            booked += 1
            truth = tuple((a.case_id, f"{a.amount:.2f}") for a in label.allocations)
            ok = allocations == truth and not label.review
            right += ok
            by_rule_booked += label.review
            result = "book_ok" if ok else "book_wrong"
        else:
            review += action == "review"
            unmatched += action == "unmatched"
            left_alone += not label.allocations
            result = action
        counts = by.setdefault(label.scenario, {})
        counts[result] = counts.get(result, 0) + 1
    return Quality(
        entries=len(outcomes),
        belonging=sum(1 for label in labels if label.allocations),
        decidable=sum(1 for label in labels if label.decidable),
        booked=booked,
        booked_right=right,
        review=review,
        unmatched=unmatched,
        unrelated_left_alone=left_alone,
        review_by_rule=sum(1 for label in labels if label.review),
        review_by_rule_booked=by_rule_booked,
        by_scenario=by,
    )


def evaluate(
    match: Callable[[BankEntry], list[Candidate]],
    entries: Sequence[BankEntry],
    labels: Sequence[Label],
    threshold: float = 0.9,
    margin: float = 0.1,
) -> Quality:
    """Match and decide every entry, and score the outcomes against the labels."""
    return score_outcomes([outcome(*decide(match(e), threshold, margin)) for e in entries], labels)
