"""Who is calling: ``Authorization: Bearer <token>`` → :class:`~mahnwerk.services.actor.Actor`.

Today a token is a creditor's API key (``mwk_…``), which gives an actor scoped to that
creditor. The staff's web login (a later issue) adds a second kind of token here — e.g. a
signed session token ``mws_…`` resolved with :func:`mahnwerk.services.accounts.actor_for_user`
— without any handler changing: handlers depend on :func:`current_actor` only, and tenancy is
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
from mahnwerk.services import accounts
from mahnwerk.services.actor import Actor

API_KEY_PREFIX = "mwk_"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    bearerFormat="mwk_…",
    description="API-Schlüssel des Mandanten: `Authorization: Bearer mwk_…` "
    "(anlegen mit `mahnwerk apikey create --creditor ID`).",
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
            row = accounts.authenticate_api_key(session, token)
            if row is not None:
                return accounts.actor_for_api_key(row, origin(request))
    raise _unauthorized(
        "Der API-Schlüssel ist ungültig, widerrufen oder sein Mandant ist nicht aktiv",
        "invalid_token",
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
