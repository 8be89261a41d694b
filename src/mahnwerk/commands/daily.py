"""The dunning commands:

- ``mahnwerk run [--date D]``: the daily run (Mahnlauf) with a German summary;
- ``mahnwerk approvals list | approve ID [--by EMAIL] --reason R | reject ID [--by EMAIL]
  --reason R`` (``--by``: the staff user who decides; without it the operator at the shell;
  who may decide a court application is ``services.court.prepare.approval_refusal``);
- ``mahnwerk dispute open CASE --reason R``;
- ``mahnwerk plan add CASE --amount A --start D --count N [--interval M]``.

CASE is the case number (``MW-00000123-20``) or the internal id.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    run = subparsers.add_parser(
        "run", help="Mahnlauf für einen Tag", description="Mahnlauf: alle offenen Fälle."
    )
    run.add_argument("--date", dest="day", help="Tag JJJJ-MM-TT (Standard: heute)")
    run.add_argument(
        "--plan-only",
        action="store_true",
        help="nur planen: Entscheidungen, Wirkungen und Nachrichten in die Warteschlange, nichts"
        " zustellen",
    )
    run.add_argument(
        "--processes", type=int, default=None, help="Prozesse der Planung (Standard: je Kern einer)"
    )
    run.set_defaults(handler=run_command)

    ap = subparsers.add_parser("approvals", help="Freigaben: Gericht, Vollstreckung …")
    sub = ap.add_subparsers(dest="action", metavar="AKTION", required=True)
    sub.add_parser("list", help="offene Freigaben anzeigen").set_defaults(handler=approvals_list)
    for name, helptext in (("approve", "freigeben"), ("reject", "ablehnen")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("id", type=int, help="Nummer der Freigabe")
        p.add_argument("--by", metavar="EMAIL", help="wer entscheidet (Benutzer mit E-Mail)")
        p.add_argument("--reason", required=True, help="Begründung")
        p.set_defaults(handler=approvals_decide, decision=name)

    dp = subparsers.add_parser("dispute", help="Widerspruch erfassen")
    dsub = dp.add_subparsers(dest="action", metavar="AKTION", required=True)
    d_open = dsub.add_parser("open", help="Widerspruch eröffnen: Mahnung ruht")
    d_open.add_argument("case", help="Aktenzeichen oder Fallnummer")
    d_open.add_argument("--reason", required=True, help="Grund des Widerspruchs")
    d_open.set_defaults(handler=dispute_open)

    pp = subparsers.add_parser("plan", help="Ratenzahlung / Zahlungsversprechen")
    psub = pp.add_subparsers(dest="action", metavar="AKTION", required=True)
    p_add = psub.add_parser("add", help="Ratenzahlung oder Zahlungsversprechen erfassen")
    p_add.add_argument("case", help="Aktenzeichen oder Fallnummer")
    p_add.add_argument("--amount", required=True, help="Ratenbetrag, z. B. 50.00")
    p_add.add_argument("--start", required=True, help="erste Rate am JJJJ-MM-TT")
    p_add.add_argument("--count", type=int, default=1, help="Anzahl der Raten (1 = Versprechen)")
    p_add.add_argument("--interval", type=int, default=1, help="Monate zwischen den Raten")
    p_add.set_defaults(handler=plan_add)


class _BadInput(Exception):
    pass


def _actor() -> Any:
    from mahnwerk.services.actor import Actor

    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment
        user = "local"
    return Actor(kind="cli", id=user, role="admin", origin="cli")


def _date(text: str | None, what: str) -> date:
    if not text:
        from mahnwerk.services.actor import today_in_germany

        return today_in_germany()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _BadInput(f"{what}: {text!r} ist kein Datum JJJJ-MM-TT") from exc


def _case_id(session: Any, text: str) -> int:
    from sqlalchemy import select

    from mahnwerk.domain.case_reference import parse_case_reference
    from mahnwerk.store.models import Case

    if text.isdigit():
        return int(text)
    number = parse_case_reference(text)
    if number is None:
        case_id = session.scalar(select(Case.id).where(Case.reference == text))
        if case_id is None:
            raise _BadInput(f"Fall {text!r} nicht gefunden")
        return int(case_id)
    return number


def _fail(message: str) -> int:
    print(f"Fehler: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def run_command(args: argparse.Namespace) -> int:
    from mahnwerk.startup import loading

    with loading():
        from mahnwerk.bootstrap import build
        from mahnwerk.services.dunning.run import run_day
        from mahnwerk.strategies import StrategyError

    try:
        day = _date(args.day, "--date")
        runtime = build()
        summary = run_day(
            runtime,
            day,
            processes=args.processes,
            deliver=not args.plan_only,
            warn=lambda line: print(f"WARNUNG: {line}", file=sys.stderr, flush=True),
        )
    except (_BadInput, StrategyError) as exc:
        return _fail(str(exc))
    print(summary.german())
    return EXIT_OK


def approvals_list(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.workspace.workflow import list_approvals
    from mahnwerk.store.models import Case

    runtime = build()
    with runtime.sessions() as s:
        rows = list_approvals(s)
        if not rows:
            print("Keine offenen Freigaben.")
        for a in rows:
            case = s.get(Case, a.case_id)
            ref = case.reference if case else a.case_id
            print(f"{a.id:>6}  {ref}  {a.stage:<22} seit {a.requested_at:%d.%m.%Y}  {a.reason}")
    return EXIT_OK


def user_actor(session: Any, email: str | None) -> Any:
    """The staff user ``email`` as the actor (origin ``cli``), or the operator at the shell."""
    if not email:
        return _actor()
    from sqlalchemy import select

    from mahnwerk.services.actor import STAFF_ROLES
    from mahnwerk.services.admin.accounts import actor_for_user
    from mahnwerk.store.models import User

    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        raise _BadInput(f"--by: keinen aktiven Benutzer {email!r}")
    if user.role not in STAFF_ROLES:
        raise _BadInput(f"--by: {email} gehört nicht zum Team und darf nicht freigeben")
    return actor_for_user(user, "cli")


def approvals_decide(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.workspace.workflow import WorkflowError, approve, reject
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            actor = user_actor(s, args.by)
            if args.decision == "approve":
                a = approve(s, actor, args.id, args.reason)
                print(f"Freigabe {a.id} erteilt: {a.stage}")
            else:
                a = reject(s, actor, args.id, args.reason)
                print(f"Freigabe {a.id} abgelehnt: {a.stage}")
    except (WorkflowError, _BadInput) as exc:
        return _fail(str(exc))
    return EXIT_OK


def dispute_open(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.workspace.workflow import WorkflowError, open_dispute
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            d = open_dispute(s, _actor(), _case_id(s, args.case), args.reason)
            print(f"Widerspruch {d.id} erfasst: Mahnung für den Fall ruht bis zur Klärung.")
    except (WorkflowError, _BadInput) as exc:
        return _fail(str(exc))
    return EXIT_OK


def plan_add(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.workspace.workflow import WorkflowError, add_plan
    from mahnwerk.store.db import transaction

    try:
        amount = Decimal(args.amount)
    except InvalidOperation:
        return _fail(f"--amount: {args.amount!r} ist kein Betrag")
    runtime = build()
    try:
        start = _date(args.start, "--start")
        with transaction(runtime.sessions) as s:
            plan = add_plan(
                s,
                _actor(),
                _case_id(s, args.case),
                amount=amount,
                start=start,
                count=args.count,
                interval_months=args.interval,
            )
            art = "Ratenzahlung" if plan.kind == "plan" else "Zahlungsversprechen"
            print(f"{art} {plan.id} erfasst. Kostenhinweis (§ 13a Abs. 3 RDG): {plan.cost_notice}")
    except (WorkflowError, _BadInput) as exc:
        return _fail(str(exc))
    return EXIT_OK
