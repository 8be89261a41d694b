"""Enforcement pages: the enforcement page of a case (titles with their limitation, the
title's Forderungsaufstellung, what is known, the proposal, the measures with their approval,
a preview of the form and its PDF, the history) for staff, and the creditor's titled cases.

Handlers stay thin: they check the user and the CSRF token, call a use case of
:mod:`mahnwerk.services.enforcement` (which audit), and redirect back (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from mahnwerk.enforcement.values import FormError
from mahnwerk.services.actor import STAFF_ROLES, Actor, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.enforcement import measures
from mahnwerk.services.enforcement import pages as read
from mahnwerk.services.enforcement.titles import add_title
from mahnwerk.services.workspace import workflow
from mahnwerk.store.db import transaction
from mahnwerk.web.workspace import flash, parse_amount, parse_day, posted_csrf, take_flash

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages

TITLE_KINDS = ("vollstreckungsbescheid", "urteil", "vergleich", "notarielle_urkunde")
OUTCOMES = (
    "asset_disclosure_received",
    "garnishment_served",
    "third_party_positive",
    "third_party_negative",
    "nothing_to_seize",
    "completed",
)


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def staff(request: Request) -> Actor | Response:
        user = pages.user(request)
        if user is None:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if user.role not in STAFF_ROLES:
            return pages.not_found(request)
        return accounts.actor_for_user(user, request.client.host if request.client else None)

    def act(
        request: Request, csrf: str, case_id: int, work: Callable[[Session, Actor], str]
    ) -> Response:
        actor = staff(request)
        if isinstance(actor, Response):
            return actor
        if not posted_csrf(request, csrf):
            return pages.render(request, "error.html", status_code=400, message_key="error.csrf")
        url = f"/work/cases/{case_id}/enforcement"
        try:
            with transaction(pages.runtime.sessions) as session:
                message = work(session, actor)
        except (ValueError, FormError) as exc:  # WorkflowError, MeasureError, TitleError …
            flash(request, "error", str(exc))
            return RedirectResponse(url, status_code=303)
        except PermissionError:
            return pages.not_found(request)
        flash(request, "ok", message)
        return RedirectResponse(url, status_code=303)

    @r.get("/work/cases/{case_id}/enforcement", response_class=HTMLResponse)
    def page(request: Request, case_id: int) -> Response:
        actor = staff(request)
        if isinstance(actor, Response):
            return actor
        today = today_in_germany()
        with transaction(pages.runtime.sessions) as session:
            view = read.enforcement_view(
                session, actor, pages.runtime.settings, case_id, today=today
            )
            if view is None:
                return pages.not_found(request)
            return pages.render(
                request,
                "enforcement/case.html",
                v=view,
                today=today,
                flash=take_flash(request),
                title_kinds=TITLE_KINDS,
                outcomes=OUTCOMES,
                status_text=measures.STATUS_TEXT,
            )

    @r.post("/work/cases/{case_id}/enforcement/title")
    def title(
        request: Request,
        case_id: int,
        csrf: str = Form(""),
        kind: str = Form(""),
        court: str = Form(""),
        file_no: str = Form(""),
        issued: str = Form(""),
        final: str = Form(""),
        principal: str = Form(""),
        interest_from: str = Form(""),
        interest: str = Form(""),
        costs: str = Form(""),
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            add_title(
                session,
                actor,
                case_id,
                kind=kind,
                court=court,
                file_no=file_no,
                issued=parse_day(issued),
                final=parse_day(final) if final.strip() else None,
                principal=parse_amount(principal) if principal.strip() else None,
                interest_from=parse_day(interest_from) if interest_from.strip() else None,
                interest=interest.strip() or None,
                costs=parse_amount(costs) if costs.strip() else None,
            )
            return "Titel erfasst."

        return act(request, csrf, case_id, work)

    @r.post("/work/cases/{case_id}/enforcement/employer")
    def employer(
        request: Request,
        case_id: int,
        csrf: str = Form(""),
        name: str = Form(""),
        address: str = Form(""),
        income: str = Form(""),
        dependants: str = Form(""),
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            measures.add_employer(
                session,
                actor,
                case_id,
                name,
                address=address,
                net_income=parse_amount(income) if income.strip() else None,
                dependants=int(dependants) if dependants.strip().isdigit() else None,
            )
            return "Arbeitgeber erfasst."

        return act(request, csrf, case_id, work)

    @r.post("/work/cases/{case_id}/enforcement/register")
    def register_entry(
        request: Request,
        case_id: int,
        csrf: str = Form(""),
        entered_on: str = Form(""),
        reason: str = Form(""),
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            measures.add_register_entry(session, actor, case_id, parse_day(entered_on), reason)
            return "Eintrag im Schuldnerverzeichnis erfasst."

        return act(request, csrf, case_id, work)

    @r.post("/work/cases/{case_id}/enforcement/propose")
    def propose(
        request: Request, case_id: int, csrf: str = Form(""), drittschuldner: str = Form("")
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            proposal, measure = measures.propose_measure(
                session,
                actor,
                pages.runtime.settings,
                case_id,
                today=today_in_germany(),
                drittschuldner=drittschuldner.strip(),
            )
            if measure is None:
                return f"Keine Maßnahme: {'; '.join(proposal.reasons)}"
            return f"Zur Freigabe vorgeschlagen: {proposal.measure.german}"

        return act(request, csrf, case_id, work)

    @r.post("/work/enforcement/approvals/{approval_id}/decide")
    def decide(
        request: Request,
        approval_id: int,
        csrf: str = Form(""),
        case_id: int = Form(...),
        decision: str = Form(""),
        reason: str = Form(""),
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            if decision == "approve":
                workflow.approve(session, actor, approval_id, reason, today=today_in_germany())
                return "Freigegeben: das Formular steht zum Herunterladen bereit."
            if decision == "reject":
                workflow.reject(session, actor, approval_id, reason)
                return "Abgelehnt."
            raise workflow.WorkflowError("Entscheidung fehlt (freigeben oder ablehnen)")

        return act(request, csrf, case_id, work)

    @r.post("/work/enforcement/measures/{measure_id}/drittschuldner")
    def drittschuldner(
        request: Request,
        measure_id: int,
        csrf: str = Form(""),
        case_id: int = Form(...),
        text: str = Form(""),
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            measures.set_drittschuldner(session, actor, measure_id, text)
            return "Drittschuldner gespeichert."

        return act(request, csrf, case_id, work)

    @r.post("/work/enforcement/measures/{measure_id}/filed")
    def filed(
        request: Request,
        measure_id: int,
        csrf: str = Form(""),
        case_id: int = Form(...),
        on: str = Form(""),
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            measures.mark_filed(session, actor, measure_id, parse_day(on))
            return "Als eingereicht vermerkt: die Verjährung des Titels beginnt neu."

        return act(request, csrf, case_id, work)

    @r.post("/work/cases/{case_id}/enforcement/outcome")
    def outcome(
        request: Request,
        case_id: int,
        csrf: str = Form(""),
        kind: str = Form(""),
        on: str = Form(""),
        measure_id: str = Form(""),
        amount: str = Form(""),
        note: str = Form(""),
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            measures.record_outcome(
                session,
                actor,
                case_id,
                kind,
                parse_day(on),
                measure_id=int(measure_id) if measure_id.strip().isdigit() else None,
                amount=parse_amount(amount) if amount.strip() else None,
                note=note,
            )
            return "Ergebnis erfasst."

        return act(request, csrf, case_id, work)

    @r.post("/work/cases/{case_id}/enforcement/cost")
    def cost(
        request: Request,
        case_id: int,
        csrf: str = Form(""),
        day: str = Form(""),
        label: str = Form(""),
        amount: str = Form(""),
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            measures.add_enforcement_cost(
                session, actor, case_id, parse_day(day), label, parse_amount(amount)
            )
            return "Kosten gebucht."

        return act(request, csrf, case_id, work)

    @r.get("/work/enforcement/measures/{measure_id}/form.pdf")
    def measure_pdf(request: Request, measure_id: int) -> Response:
        actor = staff(request)
        if isinstance(actor, Response):
            return actor
        settings = pages.runtime.settings
        try:
            with transaction(pages.runtime.sessions) as session:
                doc = measures.measure_form(session, actor, settings, measure_id)
                path, name = settings.documents_dir / doc.path, doc.filename
        except (ValueError, FormError) as exc:
            return pages.render(request, "error.html", status_code=409, message_key=str(exc))
        except PermissionError:
            return pages.not_found(request)
        return FileResponse(path, media_type="application/pdf", filename=name)

    @r.get("/portfolio/titles", response_class=HTMLResponse)
    def creditor_titles(request: Request) -> Response:
        user = pages.user(request)
        if user is None:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if user.role != "creditor" or user.creditor_id is None:
            return pages.not_found(request)
        actor = accounts.actor_for_user(user, request.client.host if request.client else None)
        today = today_in_germany()
        with transaction(pages.runtime.sessions) as session:
            rows = read.creditor_titles(session, actor, today=today)
            return pages.render(
                request,
                "enforcement/creditor_titles.html",
                rows=rows,
                today=today,
                status_text=measures.STATUS_TEXT,
            )

    return r
