"""Titles of a case: record one (from a served Vollstreckungsbescheid, or entered by a person
for a judgment, settlement or notarial deed), record enforcement acts against it, read them
back as domain values.

:func:`record_title` is the one way a title enters the store: the court reply import calls it
when a Vollstreckungsbescheid was served, ``mahnwerk title add`` (enforcement) for titles from
elsewhere. From then on the daily run treats the covered claims as titled (30-year
limitation, no pre-court letters; see :mod:`mahnwerk.services.court.facts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.domain import title as domain
from mahnwerk.domain.title import TITLE_KIND_TEXT, TitleKind, format_interest, validate_title
from mahnwerk.services import audit, events
from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.store.court import Title, TitleClaim, TitleEnforcementAct
from mahnwerk.store.models import Case, Claim


class TitleError(ValueError):
    """A title the rules refuse (German message naming the problem)."""


def _case(session: Session, actor: Actor, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or not actor.may_see_creditor(case.creditor_id):
        raise TitleError(f"Fall {case_id} gibt es nicht")
    if not actor.is_staff:
        raise TitleError("Titel erfassen nur Mitarbeitende")
    return case


def title_text(title: Title | domain.Title) -> str:
    """``Vollstreckungsbescheid AG Hünfeld 26-1234567-0-1 vom 02.03.2026``."""
    kind = TITLE_KIND_TEXT.get(TitleKind(title.kind), title.kind)
    return f"{kind} {title.court} {title.file_number} vom {title.issued:%d.%m.%Y}"


def record_title(
    session: Session,
    actor: Actor,
    case_id: int,
    title: domain.Title,
    *,
    procedure_id: int | None = None,
    note: str = "",
) -> Title:
    """Store ``title`` for the case (checked by :func:`~mahnwerk.domain.title.validate_title`;
    every problem at once in a :class:`TitleError`). The same title (court and file number)
    recorded again returns the stored row; a different one under that number is refused.
    ``title.claims`` name claims of the case by invoice number; without them the title covers
    every claim of the case."""
    case = _case(session, actor, case_id)
    problems = validate_title(title)
    claim_ids: dict[str, int] = {
        c.invoice_no: c.id for c in session.scalars(select(Claim).where(Claim.case_id == case.id))
    }
    problems.extend(
        f"Forderung {part.claim!r} gehört nicht zum Fall {case.reference}"
        for part in title.claims
        if part.claim not in claim_ids
    )
    if problems:
        raise TitleError("; ".join(problems))
    existing = session.scalar(
        select(Title).where(
            Title.case_id == case.id,
            Title.court == title.court.strip(),
            Title.file_number == title.file_number.strip(),
        )
    )
    if existing is not None:
        if as_domain(existing) == title:
            return existing
        raise TitleError(
            f"unter {title.court} {title.file_number} ist schon ein anderer Titel erfasst"
        )
    row = Title(
        case_id=case.id,
        procedure_id=procedure_id,
        kind=title.kind,
        court=title.court.strip(),
        file_number=title.file_number.strip(),
        issued=title.issued,
        final=title.final,
        principal=title.principal,
        interest_from=title.interest_from,
        interest=title.interest,
        interest_amount=title.interest_amount,
        costs=title.costs,
        note=note[:500],
        created_at=utcnow(),
        created_by=actor.label,
    )
    row.claims = [
        TitleClaim(
            claim_id=claim_ids[part.claim],
            claim_ref=part.claim,
            principal=part.principal,
            interest_from=part.interest_from,
            interest=part.interest,
        )
        for part in title.claims
    ]
    session.add(row)
    session.flush()
    events.emit(
        session,
        case,
        "title.recorded",
        actor,
        title_id=row.id,
        detail=f"{title_text(row)}: Hauptforderung {title.principal} €, Zinsen "
        f"{format_interest(title.interest)}"
        + (f" ab {title.interest_from:%d.%m.%Y}" if title.interest_from else "")
        + (f", rechtskräftig seit {title.final:%d.%m.%Y}" if title.final else ""),
    )
    audit.record(
        session,
        actor,
        "create",
        "title",
        row.id,
        case_id=case.id,
        creditor_id=case.creditor_id,
        details={"kind": title.kind},
    )
    return row


def as_domain(row: Title) -> domain.Title:
    """The stored title as the immutable domain value."""
    return domain.Title(
        kind=row.kind,
        court=row.court,
        file_number=row.file_number,
        issued=row.issued,
        final=row.final,
        principal=row.principal,
        interest_from=row.interest_from,
        interest=row.interest,
        costs=row.costs,
        interest_amount=row.interest_amount,
        claims=tuple(
            domain.TitledClaim(c.claim_ref, c.principal, c.interest_from, c.interest)
            for c in row.claims
        ),
    )


def titles_of_case(session: Session, case_id: int) -> Sequence[Title]:
    return session.scalars(
        select(Title).where(Title.case_id == case_id).order_by(Title.issued, Title.id)
    ).all()


def record_enforcement_act(
    session: Session, actor: Actor, title_id: int, on: date, what: str
) -> TitleEnforcementAct:
    """An enforcement act applied for or carried out on the title: it restarts the title's
    limitation (§ 212 Abs. 1 Nr. 2 BGB). Recording the same act (day and text) twice adds
    nothing."""
    row = session.get(Title, title_id)
    if row is None:
        raise TitleError(f"Titel {title_id} gibt es nicht")
    case = _case(session, actor, row.case_id)
    if not what.strip():
        raise TitleError("Art der Vollstreckungshandlung fehlt")
    if on < row.issued:
        raise TitleError(f"Vollstreckungshandlung am {on:%d.%m.%Y} vor dem Titel")
    for act in row.enforcement_acts:
        if act.acted_on == on and act.what == what.strip():
            return act
    act = TitleEnforcementAct(
        title_id=row.id,
        acted_on=on,
        what=what.strip()[:200],
        created_at=utcnow(),
        created_by=actor.label,
    )
    row.enforcement_acts.append(act)
    session.flush()
    events.emit(
        session,
        case,
        "title.enforcement_act",
        actor,
        title_id=row.id,
        detail=f"{what.strip()} am {on:%d.%m.%Y}: Verjährung des Titels beginnt neu "
        "(§ 212 Abs. 1 Nr. 2 BGB)",
    )
    return act


def set_final(
    session: Session, actor: Actor, title_id: int, final: date | None, reason: str
) -> Title:
    """Correct the day of legal force (e.g. ``None`` after an Einspruch)."""
    row = session.get(Title, title_id)
    if row is None:
        raise TitleError(f"Titel {title_id} gibt es nicht")
    case = _case(session, actor, row.case_id)
    row.final = final
    events.emit(
        session,
        case,
        "title.changed",
        actor,
        title_id=row.id,
        detail=(f"rechtskräftig seit {final:%d.%m.%Y}" if final else "nicht rechtskräftig")
        + f": {reason}",
    )
    return row
