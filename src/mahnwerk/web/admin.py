"""The administrator's pages (role ``admin`` only; anyone else gets 404):

- ``/admin``: the start page: the agency's own details with what is missing, the creditors
  and whether their letters can go out, registrations waiting, users and keys;
- ``/admin/users``: users and roles (add, change role, deactivate);
- ``/admin/apikeys``: API keys of creditors and staff (create: shown once; revoke);
- ``/admin/registrations``: creditor registrations waiting for approval (approve, reject
  with a reason) and confirmations that could not be e-mailed (a fresh link to pass on);
- ``/admin/creditors``, ``/admin/creditors/new``, ``/admin/creditors/{id}``: creditors and
  their set-up (address, accounts, strategy, plan limits, fees, letterhead), with every
  problem next to its field.

Handlers turn the form into one use case of :mod:`mahnwerk.services.admin` in one
transaction and redirect back with a message (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from mahnwerk.services.actor import API_SCOPES, Actor
from mahnwerk.services.admin import accounts, overview, registration, users
from mahnwerk.services.admin import creditors as setup
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Creditor, User
from mahnwerk.web.guard import person, posted
from mahnwerk.web.workspace import flash, take_flash

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages

ADMIN = ("admin",)
#: the session key of a secret shown once (a new API key, a confirmation link)
ONCE = "shown_once"


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)
    settings = pages.runtime.settings

    def act(
        request: Request, csrf: str, back: str, work: Callable[[Session, Actor], str]
    ) -> Response:
        who = person(pages, request, ADMIN)
        if isinstance(who, Response):
            return who
        _, actor = who
        if not posted(request, csrf):
            return pages.render(request, "error.html", status_code=400, message_key="error.csrf")
        try:
            with transaction(pages.runtime.sessions) as session:
                message = work(session, actor)
        except (accounts.AccountError, registration.ApprovalError) as exc:
            flash(request, "error", str(exc))
            return RedirectResponse(back, status_code=303)
        except (LookupError, PermissionError):
            return pages.not_found(request)
        flash(request, "ok", message)
        return RedirectResponse(back, status_code=303)

    def page(request: Request, template: str, **context: Any) -> Response:
        return pages.render(
            request,
            f"admin/{template}",
            flash=take_flash(request),
            once=request.session.pop(ONCE, None),
            **context,
        )

    # ------------------------------------------------------------------ start page

    @r.get("/admin", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        who = person(pages, request, ADMIN)
        if isinstance(who, Response):
            return who
        with transaction(pages.runtime.sessions) as session:
            o = overview.overview(session, who[1], settings)
            return page(request, "home.html", o=o, role_text=accounts.ROLE_TEXT)

    # ----------------------------------------------------------------------- users

    @r.get("/admin/users", response_class=HTMLResponse)
    def user_list(request: Request) -> Response:
        who = person(pages, request, ADMIN)
        if isinstance(who, Response):
            return who
        with transaction(pages.runtime.sessions) as session:
            rows = users.list_users(session, who[1])
            creditors = list(session.execute(select(Creditor.id, Creditor.name)).all())
            return page(
                request,
                "users.html",
                rows=rows,
                roles=accounts.ROLES,
                role_text=accounts.ROLE_TEXT,
                creditors=creditors,
                me=who[0].id,
            )

    @r.post("/admin/users")
    def user_add(
        request: Request,
        csrf: str = Form(""),
        email: str = Form(""),
        role: str = Form(""),
        password: str = Form(""),
        creditor: str = Form(""),
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            creditor_id = int(creditor) if role == "creditor" and creditor.isdigit() else None
            accounts.add_user(session, actor, email, password, role, creditor_id)
            return "admin.done.user_added"

        return act(request, csrf, "/admin/users", work)

    @r.post("/admin/users/{user_id}/role")
    def user_role(
        request: Request, user_id: int, csrf: str = Form(""), role: str = Form("")
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            users.change_role(session, actor, user_id, role)
            return "admin.done.role"

        return act(request, csrf, "/admin/users", work)

    @r.post("/admin/users/{user_id}/active")
    def user_active(
        request: Request, user_id: int, csrf: str = Form(""), active: str = Form("")
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            users.set_active(session, actor, user_id, active == "1")
            return "admin.done.active"

        return act(request, csrf, "/admin/users", work)

    # -------------------------------------------------------------------- API keys

    @r.get("/admin/apikeys", response_class=HTMLResponse)
    def key_list(request: Request) -> Response:
        who = person(pages, request, ADMIN)
        if isinstance(who, Response):
            return who
        with transaction(pages.runtime.sessions) as session:
            keys = accounts.list_api_keys(session)
            owners_c = dict(session.execute(select(Creditor.id, Creditor.name)).all())
            owners_u = dict(session.execute(select(User.id, User.email)).all())
            staff = users.staff_users(session)
            return page(
                request,
                "apikeys.html",
                keys=keys,
                scopes=API_SCOPES,
                creditor_names=owners_c,
                user_emails=owners_u,
                staff=staff,
                creditors=sorted(owners_c.items(), key=lambda kv: kv[1]),
            )

    @r.post("/admin/apikeys")
    def key_create(
        request: Request,
        csrf: str = Form(""),
        owner: str = Form(""),
        name: str = Form(""),
        scope: Annotated[list[str] | None, Form()] = None,
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            kind, _, ident = owner.partition(":")
            if kind == "creditor" and ident.isdigit():
                new = accounts.create_api_key(session, actor, int(ident), name.strip()[:100])
            elif kind == "user" and ident.isdigit():
                user = session.get(User, int(ident))
                if user is None:
                    raise accounts.AccountError("Benutzer gibt es nicht")
                if not accounts.scopes_of(scope or ()):
                    raise accounts.AccountError(
                        "Ein Schlüssel für Mitarbeitende braucht mindestens eine Berechtigung"
                    )
                new = accounts.create_staff_api_key(
                    session, actor, user.email, name[:100], scopes=scope or ()
                )
            else:
                raise accounts.AccountError("Bitte einen Mandanten oder Mitarbeiter wählen")
            request.session[ONCE] = {"kind": "apikey", "value": new.key, "id": new.record.id}
            return "admin.done.key_created"

        return act(request, csrf, "/admin/apikeys", work)

    @r.post("/admin/apikeys/{key_id}/revoke")
    def key_revoke(request: Request, key_id: int, csrf: str = Form("")) -> Response:
        def work(session: Session, actor: Actor) -> str:
            accounts.revoke_api_key(session, actor, key_id)
            return "admin.done.key_revoked"

        return act(request, csrf, "/admin/apikeys", work)

    # --------------------------------------------------------------- registrations

    @r.get("/admin/registrations", response_class=HTMLResponse)
    def registrations(request: Request) -> Response:
        who = person(pages, request, ADMIN)
        if isinstance(who, Response):
            return who
        with transaction(pages.runtime.sessions) as session:
            rows = registration.pending(session)
            return page(request, "registrations.html", rows=rows)

    @r.post("/admin/registrations/{creditor_id}/approve")
    def registration_approve(request: Request, creditor_id: int, csrf: str = Form("")) -> Response:
        def work(session: Session, actor: Actor) -> str:
            registration.approve(session, actor, creditor_id)
            return "admin.done.registration_approved"

        return act(request, csrf, "/admin/registrations", work)

    @r.post("/admin/registrations/{creditor_id}/reject")
    def registration_reject(
        request: Request, creditor_id: int, csrf: str = Form(""), reason: str = Form("")
    ) -> Response:
        def work(session: Session, actor: Actor) -> str:
            registration.reject(session, actor, creditor_id, reason)
            return "admin.done.registration_rejected"

        return act(request, csrf, "/admin/registrations", work)

    @r.post("/admin/registrations/{creditor_id}/link")
    def registration_link(request: Request, creditor_id: int, csrf: str = Form("")) -> Response:
        def work(session: Session, actor: Actor) -> str:
            reg, token = registration.new_confirmation(session, actor, creditor_id)
            link = f"{settings.public_url}/register/confirm?token={token}"
            subject, text = registration.confirmation_mail(
                settings.agency_name, link, reg.contact_name
            )
            request.session[ONCE] = {
                "kind": "confirmation",
                "id": creditor_id,
                "to": reg.email,
                "subject": subject,
                "value": text,
                "link": link,
            }
            return "admin.done.link"

        return act(request, csrf, "/admin/registrations", work)

    # -------------------------------------------------------------------- creditors

    @r.get("/admin/creditors", response_class=HTMLResponse)
    def creditor_list(request: Request) -> Response:
        who = person(pages, request, ADMIN)
        if isinstance(who, Response):
            return who
        with transaction(pages.runtime.sessions) as session:
            o = overview.overview(session, who[1], settings)
            return page(request, "creditors.html", o=o)

    def creditor_form(
        request: Request,
        creditor: Creditor | None,
        values: dict[str, str],
        errors: dict[str, str],
        problems: list[setup.Problem],
        status_code: int = 200,
    ) -> Response:
        return pages.render(
            request,
            "admin/creditor.html",
            status_code=status_code,
            creditor=creditor,
            values=values,
            errors=errors,
            problems=problems,
            labels=setup.LABELS,
            flash=take_flash(request),
            commission_bases=setup.COMMISSION_BASES,
            agency=setup.Agency.of(settings),
        )

    @r.get("/admin/creditors/new", response_class=HTMLResponse)
    def creditor_new(request: Request) -> Response:
        who = person(pages, request, ADMIN)
        if isinstance(who, Response):
            return who
        values = {k: "" for k in setup.FIELDS} | {"strategy": "standard"}
        return creditor_form(request, None, values, {}, [])

    @r.get("/admin/creditors/{creditor_id}", response_class=HTMLResponse)
    def creditor_page(request: Request, creditor_id: int) -> Response:
        who = person(pages, request, ADMIN)
        if isinstance(who, Response):
            return who
        with transaction(pages.runtime.sessions) as session:
            creditor = session.get(Creditor, creditor_id)
            if creditor is None:
                return pages.not_found(request)
            sheet = setup.sheet(
                creditor, setup.Agency.of(settings), setup.strategy_checker(settings)
            )
            return creditor_form(request, creditor, sheet.values, {}, sheet.problems)

    def form_values(form: Any) -> dict[str, Any]:
        values: dict[str, Any] = {k: str(form.get(k, "")) for k in setup.FIELDS}
        values["trust_account"] = form.get("payment") == "trust"
        values["fees_retained"] = {"yes": True, "no": False}.get(str(form.get("fees_retained")))
        if values["trust_account"]:
            for key in ("iban", "bic", "holder"):
                values.pop(key)
        return values

    @r.post("/admin/creditors", response_class=HTMLResponse)
    async def creditor_create(request: Request) -> Response:
        who = person(pages, request, ADMIN)
        if isinstance(who, Response):
            return who
        form = await request.form()
        if not posted(request, str(form.get("csrf", ""))):
            return pages.render(request, "error.html", status_code=400, message_key="error.csrf")
        values = {k: v for k, v in form_values(form).items() if v not in ("", None)}
        try:
            with transaction(pages.runtime.sessions) as session:
                creditor = setup.add_creditor(
                    session,
                    who[1],
                    str(values.pop("name", "")),
                    values,
                    strategy_known=setup.strategy_checker(settings),
                )
                target = f"/admin/creditors/{creditor.id}"
        except setup.SetupError as exc:
            shown = {k: str(form.get(k, "")) for k in setup.FIELDS}
            shown["trust_account"] = "ja" if form.get("payment") == "trust" else ""
            return creditor_form(request, None, shown, exc.errors, [], 422)
        flash(request, "ok", "admin.done.creditor_created")
        return RedirectResponse(target, status_code=303)

    @r.post("/admin/creditors/{creditor_id}", response_class=HTMLResponse)
    async def creditor_update(request: Request, creditor_id: int) -> Response:
        who = person(pages, request, ADMIN)
        if isinstance(who, Response):
            return who
        form = await request.form()
        if not posted(request, str(form.get("csrf", ""))):
            return pages.render(request, "error.html", status_code=400, message_key="error.csrf")
        values = form_values(form)
        try:
            with transaction(pages.runtime.sessions) as session:
                setup.update_creditor(
                    session,
                    who[1],
                    creditor_id,
                    values,
                    strategy_known=setup.strategy_checker(settings),
                )
        except LookupError:
            return pages.not_found(request)
        except setup.SetupError as exc:
            with pages.runtime.sessions() as session:
                creditor = session.get(Creditor, creditor_id)
                shown = {k: str(form.get(k, "")) for k in setup.FIELDS}
                shown["trust_account"] = "ja" if form.get("payment") == "trust" else ""
                return creditor_form(request, creditor, shown, exc.errors, [], 422)
        flash(request, "ok", "admin.done.creditor_saved")
        return RedirectResponse(f"/admin/creditors/{creditor_id}", status_code=303)

    return r
