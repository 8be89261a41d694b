"""Server-rendered pages (Jinja2 + HTMX), mounted into the one ASGI app of mahnwerk.

``mount_web(app, runtime)`` adds the session middleware, the static files and the page
routers. Handlers stay thin: they read the form, call a use case, render a template.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from mahnwerk.bootstrap import Runtime
from mahnwerk.domain.money import format_eur
from mahnwerk.services.actor import START_PAGES
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction
from mahnwerk.store.models import User
from mahnwerk.web.i18n import DEFAULT, LANGUAGES, translate
from mahnwerk.web.security import AttemptLimiter, SecurityHeaders, csrf_ok, csrf_token
from mahnwerk.web.timeline import describe, local_time

HERE = Path(__file__).parent
LANG_COOKIE = "mw_lang"


class Pages:
    """What every page handler needs: the runtime, the templates, the login limiter."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.templates.env.filters["eur"] = format_eur
        self.templates.env.filters["de_date"] = lambda d: d.strftime("%d.%m.%Y") if d else ""
        self.templates.env.filters["local_time"] = local_time
        self.templates.env.globals["tl_line"] = describe
        self.login_limiter = AttemptLimiter(limit=5, window=900)

    def lang(self, request: Request) -> str:
        wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
        return wanted if wanted in LANGUAGES else DEFAULT

    def user(self, request: Request) -> User | None:
        user_id = request.session.get("user_id")
        if not user_id:
            return None
        with self.runtime.sessions() as session:
            user = session.get(User, int(user_id))
            return user if user is not None and user.active else None

    def render(
        self, request: Request, template: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        lang = self.lang(request)
        context.setdefault("user", self.user(request))
        response = self.templates.TemplateResponse(
            request,
            template,
            {
                "lang": lang,
                "t": lambda key: translate(lang, key),
                "csrf": csrf_token(request),
                **context,
            },
            status_code=status_code,
        )
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(LANG_COOKIE, lang, samesite="lax", max_age=365 * 86400)
        return response

    def not_found(self, request: Request) -> HTMLResponse:
        return self.render(request, "error.html", status_code=404, message_key="error.not_found")


def mount_web(app: FastAPI, runtime: Runtime) -> Pages:
    pages = Pages(runtime)
    app.add_middleware(
        SessionMiddleware,
        secret_key=runtime.settings.secret_key,
        session_cookie="mw_session",
        same_site="lax",
        https_only=False,
        max_age=8 * 3600,
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    from mahnwerk.web import (
        admin,
        assistant,
        compliance,
        court,
        creditor,
        enforcement,
        lead,
        legal,
        portal,
        privacy,
        register,
        workspace,
    )
    from mahnwerk.web import search as search_pages

    routers = [public_router(pages)] + [
        module.router(pages)
        for module in (
            search_pages,
            portal,
            workspace,
            creditor,
            register,
            court,
            enforcement,
            legal,
            privacy,
            assistant,
            lead,
            compliance,
            admin,
        )
    ]
    for router in routers:
        # FastAPI 0.165 wraps included routers; adding the routes keeps them visible in
        # app.routes, which the tenancy tests walk.
        for route in router.routes:
            app.router.routes.append(route)
    install_error_pages(app, pages)
    return pages


def install_error_pages(app: FastAPI, pages: Pages) -> None:
    """HTML error pages for the pages; the API keeps its problem+json answers."""
    api_handler = app.exception_handlers.get(StarletteHTTPException)

    async def handler(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/") and api_handler is not None:
            result = api_handler(request, exc)
            return await result if inspect.isawaitable(result) else result
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        key = "error.not_found" if status in (403, 404) else "error.title"
        return pages.render(request, "error.html", status_code=status, message_key=key)

    app.add_exception_handler(StarletteHTTPException, handler)


def public_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        return pages.render(request, "home.html")

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return pages.render(request, "login.html")

    @router.post("/login", response_class=HTMLResponse)
    def login(
        request: Request, email: str = Form(""), password: str = Form(""), csrf: str = Form("")
    ) -> Response:
        if not csrf_ok(request, csrf):
            return pages.render(request, "login.html", status_code=400, error_key="error.csrf")
        client = request.client.host if request.client else "?"
        key = f"{client}|{email.strip().lower()}"
        if pages.login_limiter.locked(key):
            return pages.render(request, "login.html", status_code=429, error_key="login.locked")
        with transaction(pages.runtime.sessions) as session:
            user = accounts.verify_password(session, email, password)
            if user is None:
                pages.login_limiter.fail(key)
                return pages.render(
                    request, "login.html", status_code=401, error_key="login.failed", email=email
                )
            pages.login_limiter.reset(key)
            from mahnwerk.web.register import login_refusal

            if refusal := login_refusal(session, user):  # pending or unconfirmed registration
                return pages.render(request, "login.html", 403, error_key=refusal, email=email)
            actor = accounts.actor_for_user(user, client)
            from mahnwerk.services import audit

            audit.record(session, actor, "login", "user", user.id)
            request.session.clear()
            request.session["user_id"] = user.id
            target = START_PAGES.get(user.role, "/work")
        return RedirectResponse(target, status_code=303)

    @router.post("/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        if csrf_ok(request, csrf):
            request.session.clear()
        return RedirectResponse("/", status_code=303)

    return router
