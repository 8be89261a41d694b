"""Real ``mahnwerk worker`` processes on a real PostgreSQL server deliver the outbox: letters
rendered with typst and handed over as print bundles, e-mails to a real SMTP server
(aiosmtpd), SMS to a local stand-in gateway that drops repeated idempotency keys.

- two workers deliver 5,000 messages, each exactly once;
- a worker killed with SIGKILL in the middle of a batch leaves nothing sent twice and, after
  a restart, nothing lost.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from mahnwerk.config import Settings
from mahnwerk.domain.contact_rules import ContactKind, check_contact
from mahnwerk.store.db import make_engine, session_factory
from mahnwerk.store.models import Document
from mahnwerk.store.workflow import OutboxMessage

sys.path.insert(0, str(Path(__file__).parent))
from outbox_data import AGENCY_ENV, fill_outbox

WORKER = [sys.executable, "-m", "mahnwerk.cli", "worker"]


@pytest.fixture
def pg_url(postgres_admin_url: str, postgres_template: str) -> Iterator[str]:
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    name = f"mw_workers_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {postgres_template}"))
    try:
        yield make_url(postgres_admin_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def env(pg_url, tmp_path, smtp_server, sms_server) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MAHNWERK_")}
    environment.update(AGENCY_ENV)
    environment.update(
        {
            "MAHNWERK_DATABASE_URL": pg_url,
            "MAHNWERK_VAR_DIR": str(tmp_path / "var"),
            "MAHNWERK_SECRET_KEY": "test-secret",
            "MAHNWERK_SMTP_HOST": smtp_server.host,
            "MAHNWERK_SMTP_PORT": str(smtp_server.port),
            "MAHNWERK_SMTP_TLS": "none",
            "MAHNWERK_SMTP_FROM": "service@inkasso-nord.example",
            "MAHNWERK_SMS_URL": sms_server.url,
            "MAHNWERK_CONTACTS_PER_WEEK": "1000000",
            "MAHNWERK_DAILY_RUN_AT": "off",
            "MAHNWERK_WEBHOOK_INTERVAL": "0",
            "MAHNWERK_WORKER_POLL": "0.5",
        }
    )
    return environment


def settings_of(env: dict[str, str]) -> Settings:
    from mahnwerk.config import load_settings

    return load_settings(env)


def start(env: dict[str, str], tmp_path: Path, label: str) -> subprocess.Popen[bytes]:
    log = open(tmp_path / f"worker-{label}.log", "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(WORKER, env=env, stdout=log, stderr=subprocess.STDOUT)


def statuses(sessions) -> Counter[str]:
    with sessions() as s:
        return Counter(
            dict(
                s.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                ).all()
            )
        )


def held_letters(sessions) -> int:
    with sessions() as s:
        return s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.channel == "letter", OutboxMessage.status.in_(("claimed", "sending"))
            )
        )


def wait_until(predicate, timeout: float, workers, tmp_path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for w in workers:
            if w.poll() is not None:
                logs = "\n".join(p.read_text()[-3000:] for p in tmp_path.glob("worker-*.log"))
                raise AssertionError(f"a worker ended with {w.returncode}:\n{logs}")
        time.sleep(0.2)
    logs = "\n".join(p.read_text()[-3000:] for p in tmp_path.glob("worker-*.log"))
    raise AssertionError(f"not done in {timeout} s:\n{logs}")


def stop(workers) -> None:
    for w in workers:
        if w.poll() is None:
            w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(timeout=60)
        except subprocess.TimeoutExpired:
            w.kill()
            w.wait()


def sms_allowed_now() -> bool:
    """SMS keep quiet hours, Sundays and holidays: whether the test may expect them now."""
    return check_contact(ContactKind.SMS, datetime.now(UTC)).allowed


def bundled_ids(print_dir: Path) -> Counter[int]:
    seen: Counter[int] = Counter()
    for manifest in print_dir.glob("*/manifest.json"):
        for row in json.loads(manifest.read_text())["letters"]:
            seen[int(row["message_id"])] += 1
    return seen


def assert_exactly_once(sessions, ids, settings, smtp_server, sms_server, *, uncertain_ok=False):
    with sessions() as s:
        rows = {m.id: m for m in s.scalars(select(OutboxMessage))}
        documents = Counter(d.filename.split("-")[0] for d in s.scalars(select(Document)))
    # letters: every one in exactly one handed-over bundle, booked once
    bundled = bundled_ids(settings.bundles_dir)
    assert set(bundled) == set(ids["letter"]) and max(bundled.values()) == 1
    assert all(rows[i].status == "sent" for i in ids["letter"])
    # e-mails: each Message-ID arrived at most once; all sent (or, after a kill, uncertain)
    arrived = Counter(m["Message-ID"] for m in smtp_server.messages())
    assert not arrived or max(arrived.values()) == 1
    email_status = Counter(rows[i].status for i in ids["email"])
    if uncertain_ok:
        assert set(email_status) <= {"sent", "uncertain"}
        assert email_status["sent"] <= len(arrived) <= len(ids["email"])
    else:
        assert email_status == {"sent": len(ids["email"])} and len(arrived) == len(ids["email"])
    # SMS: the gateway sent each key once (repeats after a kill carry the same key)
    keys = set(sms_server.delivered)
    sent_sms = {i for i in ids["sms"] if rows[i].status == "sent"}
    assert keys == {f"mahnwerk-outbox-{i}" for i in sent_sms}
    if sms_allowed_now():
        assert sent_sms == set(ids["sms"])
    else:  # deferred to the next allowed moment, not lost
        assert all(rows[i].status in ("sent", "pending") for i in ids["sms"])
    # one document per message sent, none twice
    sent = {i for i, m in rows.items() if m.status == "sent"}
    assert {int(k) for k in documents} == sent and max(documents.values()) == 1


def test_two_workers_deliver_5000_messages_each_exactly_once(
    env, tmp_path, smtp_server, sms_server
):
    settings = settings_of(env)
    engine = make_engine(env["MAHNWERK_DATABASE_URL"])
    sessions = session_factory(engine)
    ids = fill_outbox(sessions, settings, cases_count=50, per_case=100)
    assert sum(len(v) for v in ids.values()) == 5000
    env = {**env, "MAHNWERK_DELIVERY_BATCH": "100"}
    workers = [start(env, tmp_path, "a"), start(env, tmp_path, "b")]
    try:
        wait_until(
            lambda: (
                not ({"pending", "claimed", "sending"} & set(+statuses(sessions)))
                or (not sms_allowed_now() and statuses(sessions)["sent"] == 5000 - len(ids["sms"]))
            ),
            900,
            workers,
            tmp_path,
        )
    finally:
        stop(workers)
    assert_exactly_once(sessions, ids, settings, smtp_server, sms_server)
    with sessions() as s:  # both workers did their share
        senders = Counter(
            s.scalars(select(OutboxMessage.claimed_by).where(OutboxMessage.status == "sent"))
        )
    assert len(senders) == 2, senders
    engine.dispose()


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing_and_sends_nothing_twice(
    env, tmp_path, smtp_server, sms_server
):
    settings = settings_of(env)
    engine = make_engine(env["MAHNWERK_DATABASE_URL"])
    sessions = session_factory(engine)
    ids = fill_outbox(sessions, settings, cases_count=20, per_case=40)
    env = {**env, "MAHNWERK_DELIVERY_BATCH": "40", "MAHNWERK_DELIVERY_LEASE": "5"}
    first = start(env, tmp_path, "first")
    try:
        # SIGKILL in the middle of a batch of letters: messages sent before, letters held
        wait_until(
            lambda: statuses(sessions)["sent"] > 0 and held_letters(sessions) > 0,
            300,
            [first],
            tmp_path,
        )
        first.send_signal(signal.SIGKILL)
        first.wait()
        held = statuses(sessions)
        assert held["claimed"] + held["sending"] > 0  # it died holding messages
        second = start(env, tmp_path, "second")
        wait_until(
            lambda: (
                not ({"pending", "claimed", "sending"} & set(+statuses(sessions)))
                or (
                    not sms_allowed_now()
                    and not ({"claimed", "sending"} & set(+statuses(sessions)))
                    and statuses(sessions)["pending"] <= len(ids["sms"])
                )
            ),
            600,
            [second],
            tmp_path,
        )
    finally:
        stop([w for w in (first, locals().get("second")) if w is not None])
    assert_exactly_once(sessions, ids, settings, smtp_server, sms_server, uncertain_ok=True)
    engine.dispose()


def test_on_sqlite_a_background_worker_delivers_the_run_and_the_debtor_sees_the_letter(
    tmp_path, sqlite_template, make_case_on
):
    """``make run``'s set-up: SQLite, a worker in the background, ``mahnwerk run`` plans and
    leaves the delivery to it; the letter is then in the debtor's portal."""
    import re
    import shutil

    from fastapi.testclient import TestClient

    from mahnwerk.asgi import create_asgi_app
    from mahnwerk.bootstrap import Runtime
    from mahnwerk.services.portal import access as portal_access
    from mahnwerk.store.models import Case

    db = tmp_path / "mahnwerk.db"
    shutil.copy(sqlite_template, db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAHNWERK_")}
    env.update(AGENCY_ENV)
    env.update(
        {
            "MAHNWERK_DATABASE_URL": f"sqlite:///{db}",
            "MAHNWERK_VAR_DIR": str(tmp_path / "var"),
            "MAHNWERK_SECRET_KEY": "test-secret",
            "MAHNWERK_DAILY_RUN_AT": "off",
            "MAHNWERK_WEBHOOK_INTERVAL": "0",
            "MAHNWERK_WORKER_POLL": "0.5",
        }
    )
    engine = make_engine(env["MAHNWERK_DATABASE_URL"])
    sessions = session_factory(engine)
    case_id = make_case_on(sessions)
    worker = start(env, tmp_path, "sqlite")
    try:
        from mahnwerk.services import workers

        wait_until(lambda: bool(workers.alive(sessions)), 60, [worker], tmp_path)
        run = subprocess.run(
            [sys.executable, "-m", "mahnwerk.cli", "run"], env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        assert "Zustellung: übernimmt der laufende Worker" in run.stdout
        wait_until(lambda: statuses(sessions)["sent"] == 1, 120, [worker], tmp_path)
    finally:
        stop([worker])
    settings = settings_of(env)
    runtime = Runtime(settings, engine, sessions)
    with sessions() as s:
        reference = s.get(Case, case_id).reference
        code = portal_access.code_for_case(s, "test-secret", case_id)
        (doc,) = s.scalars(select(Document)).all()
    with TestClient(create_asgi_app(runtime)) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/portal").text)[1]
        answer = client.post(
            "/portal",
            data={"reference": reference, "code": code, "postcode": "20095", "csrf": token},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        assert f'href="/portal/documents/{doc.id}"' in client.get("/portal/case").text
        pdf = client.get(f"/portal/documents/{doc.id}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    text_ = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert reference in text_ and code in text_  # the code on the letter opens the portal
    engine.dispose()


@pytest.fixture
def make_case_on():
    from datetime import date
    from decimal import Decimal

    from mahnwerk.services import cases
    from mahnwerk.services.actor import CLI
    from mahnwerk.services.admin import accounts
    from mahnwerk.store.db import transaction

    def make(sessions) -> int:
        with transaction(sessions) as s:
            creditor = accounts.add_creditor(s, CLI, "Stadtwerke Nord GmbH")
            creditor.settings = {
                "address": "Am Sande 4, 21335 Lüneburg",
                "payment_account": {
                    "holder": "Inkasso Nord GmbH",
                    "iban": "DE89370400440532013000",
                    "bic": "COBADEFFXXX",
                },
            }
            debtor = cases.DebtorInput(
                kind="natural",
                consumer=True,
                first_name="Jürgen",
                last_name="Müller",
                birth_date=date(1980, 5, 17),
                street="Hauptstraße 5",
                postcode="20095",
                city="Hamburg",
            )
            claim = cases.ClaimInput(
                invoice_no="R-1",
                amount=Decimal("1250.00"),
                default_from=date(2026, 1, 16),
                invoice_date=date(2025, 12, 15),
                due_date=date(2026, 1, 15),
                label="Stromlieferung, Jahresabrechnung 2025",
            )
            case = cases.create_case(s, CLI, creditor.id, cases.CaseInput("K-1", debtor, (claim,)))
            return case.id

    return make
