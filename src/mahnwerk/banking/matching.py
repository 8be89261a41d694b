"""Payment matching (Zahlungszuordnung): which case(s) does a bank entry belong to?

Pure and in memory: :class:`MatchIndex` is built once from the open items (one per case
with an open balance) and the confirmed corrections of people (:class:`LearnedPayer`);
:meth:`MatchIndex.match` then proposes :class:`Candidate` allocations for one
:class:`~mahnwerk.banking.statement.BankEntry`, each with a confidence (the probability that
it is the right allocation) and its reasons in German, and :func:`decide` turns them into
"book", "review" or "unmatched". Nothing here books: the caller applies a booked allocation
through the ledger (§ 366/367 BGB), queues a review, or keeps unmatched money as unapplied
(unklare Zahlung).

Signals, each explained in the reasons:

- **References in the remittance text** (Verwendungszweck, structured reference,
  end-to-end id), as people type them: upper and lower case, blanks, hyphens and line
  breaks anywhere, the confusions O/0, Q/0, I/l/1, Z/2, S/5, B/8 folded. Our case number
  (Aktenzeichen ``MW-00000123-20``) carries check digits (ISO 7064 MOD 97-10): it is
  recognised with or without the ``MW``, with leading zeros dropped, and with one digit
  wrong, missing, extra or two swapped when the check digits confirm the case. Case numbers
  without check digits (migrated from an earlier system) are found exactly or with one edit
  when the payer fits. The creditors' invoice numbers are found exactly (after the folding)
  and by their digits without the letter prefix ("2015" for "RE-2015") when the payer fits;
  an invoice number several cases share counts only where the payer fits. A text may name
  several cases.
- **The payer's account**: an IBAN *established* for the debtor (the debtor's own data in
  the portal, a SEPA mandate, an earlier payment) or confirmed by a person (learned). The
  caller passes only such accounts in :attr:`OpenItem.ibans`, never one a creditor merely
  typed in. With one open case, the debtor's own account points there whatever the payer's
  name.
- **The payer's name** (fuzzy, rapidfuzz ``token_set_ratio`` on transliterated names)
  against the debtor and known payers (relatives, learned names).
- **The amount**: the open balance; the balance at the payment's value date (the interest
  accrued since then taken off, :attr:`OpenItem.interest_per_day`); the full invoice
  amount(s) without interest and costs; the balance less the costs; the instalment due; the
  sum over several cases of one debtor (a split: each part is booked on its own case).
  When the text names several cases and no sum fits, the first named is paid first and the
  rest goes to the others oldest first (§ 366 Abs. 2 BGB).

Confidence: the signals of each candidate are binary features weighed by a conditional
logit whose weights were fitted on the noisy statement generator and calibrated (see
:mod:`mahnwerk.banking.match_model`): the candidates of an entry compete with each other and
with "none of them", so two cases that fit equally well never get more than one half each.

Tenant rules, stronger than any confidence (:attr:`Candidate.hold`):

- a remittance that fits cases of two creditors is never booked automatically: it goes to
  review with all of them shown at one shared confidence, ordered by what no creditor can
  type in (our check-digit reference, the debtor's established account) and then by age,
  so that a creditor's copy of another's case cannot outrank it;
- a payment with our case number (check digits valid) or to a creditor's own collection
  account (``creditor_accounts``) binds to that creditor: the rule above does not hold it;
- a split over cases of several creditors is booked only when every part is named by its
  check-digit case number, and a text naming cases of several debtors goes to review.

Speed: the index holds dictionaries from normalised reference tokens, invoice digits, case
numbers, IBANs, learned names and amounts (in cents) to items, and a sorted numpy array of
the one-deletion variants of the references' digits for the typo search (SymSpell). An entry
touches only the items these lookups return, never a scan over all items.

>>> items = [OpenItem("C1", "D1", "MW-00000123-20", Decimal("145.96"),
...                   debtor_names=("Jürgen Müßig",), ibans=("DE89370400440532013000",)),
...          OpenItem("C2", "D2", "MW-00000124-17", Decimal("80.00"), debtor_names=("Eva Ost",))]
>>> index = MatchIndex(items)
>>> entry = BankEntry(amount=Decimal("145.96"), sign=Sign.CREDIT, booking_date=date(2025, 11, 3),
...     counterparty_name="Juergen Muessig", remittance="Az. MW OOOOOI23-2O")
>>> action, chosen = decide(index.match(entry), threshold=0.9)
>>> action, chosen.allocations
('book', (Allocation(case_id='C1', amount=Decimal('145.96')),))
>>> print("\\n".join(chosen.reasons))
Aktenzeichen MW-00000123-20 im Verwendungszweck
Name „Juergen Muessig“ passt zum Schuldner (100 %)
Betrag entspricht dem offenen Saldo 145,96 €
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from mahnwerk.banking.iban import normalize_iban
from mahnwerk.banking.match_model import MatchModel, default_model
from mahnwerk.banking.statement import BankEntry, Sign
from mahnwerk.domain.case_reference import check_digits, parse_case_reference
from mahnwerk.domain.money import ZERO, format_eur

# ----------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class OpenItem:
    """One case with money open, as the matcher sees it.

    ``ibans`` are the debtor's *established* accounts only (own data, mandate, earlier
    payments); ``invoice_amounts`` are the invoices' full amounts in the order of
    ``invoice_numbers``; ``principal`` (the open principal), ``costs`` (open costs) and
    ``interest_per_day`` (interest accruing per day at the index date) let the matcher
    recognise the invoice amount, the balance less the costs and the balance at an earlier
    value date. ``default_from`` orders several cases of one debtor (oldest first).
    """

    case_id: str
    debtor_id: str
    case_reference: str
    open_balance: Decimal
    invoice_numbers: tuple[str, ...] = ()
    debtor_names: tuple[str, ...] = ()
    payer_names: tuple[str, ...] = ()
    ibans: tuple[str, ...] = ()
    instalment_due: Decimal | None = None
    creditor_id: str = ""
    invoice_amounts: tuple[Decimal, ...] = ()
    principal: Decimal | None = None
    costs: Decimal = ZERO
    interest_per_day: Decimal = ZERO
    default_from: date | None = None


@dataclass(frozen=True, slots=True)
class LearnedPayer:
    """A person confirmed that this IBAN and/or payer name pays for this debtor."""

    debtor_id: str
    iban: str = ""
    name: str = ""


@dataclass(frozen=True)
class Allocation:
    case_id: str
    amount: Decimal


class Reasons(Sequence[str]):
    """The reasons of a candidate, composed in German when first read: most candidates
    (the runners-up of an entry that is booked) are never shown to anyone.

    >>> r = Reasons(lambda: ["Betrag passt", "Betrag passt", "Name passt"])
    >>> list(r), len(r), r == ("Betrag passt", "Name passt")
    (['Betrag passt', 'Name passt'], 2, True)
    """

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], Iterable[str]]) -> None:
        self._make: Callable[[], Iterable[str]] | None = make
        self._value: tuple[str, ...] = ()

    def _get(self) -> tuple[str, ...]:
        if self._make is not None:
            self._value = tuple(dict.fromkeys(self._make()))
            self._make = None
        return self._value

    def __getitem__(self, i: Any) -> Any:
        return self._get()[i]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(self._get())

    def __repr__(self) -> str:
        return repr(self._get())


@dataclass(frozen=True)
class Candidate:
    """A proposed allocation of an entry; ``kind`` is ``payment`` or ``return``.

    For a return (Rücklastschrift) the allocation is negative (the booking to reverse)
    and ``fee`` is the bank's return fee to add as a cost. ``hold`` says why a tenant rule
    forbids booking it automatically (empty when none does).
    """

    debtor_id: str
    allocations: tuple[Allocation, ...]
    confidence: float
    reasons: Sequence[str]
    kind: str = "payment"
    fee: Decimal = ZERO
    hold: str = ""
    features: tuple[str, ...] = ()  # what the confidence rests on (match_model.FEATURES)
    #: for a split, what the parts are: ``balance``, ``value_date`` (the balances at the value
    #: date, from the interest per day: the caller may compute them exactly), ``invoice``,
    #: ``instalment`` or ``order`` (first named first, the rest oldest first)
    basis: str = ""

    @property
    def case_ids(self) -> tuple[str, ...]:
        return tuple(a.case_id for a in self.allocations)


@dataclass(frozen=True)
class MatchConfig:
    """Limits of the lookups (the weights are in :class:`~.match_model.MatchModel`)."""

    name_strong_score: float = 90.0
    name_weak_score: float = 80.0
    max_bucket: int = 20  # a reference shared by more items than this says nothing
    max_debtor_items: int = 50
    # a common payer name confirmed for more debtors than this points to none of them on
    # its own: it then counts only for cases whose balance or instalment equals the amount
    max_learned_name_debtors: int = 3
    max_split_items: int = 12
    max_candidates: int = 3
    min_fuzzy_digits: int = 6
    min_invoice_core: int = 4
    # the balance at the value date is computed from the interest per day; the ledger rounds
    # each period, so a few cents of tolerance
    value_date_tolerance_cents: int = 2


BOOK, REVIEW, UNMATCHED = "book", "review", "unmatched"


def decide(
    candidates: Sequence[Candidate], threshold: float = 0.9, margin: float = 0.1
) -> tuple[str, Any]:
    """``("book", candidate)``, ``("review", candidates)`` or ``("unmatched", [])``.

    Book only when the best candidate reaches ``threshold``, the runner-up is at least
    ``margin`` below it, and no tenant rule holds it (:attr:`Candidate.hold`).
    """
    if not candidates:
        return UNMATCHED, []
    ranked = sorted(candidates, key=lambda c: -c.confidence)
    top = ranked[0]
    runner_up = ranked[1].confidence if len(ranked) > 1 else 0.0
    if not top.hold and top.confidence >= threshold and top.confidence - runner_up >= margin - 1e-9:
        return BOOK, top
    return REVIEW, ranked


# ------------------------------------------------------------------- normalisation

_OCR = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8"})
_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
_ALNUM_RUN = re.compile(r"[0-9A-Z]+")
_DIGIT_GROUP = re.compile(r"\d+(?:[\s\-./,:;_]+\d+)*")
_SEP = re.compile(r"[\s\-./,:;_]+")
# our case number after the folding: MW, then up to three digit groups
_OUR_REF = re.compile(r"MW[^0-9A-Z]{0,3}(\d+)(?:[^0-9A-Z]{1,2}(\d+))?(?:[^0-9A-Z]{1,2}(\d+))?")
# our case number as printed (8 digits, 2 check digits) without "MW": "00046983-90"
_BARE_REF = re.compile(r"(?<![0-9A-Z])(\d{8})[^0-9A-Z]{0,2}(\d{2})(?![0-9A-Z])")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe"})
_NAME_STOP = {
    "herr", "frau", "herrn", "dr", "prof", "dipl", "ing", "und", "u", "fam", "familie",
    "eheleute", "ehel", "oder", "mit", "von", "geb", "sepa", "gutschrift",
}  # fmt: skip


def canonical(text: str) -> str:
    """Reference form: upper case, OCR confusions folded, separators removed.

    >>> canonical("mw-2025-OOO I23"), canonical("Rechnung RE-20 l2")
    ('MW2025000123', 'RECHNUNGRE2012')
    """
    return _NON_ALNUM.sub("", text.upper().translate(_OCR))


def invoice_core(number: str) -> str:
    """The digits of an invoice number after its last letter, without leading zeros: what
    a payer who leaves out the prefix types.

    >>> invoice_core("RE-2025-00815"), invoice_core("R0012345"), invoice_core("INV-000123")
    ('202500815', '12345', '123')
    """
    upper = number.upper()
    last = max((i for i, ch in enumerate(upper) if ch.isalpha()), default=-1)
    return "".join(ch for ch in upper[last + 1 :] if ch.isdigit()).lstrip("0")


def normalize_name(name: str) -> str:
    """Lower case, Umlauts transliterated (ü → ue), accents and titles removed.

    >>> normalize_name("Dr. Jürgen Müßig u. Frau")
    'juergen muessig'
    """
    text = unicodedata.normalize("NFKD", name.lower().translate(_TRANSLIT))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    tokens = [t for t in re.split(r"[^a-z0-9]+", text) if t and t not in _NAME_STOP]
    return " ".join(tokens)


#: Payer names repeat across a statement (and across statements): normalise each once.
_normalize_cached = functools.lru_cache(maxsize=1 << 16)(normalize_name)


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2).to_integral_value())


def _euros(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _micro(amount: Decimal) -> int:
    return int((amount * 1_000_000).to_integral_value())


def value_date_balance(balance: Decimal, interest_per_day: Decimal, days: int) -> Decimal:
    """The balance ``days`` before the index date: the interest of those days taken off
    (rounded half up to the cent, as the matcher compares it).

    >>> value_date_balance(Decimal("1000.00"), Decimal("0.136986"), 10)
    Decimal('998.63')
    """
    return _euros(_cents(balance) - (_micro(interest_per_day) * days + 5_000) // 10_000)


def _digits_code(digits: str) -> int:
    return int(digits) * 32 + len(digits)


def _deletions(s: str) -> set[str]:
    return {s[:i] + s[i + 1 :] for i in range(len(s))}


# ---------------------------------------------------------------------- evidence

_KIND_REF, _KIND_INV = 0, 1

#: reference kinds, strongest first (a feature of :data:`~.match_model.FEATURES` each)
_REF_ORDER = (
    "ref_own",
    "ref_cd",
    "ref_cd_digits",
    "ref_cd_fuzzy",
    "ref_exact",
    "inv",
    "ref_cd_typo",
    "ref_digits",
    "inv_shared",
    "inv_core",
    "ref_fuzzy",
)
_REF_RANK = {k: i for i, k in enumerate(_REF_ORDER)}
#: our case number confirmed by its check digits: binds the payment to the case's creditor
BINDING_FEATURES = _BINDING = frozenset({"ref_own", "ref_cd", "ref_cd_digits", "ref_cd_fuzzy"})
#: what counts as "the text names this case" (for splits and the first named)
_NAMED = frozenset(
    {"ref_own", "ref_cd", "ref_cd_digits", "ref_cd_fuzzy", "ref_exact", "inv", "inv_shared",
     "inv_core"}
)  # fmt: skip
#: our case numbers found exactly: the text names this case (for "several debtors named")
_CASE_NUMBER = frozenset({"ref_own", "ref_cd", "ref_exact"})
_REF_FEATURES = frozenset(_REF_ORDER)
_PAYER_KNOWN = frozenset({"iban", "iban_learned", "name_learned"})
_NEAR_MISS = frozenset({"ref_fuzzy", "ref_digits", "ref_cd_typo"})
#: references found as written (after folding), not near misses
_EXACT_REFS = frozenset(
    {"ref_own", "ref_cd", "ref_cd_digits", "ref_cd_fuzzy", "ref_exact", "ref_digits", "inv",
     "inv_shared", "inv_core"}
)  # fmt: skip
_PAYER_STRONG = frozenset({"name_strong", "name_learned", "iban", "iban_learned"})
_SPLITS = frozenset({"split_named_sum", "split_order", "split_sum"})
_EXACT_FIT = frozenset(
    {"amt_balance", "amt_value_date", "amt_instalment", "amt_invoice", "amt_less_costs"}
)
_FAR = 1 << 30


@dataclass(slots=True)
class _Evidence:
    ref: str = ""  # strongest reference kind found
    refs: set[int] | None = None  # which references name it: -1 the case number, j invoice j
    ref_how: str = ""  # how it was found (for the reason): exact, typed, invoice, core, fuzzy
    ref_detail: str = ""  # what was typed or which invoice
    pos: int = _FAR  # where the text first names the item
    invoices: set[int] | None = None  # which of the item's invoices the text names
    iban: str = ""  # "iban" (established) or "iban_learned"
    learned_name: bool = False
    name_amount: bool = False

    def note_ref(self, kind: str, how: str, detail: str, pos: int, ref: int = -1) -> None:
        if self.refs is None:
            self.refs = set()
        self.refs.add(ref)
        if not self.ref or _REF_RANK[kind] < _REF_RANK[self.ref]:
            self.ref, self.ref_how, self.ref_detail = kind, how, detail
        if kind in _NAMED and pos < self.pos:
            self.pos = pos


@dataclass
class _Scored:
    """A candidate before its reasons: features, score, parts ``(item, cents)``."""

    features: list[str]
    parts: tuple[tuple[int, int], ...]
    basis: str = ""  # for a split: what the parts are (balance, invoice, …)
    score: float = 0.0
    p: float = 0.0
    hold: str = ""


@dataclass(slots=True)
class _Context:
    """What one entry's matching knows besides the evidence per item."""

    is_return: bool = False
    amount: int = 0
    days: int = 0
    value_day: date | None = None
    name_of: Callable[[int], tuple[float, str]] = lambda d: (0.0, "")
    iban_debtors: set[int] = field(default_factory=set)
    iban_kind: dict[int, str] = field(default_factory=dict)
    doubtful: set[int] = field(default_factory=set)
    named_debtors: set[int] = field(default_factory=set)
    bound_creditor: str | None = None
    iban: str = ""
    evidence: dict[int, _Evidence] = field(default_factory=dict)


_AMOUNT_BASIS = {
    "balance": "Salden",
    "value_date": "Salden am Valutatag",
    "invoice": "Rechnungsbeträge",
    "instalment": "fälligen Raten",
}


# ---------------------------------------------------------------------------- index


class MatchIndex:
    """The open items, indexed for matching many entries quickly.

    ``as_of`` is the day the balances are computed for (needed to recognise the balance at
    an earlier value date); ``creditor_accounts`` maps a creditor's own collection account
    (IBAN) to the creditor: payments to it bind to that creditor.
    """

    def __init__(
        self,
        items: Iterable[OpenItem],
        learned: Iterable[LearnedPayer] = (),
        config: MatchConfig | None = None,
        *,
        as_of: date | None = None,
        creditor_accounts: Mapping[str, str] | None = None,
        model: MatchModel | None = None,
    ) -> None:
        self.config = config or MatchConfig()
        self.model = model or default_model()
        self.as_of = as_of
        self.creditor_accounts = {
            normalize_iban(k): v for k, v in (creditor_accounts or {}).items()
        }
        self.items: list[OpenItem] = list(items)
        self._balance: list[int] = []
        self._instalment: list[int] = []
        self._principal: list[int] = []
        self._costs: list[int] = []
        self._ipd: list[int] = []  # interest per day in millionths of a euro
        self._age: list[int] = []  # default_from as an ordinal (0 = unknown)
        self._creditor: list[str] = []
        self._cd: list[str] = []  # check digits of our case number, "" for other numbers
        self._cd_number: dict[int, int] = {}
        self._debtor_of: list[int] = []
        self._debtor_ids: list[str] = []
        debtor_index: dict[str, int] = {}
        self._debtor_items: list[list[int]] = []
        self._debtor_names: list[set[str]] = []
        self._debtor_payers: list[set[str]] = []
        self._exact: dict[str, list[int]] = {}
        self._core: dict[str, list[int]] = {}
        self._iban: dict[str, list[int]] = {}
        self._learned_iban: dict[str, list[int]] = {}
        self._learned_name: dict[str, list[int]] = {}
        self._by_amount: dict[int, list[int]] = {}
        self._item_of_case: dict[str, int] | None = None  # built on the first payment
        ref_lengths: set[int] = set()
        ref_heads: set[str] = set()
        fz_digits: list[str] = []
        fz_payload: list[int] = []
        cfg = self.config
        min_fz = cfg.min_fuzzy_digits
        for idx, item in enumerate(self.items):
            d = debtor_index.get(item.debtor_id)
            if d is None:
                d = len(self._debtor_ids)
                debtor_index[item.debtor_id] = d
                self._debtor_ids.append(item.debtor_id)
                self._debtor_items.append([])
                self._debtor_names.append(set())
                self._debtor_payers.append(set())
            self._debtor_of.append(d)
            self._debtor_items[d].append(idx)
            bal = _cents(item.open_balance)
            self._balance.append(bal)
            inst = _cents(item.instalment_due) if item.instalment_due is not None else -1
            self._instalment.append(inst)
            prin = _cents(item.principal) if item.principal is not None else -1
            self._principal.append(prin)
            costs = _cents(item.costs)
            self._costs.append(costs)
            self._ipd.append(_micro(item.interest_per_day))
            self._age.append(item.default_from.toordinal() if item.default_from else 0)
            self._creditor.append(item.creditor_id)
            for fit in {bal, inst, prin, bal - costs if costs > 0 else -1} - {-1, 0}:
                self._by_amount.setdefault(fit, []).append(idx)
            number = parse_case_reference(item.case_reference)
            self._cd.append(item.case_reference[-2:] if number else "")
            if number:
                self._cd_number[number] = idx
            for kind, refs in (
                (_KIND_REF, (item.case_reference,)),
                (_KIND_INV, item.invoice_numbers),
            ):
                for ref in refs:
                    key = canonical(ref)
                    if len(key) < 4:
                        continue
                    code = idx * 2 + kind
                    self._exact.setdefault(key, []).append(code)
                    if kind == _KIND_REF:
                        ref_lengths.add(len(key))
                        ref_heads.add(key[:2])
                        digits = "".join(ch for ch in key if ch.isdigit())
                        # typo search on case numbers only; invoice numbers must be exact
                        if min_fz <= len(digits) <= 16:
                            fz_digits.append(digits)
                            fz_payload.append(code)
                    else:
                        core = invoice_core(ref)
                        if len(core) >= cfg.min_invoice_core and core != key:
                            self._core.setdefault(core, []).append(idx)
            for iban in item.ibans:
                bucket = self._iban.setdefault(normalize_iban(iban), [])
                if d not in bucket:
                    bucket.append(d)
            if item.debtor_names:
                for n in item.debtor_names:
                    norm = normalize_name(n)
                    if norm:
                        self._debtor_names[d].add(norm)
            for n in item.payer_names:
                norm = normalize_name(n)
                if norm:
                    self._debtor_payers[d].add(norm)
        self._debtor_index = debtor_index
        self._key_heads = frozenset(key[:2] for key in self._exact)
        self._ref_lengths = sorted(ref_lengths)
        self._ref_heads = frozenset(ref_heads)
        for lp in learned:
            self.learn(lp)
        self._build_fuzzy(fz_digits, fz_payload)

    # -- building

    def record_payment(self, case_id: str, amount: Decimal) -> None:
        """Lower the open balance of a case by a payment booked after the index was built,
        so that the next entry of the same statement sees what is still open (a debtor who
        pays twice in one statement is not matched twice against the old balance). A paid
        instalment is no longer due; the invoice amount and the balance less costs no
        longer describe what is open.

        >>> index = MatchIndex([OpenItem("C1", "D1", "MW-00000123-20", Decimal("100.00"),
        ...                              instalment_due=Decimal("25.00"))])
        >>> index.record_payment("C1", Decimal("25.00"))
        >>> index._balance, index._instalment, sorted(index._by_amount)
        ([7500], [-1], [7500])
        """
        if self._item_of_case is None:
            self._item_of_case = {item.case_id: i for i, item in enumerate(self.items)}
        idx = self._item_of_case.get(case_id)
        if idx is None:
            return
        paid = _cents(amount)
        old_balance, old_instalment = self._balance[idx], self._instalment[idx]
        old_keys = {
            old_balance,
            old_instalment,
            self._principal[idx],
            old_balance - self._costs[idx] if self._costs[idx] > 0 else -1,
        }
        new_balance = max(0, old_balance - paid)
        new_instalment = -1 if paid >= old_instalment else old_instalment - paid
        new_instalment = min(new_instalment, new_balance) if new_instalment > 0 else -1
        for key in old_keys - {-1}:
            bucket = self._by_amount.get(key)
            if bucket is not None and idx in bucket:
                bucket.remove(idx)
                if not bucket:
                    del self._by_amount[key]
        self._balance[idx], self._instalment[idx] = new_balance, new_instalment
        self._principal[idx], self._costs[idx], self._ipd[idx] = -1, 0, 0
        for key in {new_balance, new_instalment} - {-1, 0}:
            self._by_amount.setdefault(key, []).append(idx)

    def learn(self, lp: LearnedPayer) -> None:
        """Add a confirmed correction (IBAN and/or name → debtor)."""
        d = self._debtor_index.get(lp.debtor_id)
        if d is None:
            return
        if lp.iban:
            bucket = self._learned_iban.setdefault(normalize_iban(lp.iban), [])
            if d not in bucket:
                bucket.append(d)
        if lp.name:
            norm = normalize_name(lp.name)
            if norm:
                bucket = self._learned_name.setdefault(norm, [])
                if d not in bucket:
                    bucket.append(d)
                self._debtor_payers[d].add(norm)

    def _build_fuzzy(self, digits: list[str], payload: list[int]) -> None:
        """Sorted one-deletion variants of every reference's digits (SymSpell)."""
        self._fz_key_digits = digits
        self._fz_key_payload = np.asarray(payload, dtype=np.int64)
        codes: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        by_len: dict[int, list[int]] = {}
        for key_id, s in enumerate(digits):
            by_len.setdefault(len(s), []).append(key_id)
        self._fz_lengths = sorted(by_len)
        for length, ids in by_len.items():
            id_arr = np.asarray(ids, dtype=np.int64)
            values = np.asarray([int(digits[i]) for i in ids], dtype=np.int64)
            codes.append(values * 32 + length)
            owners.append(id_arr)
            for p in range(length):
                high = 10 ** (length - p)
                low = 10 ** (length - p - 1)
                variant = (values // high) * low + values % low
                codes.append(variant * 32 + (length - 1))
                owners.append(id_arr)
        if codes:
            all_codes = np.concatenate(codes)
            all_owners = np.concatenate(owners)
            order = np.argsort(all_codes, kind="stable")
            self._fz_codes = all_codes[order]
            self._fz_owner = all_owners[order]
        else:
            self._fz_codes = np.zeros(0, dtype=np.int64)
            self._fz_owner = np.zeros(0, dtype=np.int64)

    # -- lookups

    def _exact_hits(self, canon_sep: str) -> dict[int, tuple[str, int]]:
        """item code → (matched key, position), from token joins and sliding windows."""
        hits: dict[int, tuple[str, int]] = {}
        exact = self._exact
        limit = self.config.max_bucket
        tokens = [t for t in _NON_ALNUM.split(canon_sep) if t]
        n = len(tokens)
        offset = 0
        key_heads = self._key_heads
        for i in range(n):
            token = tokens[i]
            head = (
                token[:2] if len(token) > 1 else (token + (tokens[i + 1] if i + 1 < n else ""))[:2]
            )
            if head not in key_heads:
                offset += len(token)
                continue  # no reference starts like this
            joined = ""
            # digits right after "MW" are our case number, whatever invoice has them too
            ours = i > 0 and tokens[i - 1] == "MW"
            for j in range(i, min(n, i + 4)):
                joined += tokens[j]
                codes = exact.get(joined)
                if codes is not None and len(codes) <= limit:
                    for c in codes:
                        if c not in hits and not (ours and c % 2 == _KIND_INV):
                            hits[c] = (joined, offset)
            offset += len(tokens[i])
        if any(c % 2 == _KIND_REF for c in hits):
            return hits  # the case number stands apart in the text: no need to slide
        compact = "".join(tokens)
        size = len(compact)
        heads = self._ref_heads
        for length in self._ref_lengths:
            for start in range(size - length + 1):
                if compact[start : start + 2] not in heads:
                    continue
                end = start + length
                codes = exact.get(compact[start:end])
                if codes is None or len(codes) > limit:
                    continue
                # a longer run of digits is not this reference (maybe a typo of it)
                if end < size and compact[end].isdigit() and compact[end - 1].isdigit():
                    continue
                if start > 0 and compact[start - 1].isdigit() and compact[start].isdigit():
                    continue
                for c in codes:
                    if c % 2 == _KIND_REF and c not in hits:
                        hits[c] = (compact[start:end], start)
        return hits

    def _our_numbers(self, canon_sep: str) -> list[tuple[int, int, str]]:
        """(item, position, as typed) for "MW" + a case number with valid check digits,
        whatever the zeros and separators ("MW-123-20", "mw 00000123/20"): the check digits
        are a separate group of two, or the last two of one run of ten digits."""
        out = []
        for m in _OUR_REF.finditer(canon_sep):
            groups = [g for g in m.groups() if g]
            for k in range(len(groups), 0, -1):
                if k == 1:
                    if len(groups[0]) != 10:
                        continue
                    digits = groups[0]
                else:
                    if len(groups[k - 1]) != 2:
                        continue
                    digits = "".join(groups[:k])
                if not 3 <= len(digits) <= 10:
                    continue
                number, cd = int(digits[:-2]), digits[-2:]
                if number and check_digits(number) == cd:
                    idx = self._cd_number.get(number)
                    if idx is not None:
                        out.append((idx, m.start(), m.group(0)))
                    break
        return out

    def _bare_numbers(self, canon_sep: str) -> list[tuple[int, int, str]]:
        """(item, position, digits) for our case number as printed but without "MW"
        ("00046983-90", "0004698390"): eight digits and the two check digits that confirm
        them. Shorter runs are left to the typo search: "4711-12" is too often something
        else whose last two digits happen to fit (one in 97)."""
        out = []
        for m in _BARE_REF.finditer(canon_sep):
            number = int(m.group(1))
            if number and check_digits(number) == m.group(2):
                idx = self._cd_number.get(number)
                if idx is not None:
                    out.append((idx, m.start(), m.group(1)))
        return out

    def _core_hits(self, canon_sep: str, raw_upper: str) -> list[tuple[int, str, int]]:
        """(item, core, position) for runs of digits that are an invoice number's core.
        A run counts only if it holds a real digit (not only letters folded to digits)."""
        if not self._core:
            return []
        out: list[tuple[int, str, int]] = []
        limit = self.config.max_bucket
        min_len = self.config.min_invoice_core
        spans = [(m.start(), m.end()) for m in _ALNUM_RUN.finditer(canon_sep)]
        n = len(spans)
        for i in range(n):
            joined = ""
            real = False
            if i > 0 and canon_sep[spans[i - 1][0] : spans[i - 1][1]] == "MW":
                continue  # our case number, not an invoice's digits
            for j in range(i, min(n, i + 3)):
                s, e = spans[j]
                tok = canon_sep[s:e]
                if not tok.isdigit():
                    break
                joined += tok
                real = real or any(ch.isdigit() for ch in raw_upper[s:e])
                core = joined.lstrip("0")
                if real and len(core) >= min_len:
                    holders = self._core.get(core)
                    if holders is not None and len(holders) <= limit:
                        out.extend((idx, core, s) for idx in holders)
        return out

    def _fuzzy_hits(self, canon_sep: str) -> dict[int, tuple[int, str, int]]:
        """item code → (distance 0/1 on the digits, window, position) for digit groups."""
        if not len(self._fz_codes):
            return {}
        windows: dict[str, int] = {}
        lengths = self._fz_lengths
        min_w = self.config.min_fuzzy_digits - 1
        for m in _DIGIT_GROUP.finditer(canon_sep):
            group = _SEP.sub("", m.group(0))
            if len(group) < min_w:
                continue
            for length in lengths:
                for width in (length - 1, length, length + 1):
                    if width < min_w or width > len(group):
                        continue
                    for start in range(len(group) - width + 1):
                        windows.setdefault(group[start : start + width], m.start())
        if not windows:
            return {}
        query: dict[int, str] = {}
        for w in windows:
            query.setdefault(_digits_code(w), w)
            for v in _deletions(w):
                if v:
                    query.setdefault(_digits_code(v), w)
        q_windows = list(query.values())
        q_codes = np.fromiter(query.keys(), dtype=np.int64, count=len(query))
        left = np.searchsorted(self._fz_codes, q_codes, side="left")
        right = np.searchsorted(self._fz_codes, q_codes, side="right")
        found = np.nonzero(right > left)[0]
        out: dict[int, tuple[int, str, int]] = {}
        if not len(found):
            return out
        checked: set[tuple[int, str]] = set()
        owner = self._fz_owner
        for f in found.tolist():
            w = q_windows[f]
            for key_id in owner[left[f] : right[f]].tolist():
                if (key_id, w) in checked:
                    continue
                checked.add((key_id, w))
                dist = OSA.distance(w, self._fz_key_digits[key_id], score_cutoff=1)
                if dist > 1:
                    continue
                code = int(self._fz_key_payload[key_id])
                prev = out.get(code)
                if prev is None or dist < prev[0]:
                    out[code] = (dist, w, windows[w])
        return out

    # -- matching

    def match(self, entry: BankEntry, account_iban: str = "") -> list[Candidate]:
        """Candidates for one entry, best first; empty when nothing fits.

        ``account_iban`` is the agency's account the entry was booked on: if it is a
        creditor's own collection account, only that creditor's cases are considered.
        """
        scored, context = self._scored(entry, account_iban)
        if not scored:
            return []
        return self._finish(entry, scored, context)

    def features(
        self, entry: BankEntry, account_iban: str = ""
    ) -> list[tuple[list[str], tuple[Allocation, ...]]]:
        """Every candidate's features and allocation, before weighing (for calibration)."""
        scored, context = self._scored(entry, account_iban)
        sign = -1 if context.is_return else 1
        out: list[tuple[list[str], tuple[Allocation, ...]]] = []
        for s in scored:
            allocs = tuple(
                sorted(
                    (Allocation(self.items[i].case_id, _euros(sign * c)) for i, c in s.parts),
                    key=lambda a: a.case_id,
                )
            )
            out.append((s.features, allocs))
        return out

    def _scored(self, entry: BankEntry, account_iban: str) -> tuple[list[_Scored], _Context]:
        cfg = self.config
        is_return = entry.is_return and entry.sign is Sign.DEBIT
        ctx = _Context(is_return=is_return)
        if entry.sign is Sign.DEBIT and not is_return:
            return [], ctx
        amount = _cents(entry.returned_amount if is_return else entry.amount)
        if amount <= 0:
            return [], ctx
        ctx.amount = amount
        day = entry.value_date or entry.booking_date
        ctx.days = max(0, (self.as_of - day).days) if self.as_of and day else 0
        ctx.value_day = day
        only_creditor = self.creditor_accounts.get(normalize_iban(account_iban))
        own_refs = " ".join(p for p in (entry.end_to_end_id, entry.mandate_id) if p)
        text = " ".join(p for p in (entry.remittance, entry.structured_reference) if p)
        evidence: dict[int, _Evidence] = {}

        def ev(idx: int) -> _Evidence:
            e = evidence.get(idx)
            if e is None:
                e = evidence[idx] = _Evidence()
            return e

        # 1. the payer's account
        iban = ctx.iban = normalize_iban(entry.counterparty_iban)
        if iban:
            for d in self._iban.get(iban, ()):
                ctx.iban_debtors.add(d)
                ctx.iban_kind[d] = "iban"
                self._note_debtor(d, ev, "iban")
            for d in self._learned_iban.get(iban, ()):
                ctx.iban_debtors.add(d)
                ctx.iban_kind.setdefault(d, "iban_learned")
                self._note_debtor(d, ev, "iban_learned")

        # 2. learned / known payer names (exact after normalisation)
        names = [n for n in (entry.counterparty_name, entry.ultimate_party_name) if n]
        norm_names = [_normalize_cached(n) for n in names]
        payer_tokens = [t for n in norm_names for t in n.split() if len(t) >= 3]
        for norm in norm_names:
            learned_debtors = self._learned_name.get(norm, ())
            crowded = len(learned_debtors) > cfg.max_learned_name_debtors
            for d in learned_debtors:
                for idx in self._debtor_items[d][: cfg.max_debtor_items]:
                    if crowded and amount not in (self._balance[idx], self._instalment[idx]):
                        continue
                    ev(idx).learned_name = True

        name_cache: dict[int, tuple[float, str]] = {}

        def name_of(d: int) -> tuple[float, str]:
            got = name_cache.get(d)
            if got is None:
                got = name_cache[d] = self._name_score(d, names, norm_names)
            return got

        ctx.name_of = name_of

        def payer_fits(idx: int) -> bool:
            return self._fits_payer(idx, evidence, amount, ctx.days, name_of, payer_tokens)

        # 3. references, exact after normalisation
        strong: list[int] = []  # items named by a reference that needs no corroboration
        legacy_exact: list[int] = []
        sources = [(text, False)]
        if own_refs:
            sources.append((own_refs, True))
        canon: dict[bool, str] = {}
        case_found = False  # our case number found exactly: no need to look for more
        for src, own in sources:
            raw_upper = src.upper()
            canon_sep = raw_upper.translate(_OCR)
            canon[own] = canon_sep
            bare = [] if own else self._bare_numbers(canon_sep)
            bare_digits = {digits for _i, _p, digits in bare}
            for code, (key, pos) in self._exact_hits(canon_sep).items():
                idx, code_kind = divmod(code, 2)
                if code_kind == _KIND_REF:
                    if own and is_return:
                        ev(idx).note_ref("ref_own", "own", "", pos)
                        strong.append(idx)
                        continue
                    ev(idx).note_ref("ref_cd" if self._cd[idx] else "ref_exact", "", "", pos)
                    (strong if self._cd[idx] else legacy_exact).append(idx)
                    case_found = True
                else:
                    if key in bare_digits:
                        continue  # these digits are our case number with its check digits
                    shared = len(self._exact.get(key, ())) > 1
                    if shared and not payer_fits(idx):
                        continue  # a shared invoice number counts only where the payer fits
                    inv, j = self._invoice_named(idx, key, ev(idx))
                    ev(idx).note_ref("inv_shared" if shared else "inv", "invoice", inv, pos, j)
                    if not shared:
                        strong.append(idx)
            for idx, pos, typed in () if case_found else self._our_numbers(canon_sep):
                kind = "ref_own" if own and is_return else "ref_cd"
                ev(idx).note_ref(kind, "typed", typed, pos)
                strong.append(idx)
            for idx, pos, digits in () if case_found else bare:
                ev(idx).note_ref("ref_cd_digits", "fuzzy", digits, pos)
                strong.append(idx)
            if not own and not case_found and not bare:
                for idx, core, pos in self._core_hits(canon_sep, raw_upper):
                    if not payer_fits(idx):
                        continue
                    e = ev(idx)
                    inv, j = self._invoice_by_core(idx, core, e)
                    e.note_ref("inv_core", "core", f"{inv}\x00{core}", pos, j)

        # the common case, decided here: the text names one case by our number with its
        # check digits (and nothing else), and the amount is exactly what that case asks
        # for. Its other cases and near misses cannot change where the money goes.
        named = [i for i, e in evidence.items() if e.ref]
        if (
            len(named) == 1
            and only_creditor is None
            and evidence[named[0]].ref in _BINDING
            and self._amount_kind(named[0], amount, ctx.days, evidence[named[0]]) in _EXACT_FIT
        ):
            idx = named[0]
            ctx.evidence = {idx: evidence[idx]}
            return self._candidates(ctx.evidence, ctx), ctx

        # 4. typo search when the exact hits are not convincing on their own
        if not strong and not self._convincing(legacy_exact, evidence, amount, ctx.days, name_of):
            fuzzy_items: set[int] = set()
            for src_own, canon_sep in canon.items():
                exact_items = set(legacy_exact)
                hits = [
                    (code // 2, dist, window, pos)
                    for code, (dist, window, pos) in self._fuzzy_hits(canon_sep).items()
                ]
                # a run of digits that is one of our numbers with valid check digits is that
                # number: near misses of parts of the same run are not looked at
                exact_runs = {pos for idx, dist, _w, pos in hits if dist == 0 and self._cd[idx]}
                for idx, dist, window, pos in hits:
                    if idx in exact_items or (dist and pos in exact_runs):
                        continue  # the same number found exactly, or a part of it
                    fkind = self._fuzzy_kind(idx, dist, window)
                    confirmed = fkind in ("ref_cd_digits", "ref_cd_fuzzy")
                    # a near miss alone is noise: keep it only when the payer fits it
                    if not confirmed and not (src_own and is_return) and not payer_fits(idx):
                        continue
                    if src_own and is_return and (confirmed or dist == 0):
                        fkind = "ref_own"
                    ev(idx).note_ref(fkind, "fuzzy", window, pos)
                    if fkind in ("ref_fuzzy", "ref_digits", "ref_cd_typo"):
                        fuzzy_items.add(idx)
            # an exact hit backed by nothing, while a near miss fits the payer: doubt it
            backed = any(
                evidence[i].iban or name_of(self._debtor_of[i])[0] >= cfg.name_strong_score
                for i in fuzzy_items - set(legacy_exact)
            )
            if backed:
                ctx.doubtful = set(legacy_exact)

        # 5. name and amount only, when nothing else pointed anywhere
        if not evidence and payer_tokens:
            names_of = self._debtor_names
            for idx in self._by_amount.get(amount, ())[:5000]:
                known = names_of[self._debtor_of[idx]]
                if any(t in k.split() for k in known for t in payer_tokens):
                    ev(idx).name_amount = True

        if only_creditor is not None:
            ctx.bound_creditor = only_creditor
            for idx in [i for i in evidence if self._creditor[i] != only_creditor]:
                del evidence[idx]
        if not evidence:
            return [], ctx
        ctx.evidence = evidence
        debtor_of = self._debtor_of
        debtors = {debtor_of[i] for i in evidence}
        if len(debtors) > 1:
            # cases of several debtors named by our case numbers or a corroborated invoice
            ctx.named_debtors = {
                debtor_of[i]
                for i, e in evidence.items()
                if e.ref in _CASE_NUMBER or (e.ref == "inv" and payer_fits(i))
            }

        # 6. expand each debtor reached to its other cases (amount fit, split)
        max_items = cfg.max_debtor_items
        for d in debtors:
            items = self._debtor_items[d]
            if len(items) == 1 or len(items) > max_items:
                continue
            for idx in items:
                if idx not in evidence and (
                    only_creditor is None or self._creditor[idx] == only_creditor
                ):
                    evidence[idx] = _Evidence()
        return self._candidates(evidence, ctx), ctx

    # -- evidence helpers

    def _invoice_named(self, idx: int, key: str, e: _Evidence) -> tuple[str, int]:
        """The invoice of the item whose number is ``key`` (canonical), noted as named."""
        for j, n in enumerate(self.items[idx].invoice_numbers):
            if canonical(n) == key:
                return n, self._name_invoice(e, j)
        return key, -2

    def _invoice_by_core(self, idx: int, core: str, e: _Evidence) -> tuple[str, int]:
        for j, n in enumerate(self.items[idx].invoice_numbers):
            if invoice_core(n) == core:
                return n, self._name_invoice(e, j)
        return core, -2

    @staticmethod
    def _name_invoice(e: _Evidence, j: int) -> int:
        if e.invoices is None:
            e.invoices = set()
        e.invoices.add(j)
        return j

    def _fuzzy_kind(self, idx: int, dist: int, window: str) -> str:
        cd = self._cd[idx]
        if not cd:
            return "ref_digits" if dist == 0 else "ref_fuzzy"
        if dist == 0:
            return "ref_cd_digits"
        if window[-2:] == cd:
            return "ref_cd_fuzzy"
        serial = self.items[idx].case_reference
        serial_digits = "".join(ch for ch in serial if ch.isdigit())[:-2]
        return "ref_cd_typo" if window.startswith(serial_digits) else "ref_fuzzy"

    def _ref_text(self, idx: int, e: _Evidence) -> str:
        ref = self.items[idx].case_reference
        how, detail, kind = e.ref_how, e.ref_detail, e.ref
        if how == "own":
            return f"eigene Referenz {ref} in der Rücklastschrift"
        if how == "typed":
            return f"Aktenzeichen {ref} im Verwendungszweck („{detail}“)"
        if how == "invoice":
            return f"Rechnungsnummer {detail} im Verwendungszweck"
        if how == "core":
            inv, _, core = detail.partition("\x00")
            return f"Rechnungsnummer {inv} ohne Präfix erkannt („{core}“)"
        if how == "fuzzy":
            text = {
                "ref_digits": "an seinen Ziffern erkannt",
                "ref_cd_digits": "an seinen Ziffern mit Prüfziffern erkannt",
                "ref_cd_fuzzy": f"mit Tippfehler erkannt, Prüfziffern bestätigen („{detail}“)",
                "ref_cd_typo": f"erkannt, Prüfziffern falsch („{detail}“)",
                "ref_own": "in der Rücklastschrift an seinen Ziffern erkannt",
            }.get(kind, f"mit Tippfehler erkannt („{detail}“)")
            return f"Aktenzeichen {ref} {text}"
        return f"Aktenzeichen {ref} im Verwendungszweck"

    def _fits_payer(
        self,
        idx: int,
        evidence: dict[int, _Evidence],
        amount: int,
        days: int,
        name_of: Callable[[int], tuple[float, str]],
        tokens: list[str],
    ) -> bool:
        """The payer's account, amount or name fits the item (corroboration)."""
        e = evidence.get(idx)
        if e is not None and e.iban:
            return True
        if self._amount_kind(idx, amount, days, None) in _EXACT_FIT:
            return True
        d = self._debtor_of[idx]
        known = (*self._debtor_names[d], *self._debtor_payers[d])
        # cheap pre-check: a name that shares no word with the debtor's names cannot fit
        if tokens and not any(t in k for t in tokens for k in known):
            return False
        return name_of(d)[0] >= self.config.name_weak_score

    def _note_debtor(self, d: int, ev: Any, kind: str) -> None:
        items = self._debtor_items[d]
        if len(items) > self.config.max_debtor_items:
            return
        for idx in items:
            e = ev(idx)
            if not e.iban or (e.iban == "iban_learned" and kind == "iban"):
                e.iban = kind

    def _name_score(self, d: int, names: list[str], norm_names: list[str]) -> tuple[float, str]:
        best, label = 0.0, ""
        cutoff = self.config.name_weak_score
        for raw, norm in zip(names, norm_names, strict=True):
            if not norm:
                continue
            for known in self._debtor_names[d]:
                s = fuzz.token_set_ratio(norm, known, score_cutoff=cutoff)
                if s > best:
                    best, label = s, f"Name „{raw}“ passt zum Schuldner"
            for known in self._debtor_payers[d]:
                s = fuzz.token_set_ratio(norm, known, score_cutoff=cutoff)
                if s > best:
                    best, label = s, f"Name „{raw}“ passt zu bekanntem Zahler"
        return best, label

    def _convincing(
        self,
        ref_items: list[int],
        evidence: dict[int, _Evidence],
        amount: int,
        days: int,
        name_of: Callable[[int], tuple[float, str]],
    ) -> bool:
        """An exact case-number hit (without check digits) backed by the IBAN, the name or
        the amount."""
        for idx in ref_items:
            e = evidence[idx]
            if e.iban or self._amount_kind(idx, amount, days, None) in _EXACT_FIT:
                return True
            if name_of(self._debtor_of[idx])[0] >= self.config.name_strong_score:
                return True
        return False

    def _value_date_balance(self, idx: int, days: int) -> int:
        return self._balance[idx] - (self._ipd[idx] * days + 5_000) // 10_000

    def _amount_kind(self, idx: int, amount: int, days: int, e: _Evidence | None) -> str:
        bal = self._balance[idx]
        if amount == bal:
            return "amt_balance"
        if amount == self._instalment[idx]:
            return "amt_instalment"
        if days and self._ipd[idx] and bal > 0:
            vd = self._value_date_balance(idx, days)
            if abs(amount - vd) <= self.config.value_date_tolerance_cents:
                return "amt_value_date"
        if amount == self._principal[idx]:
            return "amt_invoice"
        if e is not None and e.invoices and self._principal[idx] >= 0:
            amounts = self.items[idx].invoice_amounts
            named = [_cents(amounts[j]) for j in e.invoices if j < len(amounts)]
            if named and (amount in named or amount == sum(named)):
                return "amt_invoice"
        costs = self._costs[idx]
        if costs > 0 and amount == bal - costs:
            return "amt_less_costs"
        return "amt_partial" if amount < bal else "amt_over"

    # -- candidates

    def _candidates(self, evidence: dict[int, _Evidence], ctx: _Context) -> list[_Scored]:
        cfg = self.config
        amount, days, name_of = ctx.amount, ctx.days, ctx.name_of
        strong_score, weak_score = cfg.name_strong_score, cfg.name_weak_score
        debtor_of, balance = self._debtor_of, self._balance
        by_debtor: dict[int, list[int]] = {}
        named_hits = []
        for idx, e in evidence.items():
            by_debtor.setdefault(debtor_of[idx], []).append(idx)
            if e.ref in _NAMED:
                named_hits.append((e.pos, idx))
        named_of: dict[int, list[int]] = {}
        for _pos, idx in sorted(named_hits):
            named_of.setdefault(debtor_of[idx], []).append(idx)
        out: list[_Scored] = []
        iban_debtors, doubtful, is_return = ctx.iban_debtors, ctx.doubtful, ctx.is_return
        ref_debtors = {debtor_of[i] for i, e in evidence.items() if e.ref}
        splits: list[_Scored] = []
        plausible: list[_Scored] = []
        for d, idxs in by_debtor.items():
            named = named_of.get(d, ())
            kinds = [self._amount_kind(i, amount, days, evidence[i]) for i in idxs]
            any_fit = any(k in _EXACT_FIT for k in kinds)
            score = name_of(d)[0]
            name = "name_strong" if score >= strong_score else "name_weak"
            has_name = score >= weak_score
            open_cases = 0
            for i in self._debtor_items[d]:
                open_cases += balance[i] > 0
            for idx, kind in zip(idxs, kinds, strict=True):
                e = evidence[idx]
                if not e.ref and not e.iban and not e.learned_name and not has_name:
                    continue  # neither reference nor account nor name: nothing to go on
                f: list[str] = [kind]
                if e.ref:
                    f.append(e.ref)
                    if e.refs and len(e.refs) > 1:
                        f.append("ref_multi")
                    if len(ref_debtors) == 1:
                        f.append("ref_unrivalled")
                    if len(named) > 1 and e.ref in _NAMED:
                        f.append("named_first" if named[0] == idx else "named_later")
                elif named:
                    f.append("sibling_named")
                if e.iban:
                    f.append(e.iban)
                    if open_cases == 1:
                        f.append("iban_sole")
                elif iban_debtors and d not in iban_debtors:
                    f.append("iban_other")
                if has_name:
                    f.append(name)
                if e.learned_name:
                    f.append("name_learned")
                if any_fit and kind not in _EXACT_FIT:
                    f.append("amt_sibling")
                if doubtful and idx in doubtful:
                    f.append("doubt")
                if is_return:
                    f.append("return")
                scored = _Scored(f, ((idx, amount),))
                out.append(scored)
                if (
                    e.ref
                    and kind in _EXACT_FIT
                    and (e.iban or e.learned_name or (name == "name_strong" and has_name))
                ):
                    plausible.append(scored)
            if not is_return and len(self._debtor_items[d]) >= 2:
                splits.extend(self._splits(d, evidence, list(named), ctx))
        # two cases named by a reference that the payer's name or account and the amount
        # both fit: each is the other's rival
        if len(plausible) > 1:
            for s in plausible:
                s.features.append("ref_rival")
        out.extend(splits)
        model = self.model
        for s, p in zip(
            out, model.probabilities([model.score(s.features) for s in out]), strict=True
        ):
            s.p = p
        return out

    def _debtor_features(self, d: int, parts: Sequence[int], ctx: _Context) -> list[str]:
        cfg = self.config
        f = []
        score = ctx.name_of(d)[0]
        if score >= cfg.name_strong_score:
            f.append("name_strong")
        elif score >= cfg.name_weak_score:
            f.append("name_weak")
        if d in ctx.iban_debtors:
            f.append("iban" if self._iban_kind_of(d, ctx) == "iban" else "iban_learned")
        return f

    def _iban_kind_of(self, d: int, ctx: _Context) -> str:
        return ctx.iban_kind.get(d, "iban")

    def _splits(
        self, d: int, evidence: dict[int, _Evidence], named: list[int], ctx: _Context
    ) -> list[_Scored]:
        """Split candidates of one debtor: the named cases' sum, the order rule, or a sum
        of some of the debtor's cases."""
        cfg = self.config
        amount, days = ctx.amount, ctx.days
        out: list[_Scored] = []
        named = [i for i in named if self._balance[i] > 0]
        named_set = set(named)
        base = self._debtor_features(d, named, ctx)
        if len(named) >= 2 and len(named) <= cfg.max_split_items:
            found = self._named_sum(named, evidence, amount, days)
            if found is not None:
                parts, basis = found
                out.append(_Scored(["split_named_sum", *base], parts, basis))
            elif self._balance[named[0]] < amount <= sum(self._balance[i] for i in named):
                parts = self._by_order(named, amount)
                out.append(_Scored(["split_order", *base], parts, "order"))
        items = [i for i in self._debtor_items[d] if self._balance[i] > 0]
        if len(items) < 2 or len(items) > cfg.max_debtor_items:
            return out
        balances = sorted(self._balance[i] for i in items)
        instalments = sorted(self._instalment[i] for i in items if self._instalment[i] > 0)
        if (amount < balances[0] + balances[1] or amount > sum(balances)) and (
            len(instalments) < 2 or amount < instalments[0] + instalments[1]
        ):
            return out  # no sum of two or more cases can make the amount
        if len(items) > cfg.max_split_items:
            referenced = [i for i in items if i in named_set]
            items = (referenced + [i for i in items if i not in named_set])[: cfg.max_split_items]
        found_sums: list[tuple[tuple[int, ...], str]] = []
        for size in range(2, len(items) + 1):
            for combo in itertools.combinations(items, size):
                if sum(self._balance[i] for i in combo) == amount:
                    found_sums.append((combo, "balance"))
                elif all(self._instalment[i] > 0 for i in combo) and (
                    sum(self._instalment[i] for i in combo) == amount
                ):
                    found_sums.append((combo, "instalment"))
                if len(found_sums) > 4:
                    break
            if len(found_sums) > 4:
                break
        for combo, basis in found_sums:
            in_text = [i for i in combo if i in named_set]
            if len(in_text) == len(combo) and len(named) == len(combo):
                continue  # the named sum above
            if not in_text and d not in ctx.iban_debtors:
                continue
            parts = tuple(
                (i, self._balance[i] if basis == "balance" else self._instalment[i]) for i in combo
            )
            f = ["split_sum", *base] if in_text else ["split_sum", "split_unnamed", *base]
            out.append(_Scored(f, parts, basis))
        return out

    def _named_sum(
        self, named: list[int], evidence: dict[int, _Evidence], amount: int, days: int
    ) -> tuple[tuple[tuple[int, int], ...], str] | None:
        bal = [self._balance[i] for i in named]
        if sum(bal) == amount:
            return tuple(zip(named, bal, strict=True)), "balance"
        inst = [self._instalment[i] for i in named]
        if all(x > 0 for x in inst) and sum(inst) == amount:
            return tuple(zip(named, inst, strict=True)), "instalment"
        inv = [self._named_invoice_amount(i, evidence[i]) for i in named]
        if all(x > 0 for x in inv) and sum(inv) == amount:
            return tuple(zip(named, inv, strict=True)), "invoice"
        if days:
            vd = [self._value_date_balance(i, days) for i in named]
            diff = amount - sum(vd)
            if abs(diff) <= self.config.value_date_tolerance_cents * len(named):
                vd[0] += diff
                return tuple(zip(named, vd, strict=True)), "value_date"
        return None

    def _named_invoice_amount(self, idx: int, e: _Evidence) -> int:
        """What the text names of the case: its named invoices' amounts, else its principal."""
        amounts = self.items[idx].invoice_amounts
        if e.invoices and amounts and self._principal[idx] >= 0:
            return sum(_cents(amounts[j]) for j in e.invoices if j < len(amounts))
        return self._principal[idx]

    def _by_order(self, named: list[int], amount: int) -> tuple[tuple[int, int], ...]:
        """First named case first, the rest oldest first (§ 366 Abs. 2 BGB), each up to its
        balance (the amount is at most their sum: an overpayment goes to a person)."""
        first, rest = named[0], sorted(named[1:], key=lambda i: (self._age[i] or _FAR, i))
        left = amount
        parts = []
        take = min(left, self._balance[first])
        parts.append([first, take])
        left -= take
        for i in rest:
            if left <= 0:
                break
            take = min(left, self._balance[i])
            parts.append([i, take])
            left -= take
        parts[0][1] += left
        return tuple((i, c) for i, c in parts if c > 0)

    # -- the answer

    def _finish(self, entry: BankEntry, scored: list[_Scored], ctx: _Context) -> list[Candidate]:
        cfg = self.config
        scored.sort(key=lambda s: (-s.p, len(s.parts), s.parts[0][0]))
        self._apply_rules(scored, ctx)
        out = []
        for s in scored[: cfg.max_candidates]:
            out.append(self._make(entry, s, ctx))
        return out

    def _conflicts(self, top: _Scored, other: _Scored) -> bool:
        """Whether ``other`` fits what the payer sent as well as ``top`` does on the data a
        creditor could have copied: when the text names the top's case, the other must be
        named exactly too (not a near miss) and fit the payer's name, account or amount;
        otherwise it must fit the payer's account or name and the amount."""
        f, t = set(other.features), set(top.features)
        if f & _SPLITS:
            return True  # the amount is a sum over cases the text or the account points to
        # a weak name alone (the same surname) does not make another creditor's case fit
        corroborated = bool(f & _PAYER_STRONG or f & _EXACT_FIT)
        if t & _REF_FEATURES or t & _SPLITS:
            return bool(f & _EXACT_REFS) and corroborated
        return bool(f & {"iban", "iban_learned", "name_strong", "name_learned"}) and bool(
            f & _EXACT_FIT
        )

    def _creditors(self, s: _Scored) -> set[str]:
        return {self._creditor[i] for i, _ in s.parts}

    def _bound(self, s: _Scored, ctx: _Context) -> bool:
        if ctx.bound_creditor is not None:
            return True
        ev = ctx.evidence
        return all(i in ev and ev[i].ref in _BINDING for i, _ in s.parts)

    def _apply_rules(self, scored: list[_Scored], ctx: _Context) -> None:
        """Hold back what must not be booked automatically, whatever the confidence."""
        top = scored[0]
        features = set(top.features)
        debtor_of = self._debtor_of
        top_debtor = debtor_of[top.parts[0][0]]
        if len(top.parts) == 1 and not features & (_REF_FEATURES | _PAYER_KNOWN):
            top.hold = "nur Name und Betrag: weder Referenz noch bekanntes Konto"
        elif "amt_over" in features and len(top.parts) == 1:
            top.hold = "Betrag übersteigt den offenen Saldo: Erstattung oder andere Akte?"
        elif (
            features & _NEAR_MISS
            and not (features & _PAYER_STRONG and features & _EXACT_FIT)
            and any(
                debtor_of[s.parts[0][0]] != top_debtor and set(s.features) & _CASE_NUMBER
                for s in scored[1:]
            )
        ):
            top.hold = "Verwendungszweck nennt genau die Akte eines anderen Schuldners"
        self._apply_tenant_rules(scored, ctx)

    def _apply_tenant_rules(self, scored: list[_Scored], ctx: _Context) -> None:
        top = scored[0]
        creditor = self._creditor
        creditors = self._creditors(top)
        bound = self._bound(top, ctx)
        if len(ctx.named_debtors) > 1:
            top.hold = "Verwendungszweck nennt Akten verschiedener Schuldner"
        elif len(creditors) > 1 and not bound:
            top.hold = "Aufteilung auf Akten verschiedener Mandanten ohne deren Aktenzeichen"
        if bound or len(scored) == 1:
            return
        group = [
            s
            for s in scored[1:]
            if any(creditor[i] not in creditors for i, _ in s.parts) and self._conflicts(top, s)
        ]
        if not group:
            return
        # a remittance that fits cases of two creditors: review, one shared confidence,
        # ordered by what no creditor can type in, then by age (a copy is younger)
        members = [top, *group]
        shared = sum(s.p for s in members) / len(members)
        others = ", ".join(
            sorted({self.items[i].case_reference for s in members for i, _ in s.parts})
        )
        for s in members:
            s.p = shared
            s.hold = f"passt zu Akten mehrerer Mandanten ({others}): keine automatische Buchung"
        members.sort(key=self._neutral_key)
        rest = [s for s in scored if s not in members]
        scored[:] = members + rest

    def _neutral_key(self, s: _Scored) -> tuple[int, int, int, str]:
        f = set(s.features)
        cd = any(k in f for k in _BINDING)
        own = "iban" in f or "iban_learned" in f
        age = min((self._age[i] or _FAR) for i, _ in s.parts)
        first = min(self.items[i].case_id for i, _ in s.parts)
        return (-int(cd), -int(own), age, first)

    def _make(self, entry: BankEntry, s: _Scored, ctx: _Context) -> Candidate:
        is_return = ctx.is_return
        sign = -1 if is_return else 1
        if len(s.parts) == 1:
            i, cents = s.parts[0]
            allocations: tuple[Allocation, ...] = (
                Allocation(self.items[i].case_id, _euros(sign * cents)),
            )
        else:
            allocations = tuple(
                sorted(
                    (Allocation(self.items[i].case_id, _euros(sign * c)) for i, c in s.parts),
                    key=lambda a: a.case_id,
                )
            )

        def reasons() -> list[str]:
            out = self._reasons(s, ctx)
            if is_return:
                code = f" {entry.return_reason}" if entry.return_reason else ""
                out.append(f"Rücklastschrift{code}: Buchung wird storniert")
            if s.hold:
                out.append(f"Zur Prüfung: {s.hold}")
            return out

        d = self._debtor_of[s.parts[0][0]]
        return Candidate(
            debtor_id=self._debtor_ids[d],
            allocations=allocations,
            confidence=round(min(max(s.p, 0.0), 1.0), 4),
            reasons=Reasons(reasons),
            kind="return" if is_return else "payment",
            fee=entry.charges if is_return else ZERO,
            hold=s.hold,
            features=tuple(s.features),
            basis=s.basis,
        )

    def _reasons(self, s: _Scored, ctx: _Context) -> list[str]:
        reasons: list[str] = []
        f = set(s.features)
        d = self._debtor_of[s.parts[0][0]]
        for i, _ in s.parts:
            e = ctx.evidence.get(i)
            if e is not None and e.ref:
                reasons.append(self._ref_text(i, e))
        if "iban" in f:
            reasons.append(f"IBAN {ctx.iban} ist als Konto des Schuldners bekannt")
        elif "iban_learned" in f:
            reasons.append(f"IBAN {ctx.iban} wurde dem Schuldner bestätigt zugeordnet (gelernt)")
        if "iban_sole" in f:
            reasons.append("einzige offene Akte des Schuldners")
        if "iban_other" in f:
            reasons.append("IBAN ist als Konto eines anderen Schuldners bekannt")
        score, label = ctx.name_of(d)
        if score >= self.config.name_weak_score:
            reasons.append(f"{label} ({score:.0f} %)")
        if "name_learned" in f:
            reasons.append("Zahlername wurde dem Schuldner bestätigt zugeordnet (gelernt)")
        if len(s.parts) > 1 or s.basis:
            reasons.extend(self._split_reasons(s))
        else:
            reasons.extend(self._amount_reasons(s.parts[0][0], f, ctx))
        if "named_first" in f:
            reasons.append("zuerst genannte von mehreren Akten des Schuldners")
        if "named_later" in f:
            reasons.append("Verwendungszweck nennt zuerst eine andere Akte des Schuldners")
        if "sibling_named" in f:
            reasons.append("Verwendungszweck nennt eine andere Akte des Schuldners")
        if "doubt" in f:
            reasons.append(
                "Zweifel: ein ähnliches Aktenzeichen gehört zu einem Schuldner, "
                "zu dem Name oder IBAN des Zahlers passen"
            )
        return reasons

    def _amount_reasons(self, idx: int, f: set[str], ctx: _Context) -> list[str]:
        bal = self._balance[idx]
        if "amt_balance" in f:
            return [f"Betrag entspricht dem offenen Saldo {format_eur(_euros(bal))}"]
        if "amt_instalment" in f:
            inst = self._instalment[idx]
            return [f"Betrag entspricht der fälligen Rate {format_eur(_euros(inst))}"]
        if "amt_value_date" in f:
            vd = self._value_date_balance(idx, ctx.days)
            day = f"{ctx.value_day:%d.%m.%Y}" if ctx.value_day else ""
            return [f"Betrag entspricht dem Saldo am Valutatag {day} ({format_eur(_euros(vd))})"]
        if "amt_invoice" in f:
            return ["Betrag entspricht dem Rechnungsbetrag (ohne Zinsen und Kosten)"]
        if "amt_less_costs" in f:
            net = bal - self._costs[idx]
            return [f"Betrag entspricht dem Saldo ohne Kosten {format_eur(_euros(net))}"]
        out = []
        if "amt_partial" in f:
            out.append("Teilzahlung auf den offenen Saldo")
        if "amt_over" in f:
            out.append(f"Betrag übersteigt den offenen Saldo {format_eur(_euros(bal))}")
        if "amt_sibling" in f:
            out.append("Betrag passt zu einer anderen Akte des Schuldners")
        return out

    def _split_reasons(self, s: _Scored) -> list[str]:
        n = len(s.parts)
        if s.basis == "order":
            return [
                f"Verwendungszweck nennt {n} Akten, der Betrag passt zu keiner Summe: zuerst "
                "die zuerst genannte, der Rest nach Alter (§ 366 Abs. 2 BGB)"
            ]
        what = _AMOUNT_BASIS.get(s.basis, "Salden")
        return [f"Betrag entspricht der Summe der {what} von {n} Akten"]

    def __len__(self) -> int:
        return len(self.items)
