"""Insolvency commands:

- ``mahnwerk insolvency import FILE [--format json]``: notices (CSV or JSON, shape in
  :mod:`mahnwerk.enforcement.insolvency`) matched against every debtor; a file imported
  twice books nothing twice;
- ``mahnwerk insolvency review list | confirm MATCH | reject MATCH``: probable matches;
- ``mahnwerk insolvency filing CASE --out FILE.pdf``: the Forderungsanmeldung (§ 174 InsO);
- ``mahnwerk insolvency except CASE --claim NO --note T``: a claim excepted from the
  Restschuldbefreiung (§ 302 InsO).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from mahnwerk.commands.enforcement import EXIT_OK, BadInput, actor, case_id_of, day_of, fail


def register(subparsers: Any) -> None:
    ip = subparsers.add_parser("insolvency", help="Insolvenzbekanntmachungen")
    sub = ip.add_subparsers(dest="insolvency_action", metavar="AKTION", required=True)
    imp = sub.add_parser("import", help="Bekanntmachungen einlesen und abgleichen")
    imp.add_argument("file", type=Path, help="CSV- oder JSON-Datei")
    imp.add_argument("--format", choices=("text", "json"), default="text")
    imp.add_argument("--date", dest="day", help="Tag (Standard: heute)")
    imp.set_defaults(handler=import_command)

    rev = sub.add_parser("review", help="unsichere Treffer prüfen")
    rsub = rev.add_subparsers(dest="review_action", metavar="AKTION", required=True)
    rsub.add_parser("list", help="offene Treffer").set_defaults(handler=review_list)
    for name, text in (("confirm", "Treffer bestätigen"), ("reject", "Treffer verwerfen")):
        p = rsub.add_parser(name, help=text)
        p.add_argument("match", type=int, help="Nummer des Treffers")
        p.set_defaults(handler=review_decide, decision=name)

    fil = sub.add_parser("filing", help="Forderungsanmeldung zur Tabelle als PDF")
    fil.add_argument("case", help="Aktenzeichen oder Fallnummer")
    fil.add_argument("--out", required=True, type=Path)
    fil.set_defaults(handler=filing_command)

    exc = sub.add_parser("except", help="Forderung nach § 302 InsO ausnehmen")
    exc.add_argument("case", help="Aktenzeichen oder Fallnummer")
    exc.add_argument("--claim", required=True, help="Rechnungsnummer der Forderung")
    exc.add_argument("--note", required=True, help="Grund (§ 302 Nr. 1–3 InsO)")
    exc.set_defaults(handler=except_command)


def import_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.enforcement.insolvency import NoticeFileError
    from mahnwerk.services.enforcement import insolvency
    from mahnwerk.store.db import transaction

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        return fail(f"{args.file}: {exc.strerror}")
    runtime = build()
    try:
        day = day_of(args.day, "--date")
        with transaction(runtime.sessions) as s:
            summary = insolvency.import_notices(s, actor(), data, args.file.name, today=day)
    except (NoticeFileError, BadInput) as exc:
        return fail(f"{exc} – nichts wurde gespeichert")
    if args.format == "json":
        print(json.dumps(summary.as_dict(), ensure_ascii=False, sort_keys=True))
    else:
        print(summary.german())
    return EXIT_OK


def review_list(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.enforcement import insolvency

    runtime = build()
    with runtime.sessions() as s:
        items = insolvency.review_list(s, actor())
        if not items:
            print("Keine unsicheren Treffer offen.")
        for item in items:
            n, d, m = item.notice, item.debtor, item.match
            refs = ", ".join(c.reference for c in item.cases) or "kein offener Fall"
            print(
                f"{m.id:>6}  {m.confidence:.0%}  {insolvency.notice_text(n)}: "
                f"{n.first_name} {n.last_name}{n.company} ↔ {d.display_name} "
                f"({d.birth_date or 'ohne Geburtsdatum'}) [{refs}] – {'; '.join(m.reasons)}"
            )
    return EXIT_OK


def review_decide(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.enforcement import insolvency
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            if args.decision == "confirm":
                stopped, closed = insolvency.confirm_match(s, actor(), args.match)
                print(f"Treffer {args.match} bestätigt: {stopped} gestoppt, {closed} geschlossen.")
            else:
                insolvency.reject_match(s, actor(), args.match)
                print(f"Treffer {args.match} verworfen.")
    except insolvency.InsolvencyError as exc:
        return fail(str(exc))
    return EXIT_OK


def filing_command(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.enforcement.values import FormError
    from mahnwerk.services.enforcement import insolvency
    from mahnwerk.services.enforcement.titles import current_title, title_ref
    from mahnwerk.store.db import transaction

    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            case_id = case_id_of(s, args.case)
            title = current_title(s, case_id)
            refs = (title_ref(s, title),) if title is not None else ()
            pdf, _ = insolvency.claim_filing_pdf(s, actor(), runtime.settings, case_id, titles=refs)
    except (BadInput, insolvency.InsolvencyError, FormError) as exc:
        return fail(str(exc))
    args.out.write_bytes(pdf)
    print(f"{args.out} geschrieben ({len(pdf)} Bytes)")
    return EXIT_OK


def except_command(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from mahnwerk.bootstrap import build
    from mahnwerk.services.enforcement import insolvency
    from mahnwerk.store.db import transaction
    from mahnwerk.store.models import Claim

    runtime = build()
    try:
        with transaction(runtime.sessions) as s:
            case_id = case_id_of(s, args.case)
            claim = s.scalar(
                select(Claim).where(Claim.case_id == case_id, Claim.invoice_no == args.claim)
            )
            if claim is None:
                raise BadInput(f"Forderung {args.claim!r} gehört nicht zum Fall {args.case}")
            insolvency.mark_excepted(s, actor(), claim.id, args.note)
            print(f"Forderung {args.claim} nach § 302 InsO ausgenommen.")
    except (BadInput, insolvency.InsolvencyError) as exc:
        return fail(str(exc))
    return EXIT_OK
