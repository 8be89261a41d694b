"""``mahnwerk import FILE --creditor ID``: import a creditor's portfolio (CSV, XLSX, JSON).

Exit code 0 when the file was imported (or had been imported before) with a German summary;
exit code 2 for a bad file, with every bad row and column, and nothing stored. Progress goes
to stderr: a progress bar on a terminal, otherwise one line per 100,000 rows.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from mahnwerk.services.portfolio.importing import ImportReport, Progress

EXIT_OK = 0
EXIT_BAD_INPUT = 2
PLAIN_EVERY = 100_000


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "import",
        help="Forderungsbestand eines Mandanten importieren (CSV, XLSX, JSON)",
        description=(
            "Importiert eine Datei mit Forderungen: ganz oder gar nicht. Zeilen mit demselben "
            "Aktenzeichen (creditor_ref) bilden einen Fall. Schon gespeicherte Forderungen "
            "werden nicht doppelt angelegt; geänderte Beträge werden gemeldet, nicht übernommen."
        ),
    )
    p.add_argument("file", type=Path, help="CSV (; und Dezimalkomma), XLSX, JSON oder JSON Lines")
    p.add_argument("--creditor", type=int, required=True, metavar="ID", help="Mandanten-ID")
    p.add_argument(
        "--mapping",
        type=Path,
        metavar="DATEI",
        help='Zuordnung eigener Spaltennamen, YAML oder JSON: {"Spalte": "invoice_no"}',
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mahnwerk.bootstrap import build
    from mahnwerk.services.actor import CLI
    from mahnwerk.services.portfolio.importing import PortfolioImportError, import_file

    runtime = build()
    try:
        with TerminalProgress(sys.stderr) as progress:
            report = import_file(
                runtime,
                CLI,
                args.file,
                args.creditor,
                mapping=args.mapping,
                progress=progress,
            )
    except PortfolioImportError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        runtime.engine.dispose()
    if args.format == "json":
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print(render_text(report))
    return EXIT_OK if report.ok else EXIT_BAD_INPUT


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def render_text(report: ImportReport) -> str:
    from mahnwerk.domain.money import format_eur

    name = f"„{report.filename}“"
    if report.already_imported:
        when = f" am {report.previous_at:%d.%m.%Y %H:%M}" if report.previous_at else ""
        return (
            f"Die Datei {name} wurde für Mandant {report.creditor_id} bereits importiert "
            f"(Import Nr. {report.previous_batch_id}{when}); nichts geändert."
        )
    if not report.ok:
        count = report.problems_total
        lines = [
            f"Die Datei {name} wurde NICHT importiert: "
            f"{_n(count)} {'Problem' if count == 1 else 'Probleme'}; nichts gespeichert."
        ]
        lines += [f"  {problem}" for problem in report.problems]
        if count > len(report.problems):
            lines.append(f"  … und {_n(count - len(report.problems))} weitere")
        return "\n".join(lines)
    seconds = f"{report.seconds:.1f}".replace(".", ",")
    lines = [
        f"Import von {name} für Mandant {report.creditor_id} abgeschlossen "
        f"(Import Nr. {report.batch_id}, {seconds} s).",
        f"  Zeilen:                         {_n(report.rows)}",
        f"  Fälle angelegt:                 {_n(report.cases_created)}",
        f"  bestehende Fälle ergänzt:       {_n(report.cases_extended)}",
        f"  Forderungen angelegt:           {_n(report.claims_created)}",
        f"  Forderungen schon vorhanden:    {_n(report.claims_existing)}",
    ]
    if report.changed_amounts_total:
        lines.append(
            f"  Geänderte Beträge (NICHT übernommen, bitte prüfen): "
            f"{_n(report.changed_amounts_total)}"
        )
        lines += [
            f"    Aktenzeichen „{c.creditor_ref}“, Rechnung „{c.invoice_no}“: gespeichert "
            f"{format_eur(c.stored)}, in der Datei {format_eur(c.file)}"
            for c in report.changed_amounts
        ]
        if report.changed_amounts_total > len(report.changed_amounts):
            lines.append(
                f"    … und {_n(report.changed_amounts_total - len(report.changed_amounts))} "
                "weitere"
            )
    if report.ignored_columns:
        lines.append("  Nicht verwendete Spalten: " + ", ".join(report.ignored_columns))
    return "\n".join(lines)


class TerminalProgress:
    """The progress callback of the command: a rich progress bar when ``stream`` is a
    terminal, otherwise a plain line per :data:`PLAIN_EVERY` rows."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}
        self.next_line = PLAIN_EVERY
        self.storing = False

    def __enter__(self) -> TerminalProgress:
        if self.tty:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f} %"),
                TextColumn("{task.fields[rows]}"),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, info: Progress) -> None:
        if self.bar is not None:
            label = "Lesen und prüfen" if info.phase == "read" else "Speichern"
            task = self.tasks.get(info.phase)
            if task is None:
                task = self.bar.add_task(label, total=max(info.total, 1), rows="")
                self.tasks[info.phase] = task
            rows = f"{_n(info.rows)} Zeilen" if info.phase == "read" else ""
            self.bar.update(task, completed=info.done, total=max(info.total, 1), rows=rows)
            return
        if info.phase == "read":
            while info.rows >= self.next_line:
                print(f"… {_n(self.next_line)} Zeilen gelesen und geprüft", file=self.stream)
                self.next_line += PLAIN_EVERY
        elif not self.storing and info.rows >= PLAIN_EVERY:
            self.storing = True
            print(f"… {_n(info.rows)} Zeilen gelesen; speichern", file=self.stream)
