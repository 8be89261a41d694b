"""Public legal pages, open to everyone without signing in: ``/impressum`` (imprint with the
registration under § 10 RDG and the supervisory authority) and ``/datenschutz`` (the full
data-protection notice the letters' short notice links to, Art. 14 DSGVO)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mahnwerk.services.admin.legal_pages import legal_page

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/impressum", response_class=HTMLResponse)
    def imprint(request: Request) -> Response:
        return pages.render(
            request, "legal/impressum.html", page=legal_page(pages.runtime.settings)
        )

    @r.get("/datenschutz", response_class=HTMLResponse)
    def privacy(request: Request) -> Response:
        return pages.render(
            request, "legal/datenschutz.html", page=legal_page(pages.runtime.settings)
        )

    return r
