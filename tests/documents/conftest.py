"""Shared fixtures for the letter tests: one renderer for the session (typst compiler reuse),
wired to the project's one EPC QR implementation as the composition root would do."""

from __future__ import annotations

import pytest

from mahnwerk.banking.epc_qr import EpcTransfer, qr_svg
from mahnwerk.documents.letters import Transfer
from mahnwerk.documents.render import LetterRenderer


def epc_transfer(t: Transfer) -> EpcTransfer:
    return EpcTransfer(t.name, t.iban, t.amount, t.remittance, bic=t.bic)


def giro_code(t: Transfer) -> str:
    return qr_svg(epc_transfer(t))


@pytest.fixture(scope="session")
def renderer() -> LetterRenderer:
    return LetterRenderer(giro_code)
