"""Who may open a page: the signed-in user with one of the page's roles (a visitor is sent
to the sign-in page, anyone else gets the 404 page: a page one may not see does not exist).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from mahnwerk.services.actor import Actor
from mahnwerk.services.admin import accounts
from mahnwerk.store.models import User
from mahnwerk.web.security import csrf_ok

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages


def person(pages: Pages, request: Request, roles: Collection[str]) -> tuple[User, Actor] | Response:
    user = pages.user(request)
    if user is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if user.role not in roles:
        return pages.not_found(request)
    origin = request.client.host if request.client else None
    return user, accounts.actor_for_user(user, origin)


def posted(request: Request, form_value: str) -> bool:
    """The CSRF token of a form (or of an HTMX request's header) is the session's."""
    return csrf_ok(request, form_value or request.headers.get("X-CSRF-Token"))
