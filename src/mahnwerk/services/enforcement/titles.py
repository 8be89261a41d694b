"""The title register as enforcement sees it: recording a title with sensible defaults (the
court branch's :func:`mahnwerk.services.court.titles.record_title` stores it), the title's
Forderungsaufstellung, its limitation dates, and titles as the forms name them.

Defaults of ``mahnwerk title add`` when the amounts are not given (documented choice): the
principal is the sum of the case's claims, interest runs from the earliest ``default_from``
at the statutory rate (§ 288 BGB), and the titled costs are the case's costs dated on or
before the day of issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.domain import ledger
from mahnwerk.domain.limitation import LimitationResult
from mahnwerk.domain.money import ZERO
from mahnwerk.domain.title import (
    Title as TitleValue,
)
from mahnwerk.domain.title import (
    interest_barred_through,
    title_limitation,
)
from mahnwerk.domain.title_statement import title_case
from mahnwerk.enforcement.values import TitleRef
from mahnwerk.services.actor import Actor
from mahnwerk.services.court.titles import (
    TitleError,
    as_domain,
    record_title,
    titles_of_case,
)
from mahnwerk.store.court import CourtProcedure, Title
from mahnwerk.store.ledger_map import domain_case
from mahnwerk.store.models import Case

__all__ = [
    "TitleError",
    "TitleInfo",
    "add_title",
    "current_title",
    "title_info",
    "title_ledger_case",
    "title_ref",
]


def add_title(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    kind: str,
    court: str,
    file_no: str,
    issued: date,
    final: date | None,
    principal: Decimal | None = None,
    interest_from: date | None = None,
    interest: str | None = None,
    costs: Decimal | None = None,
    note: str = "",
) -> Title:
    """Record a title for the case, filling what is not given from the case (module doc)."""
    case = session.get(Case, case_id)
    if case is None or not actor.may_see_creditor(case.creditor_id):
        raise TitleError(f"Fall {case_id} gibt es nicht")
    claims = list(case.claims)
    if principal is None:
        principal = sum((c.principal for c in claims), ZERO)
    if interest is None:
        interest = "statutory"
    defaults = [c.default_from for c in claims if c.default_from is not None]
    if interest_from is None and interest != "none" and defaults:
        # a claim not in default (§ 286 BGB) gives no start of interest
        interest_from = min(defaults)
    if costs is None:
        costs = sum((c.amount for c in case.costs if c.date <= issued), ZERO)
    value = TitleValue(
        kind=kind,
        court=court,
        file_number=file_no,
        issued=issued,
        final=final,
        principal=principal,
        interest_from=interest_from,
        interest=interest,
        costs=costs,
    )
    return record_title(session, actor, case.id, value, note=note)


def current_title(session: Session, case_id: int, title_id: int | None = None) -> Title | None:
    """The title the forms are for: the one asked for, else the latest of the case."""
    titles = list(titles_of_case(session, case_id))
    if title_id is not None:
        return next((t for t in titles if t.id == title_id), None)
    return titles[-1] if titles else None


def title_ref(session: Session, row: Title, number: int = 1) -> TitleRef:
    served = None
    if row.procedure_id is not None:
        procedure = session.get(CourtProcedure, row.procedure_id)
        served = procedure.vb_served_on if procedure is not None else None
    return TitleRef(row.kind, row.court, row.issued, row.file_number, row.final, served, number)


def title_ledger_case(case: Case, row: Title) -> ledger.Case:
    """The title's statement as a ledger case: the titled amounts, the case's later costs
    and payments (:func:`mahnwerk.domain.title_statement.title_case`)."""
    own = domain_case(case)
    return title_case(
        as_domain(row),
        consumer=own.consumer,
        later_costs=own.costs,
        payments=own.payments,
        day_count=own.day_count,
        allocation=own.allocation,
    )


@dataclass(frozen=True)
class TitleInfo:
    row: Title
    limitation: LimitationResult | None
    """30 years from Rechtskraft, restarted by acts and payments (None: not final yet)."""
    interest_barred_through: date | None
    statement: ledger.Statement
    acts: tuple[date, ...]


def title_info(session: Session, case: Case, row: Title, today: date) -> TitleInfo:
    """Limitation dates and the statement of a title on ``today`` (re-computed every time:
    nothing of it is stored)."""
    acts = tuple(a.acted_on for a in row.enforcement_acts)
    payments = [p.date for p in case.payments if not p.reversed]
    limitation = None
    barred = None
    if row.final is not None:
        limitation = title_limitation(row.final, acts, payments)
        barred = interest_barred_through(row.final, today, acts)
    statement = ledger.compute_statement(title_ledger_case(case, row), today)
    return TitleInfo(row, limitation, barred, statement, acts)


def titled_case_ids(session: Session) -> list[int]:
    """Open cases with at least one title."""
    return list(
        session.scalars(
            select(Case.id)
            .where(Case.status == "open", Case.id.in_(select(Title.case_id)))
            .order_by(Case.id)
        )
    )


# ------------------------------------------------------------------ titled portfolios

TITLE_COLUMNS = (
    "case",
    "kind",
    "court",
    "file_no",
    "issued",
    "final",
    "principal",
    "interest_from",
    "interest",
    "costs",
)


@dataclass(frozen=True)
class TitleRow:
    """One line of a titles file: ``case`` is the agency's reference or the creditor's
    ``external_ref`` (with a creditor given)."""

    line: int
    case: str
    kind: str
    court: str
    file_no: str
    issued: date
    final: date | None
    principal: Decimal | None
    interest_from: date | None
    interest: str | None
    costs: Decimal | None


def parse_titles_csv(data: bytes, filename: str) -> list[TitleRow]:
    """The titles of a bought portfolio (CSV, ``;`` or ``,``, UTF-8, header with
    :data:`TITLE_COLUMNS`; ``final``, amounts and interest may be empty). Every problem names
    the file, line and field; :class:`TitleError` lists them all."""
    import csv
    import io

    from mahnwerk.domain.money import AmountError, parse_amount

    text = data.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";" if ";" in first else ",")
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ("case", "kind", "court", "file_no", "issued") if c not in header]
    unknown = [c for c in header if c not in TITLE_COLUMNS]
    if missing or unknown:
        raise TitleError(
            f"{filename}: Kopfzeile "
            + "; ".join(
                ([f"fehlt: {', '.join(missing)}"] if missing else [])
                + ([f"unbekannt: {', '.join(unknown)}"] if unknown else [])
            )
        )
    reader.fieldnames = header
    problems: list[str] = []
    rows: list[TitleRow] = []
    lines: list[tuple[int, dict[str, str]]] = []
    try:
        for raw in reader:
            lines.append((reader.line_num, raw))
    except csv.Error as exc:
        raise TitleError(f"{filename}, Zeile {reader.line_num}: kein CSV ({exc})") from exc
    for line_num, raw in lines:
        where = f"{filename}, Zeile {line_num}"
        cell = {k: (v or "").strip() for k, v in raw.items() if k}
        parsed: dict[str, object] = {}
        for name in ("issued", "final", "interest_from"):
            try:
                parsed[name] = date.fromisoformat(cell[name]) if cell.get(name) else None
            except ValueError:
                problems.append(f"{where}, Feld {name}: {cell[name]!r} ist kein Datum JJJJ-MM-TT")
        for name in ("principal", "costs"):
            try:
                parsed[name] = parse_amount(cell[name]) if cell.get(name) else None
            except AmountError as exc:
                problems.append(f"{where}, Feld {name}: {exc}")
        for name in ("case", "kind", "court", "file_no", "issued"):
            if not cell.get(name):
                problems.append(f"{where}, Feld {name}: fehlt")
        if any(p.startswith(where + ",") for p in problems):
            continue
        issued = parsed["issued"]
        assert isinstance(issued, date)
        rows.append(
            TitleRow(
                line_num,
                cell["case"],
                cell["kind"],
                cell["court"],
                cell["file_no"],
                issued,
                parsed["final"],  # type: ignore[arg-type]
                parsed["principal"],  # type: ignore[arg-type]
                parsed["interest_from"],  # type: ignore[arg-type]
                cell.get("interest") or None,
                parsed["costs"],  # type: ignore[arg-type]
            )
        )
    if problems:
        raise TitleError("; ".join(problems))
    return rows


def import_titles(
    session: Session,
    actor: Actor,
    rows: list[TitleRow],
    filename: str,
    *,
    creditor_id: int | None = None,
) -> tuple[int, int]:
    """Record every title of the file in the caller's transaction (whole or nothing: the
    first refused line raises with its line number). Returns (recorded, already known)."""
    recorded = known = 0
    for row in rows:
        query = select(Case.id).where(Case.reference == row.case)
        case_id = session.scalar(query)
        if case_id is None and creditor_id is not None:
            case_id = session.scalar(
                select(Case.id).where(
                    Case.creditor_id == creditor_id, Case.external_ref == row.case
                )
            )
        if case_id is None:
            raise TitleError(
                f"{filename}, Zeile {row.line}, Feld case: Fall {row.case!r} unbekannt"
            )
        before = len(list(titles_of_case(session, case_id)))
        try:
            add_title(
                session,
                actor,
                case_id,
                kind=row.kind,
                court=row.court,
                file_no=row.file_no,
                issued=row.issued,
                final=row.final,
                principal=row.principal,
                interest_from=row.interest_from,
                interest=row.interest,
                costs=row.costs,
                note=f"aus {filename}",
            )
        except TitleError as exc:
            raise TitleError(f"{filename}, Zeile {row.line}: {exc}") from exc
        if len(list(titles_of_case(session, case_id))) > before:
            recorded += 1
        else:
            known += 1
    return recorded, known
