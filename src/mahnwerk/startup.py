"""Start-up of a process: loading its code."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def loading() -> Iterator[None]:
    """Loading code: the objects of the modules imported here live until the process ends.
    The cyclic collector is off while they are made (it walked them again and again and
    found nothing to free: a tenth of a second of ``mahnwerk run``), and they are then
    frozen out of its later passes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
