"""The creditor view in-process on SQLite and PostgreSQL: portfolio, charts with a table,
case list, one case without internal notes, downloads; and that a creditor never reaches
another creditor's case through any page route of the workspace or the creditor view."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, today_in_germany
from mahnwerk.services.workspace.desk import log_call
from mahnwerk.store.db import transaction
from mahnwerk.store.models import AuditEntry

from .test_workspace import client, login, runtime, world  # noqa: F401  (fixtures)


@pytest.fixture
def paid(world, sessions):  # noqa: F811
    with transaction(sessions) as s:
        case = cases.get_case(s, CLI, world.case_a)
        cases.record_payment(
            s, CLI, case, day=today_in_germany(), amount=D("100.00"), source="bank"
        )
        log_call(s, CLI, world.case_a, outcome="reached", note="GEHEIME-NOTIZ")
    return world


def test_staff_cannot_open_the_portfolio(client, world):  # noqa: F811
    assert client.get("/portfolio", follow_redirects=False).status_code == 303
    login(client, "agent@example.org")
    assert client.get("/portfolio").status_code == 404
    assert client.get(f"/portfolio/cases/{world.case_a}").status_code == 404


def test_portfolio_shows_stages_money_charts_and_only_own_cases(client, paid, sessions):  # noqa: F811
    login(client, "a@example.org")
    page = client.get("/portfolio")
    assert page.status_code == 200
    text = page.text
    assert "Stadtwerke Nord GmbH" in text and "Letzte Mahnung" in text
    assert "100,00 €" in text  # collected
    assert text.count("<svg") == 2 and 'role="img"' in text and "<title" in text
    assert '<th scope="col">' in text  # the table alternative of the charts
    assert f"/portfolio/cases/{paid.case_a}" in text
    assert f"/portfolio/cases/{paid.case_b}" not in text and "Schmidt" not in text
    assert client.get("/portfolio?external_ref=A-1").text.count("/portfolio/cases/") == 1
    assert (
        "/portfolio/cases/"
        not in client.get("/portfolio?stage=enforcement").text.split('id="cases"')[1]
    )
    with sessions() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.entity == "portfolio")).first()


def test_case_drill_down_without_internal_notes_and_downloads(client, paid, sessions):  # noqa: F811
    login(client, "a@example.org")
    page = client.get(f"/portfolio/cases/{paid.case_a}")
    assert page.status_code == 200
    assert "Forderungsaufstellung" in page.text and "Zahlung über 100,00 € eingegangen" in page.text
    assert "GEHEIME-NOTIZ" not in page.text and "/work/documents" not in page.text
    with sessions() as s:
        reads = s.scalars(
            select(AuditEntry).where(AuditEntry.case_id == paid.case_a, AuditEntry.action == "read")
        ).all()
        assert any(r.actor.startswith("user:") for r in reads)
    as_json = client.get(f"/portfolio/cases/{paid.case_a}/statement.json")
    body = json.loads(as_json.text)
    assert body["claims"][0]["id"] == "R-4711" and "total_open" in body["totals"]
    as_text = client.get(f"/portfolio/cases/{paid.case_a}/statement.txt")
    assert as_text.text.startswith("Forderungsaufstellung zum")
    csv = client.get("/portfolio/export.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Aktenzeichen;Ihr Zeichen;")
    assert len(lines) == 2 and ";A-1;" in lines[1] and "100,00" in lines[1]
    assert "B-1" not in csv.text


def concrete(path: str, case_id: int, other_ids: int) -> str:
    return (
        path.replace("{case_id}", str(case_id))
        .replace("{document_id}", str(other_ids))
        .replace("{approval_id}", str(other_ids))
        .replace("{task_id}", str(other_ids))
        .replace("{dispute_id}", str(other_ids))
        .replace("{entry_id}", str(other_ids))
        .replace("{offer_id}", str(other_ids))
        .replace("{procedure_id}", str(other_ids))
        .replace("{measure_id}", str(other_ids))
        .replace("{payout_id}", str(other_ids))
    )


def test_a_creditor_never_sees_another_creditors_case_through_any_route(client, world):  # noqa: F811
    token = login(client, "a@example.org")
    routes = [
        (route.path, method)
        for route in client.app.routes
        for method in getattr(route, "methods", ()) or ()
        if route.path.startswith(("/work", "/portfolio"))
    ]
    assert len(routes) >= 15
    for path, method in routes:
        url = concrete(path, world.case_b, world.document)
        if method == "GET":
            r = client.get(url, follow_redirects=False)
        else:
            r = client.post(
                url, data={"csrf": token, "case_id": world.case_b}, follow_redirects=False
            )
        if url in ("/portfolio", "/portfolio/export.csv", "/portfolio/titles", "/portfolio/search"):
            assert r.status_code == 200 and "Schmidt" not in r.text and "B-1" not in r.text
            continue
        assert r.status_code == 404, (method, url, r.status_code)
        assert "Schmidt" not in r.text
    # the creditor's search finds only its own cases, even by the other case's exact name
    for q in ("Schmidt", "B-1"):
        r = client.get("/portfolio/search", params={"q": q})
        assert r.status_code == 200 and f"/portfolio/cases/{world.case_b}" not in r.text
        assert "Nichts gefunden" in r.text
    r = client.get("/portfolio/search", params={"q": "Mueller"})  # its own case, by umlaut
    assert f"/portfolio/cases/{world.case_a}" in r.text
    assert client.get("/work/search", params={"q": "Schmidt"}).status_code == 404


def test_the_portfolio_csv_neutralises_formulas_a_creditor_typed(client, world, sessions):  # noqa: F811
    """CSV injection: a reference starting with ``=`` reaches Excel as text, not a formula."""
    with transaction(sessions) as s:
        case = cases.get_case(s, CLI, world.case_a)
        case.external_ref = '=HYPERLINK("http://evil.example","klick")'
    login(client, "a@example.org")
    body = client.get("/portfolio/export.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","klick")'
    assert not any(cell.startswith(("=", "+", "@", "\t")) for row in rows for cell in row)
