"""The language side: the acceptance criterion on the held-out test set, the rules that must
never miss, and the entities (dates, amounts, months, addresses, contact wishes) checked by
hand against a calendar."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mahnwerk.assistant.corpus import TEMPLATES, split
from mahnwerk.assistant.entities import Address, extract, find_amounts, find_date
from mahnwerk.assistant.evaluation import evaluate
from mahnwerk.assistant.fresh import fresh_examples
from mahnwerk.assistant.intents import INTENTS, MUST_HAND_OVER
from mahnwerk.assistant.model import corpus_digest, train
from mahnwerk.assistant.rules import safety_hits
from mahnwerk.assistant.understand import is_no, is_yes, understand

MONDAY = date(2026, 1, 12)


# -------------------------------------------------------------------- the acceptance


def test_held_out_accuracy_is_at_least_90_percent_and_no_must_hand_over_is_missed(model):
    train_part, test_part = split()
    assert not {e.template for e in train_part} & {e.template for e in test_part}
    report = evaluate(model, test_part)
    assert report.accuracy >= 0.90, report.confusions[:10]
    assert [e.text for e in report.missed_handovers] == []
    for intent in MUST_HAND_OVER:
        figures = report.per_intent[intent]
        assert figures.handed_over == figures.n


def test_the_fresh_messages_written_after_tuning_pass_too(model):
    report = evaluate(model, fresh_examples())
    assert report.accuracy >= 0.90 and report.missed_handovers == []


def test_the_corpus_has_several_hundred_examples_per_intent_in_german_and_english():
    train_part, test_part = split()
    for intent in INTENTS:
        assert len([e for e in train_part + test_part if e.intent == intent]) >= 300
        assert any(t.startswith("EN: ") for t in TEMPLATES[intent])
        assert len([e for e in test_part if e.intent == intent]) >= 50


def test_training_is_deterministic():
    part = [e for i in INTENTS for e in [x for x in split()[0] if x.intent == i][:40]]
    a, b = train(part), train(part)
    texts = ["kann ich in raten zahlen", "ich zahle freitag", "hallo"]
    assert a.digest == b.digest == corpus_digest(part)
    assert a.probabilities(texts) == b.probabilities(texts)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("wieso soll ich 87 euro zahlen ich hab doch nur 40 bestellt", "explain"),
        ("kann ich in raten zahlen", "plan"),
        ("mein mann ist verstorben", "deceased"),
        ("ich bin in privatinsolvenz", "insolvency"),
        ("ich zahl nächsten freitag", "promise"),
        ("hab ich schon längst überwiesen", "paid_already"),
        ("wie is die iban", "payment_details"),
        ("I never ordered this", "dispute"),
        ("please call me back", "human"),
    ],
)
def test_the_issues_examples(model, text, intent):
    u = understand(text, MONDAY, model)
    assert u.intent == intent
    assert u.handover == (intent in ("deceased", "insolvency", "human"))


# -------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("meine Mutter ist letzte Woche gestorben", "deceased"),
        ("mein vater ist verstroben", "deceased"),
        ("the debtor passed away", "deceased"),
        ("Insolvenzverfahren eröffnet, Az 36 IK 12/26", "insolvency"),
        ("bin in der wohlverhaltensphase", "insolvency"),
        ("ich bin arbeitslos", "hardship"),
        ("ich bin bei der schuldnerberatung", "hardship"),
        ("lebe von buergergeld", "hardship"),
        ("das ist eine Frechheit, ich beschwere mich", "complaint"),
    ],
)
def test_safety_rules_fire(text, intent):
    assert safety_hits(text)[0].intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "kann ich in raten zahlen",
        "ich zahle am 15.",
        "hab gestren überwiesen",  # "gestren" is no "gestorben"
        "den Vertrag habe ich gekündigt",  # cancelling a contract is no unemployment
        "ende des monats zahle ich",
        "totaler Quatsch diese Rechnung",
    ],
)
def test_safety_rules_stay_quiet(text):
    assert safety_hits(text) == []


def test_a_rule_wins_over_the_model(model):
    u = understand("ich bin arbeitslos, kann ich 20 euro im monat zahlen?", MONDAY, model)
    assert (u.intent, u.source, u.handover, u.confidence) == ("hardship", "rule", True, 1.0)


# ----------------------------------------------------------------------- entities

FRIDAY = date(2026, 1, 16)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("nächsten Freitag", MONDAY, date(2026, 1, 16)),
        ("naechsten freitag", FRIDAY, date(2026, 1, 23)),  # said on a Friday: a week later
        ("kommenden Dienstag", MONDAY, date(2026, 1, 13)),
        ("Freitag nächster Woche", MONDAY, date(2026, 1, 23)),
        ("übernächsten Freitag", MONDAY, date(2026, 1, 23)),
        ("zum 15.", MONDAY, date(2026, 1, 15)),
        ("zum 10.", MONDAY, date(2026, 2, 10)),
        ("bis zum 31.", date(2026, 2, 3), date(2026, 2, 28)),  # February has no 31st
        ("Ende des Monats", MONDAY, date(2026, 1, 31)),
        ("am Monatsende", date(2024, 2, 10), date(2024, 2, 29)),
        ("Anfang nächsten Monats", MONDAY, date(2026, 2, 1)),
        ("15.1.", MONDAY, date(2026, 1, 15)),
        ("15.1.", date(2026, 1, 20), date(2027, 1, 15)),
        ("am 15.01.26", MONDAY, date(2026, 1, 15)),
        ("am 3. März", MONDAY, date(2026, 3, 3)),
        ("morgen", MONDAY, date(2026, 1, 13)),
        ("übermorgen", MONDAY, date(2026, 1, 14)),
        ("in zwei Wochen", MONDAY, date(2026, 1, 26)),
        ("in 10 Tagen", MONDAY, date(2026, 1, 22)),
        ("nächste Woche", MONDAY, date(2026, 1, 23)),
        ("gestern", MONDAY, date(2026, 1, 11)),
        ("next friday", MONDAY, date(2026, 1, 16)),
        ("by the end of the month", MONDAY, date(2026, 1, 31)),
    ],
)
def test_dates(text, today, expected):
    assert extract(f"ich zahle {text}", today).date == expected


def test_no_date_in_a_greeting_or_an_amount():
    assert find_date("guten morgen", MONDAY) == (None, None)
    assert extract("ich kann 40,50 € zahlen", MONDAY).date is None


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("87 euro", ["87.00"]),
        ("40,50 €", ["40.50"]),
        ("€ 1.250,00", ["1250.00"]),
        ("30,- und 12.50 EUR", ["30.00", "12.50"]),
        ("50 im Monat", ["50.00"]),
        ("monatlich 75", ["75.00"]),
        ("zum 15.1. zahle ich", []),
        ("in 6 raten", []),
    ],
)
def test_amounts(text, amounts):
    assert [str(a) for a in extract(text, MONDAY).amounts] == amounts


@given(st.integers(min_value=1, max_value=999_999), st.integers(min_value=0, max_value=99))
def test_any_written_euro_amount_is_read_back(euros, cents):
    value = D(euros) + D(cents) / 100
    german = f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert find_amounts(f"ich zahle {german} € sofort") == (value,)


@pytest.mark.parametrize(
    ("text", "months"),
    [("in 6 Raten", 6), ("sechs monatsraten", 6), ("über ein halbes Jahr", 6),
     ("12 monate", 12), ("über zwei Jahre", 24), ("kann ich in raten zahlen", None)],
)  # fmt: skip
def test_months(text, months):
    assert extract(text, MONDAY).months == months


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "neue Adresse: Lindenstraße 12, 10115 Berlin",
            Address("Lindenstraße 12", "10115", "Berlin"),
        ),
        ("wohne jetzt Am Markt 3, 04109 Leipzig danke", Address("Am Markt 3", "04109", "Leipzig")),
        ("Hauptstr. 5a 80331 München", Address("Hauptstr. 5a", "80331", "München")),
        ("bin umgezogen nach Bielefeld", None),
    ],
)
def test_addresses(text, address):
    assert extract(text, MONDAY).address == address


def test_contact_wishes():
    wish = extract("bitte keine anrufe mehr, nur per e-mail", MONDAY).contact
    assert (wish.wanted, wish.refused) == (("email",), ("call",))
    assert extract("anrufe nur zwischen 17 und 19 uhr", MONDAY).contact.hours == (17, 19)
    assert extract("lieber über WhatsApp", MONDAY).contact.unsupported == ("whatsapp",)
    e = extract("neue nummer 0151/98765432, mail: a.b@web.de", MONDAY)
    assert (e.phone, e.email) == ("015198765432", "a.b@web.de")


def test_yes_and_no_to_an_offer():
    assert is_yes("Ja, einverstanden") and is_yes("ok") and is_yes("Ich nehme das Angebot an")
    assert not is_yes("ja aber nur 20 euro") and not is_yes("ja, am 15.")
    assert is_no("nein danke") and not is_no("ja")
