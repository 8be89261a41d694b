"""Import a bank statement (CAMT.053/.054 or MT940) and book what it brings.

:func:`import_statement` reads the file (the format is detected; CAMT is validated against
the packaged ISO 20022 XSD), then, in ONE transaction for the whole file:

- stores every entry once, keyed by account IBAN and ``entry_key`` (the bank's reference
  or a content hash): an entry already stored is a duplicate and books nothing;
- a credit carrying the end-to-end id of one of our direct debits is booked to that case;
- every other credit is matched (:class:`~mahnwerk.banking.matching.MatchIndex`, built once
  per import from the open cases of the store) and then either booked through
  :func:`mahnwerk.services.cases.record_payment` (confidence at or above the threshold;
  one payment per case of a split, ``source="bank"``, ``external_id`` = the entry key),
  queued for review (status ``review``) or kept as unapplied money (status ``unapplied``);
- a returned direct debit (Rücklastschrift) reverses the original payment (found by
  end-to-end id, mandate and amount, else by the matcher) and adds the bank's return fee as
  a cost of the case;
- other debits (rent, salaries …) are not ours: status ``ignored``.

A file that cannot be read raises :class:`~mahnwerk.banking.statement.StatementError`
before anything is written; an error while booking rolls the whole file back.

The threshold comes from ``MAHNWERK_MATCH_THRESHOLD`` (default 0.9) unless given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from mahnwerk.banking import matching
from mahnwerk.banking.camt import parse_camt
from mahnwerk.banking.iban import normalize_iban
from mahnwerk.banking.mt940 import parse_mt940
from mahnwerk.banking.statement import BankEntry as ParsedEntry
from mahnwerk.banking.statement import BankStatement as ParsedStatement
from mahnwerk.banking.statement import Sign, StatementAlreadyImported, StatementError
from mahnwerk.domain.allocation import designated_claim
from mahnwerk.domain.case_reference import find_case_references
from mahnwerk.domain.money import ZERO, format_eur
from mahnwerk.services import audit, cases
from mahnwerk.services.actor import Actor, today_in_germany, utcnow
from mahnwerk.services.banking.accounts import establish_account, established_ibans
from mahnwerk.services.cases import add_cost, record_payment, statement
from mahnwerk.store.banking_store import (
    BankEntry,
    BankMatch,
    BankStatement,
    LearnedPayer,
    SepaCollection,
    SepaMandate,
)
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, Claim, Creditor, Debtor, LedgerPosting, Payment
from mahnwerk.store.workflow import PaymentPlan

DEFAULT_THRESHOLD = 0.9
RETURN_FEE_LABEL = "Rücklastschriftgebühr der Bank"
RETURN_FEE_CODE = "return_fee"
_CHUNK = 500


def match_threshold(runtime: Any = None) -> float:
    """The settings' ``match_threshold`` (``MAHNWERK_MATCH_THRESHOLD``, read in ``config``)."""
    value = getattr(getattr(runtime, "settings", None), "match_threshold", None)
    return DEFAULT_THRESHOLD if value is None else float(value)


@dataclass
class ImportSummary:
    """What one import did (all counts are entries)."""

    filename: str = ""
    statements: int = 0
    entries: int = 0
    booked: int = 0
    review: int = 0
    unapplied: int = 0
    returns: int = 0
    ignored: int = 0
    duplicates: int = 0
    amount_booked: Decimal = ZERO
    amount_unapplied: Decimal = ZERO
    amount_returned: Decimal = ZERO
    entry_ids: list[int] = field(default_factory=list)

    def german(self) -> str:
        lines = [
            f"Kontoauszug {self.filename} eingelesen: {self.statements} Auszug/Auszüge, "
            f"{self.entries} Umsätze",
            f"  automatisch gebucht:   {self.booked:>6}  ({format_eur(self.amount_booked)})",
            f"  zur Prüfung:           {self.review:>6}",
            f"  nicht zugeordnet:      {self.unapplied:>6}  ({format_eur(self.amount_unapplied)},"
            " als unklare Zahlung verwahrt)",
            f"  Rücklastschriften:     {self.returns:>6}  ({format_eur(self.amount_returned)})",
            f"  nicht unsere Umsätze:  {self.ignored:>6}",
            f"  Dubletten übersprungen:{self.duplicates:>6}",
        ]
        return "\n".join(lines)


# ------------------------------------------------------------------------------ parsing


def parse_statement_file(data: bytes, source: str | None = None) -> list[ParsedStatement]:
    """CAMT (XML, XSD-validated) or MT940, detected from the content."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if head.startswith(b"<"):
        return parse_camt(data, source=source)
    if b":20:" in data[:2000] or head.startswith((b"{1:", b":")):
        return parse_mt940(data, source=source)
    raise StatementError("weder CAMT (XML) noch MT940 erkannt", file=source, line=1)


# ------------------------------------------------------------------------------- index


def build_index(
    session: Session,
    as_of: date,
    *,
    window_days: int = 30,
) -> tuple[matching.MatchIndex, dict[int, int]]:
    """The matcher's index over every open case with money open, built from the store.

    Returns the index and ``case id → person id``. Open balances, open principal per claim
    and costs come from the vectorised ledger (:mod:`mahnwerk.batch`), so building it stays
    fast with many cases; the interest per day is the interest accrued over the last
    ``window_days`` (computed a second time as of then), so that a payment of the balance at
    an earlier value date is recognised. Only *established* accounts point to a debtor
    (:mod:`mahnwerk.services.banking.accounts`), never one a creditor typed in. A creditor's own
    collection account (:func:`creditor_accounts`) binds payments on it to that creditor.
    """
    from mahnwerk.batch.balances import compute_balances
    from mahnwerk.batch.loader import load_open_cases

    portfolio = load_open_cases(session.connection(), as_of)
    now = compute_balances(portfolio, as_of)
    before = compute_balances(portfolio, as_of - timedelta(days=window_days))
    n = len(portfolio)
    claim_case = portfolio.claims.case
    accrued = np.zeros(n, dtype=np.int64)
    np.add.at(accrued, claim_case, now.claim_interest_accrued - before.claim_interest_accrued)
    row_of = {int(cid): row for row, cid in enumerate(now.case_id.tolist())}
    open_cents = {
        int(cid): int(total)
        for cid, total in zip(now.case_id.tolist(), now.total_open.tolist(), strict=True)
        if total > 0
    }
    claim_open: dict[int, int] = {}
    if portfolio.claims.seq is not None:
        claim_open = dict(
            zip(portfolio.claims.seq.tolist(), now.claim_principal_open.tolist(), strict=True)
        )
    cases = session.execute(
        select(Case.id, Case.reference, Case.external_ref, Case.debtor_id, Case.creditor_id).where(
            Case.status == "open"
        )
    ).all()
    cases = [c for c in cases if c.id in open_cents]
    debtor_rows = session.execute(
        select(
            Debtor.id,
            Debtor.person_id,
            Debtor.kind,
            Debtor.first_name,
            Debtor.last_name,
            Debtor.company,
        )
    ).all()
    person_of = {d.id: d.person_id for d in debtor_rows}
    names_of_person: dict[int, set[str]] = {}
    for d in debtor_rows:
        name = (
            (d.company or "")
            if d.kind == "legal"
            else " ".join(p for p in (d.first_name, d.last_name) if p)
        )
        if name:
            names_of_person.setdefault(d.person_id, set()).add(name)
    ibans_of_person = established_ibans(session)
    claims: dict[int, list[tuple[int, str, date | None]]] = {}
    for claim_id, case_id, invoice_no, default_from in session.execute(
        select(Claim.id, Claim.case_id, Claim.invoice_no, Claim.default_from).order_by(Claim.id)
    ):
        claims.setdefault(case_id, []).append((claim_id, invoice_no, default_from))
    instalments: dict[int, Decimal] = {}
    for case_id, amount in session.execute(
        select(PaymentPlan.case_id, PaymentPlan.instalment).where(PaymentPlan.status == "active")
    ):
        instalments[case_id] = amount
    items = []
    case_person: dict[int, int] = {}
    for c in cases:
        person = person_of[c.debtor_id]
        case_person[c.id] = person
        row = row_of[c.id]
        balance = _euros(open_cents[c.id])
        inst = instalments.get(c.id)
        refs, amounts = [], []
        for claim_id, invoice_no, _day in claims.get(c.id, ()):
            if len(invoice_no) >= 4 and invoice_no not in refs:
                refs.append(invoice_no)
                amounts.append(_euros(claim_open.get(claim_id, 0)))
        if c.external_ref and len(c.external_ref) >= 4 and c.external_ref not in refs:
            refs.append(c.external_ref)
        days = [day for _id, _no, day in claims.get(c.id, ()) if day is not None]
        items.append(
            matching.OpenItem(
                case_id=str(c.id),
                debtor_id=str(person),
                case_reference=c.reference,
                open_balance=balance,
                invoice_numbers=tuple(refs),
                debtor_names=tuple(sorted(names_of_person.get(person, ()))),
                ibans=tuple(sorted(ibans_of_person.get(person, ()))),
                instalment_due=min(inst, balance) if inst is not None else None,
                creditor_id=str(c.creditor_id),
                invoice_amounts=tuple(amounts),
                principal=_euros(int(now.principal_open[row])),
                costs=_euros(int(now.costs_open[row])),
                interest_per_day=(Decimal(int(accrued[row])) / 100 / window_days).quantize(
                    Decimal("0.000001")
                ),
                default_from=min(days) if days else None,
            )
        )
    learned = [
        matching.LearnedPayer(debtor_id=str(lp.person_id), iban=lp.iban, name=lp.name)
        for lp in session.scalars(select(LearnedPayer))
    ]
    index = matching.MatchIndex(
        items,
        learned,
        as_of=as_of,
        creditor_accounts=creditor_accounts(session),
    )
    return index, case_person


def creditor_accounts(session: Session) -> dict[str, str]:
    """IBAN → creditor id for accounts that belong to one creditor alone: its
    ``payment_account`` marked ``"exclusive": true`` in the creditor's settings (and marked
    so by no other creditor). A payment on such an account is that creditor's."""
    users: dict[str, set[int]] = {}
    for creditor_id, settings in session.execute(select(Creditor.id, Creditor.settings)):
        account = (settings or {}).get("payment_account") or {}
        iban = normalize_iban(str(account.get("iban") or ""))
        if iban and account.get("exclusive") is True:
            users.setdefault(iban, set()).add(creditor_id)
    return {iban: str(next(iter(ids))) for iban, ids in users.items() if len(ids) == 1}


def _euros(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


# ------------------------------------------------------------------------------ import


def import_statement(
    runtime: Any,
    actor: Actor,
    path: str | Path,
    *,
    threshold: float | None = None,
    as_of: date | None = None,
) -> ImportSummary:
    """Import the statement file at ``path``; see the module docstring."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise StatementError(f"Datei nicht lesbar: {exc}", file=p.name) from exc
    return import_statement_bytes(
        runtime, actor, data, filename=p.name, threshold=threshold, as_of=as_of
    )


def import_statement_bytes(
    runtime: Any,
    actor: Actor,
    data: bytes,
    *,
    filename: str = "",
    threshold: float | None = None,
    as_of: date | None = None,
) -> ImportSummary:
    statements = parse_statement_file(data, source=filename or None)  # before any write
    limit = threshold if threshold is not None else match_threshold(runtime)
    sha = hashlib.sha256(data).hexdigest()
    summary = ImportSummary(filename=filename, statements=len(statements))
    tried = _Tried()
    try:
        with transaction(runtime.sessions) as session:
            importer = _Importer(session, actor, limit, as_of or today_in_germany(), summary)
            importer.tried = tried
            for st in statements:
                importer.statement(st, sha, filename)
            audit.record(
                session,
                actor,
                "create",
                "bank_statement",
                None,
                details={
                    "file_sha256": sha,
                    "entries": summary.entries,
                    "booked": summary.booked,
                    "review": summary.review,
                    "unapplied": summary.unapplied,
                    "returns": summary.returns,
                    "duplicates": summary.duplicates,
                },
            )
    except (IntegrityError, OperationalError) as exc:
        # Two imports of one file at the same time: both found its entries new, the
        # unique keys let only the first one store them. This one rolled back whole.
        if _stored_meanwhile(runtime, tried):
            raise StatementAlreadyImported(
                "Kontoauszug wurde gleichzeitig schon importiert – nichts wurde gebucht",
                file=filename or None,
            ) from exc
        raise
    return summary


@dataclass
class _Tried:
    """What an import found new and stored: statements (account, id, file hash) and entry
    keys by account. Only these can collide with a concurrent import."""

    statements: list[tuple[str, str, str]] = field(default_factory=list)
    entries: dict[str, list[str]] = field(default_factory=dict)


def _stored_meanwhile(runtime: Any, tried: _Tried) -> bool:
    """Whether another import has stored what this one found new."""
    with runtime.sessions() as s:
        for account, statement_id, sha in tried.statements:
            where = exists().where(
                BankStatement.account_iban == account,
                BankStatement.statement_id == statement_id,
                BankStatement.file_sha256 == sha,
            )
            if s.scalar(select(where)):
                return True
        for account, keys in tried.entries.items():
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                where = exists().where(
                    BankEntry.account_iban == account, BankEntry.entry_key.in_(chunk)
                )
                if s.scalar(select(where)):
                    return True
    return False


def _external_id(entry_key: str) -> str:
    if len(entry_key) <= 100:
        return entry_key
    return "sha256:" + hashlib.sha256(entry_key.encode()).hexdigest()


def candidate_json(c: matching.Candidate) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "confidence": c.confidence,
        "allocations": [
            {"case_id": int(a.case_id), "amount": str(a.amount)} for a in c.allocations
        ],
        "reasons": list(c.reasons),
        "fee": str(c.fee),
        "hold": c.hold,
        "features": list(c.features),
    }


class _Importer:
    def __init__(
        self, session: Session, actor: Actor, threshold: float, as_of: date, summary: ImportSummary
    ) -> None:
        self.s = session
        self.actor = actor
        self.threshold = threshold
        self.as_of = as_of
        self.summary = summary
        self._index: matching.MatchIndex | None = None
        self.tried = _Tried()

    @property
    def index(self) -> matching.MatchIndex:
        if self._index is None:
            self._index, _ = build_index(self.s, self.as_of)
        return self._index

    def statement(self, st: ParsedStatement, sha: str, filename: str) -> None:
        row = self.s.scalar(
            select(BankStatement).where(
                BankStatement.account_iban == st.account_iban,
                BankStatement.statement_id == st.statement_id,
                BankStatement.file_sha256 == sha,
            )
        )
        if row is None:
            # recorded before the flush that a concurrent import of the file makes fail
            self.tried.statements.append((st.account_iban, st.statement_id[:100], sha))
            row = BankStatement(
                account_iban=st.account_iban,
                statement_id=st.statement_id[:100],
                source_format=st.source_format[:30],
                filename=filename[:300],
                file_sha256=sha,
                entries=len(st.entries),
                imported_by=self.actor.label,
                imported_at=utcnow(),
            )
            self.s.add(row)
            self.s.flush()
        known = self._known_keys(st.account_iban, [e.entry_key for e in st.entries])
        for entry in st.entries:
            self.summary.entries += 1
            if entry.entry_key in known:
                self.summary.duplicates += 1
                continue
            known.add(entry.entry_key)
            self.tried.entries.setdefault(st.account_iban, []).append(entry.entry_key[:120])
            stored = self._store(row, st.account_iban, entry)
            self.summary.entry_ids.append(stored.id)
            self.process(stored, entry, st.account_iban)

    def _known_keys(self, account: str, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            found.update(
                self.s.scalars(
                    select(BankEntry.entry_key).where(
                        BankEntry.account_iban == account, BankEntry.entry_key.in_(chunk)
                    )
                )
            )
        return found

    def _store(self, st_row: BankStatement, account: str, e: ParsedEntry) -> BankEntry:
        row = BankEntry(
            statement_id=st_row.id,
            account_iban=account,
            entry_key=e.entry_key[:120],
            amount=e.amount,
            sign=e.sign.value,
            booking_date=e.booking_date,
            value_date=e.value_date,
            counterparty_name=e.counterparty_name[:200],
            counterparty_iban=e.counterparty_iban[:34],
            ultimate_party_name=e.ultimate_party_name[:200],
            remittance=e.remittance,
            structured_reference=e.structured_reference[:200],
            end_to_end_id=e.end_to_end_id[:100],
            mandate_id=e.mandate_id[:100],
            bank_reference=e.bank_reference[:100],
            is_return=e.is_return,
            return_reason=e.return_reason[:10],
            charges=e.charges,
            status="unapplied",
            candidates=[],
            created_at=utcnow(),
        )
        self.s.add(row)
        self.s.flush()
        return row

    # -- one entry

    def process(self, row: BankEntry, e: ParsedEntry, account: str = "") -> None:
        if e.sign is Sign.DEBIT and e.is_return:
            self._return(row, e, account)
            return
        if e.sign is Sign.DEBIT:
            row.status = "ignored"
            row.note = "Belastung, keine Zahlung auf eine Akte"
            self.summary.ignored += 1
            return
        collection = self._collection(e.end_to_end_id)
        if collection is not None and collection.amount == e.amount:
            case = self.s.get(Case, collection.case_id)
            assert case is not None
            reasons = [f"eigene Lastschrift {collection.end_to_end_id} eingelöst"]
            alloc = (matching.Allocation(str(case.id), e.amount),)
            payments = book(self.s, self.actor, row, e, alloc, 1.0, reasons, "auto")
            collection.status = "paid"
            collection.payment_id = payments[0].id
            self._count_booked(e, alloc)
            return
        candidates = self.index.match(e, account)
        action, chosen = matching.decide(candidates, threshold=self.threshold)
        if action == matching.BOOK and chosen.basis == "value_date":
            chosen = self._exact_value_date_parts(e, chosen)
            if chosen is None:
                action = matching.REVIEW
        if action == matching.BOOK and chosen.kind == "payment":
            book(
                self.s, self.actor, row, e, chosen.allocations, chosen.confidence,
                list(chosen.reasons), "auto",
            )  # fmt: skip
            self._count_booked(e, chosen.allocations)
            self._establish(row, e, chosen)
        elif action == matching.REVIEW or (action == matching.BOOK):
            row.status = "review"
            row.confidence = candidates[0].confidence if candidates else None
            row.candidates = [candidate_json(c) for c in candidates]
            self.summary.review += 1
        else:
            row.status = "unapplied"
            row.confidence = 0.0
            self.summary.unapplied += 1
            self.summary.amount_unapplied += e.amount

    def _exact_value_date_parts(
        self, e: ParsedEntry, chosen: matching.Candidate
    ) -> matching.Candidate | None:
        """A split over the balances at the value date: the matcher estimated them from the
        interest per day; the ledger gives them to the cent. ``None`` (a review) when the
        exact balances do not add up to the amount."""
        day = e.value_date or e.booking_date
        parts = []
        for a in chosen.allocations:
            case = self.s.get(Case, int(a.case_id))
            if case is None:
                return None
            parts.append(replace(a, amount=statement(case, day).totals.total_open))
        if sum((p.amount for p in parts), ZERO) != e.amount:
            return None
        return replace(chosen, allocations=tuple(parts))

    def _establish(self, row: BankEntry, e: ParsedEntry, chosen: matching.Candidate) -> None:
        """A payment booked on one case by our check-digit case number, from an account in
        the debtor's own name: the account is the debtor's (provenance ``payment``)."""
        features = set(chosen.features)
        if (
            len(chosen.allocations) != 1
            or not e.counterparty_iban
            or "name_strong" not in features
            or not features & matching.BINDING_FEATURES
        ):
            return
        case = self.s.get(Case, int(chosen.allocations[0].case_id))
        if case is not None:
            establish_account(
                self.s, case.debtor_id, e.counterparty_iban, provenance="payment",
                evidence=f"Umsatz {row.id}", now=utcnow(), holder=e.counterparty_name[:200],
                source="bank",
            )  # fmt: skip

    def _count_booked(self, e: ParsedEntry, allocations: Sequence[matching.Allocation]) -> None:
        self.summary.booked += 1
        self.summary.amount_booked += e.amount
        if self._index is not None:  # an index built later reads the booking from the store
            for a in allocations:
                self._index.record_payment(a.case_id, a.amount)

    def _collection(self, e2e: str) -> SepaCollection | None:
        if not e2e:
            return None
        return self.s.scalar(select(SepaCollection).where(SepaCollection.end_to_end_id == e2e))

    def _return(self, row: BankEntry, e: ParsedEntry, account: str = "") -> None:
        amount = e.returned_amount
        payment, reasons = self._original_payment(e, amount)
        if payment is None:
            candidates = self.index.match(e, account)
            row.status = "review"
            row.note = "Rücklastschrift: ursprüngliche Zahlung nicht gefunden"
            row.confidence = candidates[0].confidence if candidates else None
            row.candidates = [candidate_json(c) for c in candidates]
            self.summary.review += 1
            return
        apply_return(self.s, self.actor, row, e, payment, 1.0, reasons, "auto")
        self.summary.returns += 1
        self.summary.amount_returned += amount

    def _original_payment(
        self, e: ParsedEntry, amount: Decimal
    ) -> tuple[Payment | None, list[str]]:
        """The booked payment the return takes back: by our end-to-end id, by the mandate
        and the amount, else the case the matcher is sure about and the amount."""
        collection = self._collection(e.end_to_end_id)
        if collection is not None and collection.payment_id:
            p = self.s.get(Payment, collection.payment_id)
            if p is not None and not p.reversed and p.amount == amount:
                return p, [f"eigene Lastschrift {collection.end_to_end_id} zurückgegeben"]
        if e.mandate_id:
            mandate = self.s.scalar(
                select(SepaMandate).where(SepaMandate.mandate_id == e.mandate_id)
            )
            if mandate is not None:
                rows = self.s.scalars(
                    select(SepaCollection)
                    .where(
                        SepaCollection.mandate_ref == mandate.id,
                        SepaCollection.amount == amount,
                        SepaCollection.payment_id.is_not(None),
                    )
                    .order_by(SepaCollection.due_date.desc())
                ).all()
                for c in rows:
                    p = self.s.get(Payment, c.payment_id)
                    if p is not None and not p.reversed:
                        return p, [f"Mandat {mandate.mandate_id}, Betrag {format_eur(amount)}"]
        text = " ".join((e.end_to_end_id, e.mandate_id, e.remittance, e.structured_reference))
        found = []
        for case_id in find_case_references(text):
            p = latest_payment(self.s, case_id, amount)
            if p is not None:
                found.append(p)
        if len(found) == 1:
            ref = self.s.scalar(select(Case.reference).where(Case.id == found[0].case_id))
            return found[0], [f"Aktenzeichen {ref} in der Rücklastschrift, Betrag passt"]
        action, chosen = matching.decide(self.index.match(e), threshold=self.threshold)
        if action == matching.BOOK and chosen.kind == "return" and len(chosen.allocations) == 1:
            case_id = int(chosen.allocations[0].case_id)
            p = latest_payment(self.s, case_id, amount)
            if p is not None:
                return p, list(chosen.reasons)
        return None, []


def latest_payment(session: Session, case_id: int, amount: Decimal) -> Payment | None:
    """The most recent not reversed bank payment of ``amount`` on the case."""
    return session.scalar(
        select(Payment)
        .where(
            Payment.case_id == case_id,
            Payment.amount == amount,
            Payment.reversed.is_(False),
            Payment.source == "bank",
        )
        .order_by(Payment.date.desc(), Payment.id.desc())
        .limit(1)
    )


# ----------------------------------------------------------------- booking (also for review)


def book(
    session: Session,
    actor: Actor,
    row: BankEntry,
    e: ParsedEntry | None,
    allocations: Iterable[matching.Allocation],
    confidence: float,
    reasons: list[str],
    decided_by: str,
) -> list[Payment]:
    """Book the entry on the cases (one payment per case) and record the matches."""
    day = row.value_date or row.booking_date
    reference = " ".join((row.remittance or row.structured_reference or row.entry_key).split())
    now = utcnow()
    payments = []
    for alloc in allocations:
        case = session.get(Case, int(alloc.case_id))
        if case is None:
            raise ValueError(f"Fall {alloc.case_id} nicht gefunden")
        payment = record_payment(
            session,
            actor,
            case,
            day=day,
            amount=alloc.amount,
            source="bank",
            reference=reference[:200],
            external_id=_external_id(row.entry_key),
            claim=designated_claim(row.remittance or "", [c.invoice_no for c in case.claims]),
        )
        session.add(
            BankMatch(
                entry_id=row.id,
                case_id=case.id,
                kind="payment",
                amount=alloc.amount,
                confidence=confidence,
                reasons=reasons,
                decided_by=decided_by,
                decided_at=now,
                payment_id=payment.id,
            )
        )
        payments.append(payment)
    row.status = "booked"
    row.confidence = confidence
    row.decided_by = decided_by
    row.decided_at = now
    session.flush()
    return payments


def reverse_payment(
    session: Session, actor: Actor, payment: Payment, *, day: date, reason: str, source: str
) -> LedgerPosting:
    """Take a booked payment back (Storno): a reversing row and a reversal posting; the
    payment's own row stays as it was (see :func:`mahnwerk.services.cases.reverse_payment`)."""
    return cases.reverse_payment(session, actor, payment, day=day, reason=reason, source=source)


def apply_return(
    session: Session,
    actor: Actor,
    row: BankEntry,
    e: ParsedEntry | None,
    payment: Payment,
    confidence: float,
    reasons: list[str],
    decided_by: str,
) -> None:
    """A Rücklastschrift: reverse ``payment`` and add the bank's fee as a cost of the case."""
    day = row.value_date or row.booking_date
    code = f" {row.return_reason}" if row.return_reason else ""
    reverse_payment(
        session, actor, payment, day=day, reason=f"Rücklastschrift{code}", source="bank"
    )
    case = session.get(Case, payment.case_id)
    assert case is not None
    fee_id = None
    if row.charges > 0:
        add_cost(
            session, case, day, RETURN_FEE_LABEL, row.charges,
            source=f"bank:{actor.label}", now=utcnow(), code=RETURN_FEE_CODE,
        )  # fmt: skip
        session.flush()
        from mahnwerk.store.models import Cost

        fee_id = session.scalar(
            select(Cost.id).where(Cost.case_id == case.id).order_by(Cost.id.desc()).limit(1)
        )
    session.add(
        BankMatch(
            entry_id=row.id,
            case_id=case.id,
            kind="return",
            amount=-payment.amount,
            confidence=confidence,
            reasons=[*reasons, f"Rücklastschrift{code}: Buchung storniert"],
            decided_by=decided_by,
            decided_at=utcnow(),
            payment_id=payment.id,
            fee_cost_id=fee_id,
        )
    )
    collection = session.scalar(
        select(SepaCollection).where(SepaCollection.payment_id == payment.id)
    )
    if collection is not None:
        collection.status = "returned"
    row.status = "returned"
    row.confidence = confidence
    row.decided_by = decided_by
    row.decided_at = utcnow()
    session.flush()
