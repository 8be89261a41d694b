"""Versioned legal reference data (base rate, fee tables, garnishment parameters).

The files in ``data/`` are copied from the project's reference folder with their source and
valid-from date (see ``data/README.md``). This module only reads them; the rules that use
them live in :mod:`mahnwerk.domain`.

Values an operator adds without a release (``mahnwerk reference base-rate add …``) are
stored in the database; the store hands them to :func:`install_operator_rows` at start-up
(and after every addition), and :func:`merged_rows` merges them with the shipped rows:

- an operator row for a key the shipped file does not have is added;
- an operator row for a key whose shipped row is marked UNVERIFIED replaces it;
- a shipped row that is not marked UNVERIFIED is never replaced.

>>> install_operator_rows("basiszinssatz.csv", [{"valid_from": "2031-01-01",
...     "rate_percent": "1.00", "status": "operator", "sources": "https://example.org"}])
>>> merged_rows("basiszinssatz.csv")[-1]["valid_from"]
'2031-01-01'
>>> install_operator_rows("basiszinssatz.csv", [])
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

#: The columns that identify a row of each file that operators may extend.
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "basiszinssatz.csv": ("valid_from",),
    "pfaendung_params.csv": ("valid_from", "period"),
}

_operator: dict[str, tuple[dict[str, str], ...]] = {}
_version = [0]


def read_rows(name: str) -> list[dict[str, str]]:
    """Rows of a CSV file in ``data/`` as dictionaries (cached: the files never change)."""
    return [dict(row) for row in _read(name)]


@cache
def _read(name: str) -> tuple[dict[str, str], ...]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


def is_unverified(row: Mapping[str, str]) -> bool:
    """Whether a shipped row is marked UNVERIFIED (only such rows may be replaced)."""
    return str(row.get("status", "")).upper().startswith("UNVERIFIED")


def install_operator_rows(name: str, rows: Iterable[Mapping[str, str]]) -> None:
    """Set the operator's rows of ``name`` (replacing those installed before)."""
    if name not in ROW_KEYS:
        raise ValueError(f"{name}: operators cannot add rows to this file")
    _operator[name] = tuple(dict(r) for r in rows)
    _version[0] += 1


def operator_rows(name: str) -> tuple[dict[str, str], ...]:
    return _operator.get(name, ())


def version() -> int:
    """Changes whenever operator rows are installed (for caches of merged tables)."""
    return _version[0]


def merged_rows(name: str) -> list[dict[str, str]]:
    """The shipped rows of ``name`` merged with the operator's rows (see the module docstring),
    sorted by key."""
    keys = ROW_KEYS.get(name)
    rows = read_rows(name)
    if keys is None or not _operator.get(name):
        return rows
    by_key = {tuple(r[k] for k in keys): r for r in rows}
    for row in _operator[name]:
        key = tuple(row[k] for k in keys)
        shipped = by_key.get(key)
        if shipped is None or is_unverified(shipped):
            by_key[key] = dict(row)
    return [by_key[k] for k in sorted(by_key)]
