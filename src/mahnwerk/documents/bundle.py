"""Bundle a batch of letters for a print-and-mail service (Druck- und Versanddienstleister).

The batch directory gets one PDF per letter and a manifest in two forms, ``manifest.csv``
(semicolon-separated, UTF-8, as German print shops expect) and ``manifest.json``, each row
naming the file, its SHA-256, its page count, the recipient's name, postcode, city and
country, the case reference and the letter kind.

File names are deterministic: the position in the batch (which is the print order), the case
reference and the kind, e.g. ``00001_K-2026-000001_dunning_1.pdf``. Rendering the same batch
again gives the same names and, since the renderer is reproducible, the same bytes.

Nothing half-done: every letter is validated before anything is written; PDFs are written
first and the manifests last (each via a temporary file and an atomic rename), so a batch
directory with a manifest is complete. A directory that already holds a manifest is refused.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from pypdf import PdfReader

from mahnwerk.documents import spreadsheet
from mahnwerk.documents.letters import LetterData, LetterError, Problem, validate

MANIFEST_CSV = "manifest.csv"
MANIFEST_JSON = "manifest.json"
MANIFEST_FIELDS = (
    "file",
    "sha256",
    "pages",
    "recipient_name",
    "postcode",
    "city",
    "country",
    "case_reference",
    "kind",
)


class Renderer(Protocol):
    def render(self, letter: LetterData) -> bytes: ...


@dataclass(frozen=True)
class ManifestEntry:
    file: str
    sha256: str
    pages: int
    recipient_name: str
    postcode: str
    city: str
    country: str
    case_reference: str
    kind: str


class BundleError(ValueError):
    """A batch that cannot be bundled; ``problems`` maps the batch position to its problems."""

    def __init__(self, message: str, problems: dict[int, list[Problem]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or {}


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def file_name(position: int, letter: LetterData) -> str:
    """``00001_K-2026-000001_dunning_1.pdf``: position (from 1), case reference, kind."""
    reference = _UNSAFE.sub("-", letter.case_reference).strip("-") or "ohne-Zeichen"
    return f"{position:05d}_{reference}_{letter.kind}.pdf"


_PAGE_TREE = re.compile(rb"/Type\s*/Pages\s*/Count\s+(\d+)")


def page_count(pdf: bytes) -> int:
    """Pages of a PDF: read from typst's uncompressed page tree root when there is exactly one
    (a regex, ~0.1 ms), else by parsing the file with pypdf (~3 ms)."""
    roots = _PAGE_TREE.findall(pdf)
    if len(roots) == 1:
        return int(roots[0])
    return len(PdfReader(io.BytesIO(pdf)).pages)


def bundle(
    letters: Sequence[LetterData], renderer: Renderer, directory: Path
) -> list[ManifestEntry]:
    """Render ``letters`` into ``directory`` (created if missing) with the two manifests."""
    problems = {i + 1: p for i, letter in enumerate(letters) if (p := validate(letter))}
    if problems:
        raise BundleError(
            f"{len(problems)} von {len(letters)} Schreiben sind fehlerhaft; nichts geschrieben",
            problems,
        )
    if not letters:
        raise BundleError("keine Schreiben im Stapel")
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / MANIFEST_CSV).exists() or (directory / MANIFEST_JSON).exists():
        raise BundleError(f"{directory} enthält schon einen Stapel (manifest vorhanden)")
    entries = []
    for position, letter in enumerate(letters, start=1):
        try:
            pdf = renderer.render(letter)
        except LetterError as exc:  # pragma: no cover - validated above
            raise BundleError(str(exc), {position: exc.problems}) from exc
        name = file_name(position, letter)
        _write_atomic(directory / name, pdf)
        address = letter.recipient.address
        entries.append(
            ManifestEntry(
                file=name,
                sha256=hashlib.sha256(pdf).hexdigest(),
                pages=page_count(pdf),
                recipient_name=letter.recipient.name,
                postcode=address.postcode,
                city=address.city,
                country=address.country,
                case_reference=letter.case_reference,
                kind=str(letter.kind),
            )
        )
    _write_atomic(directory / MANIFEST_JSON, manifest_json(entries).encode("utf-8"))
    _write_atomic(directory / MANIFEST_CSV, manifest_csv(entries).encode("utf-8"))
    return entries


def manifest_json(entries: Sequence[ManifestEntry]) -> str:
    body = {
        "count": len(entries),
        "pages": sum(e.pages for e in entries),
        "letters": [asdict(e) for e in entries],
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def manifest_csv(entries: Sequence[ManifestEntry]) -> str:
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(MANIFEST_FIELDS)
    for e in entries:
        writer.writerow([getattr(e, f) for f in MANIFEST_FIELDS])
    return out.getvalue()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
