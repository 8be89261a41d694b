"""Creditor registration: ``/register`` (form), ``/register/confirm?token=…`` (the link from
the e-mail), and :func:`login_refusal`, which the staff/creditor login asks before it lets a
creditor user in (pending approval or unconfirmed e-mail address → a clear message)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from mahnwerk.channels.base import DeliveryError
from mahnwerk.services.admin import registration
from mahnwerk.store.db import transaction
from mahnwerk.store.models import User
from mahnwerk.web.security import AttemptLimiter, csrf_ok

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages

log = logging.getLogger(__name__)


def login_refusal(session: Session, user: User) -> str | None:
    """The message key why ``user`` may not sign in yet, or ``None``."""
    return registration.login_refusal(session, user)


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)
    runtime = pages.runtime
    # registrations per client address: 10 an hour is plenty for people, little for scripts
    limiter = AttemptLimiter(limit=10, window=3600)

    @r.get("/register", response_class=HTMLResponse)
    def form(request: Request) -> Response:
        return pages.render(request, "register/form.html", form={}, errors={})

    @r.post("/register", response_class=HTMLResponse)
    def submit(
        request: Request,
        company: str = Form(""),
        contact_name: str = Form(""),
        email: str = Form(""),
        password: str = Form(""),
        terms: str = Form(""),
        csrf: str = Form(""),
    ) -> Response:
        values = {"company": company, "contact_name": contact_name, "email": email}
        if not csrf_ok(request, csrf):
            return pages.render(
                request, "register/form.html", 400, form=values, errors={}, error_key="error.csrf"
            )
        client = request.client.host if request.client else "?"
        if limiter.locked(client):
            return pages.render(
                request,
                "register/form.html",
                429,
                form=values,
                errors={},
                error_key="register.error.too_many",
            )
        try:
            with transaction(runtime.sessions) as s:
                done = registration.register(
                    s,
                    company=company,
                    contact_name=contact_name,
                    email=email,
                    password=password,
                    accepted_terms=bool(terms),
                    origin=client,
                )
                token, to, name, reg_id = (
                    done.token,
                    done.registration.email,
                    done.registration.contact_name,
                    done.registration.id,
                )
        except registration.RegistrationError as exc:
            return pages.render(request, "register/form.html", 422, form=values, errors=exc.errors)
        limiter.fail(client)  # counts every registration, not only failed ones
        link = f"{runtime.settings.public_url}/register/confirm?token={token}"
        sender = runtime.channels.email
        mail = "sent"
        if sender is None:
            mail = "handover"
            # neither the address nor the link (a credential) goes into the log
            log.warning("no SMTP server: registration %s waits for an administrator", reg_id)
        else:
            subject, text = registration.confirmation_mail(
                runtime.settings.agency_name or "mahnwerk", link, name
            )
            try:
                sender.send(to=to, subject=subject, text=text, reference="registration")
            except DeliveryError as exc:
                mail = "handover"
                log.warning(
                    "confirmation mail of registration %s failed: %s", reg_id, type(exc).__name__
                )
        if mail == "handover":
            # an administrator passes the link on (registrations page); the prospect is not
            # told that e-mail is not set up here
            with transaction(runtime.sessions) as s:
                registration.mark_handover(s, reg_id)
        return pages.render(request, "register/done.html", mail=mail, email=to)

    @r.get("/register/confirm", response_class=HTMLResponse)
    def confirm(request: Request, token: str = "") -> Response:
        with transaction(runtime.sessions) as s:
            outcome = registration.confirm(s, token) if token else "unknown"
        status = 200 if outcome in ("confirmed", "already") else 400
        return pages.render(request, "register/confirmed.html", status, outcome=outcome)

    return r
