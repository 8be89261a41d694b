"""The readable summary of a data export (Auskunft nach Art. 15 DSGVO) as PDF/A.

The data arrive already as text (:func:`mahnwerk.services.privacy.export.summary_data`):
a heading per kind of data with its columns and rows; the template only lays them out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mahnwerk.documents.render import PDF_STANDARD, TEMPLATES, default_font_paths

SUMMARY_TEMPLATE = TEMPLATES / "privacy_summary.typ"


def summary_pdf(data: dict[str, Any], *, font_paths: Sequence[Path] | None = None) -> bytes:
    import typst

    fonts = list(font_paths) if font_paths is not None else default_font_paths()
    compiler = typst.Compiler(
        str(SUMMARY_TEMPLATE),
        root=str(TEMPLATES),
        font_paths=[str(f) for f in fonts],
        ignore_system_fonts=True,
    )
    pdf = compiler.compile(
        format="pdf",
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        pdf_standards=PDF_STANDARD,
    )
    assert isinstance(pdf, bytes)
    return pdf
