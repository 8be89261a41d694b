"""The registry of periodic jobs that ``mahnwerk worker`` runs, each once per slot across
all workers (:func:`mahnwerk.services.workers.claim_slot`).

A job is a function ``run(runtime, now, slot)``; it is due when its slot function gives a
slot that has not run yet. Adding one is one line where the job lives, e.g.::

    from mahnwerk.jobs.periodic import register
    register("monitoring", monitoring.check_due, every=timedelta(hours=1))

``every`` makes fixed slots (the number of the interval since the epoch); ``slot`` takes a
function ``(settings, now) -> str | None`` for anything else (the daily run). The modules
named in :data:`JOB_MODULES` are imported by the worker so that their ``register`` lines
run; add yours there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mahnwerk.jobs.schedule import BERLIN, daily_slot, working_day

if TYPE_CHECKING:
    from mahnwerk.bootstrap import Runtime
    from mahnwerk.config import Settings

Run = Callable[["Runtime", datetime, str], Any]
Slot = Callable[["Settings", datetime], "str | None"]

#: modules whose import registers periodic jobs (this one's built-ins are below)
JOB_MODULES: list[str] = []


@dataclass(frozen=True)
class Periodic:
    name: str
    run: Run
    slot: Slot


REGISTRY: dict[str, Periodic] = {}


def register(
    name: str,
    run: Run,
    *,
    every: timedelta | Callable[[Settings], timedelta] | None = None,
    slot: Slot | None = None,
) -> None:
    """Register the periodic job ``name`` (``every`` may depend on the settings)."""
    if (every is None) == (slot is None):
        raise ValueError(f"{name}: give exactly one of every= and slot=")
    if slot is None:
        interval = every

        def slot(settings: Settings, now: datetime) -> str | None:
            step = interval(settings) if callable(interval) else interval
            assert step is not None
            seconds = step.total_seconds()
            return None if seconds <= 0 else str(int(now.timestamp() // seconds))

    REGISTRY[name] = Periodic(name, run, slot)


def load() -> dict[str, Periodic]:
    import importlib

    for module in JOB_MODULES:
        importlib.import_module(module)
    return REGISTRY


# ------------------------------------------------------------------------ built-in jobs


def _day_without_run(settings: Settings, now: datetime) -> str | None:
    """The date, from the daily run's time on, of a day that has no daily run."""
    if settings.daily_run_at is None:
        return None
    local = now.astimezone(BERLIN)
    if local.strftime("%H:%M") < settings.daily_run_at:
        return None
    if working_day(local.date(), settings.agency_land):
        return None
    return local.date().isoformat()


def daily_run(runtime: Runtime, now: datetime, slot: str) -> None:
    """The day's run; a day already run to the end (e.g. by hand) is not run again."""
    from sqlalchemy import select

    from mahnwerk.services.dunning.run import run_day
    from mahnwerk.store.workflow import DailyRun

    day = date.fromisoformat(slot)
    with runtime.sessions() as s:
        status = s.scalar(select(DailyRun.status).where(DailyRun.run_date == day))
    if status != "finished":
        run_day(runtime, day, progress=lambda *_: None)


def scores(runtime: Runtime, now: datetime, slot: str) -> None:
    """Scores of the open cases on the days without a run (weekends, holidays): on working
    days the daily run scores at its end. A no-op without an active model."""
    from mahnwerk.services.scoring.scores import score_if_active

    score_if_active(runtime, now.astimezone(BERLIN).date())


def webhooks(runtime: Runtime, now: datetime, slot: str) -> None:
    """Due webhook deliveries and their retries."""
    from mahnwerk.services.admin.webhooks import deliver_due

    deliver_due(runtime)


def court_replies(runtime: Runtime, now: datetime, slot: str) -> None:
    """The court's replies dropped into ``MAHNWERK_EDA_INBOX`` by the beA/EGVP client, then
    what time moved (VB due, § 701 ZPO lapse). A no-op while the inbox does not exist."""
    from mahnwerk.services.actor import SYSTEM
    from mahnwerk.services.court import inbox
    from mahnwerk.services.court.tick import advance
    from mahnwerk.store.db import transaction

    folder = runtime.settings.eda_inbox_dir
    if not folder.is_dir():
        return
    day = now.astimezone(BERLIN).date()

    def move_on(today: date) -> None:
        with transaction(runtime.sessions) as s:
            advance(s, today)

    inbox.pick_up(runtime.sessions, SYSTEM, folder, today=day, advance=move_on)


def payouts(runtime: Runtime, now: datetime, slot: str) -> None:
    """The previous month paid out to the creditors (``MAHNWERK_PAYOUT_DAY``): the run is
    stored first, its files written after the commit (a transfer file never exists for a
    payout the store does not know); payments already paid out are never paid again."""
    from mahnwerk.services.actor import SYSTEM
    from mahnwerk.services.banking.collections import agency_party
    from mahnwerk.services.banking.payouts import run_payouts, write_files
    from mahnwerk.store.db import transaction

    first = date.fromisoformat(slot + "-01")
    last = first - timedelta(days=1)
    with transaction(runtime.sessions) as s:
        run = run_payouts(
            s,
            SYSTEM,
            last.replace(day=1),
            last,
            agency=agency_party(runtime.settings),
            out_dir=runtime.settings.payouts_dir,
        )
    write_files(run)


def _payout_month(settings: Settings, now: datetime) -> str | None:
    """``YYYY-MM`` of the month being paid into from its payout day on (a worker started
    later in the month catches up); None while payouts are off."""
    if settings.payout_day is None:
        return None
    today = now.astimezone(BERLIN).date()
    return f"{today:%Y-%m}" if today.day >= settings.payout_day else None


def retention(runtime: Runtime, now: datetime, slot: str) -> None:
    """Block ended debtors and erase what has passed its retention period, once a day."""
    from mahnwerk.services.actor import SYSTEM
    from mahnwerk.services.privacy.retention import run_retention
    from mahnwerk.store.db import transaction

    with transaction(runtime.sessions) as s:
        run_retention(s, SYSTEM, runtime.settings, date.fromisoformat(slot))


register(
    "daily_run",
    daily_run,
    slot=lambda settings, now: daily_slot(settings.daily_run_at, settings.agency_land, now),
)
register("scores", scores, slot=lambda settings, now: _day_without_run(settings, now))
register("webhooks", webhooks, every=lambda settings: timedelta(seconds=settings.webhook_interval))
register("court_replies", court_replies, every=timedelta(minutes=15))
register("payouts", payouts, slot=_payout_month)
register(
    "retention", retention, slot=lambda settings, now: now.astimezone(BERLIN).date().isoformat()
)
