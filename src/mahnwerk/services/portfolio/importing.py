"""Import a creditor's portfolio file (CSV, XLSX, JSON): whole or not at all, repeatable.

How it works, in ONE transaction:

1. The file's SHA-256 is looked up in ``import_batch``: the same file for the same creditor
   again is reported as already imported and nothing is done.
2. One streaming pass reads and validates the rows (:mod:`mahnwerk.importing.validation`)
   and streams every valid row into a temporary staging table (PostgreSQL: ``COPY`` through
   psycopg on the transaction's own connection; SQLite: ``executemany`` in chunks). Only the
   problems (and a bounded cache of date texts) are kept in memory, so memory stays flat
   however long the file is.
3. Set-based checks in the database: a ``creditor_ref`` + ``invoice_no`` twice in the file,
   rows of one case that disagree on the debtor, and a case already stored for another
   debtor. Any problem → the transaction is rolled back; nothing is stored and the report
   lists every bad row and column.
4. Set-based ``INSERT … SELECT``: persons (one per identity key across creditors), debtors
   (per creditor, found or created by identity key, as
   :func:`mahnwerk.services.cases.find_or_create_debtor` does) with address, e-mail, phone
   and IBAN, cases with their check-digit reference (computed in SQL, equal to
   :func:`mahnwerk.domain.case_reference.case_reference`), claims, one ledger posting per
   claim (kind ``claim``, value date ``default_from``, source ``import:<batch id>``) and a
   ``case.created`` event per new case (``claim.added`` for an existing case that got new
   claims). Ids are taken from the sequences beforehand (PostgreSQL) or counted on from the
   highest id while the write lock is held (SQLite), so no row is read back one by one.
   On PostgreSQL, a role allowed to set ``session_replication_role`` inserts these rows
   without the per-row foreign-key triggers, after locking the stored rows they point to
   (:meth:`_Store.skip_row_triggers`); any other role gets the same rows, checked row by row.
5. The batch row stores the hash, the row count and the report; one audit entry (counts
   only, no personal data) records the import.

Claims are matched by (creditor, ``external_ref`` = ``creditor_ref``, ``invoice_no``): a
claim already stored is not stored again; if the file's amount differs from the stored one,
that is reported and NOT applied. Debtor data in the file for an existing case or an
existing debtor is not applied either (address history updates are a separate use case).

Choices where the issue was silent: case-level webhooks are not queued for imported cases
(a portfolio of 100,000 cases must not cause 100,000 deliveries; the creditor sent the file
and gets the report); more than :data:`MAX_PROBLEMS` problems are counted but not all listed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, bindparam, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from mahnwerk.domain.default import DEFAULT_RECEIPT_DAYS
from mahnwerk.domain.plausibility import ceiling_of
from mahnwerk.importing.headers import MappingError, Problem, load_mapping, resolve_headers
from mahnwerk.importing.source import FileProblem, Table, file_digest, open_table
from mahnwerk.importing.validation import (
    DEBTOR_COLUMN,
    DEBTOR_FIELDS,
    Record,
    RowValidator,
    describe_conflict,
)
from mahnwerk.services import audit
from mahnwerk.services.actor import Actor, today_in_germany, utcnow
from mahnwerk.store.db import session_factory, transaction
from mahnwerk.store.models import Creditor, ImportBatch

#: Problems listed in a report; beyond this they are only counted (a file that bad has a
#: systematic fault, such as a wrong mapping, and listing a million lines helps nobody).
MAX_PROBLEMS = 100_000
#: Changed amounts listed in a report (and stored with the batch); beyond this only counted.
MAX_CHANGED = 10_000
#: How often (in rows) the progress callback is called while reading.
PROGRESS_EVERY = 10_000
_CHUNK = 5_000

STAGE_COLUMNS = Record._fields


@dataclass(frozen=True)
class Progress:
    """What the import is doing: ``phase`` is ``read`` (``done``/``total`` in the file's
    units: bytes, or rows for XLSX/JSON) or ``store`` (``done`` of ``total`` steps)."""

    phase: str
    rows: int
    done: int
    total: int


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class ChangedAmount:
    creditor_ref: str
    invoice_no: str
    stored: Decimal
    file: Decimal
    row: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "creditor_ref": self.creditor_ref,
            "invoice_no": self.invoice_no,
            "stored_amount": str(self.stored),
            "file_amount": str(self.file),
            "row": self.row,
        }


@dataclass
class ImportReport:
    filename: str
    creditor_id: int
    sha256: str = ""
    format: str = ""
    encoding: str | None = None
    rows: int = 0
    cases_created: int = 0
    cases_extended: int = 0
    claims_created: int = 0
    claims_existing: int = 0
    changed_amounts: list[ChangedAmount] = field(default_factory=list)
    changed_amounts_total: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    already_imported: bool = False
    #: PostgreSQL: the rows were inserted without the per-row foreign-key triggers
    #: (see :meth:`_Store.skip_row_triggers`)
    row_triggers_skipped: bool = False
    batch_id: int | None = None
    previous_batch_id: int | None = None
    previous_at: datetime | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problems_total == 0

    def add_problems(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.problems_total += 1
            if len(self.problems) < MAX_PROBLEMS:
                self.problems.append(problem)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "filename": self.filename,
            "creditor_id": self.creditor_id,
            "sha256": self.sha256,
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
            "cases_created": self.cases_created,
            "cases_extended": self.cases_extended,
            "claims_created": self.claims_created,
            "claims_existing": self.claims_existing,
            "changed_amounts": [c.as_dict() for c in self.changed_amounts],
            "changed_amounts_total": self.changed_amounts_total,
            "problems": [p.as_dict() for p in self.problems],
            "problems_total": self.problems_total,
            "ignored_columns": self.ignored_columns,
            "already_imported": self.already_imported,
            "row_triggers_skipped": self.row_triggers_skipped,
            "batch_id": self.batch_id,
            "previous_batch_id": self.previous_batch_id,
            "seconds": round(self.seconds, 3),
        }


class PortfolioImportError(ValueError):
    """The import cannot start (unknown creditor, no permission); German message."""


class _Refused(Exception):
    """Rolls the transaction back after the problems were collected."""


def import_file(
    db: Any,
    actor: Actor,
    path: str | Path,
    creditor_id: int,
    *,
    mapping: str | Path | Mapping[str, str | None] | None = None,
    progress: ProgressCallback | None = None,
    today: date | None = None,
    receipt_days: int | None = None,
) -> ImportReport:
    """Import ``path`` for the creditor; see the module docstring.

    ``db`` is a :class:`mahnwerk.bootstrap.Runtime`, an :class:`~sqlalchemy.Engine` or a
    session factory bound to one. ``mapping`` is a mapping file (YAML/JSON) or a dict of
    file header → canonical column. The returned report has ``ok`` false and every problem
    when the file was refused (then nothing was stored).
    """
    started = time.perf_counter()
    sessions = _sessions(db)
    if receipt_days is None:
        settings = getattr(db, "settings", None)
        receipt_days = int(getattr(settings, "receipt_days", DEFAULT_RECEIPT_DAYS))
    path = Path(path)
    report = ImportReport(filename=path.name, creditor_id=creditor_id)
    try:
        columns_map = load_mapping(Path(mapping)) if isinstance(mapping, str | Path) else mapping
    except MappingError as exc:
        report.add_problems([Problem(None, None, str(exc))])
        return report
    try:
        report.sha256 = file_digest(path)
    except OSError as exc:
        report.add_problems([Problem(None, None, f"Datei nicht lesbar: {exc.strerror or exc}")])
        return report
    try:
        with transaction(sessions) as session:
            _run(
                session,
                actor,
                path,
                creditor_id,
                columns_map,
                report,
                progress,
                today,
                receipt_days,
            )
    except _Refused:
        pass
    report.seconds = time.perf_counter() - started
    return report


def _sessions(db: Any) -> sessionmaker[Session]:
    if isinstance(db, sessionmaker):
        return db
    if isinstance(db, Engine):
        return session_factory(db)
    sessions = getattr(db, "sessions", None)
    if isinstance(sessions, sessionmaker):
        return sessions
    raise TypeError("db must be a Runtime, an Engine or a sessionmaker")


def _run(
    session: Session,
    actor: Actor,
    path: Path,
    creditor_id: int,
    mapping: Mapping[str, str | None] | None,
    report: ImportReport,
    progress: ProgressCallback | None,
    today: date | None,
    receipt_days: int = 4,
) -> None:
    if not actor.may_see_creditor(creditor_id):
        raise PortfolioImportError(f"kein Zugriff auf Mandant {creditor_id}")
    if session.get(Creditor, creditor_id) is None:
        raise PortfolioImportError(f"Mandant {creditor_id} gibt es nicht")
    previous = session.scalar(
        select(ImportBatch)
        .where(ImportBatch.creditor_id == creditor_id, ImportBatch.sha256 == report.sha256)
        .order_by(ImportBatch.id)
        .limit(1)
    )
    if previous is not None:
        report.already_imported = True
        report.previous_batch_id = previous.id
        report.previous_at = previous.created_at
        report.rows = previous.rows
        return
    try:
        table = open_table(path)
    except FileProblem as exc:
        report.add_problems([Problem(None, None, str(exc))])
        raise _Refused from exc
    now = utcnow()
    with table:
        report.format, report.encoding = table.format, table.encoding
        header_map = resolve_headers(table.headers, mapping)
        report.ignored_columns = header_map.ignored
        if header_map.problems:
            report.add_problems(header_map.problems)
            raise _Refused
        # the batch row first: its id names the postings' source, and on SQLite this first
        # write takes the database's write lock for the rest of the transaction
        batch = ImportBatch(
            creditor_id=creditor_id,
            filename=path.name[:300],
            sha256=report.sha256,
            rows=0,
            cases_created=0,
            claims_created=0,
            report={},
            created_at=now,
        )
        session.add(batch)
        session.flush()
        report.batch_id = batch.id
        conn = session.connection()
        store = _Store(conn, creditor_id, now)
        store.create_stage()
        validator = RowValidator(
            header_map,
            today=today or today_in_germany(now),
            row_word=table.row_word,
            width=len(table.headers) if table.format == "csv" else None,
            receipt_days=receipt_days,
            max_claim=_ceiling(session, creditor_id),
        )
        try:
            store.load(_records(table, validator, report, progress))
        except FileProblem as exc:
            report.add_problems([Problem(None, None, str(exc))])
        # duplicates and conflicts are looked for among the valid rows even if other rows
        # were bad, so that one report names every problem
        store.check_in_file(report, table.row_word)
        if report.problems_total:
            raise _Refused
    steps = store.insert(batch.id, actor, report, progress)
    batch.rows = report.rows
    batch.cases_created = report.cases_created
    batch.claims_created = report.claims_created
    summary = report.as_dict()
    summary.pop("problems")
    summary.pop("seconds")
    batch.report = summary
    audit.record(
        session,
        actor,
        "import",
        "import_batch",
        batch.id,
        creditor_id=creditor_id,
        details={
            "rows": report.rows,
            "cases_created": report.cases_created,
            "cases_extended": report.cases_extended,
            "claims_created": report.claims_created,
            "claims_existing": report.claims_existing,
            "changed_amounts": report.changed_amounts_total,
            "sha256": report.sha256,
            "format": report.format,
        },
    )
    store.drop_stage()
    if progress:
        progress(Progress("store", report.rows, steps, steps))


def _records(
    table: Table,
    validator: RowValidator,
    report: ImportReport,
    progress: ProgressCallback | None,
) -> Iterable[Record]:
    """The valid records of the table; problems go to the report on the way."""
    rows = 0
    for row_no, cells in table.rows:
        result = validator(row_no, cells)
        if isinstance(result, Record):
            yield result
        else:
            report.add_problems(result)
        rows += 1
        if progress is not None and rows % PROGRESS_EVERY == 0:
            progress(Progress("read", rows, table.position(), table.size))
    if progress is not None:
        progress(Progress("read", rows, table.size, table.size))
    report.rows = rows


_TEMP_TABLES = ("imp_claim", "imp_newcase", "imp_debtor", "imp_case", "imp_stage")


class _Store:
    """The staging table and the set-based SQL, for PostgreSQL and SQLite."""

    def __init__(self, conn: Connection, creditor_id: int, now: datetime) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.creditor_id = creditor_id
        self.now = now

    # ----------------------------------------------------------------------- helpers

    def execute(self, sql: str, **params: Any) -> Any:
        statement = text(sql)
        if "now" in params:
            statement = statement.bindparams(bindparam("now", type_=DateTime(timezone=True)))
        return self.conn.execute(statement, params)

    def scalar(self, sql: str, **params: Any) -> Any:
        return self.execute(sql, **params).scalar()

    def _temp(self, name: str, body: str, key: str | None = None, **params: Any) -> None:
        """``CREATE TEMP TABLE name AS body`` (dropped at commit on PostgreSQL).

        PostgreSQL analyses it (temp tables are never analysed automatically; unanalysed,
        they are guessed at a few hundred rows and joined by nested loops) and joins it by
        hashing; SQLite, which has no hash joins, gets an index on ``key``."""
        suffix = " ON COMMIT DROP" if self.pg else ""
        self.execute(f"CREATE TEMP TABLE {name}{suffix} AS {body}", **params)
        if self.pg:
            self.execute(f"ANALYZE {name}")
        elif key:
            self.execute(f"CREATE INDEX {name}_key ON {name} ({key})")

    def _ids(self, table: str, where: str = "") -> str:
        """SQL for fresh ids of ``table``, one per selected row (ordered by ``ord``); with
        ``where``, only for the rows where that condition holds (the others get NULL)."""
        if self.pg:
            # resolved once: in the select list it would be evaluated, with its catalog
            # lookups, for every row
            name = str(self.scalar(f"SELECT pg_get_serial_sequence('{table}', 'id')"))
            fresh = "nextval('{}'::regclass)".format(name.replace("'", "''"))
            # CASE evaluates nextval only for the rows that take this branch
            return f"CASE WHEN {where} THEN {fresh} END" if where else fresh
        base = int(self.scalar(f"SELECT COALESCE(MAX(id), 0) FROM {table}"))
        if not where:
            return f"{base} + ROW_NUMBER() OVER (ORDER BY ord)"
        counted = (
            f"SUM(CASE WHEN {where} THEN 1 ELSE 0 END) OVER (ORDER BY ord ROWS UNBOUNDED PRECEDING)"
        )
        return f"CASE WHEN {where} THEN {base} + {counted} END"

    def reference_sql(self, column: str) -> str:
        """The agency case number ``MW-00000123-20`` of ``column`` (see domain.case_reference)."""
        if self.pg:
            return (
                f"'MW-' || lpad({column}::text, 8, '0') || '-' || "
                f"lpad((98 - ({column}::bigint * 100) % 97)::text, 2, '0')"
            )
        return f"printf('MW-%08d-%02d', {column}, 98 - ({column} * 100) % 97)"

    # ----------------------------------------------------------------------- staging

    def drop_stage(self) -> None:
        for name in _TEMP_TABLES:
            self.execute(f"DROP TABLE IF EXISTS {'pg_temp' if self.pg else 'temp'}.{name}")

    def tune(self) -> None:
        """PostgreSQL: memory for the sorts and hashes of this transaction and for its temp
        tables (server side; ``temp_buffers`` can only be raised before the session's first
        temp table, so that is tried in a savepoint)."""
        if not self.pg:
            return
        self.execute("SET LOCAL work_mem = '256MB'")
        # JIT compiling (with inlining and optimisation, as the big row estimates trigger)
        # costs more than it saves in these single-pass statements
        self.execute("SET LOCAL jit = off")
        savepoint = self.conn.begin_nested()
        try:
            self.execute("SET LOCAL temp_buffers = '1GB'")
        except DBAPIError:
            savepoint.rollback()
        else:
            savepoint.commit()

    def create_stage(self) -> None:
        self.tune()
        self.drop_stage()
        day = "DATE" if self.pg else "TEXT"
        flag = "BOOLEAN" if self.pg else "INTEGER"
        suffix = " ON COMMIT DROP" if self.pg else ""
        self.execute(
            f"""CREATE TEMP TABLE imp_stage (
                row_no INTEGER NOT NULL, creditor_ref TEXT NOT NULL, invoice_no TEXT NOT NULL,
                invoice_date {day}, due_date {day}, default_from {day},
                amount BIGINT NOT NULL, kind TEXT NOT NULL, consumer {flag} NOT NULL,
                first_name TEXT, last_name TEXT, company TEXT, birth_date {day},
                street TEXT, postcode TEXT, city TEXT, country TEXT NOT NULL,
                email TEXT, phone TEXT, iban TEXT,
                identity_key TEXT NOT NULL, debtor_fp BIGINT NOT NULL,
                claim_kind TEXT NOT NULL, origin {day}, reminder_date {day},
                notice_286_3 {flag} NOT NULL, contract_subject TEXT, contract_date {day},
                default_ground TEXT NOT NULL){suffix}"""
        )

    def load(self, records: Iterable[Record]) -> int:
        """Stream the records into ``imp_stage``; returns how many."""
        columns = ", ".join(STAGE_COLUMNS)
        count = 0
        raw: Any = self.conn.connection.dbapi_connection
        if self.pg:
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY imp_stage ({columns}) FROM STDIN") as copy,
            ):
                write = copy.write_row
                for record in records:
                    write(record)
                    count += 1
        else:
            marks = ", ".join("?" * len(STAGE_COLUMNS))
            sql = f"INSERT INTO temp.imp_stage ({columns}) VALUES ({marks})"
            cursor = raw.cursor()
            chunk: list[Record] = []
            for record in records:
                chunk.append(record)
                if len(chunk) >= _CHUNK:
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
                    chunk.clear()
            if chunk:
                cursor.executemany(sql, chunk)
                count += len(chunk)
            cursor.close()
        self.execute("CREATE INDEX imp_stage_row ON imp_stage (row_no)")
        self.execute("CREATE INDEX imp_stage_ref ON imp_stage (creditor_ref, invoice_no)")
        if self.pg:
            self.execute("ANALYZE imp_stage")
        return count

    # ------------------------------------------------------------------------ checks

    def check_in_file(self, report: ImportReport, word: str) -> None:
        """Duplicates and debtor conflicts inside the file, and cases stored for another
        debtor. Builds ``imp_case`` (one row per creditor_ref) on the way."""
        duplicates = self.execute(
            """SELECT s.row_no, s.creditor_ref, s.invoice_no, d.first_row
               FROM imp_stage s JOIN (
                   SELECT creditor_ref, invoice_no, MIN(row_no) AS first_row FROM imp_stage
                   GROUP BY creditor_ref, invoice_no HAVING COUNT(*) > 1) d
                 ON d.creditor_ref = s.creditor_ref AND d.invoice_no = s.invoice_no
               WHERE s.row_no <> d.first_row ORDER BY s.row_no"""
        )
        report.add_problems(
            Problem(
                row,
                "invoice_no",
                f"Aktenzeichen „{ref}“ mit Rechnungsnummer „{invoice}“ steht schon in "
                f"{word} {first} (doppelt in der Datei)",
                row_word=word,
            )
            for row, ref, invoice, first in duplicates
        )
        self._temp(
            "imp_case",
            """SELECT g.creditor_ref, g.first_row, g.n_rows, g.fp_min <> g.fp_max AS conflict,
                      s.identity_key, c.id AS old_case_id, d.identity_key AS old_identity
               FROM (SELECT creditor_ref, MIN(row_no) AS first_row, COUNT(*) AS n_rows,
                            MIN(debtor_fp) AS fp_min, MAX(debtor_fp) AS fp_max
                     FROM imp_stage GROUP BY creditor_ref) g
               JOIN imp_stage s ON s.row_no = g.first_row
               LEFT JOIN case_file c ON c.creditor_id = :cid AND c.external_ref = g.creditor_ref
               LEFT JOIN debtor d ON d.id = c.debtor_id""",
            key="creditor_ref",
            cid=self.creditor_id,
        )
        fields = ", ".join(f"s.{f}" for f in DEBTOR_FIELDS)
        rows = self.execute(
            f"""SELECT s.creditor_ref, s.row_no, ic.first_row, {fields}
                FROM imp_case ic JOIN imp_stage s ON s.creditor_ref = ic.creditor_ref
                WHERE ic.conflict ORDER BY s.creditor_ref, s.row_no"""
        )
        first: dict[str, tuple[int, tuple[object, ...]]] = {}
        for ref, row_no, first_row, *values in rows:
            if row_no == first_row:
                first = {ref: (row_no, tuple(values))}
                continue
            first_no, first_values = first[ref]
            columns = dict.fromkeys(
                DEBTOR_COLUMN[name] for name in describe_conflict(first_values, values)
            )
            for column in columns:
                report.add_problems(
                    [
                        Problem(
                            row_no,
                            column,
                            f"Schuldnerdaten widersprechen {word} {first_no} desselben "
                            f"Aktenzeichens „{ref}“ (alle Zeilen eines Falls brauchen "
                            "denselben Schuldner)",
                            row_word=word,
                        )
                    ]
                )
        others = self.execute(
            """SELECT first_row, creditor_ref FROM imp_case
               WHERE old_case_id IS NOT NULL AND old_identity <> identity_key
               ORDER BY first_row"""
        )
        report.add_problems(
            Problem(
                row,
                "creditor_ref",
                f"Fall „{ref}“ ist schon mit einem anderen Schuldner gespeichert",
                row_word=word,
            )
            for row, ref in others
        )

    # ----------------------------------------------------------------------- inserts

    def skip_row_triggers(self) -> bool:
        """PostgreSQL: switch this transaction to ``session_replication_role = replica`` if
        the role may (a superuser, or ``GRANT SET ON PARAMETER session_replication_role``).

        Then the foreign-key triggers do not fire for the inserted rows. They would check
        about eleven references per claim one by one, half of the whole import's time.
        Every reference is sound by construction: each inserted row takes its parent's id
        from the row inserted before it in this transaction, or from a row that exists and
        is locked by :meth:`lock_existing_parents` as the foreign-key check would have
        locked it. NOT NULL, CHECK and UNIQUE constraints are not triggers and still apply.
        The import has no insert triggers of its own to skip.
        """
        if not self.pg:
            return False
        savepoint = self.conn.begin_nested()
        try:
            self.execute("SET LOCAL session_replication_role = replica")
        except DBAPIError:
            savepoint.rollback()
            return False
        savepoint.commit()
        return True

    def lock_existing_parents(self) -> None:
        """``FOR KEY SHARE`` on the stored rows the new rows will point to (the creditor,
        persons known from other creditors, debtors and cases already stored), as the
        foreign-key triggers would: no other transaction can delete them or change their
        key before this one ends. Runs before the inserts, so only stored rows are locked.

        The ids were read before the lock; a row deleted in between would be missing here,
        and the import stops rather than point to it."""
        for stored, expected in (
            ("SELECT 1 FROM creditor c WHERE c.id = :cid", "SELECT 1"),
            (
                "SELECT 1 FROM person c"
                " WHERE c.id IN (SELECT person_id FROM imp_debtor WHERE NOT new_person)",
                "SELECT COUNT(*) FROM imp_debtor WHERE NOT new_person",
            ),
            (
                "SELECT 1 FROM debtor c WHERE c.id IN (SELECT old_debtor_id FROM imp_newcase)",
                "SELECT COUNT(DISTINCT old_debtor_id) FROM imp_newcase",
            ),
            (
                "SELECT 1 FROM case_file c"
                " WHERE c.id IN (SELECT case_id FROM imp_claim WHERE old_case)",
                "SELECT COUNT(DISTINCT case_id) FROM imp_claim WHERE old_case",
            ),
        ):
            locked = self.scalar(
                f"SELECT COUNT(*) FROM ({stored} FOR KEY SHARE OF c) locked", cid=self.creditor_id
            )
            if locked != self.scalar(expected):
                raise PortfolioImportError(
                    "gespeicherte Daten wurden während des Imports gelöscht; "
                    "bitte den Import wiederholen"
                )

    def insert(
        self, batch_id: int, actor: Actor, report: ImportReport, progress: ProgressCallback | None
    ) -> int:
        """Create everything; returns the number of steps (for the progress display)."""
        cid, now = self.creditor_id, self.now
        steps: list[Callable[[], None]] = []

        def step(fn: Callable[[], None]) -> Callable[[], None]:
            steps.append(fn)
            return fn

        @step
        def allocate() -> None:
            self._temp(
                "imp_debtor",
                # the person (one per identity across creditors) is found or numbered here,
                # so that inserting debtors needs no lookup of persons by identity
                f"""SELECT {self._ids("debtor")} AS id, x.identity_key, x.first_row,
                           p.id IS NULL AS new_person,
                           COALESCE(p.id, {self._ids("person", "p.id IS NULL")}) AS person_id
                    FROM (SELECT ic.identity_key, MIN(ic.first_row) AS first_row,
                                 MIN(ic.first_row) AS ord
                          FROM imp_case ic
                          WHERE ic.old_case_id IS NULL AND NOT EXISTS (
                              SELECT 1 FROM debtor d
                              WHERE d.creditor_id = :cid AND d.identity_key = ic.identity_key)
                          GROUP BY ic.identity_key) x
                    LEFT JOIN person p ON p.identity_key = x.identity_key
                    ORDER BY x.first_row""",
                key="identity_key",
                cid=cid,
            )
            self._temp(
                "imp_newcase",
                f"""SELECT {self._ids("case_file")} AS id, y.creditor_ref, y.n_rows, y.debtor_id,
                           y.old_debtor_id
                    FROM (SELECT ic.creditor_ref, ic.n_rows, ic.first_row AS ord,
                                 COALESCE(d.id, nd.id) AS debtor_id, d.id AS old_debtor_id
                          FROM imp_case ic
                          LEFT JOIN debtor d
                            ON d.creditor_id = :cid AND d.identity_key = ic.identity_key
                          LEFT JOIN imp_debtor nd ON nd.identity_key = ic.identity_key
                          WHERE ic.old_case_id IS NULL ORDER BY ic.first_row) y""",
                key="creditor_ref",
                cid=cid,
            )
            self._temp(
                "imp_claim",
                f"""SELECT {self._ids("claim")} AS id, z.row_no, z.case_id, z.old_case
                    FROM (SELECT s.row_no, s.row_no AS ord,
                                 COALESCE(ic.old_case_id, nc.id) AS case_id,
                                 ic.old_case_id IS NOT NULL AS old_case
                          FROM imp_stage s
                          JOIN imp_case ic ON ic.creditor_ref = s.creditor_ref
                          LEFT JOIN imp_newcase nc ON nc.creditor_ref = s.creditor_ref
                          WHERE ic.old_case_id IS NULL OR NOT EXISTS (
                              SELECT 1 FROM claim cl
                              WHERE cl.case_id = ic.old_case_id AND cl.invoice_no = s.invoice_no)
                          ORDER BY s.row_no) z""",
            )

        @step
        def existing() -> None:
            if not self.scalar("SELECT COUNT(*) FROM imp_case WHERE old_case_id IS NOT NULL"):
                return
            rows = self.execute(
                """SELECT s.row_no, s.creditor_ref, s.invoice_no, cl.principal, s.amount
                   FROM imp_case ic
                   JOIN imp_stage s ON s.creditor_ref = ic.creditor_ref
                   JOIN claim cl ON cl.case_id = ic.old_case_id AND cl.invoice_no = s.invoice_no
                   WHERE ic.old_case_id IS NOT NULL ORDER BY s.row_no"""
            )
            for row_no, ref, invoice, stored, amount in rows:
                report.claims_existing += 1
                if int(stored) != int(amount):
                    report.changed_amounts_total += 1
                    if len(report.changed_amounts) < MAX_CHANGED:
                        report.changed_amounts.append(
                            ChangedAmount(ref, invoice, _euro(stored), _euro(amount), row_no)
                        )

        @step
        def lock_parents() -> None:
            report.row_triggers_skipped = self.skip_row_triggers()
            if report.row_triggers_skipped:
                self.lock_existing_parents()

        @step
        def persons() -> None:
            self.execute(
                """INSERT INTO person (id, identity_key, created_at)
                   SELECT nd.person_id, nd.identity_key, :now FROM imp_debtor nd
                   WHERE nd.new_person""",
                now=now,
            )

        @step
        def debtors() -> None:
            self.execute(
                """INSERT INTO debtor (id, creditor_id, person_id, kind, consumer, first_name,
                                       last_name, company, birth_date, identity_key, created_at)
                   SELECT nd.id, :cid, nd.person_id, s.kind, s.consumer, s.first_name,
                          s.last_name, s.company, s.birth_date, nd.identity_key, :now
                   FROM imp_debtor nd
                   JOIN imp_stage s ON s.row_no = nd.first_row""",
                cid=cid,
                now=now,
            )

        @step
        def details() -> None:
            source = "FROM imp_debtor nd JOIN imp_stage s ON s.row_no = nd.first_row"
            self.execute(
                f"""INSERT INTO address (debtor_id, street, postcode, city, country, source,
                                         created_at)
                    SELECT nd.id, s.street, s.postcode, s.city, s.country, 'creditor', :now
                    {source} WHERE s.street IS NOT NULL""",
                now=now,
            )
            for kind in ("email", "phone"):
                self.execute(
                    f"""INSERT INTO contact_point (debtor_id, kind, value, consent, source,
                                                   status, created_at)
                        SELECT nd.id, '{kind}', s.{kind}, :no, 'creditor', 'valid', :now
                        {source} WHERE s.{kind} IS NOT NULL""",
                    now=now,
                    no=False,
                )
            self.execute(
                f"""INSERT INTO bank_account (debtor_id, iban, source, provenance, evidence,
                                              created_at)
                    SELECT nd.id, s.iban, 'creditor', 'creditor', '', :now
                    {source} WHERE s.iban IS NOT NULL""",
                now=now,
            )

        @step
        def cases() -> None:
            self.execute(
                f"""INSERT INTO case_file (id, creditor_id, debtor_id, external_ref, reference,
                                           stage, status, day_count, allocation,
                                           created_at, updated_at)
                    SELECT nc.id, :cid, nc.debtor_id, nc.creditor_ref,
                           {self.reference_sql("nc.id")}, 'new', 'open', 'act/365', 'bgb367',
                           :now, :now
                    FROM imp_newcase nc""",
                cid=cid,
                now=now,
            )

        @step
        def claims() -> None:
            self.execute(
                """INSERT INTO claim (id, case_id, invoice_no, invoice_date, due_date,
                                      default_from, principal, interest_kind, label, kind,
                                      origin, reminder_date, notice_286_3, default_ground,
                                      contract_subject, contract_date, created_at)
                   SELECT c.id, c.case_id, s.invoice_no, s.invoice_date, s.due_date,
                          s.default_from, s.amount, 'statutory', '', s.claim_kind,
                          s.origin, s.reminder_date, s.notice_286_3, s.default_ground,
                          COALESCE(s.contract_subject, ''), s.contract_date, :now
                   FROM imp_claim c JOIN imp_stage s ON s.row_no = c.row_no""",
                now=now,
            )

        @step
        def postings() -> None:
            self.execute(
                """INSERT INTO ledger_posting (case_id, value_date, kind, amount, reason, source,
                                               claim_id, posted_at)
                   SELECT c.case_id, COALESCE(s.default_from, s.due_date), 'claim', s.amount,
                          'Forderung ' || s.invoice_no, :source, c.id, :now
                   FROM imp_claim c JOIN imp_stage s ON s.row_no = c.row_no""",
                source=f"import:{batch_id}",
                now=now,
            )

        @step
        def timeline() -> None:
            if self.pg:
                data = (
                    "json_build_object('source', 'import', 'batch', CAST(:batch AS bigint), "
                    "'claims', {n})"
                )
            else:
                data = "json_object('source', 'import', 'batch', :batch, 'claims', {n})"
            self.execute(
                f"""INSERT INTO case_event (case_id, at, kind, actor, data)
                    SELECT nc.id, :now, 'case.created', :actor, {data.format(n="nc.n_rows")}
                    FROM imp_newcase nc""",
                now=now,
                actor=actor.label,
                batch=batch_id,
            )
            self.execute(
                f"""INSERT INTO case_event (case_id, at, kind, actor, data)
                    SELECT c.case_id, :now, 'claim.added', :actor, {data.format(n="COUNT(*)")}
                    FROM imp_claim c WHERE c.old_case GROUP BY c.case_id ORDER BY c.case_id""",
                now=now,
                actor=actor.label,
                batch=batch_id,
            )
            self.execute(
                """UPDATE case_file SET updated_at = :now
                   WHERE id IN (SELECT case_id FROM imp_claim WHERE old_case)""",
                now=now,
            )

        @step
        def count() -> None:
            if report.row_triggers_skipped:
                self.execute("SET LOCAL session_replication_role = origin")
            report.cases_created = int(self.scalar("SELECT COUNT(*) FROM imp_newcase"))
            report.claims_created = int(self.scalar("SELECT COUNT(*) FROM imp_claim"))
            report.cases_extended = int(
                self.scalar("SELECT COUNT(DISTINCT case_id) FROM imp_claim WHERE old_case")
            )

        for done, fn in enumerate(steps):
            if progress is not None:
                progress(Progress("store", report.rows, done, len(steps)))
            fn()
        return len(steps)


def _euro(cents: Any) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def _ceiling(session: Session, creditor_id: int) -> Decimal:
    """The creditor's largest claim (plausibility, :mod:`mahnwerk.domain.plausibility`)."""
    creditor = session.get(Creditor, creditor_id)
    return ceiling_of(creditor.settings if creditor else None)
