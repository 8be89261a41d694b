"""Realistic noisy bank statements with ground truth, for tests and the matching bench.

Seeded and deterministic. :func:`generate_open_items` makes cases with sequential case
numbers (``MW-2025-000123`` – dense, so a one-digit typo usually hits another existing
case), creditors' invoice numbers, debtors with German names, known IBANs (valid German
IBANs with the national check digit, method 00), relatives as known payers and payment
plans. :func:`generate_entries` then makes what arrives on the agency's account:

========================  =========================================================
scenario                  what the entry looks like
========================  =========================================================
``exact``                 case number in a usual form, debtor pays from own account
``format``                case number with O/0 or I/1 confusion, missing dashes,
                          blanks, or split over two remittance lines
``typo``                  one digit wrong, missing, extra or two swapped
``invoice``               only the creditor's invoice number
``iban_only``             no reference; known IBAN; balance or instalment
``third_party``           a relative or stranger pays from an unknown account
``learned``               a relative's account confirmed before (learned), no reference
``split``                 one payment for two or three cases of one debtor
``two_fit``               the debtor has two cases with the same balance
``return``                Rücklastschrift with reason code, sometimes with a fee
``unrelated``             refunds, interest, rent, salaries – belongs to no case
========================  =========================================================

The labels say which case(s) each entry belongs to and with which amounts.
:func:`to_camt053` and :func:`to_mt940` write the entries as files that
:mod:`~mahnwerk.banking.camt` and :mod:`~mahnwerk.banking.mt940` read back; a line break
in a generated remittance marks a new ``Ustrd`` line.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from lxml import etree

from mahnwerk.banking.iban import iban_check_digits
from mahnwerk.banking.matching import Allocation, Candidate, LearnedPayer, OpenItem, decide
from mahnwerk.banking.statement import BankEntry, Sign
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
    "exact": 0.46,
    "format": 0.08,
    "typo": 0.07,
    "invoice": 0.07,
    "iban_only": 0.07,
    "third_party": 0.05,
    "learned": 0.02,
    "split": 0.05,
    "two_fit": 0.03,
    "return": 0.04,
    "unrelated": 0.06,
}
RETURN_REASONS = ("AC04", "MD06", "AM04", "MS03", "AC06", "MD07")
AGENCY_IBAN = "DE02120300000000202051"


@dataclass(frozen=True)
class Label:
    """Ground truth of one generated entry (same position in the entry list)."""

    scenario: str
    allocations: tuple[Allocation, ...]

    @property
    def belongs_to_case(self) -> bool:
        return bool(self.allocations)


@dataclass(frozen=True)
class GeneratedSet:
    items: tuple[OpenItem, ...]
    learned: tuple[LearnedPayer, ...]
    entries: tuple[BankEntry, ...]
    labels: tuple[Label, ...]
    account_iban: str = AGENCY_IBAN


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


def generate_open_items(
    n_items: int, seed: int = 1, *, years: Sequence[int] = (2021, 2022, 2023, 2024, 2025)
) -> tuple[list[OpenItem], list[LearnedPayer]]:
    """Open items for ``n_items`` cases, about 1.4 cases per debtor, and learned payers."""
    rng = random.Random(seed)
    items: list[OpenItem] = []
    learned: list[LearnedPayer] = []
    serial = dict.fromkeys(years, 0)
    creditor_counters = [rng.randrange(1000, 50000) for _ in range(40)]
    formats = ("RE-{y}-{n:05d}", "R{n:07d}", "{n:08d}", "INV-{n:06d}", "RG {y}/{n:05d}")
    debtor_no = 0
    while len(items) < n_items:
        debtor_no += 1
        debtor_id = f"P{debtor_no:07d}"
        surname = rng.choice(SURNAMES)
        name = _name(rng, surname)
        ibans: tuple[str, ...] = ()
        roll = rng.random()
        if roll < 0.7:
            ibans = (random_iban(rng),)
        elif roll < 0.8:
            ibans = (random_iban(rng), random_iban(rng))
        payers: tuple[str, ...] = ()
        if rng.random() < 0.15:
            payers = (_name(rng, surname),)
            if rng.random() < 0.5:
                learned.append(LearnedPayer(debtor_id, iban=random_iban(rng), name=payers[0]))
        n_cases = rng.choices((1, 2, 3, 4), weights=(70, 20, 7, 3))[0]
        for _ in range(min(n_cases, n_items - len(items))):
            year = rng.choice(list(years))
            serial[year] += 1
            ref = f"MW-{year}-{serial[year]:06d}"
            creditor = rng.randrange(len(creditor_counters))
            invoices = []
            for _ in range(rng.choice((1, 1, 2))):
                creditor_counters[creditor] += rng.randrange(1, 5)
                fmt = formats[creditor % len(formats)]
                invoices.append(
                    fmt.format(y=year - rng.choice((0, 1)), n=creditor_counters[creditor])
                )
            balance = _cents(rng, 20, 3000)
            debtor_cases = [it for it in items[-4:] if it.debtor_id == debtor_id]
            if debtor_cases and rng.random() < 0.15:
                balance = debtor_cases[0].open_balance  # amount fits two cases
            instalment = None
            if rng.random() < 0.3:
                instalment = max(
                    Decimal("10.00"), (balance / rng.choice((3, 6, 10, 12))).quantize(Decimal("1"))
                )
            items.append(
                OpenItem(
                    case_id=f"C{len(items) + 1:07d}",
                    debtor_id=debtor_id,
                    case_reference=ref,
                    open_balance=balance,
                    invoice_numbers=tuple(invoices),
                    debtor_names=(name,),
                    payer_names=payers,
                    ibans=ibans,
                    instalment_due=instalment,
                )
            )
    return items, learned


# ------------------------------------------------------------------------ noise


def _spell_name(rng: random.Random, name: str) -> str:
    first, _, last = name.partition(" ")
    roll = rng.random()
    if roll < 0.25:
        name = name.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss")
    elif roll < 0.40:
        name = f"{last}, {first}"
    elif roll < 0.50:
        name = name.upper()
    elif roll < 0.58:
        name = f"{first[0]}. {last}"
    elif roll < 0.63:
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
    _, year, serial = ref.split("-")
    roll = rng.random()
    if roll < 0.25:
        return f"MW{year}{serial}".replace("0", "O", rng.randint(1, 3))
    if roll < 0.45:
        return ref.replace("1", "I") if "1" in ref else ref.replace("0", "O")
    if roll < 0.65:
        return f"MW {year} {serial[:3]} {serial[3:]}"
    if roll < 0.85:
        cut = rng.randint(4, len(ref) - 2)
        return f"{ref[:cut]}\n{ref[cut:]}"
    return f"mw{year}{serial}"


def typo(rng: random.Random, ref: str) -> str:
    """One edit in the digits of the serial: substitute, delete, insert or swap."""
    prefix, year, serial = ref.split("-")
    digits = list(serial)
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
    return f"{prefix}-{year}-{''.join(digits)}"


def _amount_for(rng: random.Random, item: OpenItem) -> Decimal:
    roll = rng.random()
    if item.instalment_due is not None and roll < 0.6:
        return item.instalment_due
    if roll < 0.75:
        return item.open_balance
    if item.open_balance <= Decimal("11"):
        return item.open_balance
    partial = _cents(rng, 10, int(item.open_balance))
    return partial if partial != item.instalment_due else item.open_balance


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


def generate_entries(
    items: Sequence[OpenItem],
    learned: Sequence[LearnedPayer],
    n_entries: int,
    seed: int = 2,
    *,
    start: date = date(2025, 11, 3),
) -> tuple[list[BankEntry], list[Label]]:
    rng = random.Random(seed)
    by_debtor: dict[str, list[OpenItem]] = {}
    for it in items:
        by_debtor.setdefault(it.debtor_id, []).append(it)
    multi = [d for d, its in by_debtor.items() if len(its) >= 2]
    same_balance = [
        d for d in multi if len({it.open_balance for it in by_debtor[d]}) < len(by_debtor[d])
    ]
    learned_by_debtor = {lp.debtor_id: lp for lp in learned}
    learned_debtors = list(learned_by_debtor)
    with_plan = [it for it in items if it.instalment_due is not None]
    scenarios = list(SCENARIOS)
    weights = list(SCENARIOS.values())
    entries: list[BankEntry] = []
    labels: list[Label] = []
    for n in range(n_entries):
        scenario = rng.choices(scenarios, weights)[0]
        booking = start + timedelta(days=n * 20 // max(n_entries, 1))
        bank_ref = f"{booking:%Y%m%d}{n:08d}"
        entry, allocs = _one(
            rng, scenario, items, by_debtor, multi, same_balance, learned_by_debtor,
            learned_debtors, with_plan, booking, bank_ref,
        )  # fmt: skip
        entries.append(entry)
        labels.append(Label(scenario, allocs))
    return entries, labels


def _one(
    rng: random.Random,
    scenario: str,
    items: Sequence[OpenItem],
    by_debtor: dict[str, list[OpenItem]],
    multi: list[str],
    same_balance: list[str],
    learned_by_debtor: dict[str, LearnedPayer],
    learned_debtors: list[str],
    with_plan: list[OpenItem],
    booking: date,
    bank_ref: str,
) -> tuple[BankEntry, tuple[Allocation, ...]]:
    base = BankEntry(
        amount=ZERO,
        sign=Sign.CREDIT,
        booking_date=booking,
        value_date=booking,
        bank_reference=bank_ref,
        bank_transaction_code="PMNT/RCDT/ESCT",
    )
    item = rng.choice(items)
    own_iban = item.ibans[0] if item.ibans else ""
    payer = _spell_name(rng, item.debtor_names[0])
    if scenario == "split" and multi:
        debtor_items = by_debtor[rng.choice(multi)]
        k = min(len(debtor_items), rng.choice((2, 2, 3)))
        chosen = rng.sample(debtor_items, k)
        amount = sum((c.open_balance for c in chosen), ZERO)
        refs = [c.case_reference for c in chosen]
        if rng.random() < 0.3:
            refs = refs[:1]
        first = chosen[0]
        text = " ".join(_format_ref(rng, r) for r in refs) + " Restzahlung"
        e = replace(
            base,
            amount=amount,
            counterparty_name=_spell_name(rng, first.debtor_names[0]),
            counterparty_iban=first.ibans[0]
            if first.ibans and rng.random() < 0.8
            else random_iban(rng),
            remittance=text,
        )
        return e, tuple(
            sorted((Allocation(c.case_id, c.open_balance) for c in chosen), key=lambda a: a.case_id)
        )
    if scenario == "two_fit" and same_balance:
        debtor_items = by_debtor[rng.choice(same_balance)]
        target = rng.choice(debtor_items)
        # the other case has the same balance: the amount fits both
        text = _format_ref(rng, target.case_reference) if rng.random() < 0.7 else "Zahlung"
        e = replace(
            base,
            amount=target.open_balance,
            counterparty_name=_spell_name(rng, target.debtor_names[0]),
            counterparty_iban=target.ibans[0] if target.ibans else random_iban(rng),
            remittance=text,
        )
        return e, (Allocation(target.case_id, target.open_balance),)
    if scenario == "return" and with_plan:
        item = rng.choice(with_plan)
        assert item.instalment_due is not None
        fee = rng.choice((ZERO, Decimal("3.00"), Decimal("8.50")))
        reason = rng.choice(RETURN_REASONS)
        e = replace(
            base,
            amount=item.instalment_due + fee,
            sign=Sign.DEBIT,
            counterparty_name=item.debtor_names[0],
            counterparty_iban=item.ibans[0] if item.ibans else random_iban(rng),
            remittance=f"RUECKLASTSCHRIFT {reason} {item.case_reference} Rate",
            end_to_end_id=f"{item.case_reference}-R{rng.randrange(1, 12):02d}",
            mandate_id=f"MW-M-{item.case_reference[3:]}",
            return_reason=reason,
            is_return=True,
            charges=fee,
            bank_transaction_code="PMNT/IDDT/UPDD",
        )
        return e, (Allocation(item.case_id, -item.instalment_due),)
    if scenario in ("unrelated", "split", "two_fit", "return"):
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
        return e, ()
    amount = _amount_for(rng, item)
    iban = own_iban if own_iban and rng.random() < 0.85 else random_iban(rng)
    extra = rng.choice(("", " Rate", " Teilzahlung", f" Rg {item.invoice_numbers[0]}", " Danke"))
    if scenario == "exact":
        text = _format_ref(rng, item.case_reference) + extra
    elif scenario == "format":
        text = _garble_format(rng, item.case_reference) + extra
    elif scenario == "typo":
        text = _format_ref(rng, typo(rng, item.case_reference)) + extra
    elif scenario == "invoice":
        inv = rng.choice(item.invoice_numbers)
        text = rng.choice((f"Rechnung {inv}", f"Rg.-Nr. {inv}", inv, f"RE {inv} Mahnung"))
    elif scenario == "iban_only":
        if not own_iban:
            candidates = [i for i in rng.sample(list(items), min(50, len(items))) if i.ibans]
            item = candidates[0] if candidates else item
            own_iban = item.ibans[0] if item.ibans else random_iban(rng)
            payer = _spell_name(rng, item.debtor_names[0])
            amount = _amount_for(rng, item)
        iban = own_iban
        text = rng.choice(("Zahlung", "Rate", "Ueberweisung", "Inkasso", ""))
        if amount not in (item.open_balance, item.instalment_due):
            amount = item.instalment_due or item.open_balance
    elif scenario == "third_party":
        payer = item.payer_names[0] if item.payer_names else _name(rng)
        iban = random_iban(rng)
        text = f"{_format_ref(rng, item.case_reference)} fuer {item.debtor_names[0]}"
    else:  # learned
        if learned_debtors:
            lp = learned_by_debtor[rng.choice(learned_debtors)]
            item = by_debtor[lp.debtor_id][0]
            payer, iban = lp.name, lp.iban
            amount = item.instalment_due or item.open_balance
            text = rng.choice(("Zahlung", "Rate", f"fuer {item.debtor_names[0]}"))
        else:
            text = _format_ref(rng, item.case_reference)
    e = replace(
        base, amount=amount, counterparty_name=payer, counterparty_iban=iban, remittance=text
    )
    return e, (Allocation(item.case_id, amount),)


def generate(n_items: int, n_entries: int, seed: int = 1) -> GeneratedSet:
    items, learned = generate_open_items(n_items, seed)
    entries, labels = generate_entries(items, learned, n_entries, seed + 1)
    return GeneratedSet(tuple(items), tuple(learned), tuple(entries), tuple(labels))


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
    exactly the truth. ``auto_share``: share of entries that belong to a case which were
    booked automatically and correctly. Unrelated entries must stay unmatched or go to
    review; booking one counts as a wrong booking.
    """

    entries: int
    belonging: int
    booked: int
    booked_right: int
    review: int
    unmatched: int
    unrelated_left_alone: int
    by_scenario: dict[str, dict[str, int]]

    @property
    def precision(self) -> float:
        return self.booked_right / self.booked if self.booked else 1.0

    @property
    def auto_share(self) -> float:
        return self.booked_right / self.belonging if self.belonging else 0.0


def evaluate(
    match: Callable[[BankEntry], list[Candidate]],
    entries: Sequence[BankEntry],
    labels: Sequence[Label],
    threshold: float = 0.9,
    margin: float = 0.1,
) -> Quality:
    booked = right = review = unmatched = left_alone = 0
    by: dict[str, dict[str, int]] = {}
    for entry, label in zip(entries, labels, strict=True):
        action, payload = decide(match(entry), threshold, margin)
        if action == "book":
            booked += 1
            ok = payload.allocations == label.allocations
            right += ok
            outcome = "book_ok" if ok else "book_wrong"
        else:
            review += action == "review"
            unmatched += action == "unmatched"
            left_alone += not label.allocations
            outcome = action
        counts = by.setdefault(label.scenario, {})
        counts[outcome] = counts.get(outcome, 0) + 1
    return Quality(
        entries=len(entries),
        belonging=sum(1 for label in labels if label.allocations),
        booked=booked,
        booked_right=right,
        review=review,
        unmatched=unmatched,
        unrelated_left_alone=left_alone,
        by_scenario=by,
    )
