"""Writing EDA files of applications: AA + the records of every application + BB, CP850,
128-byte records without separators (what the Online-Mahnantrag writes, 1.2).

The trailer is computed from the applications themselves (``SKATNR`` the catalogue numbers,
``SUASP`` the main claims in cents, ``ASPANZ`` their number; ``SUGNR`` 0 for Mahnbescheid
applications, the GNR checksum for follow-up applications), independently of the reader,
which recounts the records.

>>> from datetime import date
>>> from mahnwerk.court.application import VbApplication
>>> p = Participant("07774512")
>>> data = write_vb_file([VbApplication("MW-00000001-97", "26123456701", date(2026, 3, 30))],
...     p, "ABC022", date(2026, 3, 30))
>>> len(data), data[:2], data[128:137], data[-128:-126]
(384, b'AA', b'08KS   00', b'BB')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from mahnwerk.court import aa, bb, satzart_01, satzart_08
from mahnwerk.court.application import Application, VbApplication
from mahnwerk.court.fields import CHARSET, FieldError

__all__ = ["Participant", "file_name", "write_mb_file", "write_vb_file"]


@dataclass(frozen=True)
class Participant:
    """The agency as EDA participant: its Kennziffer (AA/BB ``TKEZI``, C01 ``PVKEZI``), an
    Einreicher-Kennziffer if another participant submits, the software named in AA."""

    kennziffer: str
    einreicher: str = ""
    software: str = "mahnwerk"
    version: str = ""


def file_name(edaid: str) -> str:
    """``ABC021`` → ``ABC021.EDA`` (the receipt comes back as ``ABC021QU.EDA``)."""
    return f"{edaid}.EDA"


def _frame(
    participant: Participant,
    satzart: str,
    fmt: str,
    edaid: str,
    day: date,
    body: list[str],
    trailer: bb.Trailer,
) -> bytes:
    header = aa.FileHeader(
        participant.kennziffer,
        day,
        satzart,
        fmt,
        edaid,
        participant.software,
        participant.version,
        participant.einreicher,
    )
    problems = aa.validate(header) + bb.validate(trailer)
    if problems:
        raise ValueError("; ".join(problems))
    return "".join([aa.render(header), *body, bb.render(trailer)]).encode(CHARSET)


def write_mb_file(
    applications: Sequence[Application],
    participant: Participant,
    edaid: str,
    day: date,
    refused: list[tuple[int, str]] | None = None,
) -> bytes:
    """One logical file of Mahnbescheid applications (Satzart 01, format 4000). With a
    ``refused`` list, an application a field of which does not fit is left out and noted there
    (its index and the reason); without one the error is raised."""
    body: list[str] = []
    catalogue_sum = cents = claims = count = 0
    for index, app in enumerate(applications):
        try:
            records = satzart_01.records(app, participant.kennziffer)
        except FieldError as exc:
            if refused is None:
                raise
            refused.append((index, str(exc)))
            continue
        body.extend(records)
        count += 1
        for claim in app.claims:
            claims += 1
            cents += int(claim.amount * 100)
            catalogue_sum += claim.catalogue or 0
    trailer = bb.Trailer(
        participant.kennziffer,
        applications=count,
        records=len(body),
        catalogue_sum=catalogue_sum,
        claims_cents=cents,
        gnr_sum=0,
        claims=claims,
    )
    return _frame(participant, satzart_01.SATZART, satzart_01.FORMAT, edaid, day, body, trailer)


def write_vb_file(
    applications: Sequence[VbApplication],
    participant: Participant,
    edaid: str,
    day: date,
    refused: list[tuple[int, str]] | None = None,
) -> bytes:
    """One logical file of Vollstreckungsbescheid applications (Satzart 08, format 4100),
    applied for on ``day`` (``refused`` as in :func:`write_mb_file`)."""
    body: list[str] = []
    written: list[VbApplication] = []
    for index, app in enumerate(applications):
        try:
            records = satzart_08.records(app, participant.kennziffer, day)
        except FieldError as exc:
            if refused is None:
                raise
            refused.append((index, str(exc)))
            continue
        body.extend(records)
        written.append(app)
    trailer = bb.Trailer(
        participant.kennziffer,
        applications=len(written),
        records=len(body),
        gnr_sum=bb.gnr_checksum(a.gnr for a in written),
    )
    return _frame(participant, satzart_08.SATZART, satzart_08.FORMAT, edaid, day, body, trailer)
