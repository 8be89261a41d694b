"""Server-rendered pages (Jinja2 + HTMX), mounted into the one ASGI app of mahnwerk.

``mount_web(app, runtime)`` adds the session middleware, the static files and the page
routers. Handlers stay thin: they read the form, call a use case, render a template.
"""

from __future__ import annotations

import inspect
from datetime import timedelta
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
from mahnwerk.services.actor import START_PAGES, utcnow
from mahnwerk.services.admin import accounts, signin
from mahnwerk.store.db import transaction
from mahnwerk.store.models import User
from mahnwerk.web.i18n import DEFAULT, LANGUAGES, translate
from mahnwerk.web.security import SecurityHeaders, csrf_ok, csrf_token
from mahnwerk.web.timeline import describe, local_time

HERE = Path(__file__).parent
LANG_COOKIE = "mw_lang"
#: the signed cookie's key for the token of the server-side session (services.admin.signin)
SESSION_TOKEN = "sid"


class Pages:
    """What every page handler needs: the runtime, the templates, the signed-in user."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.templates.env.filters["eur"] = format_eur
        self.templates.env.filters["de_date"] = lambda d: d.strftime("%d.%m.%Y") if d else ""
        self.templates.env.filters["local_time"] = local_time
        self.templates.env.globals["tl_line"] = describe
        settings = runtime.settings
        self.idle = timedelta(minutes=settings.session_idle_minutes)
        self.max_age = timedelta(hours=settings.session_max_hours)

    def lang(self, request: Request) -> str:
        wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
        return wanted if wanted in LANGUAGES else DEFAULT

    def client(self, request: Request) -> str:
        """The client's address (``X-Forwarded-For`` only from ``MAHNWERK_TRUSTED_PROXIES``)."""
        return signin.client_address(
            request.client.host if request.client else None,
            request.headers.get("x-forwarded-for"),
            self.runtime.settings.trusted_proxies,
        )

    def user(self, request: Request) -> User | None:
        """The signed-in user of a live server-side session (cached for the request)."""
        if "mw_user" in request.scope:
            cached: User | None = request.scope["mw_user"]
            return cached
        user = None
        token = request.session.get(SESSION_TOKEN)
        if token:
            with transaction(self.runtime.sessions) as session:
                live = signin.resume(session, str(token), utcnow(), self.idle)
                found = session.get(User, live.user_id) if live and live.user_id else None
                user = found if found is not None and found.active else None
            if user is None:
                request.session.pop(SESSION_TOKEN, None)
        request.scope["mw_user"] = user
        return user

    def sign_in(self, request: Request, *, user_id: int | None = None) -> None:
        """A new session (a new token and a new CSRF token: nothing carries over)."""
        old = request.session.get(SESSION_TOKEN)
        with transaction(self.runtime.sessions) as session:
            if old:
                signin.end(session, str(old), utcnow(), "replaced")
            token = signin.start(session, utcnow(), self.max_age, user_id=user_id)
        request.session.clear()
        request.session[SESSION_TOKEN] = token
        request.scope.pop("mw_user", None)

    def sign_out(self, request: Request) -> None:
        token = request.session.get(SESSION_TOKEN)
        if token:
            with transaction(self.runtime.sessions) as session:
                signin.end(session, str(token), utcnow(), "logout")
        request.session.clear()
        request.scope.pop("mw_user", None)

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
        https_only=runtime.settings.cookie_secure,
        max_age=int(pages.max_age.total_seconds()),
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
        client = pages.client(request)
        keys = login_keys(pages.runtime.settings.secret_key, email, client)
        now = utcnow()
        with transaction(pages.runtime.sessions) as session:
            if any(signin.blocked(session, key, limit, now) for limit, key in keys):
                return pages.render(request, "login.html", 429, error_key="login.locked")
        with transaction(pages.runtime.sessions) as session:
            user = accounts.verify_password(session, email, password)
            if user is None:
                signin.fail(session, [key for _, key in keys], now)
                return pages.render(
                    request, "login.html", status_code=401, error_key="login.failed", email=email
                )
            signin.forgive(session, keys[0][1])  # this account from this address only
            from mahnwerk.web.register import login_refusal

            if refusal := login_refusal(session, user):  # pending or unconfirmed registration
                return pages.render(request, "login.html", 403, error_key=refusal, email=email)
            actor = accounts.actor_for_user(user, client)
            from mahnwerk.services import audit

            audit.record(session, actor, "login", "user", user.id)
            user_id = user.id
            target = START_PAGES.get(user.role, "/work")
        pages.sign_in(request, user_id=user_id)
        return RedirectResponse(target, status_code=303)

    @router.post("/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        if csrf_ok(request, csrf):
            pages.sign_out(request)
        return RedirectResponse("/", status_code=303)

    return router


def login_keys(application_key: str, email: str, client: str) -> list[tuple[signin.Limit, str]]:
    """The limits a staff or creditor sign-in counts against, the account's from this
    address first."""
    account = email.strip().lower()
    return [
        (
            signin.LOGIN_ACCOUNT_SOURCE,
            signin.limit_key(application_key, signin.LOGIN_ACCOUNT_SOURCE, account, client),
        ),
        (signin.LOGIN_ACCOUNT, signin.limit_key(application_key, signin.LOGIN_ACCOUNT, account)),
        (signin.LOGIN_SOURCE, signin.limit_key(application_key, signin.LOGIN_SOURCE, client)),
    ]
