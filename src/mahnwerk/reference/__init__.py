"""Versioned legal reference data (base rate, fee tables, garnishment parameters).

The files in ``data/`` are copied from the project's reference folder with their source and
valid-from date (see ``data/README.md``). This module only reads them; the rules that use
them live in :mod:`mahnwerk.domain`.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources


def read_rows(name: str) -> list[dict[str, str]]:
    """Rows of a CSV file in ``data/`` as dictionaries (cached: the files never change)."""
    return [dict(row) for row in _read(name)]


@cache
def _read(name: str) -> tuple[dict[str, str], ...]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))
