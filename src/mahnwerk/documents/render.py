"""Render letters to PDF/A with typst, in DIN 5008 form B layout.

One :class:`LetterRenderer` holds one ``typst.Compiler`` over the package's templates and is
reused for every letter (parsing the templates and loading the fonts happen once; a letter
then costs a few milliseconds). It is not thread-safe: use one renderer per thread or
process.

The letter's data reaches the templates as JSON in ``sys.inputs.data``; the body text of each
kind lives in ``templates/kinds/<kind>.typ`` and the layout in ``templates/letter.typ``.

Fonts are loaded only from explicit directories (``ignore_system_fonts``), so a letter looks
the same on every machine that has them; by default the DejaVu directory of Debian/Ubuntu
(``fonts-dejavu-core``) or Fedora/Alpine.

The EPC QR code comes from a :data:`~mahnwerk.documents.letters.GiroCodeMaker` given by the
caller, normally :func:`mahnwerk.banking.epc_qr.qr_svg` (``documents`` may not import
``banking``)::

    from mahnwerk.banking.epc_qr import EpcTransfer, qr_svg

    def giro_code(t: Transfer) -> str:
        return qr_svg(EpcTransfer(t.name, t.iban, t.amount, t.remittance, bic=t.bic))

    renderer = LetterRenderer(giro_code)
    pdf = renderer.render(letter)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Literal

import typst

from mahnwerk.documents.letters import (
    GiroCodeMaker,
    LetterData,
    LetterError,
    template_data,
    transfer_of,
    validate,
)

TEMPLATES = Path(__file__).parent / "templates"
MAIN_TEMPLATE = TEMPLATES / "letter.typ"
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)
REQUIRED_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
PdfStandard = Literal["a-2a", "a-2b", "a-2u", "a-3a", "a-3b", "a-3u"]
PDF_STANDARD: PdfStandard = "a-2a"
"""PDF/A-2 level A: archivable and tagged (accessible structure, Unicode text)."""


class FontsMissing(RuntimeError):
    """The letter fonts (DejaVu Sans) were not found in the configured directories."""


def default_font_paths() -> list[Path]:
    for folder in FONT_DIRS:
        if all((folder / name).is_file() for name in REQUIRED_FONTS):
            return [folder]
    raise FontsMissing(
        "DejaVu Sans not found in " + ", ".join(str(f) for f in FONT_DIRS) + "; install "
        "fonts-dejavu-core or pass font_paths"
    )


class LetterRenderer:
    def __init__(
        self,
        giro_code: GiroCodeMaker,
        *,
        font_paths: Sequence[Path] | None = None,
        pdf_standard: PdfStandard = PDF_STANDARD,
    ) -> None:
        fonts = list(font_paths) if font_paths is not None else default_font_paths()
        self._giro_code = giro_code
        self._pdf_standard = pdf_standard
        self._compiler = typst.Compiler(
            str(MAIN_TEMPLATE),
            root=str(TEMPLATES),
            font_paths=[str(f) for f in fonts],
            ignore_system_fonts=True,
        )

    def render(self, letter: LetterData) -> bytes:
        """The letter as PDF/A bytes; raises :class:`LetterError` if it does not validate.

        The output is reproducible: the PDF's creation date is the letter's date (noon UTC),
        so the same letter gives the same bytes.
        """
        problems = validate(letter)
        if problems:
            raise LetterError(problems)
        svg = self._giro_code(transfer_of(letter))
        data = json.dumps(template_data(letter, svg), ensure_ascii=False)
        stamp = int(datetime.combine(letter.date, time(12), tzinfo=UTC).timestamp())
        pdf = self._compiler.compile(
            format="pdf",
            sys_inputs={"data": data},
            pdf_standards=self._pdf_standard,
            timestamp=stamp,
        )
        assert isinstance(pdf, bytes)
        return pdf
