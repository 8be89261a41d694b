"""Reading portfolio files handed over by creditors: CSV (as German Excel writes it), XLSX and
JSON / JSON Lines.

Each format module (:mod:`.csv`, :mod:`.xlsx`, :mod:`.json`) has the same small API,
``open_table(path) -> Table``: the header row as written in the file and a stream of
``(row number, cells)``; nothing is read into memory whole. :mod:`.headers` maps the file's
headers (canonical, German, or named by a mapping file) to the canonical columns, and
:mod:`.validation` turns one row into a typed :class:`~.validation.Record` or a list of
:class:`~.headers.Problem` naming the row, the column and the reason in German.

Storing the records is the job of :mod:`mahnwerk.services.portfolio.importing`.
"""

from __future__ import annotations

from mahnwerk.importing.source import FileProblem, Table, open_table

__all__ = ["FileProblem", "Table", "open_table"]
