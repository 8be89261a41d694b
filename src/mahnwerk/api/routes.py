"""The creditor-facing routes: each handler reads the request, calls one use case in one
transaction and shapes the answer. Tenancy and the audit trail live in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import FastAPI, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from mahnwerk.api import schemas as s
from mahnwerk.api import views
from mahnwerk.api.auth import CurrentActor, runtime, unit_of_work
from mahnwerk.api.problems import ApiProblem, not_found, responses
from mahnwerk.services import cases
from mahnwerk.services.actor import Actor, today_in_germany, utcnow
from mahnwerk.services.admin import webhooks
from mahnwerk.services.portfolio.statement_io import to_json

PREFIX = "/api/v1"

CaseId = Annotated[int, Path(ge=1, le=s.MAX_ID, description="id des Falls")]
WebhookId = Annotated[int, Path(ge=1, le=s.MAX_ID, description="id des Webhooks")]

_CURSOR_PROBLEM = ApiProblem(
    422,
    "invalid-cursor",
    "Ungültiger Cursor",
    "cursor ist ungültig: bitte den Wert next_cursor der vorigen Seite unverändert übergeben",
)


def _creditor(actor: Actor) -> int:
    """The creditor a creditor-scoped request acts for."""
    if actor.creditor_id is None:  # staff tokens come with the web login (later issue)
        raise ApiProblem(
            422,
            "creditor-required",
            "Mandant fehlt",
            "Dieser Zugang gehört zu keinem Mandanten; Fälle legt ein Mandanten-Schlüssel an",
        )
    return actor.creditor_id


def _case_input(body: s.CaseIn) -> cases.CaseInput:
    d = body.debtor
    return cases.CaseInput(
        external_ref=body.external_ref,
        debtor=cases.DebtorInput(
            kind=d.kind,
            consumer=d.consumer,
            first_name=d.first_name,
            last_name=d.last_name,
            company=d.company,
            birth_date=d.birth_date,
            street=d.street,
            postcode=d.postcode,
            city=d.city,
            country=d.country,
            email=d.email,
            phone=d.phone,
            iban=d.iban,
        ),
        claims=tuple(
            cases.ClaimInput(
                invoice_no=c.invoice_no,
                amount=Decimal(c.amount),
                default_from=c.default_from,
                invoice_date=c.invoice_date,
                due_date=c.due_date,
                interest_kind=c.interest.kind,
                interest_value=c.interest.value,
                label=c.label,
                kind=c.kind,
                origin=c.origin,
                reminder_date=c.reminder_date,
                notice_286_3=c.notice_286_3,
                contract_subject=c.contract_subject,
                contract_date=c.contract_date,
            )
            for c in body.claims
        ),
        day_count=body.day_count,
        allocation=body.allocation,
        costs=tuple((k.date, k.label, Decimal(k.amount)) for k in body.costs),
    )


# ----------------------------------------------------------------------------- cases


def create_case(
    body: s.CaseIn, actor: CurrentActor, request: Request, response: Response
) -> s.CaseDetail:
    creditor_id = _creditor(actor)
    data = _case_input(body)
    for attempt in (1, 2):
        try:
            with unit_of_work(runtime(request)) as session:
                case = cases.create_case(
                    session,
                    actor,
                    creditor_id,
                    data,
                    receipt_days=runtime(request).settings.receipt_days,
                )
                session.flush()
                session.expire(case, ["claims", "costs", "payments", "events"])
                out = views.case_detail(case)
            break
        except IntegrityError:
            # a concurrent request created the same case: the second pass reports it as 409
            if attempt == 2:
                raise
    response.headers["Location"] = f"/api/v1/cases/{out.id}"
    return out


def list_cases(
    actor: CurrentActor,
    request: Request,
    external_ref: Annotated[s.Text100 | None, Query(description="Ihr Aktenzeichen (genau)")] = None,
    stage: Annotated[str | None, Query(pattern=r"^[a-z_]{1,30}$", max_length=30)] = None,
    status: Annotated[s.CaseStatus | None, Query()] = None,
    created_from: Annotated[
        s.IsoDate | None, Query(description="angelegt ab (Tag, deutsche Zeit)")
    ] = None,
    created_to: Annotated[
        s.IsoDate | None, Query(description="angelegt bis (Tag, einschließlich, deutsche Zeit)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[
        str | None,
        Query(pattern=r"^[A-Za-z0-9_-]{1,200}$", max_length=200, description="next_cursor"),
    ] = None,
) -> s.CaseList:
    if cursor is not None:
        try:
            after = cases.decode_cursor(cursor)
        except cases.CaseError:
            raise _CURSOR_PROBLEM from None
        if after > s.MAX_ID:
            raise _CURSOR_PROBLEM
    with unit_of_work(runtime(request)) as session:
        page = cases.list_cases(
            session,
            actor,
            external_ref=external_ref,
            stage=stage,
            status=status,
            created_from=created_from,
            created_to=created_to,
            limit=limit,
            cursor=cursor,
        )
        return s.CaseList(
            items=[views.case_summary(c) for c in page.items], next_cursor=page.next_cursor
        )


def get_case(case_id: CaseId, actor: CurrentActor, request: Request) -> s.CaseDetail:
    with unit_of_work(runtime(request)) as session:
        case = cases.get_case(session, actor, case_id, purpose="read")
        if case is None:
            raise not_found(f"Den Fall {case_id}")
        return views.case_detail(case)


def get_statement(
    case_id: CaseId,
    actor: CurrentActor,
    request: Request,
    as_of: Annotated[
        s.LedgerDate | None, Query(description="Stichtag JJJJ-MM-TT; ohne Angabe: heute")
    ] = None,
) -> Response:
    with unit_of_work(runtime(request)) as session:
        case = cases.get_case(session, actor, case_id, purpose="statement")
        if case is None:
            raise not_found(f"Den Fall {case_id}")
        try:
            statement = cases.statement(case, as_of or today_in_germany())
        except ValueError as exc:  # e.g. a claim from before the base-rate table (imported)
            raise ApiProblem(
                422,
                "statement-not-computable",
                "Nicht berechenbar",
                f"Die Forderungsaufstellung von Fall {case_id} ist nicht berechenbar: {exc}",
            ) from exc
    return JSONResponse(to_json(statement))


def report_payment(
    case_id: CaseId, body: s.PaymentIn, actor: CurrentActor, request: Request, response: Response
) -> s.PaymentOut:
    amount = Decimal(body.amount)
    started = utcnow()
    with unit_of_work(runtime(request)) as session:
        case = cases.get_case(session, actor, case_id, purpose="payment")
        if case is None:
            raise not_found(f"Den Fall {case_id}")
        payment = cases.record_payment(
            session,
            actor,
            case,
            day=body.date,
            amount=amount,
            source="creditor",
            reference=body.reference,
            external_id=body.external_id,
            claim=body.claim,
        )
        if s.aware(payment.created_at) < started:  # a repeat of an earlier report
            if payment.amount != amount or payment.date != body.date:
                raise ApiProblem(
                    409,
                    "payment-conflict",
                    "Zahlung widerspricht",
                    f"external_id {body.external_id!r} wurde schon für eine Zahlung von "
                    f"{payment.amount} am {payment.date.isoformat()} verwendet",
                )
            response.status_code = 200
        return views.payment_out(payment)


def recall(
    case_id: CaseId, body: s.RecallIn, actor: CurrentActor, request: Request
) -> s.CaseSummary:
    with unit_of_work(runtime(request)) as session:
        case = cases.get_case(session, actor, case_id, purpose="recall")
        if case is None:
            raise not_found(f"Den Fall {case_id}")
        cases.recall_case(session, actor, case, body.reason)
        return views.case_summary(case)


# -------------------------------------------------------------------------- webhooks


def create_webhook(
    body: s.WebhookIn, actor: CurrentActor, request: Request, response: Response
) -> s.WebhookCreated:
    _creditor(actor)
    with unit_of_work(runtime(request)) as session:
        hook, secret = webhooks.register(
            session,
            actor,
            body.url,
            body.events,
            allow_private=runtime(request).settings.webhook_allow_private,
            application_key=runtime(request).settings.secret_key,
        )
        out = s.WebhookCreated(**views.webhook_out(hook).model_dump(), secret=secret)
    response.headers["Location"] = f"/api/v1/webhooks/{out.id}"
    return out


def list_webhooks(actor: CurrentActor, request: Request) -> s.WebhookList:
    with unit_of_work(runtime(request)) as session:
        hooks = webhooks.list_webhooks(session, actor)
        return s.WebhookList(items=[views.webhook_out(h) for h in hooks])


def get_webhook(webhook_id: WebhookId, actor: CurrentActor, request: Request) -> s.WebhookOut:
    with unit_of_work(runtime(request)) as session:
        hook = webhooks.get_webhook(session, actor, webhook_id)
        if hook is None:
            raise not_found(f"Den Webhook {webhook_id}")
        return views.webhook_out(hook)


def list_deliveries(
    webhook_id: WebhookId,
    actor: CurrentActor,
    request: Request,
    status: Annotated[s.DeliveryStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> s.DeliveryList:
    with unit_of_work(runtime(request)) as session:
        hook = webhooks.get_webhook(session, actor, webhook_id)
        if hook is None:
            raise not_found(f"Den Webhook {webhook_id}")
        rows = webhooks.deliveries(session, hook, status=status, limit=limit)
        return s.DeliveryList(items=[views.delivery_out(r) for r in rows])


def delete_webhook(webhook_id: WebhookId, actor: CurrentActor, request: Request) -> Response:
    with unit_of_work(runtime(request)) as session:
        hook = webhooks.get_webhook(session, actor, webhook_id)
        if hook is None:
            raise not_found(f"Den Webhook {webhook_id}")
        webhooks.delete_webhook(session, actor, hook)
    return Response(status_code=204)


# ---------------------------------------------------------------------- registration


def install(app: FastAPI) -> None:
    """Register every route on the app itself (so that ``app.routes`` lists them all)."""
    app.add_api_route(
        PREFIX + "/cases",
        create_case,
        methods=["POST"],
        status_code=201,
        response_model=s.CaseDetail,
        summary="Fall mit Forderungen und Schuldnerdaten anlegen",
        tags=["cases"],
        responses={
            201: {"headers": {"Location": {"schema": {"type": "string"}}}},
            **responses(400, 401, 403, 409, 422),
        },
    )
    app.add_api_route(
        PREFIX + "/cases",
        list_cases,
        methods=["GET"],
        response_model=s.CaseList,
        summary="Eigene Fälle auflisten und filtern (seitenweise)",
        tags=["cases"],
        responses=responses(401, 403, 422),
    )
    app.add_api_route(
        PREFIX + "/cases/{case_id}",
        get_case,
        methods=["GET"],
        response_model=s.CaseDetail,
        summary="Ein Fall mit Schuldnerdaten, Forderungen und Verlauf",
        tags=["cases"],
        responses=responses(401, 403, 404, 422),
    )
    app.add_api_route(
        PREFIX + "/cases/{case_id}/statement",
        get_statement,
        methods=["GET"],
        response_model=s.StatementOut,
        summary="Forderungsaufstellung zu einem Stichtag (wie mahnwerk statement --format json)",
        tags=["cases"],
        responses=responses(401, 403, 404, 422),
    )
    app.add_api_route(
        PREFIX + "/cases/{case_id}/payments",
        report_payment,
        methods=["POST"],
        status_code=201,
        response_model=s.PaymentOut,
        summary="Direktzahlung an den Gläubiger melden (idempotent über external_id)",
        tags=["cases"],
        responses={
            200: {"model": s.PaymentOut, "description": "dieselbe Zahlung wurde schon gemeldet"},
            **responses(400, 401, 403, 404, 409, 422),
        },
    )
    app.add_api_route(
        PREFIX + "/cases/{case_id}/recall",
        recall,
        methods=["POST"],
        response_model=s.CaseSummary,
        summary="Fall zurückrufen (keine weiteren Schritte; der Verlauf bleibt)",
        tags=["cases"],
        responses=responses(400, 401, 403, 404, 422),
    )
    app.add_api_route(
        PREFIX + "/webhooks",
        create_webhook,
        methods=["POST"],
        status_code=201,
        response_model=s.WebhookCreated,
        summary="Webhook anlegen (das Geheimnis wird nur hier gezeigt)",
        tags=["webhooks"],
        responses={
            201: {"headers": {"Location": {"schema": {"type": "string"}}}},
            **responses(400, 401, 403, 422),
        },
    )
    app.add_api_route(
        PREFIX + "/webhooks",
        list_webhooks,
        methods=["GET"],
        response_model=s.WebhookList,
        summary="Eigene Webhooks",
        tags=["webhooks"],
        responses=responses(401, 403),
    )
    app.add_api_route(
        PREFIX + "/webhooks/{webhook_id}",
        get_webhook,
        methods=["GET"],
        response_model=s.WebhookOut,
        summary="Ein Webhook",
        tags=["webhooks"],
        responses=responses(401, 403, 404, 422),
    )
    app.add_api_route(
        PREFIX + "/webhooks/{webhook_id}/deliveries",
        list_deliveries,
        methods=["GET"],
        response_model=s.DeliveryList,
        summary="Zustellungen eines Webhooks, neueste zuerst",
        tags=["webhooks"],
        responses=responses(401, 403, 404, 422),
    )
    app.add_api_route(
        PREFIX + "/webhooks/{webhook_id}",
        delete_webhook,
        methods=["DELETE"],
        status_code=204,
        response_class=Response,
        summary="Webhook löschen (offene Zustellungen entfallen)",
        tags=["webhooks"],
        responses=responses(401, 403, 404, 422),
    )
