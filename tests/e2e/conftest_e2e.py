"""Helpers of the end-to-end tests."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "screenshots"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
