"""The ``mahnwerk`` command as an operator runs it: its own process, its exit."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path


def _mahnwerk(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "import sys; from mahnwerk.cli import console; sys.exit(console())"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_copy_of_the_database_file_alone_holds_what_the_command_wrote(tmp_path: Path) -> None:
    database = tmp_path / "m.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAHNWERK_")}
    env |= {
        "MAHNWERK_DATABASE_URL": f"sqlite:///{database}",
        "MAHNWERK_VAR_DIR": str(tmp_path / "var"),
        "MAHNWERK_SECRET_KEY": "test-secret",
    }
    for args in (["db", "upgrade"], ["creditor", "add", "Stadtwerke Kiel"]):
        done = _mahnwerk(args, env)
        assert done.returncode == 0, done.stderr
    # the command closed its connections: the write-ahead log is folded into the file
    wal = Path(f"{database}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    copy = tmp_path / "backup.db"
    shutil.copy(database, copy)  # an operator's backup by copying the file
    with sqlite3.connect(copy) as connection:
        names = [r[0] for r in connection.execute("SELECT name FROM creditor")]
    assert names == ["Stadtwerke Kiel"]
