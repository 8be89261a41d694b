"""A creditor can never read or change another creditor's data through any route.

The walk covers every route the app has: a route added later without an entry in ROUTES makes
this test fail, so the new route's tenancy has to be thought about.
"""

from __future__ import annotations

from api_support import assert_problem, case_body
from fastapi.routing import APIRoute

from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin.webhooks import deliveries, get_webhook
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Webhook

SECRET_REF = "A-GEHEIM-4711"
SECRET_NAME = "Geheimrath"
SECRET_URL = "http://127.0.0.1:9/a-only-hook"

PAYMENT = {"date": "2025-06-01", "amount": "10.00", "external_id": "b-try"}
WEBHOOK = {"url": "http://127.0.0.1:9/b-hook"}

#: (method, path) → (request body, kind): "item" routes name A's resource and must give 404;
#: "collection" routes act on the caller's own data and must not show A's; "staff" routes
#: (the bank's statements and review queue) are refused to every creditor key with 403.
ROUTES = {
    ("POST", "/api/v1/cases"): (case_body("B-OWN"), "collection"),
    ("GET", "/api/v1/cases"): (None, "collection"),
    ("GET", "/api/v1/cases/{case_id}"): (None, "item"),
    ("GET", "/api/v1/cases/{case_id}/statement"): (None, "item"),
    ("POST", "/api/v1/cases/{case_id}/payments"): (PAYMENT, "item"),
    ("POST", "/api/v1/cases/{case_id}/recall"): ({"reason": "B"}, "item"),
    ("POST", "/api/v1/webhooks"): (WEBHOOK, "collection"),
    ("GET", "/api/v1/webhooks"): (None, "collection"),
    ("GET", "/api/v1/webhooks/{webhook_id}"): (None, "item"),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): (None, "item"),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): (None, "item"),
    ("POST", "/api/v1/bank/statements"): (None, "staff"),
    ("GET", "/api/v1/bank/reviews"): (None, "staff"),
    ("POST", "/api/v1/bank/reviews/{entry_id}/confirm"): ({"candidate": 1}, "staff"),
    ("POST", "/api/v1/bank/reviews/{entry_id}/correct"): (
        {"allocations": [{"case_id": 1, "amount": "5.00"}]},
        "staff",
    ),
    ("POST", "/api/v1/bank/reviews/{entry_id}/not-ours"): ({}, "staff"),
    ("POST", "/api/v1/court/replies"): (None, "staff"),
    ("POST", "/api/v1/insolvency/notices"): (None, "staff"),
    ("GET", "/api/v1/insolvency/review"): (None, "staff"),
    ("POST", "/api/v1/insolvency/review/{match_id}/confirm"): (None, "staff"),
    ("POST", "/api/v1/insolvency/review/{match_id}/reject"): (None, "staff"),
}
#: Routes without authentication: the API description only.
PUBLIC = {("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs")}


def api_routes(app):
    found = set()
    for route in app.routes:
        if isinstance(route, APIRoute):
            found |= {(m, route.path) for m in route.methods}
        else:
            found |= {(m, route.path) for m in (route.methods or ()) if m != "HEAD"}
    return found


def seed_creditor_a(client, tenant, sessions):
    body = case_body(SECRET_REF)
    body["debtor"]["last_name"] = SECRET_NAME
    hook = client.post("/api/v1/webhooks", json={"url": SECRET_URL}, headers=tenant.headers)
    assert hook.status_code == 201
    case = client.post("/api/v1/cases", json=body, headers=tenant.headers).json()
    paid = client.post(
        f"/api/v1/cases/{case['id']}/payments",
        json={"date": "2025-06-01", "amount": "5.00"},
        headers=tenant.headers,
    )
    assert paid.status_code == 201
    ids = {"case_id": case["id"], "webhook_id": hook.json()["id"], "entry_id": 1, "match_id": 1}
    return ids, hook.json()["secret"]


def test_every_route_is_covered_by_the_walk(app):
    assert api_routes(app) == set(ROUTES) | PUBLIC


def test_creditor_b_gets_404_for_every_route_naming_a_resource_of_a(client, app, tenants, sessions):
    ids, secret = seed_creditor_a(client, tenants.a, sessions)
    secrets_of_a = (SECRET_REF, SECRET_NAME, SECRET_URL, secret)
    walked = set()
    for route in (r for r in app.routes if isinstance(r, APIRoute)):
        for method in route.methods:
            body, kind = ROUTES[(method, route.path)]
            url = route.path.format(**ids)
            response = client.request(method, url, json=body, headers=tenants.b.headers)
            walked.add((method, route.path))
            assert not any(s in response.text for s in secrets_of_a), (method, url, response.text)
            if kind == "staff":
                assert_problem(response, 403)
            elif kind == "item":
                problem = assert_problem(response, 404)
                # the same answer as for an id that does not exist at all
                missing = client.request(
                    method,
                    route.path.format(case_id=10**12, webhook_id=10**12),
                    json=body,
                    headers=tenants.b.headers,
                )
                own_id = str(ids["case_id" if "{case_id}" in route.path else "webhook_id"])
                assert assert_problem(missing, 404)["detail"].replace(str(10**12), "N") == problem[
                    "detail"
                ].replace(own_id, "N")
            else:
                assert response.status_code in (200, 201), (method, url, response.text)
    assert walked == set(ROUTES)

    # nothing of A was changed by B's attempts
    with transaction(sessions) as s:
        case = cases.get_case(s, CLI, ids["case_id"])
        assert case.status == "open"
        assert [p.amount for p in case.payments] == [cases.Decimal("5.00")]
        hook = get_webhook(s, CLI, ids["webhook_id"])
        assert hook is not None and hook.url == SECRET_URL
        assert all(d.case_id == ids["case_id"] for d in deliveries(s, hook))
        b_hooks = [
            w.url for w in s.query(Webhook).filter(Webhook.creditor_id == tenants.b.creditor_id)
        ]
        assert b_hooks == [WEBHOOK["url"]]


def test_creditor_b_lists_only_its_own_cases_and_webhooks(client, tenants, sessions):
    seed_creditor_a(client, tenants.a, sessions)
    client.post("/api/v1/cases", json=case_body("B-1"), headers=tenants.b.headers)
    listed = client.get("/api/v1/cases", headers=tenants.b.headers).json()["items"]
    assert [c["external_ref"] for c in listed] == ["B-1"]
    assert (
        client.get(
            "/api/v1/cases", params={"external_ref": SECRET_REF}, headers=tenants.b.headers
        ).json()["items"]
        == []
    )
    assert client.get("/api/v1/webhooks", headers=tenants.b.headers).json()["items"] == []


def test_every_route_without_a_key_is_401(client, app, tenants, sessions):
    ids, _ = seed_creditor_a(client, tenants.a, sessions)
    for method, path in ROUTES:
        body, _ = ROUTES[(method, path)]
        response = client.request(method, path.format(**ids), json=body)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
    for method, path in PUBLIC:
        assert client.request(method, path).status_code == 200


def test_a_revoked_key_or_an_inactive_creditor_is_401(client, tenants, sessions):
    from mahnwerk.services.admin.accounts import authenticate_api_key
    from mahnwerk.store.models import Creditor

    assert client.get("/api/v1/cases", headers=tenants.a.headers).status_code == 200
    with transaction(sessions) as s:
        authenticate_api_key(s, tenants.a.key).revoked_at = cases.utcnow()
        s.get(Creditor, tenants.b.creditor_id).status = "pending"
    assert_problem(client.get("/api/v1/cases", headers=tenants.a.headers), 401)
    assert_problem(client.get("/api/v1/cases", headers=tenants.b.headers), 401)
