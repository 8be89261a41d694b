"""Instalment offers of the assistant, through the same limits as the portal's plan page.

:func:`offer_plan` is the ONE place where the assistant decides what it offers. It uses the
portal's instalment form: the creditor's limits (:func:`mahnwerk.services.portal.debtor.
plan_limits`, i.e. :func:`mahnwerk.services.plans.offers.creditor_limits`) and the proposal
with its § 13a Abs. 3 RDG cost notice (:func:`mahnwerk.services.portal.debtor.proposal`).
:func:`accept_offer` agrees to an offer exactly as that form does
(:func:`mahnwerk.services.portal.debtor.propose_plan`, which stores it as a named offer of
:mod:`mahnwerk.services.plans.offers` and submits it: a plan at once inside the limits, else
a ``plan_review`` task). A proposal from stated finances (income, dependants, rent) stays on
the portal's plan page, to which the offer links: the assistant does not ask for them.

What is offered (the issue leaves it open; this is the documented choice):

- a wished monthly amount, if it is inside the limits; a wished number of months, as the
  monthly amount that pays the total in that many months (rounded up to whole euros);
- otherwise, or if the wish is outside the limits, the smallest monthly amount the limits
  allow (at least the minimum instalment, at most ``max_months`` instalments), so that the
  debtor sees the most affordable plan that needs no person;
- the first instalment on the date the debtor named, if within the portal's 30 days, else
  in 14 days;
- without limits (a person decides every plan) the wish, or six instalments, is offered as
  a proposal that a person reviews.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy.orm import Session

from mahnwerk.domain.affordability import PlanLimits
from mahnwerk.services import cases
from mahnwerk.services.portal import debtor as portal
from mahnwerk.store.models import Case, Creditor

#: days until the first instalment when the debtor names no date
DEFAULT_START_DAYS = 14
#: months offered when the creditor has no limits and the debtor names none
DEFAULT_MONTHS = 6


@dataclass(frozen=True)
class PlanOffer:
    proposal: portal.Proposal
    #: whether the debtor's own wish (amount or months) is what is offered
    wish_met: bool
    wished_amount: Decimal | None = None
    wished_months: int | None = None

    def as_json(self) -> dict[str, Any]:
        p = self.proposal
        return {
            "amount": str(p.amount),
            "start": p.start.isoformat(),
            "count": p.count,
            "total": str(p.total),
            "last_instalment": str(p.last_instalment),
            "end": p.end.isoformat(),
            "within_limits": p.within_limits,
            "cost_notice": p.cost_notice,
        }


def _euros_up(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("1"), rounding=ROUND_CEILING).quantize(Decimal("0.01"))


def _first_instalment(today: date, wished: date | None) -> date:
    if wished is not None and today <= wished <= today + timedelta(days=portal.MAX_START_DAYS):
        return wished
    return today + timedelta(days=DEFAULT_START_DAYS)


def _fits(limits: PlanLimits, total: Decimal, amount: Decimal) -> bool:
    count = math.ceil(total / amount)
    return count <= limits.max_months and amount >= min(limits.min_instalment, total)


def offer_plan(
    session: Session,
    case: Case,
    today: date,
    *,
    amount: Decimal | None = None,
    months: int | None = None,
    start: date | None = None,
) -> PlanOffer:
    """The instalment plan the assistant offers for ``case`` today (see the module
    docstring). Raises :class:`~mahnwerk.services.portal.PortalError` if nothing is open."""
    creditor = session.get(Creditor, case.creditor_id)
    assert creditor is not None
    total = cases.statement(case, today).totals.total_open
    if total <= 0:
        raise portal.PortalError({"amount": "portal.plan.error.nothing_open"})
    first = _first_instalment(today, start)
    limits = portal.plan_limits(creditor)
    wish = amount if amount is not None and amount > 0 else None
    if wish is None and months:
        wish = _euros_up(total / months)
    if limits is None:
        chosen = wish or _euros_up(total / DEFAULT_MONTHS)
        met = wish is not None
    else:
        smallest = max(min(limits.min_instalment, total), _euros_up(total / limits.max_months))
        met = wish is not None and _fits(limits, total, min(wish, total))
        chosen = min(wish, total) if wish is not None and met else smallest
    chosen = min(chosen, total)
    proposal = portal.proposal(case, creditor, chosen, first, today)
    return PlanOffer(proposal, met, amount, months)


def accept_offer(
    session: Session,
    case_id: int,
    offer: dict[str, object],
    today: date,
    origin: str | None,
) -> tuple[portal.Proposal, bool]:
    """Agree to an offer as the portal's plan page does: a plan at once inside the limits
    (``True``), else a ``plan_review`` task for a person (``False``)."""
    return portal.propose_plan(
        session, case_id, str(offer["amount"]), str(offer["start"]), today, origin
    )
