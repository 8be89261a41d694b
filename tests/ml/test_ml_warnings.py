import pandas as pd

from mahnwerk.ml.history import CaseHistories
from mahnwerk.ml.warnings import early_warnings

AS_OF = pd.Timestamp("2025-06-30")


def d(days: float) -> pd.Timestamp:
    return AS_OF - pd.Timedelta(days=days)


def histories() -> CaseHistories:
    cases = pd.DataFrame(
        {
            "case_id": [1, 2, 3, 4, 5, 6],
            "person_id": [1, 2, 3, 4, 5, 6],
            "creditor_id": 1,
            "debtor_type": "consumer",
            "claim_type": "telecom",
            "principal_cents": 100_000,
            "costs_cents": 10_000,
            "due_date": d(300),
            "opened_at": d(250),
            "stage": "dunning",
            "stage_since": d(40),
        }
    )
    persons = pd.DataFrame(
        {
            "person_id": range(1, 7),
            "debtor_type": "consumer",
            "birth_date": pd.NaT,
            "postcode": "10115",
        }
    )
    events = pd.DataFrame(
        {
            "case_id": [3, 1],
            "ts": [d(10), d(10)],
            "channel": ["letter", "letter"],
            "delivery": ["returned", "delivered"],
            "responded": [False, False],
            "response_ts": [pd.NaT, pd.NaT],
        }
    )
    # case 2: paid every 30 days, then stopped 60 days ago; case 4: returned direct debit
    regular = [d(60 + 30 * k) for k in range(5)]
    payments = pd.DataFrame(
        {
            "case_id": [2] * 5 + [4, 6],
            "ts": [*regular, d(5), d(3)],
            "amount_cents": [5_000] * 5 + [5_000, 5_000],
            "method": ["transfer"] * 5 + ["direct_debit", "transfer"],
            "reversed": [False] * 5 + [True, False],
        }
    )
    promises = pd.DataFrame(
        {
            "case_id": [1, 1, 6],
            "made_at": [d(90), d(90), d(20)],
            "due_at": [d(40), d(10), d(6)],
            "amount_cents": [10_000, 10_000, 5_000],
            "plan_id": pd.array([1, 1, pd.NA], dtype="Int64"),
            "kept": pd.array([True, False, True], dtype="boolean"),
        }
    )
    moves = pd.DataFrame(
        {
            "person_id": [5, 6],
            "ts": [d(7), d(7)],
            "old_postcode": ["10115", "10115"],
            "new_postcode": ["80331", "10245"],  # Berlin → München is far, within Berlin not
        }
    )
    return CaseHistories(AS_OF, persons, cases, events, payments, promises, moves)


def test_each_obstacle_raises_a_task_for_a_person():
    w = early_warnings(histories())
    kinds = dict(zip(w["kind"], w["case_id"], strict=True))
    assert kinds == {
        "broken_plan": 1,
        "payment_stop": 2,
        "returned_mail": 3,
        "bounced_debit": 4,
        "far_move": 5,
    }
    assert (w["action"] == "task").all()
    assert (w["assignee"] == "Sachbearbeitung").all()
    assert w["task"].str.contains("Keine Verschärfung").all()
    assert not w["task"].str.contains("Mahnbescheid|Vollstreckung|schärfer", regex=True).any()


def test_old_events_do_not_warn_again():
    w = early_warnings(histories(), lookback_days=3)
    assert set(w["kind"]) == set()


def test_runs_on_simulated_histories(small_sim):
    w = early_warnings(small_sim.histories)
    assert {"broken_plan", "returned_mail", "bounced_debit"} <= set(w["kind"])
    assert w["case_id"].isin(small_sim.histories.cases["case_id"]).all()
