"""End-to-end fixtures: the real server (``mahnwerk serve`` in its own process, on a
loopback port, with its own embedded database) and Debian's chromium driven by Playwright.

Screenshots go to ``test-artifacts/screenshots`` (kept by CI as test artefacts).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from conftest_e2e import DEMO_OUTPUT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    workdir: Path

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a ``mahnwerk`` command against the server's database."""
        return subprocess.run(
            [sys.executable, "-m", "mahnwerk.cli", *args],
            env=self.env,
            cwd=self.workdir,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )


def server_env(workdir: Path, port: int) -> dict[str, str]:
    """The settings of a server with its own embedded database under ``workdir``."""
    env = dict(os.environ)
    env.update(
        {
            "MAHNWERK_VAR_DIR": str(workdir / "var"),
            "MAHNWERK_DATABASE_URL": f"sqlite:///{workdir / 'var' / 'mahnwerk.db'}",
            "MAHNWERK_SECRET_KEY": "e2e-secret-key-not-for-production",
            "MAHNWERK_PUBLIC_URL": f"http://127.0.0.1:{port}",
            # the sender every letter needs (§ 13a, § 10 RDG); without it nothing goes out
            "MAHNWERK_AGENCY_NAME": "Inkasso Nord GmbH",
            "MAHNWERK_AGENCY_ADDRESS": "Ballindamm 17, 20095 Hamburg",
            "MAHNWERK_AGENCY_EMAIL": "service@inkasso-nord.example",
            "MAHNWERK_AGENCY_REGISTRATION": "Rechtsdienstleistungsregister, Az. 3712E-1024/2025",
        }
    )
    return env


@contextmanager
def serving(workdir: Path, env: dict[str, str], port: int) -> Iterator[LiveServer]:
    """``mahnwerk serve`` on ``port`` until the block ends."""
    log = (workdir / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mahnwerk.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((workdir / "server.log").read_text())
        try:
            if httpx.get(url + "/", timeout=1).status_code < 500:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("server did not start: " + (workdir / "server.log").read_text())
    try:
        yield LiveServer(url=url, env=env, workdir=workdir)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("server")
    port = free_port()
    with serving(workdir, server_env(workdir, port), port) as server:
        yield server


#: a small demo: every role's login, a trained and audited model, payments; ~10 s
DEMO_ARGS = ("demo", "--cases", "300", "--weeks", "1")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on its own database holding what ``mahnwerk demo`` creates (small); what the
    command printed is in ``workdir / DEMO_OUTPUT``."""
    workdir = tmp_path_factory.mktemp("demo")
    port = free_port()
    env = server_env(workdir, port)
    made = subprocess.run(
        [sys.executable, "-m", "mahnwerk.cli", *DEMO_ARGS],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert made.returncode == 0, made.stderr
    (workdir / DEMO_OUTPUT).write_text(made.stdout)
    with serving(workdir, env, port) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("MAHNWERK_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (make test installs Debian's chromium as root)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page in a fresh context; a test fails if the Content-Security-Policy blocked anything
    on any page it opened (an inline script or style would be refused in every browser)."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60000)
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: (
            refused.append(f"{msg.location}: {msg.text[:60]}")
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    context.close()
    assert refused == [], refused
