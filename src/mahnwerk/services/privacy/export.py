"""Everything stored about a person (Auskunft, Art. 15 GDPR; Datenübertragbarkeit, Art. 20).

A person is found by a case (its debtor's person), a debtor or a person id; the export covers
the person across all creditors: the person and each debtor record (names, addresses, contact
data, bank accounts, protected attributes), every case with its claims, costs, payments,
reversals, postings, events, letters and other documents, scores with their reasons, plans,
disputes, tasks, calls, messages, and the audit entries about them.

The rows are found through the schema itself: every table with a ``person_id``, ``debtor_id``
or ``case_id`` column is read, so a table added later is exported without a change here.
Columns holding secrets of the product (password and token hashes, webhook secrets) and the
internal file paths are left out.

:func:`write_zip` writes ``daten.json`` (machine-readable, every row with its columns), the
stored files of the documents under ``dokumente/`` exactly as sent, and ``uebersicht.pdf``,
a readable summary (rendered with typst like the letters).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from mahnwerk.domain.case_reference import parse_case_reference
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.store.models import AuditEntry, Base, Case, Debtor, Document, Person

#: columns never exported: secrets of the product, not data about the person
SECRET_WORDS = ("hash", "secret", "token")
#: internal file locations (the files themselves are in the archive)
INTERNAL_COLUMNS = {"path", "html_path", "pdf_path", "audit_path"}


class SubjectNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Subject:
    """The person an export or erasure is about, with their debtor records and cases."""

    person_id: int
    debtor_ids: tuple[int, ...]
    case_ids: tuple[int, ...]


@dataclass
class Export:
    subject: Subject
    created: datetime
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def rows(self, table: str) -> list[dict[str, Any]]:
        return self.tables.get(table, [])

    def as_json(self) -> bytes:
        data = {
            "erstellt": self.created.isoformat(),
            "person": self.subject.person_id,
            "tabellen": self.tables,
        }
        return json.dumps(data, ensure_ascii=False, indent=1, default=_json_value).encode()


def find_subject(session: Session, text: str) -> Subject:
    """``text``: a case number (``MW-00000123-20``), ``case:ID``, ``debtor:ID`` or
    ``person:ID``."""
    text = text.strip()
    kind, _, number = text.partition(":")
    person_id: int | None = None
    if number.isdigit() and kind in ("case", "debtor", "person"):
        if kind == "person":
            person_id = session.scalar(select(Person.id).where(Person.id == int(number)))
        elif kind == "debtor":
            person_id = session.scalar(select(Debtor.person_id).where(Debtor.id == int(number)))
        else:
            person_id = _person_of_case(session, int(number))
    else:
        number_of = parse_case_reference(text)
        if number_of is not None:
            person_id = _person_of_case(session, number_of)
        else:
            case_id = session.scalar(select(Case.id).where(Case.reference == text))
            person_id = _person_of_case(session, case_id) if case_id else None
    if person_id is None:
        raise SubjectNotFound(f"{text!r}: keine Person, kein Schuldner und kein Fall gefunden")
    return subject_of(session, person_id)


def subject_of(session: Session, person_id: int) -> Subject:
    debtors = tuple(
        session.scalars(select(Debtor.id).where(Debtor.person_id == person_id).order_by(Debtor.id))
    )
    cases = tuple(
        session.scalars(select(Case.id).where(Case.debtor_id.in_(debtors)).order_by(Case.id))
    )
    return Subject(person_id, debtors, cases)


def _person_of_case(session: Session, case_id: int) -> int | None:
    return session.scalar(
        select(Debtor.person_id).join(Case, Case.debtor_id == Debtor.id).where(Case.id == case_id)
    )


def collect(session: Session, subject: Subject) -> Export:
    """Every stored row about ``subject``, table by table, in id order."""
    export = Export(subject, utcnow())
    keys = {"person_id": subject.person_id, "debtor_id": subject.debtor_ids}
    keys["case_id"] = subject.case_ids
    for table in Base.metadata.sorted_tables:
        condition = _condition(table, subject)
        if condition is None:
            continue
        rows = session.execute(select(table).where(condition).order_by(*table.primary_key))
        found = [_row(table, r._mapping) for r in rows]
        if found:
            export.tables[table.name] = found
    return export


def _condition(table: Table, subject: Subject) -> Any:
    c = table.c
    if table.name == "person":
        return c.id == subject.person_id
    if table.name == "debtor":
        return c.id.in_(subject.debtor_ids)
    if table.name == "case_file":
        return c.id.in_(subject.case_ids)
    if table.name == AuditEntry.__tablename__:
        return or_(
            c.case_id.in_(subject.case_ids),
            (c.entity == "debtor") & c.entity_id.in_([str(d) for d in subject.debtor_ids]),
            (c.entity == "person") & (c.entity_id == str(subject.person_id)),
        )
    parts = []
    if "person_id" in c:
        parts.append(c.person_id == subject.person_id)
    if "debtor_id" in c:
        parts.append(c.debtor_id.in_(subject.debtor_ids))
    if "case_id" in c:
        parts.append(c.case_id.in_(subject.case_ids))
    return or_(*parts) if parts else None


def _row(table: Table, mapping: Any) -> dict[str, Any]:
    return {
        name: value
        for name, value in mapping.items()
        if name not in INTERNAL_COLUMNS and not any(w in name for w in SECRET_WORDS)
    }


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"not serialisable: {type(value).__name__}")


def write_zip(
    session: Session,
    actor: Actor,
    subject: Subject,
    out: Path,
    *,
    documents_dir: Path,
    pdf: bool = True,
) -> Export:
    """Write the export of ``subject`` to ``out`` (a zip archive) and audit it."""
    export = collect(session, subject)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("daten.json", export.as_json())
        for name, path in _document_files(session, subject, documents_dir):
            archive.write(path, f"dokumente/{name}")
        if pdf:
            from mahnwerk.documents.privacy_summary import summary_pdf

            archive.writestr("uebersicht.pdf", summary_pdf(summary_data(export)))
    audit.record(
        session, actor, "export", "person", subject.person_id,
        details={"cases": len(subject.case_ids), "tables": sorted(export.tables)},
    )  # fmt: skip
    return export


def _document_files(
    session: Session, subject: Subject, documents_dir: Path
) -> Iterable[tuple[str, Path]]:
    base = documents_dir.resolve()
    docs = session.scalars(
        select(Document).where(Document.case_id.in_(subject.case_ids)).order_by(Document.id)
    )
    for doc in docs:
        path = (base / doc.path).resolve()
        if base in path.parents and path.is_file():
            yield f"{doc.case_id}/{doc.id}-{Path(doc.filename).name}", path


# ------------------------------------------------------------------ the readable summary

#: tables in the summary, with German headings and the columns shown (all others are in
#: daten.json)
SUMMARY: Sequence[tuple[str, str, tuple[str, ...]]] = (
    ("debtor", "Angaben zur Person", ("kind", "first_name", "last_name", "company", "birth_date")),
    ("address", "Anschriften", ("street", "postcode", "city", "valid_from", "valid_to", "source")),
    ("contact_point", "Kontaktdaten", ("kind", "value", "consent", "source", "status")),
    ("bank_account", "Bankverbindungen", ("iban", "holder", "source")),
    ("protected_attribute", "Merkmale (nur zur Prüfung der Modelle auf Fairness)", ()),
    ("case_file", "Fälle", ("reference", "external_ref", "stage", "status", "created_at")),
    ("claim", "Forderungen", ("case_id", "invoice_no", "principal", "default_from")),
    ("cost", "Kosten", ("case_id", "date", "label", "amount")),
    ("payment", "Zahlungen", ("case_id", "date", "amount", "source", "reference")),
    ("payment_reversal", "Stornierte Zahlungen", ("payment_id", "date", "reason")),
    ("document", "Briefe und Dokumente", ("case_id", "kind", "filename", "created_at")),
    ("case_score", "Bewertungen (Scores) mit Gründen",
     ("case_id", "run_date", "p_pay_30d", "segment", "reason_1", "reason_2", "reason_3")),
    ("case_event", "Verlauf", ("case_id", "at", "kind")),
    ("audit_entry", "Protokoll: wer hat wann was getan", ("at", "actor", "action", "entity")),
)  # fmt: skip


def summary_data(export: Export) -> dict[str, Any]:
    sections = []
    for table, heading, columns in SUMMARY:
        rows = export.rows(table)
        if not rows:
            continue
        shown = columns or tuple(k for k in rows[0] if k != "person_id")
        sections.append(
            {
                "heading": f"{heading} ({len(rows)})",
                "columns": list(shown),
                "rows": [[_text(r.get(c)) for c in shown] for r in rows],
            }
        )
    others = sorted(set(export.tables) - {t for t, _, _ in SUMMARY})
    return {
        "created": f"{export.created:%d.%m.%Y %H:%M} UTC",
        "person": str(export.subject.person_id),
        "cases": len(export.subject.case_ids),
        "sections": sections,
        "others": ", ".join(others),
    }


def _text(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, Decimal):
        return f"{value:.2f} €".replace(".", ",")
    return str(value)[:120]
