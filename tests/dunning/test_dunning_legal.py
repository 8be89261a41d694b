"""Issue 17 in the pure decision: fees only on claims in default (§ 286 BGB), never for the
reminder that creates default, the § 288 Abs. 5 flat fee per claim, the agency-fee factor,
no double charge, no message while a base rate is unknown; worked examples by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from mahnwerk.domain.default import default_start
from mahnwerk.domain.dunning import (
    BASE_RATE_REFUSAL,
    CaseSnapshot,
    ClaimFacts,
    Outcome,
    decide,
    defaults_by_reminder,
    step_fees,
)
from mahnwerk.domain.fees import effective_agency_factor
from mahnwerk.domain.strategy import FeeCode, parse_strategy
from mahnwerk.strategies import StrategyBook

STANDARD = StrategyBook().get("standard")
HANDED = date(2026, 3, 2)
IN_DEFAULT = ClaimFacts(11, D("1000.00"), date(2026, 1, 16), date(2026, 1, 15))
NOT_IN_DEFAULT = ClaimFacts(12, D("250.00"), None, date(2026, 2, 20))
SNAP = CaseSnapshot(
    case_id=1,
    consumer=True,
    handed_over=HANDED,
    open_amount=D("1300.00"),
    principal=D("1250.00"),
    due_since=date(2026, 1, 15),
    has_email=True,
    claims=(IN_DEFAULT, NOT_IN_DEFAULT),
)


def fees(decision):
    return [(f.code, f.amount, f.claim) for f in decision.fees]


def test_the_agency_fee_is_charged_only_on_the_claims_in_default_at_the_hand_over():
    # 0.5 × 1.0 fee for 1,000.00 (RVG 2025: 93.00) = 46.50, VV 7002 20 % = 9.30; the 250.00
    # not yet in default do not count (they would make it 0.5 × 134.50 = 67.25)
    d = decide(SNAP, STANDARD, HANDED)
    assert fees(d) == [("VV 2300", D("46.50"), None), ("VV 7002", D("9.30"), None)]


def test_no_agency_fee_when_no_claim_was_in_default_at_the_hand_over():
    snap = replace(SNAP, claims=(NOT_IN_DEFAULT,), principal=D("250.00"))
    d = decide(snap, STANDARD, HANDED)
    assert d.outcome is Outcome.ACTION and d.fees == ()


def test_the_dunning_flat_fee_is_not_charged_for_the_reminder_that_creates_default():
    strategy, problems = parse_strategy(
        {
            "name": "own",
            "version": 1,
            "steps": [
                {
                    "stage": "reminder",
                    "wait_days": 0,
                    "channel": "letter",
                    "fees": [{"code": "dunning_flat", "amount": "2.50"}],
                },
                {
                    "stage": "dunning_1",
                    "wait_days": 14,
                    "channel": "letter",
                    "fees": [{"code": "dunning_flat", "amount": "2.50"}],
                },
            ],
        }
    )
    assert problems == []
    first = decide(replace(SNAP, has_postal_address=True), strategy, HANDED)
    assert first.outcome is Outcome.ACTION and first.fees == ()
    # two weeks later the reminder has put the second claim in default (2026-03-07)
    later = replace(
        SNAP,
        step_index=0,
        step_date=HANDED,
        first_contact_done=True,
        claims=(IN_DEFAULT, NOT_IN_DEFAULT._replace(default_from=date(2026, 3, 7))),
    )
    second = decide(later, strategy, date(2026, 3, 16))
    assert fees(second) == [("MAHNPAUSCHALE", D("2.50"), None)]


def test_the_flat_fee_of_288_5_once_per_entgelt_claim_in_default_never_for_consumers():
    business = replace(
        SNAP,
        consumer=False,
        claims=(
            IN_DEFAULT,
            NOT_IN_DEFAULT,
            ClaimFacts(13, D("90.00"), date(2026, 1, 16), date(2026, 1, 15), entgelt=False),
            ClaimFacts(14, D("60.00"), date(2026, 2, 1), date(2026, 1, 31), flat_fee_charged=True),
        ),
    )
    step = STANDARD.steps[0]
    charged = [(f.code, f.amount, f.claim) for f in step_fees(business, step, HANDED)]
    # agency fee on 1,000 + 90 + 60 = 1,150.00 in default at the hand-over: 0.5 × 134.50
    assert charged == [
        ("VV 2300", D("67.25"), None),
        ("VV 7002", D("13.45"), None),
        ("§ 288 Abs. 5", D("40.00"), 11),  # only the Entgelt in default, not yet charged
    ]
    assert [f.code for f in step_fees(SNAP, step, HANDED)] == ["VV 2300", "VV 7002"]


def test_an_agency_fee_above_0_5_only_two_weeks_after_the_first_payment_request():
    assert effective_agency_factor(D("0.9"), None, HANDED) == D("0.5")
    assert effective_agency_factor(D("0.9"), date(2026, 3, 2), date(2026, 3, 16)) == D("0.5")
    assert effective_agency_factor(D("0.7"), date(2026, 3, 2), date(2026, 3, 17)) == D("0.7")
    assert effective_agency_factor(D("0.3"), None, HANDED) == D("0.3")


def test_factors_above_0_9_and_between_the_steps_are_refused_when_the_strategy_is_loaded():
    for factor, ok in (
        ("0.5", True),
        ("0.9", True),
        ("0.6", True),
        ("1.0", False),
        ("1.3", False),
        ("0.55", False),
    ):
        _, problems = parse_strategy(
            {
                "name": "x",
                "version": 1,
                "steps": [
                    {
                        "stage": "reminder",
                        "wait_days": 0,
                        "channel": "letter",
                        "fees": [{"code": "agency_fee", "factor": factor}],
                    }
                ],
            }
        )
        assert (problems == []) is ok, (factor, problems)
    assert "höchstens 0,9" in problems[0]


def test_a_strategy_charging_the_creditors_flat_fee_after_the_hand_over_and_the_agency_fee_is_refused():
    _, problems = parse_strategy(
        {
            "name": "double",
            "version": 1,
            "steps": [
                {
                    "stage": "reminder",
                    "wait_days": 0,
                    "channel": "letter",
                    "fees": [{"code": "agency_fee", "factor": "0.5"}],
                },
                {
                    "stage": "dunning_1",
                    "wait_days": 14,
                    "channel": "letter",
                    "fees": [{"code": "dunning_flat", "amount": "2.50"}],
                },
            ],
        }
    )
    assert problems == [
        "Schritt 2 (dunning_1), Feld 'fees': Mahnpauschale (dunning_flat) nach der Übergabe "
        "neben der Geschäftsgebühr (agency_fee, Schritt 1) wäre doppelt berechnet: die Arbeit "
        "der Agentur deckt die Geschäftsgebühr ab (§ 13e RDG)"
    ]


def test_the_flat_fee_of_288_5_has_no_amount_of_its_own():
    _, problems = parse_strategy(
        {
            "name": "x",
            "version": 1,
            "steps": [
                {
                    "stage": "reminder",
                    "wait_days": 0,
                    "channel": "letter",
                    "fees": [{"code": "default_flat_fee", "amount": "50.00"}],
                }
            ],
        }
    )
    assert "40 € kraft Gesetzes" in problems[0]
    assert FeeCode.DEFAULT_FLAT_FEE in {f.code for f in STANDARD.steps[0].fees}


def test_no_letter_email_or_sms_while_a_base_rate_is_unknown_and_the_reason_says_how_to_fix_it():
    d = decide(replace(SNAP, base_rate_unknown=date(2027, 1, 1)), STANDARD, HANDED)
    assert d.outcome is Outcome.WAITING and d.actions == () and d.fees == ()
    (reason,) = d.reasons
    assert reason.startswith(BASE_RATE_REFUSAL)
    assert "mahnwerk reference base-rate add 2027-01-01 <Satz> --source <URL>" in reason


def test_the_first_written_reminder_puts_due_claims_in_default_on_arrival():
    # letter of 2026-03-02: taken to arrive on 2026-03-06 (4 days), interest from 2026-03-07;
    # a claim due only later is not put in default, one in default earlier keeps its day
    later_due = ClaimFacts(15, D("10.00"), None, date(2026, 3, 10))
    assert defaults_by_reminder((IN_DEFAULT, NOT_IN_DEFAULT, later_due), HANDED) == (
        (12, date(2026, 3, 7)),
    )
    assert defaults_by_reminder((NOT_IN_DEFAULT,), HANDED, receipt_days=3) == (
        (12, date(2026, 3, 6)),
    )


def test_no_default_without_its_ground():
    # § 286 Abs. 3 against a consumer only with the notice on the invoice; for a business by law
    plain = dict(due_date=date(2025, 3, 1), invoice_date=date(2025, 2, 15))
    assert default_start(**plain, consumer=True).default_from is None
    assert default_start(**plain, consumer=True, notice_286_3=True).default_from == date(2025, 4, 1)
    assert default_start(**plain, consumer=False).default_from == date(2025, 4, 1)
    # not for claims of kind "other" (damages): only an Entgeltforderung
    assert default_start(**plain, consumer=False, entgelt=False).default_from is None
    assert default_start(**plain, consumer=True, entgelt=False, notice_286_3=True).problems
    # the creditor's reminder of 2025-03-10 arrives 2025-03-14: interest from 2025-03-15; an
    # invoice received late (2025-02-27 + 4 days = 2025-03-03) counts from the receipt
    ground = default_start(
        due_date=date(2025, 3, 1), reminder_date=date(2025, 3, 10), consumer=True
    )
    assert (ground.default_from, ground.ground) == (
        date(2025, 3, 15),
        "Mahnung des Gläubigers vom 10.03.2025 (§ 286 Abs. 1 BGB)",
    )
    late = default_start(
        due_date=date(2025, 3, 1), invoice_date=date(2025, 2, 27), consumer=True, notice_286_3=True
    )
    assert late.default_from == date(2025, 4, 3)  # 03.03. + 30 days = 02.04., interest 03.04.
    # the earlier of two grounds wins; a reminder before the due date is refused
    both = default_start(**plain, reminder_date=date(2025, 3, 2), consumer=True, notice_286_3=True)
    assert both.default_from == date(2025, 3, 7)
    early = default_start(due_date=date(2025, 3, 1), reminder_date=date(2025, 2, 1), consumer=True)
    assert early.default_from is None and early.problems[0][0] == "reminder_date"
