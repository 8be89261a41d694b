"""Rights of the people whose data is stored (GDPR):

- ``mahnwerk privacy export PERSON_OR_CASE --out FILE.zip``: everything stored about the
  person (Art. 15, 20): ``daten.json``, the letters as sent, ``uebersicht.pdf``;
- ``mahnwerk privacy erase PERSON_OR_CASE --reason TEXT``: a justified erasure request
  (Art. 17): refused (exit 2) while a case is open; else erases what no law requires to keep
  and names the day until which the rest is kept;
- ``mahnwerk privacy retention [--date D]``: block ended debtors and erase what has passed its
  retention period (the workers run this daily).

PERSON_OR_CASE: a case number (``MW-00000123-20``), ``case:ID``, ``debtor:ID`` or
``person:ID``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2

SUBJECT_HELP = "Aktenzeichen (MW-…), case:ID, debtor:ID oder person:ID"


def register(subparsers: Any) -> None:
    privacy = subparsers.add_parser("privacy", help="Datenschutz: Auskunft, Löschung, Fristen")
    sub = privacy.add_subparsers(dest="privacy_command", metavar="BEFEHL", required=True)
    ex = sub.add_parser("export", help="Auskunft (Art. 15/20 DSGVO) als ZIP")
    ex.add_argument("subject", help=SUBJECT_HELP)
    ex.add_argument("--out", required=True, help="Zieldatei, z. B. auskunft.zip")
    ex.add_argument("--no-pdf", action="store_true", help="ohne PDF-Übersicht")
    ex.set_defaults(handler=export_command)
    er = sub.add_parser("erase", help="Löschung auf Antrag (Art. 17 DSGVO)")
    er.add_argument("subject", help=SUBJECT_HELP)
    er.add_argument("--reason", required=True, help="Begründung des Antrags")
    er.set_defaults(handler=erase_command)
    rt = sub.add_parser("retention", help="Aufbewahrungsfristen: sperren und löschen")
    rt.add_argument("--date", dest="day", help="Stichtag JJJJ-MM-TT (Standard: heute)")
    rt.set_defaults(handler=retention_command)


def _actor() -> Any:
    from mahnwerk.services.actor import Actor

    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment
        user = "local"
    return Actor(kind="cli", id=user, role="admin", origin="cli")


def _fail(message: str) -> int:
    print(f"Fehler: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def export_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.privacy.export import SubjectNotFound, find_subject, write_zip
    from mahnwerk.store.db import transaction

    out = Path(args.out)
    if not out.parent.is_dir():
        return _fail(f"--out: Ordner {out.parent} gibt es nicht")
    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            subject = find_subject(s, args.subject)
            export = write_zip(
                s, _actor(), subject, out,
                documents_dir=runtime.settings.documents_dir, pdf=not args.no_pdf,
            )  # fmt: skip
    except SubjectNotFound as exc:
        return _fail(str(exc))
    rows = sum(len(r) for r in export.tables.values())
    print(
        f"Auskunft für Person {subject.person_id}: {len(subject.case_ids)} Fälle,"
        f" {rows} Einträge aus {len(export.tables)} Tabellen -> {out}"
    )
    return EXIT_OK


def erase_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.actor import today_in_germany
    from mahnwerk.services.privacy.export import SubjectNotFound, find_subject
    from mahnwerk.services.privacy.retention import ErasureRefused, erase_on_request
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            subject = find_subject(s, args.subject)
            result = erase_on_request(
                s, _actor(), subject, reason=args.reason, settings=runtime.settings,
                today=today_in_germany(),
            )  # fmt: skip
    except (SubjectNotFound, ErasureRefused) as exc:
        return _fail(str(exc))
    print(f"Löschantrag für Person {subject.person_id}:")
    print(result.german())
    return EXIT_OK


def retention_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.actor import today_in_germany
    from mahnwerk.services.privacy.retention import run_retention
    from mahnwerk.store.db import transaction

    try:
        day = date.fromisoformat(args.day) if args.day else today_in_germany()
    except ValueError:
        return _fail(f"--date: {args.day!r} ist kein Datum JJJJ-MM-TT")
    runtime = build()
    with transaction(runtime.sessions) as s:
        report = run_retention(s, _actor(), runtime.settings, day)
    print(report.german())
    return EXIT_OK
