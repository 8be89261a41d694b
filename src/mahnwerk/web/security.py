"""Session helpers for the pages: the signed-in user, CSRF tokens, and attempt limits."""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

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
