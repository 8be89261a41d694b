"""The agent workspace: work queue, case page, call view and the actions on a case.

Staff only (agent, teamlead, compliance, admin); approvals are decided by team leads only
(:func:`mahnwerk.services.actor.approval_refusal`). A creditor user gets 404 on every route
here, a visitor is sent to /login.
Handlers stay thin: they check the user and the CSRF token, call a use case of
:mod:`mahnwerk.services.workspace.desk` or :mod:`mahnwerk.services.workspace.workflow`
(which audit), and redirect back (post/redirect/get). Forms work without JavaScript; with
HTMX they are boosted (no full reload) and the queue filter swaps only the list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from mahnwerk.services import assistant
from mahnwerk.services.actor import STAFF_ROLES, Actor, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.plans import offers as plans
from mahnwerk.services.workspace import desk as workspace
from mahnwerk.services.workspace import workflow
from mahnwerk.store.calls import CALL_OUTCOMES
from mahnwerk.store.db import transaction
from mahnwerk.store.models import User
from mahnwerk.web.plan_forms import problem_messages
from mahnwerk.web.security import csrf_ok

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages

BERLIN = ZoneInfo("Europe/Berlin")
FLAG_CHOICES = ("dispute", "hardship", "do_not_contact")
FLASH = "flash"


def parse_amount(text: str) -> Decimal:
    """``1.234,50``, ``1234,50`` or ``1234.50`` (with or without €) → Decimal."""
    raw = text.replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise workflow.WorkflowError(f"„{text}“ ist kein Betrag") from exc
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise workflow.WorkflowError(f"„{text}“ hat mehr als zwei Nachkommastellen")
    return value


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise workflow.WorkflowError(f"„{text}“ ist kein Datum") from exc


def flash(
    request: Request,
    kind: str,
    message: str,
    fields: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> None:
    """A message for the next page; ``fields`` (element id → message) put an error next to
    each field it concerns, ``values`` refill the form."""
    request.session[FLASH] = {
        "kind": kind,
        "message": message,
        "fields": fields or {},
        "refill": values or {},
    }


def take_flash(request: Request) -> dict[str, str] | None:
    value = request.session.pop(FLASH, None)
    return value if isinstance(value, dict) else None


def posted_csrf(request: Request, form_value: str) -> bool:
    return csrf_ok(request, form_value or request.headers.get("X-CSRF-Token"))


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def guard(request: Request) -> tuple[User, Actor] | Response:
        user = pages.user(request)
        if user is None:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if user.role not in STAFF_ROLES:
            return pages.not_found(request)
        origin = request.client.host if request.client else None
        return user, accounts.actor_for_user(user, origin)

    def refuse(
        request: Request,
        exc: plans.PlanInputError,
        url: str,
        fields: dict[str, str] | None,
        values: dict[str, str] | None,
    ) -> Response:
        """Back to the form with every problem next to its field."""
        texts = problem_messages(pages.lang(request), exc.problems)
        ids = fields or {}
        flash(
            request,
            "error",
            " ".join(texts.values()),
            {ids.get(k, k): v for k, v in texts.items()},
            values,
        )
        return RedirectResponse(url, status_code=303)

    def back_url(case_id: int, back: str) -> str:
        return f"/work/cases/{case_id}" + ("/call" if back == "call" else "")

    def act(
        request: Request,
        csrf: str,
        case_id: int,
        work: Callable[[Session, Actor, User], str],
        back: str = "",
        fields: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
    ) -> Response:
        """Run one action in one transaction and redirect back with a message. A refused
        plan or promise puts each problem next to its field (``fields``: problem field →
        element id of this form; ``values`` refill it)."""
        who = guard(request)
        if isinstance(who, Response):
            return who
        user, actor = who
        if not posted_csrf(request, csrf):
            return pages.render(request, "error.html", status_code=400, message_key="error.csrf")
        target = back if back in ("call", "case") else "case"
        url = f"/work/cases/{case_id}" + ("/call" if target == "call" else "")
        if back == "queue":
            url = "/work/approvals"
        elif back == "lead":
            url = "/lead#approvals"
        elif back.startswith("court:") and back[6:].isdigit():
            url = f"/work/court/{back[6:]}"
        try:
            with transaction(pages.runtime.sessions) as session:
                message = work(session, actor, user)
        except plans.PlanInputError as exc:
            return refuse(request, exc, url, fields, values)
        except ValueError as exc:  # WorkflowError, WorkspaceError, ReviewError
            flash(request, "error", str(exc))
            return RedirectResponse(url, status_code=303)
        except (PermissionError, LookupError):
            return pages.not_found(request)
        flash(request, "ok", message)
        return RedirectResponse(url, status_code=303)

    # ------------------------------------------------------------------------ pages

    @r.get("/work", response_class=HTMLResponse)
    def queue(request: Request, kind: str = "", creditor: str = "") -> Response:
        who = guard(request)
        if isinstance(who, Response):
            return who
        _, actor = who
        creditor_id = int(creditor) if creditor.isdigit() else None
        wanted = kind if kind in workspace.QUEUE_KINDS else None
        with transaction(pages.runtime.sessions) as session:
            q = workspace.work_queue(
                session,
                actor,
                today=today_in_germany(),
                now=datetime.now(BERLIN),
                kind=wanted,
                creditor_id=creditor_id,
            )
            return pages.render(
                request,
                "work/queue.html",
                queue=q,
                kind=wanted or "",
                creditor_id=creditor_id,
                kinds=workspace.QUEUE_KINDS,
                today=today_in_germany(),
            )

    @r.get("/work/cases/{case_id}", response_class=HTMLResponse)
    def case_page(request: Request, case_id: int) -> Response:
        who = guard(request)
        if isinstance(who, Response):
            return who
        _, actor = who
        with transaction(pages.runtime.sessions) as session:
            view = workspace.case_view(session, actor, case_id, today=today_in_germany())
            if view is None:
                return pages.not_found(request)
            from mahnwerk.services.court.views import court_section

            return pages.render(
                request,
                "work/case.html",
                pending=plans.pending_views(
                    session, case_id, plans.plan_context(pages.runtime.settings)
                ),
                v=view,
                court=court_section(session, actor, view.case, today_in_germany()),
                today=today_in_germany(),
                flash=take_flash(request),
                outcomes=CALL_OUTCOMES,
                flag_choices=FLAG_CHOICES,
                generic_notice=workflow.plan_cost_notice(
                    view.case, view.statement.totals.total_open, today_in_germany()
                ),
                conversations=assistant.conversations_for_case(session, case_id),
            )

    @r.get("/work/cases/{case_id}/call", response_class=HTMLResponse)
    def call_view(request: Request, case_id: int) -> Response:
        who = guard(request)
        if isinstance(who, Response):
            return who
        _, actor = who
        offer_id = request.query_params.get("offer", "")
        with transaction(pages.runtime.sessions) as session:
            sheet = workspace.call_sheet(session, actor, case_id, today=today_in_germany())
            if sheet is None:
                return pages.not_found(request)
            context = plans.plan_context(pages.runtime.settings)
            return pages.render(
                request,
                "work/call.html",
                s=sheet,
                v=sheet.view,
                today=today_in_germany(),
                flash=take_flash(request),
                outcomes=CALL_OUTCOMES,
                offer=plans.shown_offer(session, actor, case_id, offer_id, context),
                pending=plans.pending_views(session, case_id, context),
            )

    @r.get("/work/documents/{document_id}")
    def document(request: Request, document_id: int) -> Response:
        who = guard(request)
        if isinstance(who, Response):
            return who
        _, actor = who
        with transaction(pages.runtime.sessions) as session:
            doc = workspace.document_for(session, actor, document_id)
            if doc is None:
                return pages.not_found(request)
            root = pages.runtime.settings.documents_dir.resolve()
            path = (root / doc.path).resolve()
            media_type, filename = doc.media_type, doc.filename
        if not path.is_relative_to(root) or not path.is_file():
            return pages.not_found(request)
        return FileResponse(
            Path(path),
            media_type=media_type,
            filename=filename,
            content_disposition_type="inline",
        )

    # ---------------------------------------------------------------------- actions

    @r.post("/work/cases/{case_id}/call")
    def log_call(
        request: Request,
        case_id: int,
        csrf: str = Form(""),
        outcome: str = Form(""),
        note: str = Form(""),
        next_step: str = Form(""),
        next_step_on: str = Form(""),
        promise_amount: str = Form(""),
        promise_date: str = Form(""),
        back: str = Form("case"),
    ) -> Response:
        def work(session: Session, actor: Actor, user: User) -> str:
            promised = bool(promise_amount.strip() or promise_date.strip())
            if promised:  # checked before anything is stored
                plans.check_agent_plan(
                    session, actor, case_id, promise_amount, "1", promise_date, today_in_germany()
                )
            workspace.log_call(
                session,
                actor,
                case_id,
                outcome=outcome,
                note=note,
                next_step=next_step,
                next_step_on=parse_day(next_step_on) if next_step_on.strip() else None,
                user_id=user.id,
            )
            if outcome in ("reached", "promise", "plan", "dispute"):
                workspace.finish_phone_tasks(session, actor, case_id)
            if promised:
                plans.agree_plan(
                    session,
                    actor,
                    case_id,
                    promise_amount,
                    "1",
                    promise_date,
                    today_in_germany(),
                    kind="promise",
                )
                return "work.done.call_promise"
            return "work.done.call"

        return act(
            request,
            csrf,
            case_id,
            work,
            back,
            {"amount": "promise_amount", "start": "promise_date", "count": "promise_amount"},
            {"promise_amount": promise_amount, "promise_date": promise_date, "note": note},
        )

    @r.post("/work/cases/{case_id}/promise")
    def promise(
        request: Request,
        case_id: int,
        csrf: str = Form(""),
        amount: str = Form(""),
        day: str = Form(""),
        back: str = Form("case"),
    ) -> Response:
        def work(session: Session, actor: Actor, user: User) -> str:
            plans.agree_plan(
                session, actor, case_id, amount, "1", day, today_in_germany(), kind="promise"
            )
            return "work.done.promise"

        return act(
            request,
            csrf,
            case_id,
            work,
            back,
            {"amount": "p-amount", "start": "p-day", "count": "p-amount"},
            {"p-amount": amount, "p-day": day},
        )

    @r.post("/work/cases/{case_id}/acknowledgement", response_class=HTMLResponse)
    def acknowledgement(
        request: Request, case_id: int, csrf: str = Form(""), back: str = Form("case")
    ) -> Response:
        """§ 13a Abs. 4 RDG: send the notice in text form before an acknowledgement."""

        def work(session: Session, actor: Actor, user: User) -> str:
            workflow.send_acknowledgement_notice(session, actor, case_id, pages.runtime)
            return "work.done.acknowledgement"

        return act(request, csrf, case_id, work, back)

    @r.post("/work/cases/{case_id}/plan", response_class=HTMLResponse)
    def plan(
        request: Request,
        case_id: int,
        csrf: str = Form(""),
        amount: str = Form(""),
        start: str = Form(""),
        count: str = Form("1"),
        confirm: str = Form(""),
        back: str = Form("case"),
        offer_id: str = Form(""),
        option: str = Form(""),
    ) -> Response:
        ids = {"amount": "pl-amount", "count": "pl-count", "start": "pl-start"}
        values = {"pl-amount": amount, "pl-count": count, "pl-start": start}
        if confirm != "yes":
            # § 13a Abs. 3 RDG: show the costs of the plan before it is agreed and saved;
            # the plan is checked against the creditor's limits first.
            who = guard(request)
            if isinstance(who, Response):
                return who
            _, actor = who
            if not posted_csrf(request, csrf):
                return pages.render(
                    request, "error.html", status_code=400, message_key="error.csrf"
                )
            with transaction(pages.runtime.sessions) as session:
                try:
                    value, n, first = plans.check_agent_plan(
                        session, actor, case_id, amount, count, start, today_in_germany()
                    )
                except plans.PlanInputError as exc:
                    return refuse(request, exc, back_url(case_id, back), ids, values)
                except LookupError:
                    return pages.not_found(request)
                view = workspace.case_view(
                    session, actor, case_id, today=today_in_germany(), purpose="plan"
                )
                if view is None:
                    return pages.not_found(request)
                notice = workflow.plan_cost_notice(
                    view.case,
                    min(value * n, view.statement.totals.total_open),
                    today_in_germany(),
                )
                return pages.render(
                    request,
                    "work/plan_confirm.html",
                    v=view,
                    notice=notice,
                    acknowledgement=workflow.acknowledgement_notice_for(
                        view.case, today_in_germany()
                    ),
                    acknowledgement_sent=workflow.acknowledgement_notice_sent(session, case_id),
                    amount=value,
                    start=first,
                    count=n,
                    back=back,
                    offer_id=offer_id,
                    option=option,
                )

        def work(session: Session, actor: Actor, user: User) -> str:
            if offer_id.isdigit() and option:
                plans.submit_offer(session, actor, int(offer_id), option, today_in_germany())
            else:
                plans.agree_plan(session, actor, case_id, amount, count, start, today_in_germany())
            return "work.done.plan"

        return act(request, csrf, case_id, work, back, ids, values)

    @r.post("/work/cases/{case_id}/afford")
    def afford(
        request: Request,
        case_id: int,
        csrf: str = Form(""),
        net_income: str = Form(""),
        dependants: str = Form("0"),
        rent: str = Form(""),
        fixed_costs: str = Form(""),
        start: str = Form(""),
    ) -> Response:
        created: list[int] = []

        def work(session: Session, actor: Actor, user: User) -> str:
            finances = plans.parse_finances(net_income, dependants, rent, fixed_costs)
            first = plans.parse_start(start) if start.strip() else None
            offer = plans.propose_affordable_plan(
                session,
                actor,
                case_id,
                finances,
                today_in_germany(),
                context=plans.plan_context(pages.runtime.settings),
                start=first,
                source="agent",
            )
            created.append(offer.offer_id)
            return "work.done.plan_offer"

        answer = act(
            request,
            csrf,
            case_id,
            work,
            "call",
            {k: f"af-{k}" for k in ("net_income", "dependants", "rent", "fixed_costs", "start")},
            {
                "af-net_income": net_income,
                "af-dependants": dependants,
                "af-rent": rent,
                "af-fixed_costs": fixed_costs,
                "af-start": start,
            },
        )
        if created:
            return RedirectResponse(
                f"/work/cases/{case_id}/call?offer={created[0]}#offer", status_code=303
            )
        return answer

    @r.post("/work/offers/{offer_id}/decide")
    def decide_offer(
        request: Request,
        offer_id: int,
        csrf: str = Form(""),
        case_id: int = Form(...),
        decision: str = Form(""),
        note: str = Form(""),
        instalment: str = Form(""),
        count: str = Form(""),
        start: str = Form(""),
        back: str = Form("case"),
    ) -> Response:
        def work(session: Session, actor: Actor, user: User) -> str:
            plans.decide_offer(
                session,
                actor,
                offer_id,
                decision,
                today_in_germany(),
                note=note,
                instalment=instalment,
                count=count,
                start=start,
            )
            return "work.done.plan_decided"

        suffix = f"-{offer_id}"
        return act(
            request,
            csrf,
            case_id,
            work,
            back,
            {
                "amount": "c-amount" + suffix,
                "count": "c-count" + suffix,
                "start": "c-start" + suffix,
                "note": "note" + suffix,
                "decision": "decision" + suffix,
            },
            {
                "c-amount" + suffix: instalment,
                "c-count" + suffix: count,
                "c-start" + suffix: start,
                "note" + suffix: note,
                "decision" + suffix: decision,
            },
        )

    @r.post("/work/cases/{case_id}/flag")
    def set_flag(
        request: Request,
        case_id: int,
        csrf: str = Form(""),
        kind: str = Form(""),
        note: str = Form(""),
    ) -> Response:
        def work(session: Session, actor: Actor, user: User) -> str:
            if kind == "dispute":
                workflow.open_dispute(session, actor, case_id, note)
            elif kind in FLAG_CHOICES:
                workspace.set_flag(session, actor, case_id, kind, note)
            else:
                raise workflow.WorkflowError(f"unbekannte Markierung {kind!r}")
            return "work.done.flag"

        return act(request, csrf, case_id, work)

    @r.post("/work/cases/{case_id}/flag/clear")
    def clear_flag(
        request: Request, case_id: int, csrf: str = Form(""), kind: str = Form("")
    ) -> Response:
        def work(session: Session, actor: Actor, user: User) -> str:
            workspace.clear_flag(session, actor, case_id, kind)
            return "work.done.flag_cleared"

        return act(request, csrf, case_id, work)

    @r.post("/work/disputes/{dispute_id}/resolve")
    def resolve_dispute(
        request: Request,
        dispute_id: int,
        csrf: str = Form(""),
        case_id: int = Form(...),
        resolution: str = Form(""),
    ) -> Response:
        def work(session: Session, actor: Actor, user: User) -> str:
            if not resolution.strip():
                raise workflow.WorkflowError("Ergebnis der Prüfung fehlt")
            workflow.resolve_dispute(session, actor, dispute_id, resolution.strip())
            return "work.done.dispute_resolved"

        return act(request, csrf, case_id, work)

    @r.post("/work/approvals/{approval_id}/decide")
    def decide(
        request: Request,
        approval_id: int,
        csrf: str = Form(""),
        case_id: int = Form(...),
        decision: str = Form(""),
        reason: str = Form(""),
        digest: str = Form(""),
        back: str = Form("case"),
    ) -> Response:
        def work(session: Session, actor: Actor, user: User) -> str:
            if decision == "approve":
                workflow.approve(
                    session,
                    actor,
                    approval_id,
                    reason,
                    today=today_in_germany(),
                    digest=digest or None,
                )
                return "work.done.approved"
            if decision == "reject":
                workflow.reject(session, actor, approval_id, reason)
                return "work.done.sent_back"
            raise workflow.WorkflowError("Entscheidung fehlt (freigeben oder ablehnen)")

        return act(request, csrf, case_id, work, back)

    @r.post("/work/tasks/{task_id}/close")
    def close_task(
        request: Request, task_id: int, csrf: str = Form(""), case_id: int = Form(...)
    ) -> Response:
        def work(session: Session, actor: Actor, user: User) -> str:
            workflow.close_task(session, actor, task_id)
            return "work.done.task"

        return act(request, csrf, case_id, work)

    @r.post("/work/bank/{entry_id}/confirm")
    def bank_confirm(
        request: Request,
        entry_id: int,
        csrf: str = Form(""),
        case_id: int = Form(...),
        candidate: int = Form(0),
    ) -> Response:
        def work(session: Session, actor: Actor, user: User) -> str:
            workspace.confirm_bank_match(session, actor, entry_id, candidate)
            return "work.done.bank"

        return act(request, csrf, case_id, work)

    @r.post("/work/bank/{entry_id}/correct")
    def bank_correct(
        request: Request, entry_id: int, csrf: str = Form(""), case_id: int = Form(...)
    ) -> Response:
        def work(session: Session, actor: Actor, user: User) -> str:
            workspace.book_bank_entry_on_case(session, actor, entry_id, case_id)
            return "work.done.bank"

        return act(request, csrf, case_id, work)

    return r
