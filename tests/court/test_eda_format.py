"""The EDA files mahnwerk writes, checked byte by byte on worked examples written by hand
from ``court-and-enforcement.md`` 1.2–1.5, decoded again with mahnwerk's own reader (every
count and checksum of the trailer against the records), and the refusal of every impossible
application."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from mahnwerk.court import application as eda
from mahnwerk.court import reader
from mahnwerk.court.application import (
    Ancillary,
    Application,
    ComputedInterest,
    InterestLine,
    MainClaim,
    Party,
    Representative,
    Streitgericht,
    VbApplication,
)
from mahnwerk.court.writer import Participant, write_mb_file, write_vb_file

WHO = Participant("07774512", software="mahnwerk", version="0.1.0")
DAY = date(2026, 3, 2)

CREDITOR = Party(
    anrede="",
    legal_form="GmbH",
    names=("Stadtwerke Nord GmbH",),
    street="Am Sande 4",
    postcode="21335",
    city="Lüneburg",
    representatives=(Representative("Geschäftsführer", "Dr. Hanna Berg"),),
)
DEBTOR = Party(
    anrede="0",
    names=("Jürgen", "Müller"),
    street="Hauptstraße 5",
    postcode="80331",
    city="München",
)


def app(**kw) -> Application:
    base = dict(
        reference="MW-00000001-97",
        court_id="P2510",
        court_name="Amtsgericht Uelzen",
        court_postcode="29525",
        court_city="Uelzen",
        applicant=CREDITOR,
        defendant=DEBTOR,
        streitgericht=Streitgericht(1, "80331", "München"),
        claims=(
            MainClaim(
                reference="R-1",
                amount=D("1250.00"),
                catalogue=43,
                document="Rechnung",
                number="R-1",
                date_from=date(2025, 11, 1),
                interest=(InterestLine(D("5"), "B", date(2025, 11, 16), D("1250.00")),),
            ),
        ),
        counter_performance="rendered",
        as_of=DAY,
        mandate_date=date(2026, 1, 5),
        ancillaries=(Ancillary("MAHNK", D("2.50")),),
    )
    base.update(kw)
    return Application(**base)


FREE = MainClaim(
    reference="R-2",
    amount=D("650.50"),
    catalogue=None,
    document="Rechnung",
    number="R-2",
    date_from=date(2025, 12, 1),
    free_text="Stromlieferung Dezember 2025, Zählerstand laut Ablesung vom 30.11.2025, Rechnung "
    "R-2 vom 01.12.2025 über Grundpreis, Arbeitspreis und Zählermiete",
    interest=(InterestLine(D("9.5"), "F", None, D("650.50")),),
)


def records(data: bytes) -> list[bytes]:
    assert len(data) % 128 == 0
    return [data[i : i + 128] for i in range(0, len(data), 128)]


def test_the_mahnbescheid_file_byte_by_byte():
    data = write_mb_file([app()], WHO, "ABC021", DAY)
    rec = records(data)
    keys = [r[:9].decode("cp850") for r in rec]
    # AA, C01, C02, C04, C05, C10, C13, C15, C16, C20, C26, C29, BB — no C03/C14: no name 3/4
    assert keys == [
        "AA0777451", "01KS   00", "01AS   01", "01AS   03", "01ASGV 01", "01ASPVA00",
        "01AG   01", "01AG   03", "01AG   04", "01ASPK 00", "01ZINS 00", "01MAHNK00", "BB0777451",
    ]  # fmt: skip
    aa, ks, as1, as3, asgv, aspva, ag1, ag3, ag4, aspk, zins, mahnk, bb = rec

    # AA (1.2): TKEZI 3-10, DATUM 11-16, BELART 17-18, EKEZI 19-26, FORMAT 27-30, EDAID 31-36,
    # SWN 56-75, SWV 76-85
    assert aa[2:10] == b"07774512" and aa[10:16] == b"260302" and aa[16:18] == b"01"
    assert aa[18:26] == b" " * 8 and aa[26:30] == b"4000" and aa[30:36] == b"ABC021"
    assert aa[55:75] == b"mahnwerk".ljust(20) and aa[75:85] == b"0.1.0".ljust(10)
    assert aa[36:55] == b" " * 19 and aa[85:] == b" " * 43

    # C01: TGZ 10-44, ASKEZI 45-52 blank, PVKEZI 53-60, MGPLZ 61-65, MGO 66-95,
    # VGLM1 109 = X (counter-performance rendered), VGLM2 110 blank, ASTRVM 115 blank
    assert ks[9:44] == b"MW-00000001-97".ljust(35)
    assert ks[44:52] == b" " * 8 and ks[52:60] == b"07774512"
    assert ks[60:65] == b"29525" and ks[65:95] == b"Uelzen".ljust(30)
    assert ks[108:109] == b"X" and ks[109:110] == b" " and ks[114:115] == b" "

    # applicant: no Anrede key for a legal person, legal form in ASRF 11-45, N1 46-80
    assert as1[9:10] == b" " and as1[10:45] == b"GmbH".ljust(35)
    assert as1[45:80] == b"Stadtwerke Nord GmbH".ljust(35) and as1[80:115] == b" " * 35
    assert as3[9:44] == b"Am Sande 4".ljust(35) and as3[44:49] == b"21335"
    assert as3[49:76] == "Lüneburg".ljust(27).encode("cp850") and as3[76:79] == b"   "
    assert asgv[9:44] == "Geschäftsführer".ljust(35).encode("cp850")
    assert asgv[44:79] == b"Dr. Hanna Berg".ljust(35)
    # C10: ASPVGZ 10-44, ASPVAUFD 45-50 (mandate 5 Jan 2026), the rest blank
    assert aspva[9:44] == b"MW-00000001-97".ljust(35) and aspva[44:50] == b"260105"
    assert aspva[50:] == b" " * 78

    # defendant: key 0 (Herr/Frau), first name in N1, surname in N2; C16 Streitgericht
    assert ag1[9:10] == b"0" and ag1[10:45] == b" " * 35
    assert ag1[45:80] == "Jürgen".ljust(35).encode("cp850")
    assert ag1[80:115] == "Müller".ljust(35).encode("cp850")
    assert ag3[9:44] == "Hauptstraße 5".ljust(35).encode("cp850") and ag3[44:49] == b"80331"
    assert ag4[9:10] == b"1" and ag4[10:15] == b"80331"
    assert ag4[15:45] == "München".ljust(30).encode("cp850")

    # C20: ASPKAT1 10-11, 12-21 blank, ASPGR 22-56, ASPRNR 57-91, ASPVD 92-97, ASPBD 98-103,
    # ASPBET 104-113 in cents
    assert aspk[9:11] == b"43" and aspk[11:21] == b" " * 10
    assert aspk[21:56] == b"Rechnung".ljust(35) and aspk[56:91] == b"R-1".ljust(35)
    assert aspk[91:97] == b"251101" and aspk[97:103] == b" " * 6
    assert aspk[103:113] == b"0000125000" and aspk[113:] == b" " * 15
    # C26: ZISATZ 10-14 (5,000 points), ZISAM 15 = B, ZIARTM 16 = 1, ZIVD 17-22, ZIBD 23-28,
    # ZIRGBET 29-38
    assert zins[9:14] == b"05000" and zins[14:15] == b"B" and zins[15:16] == b"1"
    assert zins[16:22] == b"251116" and zins[22:28] == b" " * 6 and zins[28:38] == b"0000125000"
    # C29: MAHNK 10-16
    assert mahnk[9:16] == b"0000250" and mahnk[16:] == b" " * 112

    # BB: TKEZI, ANTANZ 1, SANZ 11 body records, SKATNR 43, SUASP 125000 cents, SUGNR 0,
    # ASPANZ 1
    assert bb[:10] == b"BB07774512"
    assert bb[10:17] == b"0000001" and bb[17:24] == b"0000011" and bb[24:31] == b"0000043"
    assert bb[31:45] == b"00000000125000" and bb[45:60] == b"0" * 15 and bb[60:67] == b"0000001"
    assert bb[67:] == b" " * 61


def test_umlauts_and_sharp_s_are_cp850_bytes_never_transliterated():
    data = write_mb_file([app()], WHO, "ABC021", DAY)
    rec = records(data)
    ag1, ag3, ag4 = rec[6], rec[7], rec[8]
    assert ag1[46] == 0x81  # ü in Jürgen
    assert ag1[81] == 0x81  # ü in Müller
    assert ag3[18] == 0xE1  # ß in Hauptstraße
    assert ag4[16] == 0x81  # ü in München
    assert rec[4][14] == 0x84  # ä in Geschäftsführer
    assert b"ue" not in ag1[45:115] and b"ss" not in ag3[9:44]
    capitals = replace(DEBTOR, names=("Ölaf", "Ärger-Übel"))
    rec = records(write_mb_file([app(defendant=capitals)], WHO, "ABC021", DAY))
    assert rec[6][45] == 0x99 and rec[6][80] == 0x8E and rec[6][86] == 0x9A  # Ö, Ä, Ü
    assert rec[6][46:48] == b"la"


def test_two_applications_decoded_again_every_count_and_checksum():
    second = app(
        reference="MW-00000002-94",
        claims=(
            replace(app().claims[0], reference="R-7", amount=D("99.99"), catalogue=11,
                    interest=()),
            FREE,
        ),
        computed_interest=ComputedInterest(date(2025, 11, 16), date(2026, 2, 1), D("12.34")),
        ancillaries=(),
    )  # fmt: skip
    data = write_mb_file([app(), second], WHO, "ABC022", DAY)
    result = reader.read(data)
    assert result.framing == "stream" and len(result.files) == 1
    f = result.files[0]
    body = f.records
    assert f.header.satzart == "01" and f.header.format == "4000" and f.header.edaid == "ABC022"
    # counted by hand: 11 records for the first; the second: KS, AS01, AS03, ASGV, ASPVA,
    # AG01, AG03, AG04, ZIAUS, ASPK, ASPS01, ASPS02 (reasoning > 93 characters), ZINS = 13
    assert len(body) == 24
    t = f.trailer
    assert t.applications == 2 == sum(1 for r in body if r.key == "01KS   00")
    assert t.records == 24
    assert t.catalogue_sum == 43 + 11 + 0  # a free-text claim counts 0
    assert t.claims_cents == 125000 + 9999 + 65050  # ZIAUS and Mahnkosten not included
    assert t.claims == 3
    assert t.gnr_sum == 0
    second_records = [r for r in body[11:]]
    keys = [r.key for r in second_records]
    assert keys.index("01ZIAUS00") < keys.index("01ASPK 00")  # before the first claim
    ziaus = second_records[keys.index("01ZIAUS00")].fields
    assert ziaus == {"AZIVD": date(2025, 11, 16), "AZIBD": date(2026, 2, 1),
                     "AZIAUBET": D("12.34"), "AZISATZ": None}  # fmt: skip
    asps1 = second_records[keys.index("01ASPS 01")].fields
    asps2 = second_records[keys.index("01ASPS 02")].fields
    assert asps1["ASPSOBET"] == D("650.50")
    assert str(asps1["ASPSOBG1"]) + str(asps2["ASPSOBG2"]) == FREE.free_text
    assert len(str(asps1["ASPSOBG1"])) == 93
    zins = second_records[keys.index("01ZINS 00")].fields
    assert (zins["ZISATZ"], zins["ZISAM"], zins["ZIVD"]) == (D("9.5"), "F", None)  # ab Zustellung


def test_a_tampered_trailer_is_refused_with_its_field():
    data = bytearray(write_mb_file([app()], WHO, "ABC021", DAY))
    last = len(data) - 128
    data[last + 30] = ord("9")  # SKATNR 0000049 instead of 0000043
    with pytest.raises(reader.EdaReadError) as err:
        reader.read(bytes(data))
    assert err.value.field == "SKATNR" and err.value.record == 13
    data = bytearray(write_mb_file([app()], WHO, "ABC021", DAY))
    data[last + 44] = ord("1")  # SUASP off by one cent
    with pytest.raises(reader.EdaReadError, match="SUASP"):
        reader.read(bytes(data))


def test_the_vollstreckungsbescheid_file():
    payments = tuple((date(2026, 3, d), D("10.00")) for d in range(1, 9))
    vb = VbApplication("MW-00000001-97", "26123456701", DAY, payments=payments)
    data = write_vb_file([vb, VbApplication("MW-00000002-94", "26000000202", DAY)], WHO, "ABC023",
                         date(2026, 3, 23))  # fmt: skip
    rec = records(data)
    assert [r[:9] for r in rec[1:-1]] == [b"08KS   00", b"08ZAHL 00", b"08ZAHL200", b"08KS   00"]
    ks, zahl, zahl2 = rec[1], rec[2], rec[3]
    # E01: TKEZI 10-17, GNR 18-28, ASGZ 29-58 (30), VBAND 59-64, VBZAM 65 = 2 (payments
    # follow), VBZUM 66 = 1 (service by the court), the rest blank
    assert ks[9:17] == b"07774512" and ks[17:28] == b"26123456701"
    assert ks[28:58] == b"MW-00000001-97".ljust(30) and ks[58:64] == b"260323"
    assert ks[64:65] == b"2" and ks[65:66] == b"1" and ks[66:] == b" " * 62
    assert rec[4][64:65] == b"1"  # no payments
    # E02: six pairs of date (6) + amount (10) from pos. 10; E11 the 7th and 8th
    assert zahl[9:25] == b"2603010000001000" and zahl[89:105] == b"2603060000001000"
    assert zahl2[9:25] == b"2603070000001000" and zahl2[25:41] == b"2603080000001000"
    assert zahl2[41:] == b" " * 87
    f = reader.read(data).files[0]
    assert f.header.format == "4100" and f.header.satzart == "08"
    assert f.trailer.applications == 2 and f.trailer.records == 4
    assert f.trailer.gnr_sum == 1234567 + 2  # UNVERIFIED rule: positions 3-9 of each GNR


# ---------------------------------------------------------------- impossible applications


REFUSED = [
    ("no claim", dict(claims=()), "keine Hauptforderung"),
    ("no catalogue, no reason", dict(claims=(replace(FREE, free_text=""),)),
     "keine Katalognummer und keine Begründung"),
    ("reasoning too long", dict(claims=(replace(FREE, free_text="x" * 164),)),
     "Begründung länger als 163 Zeichen"),
    ("flat without place", dict(claims=(replace(app().claims[0], catalogue=19),)),
     "verlangt Postleitzahl und Ort der Wohnung"),
    ("contract type", dict(claims=(replace(app().claims[0], catalogue=28, addition="Kaufvertrag"),)),
     "Vertragsart in Großbuchstaben"),
    ("meter number", dict(claims=(replace(app().claims[0], catalogue=42),)),
     "Abnehmer-/Zählernummer"),
    ("unknown catalogue number", dict(claims=(replace(app().claims[0], catalogue=50),)),
     "Katalog-Nr. 50 gibt es nicht"),
    ("too many catalogued claims", dict(claims=tuple(
        replace(app().claims[0], reference=f"R-{i}", interest=()) for i in range(46))),
     "46 Katalog-Forderungen: mehr als das EDA-Format erlaubt (45)"),
    ("too many free-text claims", dict(claims=tuple(
        replace(FREE, reference=f"R-{i}", interest=()) for i in range(10))),
     "10 sonstige Ansprüche: mehr als das EDA-Format erlaubt (9)"),
    ("too many interest lines", dict(claims=(replace(app().claims[0], interest=tuple(
        InterestLine(D("5"), "B", date(2025, 1, 1 + i % 28).replace(month=1 + i // 28),
                     D("100")) for i in range(55))),)),
     "55 Zinszeilen"),
    ("company without representative", dict(defendant=replace(
        DEBTOR, anrede="", legal_form="GmbH", names=("Bau GmbH",))),
     "gesetzlicher Vertreter fehlt"),
    ("company without legal form", dict(defendant=replace(DEBTOR, anrede="", names=("Bau",))),
     "Rechtsform fehlt"),
    ("defendant abroad", dict(defendant=replace(DEBTOR, country="A", postcode="1010", city="Wien")),
     "Sitz im Ausland"),
    ("no address", dict(defendant=replace(DEBTOR, street="")), "Anschrift unvollständig"),
    ("name too long", dict(defendant=replace(DEBTOR, names=("J" * 36, "Müller"))),
     "länger als 35 Zeichen"),
    ("town too long", dict(defendant=replace(DEBTOR, city="Sankt Peter-Ording an der Nordsee")),
     "Ort länger als 27 Zeichen"),
    ("bad postcode", dict(defendant=replace(DEBTOR, postcode="8033")), "nicht fünf Ziffern"),
    ("character outside CP850", dict(defendant=replace(DEBTOR, city="Łódź")),
     "im EDA-Zeichensatz nicht erlaubt"),
    ("counter-performance not declared", dict(counter_performance=""), "§ 690 Abs. 1 Nr. 4"),
    ("no Streitgericht", dict(streitgericht=Streitgericht(1, "", "")), "§ 690 Abs. 1 Nr. 5"),
    ("reference too long for the VB", dict(reference="X" * 31), "1 bis 30 Zeichen"),
    ("negative amount", dict(claims=(replace(app().claims[0], amount=D("-1")),)),
     "Betrag muss größer als 0 sein"),
    ("amount beyond the field", dict(claims=(replace(app().claims[0], amount=D("100000000.00")),)),
     "Betrag zu groß"),
    ("interest on more than the claim", dict(claims=(replace(app().claims[0], interest=(
        InterestLine(D("5"), "B", None, D("2000")),)),)), "zu verzinsender Betrag"),
    ("unknown Nebenforderung", dict(ancillaries=(Ancillary("INKB", D("50")),)),
     "Nebenforderung 'INKB' kann nicht geschrieben werden"),
    ("too many representatives", dict(applicant=replace(CREDITOR, representatives=tuple(
        Representative("Geschäftsführer", f"G {i}") for i in range(7)))),
     "mehr als 6 gesetzliche Vertreter"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "change", "expected"), REFUSED, ids=[r[0] for r in REFUSED])
def test_every_impossible_application_is_refused(case, change, expected):
    assert eda.validate(app()) == []
    problems = eda.validate(app(**change))
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("vb", "expected"),
    [
        (VbApplication("R", "2612345", DAY), "11 Ziffern"),
        (VbApplication("R", "26123456701", DAY, payments=tuple(
            (date(2026, 3, d), D("1")) for d in range(1, 14))), "13 Zahlungen"),
        (VbApplication("", "26123456701", DAY), "1 bis 30 Zeichen"),
    ],
)  # fmt: skip
def test_impossible_vb_applications(vb, expected):
    assert any(expected in p for p in eda.validate_vb(vb))


def test_the_json_form_round_trips_and_its_digest_is_stable():
    original = app(claims=(app().claims[0], FREE),
                   computed_interest=ComputedInterest(DAY, DAY, D("1.00")))  # fmt: skip
    again = eda.from_dict(Application, eda.to_dict(original))
    assert again == original
    assert eda.digest(again) == eda.digest(original)
    assert eda.digest(replace(original, reference="MW-00000009-99")) != eda.digest(original)
    vb = VbApplication("MW-1", "26123456701", DAY, payments=((DAY, D("5.00")),))
    assert eda.from_dict(VbApplication, eda.to_dict(vb)) == vb


def test_the_writer_leaves_out_an_application_that_does_not_fit():
    bad = app(reference="MW-00000002-94", defendant=replace(DEBTOR, city="Łódź"))
    refused: list[tuple[int, str]] = []
    data = write_mb_file([bad, app()], WHO, "ABC021", DAY, refused)
    assert refused == [
        (0, "Feld AGO (Pos. 50–76): Zeichen 'Ł' ist im EDA-Zeichensatz nicht erlaubt")
    ]
    f = reader.read(data).files[0]
    assert f.trailer.applications == 1 and f.records[0].fields["TGZ"] == "MW-00000001-97"
