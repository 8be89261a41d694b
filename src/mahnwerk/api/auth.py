"""Who is calling: ``Authorization: Bearer <token>`` → :class:`~mahnwerk.services.actor.Actor`.

A token is an API key (``mwk_…``): a creditor's key gives an actor scoped to that
creditor, a staff user's key an actor with that user's role and only within the key's scopes
(``mahnwerk apikey create --user EMAIL --scope bank``; :func:`required_scope` says which
scope a route needs). Handlers depend on :func:`current_actor` only; tenancy and roles are
enforced by the services from the actor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from mahnwerk.api.problems import ApiProblem
from mahnwerk.bootstrap import Runtime
from mahnwerk.services.actor import Actor
from mahnwerk.services.admin import accounts

API_KEY_PREFIX = "mwk_"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    bearerFormat="mwk_…",
    description="API-Schlüssel: `Authorization: Bearer mwk_…` (für einen Mandanten: "
    "`mahnwerk apikey create --creditor ID`; für Mitarbeiter: "
    "`mahnwerk apikey create --user E-MAIL`).",
)


@contextmanager
def unit_of_work(rt: Runtime) -> Iterator[Session]:
    """One transaction: committed whole, or rolled back whole on any error."""
    with rt.sessions() as session, session.begin():
        yield session


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def origin(request: Request) -> str | None:
    """Where the request comes from, for the audit trail: the client's IP address."""
    return request.client.host if request.client else None


def _unauthorized(detail: str, error: str | None = None) -> ApiProblem:
    challenge = 'Bearer realm="mahnwerk"'
    if error:
        challenge += f', error="{error}"'
    return ApiProblem(
        401,
        "unauthorized",
        "Nicht angemeldet",
        detail,
        headers={"WWW-Authenticate": challenge},
    )


def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The authenticated actor, or a 401 problem."""
    if credentials is None or not credentials.credentials:
        raise _unauthorized(
            "Header Authorization: Bearer <API-Schlüssel> fehlt "
            "(Schlüssel anlegen mit: mahnwerk apikey create --creditor ID)"
        )
    token = credentials.credentials
    if token.startswith(API_KEY_PREFIX) and len(token) <= 200:
        with unit_of_work(runtime(request)) as session:
            actor = accounts.actor_for_key(session, token, origin(request))
        if actor is not None:
            _check_scope(request, actor)
            return actor
    raise _unauthorized(
        "Der API-Schlüssel ist ungültig, widerrufen oder sein Mandant ist nicht aktiv",
        "invalid_token",
    )


def required_scope(method: str, path: str) -> str:
    """The scope a staff key needs for a route (``path`` as declared, with its ``{…}``).

    >>> required_scope("POST", "/api/v1/bank/statements")
    'bank'
    >>> required_scope("GET", "/api/v1/bank/reviews")
    'bank'
    >>> required_scope("DELETE", "/api/v1/webhooks/{webhook_id}")
    'admin'
    >>> required_scope("GET", "/api/v1/cases/{case_id}"), required_scope("POST", "/api/v1/cases")
    ('read', 'cases')
    """
    if path.startswith("/api/v1/bank/"):
        return "bank"
    if path.startswith("/api/v1/webhooks"):
        return "admin"
    return "read" if method in ("GET", "HEAD") else "cases"


def _check_scope(request: Request, actor: Actor) -> None:
    if actor.scopes is None:
        return
    route = request.scope.get("route")
    needed = required_scope(request.method, getattr(route, "path", request.url.path))
    if needed not in actor.scopes:
        raise ApiProblem(
            403,
            "forbidden",
            "Keine Berechtigung",
            f"Diesem API-Schlüssel fehlt die Berechtigung „{needed}“ "
            f"(er hat: {', '.join(sorted(actor.scopes)) or 'keine'}; neuer Schlüssel: "
            f"mahnwerk apikey create --user E-MAIL --scope {needed})",
        )


CurrentActor = Annotated[Actor, Depends(current_actor)]


def single_query_values(request: Request) -> None:
    """Every query parameter of this API takes one value: a repeated one is refused (422)
    instead of silently using the last."""
    repeated = sorted({k for k in request.query_params if len(request.query_params.getlist(k)) > 1})
    if repeated:
        raise ApiProblem(
            422,
            "validation-error",
            "Ungültige Eingabe",
            f"Abfrageparameter mehrfach angegeben: {', '.join(repeated)} (je einer erlaubt)",
            errors=[
                {
                    "location": "query",
                    "field": k,
                    "message": "mehrfach angegeben",
                    "code": "repeated",
                }
                for k in repeated
            ],
        )
