"""The search pages: ``/work/search?q=…`` for staff (every case) and
``/portfolio/search?q=…`` for creditor users (their own cases only). The box is in the header
of every page of a signed-in user; the use case is
:func:`mahnwerk.services.workspace.search.search` (audited without the words searched)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mahnwerk.services.actor import STAFF_ROLES
from mahnwerk.services.admin import accounts
from mahnwerk.services.workspace import search as finder
from mahnwerk.store.db import transaction

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def run(request: Request, q: str, staff: bool) -> Response:
        user = pages.user(request)
        if user is None:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if (user.role in STAFF_ROLES) != staff or (not staff and user.creditor_id is None):
            return pages.not_found(request)
        actor = accounts.actor_for_user(user, request.client.host if request.client else None)
        query = q.strip()[:200]
        results: list[finder.Result] = []
        if len(query) >= 2:
            with transaction(pages.runtime.sessions) as session:
                results = finder.search(session, actor, query)
        return pages.render(
            request,
            "search/results.html",
            results=results,
            search_q=query,
            too_short=0 < len(query) < 2,
            link="/work/cases/" if staff else "/portfolio/cases/",
            staff=staff,
        )

    @r.get("/work/search", response_class=HTMLResponse)
    def staff_search(request: Request, q: str = "") -> Response:
        return run(request, q, staff=True)

    @r.get("/portfolio/search", response_class=HTMLResponse)
    def creditor_search(request: Request, q: str = "") -> Response:
        return run(request, q, staff=False)

    return r
