"""The debtor portal through the one ASGI app (in-process), on SQLite and PostgreSQL: login
with reference, code and postcode (rate limit and lockout), the statement from the ledger,
letters only of the own case, pay now, plans inside and outside the creditor's limits with
the cost notice first, SEPA mandates, disputes (dunning stops), hardship, uploads and the
contact preference."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mahnwerk.asgi import create_asgi_app
from mahnwerk.banking.epc_qr import EpcTransfer, epc_payload
from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings
from mahnwerk.domain.money import format_eur
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.dunning.run import run_day
from mahnwerk.services.portal import access as portal_access
from mahnwerk.services.portal import debtor as portal
from mahnwerk.services.workspace import workflow
from mahnwerk.store.banking_store import SepaMandate
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, CaseEvent, Document
from mahnwerk.store.workflow import (
    CaseFlag,
    ContactPreference,
    Dispute,
    OutboxMessage,
    PaymentPlan,
    Task,
)

SECRET = "test-secret"
IBAN = "DE89370400440532013000"
CREDITOR_SETTINGS = {
    "address": "Am Sande 4, 21335 Lüneburg",
    "payment_account": {"holder": "Inkasso Nord GmbH", "iban": IBAN, "bic": "COBADEFFXXX"},
    "plan_limits": {"max_months": 12, "min_instalment": "25.00"},
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def runtime(db_url, engine, sessions, tmp_path):
    settings = Settings(
        database_url=db_url,
        var_dir=tmp_path / "var",
        secret_key=SECRET,
        # the sender the daily run needs to write at all (§ 13a RDG, § 10 RDG)
        agency_name="Inkasso Nord GmbH",
        agency_address="Ballindamm 17, 20095 Hamburg",
        agency_email="service@inkasso-nord.example",
        agency_registration="Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
    )
    return Runtime(settings=settings, engine=engine, sessions=sessions)


@pytest.fixture
def client(runtime):
    with TestClient(create_asgi_app(runtime)) as c:
        yield c


@pytest.fixture
def creditor_id(sessions):
    with transaction(sessions) as s:
        creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
        creditor.settings = CREDITOR_SETTINGS
        return creditor.id


def make_case(sessions, creditor_id, ref="K-1", *, amount="1250.00", postcode="80331", **kw):
    """A case with a claim, a cost and a payment (so every part of the statement shows)."""
    with transaction(sessions) as s:
        data = cases.CaseInput(
            ref,
            cases.DebtorInput(
                kind="natural",
                consumer=True,
                first_name="Jürgen",
                last_name="Müller",
                birth_date=date(1980, 5, 17),
                street="Hauptstraße 5",
                postcode=postcode,
                city="München",
                **kw,
            ),
            (
                cases.ClaimInput(
                    invoice_no=f"R-{ref}",
                    amount=D(amount),
                    default_from=date(2026, 1, 16),
                    invoice_date=date(2025, 12, 15),
                    label="Stromlieferung, Jahresabrechnung 2025",
                ),
            ),
            costs=((date(2026, 2, 1), "Mahngebühr des Gläubigers", D("5.00")),),
        )
        case = cases.create_case(s, CLI, creditor_id, data)
        cases.record_payment(
            s, CLI, case, day=date(2026, 3, 1), amount=D("100.00"), source="bank", reference="x"
        )
        return case.id


def code_of(sessions, case_id):
    with transaction(sessions) as s:
        case = s.get(Case, case_id)
        return case.reference, portal_access.code_for_case(s, SECRET, case_id)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(client, sessions, case_id, postcode="80331"):
    reference, code = code_of(sessions, case_id)
    token = csrf_of(client.get("/portal").text)
    answer = client.post(
        "/portal",
        data={"reference": reference, "code": code, "postcode": postcode, "csrf": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/portal/case"
    return csrf_of(client.get("/portal/case").text)


def total_today(sessions, case_id) -> D:
    with sessions() as s:
        return cases.statement(s.get(Case, case_id), today_in_germany()).totals.total_open


# ------------------------------------------------------------------------------- login


def test_login_form_is_labelled_german_first_and_keeps_the_code_out_of_autofill(client):
    page = client.get("/portal")
    assert page.status_code == 200 and 'lang="de"' in page.text
    for field in ("reference", "code", "postcode"):
        assert f'<label for="{field}">' in page.text and f'id="{field}"' in page.text
    assert re.search(r'id="code"[^>]*autocomplete="off"', page.text, re.S)
    assert "Aktenzeichen" in page.text and "Zugangscode" in page.text
    english = client.get("/portal?lang=en")
    assert "Access code" in english.text and 'lang="en"' in english.text


def test_wrong_code_fails_and_right_code_shows_the_statement_of_the_ledger(
    client, sessions, creditor_id
):
    case_id = make_case(sessions, creditor_id)
    reference, code = code_of(sessions, case_id)
    token = csrf_of(client.get("/portal").text)
    wrong = client.post(
        "/portal",
        data={"reference": reference, "code": "AAAA-BBBB-CCCC", "postcode": "80331", "csrf": token},
    )
    assert wrong.status_code == 401 and 'role="alert"' in wrong.text
    assert "portal_case" not in client.cookies.get("mw_session", "")
    assert client.get("/portal/case", follow_redirects=False).status_code == 303
    no_csrf = client.post(
        "/portal", data={"reference": reference, "code": code, "postcode": "80331"}
    )
    assert no_csrf.status_code == 400
    sign_in(client, sessions, case_id)
    page = client.get("/portal/case")
    assert page.status_code == 200
    total = total_today(sessions, case_id)
    assert format_eur(total) in page.text
    text = page.text
    assert "R-K-1" in text and "Stromlieferung, Jahresabrechnung 2025" in text
    assert "15.12.2025" in text and "16.01.2026" in text  # invoice date, default from
    assert "Mahngebühr des Gläubigers" in text and "§ 286 BGB" in text  # cost with its reason
    assert "01.03.2026" in text and format_eur(D("100.00")) in text  # payment received
    assert "§ 367 BGB" in text  # how it was applied
    assert "Zinssatz" in text and "Tage" in text  # interest periods
    # pay now: the EPC payload for the exact total and the reference, and the inline code
    payload = epc_payload(
        EpcTransfer("Inkasso Nord GmbH", IBAN, total, reference, bic="COBADEFFXXX")
    )
    assert payload in text.replace("&#34;", '"')
    assert "<svg" in text and "GiroCode" in text
    assert "<h1>Ihr Vorgang</h1>" in text and 'aria-label="Ihr Vorgang"' in text


def test_five_failures_lock_that_address_out_not_the_debtor(runtime, sessions, creditor_id):
    """Issue 20: five wrong codes used to lock the case for everyone, so anyone who knew a
    (sequential) reference could lock its debtor out."""
    case_id = make_case(sessions, creditor_id)
    reference, code = code_of(sessions, case_id)
    right = {"reference": reference, "code": code, "postcode": "80331"}
    with TestClient(create_asgi_app(runtime), client=("203.0.113.9", 4000)) as attacker:
        token = csrf_of(attacker.get("/portal").text)
        for _ in range(5):
            wrong = attacker.post("/portal", data={**right, "code": "WRONG", "csrf": token})
            assert wrong.status_code == 401
        locked = attacker.post("/portal", data={**right, "csrf": token})
        assert locked.status_code == 429 and "30 Minuten" in locked.text
    with TestClient(create_asgi_app(runtime), client=("198.51.100.7", 4000)) as debtor:
        token = csrf_of(debtor.get("/portal").text)
        answer = debtor.post("/portal", data={**right, "csrf": token}, follow_redirects=False)
    assert answer.status_code == 303


def test_an_unknown_reference_locks_like_a_known_one(runtime, sessions, creditor_id):
    case_id = make_case(sessions, creditor_id)
    reference, _ = code_of(sessions, case_id)
    statuses = {}
    for ref, peer in ((reference, "192.0.2.1"), ("MW-99999999-00", "192.0.2.2")):
        with TestClient(create_asgi_app(runtime), client=(peer, 4000)) as c:
            token = csrf_of(c.get("/portal").text)
            data = {"reference": ref, "code": "WRONG", "postcode": "80331", "csrf": token}
            statuses[ref] = [c.post("/portal", data=data).status_code for _ in range(6)]
    assert statuses[reference] == statuses["MW-99999999-00"] == [401] * 5 + [429]


def test_a_success_elsewhere_does_not_reset_an_address_count(runtime, sessions, creditor_id):
    mine = make_case(sessions, creditor_id, ref="K-1")
    reference, code = code_of(sessions, mine)
    with TestClient(create_asgi_app(runtime), client=("192.0.2.50", 4000)) as c:
        token = csrf_of(c.get("/portal").text)
        for i in range(9):  # guesses at other cases
            bad = {"reference": f"MW-{i:08d}-00", "code": "X", "postcode": "1", "csrf": token}
            assert c.post("/portal", data=bad).status_code == 401
        ok = {"reference": reference, "code": code, "postcode": "80331", "csrf": token}
        assert c.post("/portal", data=ok, follow_redirects=False).status_code == 303
        token = csrf_of(c.get("/portal").text)
        bad = {"reference": "MW-00000042-00", "code": "X", "postcode": "1", "csrf": token}
        assert c.post("/portal", data=bad).status_code == 401  # the tenth
        assert c.post("/portal", data={**ok, "csrf": token}).status_code == 429


def test_attempts_are_limited_per_client_address(client, sessions, creditor_id):
    case_id = make_case(sessions, creditor_id)
    reference, code = code_of(sessions, case_id)
    token = csrf_of(client.get("/portal").text)
    for i in range(10):  # ten different (unknown) references: no case lock helps here
        client.post(
            "/portal",
            data={"reference": f"MW-{i:08d}-00", "code": "X", "postcode": "1", "csrf": token},
        )
    limited = client.post(
        "/portal", data={"reference": reference, "code": code, "postcode": "80331", "csrf": token}
    )
    assert limited.status_code == 429


def test_every_portal_page_needs_the_session_and_logout_ends_it(client, sessions, creditor_id):
    for path in (
        "/portal/case",
        "/portal/plan",
        "/portal/mandate",
        "/portal/report",
        "/portal/contact",
        "/portal/documents/1",
    ):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/portal", path
    case_id = make_case(sessions, creditor_id)
    token = sign_in(client, sessions, case_id)
    assert client.get("/portal/case").status_code == 200
    client.post("/portal/logout", data={"csrf": token})
    assert client.get("/portal/case", follow_redirects=False).status_code == 303


# --------------------------------------------------------------------------- documents


def _document(runtime, sessions, case_id, kind="letter", content=PDF):
    folder = runtime.settings.documents_dir / str(case_id)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{kind}-{case_id}.pdf"
    (folder / name).write_bytes(content)
    with transaction(sessions) as s:
        doc = Document(
            case_id=case_id,
            kind=kind,
            filename=name,
            path=f"{case_id}/{name}",
            media_type="application/pdf",
            sha256="0" * 64,
            size=len(content),
            created_at=cases.utcnow(),
        )
        s.add(doc)
        s.flush()
        return doc.id


def test_letters_download_only_for_the_own_case(client, runtime, sessions, creditor_id):
    own = make_case(sessions, creditor_id, "K-1")
    other = make_case(sessions, creditor_id, "K-2", postcode="20095")
    own_doc = _document(runtime, sessions, own)
    other_doc = _document(runtime, sessions, other)
    upload_doc = _document(runtime, sessions, own, kind="upload")
    sign_in(client, sessions, own)
    page = client.get("/portal/case").text
    assert f'href="/portal/documents/{own_doc}"' in page
    assert f"/portal/documents/{other_doc}" not in page
    pdf = client.get(f"/portal/documents/{own_doc}")
    assert pdf.status_code == 200 and pdf.content == PDF
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline")
    assert client.get(f"/portal/documents/{other_doc}").status_code == 404  # another case
    assert client.get(f"/portal/documents/{upload_doc}").status_code == 404  # not a letter
    assert client.get("/portal/documents/999999").status_code == 404


# ------------------------------------------------------------------------------- plans


def test_plan_inside_the_limits_shows_its_costs_first_and_is_accepted(
    client, sessions, creditor_id
):
    case_id = make_case(sessions, creditor_id)
    token = sign_in(client, sessions, case_id)
    form = client.get("/portal/plan")
    assert "höchstens 12" in form.text and format_eur(D("25.00")) in form.text
    start = (today_in_germany() + timedelta(days=7)).isoformat()
    preview = client.post("/portal/plan", data={"amount": "150,00", "start": start, "csrf": token})
    assert preview.status_code == 200
    with sessions() as s:
        case = s.get(Case, case_id)
        notice = workflow.plan_cost_notice(case, total_today(sessions, case_id), today_in_germany())
        assert s.scalars(select(PaymentPlan)).all() == []  # nothing agreed yet
    assert notice in preview.text and "Einigungsgebühr" in preview.text
    assert "§ 13a Abs. 3 RDG" in preview.text and 'name="costs_read"' in preview.text
    unread = client.post(
        "/portal/plan/confirm", data={"amount": "150,00", "start": start, "csrf": token}
    )
    assert unread.status_code == 400 and 'id="costs_read-error"' in unread.text
    assert 'aria-describedby="costs_read-error"' in unread.text
    with sessions() as s:
        assert s.scalars(select(PaymentPlan)).all() == []
    agreed = client.post(
        "/portal/plan/confirm",
        data={"amount": "150,00", "start": start, "costs_read": "1", "csrf": token},
    )
    assert agreed.status_code == 200 and "ist vereinbart" in agreed.text
    total = total_today(sessions, case_id)
    with sessions() as s:
        (plan,) = s.scalars(select(PaymentPlan).where(PaymentPlan.case_id == case_id)).all()
        assert plan.status == "active" and plan.instalment == D("150.00")
        assert plan.count == math.ceil(total / D("150.00")) and plan.start.isoformat() == start
        assert "Einigungsgebühr" in plan.cost_notice
        assert s.scalars(select(Task).where(Task.kind == "plan_review")).all() == []
    assert "Vereinbarte Ratenzahlung" in client.get("/portal/case").text


@pytest.mark.parametrize("amount", ["20,00", "50.00"])  # below the minimum; too many months
def test_plan_outside_the_limits_goes_to_an_agent(client, sessions, creditor_id, amount):
    case_id = make_case(sessions, creditor_id)
    token = sign_in(client, sessions, case_id)
    start = today_in_germany().isoformat()
    preview = client.post("/portal/plan", data={"amount": amount, "start": start, "csrf": token})
    assert "prüft ihn" in preview.text
    done = client.post(
        "/portal/plan/confirm",
        data={"amount": amount, "start": start, "costs_read": "1", "csrf": token},
    )
    assert done.status_code == 200 and "prüft ihn" in done.text
    with sessions() as s:
        assert s.scalars(select(PaymentPlan)).all() == []
        (task,) = s.scalars(select(Task).where(Task.case_id == case_id)).all()
        assert task.kind == "plan_review" and task.status == "open"
        assert task.data["amount"] == str(portal.parse_amount(amount))
        assert task.data["start"] == start and "cost_notice" in task.data


def test_plan_input_errors_are_linked_to_their_fields(client, sessions, creditor_id):
    case_id = make_case(sessions, creditor_id)
    token = sign_in(client, sessions, case_id)
    past = (today_in_germany() - timedelta(days=1)).isoformat()
    bad = client.post("/portal/plan", data={"amount": "zehn", "start": past, "csrf": token})
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    assert 'aria-describedby="amount-hint amount-error" aria-invalid="true"' in bad.text
    assert 'id="start-error"' in bad.text and 'href="#amount"' in bad.text


# ---------------------------------------------------------------------------- mandate


def test_sepa_mandate_needs_a_valid_iban_and_consent(client, sessions, creditor_id):
    case_id = make_case(sessions, creditor_id)
    token = sign_in(client, sessions, case_id)
    form = client.get("/portal/mandate")
    assert "Ich ermächtige Inkasso Nord GmbH" in form.text and "<legend>" in form.text
    bad = client.post(
        "/portal/mandate",
        data={"iban": "DE00 1234", "holder": "Jürgen Müller", "consent": "1", "csrf": token},
    )
    assert bad.status_code == 422 and 'id="iban-error"' in bad.text
    no_consent = client.post(
        "/portal/mandate", data={"iban": IBAN, "holder": "Jürgen Müller", "csrf": token}
    )
    assert no_consent.status_code == 422 and 'id="consent-error"' in no_consent.text
    ok = client.post(
        "/portal/mandate",
        data={
            "iban": "DE89 3704 0044 0532 0130 00",
            "holder": "Jürgen Müller",
            "consent": "1",
            "csrf": token,
        },
    )
    assert ok.status_code == 200 and "DE89 **** **** **** **30 00" in ok.text
    with sessions() as s:
        (mandate,) = s.scalars(select(SepaMandate).where(SepaMandate.case_id == case_id)).all()
        assert mandate.iban == IBAN and mandate.status == "active"
        assert mandate.holder == "Jürgen Müller" and mandate.mandate_id.endswith("-M1")
        event = s.scalar(select(CaseEvent).where(CaseEvent.kind == "sepa_mandate.given"))
        assert event.data["iban"] == "DE89 **** **** **** **30 00" and IBAN not in str(event.data)


# ------------------------------------------------------------------ dispute, hardship


def test_dispute_stops_dunning_at_once_and_goes_to_a_person(client, runtime, sessions, creditor_id):
    disputed = make_case(sessions, creditor_id, "K-1")
    control = make_case(sessions, creditor_id, "K-2", postcode="20095")
    token = sign_in(client, sessions, disputed)
    form = client.get("/portal/report?kind=dispute")
    assert "<fieldset" in form.text and 'enctype="multipart/form-data"' in form.text
    answer = client.post(
        "/portal/report",
        data={
            "kind": "dispute",
            "reason": "Die Rechnung habe ich am 20.01. bezahlt.",
            "csrf": token,
        },
        files={"upload": ("beleg.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "Widerspruch ist eingegangen" in client.get(answer.headers["location"]).text
    with sessions() as s:
        (dispute,) = s.scalars(select(Dispute).where(Dispute.case_id == disputed)).all()
        assert dispute.status == "open" and "bezahlt" in dispute.reason
        (task,) = s.scalars(select(Task).where(Task.case_id == disputed)).all()
        assert task.kind == "dispute_review"
        (doc,) = s.scalars(select(Document).where(Document.case_id == disputed)).all()
        assert doc.kind == "upload" and doc.media_type == "application/pdf"
        import hashlib

        assert doc.sha256 == hashlib.sha256(PDF).hexdigest()
        assert (runtime.settings.documents_dir / doc.path).read_bytes() == PDF
    run_day(runtime, today_in_germany() + timedelta(days=1))
    with sessions() as s:
        assert s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == disputed)).all() == []
        assert s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == control)).all()
    assert "Sie haben widersprochen" in client.get("/portal/case").text


def test_hardship_sets_the_flag_and_opens_a_task(client, sessions, creditor_id):
    case_id = make_case(sessions, creditor_id)
    token = sign_in(client, sessions, case_id)
    answer = client.post(
        "/portal/report",
        data={"kind": "hardship", "reason": "Ich bin seit März arbeitslos.", "csrf": token},
    )
    assert answer.status_code == 200 and "Person meldet sich" in answer.text
    with sessions() as s:
        (flag,) = s.scalars(select(CaseFlag).where(CaseFlag.case_id == case_id)).all()
        assert flag.kind == "hardship" and "arbeitslos" in flag.note
        (task,) = s.scalars(select(Task).where(Task.case_id == case_id)).all()
        assert task.kind == "hardship_review"
        assert s.scalars(select(Dispute)).all() == []


def test_uploads_must_be_pdf_jpeg_or_png_up_to_5_mb(client, sessions, creditor_id):
    case_id = make_case(sessions, creditor_id)
    token = sign_in(client, sessions, case_id)
    data = {"kind": "dispute", "reason": "Stimmt nicht.", "csrf": token}
    big = b"%PDF-" + b"0" * (5 * 1024 * 1024)
    too_large = client.post(
        "/portal/report", data=data, files={"upload": ("gross.pdf", big, "application/pdf")}
    )
    assert too_large.status_code == 422 and "5 MB" in too_large.text
    assert 'id="upload-error"' in too_large.text
    text_file = client.post(
        "/portal/report", data=data, files={"upload": ("brief.pdf", b"hello", "application/pdf")}
    )
    assert text_file.status_code == 422 and "PDF, JPEG oder PNG" in text_file.text
    no_reason = client.post("/portal/report", data={**data, "reason": ""})
    assert no_reason.status_code == 422 and 'id="reason-error"' in no_reason.text
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    ok = client.post(
        "/portal/report",
        data=data,
        files={"upload": ("foto.png", png, "image/png")},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with sessions() as s:
        assert len(s.scalars(select(Dispute)).all()) == 1  # only the last one was accepted
        (doc,) = s.scalars(select(Document).where(Document.kind == "upload")).all()
        assert doc.media_type == "image/png" and doc.filename.endswith(".png")


# ---------------------------------------------------------------------------- contact


def test_contact_preference_is_stored_for_the_dunning_run(client, sessions, creditor_id):
    case_id = make_case(sessions, creditor_id)
    token = sign_in(client, sessions, case_id)
    page = client.get("/portal/contact")
    assert "<legend>Am liebsten per</legend>" in page.text
    bad = client.post(
        "/portal/contact", data={"channel": "email", "earliest": "18", "latest": "9", "csrf": token}
    )
    assert bad.status_code == 422 and 'id="hours-error"' in bad.text
    ok = client.post(
        "/portal/contact",
        data={"channel": "call", "earliest": "17", "latest": "20", "csrf": token},
    )
    assert ok.status_code == 200 and "Gespeichert" in ok.text
    with sessions() as s:
        debtor_id = s.get(Case, case_id).debtor_id
        (pref,) = s.scalars(select(ContactPreference)).all()
        assert (pref.debtor_id, pref.channel, pref.earliest_hour, pref.latest_hour) == (
            debtor_id,
            "call",
            17,
            20,
        )


def test_english_portal_pages(client, sessions, creditor_id):
    case_id = make_case(sessions, creditor_id)
    sign_in(client, sessions, case_id)
    page = client.get("/portal/case?lang=en")
    assert "Total owed" in page.text and "Pay now" in page.text and 'lang="en"' in page.text


def test_the_case_page_shows_the_warning_of_an_unverified_or_unknown_base_rate(
    client, sessions, creditor_id
):
    # the case's interest runs into the half-year from 01.07.2026, whose base rate (1.52 %)
    # is UNVERIFIED (and every later one unknown until an operator adds it): the page says so
    case_id = make_case(sessions, creditor_id)
    sign_in(client, sessions, case_id)
    page = client.get("/portal/case").text
    box = page.split('data-testid="statement-warnings"', 1)[1].split("</div>", 1)[0]
    assert "Hinweis zur Zinsberechnung" in box and "Basiszinssatz" in box
