"""Payment matching (Zahlungszuordnung): which case(s) does a bank entry belong to?

Pure and in memory: :class:`MatchIndex` is built once from the open items (one per case
with an open balance) and the confirmed corrections of people (:class:`LearnedPayer`);
:meth:`MatchIndex.match` then proposes :class:`Candidate` allocations for one
:class:`~mahnwerk.banking.statement.BankEntry`, each with a confidence in 0..1 and its
reasons in German, and :func:`decide` turns them into "book", "review" or "unmatched".
Nothing here books: the caller applies a booked allocation through the ledger (§ 366/367
BGB), queues a review, or keeps unmatched money as unapplied (unklare Zahlung).

Signals, each explained in the reasons:

- **Reference in the remittance text** (Verwendungszweck, structured reference,
  end-to-end id): the agency's case number (Aktenzeichen) and the creditor's invoice
  numbers (Rechnungsnummern). Found after normalisation (upper case; dashes, blanks and
  line breaks removed, so "MW 2025-000 123" is found; OCR-like confusions O/0, I/1, L/1,
  Z/2, S/5, B/8 folded) and, with less weight, when one character is wrong, missing,
  extra or two are swapped (Damerau distance 1 on the digits).
- **IBAN** of the payer: known account of the debtor, or a confirmed (learned) one.
- **Name** of the payer (fuzzy, rapidfuzz ``token_set_ratio`` on transliterated names)
  against the debtor and known payers (relatives, employer, learned names). A learned
  name confirmed for more than ``max_learned_name_debtors`` debtors (a common name)
  proposes only the cases whose balance or instalment equals the amount.
- **Amount** equal to the open balance or the due instalment; a payment for several
  cases of one debtor is proposed as a split when the amount equals the sum of their
  balances (or instalments).

The signals are combined as a noisy-OR, ``1 - Π(1 - p)``, with the weights of
:class:`MatchConfig`. A case number found exactly
(0.90) books on its own with the default threshold of 0.90 – unless another candidate
comes close: with sequential case numbers a typo usually hits *another* existing case, so
whenever an exact hit is not backed by the name, the IBAN or the amount, the digits are
also searched with one edit, and a neighbour backed by name, IBAN or amount sends the
entry to review (``margin``). Within one debtor, a case named in the text, or the only
case whose balance or instalment equals the amount, outranks the debtor's other cases.

Speed: the index holds dictionaries from normalised reference tokens, IBANs, learned
names and amounts (in cents) to items, and a sorted numpy array of the one-deletion
variants of the references' digits for the typo search (SymSpell). An entry touches only
the items these lookups return – never a scan over all items.

>>> items = [OpenItem("C1", "D1", "MW-2025-000123", Decimal("145.96"),
...                   debtor_names=("Jürgen Müßig",), ibans=("DE89370400440532013000",)),
...          OpenItem("C2", "D2", "MW-2025-000124", Decimal("80.00"), debtor_names=("Eva Ost",))]
>>> index = MatchIndex(items)
>>> entry = BankEntry(amount=Decimal("145.96"), sign=Sign.CREDIT, booking_date=date(2025, 11, 3),
...     counterparty_name="Juergen Muessig", remittance="Az. MW 2025-OOO123")
>>> action, chosen = decide(index.match(entry), threshold=0.9)
>>> action, chosen.allocations
('book', (Allocation(case_id='C1', amount=Decimal('145.96')),))
>>> print("\\n".join(chosen.reasons))
Aktenzeichen MW-2025-000123 im Verwendungszweck
Name „Juergen Muessig“ passt zum Schuldner (100 %)
Betrag entspricht dem offenen Saldo 145,96 €
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date  # noqa: F401  (doctest)
from decimal import Decimal
from typing import Any

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from mahnwerk.banking.iban import normalize_iban
from mahnwerk.banking.statement import BankEntry, Sign
from mahnwerk.domain.money import ZERO, format_eur

# ----------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class OpenItem:
    """One case with money open, as the matcher sees it."""

    case_id: str
    debtor_id: str
    case_reference: str
    open_balance: Decimal
    invoice_numbers: tuple[str, ...] = ()
    debtor_names: tuple[str, ...] = ()
    payer_names: tuple[str, ...] = ()
    ibans: tuple[str, ...] = ()
    instalment_due: Decimal | None = None


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


@dataclass(frozen=True)
class Candidate:
    """A proposed allocation of an entry; ``kind`` is ``payment`` or ``return``.

    For a return (Rücklastschrift) the allocation is negative (the booking to reverse)
    and ``fee`` is the bank's return fee to add as a cost.
    """

    debtor_id: str
    allocations: tuple[Allocation, ...]
    confidence: float
    reasons: tuple[str, ...]
    kind: str = "payment"
    fee: Decimal = ZERO

    @property
    def case_ids(self) -> tuple[str, ...]:
        return tuple(a.case_id for a in self.allocations)


@dataclass(frozen=True)
class MatchConfig:
    """Weights (probability that the signal alone points to the right case) and limits."""

    ref_exact: float = 0.90
    ref_digits: float = 0.72
    ref_fuzzy: float = 0.55
    invoice_exact: float = 0.75
    invoice_fuzzy: float = 0.50
    own_reference: float = 0.95  # our own end-to-end id / mandate on a return
    iban: float = 0.70
    name_strong: float = 0.50
    name_weak: float = 0.25
    amount_equal: float = 0.50
    amount_sum: float = 0.60
    amount_partial: float = 0.10
    overpayment_factor: float = 0.85
    sibling_factor: float = 0.80
    doubt_factor: float = 0.80
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


BOOK, REVIEW, UNMATCHED = "book", "review", "unmatched"


def decide(
    candidates: Sequence[Candidate], threshold: float = 0.9, margin: float = 0.1
) -> tuple[str, Any]:
    """``("book", candidate)``, ``("review", candidates)`` or ``("unmatched", [])``.

    Book only when the best candidate reaches ``threshold`` and the runner-up is at
    least ``margin`` below it.
    """
    if not candidates:
        return UNMATCHED, []
    ranked = sorted(candidates, key=lambda c: -c.confidence)
    top = ranked[0]
    runner_up = ranked[1].confidence if len(ranked) > 1 else 0.0
    if top.confidence >= threshold and top.confidence - runner_up >= margin - 1e-9:
        return BOOK, top
    return REVIEW, list(ranked)


# ------------------------------------------------------------------- normalisation

_OCR = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8"})
_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
_DIGIT_GROUP = re.compile(r"\d+(?:[\s\-./,:;_]+\d+)*")
_SEP = re.compile(r"[\s\-./,:;_]+")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe"})
_NAME_STOP = {
    "herr", "frau", "herrn", "dr", "prof", "dipl", "ing", "und", "u", "fam", "familie",
    "eheleute", "ehel", "oder", "mit", "von", "geb", "sepa", "gutschrift",
}  # fmt: skip


def canonical(text: str) -> str:
    """Reference form: upper case, OCR confusions folded, separators removed.

    >>> canonical("mw-2025-OOO I23")
    'MW2025000123'
    """
    return _NON_ALNUM.sub("", text.upper().translate(_OCR))


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


def _digits_code(digits: str) -> int:
    return int(digits) * 32 + len(digits)


def _deletions(s: str) -> set[str]:
    return {s[:i] + s[i + 1 :] for i in range(len(s))}


# ---------------------------------------------------------------------------- index

_KIND_REF, _KIND_INV = 0, 1


@dataclass
class _Evidence:
    ref: float = 0.0
    ref_reason: str = ""
    iban_reason: str = ""
    iban: float = 0.0
    name_score: float = -1.0
    name_reason: str = ""
    sources: set[str] = field(default_factory=set)


class MatchIndex:
    """The open items, indexed for matching many entries quickly."""

    def __init__(
        self,
        items: Iterable[OpenItem],
        learned: Iterable[LearnedPayer] = (),
        config: MatchConfig | None = None,
    ) -> None:
        self.config = config or MatchConfig()
        self.items: list[OpenItem] = list(items)
        self._balance: list[int] = []
        self._instalment: list[int] = []
        self._debtor_of: list[int] = []
        self._debtor_ids: list[str] = []
        debtor_index: dict[str, int] = {}
        self._debtor_items: list[list[int]] = []
        self._debtor_names: list[set[str]] = []
        self._debtor_payers: list[set[str]] = []
        self._exact: dict[str, list[int]] = {}
        self._iban: dict[str, list[int]] = {}
        self._learned_iban: dict[str, list[int]] = {}
        self._learned_name: dict[str, list[int]] = {}
        self._by_amount: dict[int, list[int]] = {}
        self._name_token: dict[str, list[int]] = {}
        self._item_of_case: dict[str, int] | None = None  # built on the first payment
        ref_lengths: set[int] = set()
        ref_heads: set[str] = set()
        fz_digits: list[str] = []
        fz_payload: list[int] = []
        min_fz = self.config.min_fuzzy_digits
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
            self._by_amount.setdefault(bal, []).append(idx)
            if inst > 0 and inst != bal:
                self._by_amount.setdefault(inst, []).append(idx)
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
                    if kind == _KIND_REF and min_fz <= len(digits) <= 16:
                        fz_digits.append(digits)
                        fz_payload.append(code)
            for iban in item.ibans:
                bucket = self._iban.setdefault(normalize_iban(iban), [])
                if d not in bucket:
                    bucket.append(d)
            if item.debtor_names:
                for n in item.debtor_names:
                    norm = normalize_name(n)
                    if norm and norm not in self._debtor_names[d]:
                        self._debtor_names[d].add(norm)
                        for tok in set(norm.split()):
                            if len(tok) >= 3:
                                self._name_token.setdefault(tok, []).append(d)
            for n in item.payer_names:
                norm = normalize_name(n)
                if norm:
                    self._debtor_payers[d].add(norm)
        self._debtor_index = debtor_index
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
        instalment is no longer due.

        >>> index = MatchIndex([OpenItem("C1", "D1", "MW-2025-000123", Decimal("100.00"),
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
        new_balance = max(0, old_balance - paid)
        new_instalment = -1 if paid >= old_instalment else old_instalment - paid
        new_instalment = min(new_instalment, new_balance) if new_instalment > 0 else -1
        for key in {old_balance, old_instalment} - {-1}:
            bucket = self._by_amount.get(key)
            if bucket is not None and idx in bucket:
                bucket.remove(idx)
                if not bucket:
                    del self._by_amount[key]
        self._balance[idx], self._instalment[idx] = new_balance, new_instalment
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

    def _exact_hits(self, canon_sep: str) -> dict[int, str]:
        """item code → matched key, from token joins and sliding windows."""
        hits: dict[int, str] = {}
        exact = self._exact
        tokens = [t for t in _NON_ALNUM.split(canon_sep) if t]
        n = len(tokens)
        for i in range(n):
            joined = ""
            for j in range(i, min(n, i + 4)):
                joined += tokens[j]
                codes = exact.get(joined)
                if codes is not None and len(codes) <= self.config.max_bucket:
                    for c in codes:
                        hits.setdefault(c, joined)
        compact = "".join(tokens)
        size = len(compact)
        heads = self._ref_heads
        for length in self._ref_lengths:
            for start in range(size - length + 1):
                if compact[start : start + 2] not in heads:
                    continue
                end = start + length
                codes = exact.get(compact[start:end])
                if codes is None or len(codes) > self.config.max_bucket:
                    continue
                # a longer run of digits is not this reference (maybe a typo of it)
                if end < size and compact[end].isdigit() and compact[end - 1].isdigit():
                    continue
                if start > 0 and compact[start - 1].isdigit() and compact[start].isdigit():
                    continue
                for c in codes:
                    if c % 2 == _KIND_REF:
                        hits.setdefault(c, compact[start:end])
        return hits

    def _fuzzy_hits(self, canon_sep: str) -> dict[int, tuple[int, str]]:
        """item code → (distance 0/1 on the digits, window) for digit groups in the text."""
        if not len(self._fz_codes):
            return {}
        windows: set[str] = set()
        lengths = self._fz_lengths
        for m in _DIGIT_GROUP.finditer(canon_sep):
            group = _SEP.sub("", m.group(0))
            if len(group) < self.config.min_fuzzy_digits - 1:
                continue
            for length in lengths:
                for width in (length - 1, length, length + 1):
                    if width < self.config.min_fuzzy_digits - 1 or width > len(group):
                        continue
                    for start in range(len(group) - width + 1):
                        windows.add(group[start : start + width])
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
        out: dict[int, tuple[int, str]] = {}
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
                    out[code] = (dist, w)
        return out

    # -- matching

    def match(self, entry: BankEntry) -> list[Candidate]:
        """Candidates for one entry, best first; empty when nothing fits."""
        cfg = self.config
        is_return = entry.is_return and entry.sign is Sign.DEBIT
        if entry.sign is Sign.DEBIT and not is_return:
            return []
        amount = _cents(entry.returned_amount if is_return else entry.amount)
        if amount <= 0:
            return []
        own_refs = " ".join(p for p in (entry.end_to_end_id, entry.mandate_id) if p)
        text = " ".join(p for p in (entry.remittance, entry.structured_reference) if p)
        evidence: dict[int, _Evidence] = {}

        def ev(idx: int) -> _Evidence:
            e = evidence.get(idx)
            if e is None:
                e = evidence[idx] = _Evidence()
            return e

        def note_ref(idx: int, p: float, reason: str) -> None:
            e = ev(idx)
            if p > e.ref:
                e.ref, e.ref_reason = p, reason

        # 1. IBAN of the payer
        iban = normalize_iban(entry.counterparty_iban)
        if iban:
            for d in self._iban.get(iban, ()):
                self._note_debtor(
                    d, ev, cfg.iban, f"IBAN {iban} ist als Konto des Schuldners bekannt"
                )
            for d in self._learned_iban.get(iban, ()):
                self._note_debtor(
                    d,
                    ev,
                    cfg.iban,
                    f"IBAN {iban} wurde dem Schuldner bestätigt zugeordnet (gelernt)",
                )

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
                    ev(idx).sources.add("learned-name")

        name_cache: dict[int, tuple[float, str]] = {}

        def name_of(d: int) -> tuple[float, str]:
            got = name_cache.get(d)
            if got is None:
                got = name_cache[d] = self._name_score(d, names, norm_names)
            return got

        # 3. references, exact after normalisation
        exact_ref_items: list[int] = []
        sources = [(text, False)]
        if own_refs:
            sources.append((own_refs, True))
        canon = {}
        for src, own in sources:
            canon_sep = src.upper().translate(_OCR)
            canon[own] = canon_sep
            for code, _key in self._exact_hits(canon_sep).items():
                idx, kind = divmod(code, 2)
                item = self.items[idx]
                if kind == _KIND_REF:
                    if own and is_return:
                        note_ref(
                            idx,
                            cfg.own_reference,
                            f"eigene Referenz {item.case_reference} in der Rücklastschrift",
                        )
                    else:
                        note_ref(
                            idx,
                            cfg.ref_exact,
                            f"Aktenzeichen {item.case_reference} im Verwendungszweck",
                        )
                    exact_ref_items.append(idx)
                else:
                    bucket = len(self._exact.get(_key, ()))
                    if bucket == 1:
                        exact_ref_items.append(idx)
                    elif not self._fits_payer(idx, evidence, amount, name_of, payer_tokens):
                        continue  # a shared invoice number counts only where the payer fits
                    p = cfg.invoice_exact if bucket == 1 else cfg.invoice_exact / 2
                    inv = next((n for n in item.invoice_numbers if canonical(n) == _key), _key)
                    note_ref(idx, p, f"Rechnungsnummer {inv} im Verwendungszweck")
                ev(idx).sources.add("ref")

        # 4. typo search when the exact hits are not convincing on their own
        doubtful: set[int] = set()
        if not self._convincing(exact_ref_items, evidence, amount, name_of):
            fuzzy_items: set[int] = set()
            for src_own, canon_sep in canon.items():
                for code, (dist, window) in self._fuzzy_hits(canon_sep).items():
                    idx, kind = divmod(code, 2)
                    # a near miss alone is noise: keep it only when the payer fits it
                    if not (src_own and is_return) and not self._fits_payer(
                        idx, evidence, amount, name_of, payer_tokens
                    ):
                        continue
                    item = self.items[idx]
                    if kind == _KIND_REF:
                        if dist == 0:
                            p, how = cfg.ref_digits, "an seinen Ziffern erkannt"
                        else:
                            p, how = cfg.ref_fuzzy, f"mit Tippfehler erkannt („{window}“)"
                        if src_own and is_return:
                            p = max(p, cfg.own_reference - 0.1)
                        note_ref(idx, p, f"Aktenzeichen {item.case_reference} {how}")
                    else:
                        p = cfg.invoice_exact if dist == 0 else cfg.invoice_fuzzy
                        inv = next(
                            (n for n in item.invoice_numbers if window in canonical(n)),
                            item.invoice_numbers[0] if item.invoice_numbers else window,
                        )
                        how = "erkannt" if dist == 0 else f"mit Tippfehler erkannt („{window}“)"
                        note_ref(idx, p, f"Rechnungsnummer {inv} {how}")
                    ev(idx).sources.add("ref")
                    fuzzy_items.add(idx)
            # an exact hit backed by nothing, while a near miss fits the payer: doubt it
            backed = any(
                evidence[i].iban or name_of(self._debtor_of[i])[0] >= cfg.name_strong_score
                for i in fuzzy_items - set(exact_ref_items)
            )
            if backed:
                doubtful = set(exact_ref_items)

        # 5. name and amount only, when nothing else pointed anywhere
        if not evidence and norm_names:
            tokens = {t for n in norm_names for t in n.split() if len(t) >= 3}
            debtors: set[int] = set()
            for t in tokens:
                holders = self._name_token.get(t)
                if holders and len(holders) <= 5000:
                    debtors.update(holders)
            if debtors:
                for idx in self._by_amount.get(amount, ())[:5000]:
                    if self._debtor_of[idx] in debtors:
                        ev(idx).sources.add("name+amount")

        if not evidence:
            return []

        # 6. expand each debtor reached to its other cases (amount fit, split)
        debtors_seen = {self._debtor_of[i] for i in evidence}
        for d in debtors_seen:
            items = self._debtor_items[d]
            if len(items) <= cfg.max_debtor_items:
                for idx in items:
                    ev(idx)

        return self._candidates(entry, evidence, amount, name_of, is_return, doubtful)

    def _fits_payer(
        self,
        idx: int,
        evidence: dict[int, _Evidence],
        amount: int,
        name_of: Callable[[int], tuple[float, str]],
        tokens: list[str],
    ) -> bool:
        """The payer's account, amount or name fits the item (corroboration)."""
        e = evidence.get(idx)
        if (e is not None and e.iban) or amount in (self._balance[idx], self._instalment[idx]):
            return True
        d = self._debtor_of[idx]
        known = (*self._debtor_names[d], *self._debtor_payers[d])
        # cheap pre-check: a name that shares no word with the debtor's names cannot fit
        if tokens and not any(t in k for t in tokens for k in known):
            return False
        return name_of(d)[0] >= self.config.name_weak_score

    def _note_debtor(self, d: int, ev: Any, p: float, reason: str) -> None:
        items = self._debtor_items[d]
        if len(items) > self.config.max_debtor_items:
            return
        for idx in items:
            e = ev(idx)
            if p > e.iban:
                e.iban, e.iban_reason = p, reason

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
        name_of: Callable[[int], tuple[float, str]],
    ) -> bool:
        """An exact case-number hit backed by the IBAN, the name or the amount."""
        cfg = self.config
        for idx in ref_items:
            e = evidence[idx]
            if e.iban or amount in (self._balance[idx], self._instalment[idx]):
                return True
            if name_of(self._debtor_of[idx])[0] >= cfg.name_strong_score:
                return True
        return False

    def _score(
        self,
        idx: int,
        e: _Evidence,
        amount: int,
        name: tuple[float, str],
        is_return: bool,
        context: tuple[set[int], dict[int, int], set[int]],
        reasons: list[str] | None,
    ) -> float | None:
        """Confidence of booking the whole entry on item ``idx``; reasons only on request."""
        cfg = self.config
        referenced_debtors, amount_fits, doubtful = context
        d = self._debtor_of[idx]
        rest = 1.0
        factor = 1.0
        if e.ref:
            rest *= 1.0 - e.ref
            if reasons is not None:
                reasons.append(e.ref_reason)
        if e.iban:
            rest *= 1.0 - e.iban
            if reasons is not None:
                reasons.append(e.iban_reason)
        score, label = name
        if score >= cfg.name_weak_score:
            rest *= 1.0 - (cfg.name_strong if score >= cfg.name_strong_score else cfg.name_weak)
            if reasons is not None:
                reasons.append(f"{label} ({score:.0f} %)")
        bal, inst = self._balance[idx], self._instalment[idx]
        if amount == bal:
            rest *= 1.0 - cfg.amount_equal
            if reasons is not None:
                reasons.append(f"Betrag entspricht dem offenen Saldo {format_eur(_euros(bal))}")
        elif amount == inst:
            rest *= 1.0 - cfg.amount_equal
            if reasons is not None:
                reasons.append(f"Betrag entspricht der fälligen Rate {format_eur(_euros(inst))}")
        elif is_return:
            pass
        elif amount < bal:
            rest *= 1.0 - cfg.amount_partial
            if reasons is not None:
                reasons.append("Teilzahlung auf den offenen Saldo")
        else:
            factor *= cfg.overpayment_factor
            if reasons is not None:
                reasons.append(f"Betrag übersteigt den offenen Saldo {format_eur(_euros(bal))}")
        if idx in doubtful:
            factor *= cfg.doubt_factor
            if reasons is not None:
                reasons.append(
                    "Zweifel: ein ähnliches Aktenzeichen gehört zu einem Schuldner, "
                    "zu dem Name oder IBAN des Zahlers passen"
                )
        if not e.ref:
            if d in referenced_debtors:
                factor *= cfg.sibling_factor
                if reasons is not None:
                    reasons.append("Verwendungszweck nennt eine andere Akte des Schuldners")
            elif amount_fits.get(d, idx) != idx:
                factor *= cfg.sibling_factor
                if reasons is not None:
                    reasons.append("Betrag passt zu einer anderen Akte des Schuldners")
            if not e.iban and "learned-name" not in e.sources and score < cfg.name_weak_score:
                return None  # neither reference nor account nor name: nothing to go on
        return (1.0 - rest) * factor

    def _candidates(
        self,
        entry: BankEntry,
        evidence: dict[int, _Evidence],
        amount: int,
        name_of: Callable[[int], tuple[float, str]],
        is_return: bool,
        doubtful: set[int],
    ) -> list[Candidate]:
        cfg = self.config
        by_debtor: dict[int, list[int]] = {}
        for idx in evidence:
            by_debtor.setdefault(self._debtor_of[idx], []).append(idx)
        referenced_debtors = {self._debtor_of[i] for i, e in evidence.items() if e.ref}
        amount_fits: dict[int, int] = {}
        for d, idxs in by_debtor.items():
            fits = [i for i in idxs if amount in (self._balance[i], self._instalment[i])]
            if len(fits) == 1:
                amount_fits[d] = fits[0]
        context = (referenced_debtors, amount_fits, doubtful)

        # phase 1: confidences only
        scored: list[tuple[float, int, tuple[tuple[int, int], ...], str]] = []
        for idx, e in evidence.items():
            conf = self._score(
                idx, e, amount, name_of(self._debtor_of[idx]), is_return, context, None
            )
            if conf is not None:
                scored.append((conf, 1, ((idx, amount),), ""))
        if not is_return:
            for d in by_debtor:
                if len(self._debtor_items[d]) >= 2:
                    scored.extend(self._splits(d, evidence, amount, name_of))
        scored.sort(key=lambda t: (-t[0], t[1], [self.items[i].case_id for i, _ in t[2]]))

        # phase 2: reasons for the few that are returned
        out: list[Candidate] = []
        for conf, _n, parts, basis in scored[: cfg.max_candidates]:
            reasons: list[str] = []
            if basis:
                self._split_reasons(parts, basis, evidence, name_of, reasons)
            else:
                idx = parts[0][0]
                self._score(
                    idx, evidence[idx], amount, name_of(self._debtor_of[idx]), is_return,
                    context, reasons,
                )  # fmt: skip
            d = self._debtor_of[parts[0][0]]
            out.append(self._make(entry, d, parts, conf, reasons, is_return))
        return out

    def _splits(
        self,
        d: int,
        evidence: dict[int, _Evidence],
        amount: int,
        name_of: Callable[[int], tuple[float, str]],
    ) -> list[tuple[float, int, tuple[tuple[int, int], ...], str]]:
        cfg = self.config
        items = [i for i in self._debtor_items[d] if self._balance[i] > 0]
        if len(items) < 2 or len(items) > cfg.max_debtor_items:
            return []
        if sum(self._balance[i] for i in items) < amount and all(
            self._instalment[i] <= self._balance[i] for i in items
        ):
            return []
        if len(items) > cfg.max_split_items:
            referenced = [i for i in items if evidence.get(i) and evidence[i].ref]
            items = (referenced + [i for i in items if i not in referenced])[: cfg.max_split_items]
        found: list[tuple[tuple[int, ...], str]] = []
        for size in range(2, len(items) + 1):
            for combo in itertools.combinations(items, size):
                if sum(self._balance[i] for i in combo) == amount:
                    found.append((combo, "balance"))
                elif all(self._instalment[i] > 0 for i in combo) and (
                    sum(self._instalment[i] for i in combo) == amount
                ):
                    found.append((combo, "instalment"))
                if len(found) > 4:
                    break
            if len(found) > 4:
                break
        out = []
        score = name_of(d)[0]
        for combo, basis in found:
            rest = 1.0
            refs = [evidence[i].ref for i in combo if i in evidence and evidence[i].ref]
            ibans = [evidence[i].iban for i in combo if i in evidence and evidence[i].iban]
            if not refs and not ibans:
                continue
            for p in refs:
                rest *= 1.0 - p
            if ibans:
                rest *= 1.0 - max(ibans)
            if score >= cfg.name_strong_score:
                rest *= 1.0 - cfg.name_strong
            elif score >= cfg.name_weak_score:
                rest *= 1.0 - cfg.name_weak
            rest *= 1.0 - cfg.amount_sum
            parts = tuple(
                (i, self._balance[i] if basis == "balance" else self._instalment[i]) for i in combo
            )
            out.append((1.0 - rest, len(combo), parts, basis))
        return out

    def _split_reasons(
        self,
        parts: tuple[tuple[int, int], ...],
        basis: str,
        evidence: dict[int, _Evidence],
        name_of: Callable[[int], tuple[float, str]],
        reasons: list[str],
    ) -> None:
        cfg = self.config
        combo = [i for i, _ in parts]
        for i in combo:
            e = evidence.get(i)
            if e and e.ref:
                reasons.append(e.ref_reason)
        with_iban = [i for i in combo if i in evidence and evidence[i].iban]
        if with_iban:
            reasons.append(evidence[with_iban[0]].iban_reason)
        score, label = name_of(self._debtor_of[combo[0]])
        if score >= cfg.name_weak_score:
            reasons.append(f"{label} ({score:.0f} %)")
        what = "Salden" if basis == "balance" else "fälligen Raten"
        reasons.append(f"Betrag entspricht der Summe der {what} von {len(combo)} Akten")

    def _make(
        self,
        entry: BankEntry,
        d: int,
        parts: tuple[tuple[int, int], ...],
        conf: float,
        reasons: list[str],
        is_return: bool,
    ) -> Candidate:
        sign = -1 if is_return else 1
        allocations = tuple(
            sorted(
                (Allocation(self.items[i].case_id, _euros(sign * cents)) for i, cents in parts),
                key=lambda a: a.case_id,
            )
        )
        if is_return:
            code = f" {entry.return_reason}" if entry.return_reason else ""
            reasons = [*reasons, f"Rücklastschrift{code}: Buchung wird storniert"]
        return Candidate(
            debtor_id=self._debtor_ids[d],
            allocations=allocations,
            confidence=round(min(conf, 1.0), 4),
            reasons=tuple(dict.fromkeys(reasons)),
            kind="return" if is_return else "payment",
            fee=entry.charges if is_return else ZERO,
        )

    def __len__(self) -> int:
        return len(self.items)


def _noisy_or(probs: Iterable[float]) -> float:
    rest = 1.0
    for p in probs:
        rest *= 1.0 - p
    return 1.0 - rest
