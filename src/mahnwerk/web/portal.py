"""The debtor portal: no account, entry with case reference, access code and postcode.

The session holds only the id of the one case (``portal_case``); every page reads it from
there and never from the URL, so a debtor can reach nothing but their own case (a document
of another case answers 404). Attempts are limited per client address here and per case in
the database (:func:`mahnwerk.services.portal.access.login`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from mahnwerk.domain.money import format_rate
from mahnwerk.domain.notices import acknowledgement_notice
from mahnwerk.services.actor import today_in_germany
from mahnwerk.services.admin import signin
from mahnwerk.services.admin.creditors import Agency
from mahnwerk.services.plans import offers as plans
from mahnwerk.services.portal import access as portal_access
from mahnwerk.services.portal import debtor as portal
from mahnwerk.services.workspace.workflow import acknowledgement_parts
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Creditor
from mahnwerk.web.plan_forms import problem_messages
from mahnwerk.web.security import csrf_ok

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages

SESSION_KEY = "portal_case"


@dataclass(frozen=True)
class _Done:
    """What ``plan_done.html`` shows of an agreed or submitted option."""

    amount: Decimal
    start: date
    count: int


def _done(result: plans.Submission) -> _Done:
    return _Done(result.option.instalment, result.option.start, result.option.count)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def portal_login_keys(
    application_key: str, reference: str, client: str
) -> list[tuple[signin.Limit, str]]:
    """The limits a portal login counts against: the reference as typed (known or not, so
    that an unknown one answers like a locked one) from this address, and the address."""
    typed = "".join(reference.split()).upper()
    return [
        (
            signin.PORTAL_CASE_SOURCE,
            signin.limit_key(application_key, signin.PORTAL_CASE_SOURCE, typed, client),
        ),
        (signin.PORTAL_SOURCE, signin.limit_key(application_key, signin.PORTAL_SOURCE, client)),
    ]


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)
    runtime = pages.runtime
    pages.templates.env.filters.setdefault("rate", format_rate)

    def case_id_of(request: Request) -> int | None:
        value = request.session.get(SESSION_KEY)
        return int(value) if value else None

    def to_login() -> Response:
        return RedirectResponse("/portal", status_code=303)

    def page(request: Request, template: str, status_code: int = 200, **ctx: Any) -> Response:
        return pages.render(request, f"portal/{template}", status_code=status_code, **ctx)

    def case_page(
        request: Request, case_id: int, template: str, status_code: int = 200, **ctx: Any
    ) -> Response:
        """A page of the case with its overview (read in its own transaction)."""
        with transaction(runtime.sessions) as s:
            try:
                view = portal.overview(
                    s, case_id, today_in_germany(), _client(request), Agency.of(runtime.settings)
                )
            except LookupError:
                request.session.pop(SESSION_KEY, None)
                return to_login()
            limits = portal.plan_limits(view.creditor)
            pref = portal.contact_preference(s, view.case.debtor_id)
            return page(
                request,
                template,
                status_code,
                view=view,
                limits=limits,
                pref=pref,
                today=today_in_germany(),
                plan_status=plans.debtor_status(s, case_id),
                # § 13a Abs. 4 RDG on the plan page, with the parts of this case
                acknowledgement=acknowledgement_notice(acknowledgement_parts(view.statement)),
                history=portal.history(s, view.case),
                **ctx,
            )

    # ---------------------------------------------------------------------- login

    @r.get("/portal", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return page(request, "login.html", signed_in=case_id_of(request) is not None)

    @r.post("/portal", response_class=HTMLResponse)
    def login(
        request: Request,
        reference: str = Form(""),
        code: str = Form(""),
        postcode: str = Form(""),
        csrf: str = Form(""),
    ) -> Response:
        form = {"reference": reference, "postcode": postcode}
        if not csrf_ok(request, csrf):
            return page(request, "login.html", 400, error_key="error.csrf", form=form)
        client = pages.client(request)
        keys = portal_login_keys(runtime.settings.secret_key, reference, client)
        now = datetime.now(UTC)
        with transaction(runtime.sessions) as s:
            if any(signin.blocked(s, key, limit, now) for limit, key in keys):
                return page(request, "login.html", 429, error_key="portal.login.locked", form=form)
        with transaction(runtime.sessions) as s:
            result = portal_access.login(
                s,
                runtime.settings.secret_key,
                reference,
                code,
                postcode,
                datetime.now(UTC),
                client,
            )
            case_id = result.case.id if result.case is not None else None
            if case_id is None:  # unknown, wrong or locked: one answer (nothing to tell apart)
                signin.fail(s, [key for _, key in keys], now)
            else:  # only this reference from this address; the address's count stays
                signin.forgive(s, keys[0][1])
        if case_id is None:
            return page(request, "login.html", 401, error_key="portal.login.failed", form=form)
        request.session.clear()
        request.session[SESSION_KEY] = case_id
        return RedirectResponse("/portal/case", status_code=303)

    @r.post("/portal/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        if csrf_ok(request, csrf):
            request.session.clear()
        return RedirectResponse("/portal?bye=1", status_code=303)

    # ----------------------------------------------------------------- the case

    @r.get("/portal/case", response_class=HTMLResponse)
    def case(request: Request) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        return case_page(request, case_id, "case.html", notice=request.query_params.get("ok"))

    @r.get("/portal/documents/{document_id}")
    def document(request: Request, document_id: int) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        with runtime.sessions() as s:
            doc = portal.document(s, case_id, document_id)
            path = portal.document_path(runtime.settings.documents_dir, doc) if doc else None
            if doc is None or path is None:
                return pages.not_found(request)
            filename, media_type = doc.filename, doc.media_type
        return FileResponse(
            path,
            media_type=media_type,
            filename=filename,
            content_disposition_type="inline",
            headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
        )

    # -------------------------------------------------------------------- plans

    @r.get("/portal/plan", response_class=HTMLResponse)
    def plan_form(request: Request) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        return case_page(request, case_id, "plan.html", form={}, errors={})

    @r.post("/portal/plan", response_class=HTMLResponse)
    def plan_preview(
        request: Request, amount: str = Form(""), start: str = Form(""), csrf: str = Form("")
    ) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        form = {"amount": amount, "start": start}
        if not csrf_ok(request, csrf):
            return case_page(
                request, case_id, "plan.html", 400, form=form, errors={}, error_key="error.csrf"
            )
        with transaction(runtime.sessions) as s:
            try:
                proposal = portal.preview_plan(
                    s, case_id, amount, start, today_in_germany(), _client(request)
                )
            except portal.PortalError as exc:
                errors = exc.errors
                proposal = None
        if proposal is None:
            return case_page(request, case_id, "plan.html", 422, form=form, errors=errors)
        return case_page(
            request, case_id, "plan_confirm.html", proposal=proposal, form=form, errors={}
        )

    @r.post("/portal/plan/confirm", response_class=HTMLResponse)
    def plan_confirm(
        request: Request,
        amount: str = Form(""),
        start: str = Form(""),
        costs_read: str = Form(""),
        csrf: str = Form(""),
    ) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        form = {"amount": amount, "start": start}
        if not csrf_ok(request, csrf):
            return case_page(
                request, case_id, "plan.html", 400, form=form, errors={}, error_key="error.csrf"
            )
        errors: dict[str, str] = {}
        preview: portal.Proposal | None = None
        result: tuple[portal.Proposal, bool] | None = None
        with transaction(runtime.sessions) as s:
            try:
                if costs_read:
                    result = portal.propose_plan(
                        s, case_id, amount, start, today_in_germany(), _client(request)
                    )
                else:
                    preview = portal.preview_plan(
                        s, case_id, amount, start, today_in_germany(), _client(request)
                    )
            except portal.PortalError as exc:
                errors = exc.errors
        if errors:
            return case_page(request, case_id, "plan.html", 422, form=form, errors=errors)
        if result is None:  # agreed without confirming that the costs were read
            return case_page(
                request,
                case_id,
                "plan_confirm.html",
                400,
                proposal=preview,
                form=form,
                errors={"costs_read": "portal.plan.error.costs_read"},
            )
        proposal, accepted = result
        return case_page(request, case_id, "plan_done.html", proposal=proposal, accepted=accepted)

    # ------------------------------------------------ plans from affordability

    def offer_page(
        request: Request, case_id: int, offer: plans.PlanOffer, status_code: int = 200, **ctx: Any
    ) -> Response:
        return case_page(
            request, case_id, "plan_offer.html", status_code, offer=offer, errors={}, **ctx
        )

    @r.post("/portal/plan/afford", response_class=HTMLResponse)
    def plan_afford(
        request: Request,
        net_income: str = Form(""),
        dependants: str = Form("0"),
        rent: str = Form(""),
        fixed_costs: str = Form(""),
        start: str = Form(""),
        csrf: str = Form(""),
    ) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        form = {
            "net_income": net_income,
            "dependants": dependants,
            "rent": rent,
            "fixed_costs": fixed_costs,
            "afford_start": start,
        }
        if not csrf_ok(request, csrf):
            return case_page(
                request, case_id, "plan.html", 400, form=form, errors={}, error_key="error.csrf"
            )
        context = plans.plan_context(runtime.settings)
        offer = None
        with transaction(runtime.sessions) as s:
            try:
                finances = plans.parse_finances(net_income, dependants, rent, fixed_costs)
                offer = portal.offer_plan(
                    s, case_id, finances, start, today_in_germany(), _client(request), context
                )
            except plans.PlanInputError as exc:
                errors = problem_messages(pages.lang(request), exc.problems)
                if "start" in errors:
                    errors["afford_start"] = errors.pop("start")
        if offer is None:
            return case_page(request, case_id, "plan.html", 422, form=form, errors=errors)
        return offer_page(request, case_id, offer)

    @r.post("/portal/plan/offer/{offer_id}", response_class=HTMLResponse)
    def plan_offer_submit(
        request: Request,
        offer_id: int,
        option: str = Form(""),
        costs_read: str = Form(""),
        csrf: str = Form(""),
    ) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        context = plans.plan_context(runtime.settings)
        client = _client(request)
        errors: dict[str, str] = {}
        result: plans.Submission | None = None
        with transaction(runtime.sessions) as s:
            try:
                offer = portal.plan_offer(s, case_id, offer_id, client, context)
            except LookupError:
                return pages.not_found(request)
            if not csrf_ok(request, csrf):
                return offer_page(request, case_id, offer, 400, error_key="error.csrf")
            if not costs_read:
                errors = {"costs_read": "portal.plan.error.costs_read"}
            else:
                try:
                    result = portal.submit_plan_offer(
                        s, case_id, offer_id, option, today_in_germany(), client
                    )
                except plans.PlanInputError as exc:
                    errors = problem_messages(pages.lang(request), exc.problems)
        if result is None:
            return case_page(
                request,
                case_id,
                "plan_offer.html",
                422,
                offer=offer,
                errors=errors,
                chosen=option,
            )
        return case_page(
            request,
            case_id,
            "plan_done.html",
            proposal=_done(result),
            accepted=result.accepted,
        )

    @r.post("/portal/plan/counter/{offer_id}", response_class=HTMLResponse)
    def plan_counter_accept(
        request: Request, offer_id: int, costs_read: str = Form(""), csrf: str = Form("")
    ) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        if not csrf_ok(request, csrf):
            return case_page(
                request, case_id, "plan.html", 400, form={}, errors={}, error_key="error.csrf"
            )
        if not costs_read:
            return case_page(
                request,
                case_id,
                "plan.html",
                422,
                form={},
                errors={"counter_costs_read": "portal.plan.error.costs_read"},
            )
        errors: dict[str, str] = {}
        with transaction(runtime.sessions) as s:
            try:
                portal.accept_counter_offer(
                    s, case_id, offer_id, today_in_germany(), _client(request)
                )
            except LookupError:
                return pages.not_found(request)
            except plans.PlanInputError as exc:
                errors = {"counter_costs_read": exc.problems[0].text}
        if errors:
            return case_page(request, case_id, "plan.html", 422, form={}, errors=errors)
        return RedirectResponse("/portal/case?ok=plan", status_code=303)

    # ----------------------------------------------------------------- mandate

    @r.get("/portal/mandate", response_class=HTMLResponse)
    def mandate_form(request: Request) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        return _mandate_page(request, case_id, form={}, errors={})

    def _mandate_page(
        request: Request, case_id: int, status_code: int = 200, **ctx: Any
    ) -> Response:
        with runtime.sessions() as s:
            try:
                case = portal.load(s, case_id, _client(request), purpose="portal_mandate_form")
            except LookupError:
                return to_login()
            creditor = s.get(Creditor, case.creditor_id)
            assert creditor is not None
            text = portal.mandate_text(creditor, "", case.reference)
            s.commit()
        return case_page(request, case_id, "mandate.html", status_code, mandate_text=text, **ctx)

    @r.post("/portal/mandate", response_class=HTMLResponse)
    def mandate(
        request: Request,
        iban: str = Form(""),
        holder: str = Form(""),
        consent: str = Form(""),
        csrf: str = Form(""),
    ) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        form = {"iban": iban, "holder": holder}
        if not csrf_ok(request, csrf):
            return _mandate_page(
                request, case_id, 400, form=form, errors={}, error_key="error.csrf"
            )
        with transaction(runtime.sessions) as s:
            try:
                given = portal.give_mandate(
                    s, case_id, iban, holder, bool(consent), today_in_germany(), _client(request)
                )
            except portal.PortalError as exc:
                errors = exc.errors
                given = None
        if given is None:
            return _mandate_page(request, case_id, 422, form=form, errors=errors)
        return _mandate_page(request, case_id, form={}, errors={}, given=given)

    # --------------------------------------------------------- dispute, hardship

    @r.get("/portal/report", response_class=HTMLResponse)
    def report_form(request: Request) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        kind = request.query_params.get("kind", "dispute")
        return case_page(request, case_id, "report.html", form={"kind": kind}, errors={})

    @r.post("/portal/report", response_class=HTMLResponse)
    async def report(
        request: Request,
        kind: str = Form(""),
        reason: str = Form(""),
        csrf: str = Form(""),
        upload: Annotated[UploadFile | None, File()] = None,
    ) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        form = {"kind": kind, "reason": reason}
        if not csrf_ok(request, csrf):
            return case_page(
                request, case_id, "report.html", 400, form=form, errors={}, error_key="error.csrf"
            )
        file = None
        if upload is not None and upload.filename:
            content = await upload.read(portal.MAX_UPLOAD_BYTES + 1)
            file = portal.Upload(upload.filename, content)
        with transaction(runtime.sessions) as s:
            try:
                portal.report(
                    s,
                    runtime.settings.documents_dir,
                    case_id,
                    kind,
                    reason,
                    file,
                    _client(request),
                )
                errors: dict[str, str] = {}
            except portal.PortalError as exc:
                errors = exc.errors
        if errors:
            return case_page(request, case_id, "report.html", 422, form=form, errors=errors)
        return RedirectResponse(f"/portal/case?ok={kind}", status_code=303)

    # ----------------------------------------------------------------- contact

    @r.get("/portal/contact", response_class=HTMLResponse)
    def contact_form(request: Request) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        return case_page(request, case_id, "contact.html", form={}, errors={})

    @r.post("/portal/contact", response_class=HTMLResponse)
    def contact(
        request: Request,
        channel: str = Form(""),
        earliest: str = Form("8"),
        latest: str = Form("20"),
        csrf: str = Form(""),
    ) -> Response:
        case_id = case_id_of(request)
        if case_id is None:
            return to_login()
        form = {"channel": channel, "earliest": earliest, "latest": latest}
        if not csrf_ok(request, csrf):
            return case_page(
                request, case_id, "contact.html", 400, form=form, errors={}, error_key="error.csrf"
            )
        with transaction(runtime.sessions) as s:
            try:
                portal.set_contact(s, case_id, channel, earliest, latest, _client(request))
                errors: dict[str, str] = {}
            except portal.PortalError as exc:
                errors = exc.errors
        if errors:
            return case_page(request, case_id, "contact.html", 422, form=form, errors=errors)
        return case_page(request, case_id, "contact.html", form=form, errors={}, saved=True)

    return r
