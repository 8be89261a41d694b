"""The API with the fields of issue 17: claim kind, origin, grounds of default and contract
data in, a payment naming its claim (§ 366 Abs. 1 BGB), warnings in the statement."""

from __future__ import annotations

from api_support import assert_problem, case_body


def test_claims_with_kind_ground_of_default_and_contract_and_a_designated_payment(client, tenants):
    body = case_body(
        claims=[
            {"invoice_no": "R-1", "amount": "1000.00", "default_from": "2025-01-01",
             "due_date": "2024-12-31"},
            # no default_from: the creditor's reminder of 10.03.2025 arrives 14.03., interest
            # from 15.03.2025 (§ 286 Abs. 1 BGB, 4 days' receipt)
            {"invoice_no": "R-2", "amount": "500.00", "due_date": "2025-03-01",
             "reminder_date": "2025-03-10", "kind": "other", "origin": "2025-02-01",
             "contract_subject": "Mietvertrag Garage", "contract_date": "2024-05-01"},
            {"invoice_no": "R-3", "amount": "50.00", "due_date": "2025-03-01"},
        ]
    )  # fmt: skip
    created = client.post("/api/v1/cases", json=body, headers=tenants.a.headers)
    assert created.status_code == 201, created.text
    claims = {c["invoice_no"]: c for c in created.json()["claims"]}
    assert claims["R-2"]["default_from"] == "2025-03-15"
    assert "Mahnung des Gläubigers vom 10.03.2025" in claims["R-2"]["default_ground"]
    assert (claims["R-2"]["kind"], claims["R-2"]["contract_date"]) == ("other", "2024-05-01")
    assert claims["R-3"]["default_from"] is None  # no ground of default
    url = f"/api/v1/cases/{created.json()['id']}"
    paid = client.post(
        f"{url}/payments",
        json={"date": "2025-04-01", "amount": "520.00", "claim": "R-2"},
        headers=tenants.a.headers,
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["claim"] == "R-2"
    st = client.get(f"{url}/statement", params={"as_of": "2025-04-01"}, headers=tenants.a.headers)
    (x,) = st.json()["allocations"]
    # R-2 first: interest 15.03.–01.04. = 18 days, 500 × 7.27 % × 18/365 = 1.79, then 500.00;
    # the rest 18.21 goes to R-1 (in default, 7.27 % as R-2, older) – its interest first
    assert x["claim"] == "R-2"
    assert [(i["kind"], i["target"], i["amount"]) for i in x["items"]][:2] == [
        ("interest", "R-2", "1.79"),
        ("principal", "R-2", "500.00"),
    ]
    assert x["items"][2]["target"] == "R-1" and st.json()["warnings"] == []


def test_a_payment_naming_no_claim_of_the_case_is_refused(client, tenants):
    created = client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers)
    refused = client.post(
        f"/api/v1/cases/{created.json()['id']}/payments",
        json={"date": "2025-04-01", "amount": "10.00", "claim": "R-9"},
        headers=tenants.a.headers,
    )
    problem = assert_problem(refused, 422)
    assert "R-9" in problem["detail"]


def test_a_claim_needs_its_due_date_or_its_default(client, tenants):
    body = case_body(claims=[{"invoice_no": "R-1", "amount": "10.00"}])
    assert_problem(client.post("/api/v1/cases", json=body, headers=tenants.a.headers), 422)
