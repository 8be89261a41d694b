"""The court's replies as they arrive: every file in ``MAHNWERK_EDA_INBOX`` is imported in
its own transaction, then moved to ``done/`` (read) or ``failed/`` (refused whole, with the
reason in ``<name>.fehler.txt`` next to it).

One way for both callers: ``mahnwerk court import`` without files and the worker's periodic
job ``court_replies`` (every 15 minutes), so an agency whose beA/EGVP client drops the
court's files into the inbox needs no cron. Importing a file twice books nothing twice
(:func:`mahnwerk.services.court.replies.import_reply` knows files and messages by digest).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mahnwerk.services.actor import Actor
from mahnwerk.store.db import transaction

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from mahnwerk.services.court.replies import ImportResult


@dataclass(frozen=True)
class Picked:
    """What became of one file: its import result, or the reason it was refused."""

    path: Path
    result: ImportResult | None = None
    refused: str = ""


def waiting_files(inbox: Path) -> list[Path]:
    """The files waiting in ``inbox`` (hidden files are uploads still being written)."""
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))


def import_files(
    sessions: sessionmaker[Session],
    actor: Actor,
    files: list[Path],
    *,
    today: date,
    inbox: Path | None = None,
) -> list[Picked]:
    """Import each file in its own transaction; with ``inbox`` given, move each file to
    ``done/`` or ``failed/`` after its transaction (so a crash leaves it waiting)."""
    from mahnwerk.court.reader import EdaReadError
    from mahnwerk.services.court.replies import import_reply

    picked: list[Picked] = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            picked.append(Picked(path, refused=exc.strerror or str(exc)))
            continue
        try:
            with transaction(sessions) as s:
                result = import_reply(s, actor, data, path.name, today=today)
        except EdaReadError as exc:
            picked.append(Picked(path, refused=str(exc)))
            if inbox is not None:
                _move(path, inbox / "failed", str(exc))
            continue
        picked.append(Picked(path, result=result))
        if inbox is not None:
            _move(path, inbox / "done")
    return picked


def pick_up(
    sessions: sessionmaker[Session],
    actor: Actor,
    inbox: Path,
    *,
    today: date,
    advance: Callable[[date], None] | None = None,
) -> list[Picked]:
    """Import what waits in ``inbox``, then let time move the procedures (``advance``)."""
    picked = import_files(sessions, actor, waiting_files(inbox), today=today, inbox=inbox)
    if advance is not None:
        advance(today)
    return picked


def _move(path: Path, folder: Path, reason: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    path.replace(target)
    if reason:
        target.with_name(target.name + ".fehler.txt").write_text(reason + "\n", encoding="utf-8")
