"""SMS through an HTTP gateway: ``POST`` a JSON body ``{to, text, reference}`` with an
``Authorization: Bearer <token>`` header. The exact request body is returned as ``.json``.

Every request carries an ``Idempotency-Key`` header, the same on every attempt for one
message (the outbox id): a gateway that has seen the key answers as before without sending
again, so a retry after a worker died in the middle is safe.

Any 2xx answer counts as accepted; a JSON answer with an ``id`` (or ``message_id``) becomes the
external id. 4xx answers (except 408/429) are permanent failures, everything else is retried.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

from mahnwerk.channels.base import DeliveryError, Failure, Sent


@dataclass(frozen=True)
class SmsConfig:
    url: str
    token: str | None = None
    timeout: float = 15.0


class HttpSmsGateway:
    def __init__(self, config: SmsConfig, client: httpx.Client | None = None) -> None:
        self.config = config
        self.client = client

    def send(self, *, to: str, text: str, reference: str, idempotency_key: str = "") -> Sent:
        body = json.dumps(
            {"to": to, "text": text, "reference": reference}, ensure_ascii=False
        ).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.config.token:
            headers["Authorization"] = f"Bearer {self.config.token}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            if self.client is not None:
                response = self.client.post(self.config.url, content=body, headers=headers)
            else:
                with httpx.Client(timeout=self.config.timeout) as client:
                    response = client.post(self.config.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS-Gateway nicht erreichbar: {exc}") from exc
        if not response.is_success:
            code = response.status_code
            permanent = 400 <= code < 500 and code not in (408, 429)
            raise DeliveryError(
                f"SMS-Gateway antwortet {code}: {response.text[:200]}",
                Failure.REJECTED if permanent else Failure.TEMPORARY,
            )
        external = ""
        try:
            answer = response.json()
            if isinstance(answer, dict):
                external = str(answer.get("id") or answer.get("message_id") or "")
        except ValueError:
            pass
        return Sent("sms.json", "application/json", body, external)
