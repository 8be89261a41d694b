"""A process with threads loads every table module and configures the mappers first."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import pkgutil, sys
import mahnwerk.store
from mahnwerk.store.db import load_all_models
load_all_models()
from mahnwerk.store.models import Base
names = [m.name for m in pkgutil.iter_modules(mahnwerk.store.__path__)
         if not m.name.startswith("migrat")]
missing = [n for n in names if f"mahnwerk.store.{n}" not in sys.modules]
unconfigured = [m.class_.__name__ for m in Base.registry.mappers if not m.configured]
print(missing, unconfigured, len(Base.registry.mappers) > 50)
"""


def test_every_table_module_is_loaded_and_every_mapper_configured() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] [] True"
