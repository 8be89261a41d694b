"""Official forms as PDF: a form is a list of modules, each a list of fields, check boxes,
tables and notes in the order of the official form; this module lays them out with typst.

The content and its order belong to the caller (``mahnwerk.enforcement`` builds the ZVFV
forms from a case); here is only the layout, shared by every form: the Anlage line, the
title, one frame per module with the module letter on a grey bar (§ 3 Abs. 1 Nr. 2 b ZVFV:
"Sinneinheiten, die durch einen mit einem Buchstaben versehenen und grau hinterlegten Balken
gekennzeichnet sind"), each text field as its label above a box holding the value, each
check box as ☒ (marked) or ☐ (not marked) before its text.

Every value is text already formatted by the caller (German dates and amounts), so the
template never computes. :func:`field_text` gives the text a field shows, which the tests
use to read a produced PDF back.

>>> doc = FormDocument("Anlage 9", "Beispiel", "", (
...     FormModule("A", "Gläubiger", (FormField("a.name", "Name", "Muster GmbH"),
...                                   CheckBox("a.vat", "nicht vorsteuerabzugsberechtigt", True))),
... ), date(2026, 1, 5))
>>> [field_text(i) for m in doc.modules for i in m.items]
['Muster GmbH', '☒ nicht vorsteuerabzugsberechtigt']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from mahnwerk.documents.render import PDF_STANDARD, TEMPLATES, PdfStandard, default_font_paths

FORM_TEMPLATE = TEMPLATES / "form.typ"
CHECKED = "☒"
UNCHECKED = "☐"


@dataclass(frozen=True)
class FormField:
    """A text field: ``key`` is stable (tests and mappings use it), ``label`` the form's text."""

    key: str
    label: str
    value: str


@dataclass(frozen=True)
class CheckBox:
    key: str
    label: str
    checked: bool


@dataclass(frozen=True)
class FormTable:
    """A table of the form (claims, costs): one row per entry, every cell text."""

    key: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        width = len(self.columns)
        if any(len(r) != width for r in self.rows) or (self.total and len(self.total) != width):
            raise ValueError(f"table {self.key}: every row needs {width} cells")


@dataclass(frozen=True)
class Note:
    """Printed text of the form (an instruction or a heading inside a module)."""

    text: str
    heading: bool = False


FormItem = FormField | CheckBox | FormTable | Note


@dataclass(frozen=True)
class FormModule:
    """A module: ``letter`` on the grey bar ("" for the unlettered first page block)."""

    letter: str
    title: str
    items: tuple[FormItem, ...]


@dataclass(frozen=True)
class FormDocument:
    anlage: str
    title: str
    notice: str
    """Printed under the title: what this rendering is (e.g. that it reproduces the fields)."""
    modules: tuple[FormModule, ...]
    date: date
    """The day of the form; it is also the PDF's creation date (reproducible output)."""
    author: str = ""
    footer: str = ""


def field_text(item: FormItem) -> str:
    """The text an item shows (what a reader of the PDF must find)."""
    if isinstance(item, FormField):
        return item.value
    if isinstance(item, CheckBox):
        return f"{CHECKED if item.checked else UNCHECKED} {item.label}"
    if isinstance(item, FormTable):
        return " ".join(" ".join(row) for row in (*item.rows, item.total))
    return item.text


def iter_fields(doc: FormDocument) -> list[FormField | CheckBox]:
    """Every text field and check box of the document, in the printed order."""
    return [item for m in doc.modules for item in m.items if isinstance(item, FormField | CheckBox)]


def _item_data(item: FormItem) -> dict[str, Any]:
    if isinstance(item, FormField):
        return {"type": "field", "label": item.label, "value": item.value}
    if isinstance(item, CheckBox):
        return {
            "type": "check",
            "label": item.label,
            "mark": CHECKED if item.checked else UNCHECKED,
        }
    if isinstance(item, FormTable):
        return {
            "type": "table",
            "columns": list(item.columns),
            "rows": [list(r) for r in item.rows],
            "total": list(item.total),
        }
    return {"type": "note", "text": item.text, "heading": item.heading}


def template_data(docs: Sequence[FormDocument]) -> dict[str, Any]:
    return {
        "documents": [
            {
                "anlage": d.anlage,
                "title": d.title,
                "notice": d.notice,
                "footer": d.footer,
                "modules": [
                    {
                        "letter": m.letter,
                        "title": m.title,
                        "items": [_item_data(i) for i in m.items],
                    }
                    for m in d.modules
                ],
            }
            for d in docs
        ],
        "title": docs[0].title if docs else "",
        "author": docs[0].author if docs else "",
    }


class FormRenderer:
    """Renders form documents to PDF/A with one reused typst compiler (not thread-safe)."""

    def __init__(
        self, *, font_paths: Sequence[Path] | None = None, pdf_standard: PdfStandard = PDF_STANDARD
    ) -> None:
        import typst

        fonts = list(font_paths) if font_paths is not None else default_font_paths()
        self._pdf_standard = pdf_standard
        self._compiler = typst.Compiler(
            str(FORM_TEMPLATE),
            root=str(TEMPLATES),
            font_paths=[str(f) for f in fonts],
            ignore_system_fonts=True,
        )

    def render(self, docs: Sequence[FormDocument]) -> bytes:
        """One PDF holding ``docs`` in order (a form and its Anlagen), each from a new page."""
        if not docs:
            raise ValueError("no form to render")
        data = json.dumps(template_data(docs), ensure_ascii=False)
        stamp = int(datetime.combine(docs[0].date, time(12), tzinfo=UTC).timestamp())
        pdf = self._compiler.compile(
            format="pdf", sys_inputs={"data": data}, pdf_standards=self._pdf_standard,
            timestamp=stamp,
        )  # fmt: skip
        assert isinstance(pdf, bytes)
        return pdf
