"""The next-best-action policy in the daily run (``services/dunning/plan.py`` calls these).

Per partition of the run:

1. :class:`HoldoutSwitch` is passed to the vectorised decisions: a new case whose creditor's
   strategy has an ``nba`` step is put, by a stable hash of the case
   (:func:`~mahnwerk.services.nba.decisions.in_holdout`), into the permanent control group and
   then follows the strategy's ``holdout`` strategy (the fixed one) instead; the group of
   every new case of such a strategy is recorded once (``nba_assignment``).
2. :func:`choose` asks the active policy, in the partition's read transaction, for the cases
   whose decision is ``nba`` today, and turns each contact into the step's action: a letter or
   an e-mail with the step's template (the first contact carries the § 13a RDG items), an SMS,
   or a phone task in the chosen time window.
3. :func:`store` writes, in the write transaction, one ``nba_decision`` row per claimed case
   with the message or phone task it caused, and the new assignments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from mahnwerk.domain.dunning import Action, CaseSnapshot, Decision
from mahnwerk.domain.strategy import Channel, Strategy
from mahnwerk.services.nba.decisions import (
    NbaChoice,
    NbaRequest,
    call_window,
    choose_actions,
    in_holdout,
)
from mahnwerk.store import run_writes
from mahnwerk.store.nba import NbaAssignment, NbaDecision
from mahnwerk.strategies import StrategyBook

if TYPE_CHECKING:
    from mahnwerk.config import NbaSettings, Settings

#: The template of an SMS and of a phone task chosen by the policy (the step's own template
#: is a letter or an e-mail).
SMS_TEMPLATE = "sms_reminder"
CALL_TEMPLATE = "phone_call"
_CHANNEL = {"letter": Channel.LETTER, "email": Channel.EMAIL, "sms": Channel.SMS}


@dataclass
class HoldoutSwitch:
    """The strategy of a new case: its creditor's, or the fixed one of the hold-out group."""

    settings: NbaSettings
    book: StrategyBook
    #: case id -> (arm, name of the next-best-action strategy), for the cases seen
    assigned: dict[int, tuple[str, str]] = field(default_factory=dict)

    def __call__(self, case_id: int, strategy: Strategy) -> Strategy | str:
        if not strategy.uses_nba:
            return strategy
        if not in_holdout(case_id, self.settings.holdout_share, self.settings.holdout_salt):
            self.assigned[case_id] = ("policy", strategy.name)
            return strategy
        try:
            fixed = self.book.get(strategy.holdout)
        except Exception as exc:  # reported per case, as any strategy that cannot be loaded
            return f"Kontrollgruppe: {type(exc).__name__}: {exc}"
        self.assigned[case_id] = ("holdout", strategy.name)
        return fixed


@dataclass(frozen=True)
class Chosen:
    """What the policy chose for one case, and the decision with its action."""

    choice: NbaChoice
    decision: Decision

    @property
    def window(self) -> dict[str, str] | None:
        """The call window as stored with the phone task's message (UTC, ISO 8601)."""
        row = self.choice.row
        span = call_window(row["run_date"], self.choice.action) if row else None
        if span is None:
            return None
        return {
            "action": self.choice.action,
            "from": span[0].isoformat(),
            "to": span[1].isoformat(),
        }


def _request(snapshot: CaseSnapshot, decision: Decision, strategy: Strategy) -> NbaRequest:
    assert decision.nba_step is not None
    return NbaRequest(
        case_id=snapshot.case_id,
        allowed=decision.nba_allowed,
        strategy_name=strategy.name,
        strategy_version=strategy.version,
        step_index=decision.nba_step,
        handed_over=snapshot.handed_over,
        amount=max(snapshot.principal, snapshot.open_amount),
        balance=snapshot.open_amount,
        has_email=snapshot.has_email and not snapshot.email_bounced,
        has_mobile=snapshot.has_mobile,
        has_phone=snapshot.has_phone,
    )


def _with_action(
    snapshot: CaseSnapshot, decision: Decision, strategy: Strategy, action: str
) -> Decision:
    if action == "none":
        return decision
    assert decision.nba_step is not None
    step = strategy.steps[decision.nba_step]
    if action in ("letter", "email"):
        channel, template = _CHANNEL[action], step.template
    elif action == "sms":
        channel, template = Channel.SMS, SMS_TEMPLATE
    else:
        channel, template = Channel.PHONE_TASK, CALL_TEMPLATE
    written = channel in (Channel.LETTER, Channel.EMAIL)
    message = Action(
        step_index=decision.nba_step,
        stage=step.stage,
        channel=channel,
        template=template,
        first_contact=written and not snapshot.first_contact_done,
        credit_bureau_notice=written and step.credit_bureau_notice,
        note=f"Kontaktsteuerung: {action}",
    )
    return replace(decision, actions=(message,))


def choose(
    connection: Connection,
    settings: Settings,
    day: date,
    cases: Sequence[tuple[CaseSnapshot, Decision, Strategy]],
) -> tuple[dict[int, Chosen], str | None]:
    """The policy's action for each case in an ``nba`` phase today (read only; see the
    module). The second value says why nothing was chosen (no active version)."""
    wanted = [(sn, d, st) for sn, d, st in cases if d.nba_step is not None and d.nba_allowed]
    if not wanted:
        return {}, None
    requests = [_request(sn, d, st) for sn, d, st in wanted]
    with Session(bind=connection) as s:
        choices, why = choose_actions(s, settings, requests, day)
    out = {}
    for (snapshot, decision, strategy), choice in zip(wanted, choices, strict=True):
        if choice.row is None:
            continue
        out[snapshot.case_id] = Chosen(
            choice, _with_action(snapshot, decision, strategy, choice.action)
        )
    return out, why


def new_assignments(connection: Connection, assigned: dict[int, tuple[str, str]]) -> list[int]:
    """The cases of ``assigned`` whose group is not yet recorded."""
    if not assigned:
        return []
    ids = sorted(assigned)
    known: set[int] = set()
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        known.update(
            connection.execute(
                select(NbaAssignment.case_id).where(NbaAssignment.case_id.in_(chunk))
            ).scalars()
        )
    return [i for i in ids if i not in known]


def store(
    connection: Connection,
    day: date,
    now: Any,
    chosen: dict[int, Chosen],
    outbox_ids: dict[int, int],
    assignments: dict[int, tuple[str, str]],
) -> None:
    """The decisions (with the message each caused) and the new groups of claimed cases."""
    rows = []
    for case_id, c in chosen.items():
        assert c.choice.row is not None
        rows.append({**c.choice.row, "outbox_id": outbox_ids.get(case_id), "created_at": now})
    run_writes.insert_rows(connection, NbaDecision.__table__, rows)
    run_writes.insert_rows(
        connection,
        NbaAssignment.__table__,
        [
            {"case_id": cid, "arm": arm, "strategy_name": name, "assigned_on": day}
            for cid, (arm, name) in sorted(assignments.items())
        ],
    )


__all__ = ["CALL_TEMPLATE", "SMS_TEMPLATE", "Chosen", "HoldoutSwitch", "choose", "store"]
