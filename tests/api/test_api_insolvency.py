"""Insolvency notices through the API with a staff user's API key: upload, nothing twice,
the review list decided by a person, creditor keys refused, bad files refused whole."""

from __future__ import annotations

import json

import pytest
from api_support import assert_problem, case_body
from sqlalchemy import select

from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction
from mahnwerk.store.workflow import CaseFlag

NOTICES = {
    "notices": [
        {
            "court": "AG Charlottenburg",
            "file_number": "36 IK 1/26",
            "date": "2026-03-02",
            "kind": "eroeffnung",
            "last_name": "Müller",
            "first_name": "Jürgen",
            "birth_date": "1980-05-17",
            "postcode": "10115",
            "claims_deadline": "2026-04-15",
        },
        {
            "court": "AG Charlottenburg",
            "file_number": "36 IK 2/26",
            "date": "2026-03-02",
            "kind": "eroeffnung",
            "last_name": "Schmitt",
            "first_name": "Anna",
            "postcode": "10115",
        },
    ]
}


@pytest.fixture
def staff(sessions) -> dict[str, str]:
    with transaction(sessions) as s:
        accounts.add_user(s, CLI, "team@inkasso.example", "sehr-geheim-123", "agent")
        key = accounts.create_staff_api_key(
            s, CLI, "team@inkasso.example", "Insolvenz", scopes=("read", "cases")
        ).key
    return {"Authorization": f"Bearer {key}"}


def upload(client, headers, doc) -> object:
    data = json.dumps(doc).encode()
    return client.post(
        "/api/v1/insolvency/notices",
        files={"file": ("bekanntmachungen.json", data, "application/json")},
        headers=headers,
    )


def new_case(client, tenant, ref, **debtor):
    body = case_body(ref)
    body["debtor"].update(debtor)
    response = client.post("/api/v1/cases", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_staff_uploads_notices_once_and_decides_the_review(client, tenants, staff, sessions):
    sure = new_case(client, tenants.a, "K-1")
    maybe = new_case(
        client, tenants.b, "K-2", first_name="Anna", last_name="Schmidt", birth_date=None
    )
    first = upload(client, staff, NOTICES)
    assert first.status_code == 200, first.text
    assert {k: first.json()[k] for k in ("new", "sure", "probable", "cases_stopped")} == {
        "new": 2,
        "sure": 1,
        "probable": 1,
        "cases_stopped": 1,
    }
    again = upload(client, staff, NOTICES).json()
    assert (again["new"], again["duplicates"], again["sure"]) == (0, 2, 0)

    review = client.get("/api/v1/insolvency/review", headers=staff).json()["items"]
    assert [(i["debtor_name"], i["case_references"]) for i in review] == [
        ("Anna Schmidt", [maybe["reference"]])
    ]
    decided = client.post(f"/api/v1/insolvency/review/{review[0]['id']}/confirm", headers=staff)
    assert decided.status_code == 200 and decided.json()["cases_stopped"] == 1
    twice = client.post(f"/api/v1/insolvency/review/{review[0]['id']}/reject", headers=staff)
    assert_problem(twice, 422)
    with sessions() as s:
        flagged = set(s.scalars(select(CaseFlag.case_id).where(CaseFlag.kind == "insolvency")))
    assert flagged == {sure["id"], maybe["id"]}


def test_creditor_keys_are_refused_and_bad_files_write_nothing(client, tenants, staff):
    assert_problem(upload(client, tenants.a.headers, NOTICES), 403)
    bad = {"notices": [{**NOTICES["notices"][0], "date": "31.02.2026"}]}
    body = assert_problem(upload(client, staff, bad), 422)
    assert body["errors"][0]["field"] == "date" and "Eintrag 1" in body["errors"][0]["message"]
    assert upload(client, staff, NOTICES).json()["new"] == 2
