"""CSV as German Excel writes it: ``;`` between cells, decimal comma, ``dd.mm.yyyy``.

The encoding is detected: a byte order mark (UTF-8 or UTF-16) decides; otherwise the file
is UTF-8 if all of it decodes as UTF-8, else Windows-1252 (what Excel writes for
"CSV (Trennzeichen-getrennt)"). The separator is taken from the header line (``;``, ``,`` or
tab, whichever occurs most). Row numbers are line numbers as a text editor shows them (the
header is line 1). Empty lines and lines of empty cells are skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from mahnwerk.importing.source import Cells, FileProblem, Table

_CHUNK = 1 << 20


def detect_encoding(path: Path) -> str:
    """``utf-8-sig``, ``utf-16``, ``utf-8`` or ``cp1252``; :class:`FileProblem` if none fits."""
    with path.open("rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        f.seek(0)
        if _decodes(f, "utf-8"):
            return "utf-8"
        f.seek(0)
        if _decodes(f, "cp1252"):
            return "cp1252"
    raise FileProblem(
        "Zeichenkodierung nicht erkannt (erwartet UTF-8 oder Windows-1252, wie Excel speichert)"
    )


def _decodes(f: io.BufferedReader, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := f.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def open_table(path: Path) -> Table:
    encoding = detect_encoding(path)
    binary = path.open("rb")
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        header_line = text.readline()
        while header_line and not header_line.strip().strip(";,\t"):
            header_line = text.readline()  # blank lines above the header
        if not header_line:
            raise FileProblem("die Datei ist leer (keine Kopfzeile)")
        delimiter = sniff_delimiter(header_line)
        headers = next(csv.reader([header_line], delimiter=delimiter))
    except BaseException:
        text.close()
        raise
    size = path.stat().st_size

    def rows() -> Iterator[tuple[int, Cells]]:
        reader = csv.reader(text, delimiter=delimiter)
        start = 2
        try:
            for cells in reader:
                if any(cells):
                    yield start, cells
                start = 2 + reader.line_num
        except csv.Error as exc:
            raise FileProblem(f"Zeile {start}: die CSV-Datei ist fehlerhaft ({exc})") from exc
        except UnicodeDecodeError as exc:  # pragma: no cover - detected before reading
            raise FileProblem(f"Zeile {start}: Zeichenkodierung fehlerhaft") from exc

    return Table(
        headers=[h.strip() for h in headers],
        rows=rows(),
        size=size,
        position=binary.tell,
        format="csv",
        encoding=encoding,
        _close=[text.close],
    )
