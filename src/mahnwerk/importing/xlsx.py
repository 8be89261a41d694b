"""XLSX, read with openpyxl in read-only mode: the rows of the first worksheet are streamed,
never held in memory whole. Cells may be real dates and numbers or text. The first non-empty
row is the header; row numbers are Excel's row numbers; empty rows are skipped.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from mahnwerk.importing.source import Cells, FileProblem, Table


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


#: what a damaged file makes openpyxl and the libraries below it raise (found by fuzzing:
#: zlib, XML and value errors besides the documented ones); all mean "not readable"
_UNREADABLE = (
    InvalidFileException, zipfile.BadZipFile, zlib.error, KeyError, OSError, EOFError,
    ValueError, TypeError, IndexError, AttributeError, SyntaxError,
)  # fmt: skip


def open_table(path: Path) -> Table:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except _UNREADABLE as exc:
        raise FileProblem(f"keine lesbare XLSX-Datei ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        number = sheet.min_row or 1
        headers: list[str] | None = None
        for values in iterator:
            if not all(_blank(v) for v in values):
                headers = ["" if v is None else str(v).strip() for v in values]
                break
            number += 1
        if headers is None:
            raise FileProblem("das erste Tabellenblatt ist leer (keine Kopfzeile)")
        total = sheet.max_row or 0
    except _UNREADABLE as exc:
        workbook.close()
        raise FileProblem(f"keine lesbare XLSX-Datei ({exc})") from exc
    except BaseException:
        workbook.close()
        raise
    done = [number]

    def rows() -> Iterator[tuple[int, Cells]]:
        row_no = number
        try:
            for values in iterator:
                row_no += 1
                done[0] = row_no
                if not all(_blank(v) for v in values):
                    yield row_no, values
        except _UNREADABLE as exc:
            raise FileProblem(f"XLSX-Datei nach Zeile {row_no} nicht lesbar ({exc})") from exc

    return Table(
        headers=headers,
        rows=rows(),
        size=total,
        position=lambda: done[0],
        format="xlsx",
        _close=[workbook.close],
    )
