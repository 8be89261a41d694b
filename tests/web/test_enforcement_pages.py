"""The enforcement page and the creditor's titled cases, in-process on SQLite and
PostgreSQL: a title recorded on the page, an employer, a proposal approved by the team lead
on the page, the PfÜB as PDF; role checks and tenancy."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from mahnwerk.asgi import create_asgi_app
from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI
from mahnwerk.services.admin import accounts
from mahnwerk.store.db import transaction

PASSWORD = "ein-langes-passwort"


@pytest.fixture
def runtime(db_url, engine, sessions, tmp_path):
    settings = Settings(
        database_url=db_url,
        var_dir=tmp_path / "var",
        secret_key="test-secret",
        agency_name="Inkasso Nord GmbH",
        agency_address="Ballindamm 17, 20095 Hamburg",
    )
    return Runtime(settings=settings, engine=engine, sessions=sessions)


@pytest.fixture
def ids(sessions):
    with transaction(sessions) as s:
        a = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        a.settings = {"address": "Am Sande 4, 21335 Lüneburg"}
        b = accounts.add_creditor(s, CLI, "Fitnessstudio Süd")
        for email, role, cid in (
            ("agent@example.org", "agent", None),
            ("lead@example.org", "teamlead", None),
            ("a@example.org", "creditor", a.id),
            ("b@example.org", "creditor", b.id),
        ):
            accounts.add_user(s, CLI, email, PASSWORD, role, cid)
        debtor = cases.DebtorInput(
            kind="natural",
            consumer=True,
            first_name="Jürgen",
            last_name="Müller",
            birth_date=date(1980, 5, 17),
            street="Hauptstraße 5",
            postcode="80331",
            city="München",
        )
        claim = cases.ClaimInput("R-4711", cases.Decimal("982.00"), date(2025, 2, 15))
        case = cases.create_case(s, CLI, a.id, cases.CaseInput("A-1", debtor, (claim,)))
        return {"case": case.id, "a": a.id, "b": b.id}


@pytest.fixture
def client(runtime):
    with TestClient(create_asgi_app(runtime)) as c:
        yield c


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client, email):
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf": token}, follow_redirects=False
    )
    assert r.status_code == 303
    return csrf_of(client.get("/login").text)


def test_title_employer_proposal_approval_and_pdf_on_the_page(client, ids):
    case = ids["case"]
    token = login(client, "agent@example.org")
    page = client.get(f"/work/cases/{case}/enforcement")
    assert page.status_code == 200 and "Kein Titel erfasst" in page.text
    r = client.post(
        f"/work/cases/{case}/enforcement/title",
        data={
            "csrf": token,
            "kind": "vollstreckungsbescheid",
            "court": "Amtsgericht Coburg",
            "file_no": "25-1234567-0-3",
            "issued": "2025-06-02",
            "final": "2025-06-20",
            "interest": "base_plus:5",
            "costs": "93,40",
        },
    )
    page = r  # redirected back to the page
    assert "Titel erfasst." in page.text, re.findall(r'role="alert">([^<]*)', page.text)
    assert "Titel erfasst." in page.text and "20.06.2055" in page.text  # 30 years
    client.post(
        f"/work/cases/{case}/enforcement/employer",
        data={
            "csrf": token,
            "name": "Muster Logistik GmbH",
            "address": "Hafenstraße 4, 20457 Hamburg",
            "income": "2.500,00",
            "dependants": "1",
        },
    )
    page = client.get(f"/work/cases/{case}/enforcement")
    proposal = page.text[page.text.index('id="h-proposal"') :][:3000]
    assert "Lohnpfändung" in page.text, proposal and "179,89" in page.text  # § 850c, one dependant
    page = client.post(f"/work/cases/{case}/enforcement/propose", data={"csrf": token})
    assert "Zur Freigabe vorgeschlagen" in page.text
    approval = re.search(r"/work/enforcement/approvals/(\d+)/decide", page.text).group(1)
    assert "Vorschau des Formulars" in page.text and "Muster Logistik GmbH" in page.text

    token = login(client, "lead@example.org")
    client.post(
        f"/work/enforcement/approvals/{approval}/decide",
        data={
            "csrf": token,
            "case_id": case,
            "decision": "approve",
            "reason": "Arbeitgeber bestätigt",
        },
    )
    page = client.get(f"/work/cases/{case}/enforcement")
    link = re.search(r'href="(/work/enforcement/measures/\d+/form.pdf)"', page.text).group(1)
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(
        p.extract_text() for p in PdfReader(__import__("io").BytesIO(pdf.content)).pages
    )
    assert "Pfändungs- und Überweisungsbeschlusses" in text and "Muster Logistik GmbH" in text
    assert "25-1234567-0-3" in text


def test_creditor_sees_its_titled_cases_and_never_the_staff_page(client, ids, sessions):
    from mahnwerk.services.enforcement.titles import add_title

    with transaction(sessions) as s:
        add_title(
            s,
            CLI,
            ids["case"],
            kind="urteil",
            court="Amtsgericht München",
            file_no="123 C 45/25",
            issued=date(2025, 9, 1),
            final=date(2025, 10, 6),
        )
    login(client, "a@example.org")
    page = client.get("/portfolio/titles")
    assert page.status_code == 200 and "123 C 45/25" in page.text and "06.10.2055" in page.text
    assert client.get(f"/work/cases/{ids['case']}/enforcement").status_code == 404
    login(client, "b@example.org")
    other = client.get("/portfolio/titles")
    assert other.status_code == 200 and "123 C 45/25" not in other.text
    assert client.get("/work/enforcement/measures/1/form.pdf").status_code == 404
    login(client, "agent@example.org")
    assert client.get("/portfolio/titles").status_code == 404
