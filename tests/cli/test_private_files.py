"""Files with personal data and the secret key are created owner-only (issue 20): the
``mahnwerk`` command sets the process's file creation mask before it creates anything, so no
file is ever readable by others, not even for a moment (nothing is chmod-ed afterwards)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

MAHNWERK = str(Path(sys.executable).with_name("mahnwerk"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_its_wal_the_folders_and_the_secret_key_are_owner_only(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAHNWERK_")}
    env["MAHNWERK_VAR_DIR"] = str(var)
    for args in (["db", "upgrade"], ["creditor", "add", "Stadtwerke Nord GmbH"]):
        done = subprocess.run(
            [MAHNWERK, *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=lambda: os.umask(0o022),  # a usual login shell's mask
        )
        assert done.returncode == 0, done.stderr
    created = [p for p in var.rglob("*")] + [var]
    assert (var / "mahnwerk.db") in created and (var / "secret_key") in created
    for path in created:
        if path.is_dir():
            assert mode(path) == 0o700, path
        else:
            assert mode(path) == 0o600, path
