"""Insolvency notices: the file shape and the matching rules, pure (no database)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from mahnwerk.enforcement.insolvency import (
    PROBABLE,
    SURE,
    DebtorIndex,
    DebtorRecord,
    Notice,
    NoticeFileError,
    NoticeKind,
    parse,
)

DEBTORS = [
    DebtorRecord(1, "natural", "Meier", "Hans", birth_date=date(1980, 5, 1), postcodes=("10115",)),
    # same name, other birth date, same street: the father, not the son
    DebtorRecord(2, "natural", "Meier", "Hans", birth_date=date(1955, 2, 2), postcodes=("10115",)),
    DebtorRecord(
        3, "natural", "Müller", "Jürgen", birth_date=date(1970, 1, 1), postcodes=("80331",)
    ),
    DebtorRecord(4, "natural", "Schmidt", "Anna", postcodes=("50667",)),
    DebtorRecord(5, "legal", company="Muster Bau GmbH", postcodes=("20095",)),
    DebtorRecord(6, "natural", "Klein", "Petra", birth_date=date(1990, 1, 1), postcodes=("01067",)),
]


def notice(last="", first="", birth=None, postcode="", company="", kind=NoticeKind.OPENING):
    return Notice(
        "Amtsgericht Charlottenburg",
        "36 IK 1/26",
        date(2026, 3, 2),
        kind,
        last_name=last,
        first_name=first,
        company=company,
        birth_date=birth,
        postcode=postcode,
    )


@pytest.fixture(scope="module")
def index() -> DebtorIndex:
    return DebtorIndex.from_records(DEBTORS)


def ids(matches):
    return [(m.debtor_id, m.level) for m in matches]


def test_exact_name_and_birth_date_is_sure(index):
    found = index.match(notice("Meier", "Hans", date(1980, 5, 1), "10115"))
    assert ids(found) == [(1, SURE)]  # not the father with the other birth date
    assert found[0].confidence == 1.0


def test_umlauts_written_out_are_the_same_name(index):
    assert ids(index.match(notice("Mueller", "Juergen", date(1970, 1, 1)))) == [(3, SURE)]


def test_misspelt_name_with_the_same_birth_date_is_probable(index):
    (m,) = index.match(notice("Müler", "Jürgen", date(1970, 1, 1)))
    assert (m.debtor_id, m.level) == (3, PROBABLE)
    assert 0.8 < m.confidence < 0.9
    assert "ähnlich" in m.reasons[0]


def test_same_name_other_birth_date_is_no_match(index):
    assert index.match(notice("Meier", "Hans", date(1985, 7, 7), "10115")) == []


def test_unrelated_notice_matches_nobody(index):
    assert index.match(notice("Otto", "Karl", date(1960, 1, 1), "10115")) == []


def test_without_birth_date_name_and_postcode_is_probable(index):
    (m,) = index.match(notice("Schmidt", "Anna", None, "50667"))
    assert (m.debtor_id, m.level, m.confidence) == (4, PROBABLE, 0.85)
    (variant,) = index.match(notice("Schmitt", "Anna", None, "50667"))
    assert variant.debtor_id == 4 and variant.confidence < m.confidence


def test_name_alone_is_not_enough(index):
    assert index.match(notice("Schmidt", "Anna", None, "")) == []


def test_company_by_name_without_legal_form_and_postcode(index):
    (m,) = index.match(notice(company="Muster Bau GmbH & Co. KG", postcode="20095"))
    assert (m.debtor_id, m.level, m.confidence) == (5, PROBABLE, 0.9)


CSV = (
    "court;file_number;date;kind;last_name;first_name;birth_date;street;postcode;city;"
    "administrator;claims_deadline\n"
    "Amtsgericht Charlottenburg;36 IK 123/26;02.03.2026;Eröffnung;Meier;Hans;01.05.1980;"
    "Lindenstraße 3;10115;Berlin;RA Dr. Vera Walter, Kantstraße 1, 10623 Berlin;2026-04-15\n"
    "Amtsgericht Hamburg;67g IN 45/26;2026-03-03;Abweisung mangels Masse;;;;;20095;Hamburg;;\n"
)


def test_csv_shape_with_german_words_and_dates():
    data = CSV.replace(";;;;;20095", ";;;;;20095").encode("utf-8-sig")
    with pytest.raises(NoticeFileError) as err:  # the second row names nobody
        parse(data, "bekanntmachungen.csv")
    (problem,) = err.value.problems
    assert (problem.where, problem.field) == ("bekanntmachungen.csv, Zeile 3", "last_name")
    fixed = CSV.replace(
        "Hamburg;67g IN 45/26;2026-03-03;Abweisung mangels Masse;;",
        "Hamburg;67g IN 45/26;2026-03-03;Abweisung mangels Masse;Klein;",
    )
    first, second = parse(fixed.encode(), "bekanntmachungen.csv")
    assert first.kind is NoticeKind.OPENING and first.day == date(2026, 3, 2)
    assert first.birth_date == date(1980, 5, 1) and first.claims_deadline == date(2026, 4, 15)
    assert first.administrator.startswith("RA Dr. Vera Walter")
    assert second.kind is NoticeKind.DISMISSED and second.birth_date is None


def test_every_problem_is_named_and_nothing_is_read():
    bad = (
        "court,file_number,date,kind,last_name,postcode\n"
        "AG X,1 IN 1/26,31.02.2026,Konkurs,Meier,1011\n"
    )
    with pytest.raises(NoticeFileError) as err:
        parse(bad.encode(), "x.csv")
    fields = sorted(p.field for p in err.value.problems)
    assert fields == ["date", "kind", "postcode"]
    assert all(p.where == "x.csv, Zeile 2" for p in err.value.problems)
    with pytest.raises(NoticeFileError, match="Kopfzeile, Feld colour: unbekannte Spalte"):
        parse(b"court,file_number,date,kind,last_name,colour\n", "x.csv")


def test_json_shape():
    doc = {
        "notices": [
            {
                "court": "AG Köln",
                "file_number": "73 IK 9/26",
                "date": "2026-05-04",
                "kind": "restschuldbefreiung_erteilt",
                "last_name": "Klein",
                "first_name": "Petra",
                "birth_date": "1990-01-01",
            }
        ]
    }
    (n,) = parse(json.dumps(doc).encode(), "n.json")
    assert n.kind is NoticeKind.DISCHARGE_GRANTED and n.name == "Petra Klein"
    with pytest.raises(NoticeFileError, match="Eintrag 1, Feld birth_date"):
        parse(json.dumps([{**doc["notices"][0], "birth_date": 19900101}]).encode(), "n.json")


def test_the_same_notice_has_the_same_hash_however_it_is_written():
    a = notice("Müller", "Jürgen", date(1970, 1, 1))
    b = Notice(
        "AMTSGERICHT  Charlottenburg",
        "36 ik 1/26",
        date(2026, 3, 2),
        NoticeKind.OPENING,
        last_name="Mueller",
        first_name="Juergen",
        birth_date=date(1970, 1, 1),
    )
    assert a.content_hash() == b.content_hash()
    assert a.content_hash() != notice("Müller", "Jürgen", date(1970, 1, 2)).content_hash()


def test_a_csv_header_without_the_required_columns_is_refused():
    with pytest.raises(NoticeFileError) as err:
        parse(b"true\n", "x.csv")
    fields = {p.field for p in err.value.problems}
    assert {"court", "file_number", "date", "kind", "last_name oder company", "true"} == fields
    assert parse(b"court;file_number;date;kind;last_name\n", "empty.csv") == []


def test_a_broken_csv_is_refused_with_its_line_not_a_crash():
    data = b"court;file_number;date;kind;last_name\nAG;1;2026-01-02;eroeffnung;Me\rier\n"
    with pytest.raises(NoticeFileError, match=r"x\.csv, Zeile"):
        parse(data, "x.csv")
