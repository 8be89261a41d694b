"""The server and administration commands, and a real ``mahnwerk serve`` process."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from api_support import case_body

from mahnwerk.cli import main
from mahnwerk.services.admin.accounts import verify_password
from mahnwerk.store.db import transaction
from mahnwerk.store.models import ApiKey, AuditEntry


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MAHNWERK_DATABASE_URL", db_url)
    monkeypatch.setenv("MAHNWERK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MAHNWERK_SECRET_KEY", "test-secret")
    return {**os.environ}


def run(capsys, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_creditor_apikey_and_user(env, capsys, monkeypatch, sessions):
    code, out, err = run(
        capsys, "creditor", "add", "Stadtwerke Nord", "--email", "forderung@stadtwerke.example"
    )
    assert code == 0 and "angelegt" in err
    creditor_id = int(out)
    code, out, err = run(
        capsys, "apikey", "create", "--creditor", str(creditor_id), "--name", "ERP"
    )
    assert code == 0 and "nur jetzt" in err
    key = out.strip()
    assert key.startswith("mwk_")
    with transaction(sessions) as s:
        stored = s.query(ApiKey).one()
        assert key not in stored.key_hash and stored.name == "ERP"
    code, _, err = run(capsys, "apikey", "create", "--creditor", "999")
    assert code == 2 and "Mandant 999 gibt es nicht" in err

    code, out, _ = run(
        capsys,
        "user",
        "add",
        "Agent@Example.org",
        "--role",
        "agent",
        "--password-stdin",
        stdin="ein langes Passwort\n",
        monkeypatch=monkeypatch,
    )
    assert code == 0 and int(out) > 0
    with transaction(sessions) as s:
        user = verify_password(s, "agent@example.org", "ein langes Passwort")
        assert user is not None and user.password_hash.startswith("$argon2id$")
    code, _, err = run(
        capsys,
        "user",
        "add",
        "c@example.org",
        "--role",
        "creditor",
        "--password-stdin",
        stdin="ein langes Passwort\n",
        monkeypatch=monkeypatch,
    )
    assert code == 2 and "braucht einen Mandanten" in err
    code, _, err = run(
        capsys,
        "user",
        "add",
        "d@example.org",
        "--role",
        "admin",
        "--password-stdin",
        stdin="kurz\n",
        monkeypatch=monkeypatch,
    )
    assert code == 2 and "10 Zeichen" in err


def test_user_add_prompts_for_the_password_twice(env, capsys, monkeypatch):
    answers = iter(["ein langes Passwort", "ein anderes Passwort"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt: next(answers))
    code, _, err = run(capsys, "user", "add", "x@example.org", "--role", "admin")
    assert code == 2 and "stimmen nicht überein" in err


def test_audit_shows_who_did_what_from_where(env, capsys, app, client, tenants):
    case = client.post("/api/v1/cases", json=case_body(), headers=tenants.a.headers).json()
    client.get(f"/api/v1/cases/{case['id']}", headers=tenants.a.headers)
    code, out, _ = run(capsys, "audit", "--case", str(case["id"]), "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [(r["action"], r["entity"], r["origin"]) for r in rows] == [
        ("create", "case", "testclient"),
        ("read", "case", "testclient"),
    ]
    assert all(r["actor"].startswith("apikey:") and r["at"] for r in rows)
    code, out, _ = run(capsys, "audit", "--case", str(case["id"]))
    assert code == 0
    assert f"Prüfpfad Fall {case['id']}" in out and "gelesen" in out and "testclient" in out
    code, out, _ = run(capsys, "audit", "--case", "424242")
    assert "Keine Einträge" in out


def test_db_upgrade_and_webhooks_deliver(env, capsys, sessions):
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and "Revision" in out
    code, out, _ = run(capsys, "webhooks", "deliver")
    assert code == 0 and "0 zugestellt" in out
    code, _, _ = run(capsys, "creditor")
    assert code == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mahnwerk_serve_answers_through_a_real_server(env, sessions, capsys):
    _, out, _ = run(capsys, "creditor", "add", "Stadtwerke Nord")
    _, key, _ = run(capsys, "apikey", "create", "--creditor", out.strip())
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mahnwerk.cli",
            "serve",
            "--port",
            str(port),
            "--webhook-interval",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                doc = httpx.get(f"{base}/api/v1/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "server did not start in 30 s"
                time.sleep(0.2)
        assert doc.status_code == 200
        assert doc.json()["info"]["title"] == "mahnwerk API"
        headers = {"Authorization": f"Bearer {key.strip()}"}
        created = httpx.post(f"{base}/api/v1/cases", json=case_body(), headers=headers)
        assert created.status_code == 201, created.text
        listed = httpx.get(f"{base}/api/v1/cases", headers=headers).json()
        assert [c["external_ref"] for c in listed["items"]] == ["K-1"]
        assert httpx.get(f"{base}/api/v1/cases").status_code == 401
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    # uvicorn shuts down cleanly, then re-raises SIGTERM (exit status -15)
    assert process.returncode in (0, -15), output
    assert "Application shutdown complete" in output
    with transaction(sessions) as s:
        origins = {e.origin for e in s.query(AuditEntry).filter(AuditEntry.case_id.isnot(None))}
    assert origins == {"127.0.0.1"}


def test_apikey_list_shows_the_last_use_and_revoke_ends_a_key(env, capsys, sessions):
    from datetime import timedelta

    from mahnwerk.services.admin.accounts import actor_for_key

    _, out, _ = run(capsys, "creditor", "add", "Stadtwerke Nord")
    creditor_id = int(out)
    _, out, _ = run(capsys, "apikey", "create", "--creditor", str(creditor_id), "--name", "ERP")
    key = out.strip()
    _, out, _ = run(capsys, "creditor", "add", "Versandhaus Süd")
    run(capsys, "apikey", "create", "--creditor", out.strip())

    code, out, _ = run(capsys, "apikey", "list", "--creditor", str(creditor_id))
    header, line = out.splitlines()
    assert code == 0 and header.split()[:3] == ["id", "Inhaber", "Bezeichnung"]
    prefix = key.split("_")[1]
    assert f"Mandant {creditor_id}" in line and "ERP" in line and f"mwk_{prefix}_…" in line
    assert line.split()[-2:] == ["–", "aktiv"]  # never used
    assert key not in out
    assert len(run(capsys, "apikey", "list")[1].splitlines()) == 3

    with transaction(sessions) as s:
        assert actor_for_key(s, key, "203.0.113.9") is not None
    with transaction(sessions) as s:
        first_use = s.query(ApiKey).filter_by(name="ERP").one().last_used_at
        assert first_use is not None
        assert actor_for_key(s, key, "203.0.113.9") is not None  # within the minute: no write
        assert s.query(ApiKey).filter_by(name="ERP").one().last_used_at == first_use
        s.query(ApiKey).filter_by(name="ERP").one().last_used_at = first_use - timedelta(hours=1)
    with transaction(sessions) as s:
        actor_for_key(s, key, "203.0.113.9")
        assert s.query(ApiKey).filter_by(name="ERP").one().last_used_at > first_use
    line = run(capsys, "apikey", "list", "--creditor", str(creditor_id))[1].splitlines()[1]
    assert line.split()[-2] != "–"

    key_id = line.split()[0]
    code, _, err = run(capsys, "apikey", "revoke", key_id)
    assert code == 0 and "widerrufen" in err
    with transaction(sessions) as s:
        assert actor_for_key(s, key, None) is None
        audit = s.query(AuditEntry).filter_by(action="revoke", entity="api_key").one()
        assert audit.entity_id == key_id and audit.creditor_id == creditor_id
    line = run(capsys, "apikey", "list", "--creditor", str(creditor_id))[1].splitlines()[1]
    assert "widerrufen" in line
    code, _, err = run(capsys, "apikey", "revoke", key_id)
    assert code == 2 and "schon widerrufen" in err
    code, _, err = run(capsys, "apikey", "revoke", "999")
    assert code == 2 and "gibt es nicht" in err
