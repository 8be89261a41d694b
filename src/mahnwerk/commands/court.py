"""The court dunning procedure for operators and scripts:

- ``mahnwerk court prepare CASE [--catalogue N] [--addition RECHNUNG=TEXT] [--legal-form F]
  [--representative "Funktion: Name"] [--streitgericht "PLZ Ort"] [--by EMAIL]``: prepare the
  Mahnbescheid application (exit 2 with every reason when the case cannot go to court);
- ``mahnwerk court export [--out DIR] [--date D]``: write every approved application into one
  EDA file per kind (Mahnbescheid / Vollstreckungsbescheid) and print each file's path;
- ``mahnwerk court import [FILE …]``: read court replies (every file of the inbox
  ``MAHNWERK_EDA_INBOX`` when none is named; read files move to ``done/``, refused ones to
  ``failed/`` with the reason next to them);
- ``mahnwerk court review``: court messages waiting for a person (unknown reference, or not
  fitting the procedure);
- ``mahnwerk court applicant CREDITOR [--land NI] [--mahngericht ID] [--legal-form GmbH]
  [--representative "Geschäftsführer: Name"] [--counter-performance rendered|none]
  [--catalogue N] [--street …] [--postcode …] [--city …]``: the creditor's data for the
  Mahnantrag (``creditor.settings["court"]``).

Each run first moves what time has moved (VB applications due, § 701 lapses).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    court = subparsers.add_parser("court", help="gerichtliches Mahnverfahren (EDA)")
    sub = court.add_subparsers(dest="court_command", metavar="BEFEHL", required=True)

    prep = sub.add_parser("prepare", help="Mahnbescheid-Antrag vorbereiten")
    prep.add_argument("case", help="Aktenzeichen (MW-…) oder Fallnummer")
    prep.add_argument("--catalogue", type=int, help="Katalognummer für alle Forderungen")
    prep.add_argument("--document", help="Belegart (Rechnung, Vertrag, …)")
    prep.add_argument(
        "--addition",
        action="append",
        default=[],
        metavar="RECHNUNG=TEXT",
        help="Zusatzangabe zur Katalognummer je Forderung (* für alle)",
    )
    prep.add_argument("--legal-form", default="", help="Rechtsform des Antragsgegners")
    prep.add_argument(
        "--representative",
        action="append",
        default=[],
        metavar="FUNKTION: NAME",
        help="gesetzlicher Vertreter des Antragsgegners",
    )
    prep.add_argument(
        "--streitgericht", metavar="PLZ ORT", help="Amtsgericht für das Streitverfahren"
    )
    prep.add_argument("--date", dest="day", help="Tag JJJJ-MM-TT (Standard: heute)")
    prep.add_argument("--by", metavar="EMAIL", help="wer vorbereitet (Benutzer mit E-Mail)")
    prep.set_defaults(handler=prepare_command)

    exp = sub.add_parser("export", help="freigegebene Anträge als EDA-Datei schreiben")
    exp.add_argument("--out", type=Path, help="Ordner (Standard: MAHNWERK_EDA_OUTBOX)")
    exp.add_argument("--date", dest="day", help="Tag JJJJ-MM-TT (Standard: heute)")
    exp.set_defaults(handler=export_command)

    imp = sub.add_parser("import", help="Nachrichten des Mahngerichts einlesen")
    imp.add_argument("files", nargs="*", type=Path, help="Dateien (Standard: der Eingangsordner)")
    imp.add_argument("--date", dest="day", help="Tag JJJJ-MM-TT (Standard: heute)")
    imp.set_defaults(handler=import_command)

    sub.add_parser("review", help="Nachrichten, die ein Mensch prüfen muss").set_defaults(
        handler=review_command
    )

    app = sub.add_parser("applicant", help="Angaben des Mandanten für den Mahnantrag")
    app.add_argument("creditor", type=int, help="Nummer des Mandanten")
    app.add_argument("--land", help="Bundesland des Sitzes (BW, BY, …, NI, …)")
    app.add_argument("--mahngericht", help="XJustiz-Kennung des Mahngerichts (z. B. R2602)")
    app.add_argument("--legal-form", help="Rechtsform (leer: natürliche Person)")
    app.add_argument("--name", help="Bezeichnung im Antrag (Standard: Name des Mandanten)")
    app.add_argument("--representative", action="append", metavar="FUNKTION: NAME")
    app.add_argument("--counter-performance", choices=("rendered", "none"))
    app.add_argument("--catalogue", type=int, help="übliche Katalognummer der Forderungen")
    app.add_argument("--street")
    app.add_argument("--postcode")
    app.add_argument("--city")
    app.set_defaults(handler=applicant_command)


class _BadInput(Exception):
    pass


def _fail(message: str) -> int:
    print(f"Fehler: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _day(text: str | None) -> date:
    from mahnwerk.services.actor import today_in_germany

    if not text:
        return today_in_germany()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _BadInput(f"--date: {text!r} ist kein Datum JJJJ-MM-TT") from exc


def _representatives(items: list[str] | None) -> tuple[Any, ...]:
    from mahnwerk.court.application import Representative

    out = []
    for item in items or ():
        function, sep, name = item.partition(":")
        if not sep or not function.strip():
            raise _BadInput(f"--representative {item!r}: „Funktion: Name“ erwartet")
        out.append(Representative(function.strip(), name.strip()))
    return tuple(out)


def _options(args: argparse.Namespace) -> Any:
    from mahnwerk.court.application import Streitgericht
    from mahnwerk.services.court.prepare import PrepareOptions

    additions: dict[str, str] = {}
    for item in args.addition:
        invoice, sep, text = item.partition("=")
        if not sep:
            raise _BadInput(f"--addition {item!r}: „RECHNUNG=TEXT“ erwartet")
        additions[invoice.strip()] = text.strip()
    streit = None
    if args.streitgericht:
        postcode, _, city = args.streitgericht.strip().partition(" ")
        if not (postcode.isdigit() and len(postcode) == 5 and city.strip()):
            raise _BadInput(f"--streitgericht {args.streitgericht!r}: „PLZ Ort“ erwartet")
        streit = Streitgericht(1, postcode, city.strip())
    return PrepareOptions(
        catalogue=args.catalogue,
        document=args.document,
        additions=additions,
        defendant_legal_form=args.legal_form,
        defendant_representatives=_representatives(args.representative),
        streitgericht=streit,
    )


def prepare_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.commands.daily import _BadInput as DailyBadInput
    from mahnwerk.commands.daily import _case_id, user_actor
    from mahnwerk.services.court import prepare as court
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        day = _day(args.day)
        options = _options(args)
        with transaction(runtime.sessions) as s:
            procedure = court.prepare(
                s, user_actor(s, args.by), _case_id(s, args.case), today=day, options=options
            )
            app = court.application_of(procedure)
            print(
                f"Mahnbescheid vorbereitet: {app.reference}, {app.principal} € "
                f"Hauptforderung, {app.court_name}; Freigabe Nr. {procedure.approval_id}"
            )
            for note in app.notes:
                print(f"  Hinweis: {note}")
    except court.CourtRefusal as exc:
        print(f"Fall {exc.reference} kann nicht ins gerichtliche Mahnverfahren:", file=sys.stderr)
        for reason in exc.reasons:
            print(f"  - {reason}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (court.CourtError, _BadInput, DailyBadInput) as exc:
        return _fail(str(exc))
    return EXIT_OK


def _advance(runtime: Any, day: date) -> None:
    from mahnwerk.services.court.tick import advance
    from mahnwerk.store.db import transaction

    with transaction(runtime.sessions) as s:
        advance(s, day)


def export_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.court import export as court_export
    from mahnwerk.services.court.prepare import CourtError
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        day = _day(args.day)
    except _BadInput as exc:
        return _fail(str(exc))
    _advance(runtime, day)
    with transaction(runtime.sessions) as s:
        court_export.deliver(s)  # files an earlier run left undelivered
    result = court_export.ExportResult()
    try:
        with transaction(runtime.sessions) as s:
            result = court_export.export(
                s, _cli_actor(), runtime.settings, today=day, out_dir=args.out
            )
    except CourtError as exc:
        return _fail(str(exc))
    except BaseException:
        court_export.discard_temporary(result)
        raise
    with transaction(runtime.sessions) as s:
        court_export.deliver(s)
    print(result.german())
    return EXIT_OK


def _cli_actor() -> Any:
    from mahnwerk.commands.daily import _actor

    return _actor()


def import_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.court import inbox as court_inbox

    runtime = build()
    try:
        day = _day(args.day)
    except _BadInput as exc:
        return _fail(str(exc))
    inbox = runtime.settings.eda_inbox_dir
    files: list[Path] = list(args.files)
    if not files:
        inbox.mkdir(parents=True, exist_ok=True)
        files = court_inbox.waiting_files(inbox)
        if not files:
            print(f"Keine Dateien in {inbox}.")
    picked = court_inbox.import_files(
        runtime.sessions, _cli_actor(), files, today=day, inbox=None if args.files else inbox
    )
    code = EXIT_OK
    for one in picked:
        if one.result is not None:
            print(one.result.german())
        else:
            code = _fail(f"{one.path.name} abgelehnt, nichts eingelesen: {one.refused}")
    _advance(runtime, day)
    return code


def review_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.court.replies import pending_review

    runtime = build()
    with runtime.sessions() as s:
        rows = pending_review(s)
        if not rows:
            print("Keine Nachrichten zu prüfen.")
        for m in rows:
            ref = m.reference or m.gnr or "?"
            print(f"{m.id:>6}  Satzart {m.satzart}  {ref:<20} {m.status:<10} {m.outcome}")
    return EXIT_OK


def applicant_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.court.applicant import ApplicantError, set_applicant
    from mahnwerk.store.db import transaction

    runtime = build()
    changes: dict[str, Any] = {
        key: value
        for key, value in (
            ("land", args.land),
            ("mahngericht", args.mahngericht),
            ("legal_form", args.legal_form),
            ("name", args.name),
            ("counter_performance", args.counter_performance),
            ("street", args.street),
            ("postcode", args.postcode),
            ("city", args.city),
        )
        if value is not None
    }
    try:
        if args.representative is not None:
            changes["representatives"] = [
                {"function": r.function, "name": r.name}
                for r in _representatives(args.representative)
            ]
        if args.catalogue is not None:
            changes["catalogue"] = {"nr": args.catalogue, "document": "Rechnung"}
        with transaction(runtime.sessions) as s:
            data, problems = set_applicant(s, _cli_actor(), args.creditor, changes)
    except (ApplicantError, _BadInput) as exc:
        return _fail(str(exc))
    for key in sorted(data):
        print(f"{key}: {data[key]}")
    for problem in problems:
        print(f"  noch offen: {problem}")
    return EXIT_OK
