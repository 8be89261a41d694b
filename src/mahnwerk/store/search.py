"""Finding a case by what a person types: a name with typos or without umlauts, a company, a
case reference, the creditor's reference, an invoice number, an IBAN, an e-mail address or a
phone number.

Both sides are folded the same way (:func:`search_fold`: lower case, umlauts spelled out,
common accents dropped, everything but letters and digits turned into single spaces;
:func:`search_key`: the same without any spaces, for references and numbers;
:func:`search_name`: both spellings of umlauts). On PostgreSQL the folding is the SQL
functions ``mw_fold`` / ``mw_key`` / ``mw_name`` (migration ``0023``) and every field
has a trigram index (``pg_trgm``) over its folded form, so a typo-tolerant name search over
a million debtors is an index scan: ``word_similarity`` finds "Jürgen Müler" in "juergen
mueller". On SQLite the same functions are registered on every connection and the fields are
scanned, then ranked with the same similarity in Python (rapidfuzz), which is fast enough for
an installation on one machine.

>>> search_fold("Dr. Jürgen MÜLLER-Lüdenscheidt")
'dr juergen mueller luedenscheidt'
>>> search_key(" RE-20 12 "), search_key("DE89 3704 0044 0532 0130 00")
('re2012', 'de89370400440532013000')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

#: umlauts and ß spelled out; the accents below dropped (the same lists are in the SQL
#: functions of migration 0023, checked against these by a test)
SPELLED = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))
#: umlauts as their plain vowel, for people who type "Muller" for "Müller"
PLAIN_VOWELS = (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ß", "ss"))
ACCENTED = "áàâãåāăąéèêëēėęěíìîïīįóòôõøōőúùûůūűųçćčñńňšśşžźżýÿłđ"
PLAIN = "aaaaaaaaeeeeeeeeiiiiiiooooooouuuuuuucccnnnssszzzyyld"
_ACCENTS = str.maketrans(ACCENTED, PLAIN)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

#: the PostgreSQL-only indexes of migration 0023 over the folding functions (the models do
#: not describe them: SQLite has no such functions outside mahnwerk's own connections)
SEARCH_INDEXES = (
    "ix_search_debtor_name",
    "ix_search_contact_value",
    "ix_search_case_reference",
    "ix_search_case_external_ref",
    "ix_search_claim_invoice",
    "ix_search_bank_iban",
)
#: what a search returns at most
LIMIT = 20
#: word similarity (0–1) a name must reach to count as a hit (PostgreSQL), and the score of
#: rapidfuzz's partial token-sort ratio (0–100) on SQLite; both tried on the tests' names
NAME_THRESHOLD = 0.6
SQLITE_CUTOFF = 75
#: PostgreSQL asks with these thresholds in turn, strictest first, and stops at the first that
#: yields a full page: the best ``limit`` names are then all among its answers, and a strict
#: threshold keeps the trigram index from handing over (and the recheck from folding) every
#: debtor who shares only the last name — "Paul Hofmann" at 0.6 also matches 38,000 other
#: Hofmanns of a million debtors (1.3 s), at 0.9 only the 2,900 Paul Hof(f)manns (0.1 s)
NAME_TIERS = (0.9, 0.75, NAME_THRESHOLD)


def search_fold(value: str | None, umlauts: tuple[tuple[str, str], ...] = SPELLED) -> str:
    """The folded form of a name or address for searching (see the module docstring)."""
    if not value:
        return ""
    folded = value.lower()
    for umlaut, spelled in umlauts:
        folded = folded.replace(umlaut, spelled)
    return _NOT_ALNUM.sub(" ", folded.translate(_ACCENTS)).strip()


def search_name(value: str | None) -> str:
    """A name as the index holds it: folded with umlauts spelled out, then again with plain
    vowels, so that "Mueller", "Müller" and "Muller" all find "Müller".

    >>> search_name("Jürgen Müller")
    'juergen mueller jurgen muller'
    """
    return f"{search_fold(value)} {search_fold(value, PLAIN_VOWELS)}".strip()


def search_key(value: str | None) -> str:
    """The folded form of a reference or number: letters and digits only."""
    return search_fold(value).replace(" ", "")


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """``mw_fold`` and ``mw_key`` on a SQLite connection (the same as the PostgreSQL ones)."""
    dbapi_connection.create_function("mw_fold", 1, search_fold, deterministic=True)
    dbapi_connection.create_function("mw_key", 1, search_key, deterministic=True)
    dbapi_connection.create_function("mw_name", 1, search_name, deterministic=True)


@dataclass(frozen=True)
class Hit:
    case_id: int
    #: which field matched: name, reference, invoice, iban, email, phone
    field: str
    #: 0–1, 1 for an exact match
    score: float


#: the debtor's whole name, as the trigram index of migration 0023 folds it
NAME_SQL = (
    "coalesce(d.first_name, '') || ' ' || coalesce(d.last_name, '') || ' '"
    " || coalesce(d.company, '')"
)


def looks_like_phone(query: str) -> bool:
    digits = re.sub(r"\D", "", query)
    return len(digits) >= 6 and not re.search(r"[A-Za-z]", query)


def phone_tail(query: str) -> str:
    """The last (up to 9) digits of the national number typed, which a stored number in
    national or international form ends with: the country code 49 (after "+" or "00") or the
    trunk 0 is dropped first, so that "+49 40 123456" is not cut to "940123456".

    >>> phone_tail("+49 40 123456"), phone_tail("0049 151 2345678"), phone_tail("040/123456")
    ('40123456', '512345678', '40123456')
    >>> phone_tail("+43 1 234567")  # another country: its code stays
    '431234567'
    """
    typed = query.strip()
    digits = re.sub(r"\D", "", typed)
    if typed.startswith("+") and digits.startswith("49"):
        digits = digits[2:]
    elif digits.startswith("0049"):
        digits = digits[4:]
    elif digits.startswith("0") and not digits.startswith("00"):
        digits = digits[1:]
    return digits[-9:]


def find_cases(
    connection: Connection,
    query: str,
    *,
    creditor_id: int | None = None,
    limit: int = LIMIT,
) -> list[Hit]:
    """Cases matching ``query`` (only of ``creditor_id`` when given), best first."""
    folded, key = search_fold(query), search_key(query)
    if len(key) < 2:
        return []
    tenant = "" if creditor_id is None else " AND c.creditor_id = :creditor"
    params: dict[str, Any] = {"key": key, "folded": folded, "creditor": creditor_id}
    hits: dict[int, Hit] = {}

    def add(rows: Sequence[Any], field: str) -> None:
        for row in rows:
            case_id, score = int(row[0]), float(row[1])
            if case_id not in hits or hits[case_id].score < score:
                hits[case_id] = Hit(case_id, field, score)

    exact = (
        ("reference", "SELECT c.id, 1.0 FROM case_file c WHERE mw_key(c.reference) = :key"),
        ("reference", "SELECT c.id, 1.0 FROM case_file c WHERE mw_key(c.external_ref) = :key"),
        (
            "invoice",
            "SELECT c.id, 1.0 FROM claim cl JOIN case_file c ON c.id = cl.case_id"
            " WHERE mw_key(cl.invoice_no) = :key",
        ),
        (
            "iban",
            "SELECT c.id, 1.0 FROM bank_account b JOIN case_file c ON c.debtor_id = b.debtor_id"
            " WHERE mw_key(b.iban) = :key",
        ),
        (
            "email",
            "SELECT c.id, 1.0 FROM contact_point p JOIN case_file c ON c.debtor_id = p.debtor_id"
            " WHERE p.kind = 'email' AND mw_key(p.value) = :key",
        ),
    )
    for field, sql in exact:
        add(connection.execute(text(sql + tenant + f" LIMIT {limit}"), params).all(), field)
    if looks_like_phone(query):
        params["digits"] = "%" + phone_tail(query)
        add(
            connection.execute(
                text(
                    "SELECT c.id, 1.0 FROM contact_point p"
                    " JOIN case_file c ON c.debtor_id = p.debtor_id"
                    " WHERE p.kind <> 'email' AND mw_key(p.value) LIKE :digits"
                    + tenant
                    + f" LIMIT {limit}"
                ),
                params,
            ).all(),
            "phone",
        )
    if not hits or any(ch.isalpha() for ch in folded):
        add(_names(connection, folded, tenant, params, limit), "name")
    return sorted(hits.values(), key=lambda h: (-h.score, h.case_id))[:limit]


def _names(
    connection: Connection, folded: str, tenant: str, params: dict[str, Any], limit: int
) -> Sequence[Any]:
    if not folded or len(folded.replace(" ", "")) < 3:
        return []
    if connection.dialect.name == "postgresql":
        return _names_postgresql(connection, tenant, params, limit)
    return _names_sqlite(connection, folded, tenant, params, limit)


def _names_postgresql(
    connection: Connection, tenant: str, params: dict[str, Any], limit: int
) -> Sequence[Any]:
    """The best ``limit`` names by word similarity (see :data:`NAME_TIERS`). First the
    words typed exactly, unordered: when a page of debtors has the very name typed ("Müller"
    alone is 33,000 of a million), any page of them is a best page (all score 1), and
    without the ordering the scan stops after one page instead of scoring every one."""
    where = (
        " FROM debtor d JOIN case_file c ON c.debtor_id = d.id"
        f" WHERE :folded <% mw_name({NAME_SQL}){tenant}"
    )
    connection.execute(text("SET LOCAL pg_trgm.word_similarity_threshold = 1"))
    rows = connection.execute(text(f"SELECT c.id, 1.0{where} LIMIT {limit}"), params).all()
    for threshold in NAME_TIERS:
        if len(rows) >= limit:
            break
        connection.execute(text(f"SET LOCAL pg_trgm.word_similarity_threshold = {threshold}"))
        rows = connection.execute(
            text(
                f"SELECT c.id, word_similarity(:folded, mw_name({NAME_SQL})) AS score{where}"
                f" ORDER BY score DESC, c.id LIMIT {limit}"
            ),
            params,
        ).all()
    return rows


def _names_sqlite(
    connection: Connection, folded: str, tenant: str, params: dict[str, Any], limit: int
) -> list[tuple[int, float]]:
    """Every debtor name ranked in Python: a quick rapidfuzz pass picks candidates, then each
    word typed counts with its best match among the name's words (the counterpart of
    PostgreSQL's word similarity: a name matching only one of two words typed scores half)."""
    from rapidfuzz import fuzz, process

    rows = connection.execute(
        text(
            f"SELECT c.id, mw_name({NAME_SQL}) FROM debtor d"
            f" JOIN case_file c ON c.debtor_id = d.id WHERE 1 = 1{tenant}"
        ),
        params,
    ).all()
    names = [r[1] for r in rows]
    candidates = process.extract(
        folded,
        names,
        scorer=fuzz.partial_token_sort_ratio,
        limit=max(200, limit),
        score_cutoff=60,
    )
    words = folded.split()
    scored = []
    for _, _, i in candidates:
        own = names[i].split()
        score = sum(max(fuzz.ratio(w, o) for o in own) for w in words) / len(words)
        if score >= SQLITE_CUTOFF:
            scored.append((int(rows[i][0]), score / 100))
    return sorted(scored, key=lambda s: -s[1])[:limit]
