"""The case endpoints, on SQLite and PostgreSQL, through the app in-process."""

from __future__ import annotations

import json
import typing
from datetime import date, timedelta

import pytest
from api_support import assert_problem, case_body

from mahnwerk.api import schemas
from mahnwerk.domain.allocation import ALLOCATIONS
from mahnwerk.domain.daycount import DAY_COUNTS
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, today_in_germany
from mahnwerk.services.audit import entries_for_case
from mahnwerk.services.events import WEBHOOK_EVENTS
from mahnwerk.services.portfolio.statement_io import to_json
from mahnwerk.store.db import transaction


def create(client, tenant, ref="K-1", **changes):
    response = client.post("/api/v1/cases", json=case_body(ref, **changes), headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_creating_a_case_returns_it_with_location_debtor_claims_and_timeline(client, tenants):
    response = client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/cases/{body['id']}"
    assert body["external_ref"] == "K-1"
    assert body["reference"].startswith("MW-")
    assert (body["stage"], body["status"]) == ("new", "open")
    assert body["debtor"]["last_name"] == "Müller"
    assert body["debtor"]["address"] == {
        "street": "Hauptstraße 5",
        "postcode": "10115",
        "city": "Berlin",
        "country": "DE",
    }
    assert body["debtor"]["ibans"] == ["DE89370400440532013000"]
    assert [c["kind"] for c in body["debtor"]["contacts"]] == ["email", "phone"]
    assert body["claims"] == [
        {
            "invoice_no": "R-1",
            "amount": "1250.00",
            "default_from": "2025-02-15",
            "invoice_date": "2025-01-15",
            "due_date": "2025-02-14",
            "interest": {"kind": "statutory", "value": None},
            "label": "Strom 2024",
            "kind": "entgelt",
            "origin": None,
            "default_ground": "Verzugsbeginn vom Gläubiger angegeben",
            "contract_subject": "",
            "contract_date": None,
        }
    ]
    assert [e["kind"] for e in body["timeline"]] == ["case.created"]
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")


def test_the_same_external_ref_again_is_a_409_naming_the_existing_case(client, tenants):
    first = create(client, tenants.a)
    again = client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers)
    problem = assert_problem(again, 409)
    assert problem["existing_case_id"] == first["id"]
    assert str(first["id"]) in problem["detail"]
    assert again.headers["location"] == f"/api/v1/cases/{first['id']}"
    # another creditor may use the same reference
    assert (
        client.post("/api/v1/cases", json=case_body(), headers=tenants.b.headers).status_code == 201
    )


def test_interest_kinds_costs_and_legal_debtors(client, tenants):
    body = case_body(
        "K-2",
        debtor={"kind": "legal", "consumer": False, "company": "Muster GmbH"},
        claims=[
            {
                "invoice_no": "A",
                "amount": "100.00",
                "default_from": "2024-01-01",
                "interest": {"kind": "base_plus", "points": "9"},
            },
            {
                "invoice_no": "B",
                "amount": "200.50",
                "default_from": "2024-01-01",
                "interest": {"kind": "fixed", "rate": "8.5"},
            },
            {
                "invoice_no": "C",
                "amount": "0.99",
                "default_from": "2024-01-01",
                "interest": {"kind": "none"},
            },
        ],
        costs=[{"date": "2024-02-01", "label": "Mahngebühr", "amount": "5.00"}],
        day_count="30/360",
        allocation="bgb497",
    )
    response = client.post("/api/v1/cases", json=body, headers=tenants.a.headers)
    assert response.status_code == 201, response.text
    out = response.json()
    assert [c["interest"] for c in out["claims"]] == [
        {"kind": "base_plus", "value": "9"},
        {"kind": "fixed", "value": "8.5"},
        {"kind": "none", "value": None},
    ]
    assert out["costs"] == [
        {"date": "2024-02-01", "label": "Mahngebühr", "amount": "5.00", "reversed": False}
    ]
    assert (out["day_count"], out["allocation"]) == ("30/360", "bgb497")
    assert out["debtor"]["company"] == "Muster GmbH"


def test_list_filters_and_pages_with_a_cursor(client, tenants):
    ids = [create(client, tenants.a, f"K-{i}")["id"] for i in range(5)]
    create(client, tenants.b, "B-1")
    page = client.get("/api/v1/cases", params={"limit": 2}, headers=tenants.a.headers).json()
    assert [c["id"] for c in page["items"]] == ids[:2]
    seen = [c["id"] for c in page["items"]]
    while page["next_cursor"]:
        page = client.get(
            "/api/v1/cases",
            params={"limit": 2, "cursor": page["next_cursor"]},
            headers=tenants.a.headers,
        ).json()
        seen += [c["id"] for c in page["items"]]
    assert seen == ids
    item = page["items"][-1]
    assert set(item) == {
        "id",
        "external_ref",
        "reference",
        "stage",
        "status",
        "created_at",
        "claims",
        "principal_total",
    }
    assert (item["claims"], item["principal_total"]) == (1, "1250.00")

    def ids_for(**params):
        r = client.get("/api/v1/cases", params=params, headers=tenants.a.headers)
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()["items"]]

    assert ids_for(external_ref="K-3") == [ids[3]]
    assert ids_for(external_ref="B-1") == []  # the other creditor's
    assert ids_for(stage="new") == ids
    assert ids_for(stage="court") == []
    client.post(f"/api/v1/cases/{ids[1]}/recall", json={}, headers=tenants.a.headers)
    assert ids_for(status="recalled") == [ids[1]]
    assert ids_for(status="open") == [i for i in ids if i != ids[1]]
    today = today_in_germany()
    assert ids_for(created_from=today.isoformat(), created_to=today.isoformat()) == ids
    assert ids_for(created_from=(today + timedelta(days=1)).isoformat()) == []
    assert ids_for(created_to=(today - timedelta(days=1)).isoformat()) == []


def test_list_refuses_bad_limits_and_cursors(client, tenants):
    for params in ({"limit": 0}, {"limit": 501}, {"status": "weg"}, {"created_from": "31.12.2025"}):
        problem = assert_problem(
            client.get("/api/v1/cases", params=params, headers=tenants.a.headers), 422
        )
        assert problem["errors"][0]["location"] == "query"
    assert_problem(
        client.get("/api/v1/cases", params={"cursor": "kaputt"}, headers=tenants.a.headers), 422
    )
    huge = cases.encode_cursor(2**70)
    assert_problem(
        client.get("/api/v1/cases", params={"cursor": huge}, headers=tenants.a.headers), 422
    )


def test_statement_is_the_json_of_mahnwerk_statement(client, tenants, sessions):
    case = create(client, tenants.a)
    client.post(
        f"/api/v1/cases/{case['id']}/payments",
        json={"date": "2025-06-01", "amount": "300.00"},
        headers=tenants.a.headers,
    )
    response = client.get(
        f"/api/v1/cases/{case['id']}/statement",
        params={"as_of": "2026-03-31"},
        headers=tenants.a.headers,
    )
    assert response.status_code == 200, response.text
    with transaction(sessions) as s:
        stored = cases.get_case(s, CLI, case["id"])
        expected = to_json(cases.statement(stored, date(2026, 3, 31)))
        expected_today = to_json(cases.statement(stored, today_in_germany()))
    assert response.json() == json.loads(json.dumps(expected))
    assert response.json()["allocations"][0]["to_interest"] == "26.64"
    default = client.get(f"/api/v1/cases/{case['id']}/statement", headers=tenants.a.headers)
    assert default.json() == expected_today
    for bad in ("2026-13-01", "1999-12-31", "2101-01-01"):
        assert_problem(
            client.get(
                f"/api/v1/cases/{case['id']}/statement",
                params={"as_of": bad},
                headers=tenants.a.headers,
            ),
            422,
        )


def test_payments_are_idempotent_by_external_id(client, tenants):
    case = create(client, tenants.a)
    url = f"/api/v1/cases/{case['id']}/payments"
    pay = {
        "date": "2025-06-01",
        "amount": "300.00",
        "reference": "Überweisung",
        "external_id": "p-1",
    }
    first = client.post(url, json=pay, headers=tenants.a.headers)
    assert first.status_code == 201, first.text
    assert first.json()["amount"] == "300.00" and first.json()["source"] == "creditor"
    again = client.post(url, json=pay, headers=tenants.a.headers)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    conflict = client.post(url, json={**pay, "amount": "301.00"}, headers=tenants.a.headers)
    assert "p-1" in assert_problem(conflict, 409)["detail"]
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=tenants.a.headers).json()
    assert len(detail["payments"]) == 1
    assert [e["kind"] for e in detail["timeline"]] == ["case.created", "payment.received"]
    for bad in (
        {**pay, "amount": "0.00"},
        {**pay, "amount": "-5.00"},
        {**pay, "amount": "1,00"},
        {**pay, "date": (today_in_germany() + timedelta(days=1)).isoformat()},
        {**pay, "surprise": 1},
    ):
        assert_problem(client.post(url, json=bad, headers=tenants.a.headers), 422)


def test_recall_stops_payments_and_is_idempotent(client, tenants):
    case = create(client, tenants.a)
    url = f"/api/v1/cases/{case['id']}/recall"
    response = client.post(
        url, json={"reason": "Schuldner hat direkt gezahlt"}, headers=tenants.a.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "recalled"
    assert client.post(url, json={}, headers=tenants.a.headers).json()["status"] == "recalled"
    problem = assert_problem(
        client.post(
            f"/api/v1/cases/{case['id']}/payments",
            json={"date": "2025-06-01", "amount": "1.00"},
            headers=tenants.a.headers,
        ),
        422,
    )
    assert "zurückgerufen" in problem["detail"]
    timeline = client.get(f"/api/v1/cases/{case['id']}", headers=tenants.a.headers).json()[
        "timeline"
    ]
    assert [e["kind"] for e in timeline] == ["case.created", "case.recalled"]
    assert timeline[1]["data"] == {"reason": "Schuldner hat direkt gezahlt"}


def test_reads_and_changes_are_audited_with_the_client_address(client, tenants, sessions):
    case = create(client, tenants.a)
    client.get(f"/api/v1/cases/{case['id']}", headers=tenants.a.headers)
    client.get(f"/api/v1/cases/{case['id']}/statement", headers=tenants.a.headers)
    client.post(
        f"/api/v1/cases/{case['id']}/payments",
        json={"date": "2025-06-01", "amount": "1.00"},
        headers=tenants.a.headers,
    )
    client.post(f"/api/v1/cases/{case['id']}/recall", json={}, headers=tenants.a.headers)
    with transaction(sessions) as s:
        entries = entries_for_case(s, case["id"])
        trail = [(e.action, e.entity) for e in entries]
        assert {e.origin for e in entries} == {"testclient"}
        assert {e.actor for e in entries} == {f"apikey:{_key_id(s, tenants.a)}"}
    assert trail == [
        ("create", "case"),
        ("read", "case"),
        ("statement", "case"),
        ("payment", "case"),
        ("create", "payment"),
        ("recall", "case"),
        ("update", "case"),
    ]


def _key_id(session, tenant):
    from mahnwerk.services.admin.accounts import authenticate_api_key

    return authenticate_api_key(session, tenant.key).id


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda b: b["claims"][0].update(amount="12.5"), "claims[0].amount"),
        (lambda b: b["claims"][0].update(amount=12.5), "claims[0].amount"),
        (lambda b: b["claims"][0].update(default_from="1990-01-01"), "claims[0].default_from"),
        (lambda b: b["claims"][0].update(interest={"kind": "fixed"}), "claims[0].interest"),
        (lambda b: b.update(claims=[]), "claims"),
        (lambda b: b.update(external_ref=""), "external_ref"),
        (lambda b: b.update(external_ref="a\x00b"), "external_ref"),
        (lambda b: b.update(external_ref="x" * 101), "external_ref"),
        (lambda b: b["debtor"].update(iban="DE00370400440532013000"), "debtor.iban"),
        (lambda b: b["debtor"].pop("last_name"), "debtor"),
        (lambda b: b["debtor"].pop("city"), "debtor"),
        (lambda b: b.update(day_count="act/360"), "day_count"),
        (lambda b: b["claims"][0].update(default_from=1739577600), "claims[0].default_from"),
        (lambda b: b["claims"][0].update(due_date="2025-02-14T00:00:00"), "claims[0].due_date"),
        (lambda b: b.update(unknown=1), "unknown"),
    ],
)
def test_invalid_case_input_is_a_422_naming_the_field(client, tenants, mutate, field):
    body = case_body()
    mutate(body)
    problem = assert_problem(
        client.post("/api/v1/cases", json=body, headers=tenants.a.headers), 422
    )
    assert problem["type"] == "urn:mahnwerk:problem:validation-error"
    assert field in [e["field"] for e in problem["errors"]], problem
    assert all(e["location"] == "body" and e["message"] for e in problem["errors"])
    assert field in problem["detail"]


def test_duplicate_invoice_numbers_in_a_case_are_refused(client, tenants):
    claim = case_body()["claims"][0]
    problem = assert_problem(
        client.post(
            "/api/v1/cases", json=case_body(claims=[claim, claim]), headers=tenants.a.headers
        ),
        422,
    )
    assert "doppelt" in problem["detail"]


def test_malformed_json_is_a_400_problem(client, tenants):
    response = client.post(
        "/api/v1/cases",
        content=b'{"external_ref": ',
        headers={**tenants.a.headers, "Content-Type": "application/json"},
    )
    problem = assert_problem(response, 400)
    assert problem["type"] == "urn:mahnwerk:problem:malformed-json"
    assert problem["instance"] == "/api/v1/cases"


def test_missing_or_wrong_keys_are_a_401_with_a_challenge(client, tenants):
    for headers in (
        {},
        {"Authorization": "Bearer mwk_nope"},
        {"Authorization": "Basic eDp5"},
        {"Authorization": "Bearer " + "x" * 500},
    ):
        response = client.get("/api/v1/cases", headers=headers)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_unknown_and_huge_ids_are_404_or_422_never_500(client, tenants):
    problem = assert_problem(client.get("/api/v1/cases/999999", headers=tenants.a.headers), 404)
    assert problem["instance"] == "/api/v1/cases/999999"
    assert_problem(client.get(f"/api/v1/cases/{2**63 - 1}", headers=tenants.a.headers), 404)
    for bad in (2**63, 2**80, 0, -1, "abc"):
        assert_problem(client.get(f"/api/v1/cases/{bad}", headers=tenants.a.headers), 422)
    assert_problem(client.get("/api/v1/nothing-here", headers=tenants.a.headers), 404)
    response = client.put("/api/v1/cases", headers=tenants.a.headers)
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, POST"


def test_openapi_documents_problems_and_limits(client):
    doc = client.get("/api/v1/openapi.json").json()
    op = doc["paths"]["/api/v1/cases"]["post"]
    assert set(op["responses"]) >= {"201", "400", "401", "409", "422"}
    for status in ("400", "401", "409", "422"):
        assert list(op["responses"][status]["content"]) == ["application/problem+json"]
    schemas_ = doc["components"]["schemas"]
    assert schemas_["ClaimIn"]["properties"]["amount"]["pattern"] == r"^\d{1,10}\.\d{2}$"
    case_id = doc["paths"]["/api/v1/cases/{case_id}"]["get"]["parameters"][0]["schema"]
    assert (case_id["minimum"], case_id["maximum"]) == (1, 2**63 - 1)
    assert "ApiKey" in doc["components"]["securitySchemes"]
    assert client.get("/api/v1/docs").status_code == 200


def test_schema_literals_mirror_the_domain():
    assert set(typing.get_args(schemas.DayCountName)) == set(DAY_COUNTS)
    assert set(typing.get_args(schemas.AllocationName)) == set(ALLOCATIONS)
    assert typing.get_args(schemas.EventType) == WEBHOOK_EVENTS
