"""Pages (being built)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

if TYPE_CHECKING:
    from mahnwerk.web.app import Pages


def router(pages: Pages) -> APIRouter:
    return APIRouter(include_in_schema=False)
