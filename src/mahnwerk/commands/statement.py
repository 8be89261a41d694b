"""``mahnwerk statement FILE``: the Forderungsaufstellung of one case (JSON) or many (JSON Lines).

The whole file is read and checked before anything is printed, so a bad line never leaves
half an output behind. Exit code 2 and one message naming the case and the field on bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from mahnwerk.domain.ledger import Case, compute_statement
from mahnwerk.services.portfolio.statement_io import loads, parse_case, to_json, to_text

EXIT_BAD_INPUT = 2
#: JSON Lines files with more cases than this are computed on all cores, in chunks.
PARALLEL_FROM = 4000
CHUNK = 1000


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


def read_entries(path: Path) -> list[tuple[str, str]]:
    """The raw cases of the file with where they stand (``Zeile n`` for JSON Lines)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: nicht lesbar ({exc})") from exc
    if path.suffix == ".jsonl":
        return [(f"Zeile {n}", line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    return [("", text)]


def parse_entry(
    path: Path, where: str, raw: str, as_of: date | None
) -> tuple[str | None, Case, date]:
    """One case, or :class:`InputError` naming the file, the line, the case and the field."""
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
    return name, case, day


def read_cases(path: Path, as_of: date | None) -> list[tuple[str | None, Case, date]]:
    """Every case of the file with its name and date; :class:`InputError` for the first bad one."""
    return [parse_entry(path, where, raw, as_of) for where, raw in read_entries(path)]


def render(name: str | None, case: Case, day: date, fmt: str) -> str:
    statement = compute_statement(case, day)
    if fmt == "json":
        return json.dumps(to_json(statement), ensure_ascii=False)
    return to_text(statement, title=name or "")


def _render_chunk(
    path: Path, chunk: list[tuple[str, str]], as_of: date | None, fmt: str
) -> tuple[list[str], str | None]:
    """Worker: render a chunk, or stop at its first bad case and return the message."""
    out = []
    for where, raw in chunk:
        try:
            out.append(render(*parse_entry(path, where, raw, as_of), fmt))
        except InputError as exc:
            return out, str(exc)
    return out, None


def render_all(path: Path, as_of: date | None, fmt: str) -> list[str]:
    """Rendered statements in file order; all cases are checked before any is returned."""
    entries = read_entries(path)
    workers = os.cpu_count() or 1
    if len(entries) < PARALLEL_FROM or workers < 2:
        return [render(*case, fmt) for case in read_cases(path, as_of)]
    chunks = [entries[i : i + CHUNK] for i in range(0, len(entries), CHUNK)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(
            pool.map(
                _render_chunk,
                [path] * len(chunks),
                chunks,
                [as_of] * len(chunks),
                [fmt] * len(chunks),
            )
        )
    outputs: list[str] = []
    for rendered, error in results:
        if error:
            raise InputError(error)
        outputs.extend(rendered)
    return outputs


def _case_name(data: Any) -> str | None:
    if isinstance(data, dict):
        for key in ("id", "reference", "external_ref"):
            if isinstance(data.get(key), str | int):
                return str(data[key])
    return None


def _where(path: Path, where: str, name: str | None) -> str:
    parts = [str(path)] + ([where] if where else []) + ([f"Fall {name}"] if name else [])
    return ", ".join(parts)


def install_reference_from_database() -> None:
    """Use the base rates operators added (``mahnwerk reference base-rate add``) when the
    configured database exists and holds them; a file calculator without a database works as
    before (an unknown half-year is then warned about in the statement)."""
    from mahnwerk.config import database_url

    url = database_url()
    # checked before SQLAlchemy is imported: without a database the command starts as fast
    if url.startswith("sqlite") and not Path(url.partition(":///")[2]).is_file():
        return
    try:
        from mahnwerk.bootstrap import install_reference_values
        from mahnwerk.store.db import make_engine, session_factory

        engine = make_engine(url)
        try:
            install_reference_values(session_factory(engine))
        finally:
            engine.dispose()
    except Exception:  # no reachable database: the shipped table alone
        return


def run(args: argparse.Namespace) -> int:
    install_reference_from_database()
    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            print(f'Fehler: --as-of: "{args.as_of}" ist kein Datum (JJJJ-MM-TT)', file=sys.stderr)
            return EXIT_BAD_INPUT
    try:
        outputs = render_all(args.file, as_of, args.format)
    except InputError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    separator = "\n" if args.format == "json" else "\n\n" + "=" * 72 + "\n\n"
    sys.stdout.write(separator.join(outputs) + "\n")
    return 0
