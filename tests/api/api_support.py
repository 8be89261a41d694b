"""Helpers of the API tests (imported by the tests and by conftest)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

CASE_BODY: dict[str, Any] = {
    "external_ref": "K-1",
    "debtor": {
        "kind": "natural",
        "consumer": True,
        "first_name": "Jürgen",
        "last_name": "Müller",
        "birth_date": "1980-05-17",
        "street": "Hauptstraße 5",
        "postcode": "10115",
        "city": "Berlin",
        "email": "j.mueller@example.org",
        "phone": "+49 30 1234567",
        "iban": "DE89370400440532013000",
    },
    "claims": [
        {
            "invoice_no": "R-1",
            "amount": "1250.00",
            "default_from": "2025-02-15",
            "invoice_date": "2025-01-15",
            "due_date": "2025-02-14",
            "label": "Strom 2024",
        },
    ],
}


def case_body(ref: str = "K-1", **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(CASE_BODY)
    body["external_ref"] = ref
    body.update(changes)
    return body


@dataclass(frozen=True)
class Tenant:
    creditor_id: int
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass(frozen=True)
class Tenants:
    a: Tenant
    b: Tenant


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with the given status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    assert body["detail"] and body["title"]
    return body
