"""The court pages of the agent workspace (staff only, like :mod:`mahnwerk.web.workspace`):

- ``GET /work/cases/{id}/court``: "Mahnbescheid vorbereiten": the application as it would be
  filed today, every reason it cannot be, and the form to prepare it;
- ``POST /work/cases/{id}/court/prepare``: prepare it (then it waits for a team lead);
- ``GET /work/court/{procedure}``: a procedure with its applications exactly as filed and,
  while one waits, the approval form (approve, or send back with a reason);
- ``GET /work/approvals``: the team leads' approval queue.

Decisions post to ``/work/approvals/{id}/decide`` (:mod:`mahnwerk.web.workspace`). Handlers
only turn requests into use-case calls of :mod:`mahnwerk.services.court`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mahnwerk.court import catalogue
from mahnwerk.court.application import Representative
from mahnwerk.services.actor import STAFF_ROLES, Actor, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.court import prepare as court
from mahnwerk.services.court import views
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case
from mahnwerk.web.workspace import flash, posted_csrf, take_flash

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages


def _options(
    catalogue_nr: str, addition: str, legal_form: str, rep_function: str, rep_name: str
) -> court.PrepareOptions:
    nr = int(catalogue_nr) if catalogue_nr.strip().isdigit() else None
    reps = (Representative(rep_function.strip(), rep_name.strip()),) if rep_function.strip() else ()
    return court.PrepareOptions(
        catalogue=nr,
        additions={"*": addition.strip()} if addition.strip() else {},
        defendant_legal_form=legal_form.strip(),
        defendant_representatives=reps,
    )


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def guard(request: Request) -> Actor | Response:
        user = pages.user(request)
        if user is None:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if user.role not in STAFF_ROLES:
            return pages.not_found(request)
        return accounts.actor_for_user(user, request.client.host if request.client else None)

    @r.get("/work/cases/{case_id}/court", response_class=HTMLResponse)
    def preview(
        request: Request,
        case_id: int,
        catalogue_nr: str = "",
        addition: str = "",
        legal_form: str = "",
        rep_function: str = "",
        rep_name: str = "",
    ) -> Response:
        actor = guard(request)
        if isinstance(actor, Response):
            return actor
        options = _options(catalogue_nr, addition, legal_form, rep_function, rep_name)
        with transaction(pages.runtime.sessions) as session:
            try:
                view = court.preview(session, actor, case_id, today_in_germany(), options)
            except court.CourtError:
                return pages.not_found(request)
            case = session.get(Case, case_id)
            return pages.render(
                request,
                "court/prepare.html",
                case=case,
                view=view,
                catalogue=catalogue.entries(),
                form={
                    "catalogue_nr": catalogue_nr,
                    "addition": addition,
                    "legal_form": legal_form,
                    "rep_function": rep_function,
                    "rep_name": rep_name,
                },
                flash=take_flash(request),
            )

    @r.post("/work/cases/{case_id}/court/prepare")
    def prepare(
        request: Request,
        case_id: int,
        csrf: str = Form(""),
        catalogue_nr: str = Form(""),
        addition: str = Form(""),
        legal_form: str = Form(""),
        rep_function: str = Form(""),
        rep_name: str = Form(""),
    ) -> Response:
        actor = guard(request)
        if isinstance(actor, Response):
            return actor
        if not posted_csrf(request, csrf):
            return pages.render(request, "error.html", status_code=400, message_key="error.csrf")
        options = _options(catalogue_nr, addition, legal_form, rep_function, rep_name)
        try:
            with transaction(pages.runtime.sessions) as session:
                procedure = court.prepare(
                    session, actor, case_id, today=today_in_germany(), options=options
                )
                target = f"/work/court/{procedure.id}"
        except court.CourtRefusal as exc:
            flash(request, "error", "; ".join(exc.reasons))
            return RedirectResponse(f"/work/cases/{case_id}/court", status_code=303)
        except court.CourtError as exc:
            flash(request, "error", str(exc))
            return RedirectResponse(f"/work/cases/{case_id}/court", status_code=303)
        flash(request, "ok", "court.done.prepared")
        return RedirectResponse(target, status_code=303)

    @r.get("/work/court/{procedure_id}", response_class=HTMLResponse)
    def procedure(request: Request, procedure_id: int) -> Response:
        actor = guard(request)
        if isinstance(actor, Response):
            return actor
        with transaction(pages.runtime.sessions) as session:
            view = views.procedure_view(session, actor, procedure_id)
            if view is None:
                return pages.not_found(request)
            return pages.render(request, "court/procedure.html", p=view, flash=take_flash(request))

    @r.get("/work/approvals", response_class=HTMLResponse)
    def approvals(request: Request) -> Response:
        actor = guard(request)
        if isinstance(actor, Response):
            return actor
        with transaction(pages.runtime.sessions) as session:
            items = views.approval_queue(session, actor, today_in_germany())
            return pages.render(
                request, "court/approvals.html", items=items, flash=take_flash(request)
            )

    return r
