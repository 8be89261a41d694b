"""The ``mahnwerk`` command.

Each subcommand lives in its own module under :mod:`mahnwerk.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``handler`` to a function taking the
parsed arguments and returning the exit code. Command modules keep their imports of heavy
parts (web server, database, PDF) inside the handler, so that ``mahnwerk statement`` does not
pay for the web stack.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence

from mahnwerk.startup import loading

COMMAND_MODULES = (
    "statement",
    "calculators",
    "importing",
    "server",
    "daily",
    "bank",
    "model",
    "demo",
    "admin",
    "plans",
    "worker",
    "court",
    "title",
    "enforcement",
    "insolvency",
    "nba",
    "reference",
    "ledger",
    "privacy",
    "assistant",
)

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mahnwerk",
        description="mahnwerk – Forderungsmanagement: Forderungsaufstellung, Gebühren, Pfändung.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"mahnwerk.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from mahnwerk.config import private_files

    private_files()
    with loading():
        parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    code: int = handler(args)
    return code


def console() -> int:
    """The ``mahnwerk`` command: :func:`main`, then a quick exit."""
    code = main()
    if "mahnwerk.store.db" in sys.modules:
        from mahnwerk.store.db import close_all_engines

        close_all_engines()  # explicitly: the frozen objects below are never finalised
    # the process ends now: without this, the interpreter's shutdown has the cyclic collector
    # walk every object of the loaded libraries again (a fifth of a second for ``run``)
    gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(console())
