"""Session helpers for the pages (the signed-in user, CSRF tokens, attempt limits) and the
security headers of every answer."""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

CSRF_KEY = "csrf"


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(24)
        request.session[CSRF_KEY] = token
    return str(token)


def csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = request.session.get(CSRF_KEY)
    return (
        bool(expected) and bool(submitted) and secrets.compare_digest(str(expected), str(submitted))
    )


@dataclass
class AttemptLimiter:
    """At most ``limit`` failures per key within ``window`` seconds; then locked until the
    oldest failure leaves the window. In memory: one server process (the embedded default);
    the debtor portal additionally locks in the database."""

    limit: int = 5
    window: float = 900.0
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def locked(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        failures = self._failures[key]
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return len(failures) >= self.limit

    def fail(self, key: str, now: float | None = None) -> None:
        self._failures[key].append(time.monotonic() if now is None else now)

    def reset(self, key: str) -> None:
        self._failures.pop(key, None)


#: Content-Security-Policy of every answer: scripts and styles only from the server's own
#: files (no inline script anywhere), images also as data URIs (the GiroCode), no framing
#: (clickjacking), forms only back to the server.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


class SecurityHeaders:
    """ASGI middleware: the headers above on every answer; ``Cache-Control: no-store`` on
    everything but the static files, since pages and API answers carry personal data."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in _REPLACED or (static and k.lower() == b"cache-control")
                ]
                headers.extend(SECURITY_HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


_REPLACED = {k for k, _ in SECURITY_HEADERS} | {b"cache-control"}
