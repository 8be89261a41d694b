"""What every format module returns: a :class:`Table` of headers and streamed rows.

A format module exposes ``open_table(path) -> Table``. The table is a context manager; its
``rows`` yield ``(row number, cells)`` with the cells in the order of ``headers`` (a JSON
Lines line that is no JSON yields a :class:`RowError` instead of cells). ``position()`` and
``size`` measure how far the reading has come, for a progress bar (bytes for CSV and JSON,
rows for XLSX). :class:`FileProblem` means the file cannot be read as a table at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType


class FileProblem(Exception):
    """The file as a whole cannot be read (German message for people)."""


@dataclass(frozen=True)
class RowError:
    """A row that could not even be split into cells (e.g. a JSON line that is no JSON)."""

    message: str


Cells = Sequence[object] | RowError


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, Cells]]
    size: int
    position: Callable[[], int]
    format: str
    encoding: str | None = None
    #: what a row is called in messages ("Zeile" for files a person opens, "Datensatz" for
    #: the objects of a JSON array)
    row_word: str = "Zeile"
    _close: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        while self._close:
            self._close.pop()()

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
}


def format_of(path: Path) -> str:
    """``csv``, ``xlsx`` or ``json`` by the file's ending; :class:`FileProblem` otherwise."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise FileProblem(
            f"Dateiformat {path.suffix or '(ohne Endung)'} wird nicht unterstützt "
            f"(bekannt: {known})"
        ) from None


def open_table(path: Path) -> Table:
    """The table of a CSV, XLSX or JSON file, chosen by its ending."""
    from mahnwerk.importing import csv, json, xlsx

    if not path.is_file():
        raise FileProblem(f"Datei {path} gibt es nicht")
    opener = {"csv": csv.open_table, "xlsx": xlsx.open_table, "json": json.open_table}
    return opener[format_of(path)](path)


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes (a repeated import of the same file is recognised by it)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
