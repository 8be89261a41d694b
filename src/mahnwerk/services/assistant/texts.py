"""What the assistant says, in German, built from the case's statement and the portal's
overview – never from anything the assistant made up.

Every amount comes from :func:`mahnwerk.services.cases.statement` at today's date (through
:func:`mahnwerk.services.portal.overview`, the same read as the portal's case page) and is
written with :func:`mahnwerk.domain.money.format_eur`, so the numbers equal the statement
page to the cent. The assistant never threatens, promises nothing beyond the creditor's
limits and gives no legal advice; it says that it is an automated assistant.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mahnwerk.domain.dunning import DEFAULT_GRACE_DAYS
from mahnwerk.domain.money import format_eur, format_rate
from mahnwerk.services.portal.debtor import Overview, PayInfo, Proposal

WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


def de_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def long_date(day: date) -> str:
    """``Freitag, 16.01.2026``."""
    return f"{WEEKDAYS[day.weekday()]}, {de_date(day)}"


def intro(agency: str, reference: str) -> str:
    return (
        f"Guten Tag! Ich bin der automatische Assistent von {agency} – ein Computerprogramm, "
        f"kein Mensch. Ich beantworte Fragen zu Ihrem Vorgang {reference} und kann einiges "
        "gleich für Sie erledigen; alles andere gebe ich an eine Mitarbeiterin oder einen "
        "Mitarbeiter weiter. Rechtsberatung kann ich nicht geben."
    )


MENU = (
    "Ich kann Ihnen sagen, was offen ist und wie sich der Betrag zusammensetzt, Ihnen die "
    "Bankverbindung geben, ein Zahlungsdatum notieren, eine Ratenzahlung anbieten, einen "
    "Widerspruch aufnehmen, eine neue Anschrift oder Ihren Kontaktwunsch notieren – oder Sie an "
    "eine Person weitergeben. Was möchten Sie tun?"
)


def _status_lines(view: Overview) -> list[str]:
    lines = []
    if view.open_dispute:
        lines.append("Ihr Widerspruch wird geprüft; so lange mahnen wir nicht.")
    if view.hardship:
        lines.append("Ihre Notlage wird geprüft; so lange ruht die Mahnung.")
    plan = view.active_plan
    if plan is not None and plan.kind == "plan":
        lines.append(
            f"Vereinbart ist eine Ratenzahlung: {plan.count} Raten zu "
            f"{format_eur(plan.instalment)}, die erste am {de_date(plan.start)}."
        )
    elif plan is not None:
        lines.append(
            f"Notiert ist Ihr Zahlungsversprechen über {format_eur(plan.instalment)} bis "
            f"{de_date(plan.start)}."
        )
    return lines


def balance(view: Overview) -> str:
    """What is open today, split as on the statement page."""
    st = view.statement
    t = st.totals
    if t.total_open <= 0:
        text = f"Heute ({de_date(st.as_of)}) ist nichts mehr offen. Vielen Dank!"
        if t.credit > 0:
            text += (
                f" Sie haben {format_eur(t.credit)} mehr gezahlt als offen war; eine Person "
                "prüft die Erstattung."
            )
        return text
    n = len(st.claims)
    parts = [
        f"Heute ({de_date(st.as_of)}) sind insgesamt {format_eur(t.total_open)} offen: "
        f"{format_eur(t.principal_open)} aus {'der Rechnung' if n == 1 else f'{n} Rechnungen'}, "
        f"{format_eur(t.interest_open)} Verzugszinsen und {format_eur(t.costs_open)} Kosten."
    ]
    paid = sum((a.amount for a in st.allocations), Decimal(0))
    if paid > 0:
        parts.append(f"Ihre Zahlungen von zusammen {format_eur(paid)} sind schon abgezogen.")
    parts += _status_lines(view)
    parts.append(
        "Möchten Sie zahlen, schreiben Sie „Bankverbindung“; können Sie nicht alles auf einmal "
        "zahlen, schreiben Sie „Raten“."
    )
    return " ".join(parts)


def explain(view: Overview) -> str:
    """The claim line by line: invoices, interest periods, costs with their reason,
    payments and how they were applied, and the total."""
    st = view.statement
    lines = [
        f"{view.creditor.name} hat uns beauftragt, diese Forderung einzuziehen. So setzt sie "
        f"sich heute ({de_date(st.as_of)}) zusammen:"
    ]
    for c in st.claims:
        invoice_date, label = view.claim_info.get(c.id, (None, c.label))
        when = f" vom {de_date(invoice_date)}" if invoice_date else ""
        what = f" ({label})" if label else ""
        lines.append(
            f"• Rechnung {c.id}{when}{what}: {format_eur(c.principal)}, "
            + (f"im Verzug seit {de_date(c.default_from)}" if c.default_from else "nicht im Verzug")
            + f", davon noch offen {format_eur(c.principal_open)}."
        )
        if c.periods:
            lines.append(f"• Verzugszinsen auf Rechnung {c.id} ({c.interest_terms}):")
            for p in c.periods:
                lines.append(
                    f"  – {de_date(p.start)} bis {de_date(p.end)}: {p.days} Tage, "
                    f"{format_rate(p.rate)} auf {format_eur(p.base)} = {format_eur(p.interest)}"
                )
            paid = f", davon bezahlt {format_eur(c.interest_paid)}" if c.interest_paid else ""
            lines.append(f"  Zinsen zusammen {format_eur(c.interest_accrued)}{paid}.")
    for cost in st.costs:
        reason = view.cost_reasons.get(cost.label, "")
        lines.append(
            f"• Kosten vom {de_date(cost.date)}: {cost.label} {format_eur(cost.amount)}"
            + (f" – {reason}" if reason else "")
            + (f", davon offen {format_eur(cost.open)}" if cost.open != cost.amount else "")
            + "."
        )
    for a in st.allocations:
        lines.append(
            f"• Ihre Zahlung vom {de_date(a.date)} über {format_eur(a.amount)}: "
            f"{format_eur(a.to_costs)} auf Kosten, {format_eur(a.to_interest)} auf Zinsen, "
            f"{format_eur(a.to_principal)} auf Rechnungen"
            + (f", {format_eur(a.unapplied)} nicht verrechnet" if a.unapplied else "")
            + "."
        )
    t = st.totals
    lines.append(
        f"Zusammen offen: {format_eur(t.total_open)} ({format_eur(t.principal_open)} "
        f"Rechnungen, {format_eur(t.interest_open)} Zinsen, {format_eur(t.costs_open)} Kosten)."
    )
    lines.append(
        "Verzugszinsen fallen an, weil eine Rechnung nach ihrer Fälligkeit nicht bezahlt wurde; "
        "der Zinssatz folgt dem Gesetz (§ 288 BGB). Zahlungen werden zuerst auf die Kosten, dann "
        "auf die Zinsen und dann auf die Rechnung angerechnet (§ 367 BGB). Wenn etwas davon "
        "nicht stimmt, schreiben Sie mir, was nicht stimmt – dann prüft eine Person die "
        "Forderung, und so lange mahnen wir nicht."
    )
    return "\n".join(lines)


def payment_details(view: Overview) -> str:
    pay = view.pay
    if pay is None:
        if view.statement.totals.total_open <= 0:
            return "Es ist nichts mehr offen – Sie müssen nichts zahlen."
        return (
            "Die Bankverbindung steht in unserem Schreiben an Sie; ich habe sie hier leider "
            "nicht. Eine Mitarbeiterin oder ein Mitarbeiter hilft Ihnen gern weiter."
        )
    return "\n".join(
        [
            f"Bitte überweisen Sie {format_eur(pay.amount)} an:",
            f"Empfänger: {pay.holder}",
            f"IBAN: {pay.iban}" + (f" · BIC: {pay.bic}" if pay.bic else ""),
            f"Verwendungszweck: {pay.reference} (bitte genau so, damit die Zahlung Ihrem "
            "Vorgang zugeordnet wird)",
            "Mit Ihrer Banking-App können Sie auch den GiroCode scannen: Empfänger, Betrag und "
            "Verwendungszweck sind dann schon ausgefüllt. Für Raten können Sie uns unter "
            "„Lastschrift erteilen“ ein SEPA-Lastschriftmandat geben.",
        ]
    )


def promise_recorded(amount: Decimal, day: date, total: Decimal, pay: PayInfo | None) -> str:
    grace_until = date.fromordinal(day.toordinal() + DEFAULT_GRACE_DAYS)
    text = [
        f"Danke! Ich habe Ihr Zahlungsversprechen notiert: {format_eur(amount)} bis "
        f"{long_date(day)}.",
        f"Bis dahin mahnen wir nicht; kommt die Zahlung bis {de_date(grace_until)} an, bleibt "
        "es dabei.",
    ]
    if amount < total:
        text.append(f"Offen bleiben danach noch {format_eur(total - amount)}.")
    if pay is not None:
        text.append(
            f"Bitte überweisen Sie an {pay.holder}, IBAN {pay.iban}, Verwendungszweck "
            f"{pay.reference}."
        )
    text.append("Wenn sich etwas ändert, schreiben Sie mir einfach.")
    return " ".join(text)


ASK_DATE = (
    "Bis wann können Sie zahlen? Nennen Sie mir bitte ein Datum, zum Beispiel „15.02.“, "
    "„Ende des Monats“ oder „nächsten Freitag“."
)


def promise_too_late(day: date, limit_days: int) -> str:
    return (
        f"Ein Zahlungsdatum so weit im Voraus ({de_date(day)}) kann ich nicht selbst zusagen – "
        f"ich kann Termine bis in {limit_days} Tagen notieren. Ich habe Ihren Wunsch an eine "
        "Mitarbeiterin oder einen Mitarbeiter weitergegeben. Wenn Sie möchten, biete ich Ihnen "
        "auch eine Ratenzahlung an: schreiben Sie „Raten“."
    )


def promise_in_past(day: date) -> str:
    return (
        f"Der {de_date(day)} liegt schon zurück. Haben Sie schon gezahlt, schreiben Sie mir "
        "bitte, wann und wie viel; sonst nennen Sie mir bitte ein Datum in der Zukunft."
    )


def plan_active(view: Overview) -> str:
    plan = view.active_plan
    assert plan is not None
    return (
        f"Sie haben bereits eine Ratenzahlung: {plan.count} Raten zu "
        f"{format_eur(plan.instalment)}, die erste am {de_date(plan.start)}. Bitte zahlen Sie "
        "die Raten wie vereinbart; ich ändere sie nicht. Wenn Sie die Raten nicht schaffen, "
        "schreiben Sie es mir – dann kümmert sich eine Person darum."
    )


def plan_offer(p: Proposal, wish_met: bool, wished: str | None) -> str:
    lines = []
    if wished and not wish_met:
        lines.append(
            f"{wished} kann ich Ihnen leider nicht sofort zusagen. Was ich Ihnen ohne weitere "
            "Prüfung anbieten kann:"
        )
    else:
        lines.append("Ich kann Ihnen diese Ratenzahlung anbieten:")
    last = (
        f" (die letzte Rate {format_eur(p.last_instalment)})"
        if p.count > 1 and p.last_instalment != p.amount
        else ""
    )
    lines.append(
        f"{p.count} {'Rate' if p.count == 1 else 'Monatsraten'} zu {format_eur(p.amount)}{last}, "
        f"die erste am {de_date(p.start)}, die letzte am {de_date(p.end)} – für die heute offenen "
        f"{format_eur(p.total)}."
    )
    lines.append(f"Kosten der Ratenzahlung (§ 13a Abs. 3 RDG): {p.cost_notice}")
    if p.within_limits:
        lines.append(
            "Dieses Angebot liegt in den Grenzen des Gläubigers und gilt sofort, wenn Sie "
            "zustimmen. Möchten Sie es annehmen? Antworten Sie mit „Ja“ oder nutzen Sie die "
            "Schaltfläche."
        )
    else:
        lines.append(
            "Über Raten entscheidet hier eine Person. Wenn Sie zustimmen, geht Ihr Vorschlag an "
            "eine Mitarbeiterin oder einen Mitarbeiter, die oder der sich bei Ihnen meldet. "
            "Antworten Sie mit „Ja“ oder nutzen Sie die Schaltfläche."
        )
    if wished and not wish_met:
        lines.append(
            "Wenn Sie nur weniger zahlen können: Unter „Raten vorschlagen“ berechnen wir aus "
            "Ihrem Einkommen und Ihren festen Kosten, was für Sie tragbar ist, oder Sie "
            "schlagen Ihren Betrag vor; eine Person prüft ihn."
        )
    return "\n".join(lines)


def plan_agreed(p: Proposal, accepted: bool) -> str:
    if accepted:
        return (
            f"Ihre Ratenzahlung ist vereinbart: {p.count} Raten zu {format_eur(p.amount)} "
            f"monatlich, die erste am {de_date(p.start)}. Solange Sie die Raten zahlen, mahnen "
            "wir nicht. Bequemer geht es mit einem Lastschriftmandat („Lastschrift erteilen“)."
        )
    return (
        "Danke! Ihr Ratenvorschlag ist bei uns. Eine Mitarbeiterin oder ein Mitarbeiter prüft "
        "ihn und meldet sich bei Ihnen."
    )


PLAN_DECLINED = (
    "In Ordnung, ich habe das Angebot verworfen. Nennen Sie mir gern eine monatliche Rate oder "
    "eine Anzahl von Monaten, dann rechne ich neu."
)
NOTHING_OPEN = "Es ist nichts mehr offen – eine Ratenzahlung ist nicht nötig."


def dispute_opened(kind: str, evidence_hint: str) -> str:
    if kind == "paid_already":
        first = (
            "Danke für den Hinweis, dass Sie schon gezahlt haben. Ich habe das als Einwand "
            "vermerkt; bis eine Mitarbeiterin oder ein Mitarbeiter es geprüft hat, mahnen wir "
            "nicht."
        )
        ask = (
            "Bitte schicken Sie uns einen Nachweis der Zahlung, zum Beispiel einen "
            "Kontoauszug oder die Überweisungsbestätigung"
        )
    else:
        first = (
            "Ich habe Ihren Widerspruch aufgenommen. Bis eine Mitarbeiterin oder ein "
            "Mitarbeiter ihn geprüft hat, mahnen wir nicht."
        )
        ask = (
            "Bitte schicken Sie uns Belege für Ihren Einwand, zum Beispiel eine "
            "Kündigungsbestätigung, einen Rücksendebeleg oder Ihren Schriftverkehr"
        )
    return f"{first} {ask} – {evidence_hint}"


EVIDENCE_HINT = "am einfachsten als PDF oder Foto unter „Widerspruch oder Härtefall“."


def dispute_exists() -> str:
    return (
        "Ihr Widerspruch liegt uns schon vor und wird geprüft; so lange mahnen wir nicht. Ich "
        "habe Ihre Nachricht dazugelegt. Belege können Sie unter „Widerspruch oder Härtefall“ "
        "hochladen."
    )


def payments_seen(view: Overview) -> str:
    allocations = view.statement.allocations
    if not allocations:
        return "Bei uns ist zu diesem Vorgang bisher keine Zahlung eingegangen."
    seen = ", ".join(f"{format_eur(a.amount)} am {de_date(a.date)}" for a in allocations)
    return f"Bei uns eingegangen sind bisher: {seen}."


def handover(intent: str, expect: str, hours: str, creditor: str) -> str:
    when = f"Eine Mitarbeiterin oder ein Mitarbeiter meldet sich {expect} (Bürozeiten: {hours})."
    texts = {
        "hardship": (
            "Danke, dass Sie uns das schreiben – das tut mir leid. Ich habe Ihre Nachricht an "
            "eine Mitarbeiterin oder einen Mitarbeiter weitergegeben; bis Ihre Lage geprüft ist, "
            f"mahnen wir nicht. {when} Wenn eine Schuldnerberatung Sie unterstützt, kann sie "
            "sich gern direkt bei uns melden. Kostenlose Schuldnerberatung bieten zum Beispiel "
            "Verbraucherzentralen, Wohlfahrtsverbände und Kommunen an."
        ),
        "insolvency": (
            "Danke für die Information. Ich habe sie an eine Mitarbeiterin oder einen "
            "Mitarbeiter weitergegeben; in diesem Vorgang mahnen wir nicht weiter, bis das "
            f"geprüft ist. {when} Falls noch nicht geschehen, nennen Sie uns bitte das "
            "Insolvenzgericht mit Aktenzeichen und den Namen der Insolvenzverwalterin oder des "
            "Insolvenzverwalters."
        ),
        "deceased": (
            "Mein herzliches Beileid. Ich habe Ihre Nachricht an eine Mitarbeiterin oder einen "
            "Mitarbeiter weitergegeben; in diesem Vorgang mahnen wir bis auf Weiteres nicht. "
            f"{when} Wenn Sie möchten, können Sie uns eine Kopie der Sterbeurkunde schicken; "
            "sonst ist von Ihnen jetzt nichts zu tun."
        ),
        "complaint": (
            "Es tut mir leid, dass Sie verärgert sind. Ich habe Ihre Beschwerde an eine "
            f"verantwortliche Person weitergegeben; sie wird geprüft, und Sie bekommen eine "
            f"Antwort. {when}"
        ),
        "privacy": (
            "Ihre Anfrage zum Datenschutz habe ich an die zuständige Person weitergegeben. "
            f"{when} Die Angaben zu Ihrer Person und zur Forderung haben wir von {creditor} "
            "erhalten, der uns mit dem Einzug der Forderung beauftragt hat. Eine Auskunft über "
            "Ihre Daten erhalten Sie innerhalb eines Monats (Art. 12 und 15 DSGVO)."
        ),
        "human": f"Gern, ich gebe Sie an eine Person weiter. {when}",
    }
    return texts.get(
        intent,
        "Ich bin nicht sicher, ob ich Sie richtig verstanden habe, deshalb habe ich Ihre "
        f"Nachricht an eine Mitarbeiterin oder einen Mitarbeiter weitergegeben. {when}",
    )


def ask_phone() -> str:
    return " Unter welcher Telefonnummer und wann erreichen wir Sie am besten?"


OTHER_CASE = (
    "Ich kann Ihnen nur zu dem Vorgang Auskunft geben, mit dem Sie angemeldet sind ({ref}). "
    "Für einen anderen Vorgang melden Sie sich bitte mit dessen Aktenzeichen und Zugangscode an."
)

ASK_ADDRESS = (
    "Wie lautet Ihre neue Anschrift? Bitte schreiben Sie Straße und Hausnummer, Postleitzahl "
    "und Ort, zum Beispiel „Lindenstraße 12, 10115 Berlin“."
)


def address_recorded(street: str, postcode: str, city: str) -> str:
    return (
        f"Danke! Ich habe Ihre neue Anschrift notiert: {street}, {postcode} {city}. Eine "
        "Mitarbeiterin oder ein Mitarbeiter prüft sie und übernimmt sie dann in Ihre Akte. "
        "Für die Anmeldung hier im Portal gilt bis dahin noch die Postleitzahl aus unserem "
        "Schreiben."
    )


CHANNEL_WORDS = {"letter": "Brief", "email": "E-Mail", "sms": "SMS", "call": "Anruf"}


def contact_recorded(channels: list[str], hours: tuple[int, int] | None, extra: str) -> str:
    names = ", ".join(CHANNEL_WORDS[c] for c in channels)
    when = f" zwischen {hours[0]} und {hours[1]} Uhr" if hours and hours != (0, 24) else ""
    text = f"Notiert: Wir melden uns bei Ihnen nur noch per {names}{when}."
    if "letter" not in channels:
        text += " Wichtige Schreiben können wir Ihnen weiterhin per Post schicken."
    return text + extra


ASK_CONTACT = (
    "Wie möchten Sie von uns hören – per Brief, E-Mail, SMS oder Anruf – und zu welchen "
    "Uhrzeiten? Sie können das auch unter „Kontaktwunsch“ einstellen."
)
NO_WHATSAPP = (
    " WhatsApp nutzen wir nicht; gern aber E-Mail oder SMS – schreiben Sie mir, was Ihnen "
    "lieber ist."
)
