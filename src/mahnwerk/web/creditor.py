"""The creditor view: portfolio with charts, the case list, one case, downloads.

Creditor users only: staff get 404 (they have the workspace), a visitor is sent to /login.
Every query is scoped to the user's creditor by the services (a case id of another creditor
answers 404 exactly like one that does not exist).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from mahnwerk.services import cases
from mahnwerk.services.actor import Actor, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.portfolio import creditor_view, statement_io
from mahnwerk.services.workspace import desk as workspace
from mahnwerk.store.db import transaction
from mahnwerk.web.i18n import translate

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages

STAGES = (
    "new",
    "reminder",
    "dunning_1",
    "dunning_2",
    "final_notice",
    "court_handover",
    "enforcement",
    "monitoring",
    "write_off",
    "credit_bureau_report",
)
STATUSES = ("open", "closed", "recalled")


def _label(lang: str, prefix: str, code: str) -> str:
    text = translate(lang, prefix + code)
    return code if text == prefix + code else text


@dataclass(frozen=True)
class MonthChart:
    """The collected-per-month bars with a y axis of round steps (for the SVG)."""

    top: Decimal
    ticks: list[Decimal]
    handed_top: int


def month_chart(months: list[workspace.MonthBar]) -> MonthChart:
    """A y axis from 0 in four equal steps of a round size (1, 2, 2.5 or 5 × a power of ten)
    that reach the biggest month.

    >>> month_chart([workspace.MonthBar("2026-01", Decimal("649710.64"), 12)]).ticks
    [Decimal('0'), Decimal('200000'), Decimal('400000'), Decimal('600000'), Decimal('800000')]
    >>> month_chart([workspace.MonthBar("2026-01", Decimal("3"), 1)]).ticks
    [Decimal('0'), Decimal('1'), Decimal('2'), Decimal('3'), Decimal('4')]
    """
    biggest = max((m.collected for m in months), default=Decimal(0))
    wanted = biggest / 4 if biggest > 0 else Decimal(1)
    power = Decimal(1)
    while power * 10 <= wanted:
        power *= 10
    while power > wanted:
        power /= 10
    step = next(power * f for f in (1, 2, Decimal("2.5"), 5, 10) if power * f >= wanted)
    step = step.normalize()
    if step == step.to_integral():
        step = step.quantize(Decimal(1))
    ticks = [step * i for i in range(5)]
    return MonthChart(ticks[-1], ticks, max((m.handed_over for m in months), default=0) or 1)


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def guard(request: Request) -> Actor | Response:
        user = pages.user(request)
        if user is None:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if user.role != "creditor" or user.creditor_id is None:
            return pages.not_found(request)
        origin = request.client.host if request.client else None
        return accounts.actor_for_user(user, origin)

    @r.get("/portfolio", response_class=HTMLResponse)
    def portfolio(
        request: Request,
        stage: str = "",
        status: str = "",
        external_ref: str = "",
        cursor: str = "",
    ) -> Response:
        actor = guard(request)
        if isinstance(actor, Response):
            return actor
        with transaction(pages.runtime.sessions) as session:
            summary = workspace.portfolio(session, actor, today=today_in_germany())
            try:
                page = cases.list_cases(
                    session,
                    actor,
                    stage=stage if stage in STAGES else None,
                    status=status if status in STATUSES else None,
                    external_ref=external_ref.strip() or None,
                    cursor=cursor or None,
                    limit=50,
                )
            except cases.CaseError:
                page = cases.CasePage([], None)
            return pages.render(
                request,
                "creditor/portfolio.html",
                p=summary,
                page=page,
                stage=stage,
                status=status,
                external_ref=external_ref,
                stages=STAGES,
                statuses=STATUSES,
                disputes=creditor_view.disputes(session, actor),
                payouts=creditor_view.payouts(session, actor),
                chart=month_chart(summary.months),
            )

    @r.get("/portfolio/export.csv")
    def export(request: Request) -> Response:
        actor = guard(request)
        if isinstance(actor, Response):
            return actor
        with transaction(pages.runtime.sessions) as session:
            lang = pages.lang(request)
            body = workspace.portfolio_csv(
                session,
                actor,
                today=today_in_germany(),
                label=lambda kind, code: _label(lang, f"work.{kind}.", code),
            )
        return Response(
            body.encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="portfolio.csv"'},
        )

    @r.get("/portfolio/payouts/{payout_id}/settlement.pdf")
    def settlement(request: Request, payout_id: int) -> Response:
        actor = guard(request)
        if isinstance(actor, Response):
            return actor
        with transaction(pages.runtime.sessions) as session:
            found = creditor_view.settlement_pdf(
                session, actor, payout_id, pages.runtime.settings.agency_name
            )
        if found is None:
            return pages.not_found(request)
        data, name = found
        return Response(
            data,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @r.get("/portfolio/cases/{case_id}", response_class=HTMLResponse)
    def case_page(request: Request, case_id: int) -> Response:
        actor = guard(request)
        if isinstance(actor, Response):
            return actor
        with transaction(pages.runtime.sessions) as session:
            found = workspace.creditor_case(session, actor, case_id, today=today_in_germany())
            if found is None:
                return pages.not_found(request)
            case, statement, entries = found
            return pages.render(
                request,
                "creditor/case.html",
                case=case,
                statement=statement,
                timeline=entries,
            )

    @r.get("/portfolio/cases/{case_id}/statement.json")
    def statement_json(request: Request, case_id: int) -> Response:
        actor = guard(request)
        if isinstance(actor, Response):
            return actor
        with transaction(pages.runtime.sessions) as session:
            found = workspace.creditor_case(session, actor, case_id, today=today_in_germany())
            if found is None:
                return pages.not_found(request)
            case, statement, _ = found
            body = json.dumps(statement_io.to_json(statement), ensure_ascii=False, indent=2)
            name = f"Forderungsaufstellung-{case.reference}.json"
        return Response(
            body,
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @r.get("/portfolio/cases/{case_id}/statement.txt")
    def statement_text(request: Request, case_id: int) -> Response:
        actor = guard(request)
        if isinstance(actor, Response):
            return actor
        with transaction(pages.runtime.sessions) as session:
            found = workspace.creditor_case(session, actor, case_id, today=today_in_germany())
            if found is None:
                return pages.not_found(request)
            case, statement, _ = found
            body = statement_io.to_text(statement, title=f"{case.reference} ({case.external_ref})")
            name = f"Forderungsaufstellung-{case.reference}.txt"
        return PlainTextResponse(
            body,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return r
