"""``mahnwerk statement FILE``: the Forderungsaufstellung of one case (JSON) or many (JSON Lines).

The whole file is read and checked before anything is printed, so a bad line never leaves
half an output behind. Exit code 2 and one message naming the case and the field on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from mahnwerk.domain.ledger import Case, compute_statement
from mahnwerk.services.statement_io import loads, parse_case, to_json, to_text

EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "statement",
        help="Forderungsaufstellung für einen Fall (JSON) oder viele (JSON Lines)",
        description="Forderungsaufstellung: Zinsen, Kosten, Verrechnung der Zahlungen.",
    )
    p.add_argument("file", type=Path, help="Fall als .json oder viele Fälle als .jsonl")
    p.add_argument("--as-of", dest="as_of", help="Stichtag JJJJ-MM-TT (überschreibt as_of)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


class InputError(Exception):
    pass


def read_cases(path: Path, as_of: date | None) -> list[tuple[str | None, Case, date]]:
    """Every case of the file with its name and date; :class:`InputError` for the first bad one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: nicht lesbar ({exc})") from exc
    if path.suffix == ".jsonl":
        entries = [
            (f"Zeile {n}", line) for n, line in enumerate(text.splitlines(), 1) if line.strip()
        ]
    else:
        entries = [("", text)]
    cases = []
    for where, raw in entries:
        try:
            data = loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(
                _where(path, where, None) + f": kein gültiges JSON ({exc.msg}, Spalte {exc.colno})"
            ) from exc
        name = _case_name(data)
        case, day, problems = parse_case(data, as_of_override=as_of)
        if problems or case is None or day is None:
            detail = "; ".join(str(p) for p in problems)
            raise InputError(f"{_where(path, where, name)}: {detail}")
        cases.append((name, case, day))
    return cases


def _case_name(data: Any) -> str | None:
    if isinstance(data, dict):
        for key in ("id", "reference", "external_ref"):
            if isinstance(data.get(key), str | int):
                return str(data[key])
    return None


def _where(path: Path, where: str, name: str | None) -> str:
    parts = [str(path)] + ([where] if where else []) + ([f"Fall {name}"] if name else [])
    return ", ".join(parts)


def run(args: argparse.Namespace) -> int:
    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            print(f'Fehler: --as-of: "{args.as_of}" ist kein Datum (JJJJ-MM-TT)', file=sys.stderr)
            return EXIT_BAD_INPUT
    try:
        cases = read_cases(args.file, as_of)
    except InputError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = sys.stdout
    for i, (name, case, day) in enumerate(cases):
        statement = compute_statement(case, day)
        if args.format == "json":
            out.write(json.dumps(to_json(statement), ensure_ascii=False) + "\n")
        else:
            if i:
                out.write("\n" + "=" * 72 + "\n\n")
            out.write(to_text(statement, title=name or "") + "\n")
    return 0
