"""CSV files that a spreadsheet opens safely: every cell a person could have typed is
neutralised against formula injection (CSV injection, CWE-1236).

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel and LibreOffice; such a cell gets a leading apostrophe, which the programs
show as text. A plain number (``-12,50``, ``+49``) is left as it is, so that amounts stay
numbers. Every CSV mahnwerk writes goes through :func:`writer`.

>>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("@SUM(A1)"), safe_cell("-12,50")
('\\'=HYPERLINK("http://x")', "'@SUM(A1)", '-12,50')
>>> safe_cell("Müller"), safe_cell(3), safe_cell("\\tcmd")
('Müller', '3', "'\\tcmd")
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)*")


def safe_cell(value: object) -> str:
    """The cell's text, with a leading apostrophe where a spreadsheet would see a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_TRIGGERS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """A ``csv.writer`` (German Excel dialect: ``;``, CR LF) whose cells are all safe."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: TextIO) -> SafeWriter:
    return SafeWriter(out)
