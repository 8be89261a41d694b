"""The daily run knows titles and court procedures: a titled claim keeps 30 years and gets no
more pre-court letters, a running procedure stops the strategy, a served Mahnbescheid
suspends limitation. The per-case run and the vectorised batch decide the same."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from court_support import make_case, make_creditor
from reference_snapshot import reference_decisions
from sqlalchemy import select

from mahnwerk.batch.decisions import decide_partition
from mahnwerk.domain.dunning import Outcome
from mahnwerk.domain.title import Title
from mahnwerk.services.actor import CLI
from mahnwerk.services.court.titles import record_enforcement_act, record_title
from mahnwerk.services.dunning.run import run_day
from mahnwerk.store.court import CourtProcedure
from mahnwerk.store.db import transaction
from mahnwerk.store.workflow import OutboxMessage
from mahnwerk.strategies import StrategyBook

DAY = date(2026, 3, 2)
OLD = (("R-1", "800.00", date(2021, 5, 2)),)  # origin 2021-05-02 (due date)
PAID_2022 = ((date(2022, 1, 10), "50.00"),)


def vb(**kw) -> Title:
    base = dict(
        kind="vollstreckungsbescheid",
        court="AG Hünfeld",
        file_number="22-0456789-0-3",
        issued=date(2022, 9, 1),
        final=date(2022, 9, 20),
        principal=D("800.00"),
        interest_from=date(2021, 5, 3),
        interest="base_plus:5",
    )
    base.update(kw)
    return Title(**base)


def build(sessions) -> dict[str, int]:
    creditor = make_creditor(sessions)
    ids = {
        "titled": make_case(sessions, creditor, "titled", claims=OLD, payments=PAID_2022),
        "barred": make_case(sessions, creditor, "barred", claims=OLD, payments=PAID_2022),
        "in-court": make_case(sessions, creditor, "in-court"),
        "suspended": make_case(
            sessions, creditor, "suspended", claims=(("R-9", "300.00", date(2022, 6, 1)),)
        ),
        "fresh-titled": make_case(sessions, creditor, "fresh-titled"),
    }
    with transaction(sessions) as s:
        record_title(s, CLI, ids["titled"], vb())
        fresh = record_title(
            s,
            CLI,
            ids["fresh-titled"],
            vb(
                file_number="26-1",
                issued=date(2026, 2, 2),
                final=date(2026, 2, 18),
                principal=D("1250.00"),
                interest_from=date(2025, 11, 16),
            ),
        )
        record_enforcement_act(s, CLI, fresh.id, date(2026, 2, 25), "Vollstreckungsauftrag")
        now = datetime(2026, 1, 1, tzinfo=UTC)
        for ref, state, filed, served, ended in (
            ("in-court", "filed", date(2026, 2, 20), None, None),
            # served in 2025: suspended until six months after it ended (10 Jan 2026)
            ("suspended", "withdrawn", date(2025, 10, 1), date(2025, 10, 10), date(2026, 1, 10)),
        ):
            s.add(
                CourtProcedure(
                    case_id=ids[ref],
                    state=state,
                    state_since=filed,
                    tgz=ref,
                    court_id="M1307",
                    application={},
                    application_digest="-",
                    prepared_by="cli:test",
                    prepared_at=now,
                    filed_on=filed,
                    served_on=served,
                    ended_on=ended,
                    created_at=now,
                    updated_at=now,
                )
            )
    return ids


def per_case(sessions, day: date):
    return reference_decisions(sessions, day, StrategyBook())


def test_titles_and_procedures_in_the_daily_run(sessions, engine):
    ids = build(sessions)
    reference = per_case(sessions, DAY)
    snap = {ref: reference[i][0] for ref, i in ids.items()}
    decision = {ref: reference[i][1] for ref, i in ids.items()}

    # a titled claim whose last payment is four years old is still collected
    assert snap["titled"].titled and snap["titled"].barred_from == date(2052, 9, 21)
    assert decision["titled"].outcome is not Outcome.STOPPED
    assert not any("verjährt" in r for r in decision["titled"].reasons)
    # the same claim without a title is time-barred (3 years from the payment)
    assert snap["barred"].barred_from == date(2025, 1, 11)
    assert decision["barred"].outcome is Outcome.STOPPED
    assert "Forderung verjährt: Mahnung eingestellt" in decision["barred"].reasons
    # titled: the pre-court steps are skipped, the next step is enforcement (a person decides)
    assert decision["titled"].outcome is Outcome.APPROVAL
    assert [a.stage for a in decision["titled"].approvals] == ["enforcement"]
    assert decision["fresh-titled"].actions == ()
    assert snap["fresh-titled"].barred_from == date(2056, 2, 26)  # restarted by the act
    # a running procedure: the strategy waits
    assert snap["in-court"].court_running
    assert decision["in-court"].outcome is Outcome.WAITING
    assert decision["in-court"].reasons == ("gerichtliches Mahnverfahren läuft",)
    # origin 2022-06-01, regular end 31 Dec 2025; suspended 1 Oct 2025 - 10 Jul 2026: the 92
    # days left on 1 Oct 2025 run from 11 Jul 2026 -> last day 10 Oct 2026
    assert snap["suspended"].barred_from == date(2026, 10, 11)
    assert not snap["suspended"].court_running

    # the batch decides exactly the same
    with engine.connect() as connection:
        batch = decide_partition(connection, DAY, keep=True)
    assert batch.decisions is not None
    for ref, case_id in ids.items():
        b_snap, b_decision = batch.decisions[case_id]
        assert (b_snap.titled, b_snap.court_running) == (
            snap[ref].titled,
            snap[ref].court_running,
        ), ref
        assert b_decision == decision[ref], ref
        barred_ref = snap[ref].barred_from is not None and snap[ref].barred_from <= DAY
        barred_batch = b_snap.barred_from is not None and b_snap.barred_from <= DAY
        assert barred_batch == barred_ref, ref


def test_the_real_run_sends_no_letter_for_titled_claims(runtime, sessions):
    ids = build(sessions)
    summary = run_day(runtime, DAY, now=datetime(2026, 3, 2, 9, tzinfo=UTC), processes=1)
    assert summary.errors == []
    with sessions() as s:
        letters = {
            m.case_id for m in s.scalars(select(OutboxMessage).where(OutboxMessage.run_date == DAY))
        }
    assert ids["titled"] not in letters and ids["fresh-titled"] not in letters
    assert ids["in-court"] not in letters
