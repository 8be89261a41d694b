"""What the daily run needs to know of a case's titles and court procedures
(:class:`mahnwerk.domain.title.CourtFacts`), read for many cases at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.domain.court import RUNNING_STATES, suspension
from mahnwerk.domain.title import CourtFacts, CourtSuspension, TitleCover
from mahnwerk.store.court import CourtProcedure, Title, TitleClaim, TitleEnforcementAct


def court_facts(session: Session, case_ids: Sequence[int]) -> dict[int, CourtFacts]:
    """Per case with a title or a court procedure its :class:`CourtFacts` (others absent)."""
    if not case_ids:
        return {}
    ids = list(case_ids)
    title_rows = session.execute(
        select(Title.id, Title.case_id, Title.final).where(Title.case_id.in_(ids))
    ).all()
    title_ids = [r.id for r in title_rows]
    covered: dict[int, set[int]] = {}
    acts: dict[int, list[date]] = {}
    if title_ids:
        for title_id, claim_id in session.execute(
            select(TitleClaim.title_id, TitleClaim.claim_id).where(
                TitleClaim.title_id.in_(title_ids), TitleClaim.claim_id.is_not(None)
            )
        ):
            if claim_id is not None:
                covered.setdefault(title_id, set()).add(int(claim_id))
        for title_id, on in session.execute(
            select(TitleEnforcementAct.title_id, TitleEnforcementAct.acted_on).where(
                TitleEnforcementAct.title_id.in_(title_ids)
            )
        ):
            acts.setdefault(title_id, []).append(on)
    covers: dict[int, list[TitleCover]] = {}
    for r in title_rows:
        claim_ids = covered.get(r.id)
        covers.setdefault(r.case_id, []).append(
            TitleCover(
                None if claim_ids is None else frozenset(claim_ids),
                r.final,
                tuple(sorted(acts.get(r.id, []))),
            )
        )
    suspensions: dict[int, list[CourtSuspension]] = {}
    running: set[int] = set()
    for p in session.execute(
        select(
            CourtProcedure.case_id,
            CourtProcedure.state,
            CourtProcedure.filed_on,
            CourtProcedure.served_on,
            CourtProcedure.ended_on,
        ).where(CourtProcedure.case_id.in_(ids))
    ):
        suspensions.setdefault(p.case_id, []).append(
            suspension(p.filed_on, p.served_on, p.ended_on)
        )
        if p.state in RUNNING_STATES:
            running.add(p.case_id)
    return {
        case_id: CourtFacts(
            titles=tuple(covers.get(case_id, ())),
            court=tuple(suspensions.get(case_id, ())),
            running=case_id in running,
        )
        for case_id in set(covers) | set(suspensions)
    }
