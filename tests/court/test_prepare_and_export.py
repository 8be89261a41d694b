"""Preparing applications from cases (amounts checked by hand, every reason a case cannot go
to court) and exporting them (recalled and paid cases left out and withdrawn, the rest still
written, nothing written twice)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from court_support import COURT_SETTINGS, make_case, make_creditor
from sqlalchemy import select

from mahnwerk.court.application import ComputedInterest, InterestLine, Representative
from mahnwerk.court.reader import read
from mahnwerk.services import cases
from mahnwerk.services.actor import CLI, Actor
from mahnwerk.services.court import export as court_export
from mahnwerk.services.court import prepare as court
from mahnwerk.services.workspace import workflow
from mahnwerk.store.court import CourtProcedure
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, Creditor

AGENT = Actor("user", "11", "agent")
LEAD = Actor("user", "12", "teamlead")
DAY = date(2026, 3, 2)
CLAIM = (("R-1", "1000.00", date(2025, 11, 15)),)


def preview(sessions, case_id, **options):
    with sessions() as s:
        return court.preview(s, AGENT, case_id, DAY, court.PrepareOptions(**options))


def test_amounts_with_a_payment_that_did_not_cover_the_interest(sessions):
    # 1,000.00 from 16 Nov 2025 at 6.27 % (1.27 + 5): 46 days to 31 Dec = 7.90, 15 days to
    # 15 Jan 2026 = 2.58; a payment of 5.00 on 15 Jan goes to interest (§ 367 BGB): 5.48 of
    # interest stay open, the principal stays 1,000.00
    case_id = make_case(sessions, make_creditor(sessions), claims=CLAIM,
                        payments=((date(2026, 1, 15), "5.00"),))  # fmt: skip
    view = preview(sessions, case_id)
    assert view.reasons == ()
    app = view.application
    (claim,) = app.claims
    assert claim.amount == D("1000.00")
    assert claim.interest == (InterestLine(D("5"), "B", date(2026, 1, 16), D("1000.00")),)
    assert app.computed_interest == ComputedInterest(
        date(2025, 11, 16), date(2026, 1, 15), D("5.48")
    )


def test_amounts_with_a_payment_that_reduced_the_principal(sessions):
    # 100.00 on 15 Jan 2026: 10.48 interest, 89.52 principal -> 910.48 open, interest on it
    # from 16 Jan; nothing of the interest is open
    case_id = make_case(sessions, make_creditor(sessions), claims=CLAIM,
                        payments=((date(2026, 1, 15), "100.00"),))  # fmt: skip
    app = preview(sessions, case_id).application
    (claim,) = app.claims
    assert claim.amount == D("910.48")
    assert claim.interest == (InterestLine(D("5"), "B", date(2026, 1, 16), D("910.48")),)
    assert app.computed_interest is None


def test_without_payments_interest_runs_from_the_default(sessions):
    case_id = make_case(sessions, make_creditor(sessions), claims=CLAIM)
    app = preview(sessions, case_id).application
    assert app.claims[0].amount == D("1000.00")
    assert app.claims[0].interest[0].since == date(2025, 11, 16)
    assert app.claims[0].catalogue == 43 and app.claims[0].number == "R-1"
    assert app.claims[0].date_from == date(2025, 11, 1)  # invoice date
    assert (app.court_id, app.court_postcode, app.court_city) == ("P2510", "29525", "Uelzen")
    assert app.streitgericht.text == "Amtsgericht 80331 München"
    assert app.counter_performance == "rendered" and app.mandate_date == date(2026, 1, 5)
    assert [n for n in app.applicant.names] == ["Stadtwerke Nord GmbH"]
    assert app.applicant.anrede == "" and app.applicant.legal_form == "GmbH"


def test_dunning_fees_go_in_agency_fees_are_named(sessions):
    case_id = make_case(sessions, make_creditor(sessions), claims=CLAIM)
    with transaction(sessions) as s:
        case = s.get(Case, case_id)
        now = case.created_at
        cases.add_cost(s, case, date(2026, 1, 20), "Mahnpauschale", D("2.50"),
                       source="test", now=now, code="MAHNPAUSCHALE")  # fmt: skip
        cases.add_cost(s, case, date(2026, 1, 5), "Geschäftsgebühr", D("46.50"),
                       source="test", now=now, code="VV 2300")  # fmt: skip
    app = preview(sessions, case_id).application
    assert [(a.kind, a.amount) for a in app.ancillaries] == [("MAHNK", D("2.50"))]
    assert any("Inkassokosten 46,50 €" in n and "UNVERIFIED" in n for n in app.notes)


def test_free_text_claims_without_a_catalogue_number(sessions):
    settings = dict(COURT_SETTINGS)
    del settings["catalogue"]
    creditor = make_creditor(sessions, court=settings)
    case_id = make_case(sessions, creditor, claims=CLAIM)
    claim = preview(sessions, case_id).application.claims[0]
    assert claim.catalogue is None
    assert claim.free_text == "Stromlieferung, Jahresabrechnung 2025, Rechnung R-1 vom 01.11.2025"
    unlabelled = make_case(sessions, creditor, "K-2", claims=CLAIM, label="")
    assert any("keine Katalognummer und keine Begründung" in r
               for r in preview(sessions, unlabelled).reasons)  # fmt: skip


REASONS = [
    ("disputed", "Widerspruch/Einwand des Schuldners offen"),
    ("paid", "nichts mehr offen (bezahlt)"),
    ("barred", "Forderung verjährt seit 01.01.2025"),
    ("insolvent", "Insolvenzverfahren gemeldet"),
    ("deceased", "Schuldner verstorben"),
    ("no-address", "keine Anschrift des Schuldners"),
    ("minor", "Schuldner minderjährig"),
    ("recalled", "Fall ist nicht offen (recalled)"),
    ("running", "gerichtliches Mahnverfahren besteht schon (prepared)"),
    ("company", "Antragsgegner: gesetzlicher Vertreter fehlt"),
]


@pytest.mark.parametrize(("kind", "reason"), REASONS, ids=[r[0] for r in REASONS])
def test_every_reason_a_case_cannot_go_to_court(sessions, kind, reason):
    creditor = make_creditor(sessions)
    kw: dict = {}
    if kind == "barred":
        kw["claims"] = (("R-1", "500.00", date(2021, 3, 1)),)
    if kind == "no-address":
        kw.update(street=None, postcode=None, city=None)
    if kind == "minor":
        kw["birth_date"] = date(2010, 4, 1)
    if kind == "company":
        kw.update(kind="legal", consumer=False, first_name=None, last_name=None,
                  company="Bau GmbH", birth_date=None)  # fmt: skip
    case_id = make_case(sessions, creditor, **kw)
    with transaction(sessions) as s:
        case = s.get(Case, case_id)
        if kind == "disputed":
            workflow.open_dispute(s, CLI, case_id, "bestritten")
        elif kind == "paid":
            cases.record_payment(s, CLI, case, day=DAY, amount=D("2000.00"), source="bank")
        elif kind in ("insolvent", "deceased"):
            workflow.set_flag(s, CLI, case_id, "insolvency" if kind == "insolvent" else kind)
        elif kind == "recalled":
            cases.recall_case(s, CLI, case)
        elif kind == "running":
            court.prepare(s, AGENT, case_id, today=DAY)
    with transaction(sessions) as s, pytest.raises(court.CourtRefusal) as err:
        court.prepare(s, AGENT, case_id, today=DAY)
    assert any(reason in r for r in err.value.reasons), err.value.reasons
    assert str(err.value).startswith("Fall MW-")


def test_a_company_with_its_representative_can_go(sessions):
    case_id = make_case(sessions, make_creditor(sessions), kind="legal", consumer=False,
                        first_name=None, last_name=None, company="Bau GmbH", birth_date=None)  # fmt: skip
    view = preview(
        sessions, case_id, defendant_legal_form="GmbH",
        defendant_representatives=(Representative("Geschäftsführer", "Erik Bau"),),
    )  # fmt: skip
    assert view.reasons == ()
    assert view.application.defendant.legal_form == "GmbH"
    # business debtor: statutory interest is 9 points above the base rate (§ 288 Abs. 2 BGB)
    assert view.application.claims[0].interest[0].rate == D("9")


def test_the_creditor_must_name_its_land_and_nrw_its_court(sessions):
    missing = make_creditor(sessions, "A GmbH", court=None)
    a = make_case(sessions, missing, "A")
    assert any("Gerichtsangaben fehlen" in r for r in preview(sessions, a).reasons)
    nrw = make_creditor(sessions, "B GmbH", court={**COURT_SETTINGS, "land": "NW"})
    b = make_case(sessions, nrw, "B")
    assert any(
        "Nordrhein-Westfalen hat zwei Mahngerichte" in r for r in preview(sessions, b).reasons
    )
    named = make_creditor(
        sessions, "C GmbH", court={**COURT_SETTINGS, "land": "NW", "mahngericht": "R2602"}
    )
    c = make_case(sessions, named, "C")
    assert preview(sessions, c).application.court_name == "Amtsgericht Hagen"


def _approved(sessions, case_id) -> int:
    with transaction(sessions) as s:
        p = court.prepare(s, AGENT, case_id, today=DAY)
        workflow.approve(s, LEAD, p.approval_id, "geprüft", today=DAY)
        return p.id


def test_export_leaves_out_recalled_and_paid_cases_and_writes_the_rest(runtime, sessions):
    creditor = make_creditor(sessions)
    ids = {ref: make_case(sessions, creditor, ref, last_name=ref) for ref in
           ("ok", "recalled", "paid", "late-payment", "disputed")}  # fmt: skip
    procedures = {ref: _approved(sessions, i) for ref, i in ids.items()}
    with transaction(sessions) as s:
        cases.recall_case(s, CLI, s.get(Case, ids["recalled"]))
        cases.record_payment(s, CLI, s.get(Case, ids["paid"]), day=DAY, amount=D("5000"),
                             source="bank")  # fmt: skip
        cases.record_payment(s, CLI, s.get(Case, ids["late-payment"]), day=date(2026, 3, 3),
                             amount=D("50"), source="bank")  # fmt: skip
        workflow.open_dispute(s, CLI, ids["disputed"], "Rechnung falsch")
    with transaction(sessions) as s:
        result = court_export.export(s, LEAD, runtime.settings, today=date(2026, 3, 4))
    with transaction(sessions) as s:
        court_export.deliver(s)
    assert [(f.satzart, f.applications) for f in result.files] == [("01", 1)]
    assert len(result.withdrawn) == 2 and len(result.returned) == 2
    assert any("Forderung bezahlt" in w for w in result.withdrawn)
    assert any("Zahlung vom 03.03.2026 nach der Vorbereitung" in r for r in result.returned)
    data = result.files[0].path.read_bytes()
    (kennsatz,) = [r for r in read(data).files[0].records if r.key == "01KS   00"]
    with sessions() as s:
        states = {ref: s.get(CourtProcedure, pid).state for ref, pid in procedures.items()}
        ok_ref = s.get(Case, ids["ok"]).reference
    assert kennsatz.fields["TGZ"] == ok_ref
    assert states == {"ok": "filed", "recalled": "withdrawn", "paid": "withdrawn",
                      "late-payment": "returned", "disputed": "returned"}  # fmt: skip
    # again: nothing is written twice
    with transaction(sessions) as s:
        again = court_export.export(s, LEAD, runtime.settings, today=date(2026, 3, 4))
    assert again.files == [] and "keine Datei" in again.german()


def test_export_needs_the_kennziffer(runtime, sessions):
    from court_support import with_settings

    case_id = make_case(sessions, make_creditor(sessions))
    _approved(sessions, case_id)
    with (
        transaction(sessions) as s,
        pytest.raises(court.CourtError, match="MAHNWERK_EDA_KENNZIFFER"),
    ):
        court_export.export(s, LEAD, with_settings(runtime, eda_kennziffer="").settings, today=DAY)


def test_file_names_with_the_courts_code_run_from_001_to_499(runtime, sessions):
    from court_support import with_settings

    rt = with_settings(runtime, eda_file_code="MWK")
    creditor = make_creditor(sessions)
    names = []
    for i in range(2):
        _approved(sessions, make_case(sessions, creditor, f"F-{i}", last_name=f"N{i}"))
        with transaction(sessions) as s:
            result = court_export.export(s, LEAD, rt.settings, today=DAY)
        names.extend(f.name for f in result.files)
    assert names == ["MWK001.EDA", "MWK002.EDA"]
    with transaction(sessions) as s:
        from mahnwerk.store.court import EdaFile

        s.scalars(select(EdaFile).order_by(EdaFile.id.desc())).first().edaid = "MWK499"
        assert court_export.next_edaid(s, "MWK") == "MWK001"


def test_the_strategys_court_step_prepares_the_application_when_approved(sessions):
    from mahnwerk.store.workflow import Approval, CaseStrategy, Task

    creditor = make_creditor(sessions)
    case_id = make_case(sessions, creditor)
    bare = make_case(sessions, make_creditor(sessions, "Ohne Angaben GmbH", court=None), "K-2")
    with transaction(sessions) as s:
        for cid in (case_id, bare):
            s.add(CaseStrategy(case_id=cid, strategy_name="standard", strategy_version=1,
                               step_index=5, stage_since=DAY, first_contact_done=True,
                               updated_at=s.get(Case, cid).created_at))  # fmt: skip
            s.add(Approval(case_id=cid, step_index=6, stage="court_handover",
                           strategy_name="standard", strategy_version=1, reason="Mahnbescheid?",
                           status="pending", requested_at=s.get(Case, cid).created_at))  # fmt: skip
    with transaction(sessions) as s:
        for a in s.scalars(select(Approval)):
            workflow.approve(s, LEAD, a.id, "ab zum Gericht", today=DAY)
    with sessions() as s:
        (p,) = s.scalars(select(CourtProcedure)).all()
        assert (p.case_id, p.state, p.prepared_by, p.approved_by) == (
            case_id,
            "approved",
            "system:strategy",
            LEAD.label,
        )
        (task,) = s.scalars(select(Task).where(Task.case_id == bare)).all()
        assert "Gerichtsangaben fehlen" in task.reason
        assert s.get(Case, case_id).stage == "court_handover"
        assert s.get(Creditor, creditor) is not None
