"""The compliance page of the export of a person's data (Auskunft, Art. 15 and 20 GDPR):
``/work/privacy``. Compliance and administrators only; anybody else gets 404, a visitor is
sent to /login. The same export as ``mahnwerk privacy export``
(:mod:`mahnwerk.services.privacy.export`), audited; the ZIP is built in a temporary file and
sent with ``Cache-Control: no-store``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from mahnwerk.services.admin import accounts
from mahnwerk.services.privacy.export import SubjectNotFound, find_subject, write_zip
from mahnwerk.store.db import transaction
from mahnwerk.web.security import csrf_ok

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages

#: roles that may see everything stored about a person
PRIVACY_ROLES = ("compliance", "admin")


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def allowed(request: Request) -> Response | None:
        user = pages.user(request)
        if user is None:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if user.role not in PRIVACY_ROLES:
            return pages.not_found(request)
        return None

    @r.get("/work/privacy", response_class=HTMLResponse)
    def form(request: Request) -> Response:
        return allowed(request) or pages.render(request, "work/privacy.html")

    @r.post("/work/privacy/export")
    def export(request: Request, csrf: str = Form(""), subject: str = Form("")) -> Response:
        refused = allowed(request)
        if refused is not None:
            return refused
        if not csrf_ok(request, csrf):
            return pages.render(request, "error.html", status_code=400, message_key="error.csrf")
        user = pages.user(request)
        assert user is not None
        origin = request.client.host if request.client else None
        actor = accounts.actor_for_user(user, origin)
        out = Path(tempfile.mkstemp(prefix="auskunft-", suffix=".zip")[1])
        try:
            with transaction(pages.runtime.sessions) as session:
                found = find_subject(session, subject[:60])
                write_zip(
                    session, actor, found, out,
                    documents_dir=pages.runtime.settings.documents_dir,
                )  # fmt: skip
        except SubjectNotFound:
            out.unlink(missing_ok=True)
            return pages.render(
                request, "work/privacy.html", status_code=404,
                problem="privacy.not_found", subject=subject[:60],
            )  # fmt: skip
        except BaseException:
            out.unlink(missing_ok=True)
            raise
        return FileResponse(
            out,
            media_type="application/zip",
            filename=f"auskunft-person-{found.person_id}.zip",
            headers={"Cache-Control": "no-store"},
            background=BackgroundTask(out.unlink, missing_ok=True),
        )

    return r
