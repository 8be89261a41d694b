"""The assistant's pages: the chat panel of the debtor portal, and the agents' action that
takes over an address a debtor stated.

The chat works as a plain form without JavaScript (post, redirect, the page shows the
conversation); with HTMX the form posts in the background and only the two new messages
are added to the log, an ``aria-live`` region, so a screen reader reads the answer. The
conversation id lives in the portal session next to the case id, never in the URL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mahnwerk.services import assistant
from mahnwerk.services.actor import today_in_germany
from mahnwerk.services.assistant.conversation import messages
from mahnwerk.services.portal import debtor as portal
from mahnwerk.store.assistant import Conversation
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case
from mahnwerk.web.portal import SESSION_KEY
from mahnwerk.web.security import csrf_ok

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages

CONVERSATION_KEY = "portal_assistant_conversation"
BERLIN = ZoneInfo("Europe/Berlin")


def local_time(moment: datetime | None, fmt: str = "%H:%M") -> str:
    """A stored moment (UTC; without zone on SQLite) as Berlin wall-clock time."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(BERLIN).strftime(fmt)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)
    runtime = pages.runtime
    pages.templates.env.filters.setdefault("local_time", local_time)
    built: dict[str, assistant.AssistantConfig] = {}

    def config() -> assistant.AssistantConfig:
        if "portal" not in built:
            built["portal"] = assistant.AssistantConfig.from_settings(runtime.settings)
        return built["portal"]

    def case_id_of(request: Request) -> int | None:
        value = request.session.get(SESSION_KEY)
        return int(value) if value else None

    def conversation_of(request: Request) -> int | None:
        value = request.session.get(CONVERSATION_KEY)
        return int(value) if value else None

    def chat_page(request: Request, case_id: int, status_code: int = 200, **ctx: Any) -> Response:
        with transaction(runtime.sessions) as s:
            try:
                view = portal.overview(s, case_id, today_in_germany(), _client(request))
            except LookupError:
                request.session.pop(SESSION_KEY, None)
                return RedirectResponse("/portal", status_code=303)
            conv_id = conversation_of(request)
            conv = s.get(Conversation, conv_id) if conv_id else None
            if conv is not None and conv.case_id != case_id:
                conv = None
            rows = messages(s, conv.id) if conv is not None else []
            return pages.render(
                request,
                "portal/assistant.html",
                status_code=status_code,
                view=view,
                conversation=conv,
                messages=rows,
                pending=conv.pending_offer if conv is not None else None,
                **ctx,
            )

    @r.get("/portal/assistant", response_class=HTMLResponse)
    def chat(request: Request) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return RedirectResponse("/portal", status_code=303)
        return chat_page(request, case_id)

    def answer(request: Request, case_id: int, work: Any) -> Response:
        """Run one turn; HTMX gets the new messages only, a plain form is redirected."""
        error_key = None
        result: assistant.Reply | None = None
        try:
            with transaction(runtime.sessions) as s:
                result = work(s)
        except assistant.AssistantError:
            error_key = "assistant.error.empty"
        if result is None:
            if _is_htmx(request):
                return pages.render(
                    request, "portal/_chat_error.html", status_code=422, error_key=error_key
                )
            return chat_page(request, case_id, 422, error_key=error_key)
        request.session[CONVERSATION_KEY] = result.conversation_id
        if not _is_htmx(request):
            return RedirectResponse("/portal/assistant#latest", status_code=303)
        with transaction(runtime.sessions) as s:
            view = portal.overview(s, case_id, today_in_germany(), _client(request))
            rows = messages(s, result.conversation_id)[-2:]
            conv = s.get(Conversation, result.conversation_id)
            return pages.render(
                request,
                "portal/_chat_turn.html",
                view=view,
                messages=rows,
                pending=conv.pending_offer if conv else None,
            )

    def refused(request: Request, case_id: int) -> Response:
        if _is_htmx(request):
            return pages.render(
                request, "portal/_chat_error.html", status_code=400, error_key="error.csrf"
            )
        return chat_page(request, case_id, 400, error_key="error.csrf")

    @r.post("/portal/assistant", response_class=HTMLResponse)
    def send(request: Request, text: str = Form(""), csrf: str = Form("")) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return RedirectResponse("/portal", status_code=303)
        if not csrf_ok(request, csrf or request.headers.get("X-CSRF-Token")):
            return refused(request, case_id)
        conv_id = conversation_of(request)
        client = _client(request)

        def work(s: Any) -> assistant.Reply:
            creditor_id = s.get(Case, case_id).creditor_id
            actor = portal.debtor_actor(case_id, creditor_id, client)
            return assistant.reply(
                s, actor, case_id, text, conv_id, today_in_germany(), config=config()
            )

        return answer(request, case_id, work)

    @r.post("/portal/assistant/accept", response_class=HTMLResponse)
    def accept(request: Request, costs_read: str = Form(""), csrf: str = Form("")) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return RedirectResponse("/portal", status_code=303)
        if not csrf_ok(request, csrf or request.headers.get("X-CSRF-Token")):
            return refused(request, case_id)
        conv_id = conversation_of(request)
        if conv_id is None:
            return RedirectResponse("/portal/assistant", status_code=303)
        if not costs_read:
            if _is_htmx(request):
                return pages.render(
                    request,
                    "portal/_chat_error.html",
                    status_code=422,
                    error_key="portal.plan.error.costs_read",
                )
            return chat_page(request, case_id, 422, error_key="portal.plan.error.costs_read")
        client = _client(request)

        def work(s: Any) -> assistant.Reply:
            creditor_id = s.get(Case, case_id).creditor_id
            actor = portal.debtor_actor(case_id, creditor_id, client)
            return assistant.accept_offer_of_conversation(
                s, actor, case_id, conv_id, today_in_germany(), config=config()
            )

        return answer(request, case_id, work)

    @r.post("/portal/assistant/new")
    def new_conversation(request: Request, csrf: str = Form("")) -> Response:
        if csrf_ok(request, csrf):
            request.session.pop(CONVERSATION_KEY, None)
        return RedirectResponse("/portal/assistant", status_code=303)

    # ------------------------------------------------------------------- agents

    @r.post("/work/assistant/address/{task_id}/apply")
    def apply_address(
        request: Request, task_id: int, csrf: str = Form(""), case_id: int = Form(...)
    ) -> Response:
        from mahnwerk.services.actor import STAFF_ROLES
        from mahnwerk.services.admin import accounts
        from mahnwerk.web.workspace import flash

        user = pages.user(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        if user.role not in STAFF_ROLES:
            return pages.not_found(request)
        if not csrf_ok(request, csrf or request.headers.get("X-CSRF-Token")):
            return pages.render(request, "error.html", status_code=400, message_key="error.csrf")
        actor = accounts.actor_for_user(user, _client(request))
        try:
            with transaction(runtime.sessions) as s:
                assistant.apply_stated_address(s, actor, task_id, today_in_germany())
            flash(request, "ok", "assistant.address.applied")
        except assistant.AssistantError as exc:
            flash(request, "error", str(exc))
        return RedirectResponse(f"/work/cases/{case_id}", status_code=303)

    return r
