"""Outgoing SEPA files: direct debits for payment plans (pain.008) and payouts (pain.001).

SEPA-Basislastschrift (CORE) collections for instalments of payment plans
(Ratenzahlungen) need a signed SEPA-Lastschriftmandat (mandate id = Mandatsreferenz, date
of signature) and the agency's Gläubiger-Identifikationsnummer. Each collection is sent
with its sequence type (FRST first, RCUR following, OOFF one-off, FNAL last) in one file
per due date (Fälligkeitstag), and the debtor gets a pre-notification (Vorabankündigung)
with amount, date, Mandatsreferenz and Gläubiger-ID before it.

Payouts to creditors (Auskehrungen an Mandanten) go out as SEPA credit transfers
(pain.001).

The XML is written by sepaxml, which validates it against its bundled XSD
(``validate=True``). sepaxml only checks the XSD, so every IBAN and the creditor id are
checked here first (:mod:`mahnwerk.banking.iban`); amounts go to sepaxml in integer cents.
Functions that check input return a list of problems in German; the file builders raise
:class:`SepaError` with all of them.

>>> validate_creditor_id("DE98ZZZ09999999999")
[]
>>> validate_creditor_id("DE97ZZZ09999999999")
['Prüfziffer der Gläubiger-ID stimmt nicht']
>>> m = Mandate("MW-M-000123-1", date(2025, 10, 1), "Jürgen Müßig", "DE89370400440532013000")
>>> print(pre_notification_text(
...     DirectDebit(m, Decimal("145.96"), date(2025, 11, 3), "MW-2025-000123-R03",
...                 "MW-2025-000123 Rate 3"),
...     Creditor("Inkasso Nord GmbH", "DE02120300000000202051", "DE98ZZZ09999999999")))
Vorabankündigung (Pre-Notification) Ihrer SEPA-Lastschrift
Wir ziehen am 03.11.2025 den Betrag von 145,96 € von Ihrem Konto DE89 **** **** **** **30 00 ein.
Verwendungszweck: MW-2025-000123 Rate 3
Mandatsreferenz: MW-M-000123-1
Gläubiger-Identifikationsnummer: DE98ZZZ09999999999
Zahlungsempfänger: Inkasso Nord GmbH
Bitte sorgen Sie für ausreichende Deckung; eine Rücklastschrift verursacht Bankgebühren.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from mahnwerk.banking.iban import bic_for, mask_iban, normalize_iban, validate_iban
from mahnwerk.domain.money import format_eur

PAIN_008_SCHEMAS = ("pain.008.001.02", "pain.008.001.08")
PAIN_001_SCHEMAS = ("pain.001.001.03", "pain.001.001.09")
MAX_AMOUNT = Decimal("999999999.99")
# SEPA character set for ids (EPC: Latin letters, digits and + ? / - : ( ) . , ' space)
_SEPA_ID = re.compile(r"^[A-Za-z0-9+?/\-:().,' ]{1,35}$")


class SequenceType(StrEnum):
    FIRST = "FRST"
    RECURRING = "RCUR"
    ONE_OFF = "OOFF"
    FINAL = "FNAL"


class SepaError(ValueError):
    """Input that must not go into a SEPA file; ``problems`` lists all of it."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Creditor:
    """The agency as Zahlungsempfänger/Auftraggeber: name, account, Gläubiger-ID."""

    name: str
    iban: str
    creditor_id: str = ""
    bic: str = ""


@dataclass(frozen=True)
class Mandate:
    """SEPA-Lastschriftmandat: Mandatsreferenz, Datum der Unterschrift, Zahler."""

    mandate_id: str
    signature_date: date
    debtor_name: str
    debtor_iban: str
    sequence_type: SequenceType = SequenceType.RECURRING
    debtor_bic: str = ""


@dataclass(frozen=True)
class DirectDebit:
    """One collection (Einzug) under a mandate on a due date."""

    mandate: Mandate
    amount: Decimal
    due_date: date
    end_to_end_id: str
    remittance: str
    sequence_type: SequenceType | None = None  # overrides the mandate's

    @property
    def seq(self) -> SequenceType:
        return self.sequence_type or self.mandate.sequence_type


@dataclass(frozen=True)
class CreditTransfer:
    """One payout (Überweisung), e.g. to a creditor (Auskehrung)."""

    name: str
    iban: str
    amount: Decimal
    remittance: str
    end_to_end_id: str
    bic: str = ""


def validate_creditor_id(text: str) -> list[str]:
    """Check a Gläubiger-Identifikationsnummer (SEPA creditor identifier).

    Layout: country, two check digits, three-character business code (ignored by the
    check, usually ``ZZZ``), national id (11 digits in Germany). The check digits are
    ISO 7064 MOD 97-10 over national id + country + ``00``, as for an IBAN.
    """
    value = re.sub(r"\s+", "", text or "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}", value):
        return ["Gläubiger-ID hat nicht die Form Land, Prüfziffern, Geschäftsbereich, Kennung"]
    if value.startswith("DE") and not re.fullmatch(r"DE\d{2}[A-Z0-9]{3}\d{11}", value):
        return ["deutsche Gläubiger-ID: nach DE, Prüfziffern und Geschäftsbereich 11 Ziffern"]
    national = value[7:] + value[:2] + "00"
    number = int("".join(str(int(ch, 36)) for ch in national))
    if f"{98 - number % 97:02d}" != value[2:4]:
        return ["Prüfziffer der Gläubiger-ID stimmt nicht"]
    return []


def _amount_problems(label: str, amount: Decimal) -> list[str]:
    if not isinstance(amount, Decimal):
        return [f"{label}: Betrag muss Decimal sein"]
    if amount != amount.quantize(Decimal("0.01")):
        return [f"{label}: Betrag hat mehr als zwei Nachkommastellen"]
    if not (Decimal("0.01") <= amount <= MAX_AMOUNT):
        return [f"{label}: Betrag muss zwischen 0,01 und 999.999.999,99 € liegen"]
    return []


def _text_problems(label: str, value: str, limit: int) -> list[str]:
    if not value.strip():
        return [f"{label} fehlt"]
    if len(value) > limit:
        return [f"{label} ist länger als {limit} Zeichen"]
    return []


def validate_creditor(creditor: Creditor, *, direct_debit: bool) -> list[str]:
    problems = _text_problems("Name des Auftraggebers", creditor.name, 70)
    problems += [f"IBAN des Auftraggebers: {p}" for p in validate_iban(creditor.iban)]
    if direct_debit:
        problems += validate_creditor_id(creditor.creditor_id)
    return problems


def validate_direct_debit(debit: DirectDebit) -> list[str]:
    """Problems of one collection (and its mandate)."""
    m = debit.mandate
    label = f"Lastschrift {debit.end_to_end_id or '?'}"
    problems = _amount_problems(label, debit.amount)
    if not _SEPA_ID.match(m.mandate_id):
        problems.append(f"{label}: Mandatsreferenz fehlt, zu lang oder mit unzulässigen Zeichen")
    if not _SEPA_ID.match(debit.end_to_end_id):
        problems.append(f"{label}: Ende-zu-Ende-Referenz fehlt, zu lang (35) oder unzulässig")
    if m.signature_date > debit.due_date:
        problems.append(f"{label}: Mandat ist nach dem Fälligkeitstag unterschrieben")
    problems += [f"{label}: {p}" for p in _text_problems("Name des Zahlers", m.debtor_name, 70)]
    problems += [f"{label}: {p}" for p in _text_problems("Verwendungszweck", debit.remittance, 140)]
    problems += [f"{label}: IBAN des Zahlers: {p}" for p in validate_iban(m.debtor_iban)]
    return problems


def validate_transfer(t: CreditTransfer) -> list[str]:
    label = f"Überweisung {t.end_to_end_id or '?'}"
    problems = _amount_problems(label, t.amount)
    if not _SEPA_ID.match(t.end_to_end_id):
        problems.append(f"{label}: Ende-zu-Ende-Referenz fehlt, zu lang (35) oder unzulässig")
    problems += [f"{label}: {p}" for p in _text_problems("Name des Empfängers", t.name, 70)]
    problems += [f"{label}: {p}" for p in _text_problems("Verwendungszweck", t.remittance, 140)]
    problems += [f"{label}: IBAN des Empfängers: {p}" for p in validate_iban(t.iban)]
    return problems


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


def _bic(iban: str, given: str) -> str:
    return given or bic_for(iban) or ""


def direct_debit_file(
    creditor: Creditor,
    debits: Iterable[DirectDebit],
    *,
    schema: str = "pain.008.001.08",
    message_id: str | None = None,
    clean: bool = True,
) -> bytes:
    """One pain.008 file (CORE) for the given collections, validated against the XSD.

    ``clean=True`` transliterates Umlauts (``Müßig`` → ``Mussig``), which every bank
    accepts; ``clean=False`` keeps them (XSD-valid, but not every bank takes them).
    """
    from sepaxml import SepaDD

    if schema not in PAIN_008_SCHEMAS:
        raise SepaError([f"Schema {schema} wird nicht unterstützt ({', '.join(PAIN_008_SCHEMAS)})"])
    items = list(debits)
    problems = validate_creditor(creditor, direct_debit=True)
    if not items:
        problems.append("keine Lastschriften")
    for d in items:
        problems += validate_direct_debit(d)
    ids = [d.end_to_end_id for d in items]
    if len(set(ids)) != len(ids):
        problems.append("Ende-zu-Ende-Referenzen sind nicht eindeutig")
    if problems:
        raise SepaError(problems)
    config = {
        "name": creditor.name,
        "IBAN": normalize_iban(creditor.iban),
        "batch": True,
        "creditor_id": creditor.creditor_id.replace(" ", "").upper(),
        "currency": "EUR",
        "instrument": "CORE",
    }
    bic = _bic(creditor.iban, creditor.bic)
    if bic:
        config["BIC"] = bic
    sdd = SepaDD(config, schema=schema, clean=clean)
    if message_id:
        _set_message_id(sdd, message_id)
    for d in items:
        payment: dict[str, object] = {
            "name": d.mandate.debtor_name,
            "IBAN": normalize_iban(d.mandate.debtor_iban),
            "amount": _cents(d.amount),
            "type": d.seq.value,
            "collection_date": d.due_date,
            "mandate_id": d.mandate.mandate_id,
            "mandate_date": d.mandate.signature_date,
            "description": d.remittance,
            "endtoend_id": d.end_to_end_id,
        }
        debtor_bic = _bic(d.mandate.debtor_iban, d.mandate.debtor_bic)
        if debtor_bic:
            payment["BIC"] = debtor_bic
        sdd.add_payment(payment)
    out: bytes = sdd.export(validate=True, pretty_print=True)
    return out


def collection_files(
    creditor: Creditor,
    debits: Iterable[DirectDebit],
    *,
    schema: str = "pain.008.001.08",
    message_id_prefix: str = "MW-DD",
    clean: bool = True,
) -> dict[date, bytes]:
    """One pain.008 file per due date (Sammler je Fälligkeitstag)."""
    by_date: dict[date, list[DirectDebit]] = defaultdict(list)
    for d in debits:
        by_date[d.due_date].append(d)
    return {
        due: direct_debit_file(
            creditor,
            items,
            schema=schema,
            message_id=f"{message_id_prefix}-{due:%Y%m%d}",
            clean=clean,
        )
        for due, items in sorted(by_date.items())
    }


def credit_transfer_file(
    debtor: Creditor,
    transfers: Iterable[CreditTransfer],
    execution_date: date,
    *,
    schema: str = "pain.001.001.09",
    message_id: str | None = None,
    clean: bool = True,
) -> bytes:
    """A pain.001 file paying ``transfers`` from the agency's account ``debtor``."""
    from sepaxml import SepaTransfer

    if schema not in PAIN_001_SCHEMAS:
        raise SepaError([f"Schema {schema} wird nicht unterstützt ({', '.join(PAIN_001_SCHEMAS)})"])
    items = list(transfers)
    problems = validate_creditor(debtor, direct_debit=False)
    if not items:
        problems.append("keine Überweisungen")
    for t in items:
        problems += validate_transfer(t)
    if problems:
        raise SepaError(problems)
    config: dict[str, object] = {
        "name": debtor.name,
        "IBAN": normalize_iban(debtor.iban),
        "batch": True,
        "currency": "EUR",
    }
    bic = _bic(debtor.iban, debtor.bic)
    if bic:
        config["BIC"] = bic
    sct = SepaTransfer(config, schema=schema, clean=clean)
    if message_id:
        _set_message_id(sct, message_id)
    for t in items:
        payment: dict[str, object] = {
            "name": t.name,
            "IBAN": normalize_iban(t.iban),
            "amount": _cents(t.amount),
            "execution_date": execution_date,
            "description": t.remittance,
            "endtoend_id": t.end_to_end_id,
        }
        tbic = _bic(t.iban, t.bic)
        if tbic:
            payment["BIC"] = tbic
        sct.add_payment(payment)
    out: bytes = sct.export(validate=True, pretty_print=True)
    return out


def _set_message_id(initiation: Any, message_id: str) -> None:
    """sepaxml writes a random MsgId into the header when it is built; set ours instead."""
    if not _SEPA_ID.match(message_id):
        raise SepaError([f"Nachrichtenreferenz {message_id!r} unzulässig (max. 35 Zeichen)"])
    initiation.msg_id = message_id
    for node in initiation._xml.iter("MsgId"):
        node.text = message_id


def pre_notification_text(debit: DirectDebit, creditor: Creditor) -> str:
    """Vorabankündigung (pre-notification) of a collection, in German."""
    m = debit.mandate
    return "\n".join(
        [
            "Vorabankündigung (Pre-Notification) Ihrer SEPA-Lastschrift",
            f"Wir ziehen am {debit.due_date:%d.%m.%Y} den Betrag von {format_eur(debit.amount)} "
            f"von Ihrem Konto {mask_iban(m.debtor_iban)} ein.",
            f"Verwendungszweck: {debit.remittance}",
            f"Mandatsreferenz: {m.mandate_id}",
            f"Gläubiger-Identifikationsnummer: {creditor.creditor_id}",
            f"Zahlungsempfänger: {creditor.name}",
            "Bitte sorgen Sie für ausreichende Deckung; eine Rücklastschrift verursacht "
            "Bankgebühren.",
        ]
    )


def sepaxml_schema_path(schema: str) -> Path:
    """The XSD that sepaxml bundles, for independent validation in tests."""
    import sepaxml

    return Path(sepaxml.__file__).parent / "schemas" / f"{schema}.xsd"
