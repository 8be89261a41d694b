"""JSON: a list of row objects (``[{...}, ...]``), an object with such a list under ``rows``
(``{"rows": [...]}``), or JSON Lines (one object per line; ``.jsonl``/``.ndjson``, or a
``.json`` file whose first line is a whole object).

The file is parsed incrementally (objects are decoded one by one from a sliding buffer), so
a large file is never held in memory. It is read twice: once to learn the union of the keys
(the "headers": objects may leave out empty fields) and once to yield the rows. Row numbers
are line numbers for JSON Lines and the 1-based position in the list otherwise.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mahnwerk.importing.source import Cells, FileProblem, RowError, Table

_CHUNK = 1 << 20
_MAX_VALUE = 16 << 20  # one object larger than this is refused
_WS = " \t\r\n"


class _Stream:
    """A text buffer over a file from which JSON values are decoded one at a time."""

    def __init__(self, f: io.TextIOBase) -> None:
        self.f = f
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.f.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        if self.pos > _CHUNK:
            self.buf, self.pos = self.buf[self.pos :], 0
        self.buf += chunk
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end of the file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def expect(self, chars: str) -> str:
        char = self.peek()
        if not char or char not in chars:
            wanted = " oder ".join(f"„{c}“" for c in chars)
            found = f"„{char}“" if char else "Dateiende"
            raise FileProblem(f"JSON fehlerhaft: {wanted} erwartet, {found} gefunden")
        self.pos += 1
        return char

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                obj, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos < _MAX_VALUE and self._more():
                    continue
                raise FileProblem(f"JSON fehlerhaft: {exc.msg}") from exc
            if end == len(self.buf) and not self.eof and self._more():
                continue  # a number or literal might go on in the next chunk
            self.pos = end
            return obj


def _array(stream: _Stream) -> Iterator[tuple[int, Any]]:
    stream.expect("[")
    if stream.peek() == "]":
        stream.pos += 1
        return
    n = 0
    while True:
        n += 1
        try:
            obj = stream.value()
        except FileProblem as exc:
            raise FileProblem(f"Datensatz {n}: {exc}") from exc
        yield n, obj
        if stream.expect(",]") == "]":
            return


def _object_rows(stream: _Stream) -> Iterator[tuple[int, Any]]:
    stream.expect("{")
    while stream.peek() != "}":
        key = stream.value()
        stream.expect(":")
        if key == "rows":
            yield from _array(stream)
            return
        stream.value()
        if stream.expect(",}") == "}":
            break
    raise FileProblem('JSON-Objekt ohne Feld „rows“ (erwartet: {"rows": [ ... ]})')


def _lines(f: io.TextIOBase) -> Iterator[tuple[int, Any]]:
    for n, line in enumerate(f, 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, RowError(f"kein gültiges JSON ({exc.msg}, Spalte {exc.colno})")


def _is_lines(path: Path) -> bool:
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return True
    try:
        with path.open(encoding="utf-8-sig") as f:
            first = f.readline().strip()
    except UnicodeDecodeError as exc:  # found by fuzzing: was a crash before the import began
        raise FileProblem("JSON muss UTF-8 sein") from exc
    if not first.startswith("{"):
        return False
    try:
        obj = json.loads(first)
    except json.JSONDecodeError:
        return False
    return not (isinstance(obj, dict) and isinstance(obj.get("rows"), list))


def _objects(path: Path, lines: bool) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig") as f:
        try:
            if lines:
                yield from _lines(f)
                return
            stream = _Stream(f)
            first = stream.peek()
            if first == "[":
                yield from _array(stream)
            elif first == "{":
                yield from _object_rows(stream)
            elif not first:
                raise FileProblem("die Datei ist leer")
            else:
                raise FileProblem('JSON erwartet: eine Liste von Zeilen oder {"rows": [...]}')
        except UnicodeDecodeError as exc:
            raise FileProblem("JSON muss UTF-8 sein") from exc


def open_table(path: Path) -> Table:
    lines = _is_lines(path)
    keys: dict[str, None] = {}
    count = 0
    for _, obj in _objects(path, lines):
        count += 1
        if isinstance(obj, dict):
            keys.update(dict.fromkeys(str(k) for k in obj))
    headers = list(keys)
    done = [0]

    def rows() -> Iterator[tuple[int, Cells]]:
        for n, obj in _objects(path, lines):
            done[0] += 1
            if isinstance(obj, RowError):
                yield n, obj
            elif not isinstance(obj, dict):
                yield n, RowError("Datensatz ist kein JSON-Objekt")
            else:
                yield n, [obj.get(k) for k in headers]

    return Table(
        headers=headers,
        rows=rows(),
        size=count,
        position=lambda: done[0],
        format="jsonl" if lines else "json",
        encoding="utf-8",
        row_word="Zeile" if lines else "Datensatz",
    )
