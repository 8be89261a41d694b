"""The letter channel renders real DIN 5008 PDFs from the store, with the portal code."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlalchemy import select

from mahnwerk.services.dunning.letters import PayloadLetterRenderer
from mahnwerk.services.dunning.run import run_day
from mahnwerk.services.portal import access as portal_access
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, Document

BERLIN = ZoneInfo("Europe/Berlin")
SETTINGS = {
    "address": "Am Sande 4, 21335 Lüneburg",
    "payment_account": {
        "holder": "Inkasso Nord GmbH",
        "iban": "DE89370400440532013000",
        "bic": "COBADEFFXXX",
    },
}


def test_first_letter_is_a_pdf_with_statement_reference_and_portal_code(
    runtime, sessions, make_case, channels_of
):
    rt = channels_of(runtime, letters=PayloadLetterRenderer())
    case_id = make_case(email=None, phone=None, creditor_settings=SETTINGS)
    day = date(2026, 3, 2)
    summary = run_day(rt, day, now=datetime(2026, 3, 2, 10, tzinfo=BERLIN))
    assert dict(summary.delivered) == {"letter": 1}
    with sessions() as s:
        case = s.get(Case, case_id)
        (doc,) = s.scalars(select(Document).where(Document.case_id == case_id)).all()
        code = portal_access.code_for_case(s, rt.settings.secret_key, case_id)
        reference = case.reference
    pdf = (rt.settings.documents_dir / doc.path).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert reference in text and code in text
    assert "Stadtwerke Nord GmbH" in text and "Am Sande 4" in text  # § 13a Nr. 1
    assert "Bundesamt für Justiz" in text  # § 13a Nr. 8
    assert "1.250,00 €" in text


def test_portal_login_needs_reference_code_and_postcode_and_never_locks_the_case(
    runtime, sessions, make_case
):
    case_id = make_case()
    secret = runtime.settings.secret_key
    now = datetime(2026, 3, 2, 10, tzinfo=BERLIN)
    with transaction(sessions) as s:
        reference = s.get(Case, case_id).reference
        code = portal_access.code_for_case(s, secret, case_id)
        assert (
            portal_access.login(s, secret, reference, code, "80331", now, "ip").case.id == case_id
        )
        assert (
            portal_access.login(
                s, secret, reference, code.lower().replace("-", ""), "80331", now, "ip"
            ).case
            is not None
        )
        assert portal_access.login(s, secret, reference, code, "10115", now, "ip").case is None
        assert (
            portal_access.login(s, secret, "MW-99999999-01", code, "80331", now, "ip").case is None
        )
        for _ in range(10):  # the case is never locked for everyone (issue 20); the pages
            result = portal_access.login(  # limit attempts per address
                s, secret, reference, "WRONG-CODE-1234", "80331", now, "ip"
            )
        assert not result.locked
        assert portal_access.login(s, secret, reference, code, "80331", now, "ip").case is not None
        later = datetime(2026, 3, 2, 11, tzinfo=BERLIN)
        assert (
            portal_access.login(s, secret, reference, code, "80331", later, "ip").case is not None
        )
        portal_access.revoke(s, case_id)
        assert portal_access.login(s, secret, reference, code, "80331", later, "ip").case is None
