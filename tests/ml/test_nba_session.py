"""``mahnwerk nba session`` driven through the real command by a small simulator of the
test's own (not the project's contact world): JSON Lines in order, actions within
``allowed``, bad requests answered with the field and the session going on, the learned
state written to ``--state`` and read back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

CONTACTS = ("letter", "email", "sms", "call_morning", "call_afternoon", "call_evening")


class TinyWorld:
    """Debtors with a hidden favourite channel; a reached debtor on it pays with some chance."""

    def __init__(self, n: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.n = n
        self.fav = self.rng.integers(0, len(CONTACTS), n)
        self.amount = np.round(self.rng.lognormal(5.5, 1.0, n), 2)
        self.balance = self.amount.copy()
        self.email = self.rng.random(n) < 0.7
        self.mobile = self.rng.random(n) < 0.8
        self.contacts: list[list[dict[str, object]]] = [[] for _ in range(n)]
        self.payments: list[list[dict[str, object]]] = [[] for _ in range(n)]

    def allowed(self, i: int, day: int) -> list[str]:
        out = ["none", "letter"] + (["email"] if self.email[i] else [])
        recent = sum(1 for c in self.contacts[i] if day - int(c["day"]) < 7)  # type: ignore[arg-type]
        if recent >= 3:
            return ["none"]
        if self.contacts[i] and self.mobile[i] and day % 7 != 6:
            out += ["sms", "call_morning", "call_afternoon", "call_evening"]
        return out

    def request(self, day: int) -> tuple[dict[str, object], list[int]]:
        open_ = [i for i in range(self.n) if self.balance[i] > 0]
        cases = [
            {
                "id": f"t{i}",
                "weekday": day % 7,
                "amount": float(self.amount[i]),
                "balance": float(self.balance[i]),
                "has_email": bool(self.email[i]),
                "has_mobile": bool(self.mobile[i]),
                "contacts": self.contacts[i],
                "payments": self.payments[i],
                "allowed": self.allowed(i, day),
            }
            for i in open_
        ]
        return {"op": "decide", "day": day, "cases": cases}, open_

    def step(self, day: int, open_: list[int], actions: list[str]) -> dict[str, object]:
        outcomes = []
        for i, a in zip(open_, actions, strict=True):
            reached, paid = False, 0.0
            if a != "none":
                reached = bool(self.rng.random() < (0.9 if a in ("letter", "sms") else 0.6))
                self.contacts[i].append({"day": day, "action": a, "reached": reached})
                if reached and self.rng.random() < (0.5 if CONTACTS[self.fav[i]] == a else 0.05):
                    paid = float(self.balance[i])
            if paid:
                self.balance[i] = 0.0
                self.payments[i].append({"day": day, "amount": paid})
            outcomes.append(
                {"id": f"t{i}", "action": a, "reached": reached, "paid": paid, "cost": 0.5}
            )
        return {"op": "learn", "day": day, "outcomes": outcomes}


def _session(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    exe = Path(sys.executable).with_name("mahnwerk")
    return subprocess.Popen(
        [str(exe), "nba", "session", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _ask(p: subprocess.Popen[str], request: object) -> dict[str, object]:
    assert p.stdin is not None and p.stdout is not None
    line = request if isinstance(request, str) else json.dumps(request)
    p.stdin.write(line + "\n")
    p.stdin.flush()
    answer: dict[str, object] = json.loads(p.stdout.readline())
    return answer


def test_a_simulator_drives_the_session_through_the_real_command(tmp_path):
    env = {**os.environ, "MAHNWERK_VAR_DIR": str(tmp_path / "var")}
    state = tmp_path / "state"
    log = tmp_path / "decisions.jsonl"
    world = TinyWorld(200, seed=3)
    p = _session(["--state", str(state), "--log", str(log)], env)
    try:
        first = _ask(p, {"op": "info"})
        prior_version = first["version"]
        before = first["learned"]
        assert isinstance(before, dict)
        for day in range(30):
            request, open_ = world.request(day)
            answer = _ask(p, request)
            actions = answer["actions"]
            assert isinstance(actions, list) and len(actions) == len(open_)
            for case, action in zip(request["cases"], actions, strict=True):  # type: ignore[arg-type]
                assert action in case["allowed"]
            if day == 0:  # before any letter or e-mail only those may be chosen
                assert set(actions) <= {"none", "letter", "email"}
            assert _ask(p, world.step(day, open_, actions)) == {"ok": True}
            if day == 5:
                bad = _ask(
                    p,
                    {
                        "op": "decide",
                        "day": 5,
                        "cases": [
                            {
                                "id": "x",
                                "weekday": 9,
                                "amount": 1,
                                "balance": 1,
                                "allowed": ["none"],
                            }
                        ],
                    },
                )
                assert bad == {"error": "cases[0].weekday: ganze Zahl 0–6 erwartet, nicht 9"}
                assert "kein gültiges JSON" in str(_ask(p, "{not json")["error"])
                assert "outcomes[0].paid" in str(
                    _ask(p, {"op": "learn", "day": 5, "outcomes": [{"id": "x", "paid": "3"}]})[
                        "error"
                    ]
                )
                assert "allowed" in str(
                    _ask(
                        p,
                        {
                            "op": "decide",
                            "day": 5,
                            "cases": [
                                {
                                    "id": "x",
                                    "weekday": 1,
                                    "amount": 1,
                                    "balance": 1,
                                    "allowed": ["fax"],
                                }
                            ],
                        },
                    )["error"]
                )
        info = _ask(p, {"op": "info"})
        assert info["decisions"] == sum(1 for _ in log.open())
        learned = info["learned"]
        assert isinstance(learned, dict)
        assert learned["payments"] > before["payments"]  # horizons that ended were learned
        assert sum(learned["reach"].values()) > sum(before["reach"].values())
    finally:
        assert p.stdin is not None
        p.stdin.close()
        p.wait(timeout=60)
    assert p.returncode == 0, p.stderr.read() if p.stderr else ""
    assert (state / "state.npz").is_file()
    # every decision is logged with its propensity and the version that made it
    rows = [json.loads(line) for line in log.open()]
    assert all(0 < r["propensity"] <= 1 and r["action"] in r["probabilities"] for r in rows)
    assert {r["version"] for r in rows} >= {prior_version}
    # a new session starts where the last one stopped
    p2 = _session(["--state", str(state)], env)
    try:
        again = _ask(p2, {"op": "info"})
        assert again["version"] == info["version"] != prior_version
        assert again["learned"] == info["learned"]
    finally:
        assert p2.stdin is not None
        p2.stdin.close()
        p2.wait(timeout=60)
