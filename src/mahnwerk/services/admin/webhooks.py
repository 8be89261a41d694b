"""Webhooks: a creditor registers a URL and receives its case events, signed and retried.

Registering
    ``register`` stores the URL with the event types wanted (all of
    :data:`mahnwerk.services.events.WEBHOOK_EVENTS` when none are named) and a random secret,
    which is returned once. :func:`mahnwerk.services.events.emit` queues one
    ``webhook_delivery`` row per matching event and webhook, holding the exact JSON body.

Delivery
    :func:`deliver_due` POSTs each due delivery's body to its URL with the headers

    - ``Content-Type: application/json``
    - ``Mahnwerk-Event``: the event type, e.g. ``payment.received``
    - ``Mahnwerk-Delivery``: the delivery id (the same on every retry: use it to drop repeats)
    - ``Mahnwerk-Signature: t=<unix seconds>,v1=<hex>``

    A 2xx answer marks the delivery ``delivered``. Anything else (another status, a timeout,
    a refused connection; redirects are not followed) is retried after
    ``30 s × 2^(attempts − 1)`` (capped at six hours); after :data:`MAX_ATTEMPTS` attempts the
    delivery is ``failed``. Status code and error of the last attempt are kept and shown by
    ``GET /api/v1/webhooks/{id}/deliveries``.

    Before each pass the host name is looked up; a receiver with any non-public address is
    refused (unless ``MAHNWERK_WEBHOOK_ALLOW_PRIVATE``), and the request goes to the address
    just checked, with the name in ``Host`` and, over TLS, as the name the certificate must
    carry: a name re-pointed after the check (DNS rebinding) cannot redirect it.

    Each delivery stands alone: whatever goes wrong with one (an address refused or not
    resolvable, a secret that cannot be decrypted, a failing receiver, an unexpected error)
    counts as a failed attempt of that delivery and the pass goes on with the others. A
    receiver that failed in a pass is not tried again in it (its other deliveries wait for
    the next pass, without an attempt counted), a pass takes at most
    :data:`PER_WEBHOOK` deliveries of one webhook, and what a pass could not start before
    its lease ran short is released at once, not left reserved.

Addresses
    Checked whole when registering and again before every delivery
    (:mod:`mahnwerk.services.admin.webhook_targets`): scheme, host name syntax (labels of at
    most 63 characters, 253 in all), IPv4 only as ``a.b.c.d``, and no internal address,
    also none inside an IPv6 address (IPv4-mapped, 6to4, Teredo, NAT64).

Secrets
    Stored encrypted with the application's key (:mod:`mahnwerk.store.sealed`); changing
    ``MAHNWERK_SECRET_KEY`` makes them unreadable, and their deliveries fail with that reason
    until the webhooks are registered again.

Verifying a signature (for the creditor's receiver)
    ``v1`` is the lower-case hex HMAC-SHA256, keyed with the webhook secret (UTF-8), over the
    bytes ``<t>.<raw request body>``, where ``<t>`` is the decimal timestamp from the header.
    Compare in constant time and refuse timestamps older than a few minutes (replays).
    :func:`verify_signature` does exactly that::

        ok = verify_signature(secret, request.headers["Mahnwerk-Signature"], raw_body)

    The header may carry several ``v1=`` entries; one matching entry suffices.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mahnwerk.services import audit
from mahnwerk.services.actor import Actor, utcnow
from mahnwerk.services.admin import webhook_targets
from mahnwerk.services.events import WEBHOOK_EVENTS
from mahnwerk.store.db import transaction
from mahnwerk.store.models import CaseEvent, Webhook, WebhookDelivery
from mahnwerk.store.sealed import SealError, seal, unseal

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime

log = logging.getLogger(__name__)

#: Attempts before a delivery is given up as ``failed``.
MAX_ATTEMPTS = 10
#: First retry delay; doubled on every further failure, capped at :data:`MAX_DELAY`.
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
#: How long a delivery is reserved for the worker that took it (no double sending).
LEASE = timedelta(minutes=2)
TIMEOUT = httpx.Timeout(10.0)
#: At most this many deliveries of one webhook in one pass: a creditor with a backlog does not
#: hold up the others' deliveries.
PER_WEBHOOK = 20
USER_AGENT = "mahnwerk-webhooks/1"


class WebhookError(ValueError):
    """A webhook request the rules refuse (shown to the caller)."""


# --------------------------------------------------------------------------- signing


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Mahnwerk-Signature`` header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes | str,
    tolerance: float = 300.0,
    *,
    now: float | None = None,
) -> bool:
    """True if ``header`` signs ``body`` with ``secret`` and is at most ``tolerance`` s old."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, raw).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, c) for c in candidates)


# ---------------------------------------------------------------------- registration


def _internal(address: str) -> bool:
    return webhook_targets.internal(address)


@dataclass(frozen=True)
class Target:
    """Whether a URL may be sent to: ``refused`` says why not. ``address`` is the checked
    address its host name resolved to; the delivery connects to it, so that the name is not
    looked up a second time between the check and the connection (DNS rebinding)."""

    refused: str | None = None
    address: str | None = None


def refused_target(url: str, *, allow_private: bool, resolve: bool = True) -> str | None:
    """Why the server must not send to ``url``, or ``None``.

    The URL's form is always checked (:func:`~.webhook_targets.url_problem`). Loopback,
    private, link-local (cloud metadata at 169.254.169.254) and other non-public addresses
    are refused unless the operator allows them (``MAHNWERK_WEBHOOK_ALLOW_PRIVATE``). With
    ``resolve`` the host name is looked up and every address it has is checked; without it
    (at registration, which must not wait for DNS) only literal addresses and the
    special-use names are.

    >>> refused_target("http://169.254.169.254/latest", allow_private=False)
    'Ziel 169.254.169.254 ist keine öffentliche Adresse'
    >>> refused_target("https://[::1]:8443/x", allow_private=True) is None
    True
    """
    return check_target(url, allow_private=allow_private, resolve=resolve).refused


def check_target(url: str, *, allow_private: bool, resolve: bool = True) -> Target:
    """:func:`refused_target` with the address to connect to (see :class:`Target`)."""
    problem = webhook_targets.url_problem(url, allow_private=allow_private)
    if problem:
        return Target(problem)
    if allow_private:
        return Target()
    host = (urlsplit(url).hostname or "").rstrip(".")
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        if not resolve:
            return Target()
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            return Target(f"Ziel {host} nicht auflösbar ({exc.strerror or exc})")
        except (UnicodeError, ValueError) as exc:  # a name the resolver cannot even encode
            return Target(f"Ziel {host} nicht auflösbar ({exc})")
        # in the resolver's order of preference (RFC 6724), without repeats
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:  # pragma: no cover - getaddrinfo raises instead
            return Target(f"Ziel {host} nicht auflösbar")
    for address in addresses:
        if _internal(address):
            where = host if host == address else f"{host} ({address})"
            return Target(f"Ziel {where} ist keine öffentliche Adresse")
    return Target(address=None if addresses[0] == host else addresses[0])


def pinned_request(url: str, address: str) -> tuple[str, str, dict[str, str]]:
    """``url`` with its host replaced by ``address``, the ``Host`` header it needs, and the
    request extensions (TLS: the name the server's certificate is checked against).

    >>> url, host, extensions = pinned_request("https://erp.example.com:8443/h?x=1", "2001:db8::7")
    >>> url, host, extensions["sni_hostname"]
    ('https://[2001:db8::7]:8443/h?x=1', 'erp.example.com:8443', 'erp.example.com')
    """
    parts = urlsplit(url)
    userinfo, _, host_and_port = parts.netloc.rpartition("@")
    literal = f"[{address}]" if ":" in address else address
    netloc = (f"{userinfo}@" if userinfo else "") + literal
    if parts.port is not None:
        netloc += f":{parts.port}"
    extensions = {"sni_hostname": parts.hostname or ""} if parts.scheme == "https" else {}
    return urlunsplit(parts._replace(netloc=netloc)), host_and_port, extensions


def register(
    session: Session,
    actor: Actor,
    url: str,
    event_types: Sequence[str] | None = None,
    *,
    allow_private: bool = False,
    application_key: str,
) -> tuple[Webhook, str]:
    """A new webhook of the actor's creditor and its secret (returned only here; stored
    encrypted with ``application_key``)."""
    if actor.creditor_id is None:
        raise WebhookError("Webhooks gehören zu einem Mandanten; dieser Zugang hat keinen")
    malformed = webhook_targets.url_problem(url, allow_private=True)
    if malformed:
        raise WebhookError(malformed)
    refused = refused_target(url, allow_private=allow_private, resolve=False)
    if refused:  # the form is right: the address is an internal one
        raise WebhookError(
            f"{refused}: Webhooks werden nur an öffentliche Adressen zugestellt "
            "(der Betreiber kann interne Ziele mit MAHNWERK_WEBHOOK_ALLOW_PRIVATE=1 erlauben)"
        )
    unknown = sorted(set(event_types or ()) - set(WEBHOOK_EVENTS))
    if unknown:
        raise WebhookError(
            f"unbekannte Ereignisse {', '.join(unknown)} (erlaubt: {', '.join(WEBHOOK_EVENTS)})"
        )
    secret = "whsec_" + secrets.token_urlsafe(32)
    types = sorted(set(event_types)) if event_types else []
    hook = Webhook(
        creditor_id=actor.creditor_id,
        url=url,
        secret=seal(application_key, secret),
        events={"types": types},
        active=True,
        created_at=utcnow(),
    )
    session.add(hook)
    session.flush()
    audit.record(session, actor, "create", "webhook", hook.id, creditor_id=actor.creditor_id)
    return hook, secret


def list_webhooks(session: Session, actor: Actor) -> Sequence[Webhook]:
    """The active webhooks the actor may see (staff: all)."""
    query = select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)
    if not actor.is_staff:
        query = query.where(Webhook.creditor_id == actor.creditor_id)
    return session.scalars(query).all()


def get_webhook(session: Session, actor: Actor, webhook_id: int) -> Webhook | None:
    """The webhook if it is active and the actor may see it; ``None`` otherwise (as missing)."""
    hook = session.get(Webhook, webhook_id)
    if hook is None or not hook.active or not actor.may_see_creditor(hook.creditor_id):
        return None
    return hook


def event_types(hook: Webhook) -> list[str]:
    """The event types the webhook receives (all when it named none)."""
    wanted = hook.events.get("types") if isinstance(hook.events, dict) else None
    return list(wanted) if wanted else list(WEBHOOK_EVENTS)


def delete_webhook(session: Session, actor: Actor, hook: Webhook) -> None:
    """Switch the webhook off; its pending deliveries are given up, its history is kept."""
    hook.active = False
    now = utcnow()
    pending = session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.webhook_id == hook.id, WebhookDelivery.status == "pending"
        )
    ).all()
    for delivery in pending:
        delivery.status = "failed"
        delivery.last_error = "Webhook gelöscht"
        delivery.next_attempt_at = now
    audit.record(session, actor, "delete", "webhook", hook.id, creditor_id=hook.creditor_id)


@dataclass(frozen=True)
class DeliveryView:
    delivery: WebhookDelivery
    event_type: str
    case_id: int


def deliveries(
    session: Session, hook: Webhook, *, status: str | None = None, limit: int = 50
) -> list[DeliveryView]:
    """The webhook's deliveries, newest first."""
    query = (
        select(WebhookDelivery, CaseEvent.kind, CaseEvent.case_id)
        .join(CaseEvent, CaseEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.webhook_id == hook.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    return [DeliveryView(d, kind, case_id) for d, kind, case_id in session.execute(query).all()]


# -------------------------------------------------------------------------- delivery


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, 60 s, 120 s, … ≤ 6 h."""
    delay: timedelta = BASE_DELAY * (2 ** max(attempts - 1, 0))
    return min(delay, MAX_DELAY)


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.failed


@dataclass(frozen=True)
class _Job:
    id: int
    webhook_id: int
    url: str
    sealed_secret: str
    payload: str
    event_type: str


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _claim(runtime: Runtime, now: datetime, limit: int) -> list[_Job]:
    """Reserve up to ``limit`` due deliveries for this worker (``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL; SQLite serialises writers anyway) by moving their next attempt past a lease;
    at most :data:`PER_WEBHOOK` of one webhook, so that one creditor's backlog leaves room
    for the others."""
    with transaction(runtime.sessions) as session:
        rows = session.execute(
            select(WebhookDelivery, Webhook, CaseEvent.kind)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .join(CaseEvent, CaseEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit * 3)
            .with_for_update(skip_locked=True, of=WebhookDelivery)
        ).all()
        jobs: list[_Job] = []
        per_hook: dict[int, int] = {}
        for delivery, hook, kind in rows:
            if not hook.active:
                delivery.status = "failed"
                delivery.last_error = "Webhook gelöscht"
                continue
            if len(jobs) >= limit or per_hook.get(hook.id, 0) >= PER_WEBHOOK:
                continue
            per_hook[hook.id] = per_hook.get(hook.id, 0) + 1
            delivery.next_attempt_at = now + LEASE
            jobs.append(_Job(delivery.id, hook.id, hook.url, hook.secret, delivery.payload, kind))
        return jobs


def _send(
    client: httpx.Client, job: _Job, target: Target, application_key: str
) -> tuple[int | None, str | None]:
    if target.refused:
        return None, target.refused
    try:
        secret = unseal(application_key, job.sealed_secret)
    except SealError as exc:
        return None, str(exc)
    body = job.payload.encode("utf-8")
    url, extensions = job.url, dict[str, str]()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Mahnwerk-Event": job.event_type,
        "Mahnwerk-Delivery": str(job.id),
        "Mahnwerk-Signature": sign(secret, int(time.time()), body),
    }
    if target.address:
        url, headers["Host"], extensions = pinned_request(job.url, target.address)
    try:
        response = client.post(
            url, content=body, headers=headers, timeout=TIMEOUT, extensions=extensions
        )
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


def _settle(
    runtime: Runtime, job: _Job, now: datetime, code: int | None, error: str | None
) -> tuple[str, datetime | None]:
    """Count the attempt; the delivery's status after it and when it is due again."""
    with transaction(runtime.sessions) as session:
        delivery = session.get(WebhookDelivery, job.id)
        if delivery is None:  # pragma: no cover - rows are never deleted
            return "failed", None
        delivery.attempts += 1
        delivery.last_status_code = code
        delivery.last_error = error
        if error is None:
            delivery.status = "delivered"
            delivery.delivered_at = utcnow()
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        return delivery.status, delivery.next_attempt_at


def _release(runtime: Runtime, jobs: Sequence[_Job], leased_until: datetime, due: datetime) -> None:
    """Give deliveries this pass reserved but did not attempt back, due at ``due`` (only
    those still reserved by it: a lease that ran out may have been taken over)."""
    if not jobs:
        return
    with transaction(runtime.sessions) as session:
        session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_([job.id for job in jobs]),
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at == leased_until,
            )
            .values(next_attempt_at=due)
        )


def _attempt(
    runtime: Runtime, http: httpx.Client, job: _Job, targets: dict[str, Target], now: datetime
) -> tuple[str, datetime | None, str | None]:
    """One delivery, whatever happens: its outcome is recorded against it alone."""
    try:
        if job.url not in targets:
            targets[job.url] = check_target(
                job.url, allow_private=bool(runtime.settings.webhook_allow_private)
            )
        code, error = _send(http, job, targets[job.url], runtime.settings.secret_key)
    except Exception as exc:
        log.exception("webhook delivery %s: unexpected error", job.id)
        code, error = None, f"interner Fehler bei der Zustellung ({type(exc).__name__})"
    status, due = _settle(runtime, job, now, code, error)
    return status, due, error


def deliver_due(
    runtime: Runtime,
    now: datetime | None = None,
    client: httpx.Client | None = None,
    *,
    limit: int = 100,
) -> DeliveryReport:
    """One pass: send every delivery due at ``now`` (at most ``limit``) and record the outcome.

    No database transaction is held open while a receiver answers. Each delivery is
    isolated (see the module's docstring): nothing one receiver or one stored webhook does
    ends the pass or leaves the others reserved.
    """
    now = _aware(now or utcnow())
    report = DeliveryReport()
    jobs = _claim(runtime, now, limit)
    if not jobs:
        return report
    leased_until = now + LEASE
    # start no delivery that could still be running when the lease ends
    stop_at = time.monotonic() + (LEASE.total_seconds() - _timeout_seconds()) * 0.8
    own = client is None
    http = client or httpx.Client(follow_redirects=False)
    pending = list(jobs)
    deferred: dict[int, list[_Job]] = {}
    down: dict[int, datetime] = {}
    try:
        # checked again in each pass, once per target: a name can point somewhere else by
        # now; the connection goes to the address checked here
        targets: dict[str, Target] = {}
        while pending:
            job = pending[0]
            if time.monotonic() > stop_at:
                break
            pending.pop(0)
            if job.webhook_id in down:  # its receiver failed in this pass already
                deferred.setdefault(job.webhook_id, []).append(job)
                continue
            try:
                status, due, error = _attempt(runtime, http, job, targets, now)
            except Exception:
                log.exception("webhook delivery %s: outcome not recorded", job.id)
                continue
            if status == "delivered":
                report.delivered += 1
                continue
            down[job.webhook_id] = due if status == "pending" and due else now + BASE_DELAY
            if status == "failed":
                report.failed += 1
                log.warning("webhook delivery %s failed for good: %s", job.id, error)
            else:
                report.retried += 1
    finally:
        if own:
            http.close()
        _release(runtime, pending, leased_until, now)
        for webhook_id, waiting in deferred.items():
            _release(runtime, waiting, leased_until, _aware(down[webhook_id]))
    return report


def _timeout_seconds() -> float:
    values = (TIMEOUT.connect, TIMEOUT.read, TIMEOUT.write, TIMEOUT.pool)
    return max(v for v in values if v is not None)
