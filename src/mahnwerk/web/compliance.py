"""The compliance pages (role ``compliance`` only; anyone else gets 404):

- ``/compliance``: the start page: model versions with their fairness audits, the active
  model, drift alerts, activation with a written reason, the hold-out comparison; and the
  audit trail search;
- ``/compliance/models/{version}``: the fairness audit report as a page, with the stored
  HTML and the PDF for download (``…/report.html``, ``…/report.pdf``);
- ``/compliance/trail?case=…`` or ``?person=…``: the audit trail of a case or a person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from mahnwerk.services.admin import trail
from mahnwerk.services.scoring import oversight
from mahnwerk.services.scoring.scores import ScoringError
from mahnwerk.store.db import transaction
from mahnwerk.web.guard import person, posted
from mahnwerk.web.workspace import flash, take_flash

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages

ROLES = ("compliance",)


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)
    runtime = pages.runtime

    @r.get("/compliance", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        who = person(pages, request, ROLES)
        if isinstance(who, Response):
            return who
        with transaction(runtime.sessions) as session:
            o = oversight.overview(session, who[1], runtime.settings)
            return pages.render(
                request, "compliance/home.html", o=o, flash=take_flash(request),
                min_reason=oversight.MIN_REASON,
            )  # fmt: skip

    @r.get("/compliance/models/{version}", response_class=HTMLResponse)
    def report(request: Request, version: str) -> Response:
        who = person(pages, request, ROLES)
        if isinstance(who, Response):
            return who
        with transaction(runtime.sessions) as session:
            found = oversight.audit_report(session, who[1], version)
            if found is None:
                return pages.not_found(request)
            return pages.render(
                request, "compliance/report.html", r=found, flash=take_flash(request),
                min_reason=oversight.MIN_REASON,
            )  # fmt: skip

    @r.get("/compliance/models/{version}/report.{kind}")
    def report_download(request: Request, version: str, kind: str) -> Response:
        who = person(pages, request, ROLES)
        if isinstance(who, Response):
            return who
        if kind not in ("pdf", "html"):
            return pages.not_found(request)
        with transaction(runtime.sessions) as session:
            path = oversight.report_file(session, who[1], runtime.settings, version, kind)
        if path is None:
            return pages.not_found(request)
        return FileResponse(
            path,
            media_type="application/pdf" if kind == "pdf" else "text/html; charset=utf-8",
            filename=f"Fairness-Pruefung-{version}.{kind}",
            # the stored HTML report has its own styles: a download, not a page of ours
            content_disposition_type="inline" if kind == "pdf" else "attachment",
        )

    @r.get("/compliance/holdout/{name}")
    def holdout(request: Request, name: str) -> Response:
        who = person(pages, request, ROLES)
        if isinstance(who, Response):
            return who
        found = {p.name: p for p in oversight.holdout_reports(runtime.settings)}.get(name)
        if found is None:
            return pages.not_found(request)
        return FileResponse(found, filename=found.name, content_disposition_type="attachment")

    @r.post("/compliance/models/{version}/activate")
    def activate(
        request: Request, version: str, csrf: str = Form(""), reason: str = Form("")
    ) -> Response:
        who = person(pages, request, ROLES)
        if isinstance(who, Response):
            return who
        user, actor = who
        back = (
            f"/compliance/models/{version}" if request.query_params.get("back") else "/compliance"
        )
        if not posted(request, csrf):
            return pages.render(request, "error.html", status_code=400, message_key="error.csrf")
        try:
            oversight.activate(runtime, actor, user.email, version, reason)
        except ScoringError as exc:
            flash(request, "error", str(exc), {f"reason-{version}": str(exc)}, {"reason": reason})
            return RedirectResponse(back, status_code=303)
        flash(request, "ok", "compliance.done.activated")
        return RedirectResponse(back, status_code=303)

    @r.get("/compliance/trail", response_class=HTMLResponse)
    def audit_trail(request: Request, case: str = "", person_id: str = "") -> Response:
        who = person(pages, request, ROLES)
        if isinstance(who, Response):
            return who
        _, actor = who
        with transaction(runtime.sessions) as session:
            found = None
            missing = False
            if person_id.strip().isdigit():
                found = trail.person_trail(session, actor, int(person_id))
                missing = found is None
            elif case.strip():
                c = trail.find_case(session, case)
                found = trail.case_trail(session, actor, c.id) if c is not None else None
                missing = found is None
            return pages.render(
                request, "compliance/trail.html", trail=found, missing=missing,
                case=case, person_id=person_id,
            )  # fmt: skip

    return r
