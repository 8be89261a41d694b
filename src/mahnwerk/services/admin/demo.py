"""``mahnwerk demo``: a realistic German portfolio on an empty database, run over some weeks.

What it does (on an EMPTY database only):

1. four creditors (Stadtwerke, a telecom, an online shop, a landlord) with address, the
   agency's trust account as ``payment_account``, commission, plan limits and strategy
   ``standard``; one API key each;
2. the demo logins (:func:`demo_logins`) with one printed demo password, one per role;
   each lands on its own start page (agent: the queue, team lead: approvals, compliance:
   models and audit trail, admin: users, creditors and registrations);
3. about ``cases`` debtors and cases from the debtor simulator, written into the store by
   :func:`mahnwerk.services.scoring.simulation.write_simulation`; the simulated history ends
   180 days before the first demo week (so the model's outcome window is fully observed);
4. the daily run once a week over ``weeks`` weeks and today. Messages of past days are marked
   as sent WITHOUT rendering (no PDF, no e-mail: the event says so); only today's run uses the
   configured channels (``render_today``), or leaves its messages queued for a worker
   (``queue_today``: ``make run`` starts one, the letters reach the portal as it goes);
5. a model trained on the store, audited, activated if the audit passes, and today's scores.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from mahnwerk.channels.base import Channels
from mahnwerk.domain.contact_rules import BERLIN
from mahnwerk.ml.simulator import load_params, simulate
from mahnwerk.services.actor import CLI, today_in_germany
from mahnwerk.services.admin import accounts
from mahnwerk.services.scoring.simulation import T_EVENT, new_ids, write_simulation
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, Creditor
from mahnwerk.store.workflow import CaseStrategy, OutboxMessage

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime

DEMO_PASSWORD = "Demo-Passwort-2025"
TRUST_ACCOUNT = {
    "holder": "mahnwerk Inkasso GmbH – Treuhandkonto",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
}
CREDITORS: tuple[dict[str, Any], ...] = (
    {
        "key": "stadtwerke",
        "name": "Stadtwerke Musterstadt GmbH",
        "kind": "Energie",
        "address": "Werkstraße 1, 12345 Musterstadt",
        "commission": "15.00",
    },
    {
        "key": "telekom",
        "name": "Funkwelle Telekommunikation AG",
        "kind": "Telekommunikation",
        "address": "Sendemastweg 7, 50667 Köln",
        "commission": "20.00",
    },
    {
        "key": "shop",
        "name": "Kaufhaus im Netz GmbH",
        "kind": "Onlinehandel",
        "address": "Paketallee 3, 20095 Hamburg",
        "commission": "18.00",
    },
    {
        "key": "vermietung",
        "name": "Hausverwaltung Sonnenhof KG",
        "kind": "Vermietung",
        "address": "Am Sonnenhof 12, 80331 München",
        "commission": "12.00",
    },
)
DOMAIN = "demo.mahnwerk.de"
LOGINS: tuple[tuple[str, str, str | None, str], ...] = (
    ("admin", "admin", None, "Administration"),
    ("agent", "agent", None, "Sachbearbeitung"),
    ("teamlead", "teamlead", None, "Teamleitung"),
    ("compliance", "compliance", None, "Compliance"),
    ("stadtwerke", "creditor", "stadtwerke", "Mandant Stadtwerke"),
    ("shop", "creditor", "shop", "Mandant Onlinehandel"),
)


def demo_logins() -> list[dict[str, str]]:
    """The demo logins (e-mail, password, role, who) for the web UI and ``make run``."""
    return [
        {"email": f"{user}@{DOMAIN}", "password": DEMO_PASSWORD, "role": role, "who": who}
        for user, role, _cred, who in LOGINS
    ]


class DemoError(ValueError):
    pass


@dataclass
class DemoResult:
    creditors: dict[str, int] = field(default_factory=dict)
    api_keys: dict[str, str] = field(default_factory=dict)
    cases: int = 0
    run_days: list[date] = field(default_factory=list)
    model_version: str | None = None
    audit_passed: bool | None = None
    audit_report: str | None = None
    scored: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def german(self, public_url: str = "http://127.0.0.1:8000") -> str:
        lines = [
            "Demo-Bestand angelegt.",
            f"  Fälle: {self.cases}; Mahnläufe: "
            + ", ".join(d.strftime("%d.%m.%Y") for d in self.run_days),
            f"  Modell: {self.model_version or '—'} "
            + (
                "(Fairness-Prüfung bestanden, aktiv)"
                if self.audit_passed
                else "(Fairness-Prüfung nicht bestanden, NICHT aktiv)"
                if self.audit_passed is False
                else ""
            ),
            f"  bewertete Fälle heute: {self.scored}",
        ]
        if self.audit_report:
            lines.append(f"  Prüfbericht: {self.audit_report}")
        lines += [
            "",
            f"Wo schauen: {public_url} (Arbeitsliste nach Score, Fälle, Mandanten)",
            "Anmeldungen (Passwort für alle: " + DEMO_PASSWORD + "):",
        ]
        for login in demo_logins():
            lines.append(f"  {login['email']:<32} {login['who']}")
        lines.append("API-Schlüssel (nur jetzt sichtbar):")
        for key, value in self.api_keys.items():
            lines.append(f"  {key:<12} {value}")
        for note in self.notes:
            lines.append(f"Hinweis: {note}")
        secs = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        lines.append(f"Dauer: {secs}")
        return "\n".join(lines)


def is_empty(runtime: Runtime) -> bool:
    with runtime.sessions() as s:
        creditors = s.scalar(select(func.count()).select_from(Creditor)) or 0
        cases = s.scalar(select(func.count()).select_from(Case)) or 0
    return creditors == 0 and cases == 0


def _run_days(today: date, weeks: int, max_runs: int = 2) -> list[date]:
    """Run dates spread evenly over the ``weeks`` before today (weekdays), today last; at
    most ``max_runs`` (a run over 5,000 cases takes ~30 s on 2 cores)."""
    n = max(1, min(max_runs, weeks + 1))
    span = 7 * weeks
    days = []
    for k in range(n - 1):
        d = today - timedelta(days=span - round(k * span / (n - 1)))
        while d.weekday() >= 5:  # weekdays only
            d -= timedelta(days=1)
        days.append(d)
    return [*days, today]


def _at_ten(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=BERLIN).astimezone(UTC)


def mark_sent_without_rendering(runtime: Runtime, now: datetime) -> int:
    """Past demo days: every pending message counts as sent on ``now``, without a PDF or an
    e-mail; the timeline says so."""
    with transaction(runtime.sessions) as s:
        rows = list(
            s.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.case_id,
                    OutboxMessage.channel,
                    OutboxMessage.template,
                    OutboxMessage.stage,
                    OutboxMessage.step_index,
                    OutboxMessage.strategy_name,
                    OutboxMessage.strategy_version,
                    OutboxMessage.first_contact,
                ).where(OutboxMessage.status == "pending")
            )
        )
        if not rows:
            return 0
        ids = [r.id for r in rows]
        first = [r.case_id for r in rows if r.first_contact and r.channel in ("letter", "email")]
        for k in range(0, len(ids), 5000):
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids[k : k + 5000]))
                .values(
                    status="sent",
                    sent_at=now,
                    attempts=OutboxMessage.attempts + 1,
                    error="Demo: als versandt markiert, nicht erzeugt",
                )
            )
        for k in range(0, len(first), 5000):
            s.execute(
                update(CaseStrategy)
                .where(CaseStrategy.case_id.in_(first[k : k + 5000]))
                .values(first_contact_done=True)
            )
        conn = s.connection()
        event_ids = new_ids(conn, "case_event", len(rows))
        events = [
            {
                "id": int(event_ids[i]),
                "case_id": r.case_id,
                "at": now,
                "kind": "message.sent",
                "actor": "system:demo",
                "data": {
                    "outbox_id": r.id,
                    "channel": r.channel,
                    "template": r.template,
                    "stage": r.stage,
                    "step": r.step_index,
                    "strategy": r.strategy_name,
                    "strategy_version": r.strategy_version,
                    "first_contact": r.first_contact,
                    "document_id": None,
                    "demo": "Vergangenheit der Demo: ohne PDF/E-Mail als versandt markiert",
                },
            }
            for i, r in enumerate(rows)
        ]
        from sqlalchemy import insert

        for k in range(0, len(events), 5000):
            conn.execute(insert(T_EVENT), events[k : k + 5000])
    return len(rows)


def run_demo(
    runtime: Runtime,
    *,
    cases: int = 5000,
    seed: int = 1,
    weeks: int = 6,
    today: date | None = None,
    say: Callable[[str], None] = print,
    render_today: bool = False,
    queue_today: bool = False,
    max_runs: int = 2,
) -> DemoResult:
    """Create the demo (see module docstring); refuses a database that is not empty."""
    from mahnwerk.bootstrap import Runtime as RuntimeClass
    from mahnwerk.services.dunning.run import run_day
    from mahnwerk.services.scoring.scores import (
        activate_model,
        audit_model,
        score_open_cases,
        train_model,
    )

    if not is_empty(runtime):
        raise DemoError("die Datenbank ist nicht leer: die Demo legt nur einen neuen Bestand an")
    today = today or today_in_germany()
    result = DemoResult()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.seconds[name] = now - clock
        clock = now

    # 1–2: creditors, users, API keys
    with transaction(runtime.sessions) as s:
        for c in CREDITORS:
            cred = accounts.add_creditor(s, CLI, c["name"], email=f"{c['key']}@example.org")
            cred.settings = {
                "address": c["address"],
                "kind": c["kind"],
                "payment_account": dict(TRUST_ACCOUNT),
                "commission_percent": c["commission"],
                "plan_limits": {"max_months": 12, "min_instalment": "25.00"},
                "strategy": "standard",
            }
            result.creditors[c["key"]] = cred.id
        for user, role, cred_key, _who in LOGINS:
            accounts.add_user(
                s,
                CLI,
                f"{user}@{DOMAIN}",
                DEMO_PASSWORD,
                role,
                creditor_id=result.creditors[cred_key] if cred_key else None,
            )
        for key, cid in result.creditors.items():
            result.api_keys[key] = accounts.create_api_key(s, CLI, cid, "Demo").key
    lap("Mandanten und Benutzer")

    # 3: the simulated portfolio
    days = _run_days(today, weeks, max_runs)
    sim_as_of = days[0] - timedelta(days=180)
    params = load_params()
    per_person = 1 + float(params["cases"]["extra_cases_per_person_poisson"])
    sim = simulate(max(10, round(cases / per_person)), seed=seed, as_of=str(sim_as_of))
    report = write_simulation(
        runtime, sim, creditors=list(result.creditors.values()), faker_seed=seed
    )
    result.cases = report.cases
    say(f"Bestand: {report.german()}")
    lap("Bestand")

    # 4: the daily cycle; past days without rendering
    quiet = RuntimeClass(
        settings=runtime.settings,
        engine=runtime.engine,
        sessions=runtime.sessions,
        channels=Channels(),
    )
    for day in days:
        last = day == days[-1]
        rt = runtime if (last and render_today) else quiet
        queue = last and queue_today
        summary = run_day(rt, day, now=_at_ten(day), progress=lambda *_: None, deliver=not queue)
        if not (last and (render_today or queue_today)):
            mark_sent_without_rendering(runtime, _at_ten(day))
        say(
            f"Mahnlauf {day:%d.%m.%Y}: {summary.cases_processed} Fälle, "
            f"{sum(summary.actions.values())} Schritte, {summary.tasks_created} Aufgaben, "
            f"{summary.approvals_requested} Freigaben angefragt"
        )
        result.run_days.append(day)
    lap("Mahnläufe")

    # 5: model
    try:
        row = train_model(runtime, sim_as_of, today=today)
        result.model_version = row.version
        lap("Training")
        audit = audit_model(runtime, row.version)
        result.audit_passed = audit.passed
        result.audit_report = str(audit.pdf_path or audit.html_path)
        lap("Fairness-Prüfung")
        if audit.passed:
            activate_model(runtime, row.version, by="cli")
            scored = score_open_cases(runtime, today)
            result.scored = scored.scored if scored else 0
            if scored:
                say(scored.german())
        else:
            result.notes.append(
                "Das Modell hat die Fairness-Prüfung nicht bestanden und ist nicht aktiv."
            )
        lap("Bewertung")
    except ValueError as exc:
        result.notes.append(f"kein Modell: {exc}")
    return result
