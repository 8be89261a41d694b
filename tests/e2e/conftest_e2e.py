"""Helpers of the end-to-end tests."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "screenshots"
#: what ``mahnwerk demo`` printed (its logins), in the demo server's folder
DEMO_OUTPUT = "demo-output.txt"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
