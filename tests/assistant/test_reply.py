"""The assistant's use case against a real store (SQLite and PostgreSQL): answers from the
statement to the cent, promises recorded like the agent's, plan offers inside the creditor's
limits with the § 13a Abs. 3 RDG notice, disputes that stop dunning, hand-overs that pause
it, nothing said about another case, everything stored, audited and on the timeline."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select
from tests.assistant.assistant_support import TODAY, make_case

from mahnwerk.bootstrap import Runtime
from mahnwerk.config import Settings
from mahnwerk.domain.dunning import DEFAULT_GRACE_DAYS, PlanState, PlanTerms, plan_state
from mahnwerk.domain.money import format_eur
from mahnwerk.services import audit, cases
from mahnwerk.services.actor import CLI, today_in_germany
from mahnwerk.services.assistant import (
    AssistantError,
    apply_stated_address,
    conversations_for_case,
    export_for_debtor,
    reply,
)
from mahnwerk.services.dunning.deliver import _cases
from mahnwerk.services.dunning.run import run_day
from mahnwerk.services.portal import debtor as portal
from mahnwerk.services.workspace import workflow
from mahnwerk.store.assistant import AssistantMessage, Conversation
from mahnwerk.store.db import transaction
from mahnwerk.store.models import Case, CaseEvent, Creditor
from mahnwerk.store.workflow import (
    CaseFlag,
    ContactPreference,
    Dispute,
    OutboxMessage,
    PaymentPlan,
    Task,
)

#: a Wednesday at 10:00 in Berlin: the office (Mo–Fr 8–18) is open
NOW = datetime(2026, 1, 14, 9, 0, tzinfo=UTC)


def say(sessions, case_id, text, config, conversation=None, today=TODAY, now=NOW):
    with transaction(sessions) as s:
        creditor_id = s.get(Case, case_id).creditor_id
        actor = portal.debtor_actor(case_id, creditor_id, "203.0.113.7")
        return reply(s, actor, case_id, text, conversation, today, config=config, now=now)


def statement_totals(sessions, case_id, day=TODAY):
    with sessions() as s:
        return cases.statement(s.get(Case, case_id), day).totals


# --------------------------------------------------------------------------- answers


def test_a_balance_answer_equals_the_statement_to_the_cent(sessions, case_id, config):
    answer = say(sessions, case_id, "hallo, wie viel muss ich noch zahlen?", config)
    t = statement_totals(sessions, case_id)
    assert answer.intent == "balance" and not answer.handover
    assert (
        f"insgesamt {format_eur(t.total_open)} offen: {format_eur(t.principal_open)} aus der "
        f"Rechnung, {format_eur(t.interest_open)} Verzugszinsen und {format_eur(t.costs_open)} "
        "Kosten" in answer.reply
    )
    # every euro amount in the answer is one of the statement's figures
    figures = {format_eur(v) for v in (t.total_open, t.principal_open, t.interest_open)}
    figures |= {format_eur(t.costs_open), format_eur(D("100.00"))}  # the payment
    said = set(re.findall(r"\d{1,3}(?:\.\d{3})*,\d{2} €", answer.reply))
    assert said and said <= figures
    assert t.total_open == t.principal_open + t.interest_open + t.costs_open
    # the first answer says that it comes from a program, not a person
    assert "automatische Assistent" in answer.reply and "kein Mensch" in answer.reply


def test_the_explanation_goes_line_by_line_through_interest_and_costs(sessions, case_id, config):
    answer = say(
        sessions, case_id, "wie setzt sich der betrag zusammen mit zinsen und kosten", config
    )
    with sessions() as s:
        st = cases.statement(s.get(Case, case_id), TODAY)
    assert answer.intent == "explain"
    claim = st.claims[0]
    for p in claim.periods:
        assert f"{p.days} Tage" in answer.reply and format_eur(p.interest) in answer.reply
    assert "Stromlieferung, Jahresabrechnung 2025" in answer.reply
    assert "Mahngebühr des Gläubigers 5,00 €" in answer.reply
    assert "Zahlung vom 01.12.2025 über 100,00 €: 5,00 € auf Kosten" in answer.reply
    assert f"Zusammen offen: {format_eur(st.totals.total_open)}" in answer.reply


def test_payment_details_come_with_the_girocode_of_the_open_total(sessions, case_id, config):
    answer = say(sessions, case_id, "wohin soll ich das geld überweisen? iban?", config)
    t = statement_totals(sessions, case_id)
    assert answer.intent == "payment_details"
    assert answer.pay is not None and answer.pay.amount == t.total_open
    assert "DE89 3704 0044 0532 0130 00" in answer.reply
    assert f"EUR{t.total_open}" in answer.pay.payload and "<svg" in answer.pay.svg
    assert answer.actions == [{"kind": "girocode", "amount": str(t.total_open)}]


# --------------------------------------------------------------------------- promise


def test_a_promise_for_next_friday_is_recorded_like_the_agents(sessions, case_id, config):
    answer = say(sessions, case_id, "Ich zahle nächsten Freitag, da kommt mein Gehalt", config)
    friday = date(2026, 1, 16)  # TODAY is Monday 12 January 2026
    assert answer.intent == "promise" and not answer.handover
    assert answer.entities["date"] == friday.isoformat()
    total = statement_totals(sessions, case_id).total_open
    with sessions() as s:
        (plan,) = s.scalars(select(PaymentPlan).where(PaymentPlan.case_id == case_id)).all()
        assert (plan.kind, plan.count, plan.start, plan.status) == ("promise", 1, friday, "active")
        assert plan.instalment == total and plan.agreed_on == TODAY
        assert plan.cost_notice  # stored with it, as workflow.add_plan does for the agent
        event = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == "plan.agreed")
        ).one()
        assert event.actor == f"debtor:{case_id}" and event.data["plan_kind"] == "promise"
    assert "Freitag, 16.01.2026" in answer.reply
    grace_end = friday + timedelta(days=DEFAULT_GRACE_DAYS)
    assert f"bis {grace_end:%d.%m.%Y}" in answer.reply
    # the dunning rule pauses until the grace days are over, then resumes
    terms = PlanTerms("promise", TODAY, friday, total, 1)
    assert plan_state(terms, (), grace_end) is PlanState.GOOD
    assert plan_state(terms, (), grace_end + timedelta(days=1)) is PlanState.BROKEN
    assert {"kind": "promise_recorded", "plan_id": plan.id, "amount": str(total),
            "date": "2026-01-16", "grace_days": DEFAULT_GRACE_DAYS} in answer.actions  # fmt: skip


def test_a_partial_promise_and_a_promise_without_a_date(sessions, case_id, config):
    asked = say(sessions, case_id, "ich zahle bald, versprochen", config)
    assert asked.intent == "promise" and "Bis wann" in asked.reply and asked.actions == []
    answer = say(sessions, case_id, "ich überweise 200 euro zum 20.", config, asked.conversation_id)
    with sessions() as s:
        (plan,) = s.scalars(select(PaymentPlan).where(PaymentPlan.case_id == case_id)).all()
    assert plan.instalment == D("200.00") and plan.start == date(2026, 1, 20)
    assert "Offen bleiben danach noch" in answer.reply


def test_a_promise_too_far_ahead_goes_to_a_person(sessions, case_id, config):
    answer = say(sessions, case_id, "ich zahle am 15.4. alles", config)
    assert answer.handover and answer.intent == "promise"
    with sessions() as s:
        assert s.scalars(select(PaymentPlan)).all() == []
        (task,) = s.scalars(select(Task).where(Task.case_id == case_id)).all()
        assert task.kind == "plan_review" and "15.04.2026" in task.reason


# ------------------------------------------------------------------------------ plans


def test_a_plan_request_ends_in_an_offer_inside_the_limits_with_the_notice(
    sessions, case_id, config
):
    offer = say(sessions, case_id, "kann ich in raten zahlen", config)
    total = statement_totals(sessions, case_id).total_open
    assert offer.intent == "plan" and not offer.handover
    terms = offer.offer
    amount, count = D(terms["amount"]), terms["count"]
    assert count <= 12 and amount >= D("25.00") and terms["within_limits"] is True
    assert amount * (count - 1) < total <= amount * count
    with sessions() as s:
        notice = workflow.plan_cost_notice(s.get(Case, case_id), total, TODAY)
    assert "§ 13a Abs. 3 RDG" in offer.reply and notice in offer.reply
    assert f"{count} Monatsraten zu {format_eur(amount)}" in offer.reply
    with sessions() as s:  # nothing agreed before the debtor says yes
        assert s.scalars(select(PaymentPlan)).all() == []
    agreed = say(sessions, case_id, "Ja, einverstanden", config, offer.conversation_id)
    assert agreed.actions[0]["kind"] == "plan_agreed" and "vereinbart" in agreed.reply
    with sessions() as s:
        (plan,) = s.scalars(select(PaymentPlan).where(PaymentPlan.case_id == case_id)).all()
        assert (plan.kind, plan.instalment, plan.count) == ("plan", amount, count)
        assert plan.start == date.fromisoformat(terms["start"]) and plan.cost_notice
        conv = s.get(Conversation, offer.conversation_id)
        assert conv.pending_offer is None


def test_a_wish_outside_the_limits_is_not_promised(sessions, case_id, config):
    offer = say(
        sessions, case_id, "ich kann nur 10 euro im monat zahlen, geht das in raten?", config
    )
    assert offer.intent == "plan" and offer.entities["amounts"] == ["10.00"]
    assert D(offer.offer["amount"]) >= D("25.00") and offer.offer["count"] <= 12
    assert "nicht sofort zusagen" in offer.reply
    wished = say(sessions, case_id, "geht das in 6 raten", config, offer.conversation_id)
    assert wished.offer["count"] == 6 and wished.entities["months"] == 6
    declined = say(sessions, case_id, "nein danke", config, offer.conversation_id)
    assert declined.actions == [{"kind": "plan_offer_declined"}]
    with sessions() as s:
        assert s.scalars(select(PaymentPlan)).all() == []


def test_without_creditor_limits_the_accepted_offer_goes_to_a_person(sessions, creditor_id, config):
    with transaction(sessions) as s:
        creditor = s.get(Creditor, creditor_id)
        creditor.settings = {k: v for k, v in creditor.settings.items() if k != "plan_limits"}
    case_id = make_case(sessions, creditor_id, "K-2")
    offer = say(sessions, case_id, "Ratenzahlung über 10 Monate bitte", config)
    assert offer.offer["within_limits"] is False and offer.offer["count"] == 10
    agreed = say(sessions, case_id, "ok", config, offer.conversation_id)
    assert agreed.actions[0]["kind"] == "plan_review_requested"
    with sessions() as s:
        assert s.scalars(select(PaymentPlan)).all() == []
        (task,) = s.scalars(select(Task).where(Task.case_id == case_id)).all()
        assert task.kind == "plan_review"


# ---------------------------------------------------------------------------- disputes


def test_a_dispute_pauses_the_case_and_opens_a_task(
    db_url, engine, sessions, creditor_id, config, tmp_path
):
    disputed = make_case(sessions, creditor_id, "K-D")
    control = make_case(sessions, creditor_id, "K-C", first_name="Karla")
    today = today_in_germany()
    answer = say(sessions, disputed, "Ich habe das nie bestellt!", config, today=today)
    assert answer.intent == "dispute" and not answer.handover
    kinds = [a["kind"] for a in answer.actions]
    assert kinds == ["dispute_opened", "dunning_paused", "task_opened", "evidence_requested"]
    assert "Belege" in answer.reply and "Widerspruch oder Härtefall" in answer.reply
    with sessions() as s:
        (dispute,) = s.scalars(select(Dispute).where(Dispute.case_id == disputed)).all()
        assert dispute.status == "open" and "nie bestellt" in dispute.reason
        (task,) = s.scalars(select(Task).where(Task.case_id == disputed)).all()
        assert task.kind == "dispute_review" and task.code == f"dispute:{dispute.id}"
    again = say(
        sessions, disputed, "wie gesagt, nie bestellt", config, answer.conversation_id, today
    )
    assert again.actions == [{"kind": "dispute_exists"}]
    # the agency's sender data complete (§ 13a RDG): otherwise the run holds every message
    settings = Settings(
        db_url,
        tmp_path / "var",
        "k",
        agency_name="Inkasso Nord GmbH",
        agency_address="Ballindamm 17, 20095 Hamburg",
        agency_email="service@inkasso-nord.example",
        agency_registration="Rechtsdienstleistungsregister HH 3712 E-1",
    )
    runtime = Runtime(settings, engine, sessions)
    run_day(runtime, today + timedelta(days=1))
    with sessions() as s:
        assert s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == disputed)).all() == []
        assert s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == control)).all()


def test_already_paid_is_a_dispute_that_asks_for_the_proof(sessions, case_id, config):
    answer = say(sessions, case_id, "ich habe die rechnung schon längst bezahlt", config)
    assert answer.intent == "paid_already"
    assert "Nachweis der Zahlung" in answer.reply
    assert "100,00 € am 01.12.2025" in answer.reply  # what the ledger has seen
    with sessions() as s:
        (dispute,) = s.scalars(select(Dispute).where(Dispute.case_id == case_id)).all()
        assert dispute.reason.startswith("Bereits bezahlt")


# -------------------------------------------------------------------------- hand-over


def test_a_deceased_father_pauses_the_case_and_hands_over(sessions, case_id, config):
    answer = say(sessions, case_id, "mein Vater ist verstorben", config)
    assert answer.intent == "deceased" and answer.handover and answer.confidence == 1.0
    assert "Beileid" in answer.reply
    assert "heute bis 18:00 Uhr" in answer.reply and "Mo–Fr 08:00–18:00 Uhr" in answer.reply
    with sessions() as s:
        (flag,) = s.scalars(select(CaseFlag).where(CaseFlag.case_id == case_id)).all()
        assert flag.kind == "deceased" and flag.cleared_at is None
        (task,) = s.scalars(select(Task).where(Task.case_id == case_id)).all()
        assert task.kind == "assistant_handover" and task.data["intent"] == "deceased"
        said = task.data["transcript"]
        assert [m["sender"] for m in said] == ["debtor", "assistant"]
        assert said[0]["text"] == "mein Vater ist verstorben" and "Beileid" in said[1]["text"]
        conv = s.get(Conversation, answer.conversation_id)
        assert conv.status == "handed_over" and conv.handover_task_id == task.id
    # the daily decision stops the case (domain rule for the deceased flag)
    from mahnwerk.domain.dunning import CaseSnapshot, Flag, Outcome, decide
    from mahnwerk.strategies import StrategyBook

    strategy = StrategyBook(()).get("standard")
    snapshot = CaseSnapshot(
        case_id, True, TODAY, D("100"), D("100"), TODAY, flags=frozenset({Flag.DECEASED})
    )
    assert decide(snapshot, strategy, TODAY).outcome is Outcome.STOPPED
    # the debtor writes on: the task's transcript follows
    say(sessions, case_id, "was muss ich jetzt tun?", config, answer.conversation_id)
    with sessions() as s:
        task = s.scalars(select(Task).where(Task.case_id == case_id)).one()
        assert len(task.data["transcript"]) == 4


@pytest.mark.parametrize(
    ("text", "intent", "flag"),
    [
        ("ich bin in privatinsolvenz", "insolvency", "insolvency"),
        ("Ich bin seit 3 Monaten arbeitslos und kann nicht zahlen", "hardship", "hardship"),
        ("Ihr Mitarbeiter war am Telefon unverschämt, ich beschwere mich", "complaint", None),
        ("woher haben Sie meine Adresse? Ich will Auskunft nach DSGVO", "privacy", None),
    ],
)
def test_what_must_go_to_a_person_goes_to_a_person(sessions, case_id, config, text, intent, flag):
    answer = say(sessions, case_id, text, config, now=datetime(2026, 1, 16, 19, 0, tzinfo=UTC))
    assert answer.intent == intent and answer.handover
    assert "am Montag, 19.01.2026, ab 08:00 Uhr" in answer.reply  # Friday evening
    with sessions() as s:
        flags = [f.kind for f in s.scalars(select(CaseFlag).where(CaseFlag.case_id == case_id))]
        assert flags == ([flag] if flag else [])
        (task,) = s.scalars(select(Task).where(Task.case_id == case_id)).all()
        assert task.data["intent"] == intent and task.data["transcript"][0]["text"] == text


def test_a_call_back_request_is_a_phone_task(sessions, case_id, config):
    answer = say(sessions, case_id, "bitte rufen sie mich zurück, 0171 2345678", config)
    assert answer.intent == "human" and answer.handover
    with sessions() as s:
        (task,) = s.scalars(select(Task).where(Task.case_id == case_id)).all()
        assert task.kind == "phone_call" and task.data["phone"] == "01712345678"


# ------------------------------------------------------------------ the other case


def test_nothing_is_said_about_another_case(sessions, creditor_id, config):
    mine = make_case(sessions, creditor_id, "K-A", amount="400.00")
    other = make_case(sessions, creditor_id, "K-B", amount="987.65", first_name="Karla")
    with sessions() as s:
        other_ref = s.get(Case, other).reference
        other_total = cases.statement(s.get(Case, other), TODAY).totals.total_open
    answer = say(sessions, mine, f"wie viel ist beim Aktenzeichen {other_ref} offen?", config)
    assert answer.actions == [{"kind": "refused_other_case"}]
    assert "nur zu dem Vorgang" in answer.reply
    assert format_eur(other_total) not in answer.reply and "987" not in answer.reply
    # a conversation of the other case is not continued, and a debtor cannot ask for it
    theirs = say(sessions, other, "hallo", config)
    again = say(sessions, mine, "wie viel ist offen", config, theirs.conversation_id)
    assert again.conversation_id != theirs.conversation_id
    with transaction(sessions) as s, pytest.raises(AssistantError):
        creditor = s.get(Case, mine).creditor_id
        reply(
            s,
            portal.debtor_actor(mine, creditor, None),
            other,
            "wie viel?",
            None,
            TODAY,
            config=config,
        )


# --------------------------------------------------------------- contact and address


def test_an_address_change_is_recorded_as_stated_and_reviewed_by_an_agent(
    sessions, case_id, config
):
    answer = say(
        sessions, case_id, "Ich bin umgezogen, neue Adresse: Lindenstraße 12, 10115 Berlin", config
    )
    assert answer.intent == "address_change"
    assert answer.entities["address"] == {
        "street": "Lindenstraße 12",
        "postcode": "10115",
        "city": "Berlin",
    }
    with sessions() as s:
        (task,) = s.scalars(select(Task).where(Task.case_id == case_id)).all()
        assert task.kind == "address_review" and task.data["address"]["city"] == "Berlin"
        assert s.get(Case, case_id).debtor.current_address.postcode == "80331"  # not yet
    with transaction(sessions) as s:
        apply_stated_address(s, CLI, task.id, TODAY)
    with sessions() as s:
        debtor = s.get(Case, case_id).debtor
        assert debtor.current_address.street == "Lindenstraße 12"
        assert debtor.current_address.source == "debtor"
        assert s.get(Task, task.id).status == "done"


def test_a_contact_preference_is_stored(sessions, case_id, config):
    answer = say(sessions, case_id, "Bitte keine Anrufe mehr, nur per E-Mail an max@web.de", config)
    assert answer.intent == "contact_preference"
    with sessions() as s:
        debtor_id = s.get(Case, case_id).debtor_id
        prefs = s.scalars(
            select(ContactPreference).where(ContactPreference.debtor_id == debtor_id)
        ).all()
        assert [p.channel for p in prefs] == ["email"]
        assert any(
            c.value == "max@web.de" and c.source == "debtor"
            for c in s.get(Case, case_id).debtor.contacts
        )


# -------------------------------------------------------------- store, audit, contact


def test_every_message_is_stored_audited_on_the_timeline_and_counts_as_contact(
    sessions, case_id, config
):
    first = say(sessions, case_id, "hallo", config)
    say(sessions, case_id, "wie viel ist offen", config, first.conversation_id)
    with sessions() as s:
        rows = s.scalars(select(AssistantMessage).order_by(AssistantMessage.id)).all()
        assert [m.sender for m in rows] == ["debtor", "assistant", "debtor", "assistant"]
        assert {m.case_id for m in rows} == {case_id}
        assert rows[2].intent == "balance" and rows[2].confidence > 0.4
        entries = [e for e in audit.entries_for_case(s, case_id) if e.entity == "assistant_message"]
        assert len(entries) == 4 and {e.origin for e in entries} == {"203.0.113.7"}
        assert all("wie viel" not in str(e.details) for e in entries)  # no message text
        events = s.scalars(
            select(CaseEvent).where(
                CaseEvent.case_id == case_id, CaseEvent.kind == "assistant.message"
            )
        ).all()
        assert len(events) == 2 and events[1].data["intent"] == "balance"
        assert "text" not in events[1].data
        (view,) = conversations_for_case(s, case_id)
        assert len(view.messages) == 4
        case = s.get(Case, case_id)
        contacts = _cases(s, {case_id}, NOW + timedelta(hours=1))[case_id].recent
        assert len(contacts) == 1  # one conversation = one contact
        exported = export_for_debtor(s, case.debtor_id)
        assert exported[0]["case_id"] == case_id and len(exported[0]["messages"]) == 4


def test_an_empty_message_is_refused(sessions, case_id, config):
    with pytest.raises(AssistantError):
        say(sessions, case_id, "   ", config)
