"""Texts of the pages, German first with English available.

The language comes from ``?lang=de|en`` (remembered in a cookie), else the cookie, else
German. Templates call ``t("key")``; a missing English text falls back to German, a missing
key shows the key itself so that it is noticed.

>>> translate("de", "nav.login"), translate("en", "nav.login")
('Anmelden', 'Sign in')
"""

from __future__ import annotations

LANGUAGES = ("de", "en")
DEFAULT = "de"

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "app.tagline": "Forderungsmanagement, das rechnen kann – und Menschen entscheiden lässt.",
        "nav.skip": "Zum Inhalt springen",
        "nav.home": "Start",
        "nav.login": "Anmelden",
        "nav.logout": "Abmelden",
        "nav.portal": "Schuldnerportal",
        "nav.register": "Als Mandant registrieren",
        "nav.work": "Arbeitsliste",
        "nav.portfolio": "Portfolio",
        "nav.language": "English",
        "home.title": "mahnwerk",
        "home.intro": (
            "Offene Forderungen fair und genau einziehen: vom ersten Erinnerungsschreiben bis "
            "zur Zwangsvollstreckung, mit Zinsen und Kosten auf den Cent und jeder Zahl "
            "nachvollziehbar."
        ),
        "home.debtor": "Sie haben Post von uns bekommen?",
        "home.debtor.text": (
            "Im Schuldnerportal sehen Sie mit dem Zugangscode aus Ihrem Schreiben, was offen ist "
            "und warum – und können zahlen, Raten vorschlagen oder widersprechen."
        ),
        "home.staff": "Mitarbeitende und Mandanten",
        "home.staff.text": "Anmeldung für Sachbearbeitung, Teamleitung, Compliance und Mandanten.",
        "home.creditor": "Neuer Mandant?",
        "home.creditor.text": "Registrieren Sie Ihr Unternehmen; wir schalten den Zugang nach Prüfung frei.",
        "login.title": "Anmelden",
        "login.email": "E-Mail-Adresse",
        "login.password": "Passwort",
        "login.submit": "Anmelden",
        "login.failed": "E-Mail-Adresse oder Passwort stimmen nicht.",
        "login.locked": "Zu viele Versuche. Bitte warten Sie einige Minuten.",
        "error.title": "Fehler",
        "error.not_found": "Diese Seite gibt es nicht oder Sie dürfen sie nicht sehen.",
        "error.csrf": "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu.",
        "footer.text": "mahnwerk – quelloffen, selbst betreibbar.",
    },
    "en": {
        "app.tagline": "Receivables management that gets the numbers right – and lets people decide.",
        "nav.skip": "Skip to content",
        "nav.home": "Home",
        "nav.login": "Sign in",
        "nav.logout": "Sign out",
        "nav.portal": "Debtor portal",
        "nav.register": "Register as a creditor",
        "nav.work": "Work queue",
        "nav.portfolio": "Portfolio",
        "nav.language": "Deutsch",
        "home.title": "mahnwerk",
        "home.intro": (
            "Collect overdue receivables fairly and exactly: from the first reminder to "
            "enforcement, with interest and costs right to the cent and every figure explained."
        ),
        "home.debtor": "Did you receive a letter from us?",
        "home.debtor.text": (
            "In the debtor portal you see, with the access code from your letter, what is owed "
            "and why – and can pay, propose instalments or dispute."
        ),
        "home.staff": "Staff and creditors",
        "home.staff.text": "Sign in for agents, team leads, compliance and creditors.",
        "home.creditor": "New creditor?",
        "home.creditor.text": "Register your company; we activate access after a review.",
        "login.title": "Sign in",
        "login.email": "E-mail address",
        "login.password": "Password",
        "login.submit": "Sign in",
        "login.failed": "E-mail address or password is wrong.",
        "login.locked": "Too many attempts. Please wait a few minutes.",
        "error.title": "Error",
        "error.not_found": "This page does not exist or you may not see it.",
        "error.csrf": "The form has expired. Please reload the page.",
        "footer.text": "mahnwerk – open source, self-hosted.",
    },
}


def translate(lang: str, key: str) -> str:
    texts = TEXTS.get(lang, TEXTS[DEFAULT])
    return texts.get(key) or TEXTS[DEFAULT].get(key) or key


# ------------------------------------------------------------- agent workspace, creditor view

_STAGES_DE = {
    "new": "Neu",
    "reminder": "Zahlungserinnerung",
    "dunning_1": "1. Mahnung",
    "dunning_2": "2. Mahnung",
    "final_notice": "Letzte Mahnung",
    "court_handover": "Gerichtliches Mahnverfahren",
    "enforcement": "Zwangsvollstreckung",
    "monitoring": "Langzeitüberwachung",
    "write_off": "Ausbuchung",
    "credit_bureau_report": "Meldung an Auskunftei",
}
_STAGES_EN = {
    "new": "New",
    "reminder": "Reminder",
    "dunning_1": "1st dunning letter",
    "dunning_2": "2nd dunning letter",
    "final_notice": "Final notice",
    "court_handover": "Court dunning procedure",
    "enforcement": "Enforcement",
    "monitoring": "Long-term monitoring",
    "write_off": "Write-off",
    "credit_bureau_report": "Credit bureau report",
}
_EVENTS_DE = {
    "case.created": "Fall angelegt",
    "stage.changed": "Stufe geändert",
    "payment.received": "Zahlung eingegangen",
    "dispute.opened": "Widerspruch erfasst",
    "dispute.resolved": "Widerspruch erledigt",
    "case.recalled": "Vom Mandanten zurückgerufen",
    "case.closed": "Fall abgeschlossen",
    "dunning.step": "Mahnschritt",
    "message.sent": "Nachricht versandt",
    "message.failed": "Nachricht fehlgeschlagen",
    "message.skipped": "Nachricht zurückgestellt",
    "approval.requested": "Freigabe angefragt",
    "approval.approved": "Freigegeben",
    "approval.rejected": "Freigabe abgelehnt",
    "plan.agreed": "Zahlungsvereinbarung",
    "plan.broken": "Zahlungsvereinbarung nicht eingehalten",
    "plan.completed": "Zahlungsvereinbarung erfüllt",
    "flag.set": "Markierung gesetzt",
    "flag.cleared": "Markierung aufgehoben",
    "call.logged": "Telefonat",
    "document.letter": "Brief",
    "document.email": "E-Mail",
    "document.sms": "SMS",
    "document.upload": "Hochgeladenes Dokument",
}
_EVENTS_EN = {
    "case.created": "Case created",
    "stage.changed": "Stage changed",
    "payment.received": "Payment received",
    "dispute.opened": "Dispute opened",
    "dispute.resolved": "Dispute resolved",
    "case.recalled": "Recalled by the creditor",
    "case.closed": "Case closed",
    "dunning.step": "Dunning step",
    "message.sent": "Message sent",
    "message.failed": "Message failed",
    "message.skipped": "Message deferred",
    "approval.requested": "Approval requested",
    "approval.approved": "Approved",
    "approval.rejected": "Approval rejected",
    "plan.agreed": "Payment agreement",
    "plan.broken": "Payment agreement broken",
    "plan.completed": "Payment agreement fulfilled",
    "flag.set": "Flag set",
    "flag.cleared": "Flag cleared",
    "call.logged": "Phone call",
    "document.letter": "Letter",
    "document.email": "E-mail",
    "document.sms": "Text message",
    "document.upload": "Uploaded document",
}

TEXTS["de"].update(
    {f"work.stage.{k}": v for k, v in _STAGES_DE.items()}
    | {f"work.event.{k}": v for k, v in _EVENTS_DE.items()}
    | {
        "work.queue.title": "Arbeitsliste",
        "work.queue.intro": (
            "Was heute zählt: fällige Zahlungsversprechen, Schuldner, die jetzt erreichbar sein "
            "wollen, und hohe offene Beträge zuerst."
        ),
        "work.queue.filter": "Arbeitsliste filtern",
        "work.queue.kind": "Art",
        "work.queue.creditor": "Mandant",
        "work.queue.all": "Alle",
        "work.queue.apply": "Anzeigen",
        "work.queue.items": "Offene Vorgänge",
        "work.queue.caption": "Offene Vorgänge, wichtigste zuerst",
        "work.queue.why": "Grund",
        "work.queue.action": "Aktion",
        "work.queue.open": "Öffnen",
        "work.queue.empty": "Nichts zu tun – die Liste ist leer.",
        "work.queue.due_today": "heute fällig",
        "work.queue.call_now": "jetzt erreichbar",
        "work.kind.phone": "Anruf",
        "work.kind.approval": "Freigabe",
        "work.kind.bank": "Zahlung prüfen",
        "work.kind.dispute": "Widerspruch",
        "work.kind.address": "Post zurück / Anschrift",
        "work.kind.plan": "Zahlungsvereinbarung",
        "work.kind.review": "Prüfen",
        "work.case": "Akte",
        "work.debtor": "Schuldner",
        "work.creditor": "Mandant",
        "work.external_ref": "Zeichen des Mandanten",
        "work.open_amount": "Offen",
        "work.score": "Score",
        "work.born": "geb.",
        "work.consumer": "Verbraucher",
        "work.business": "Unternehmer",
        "work.addresses": "Anschriften",
        "work.contacts": "Kontaktdaten",
        "work.contact.email": "E-Mail",
        "work.contact.phone": "Telefon",
        "work.contact.mobile": "Mobil",
        "work.consent": "Einwilligung",
        "work.contact_status": "Status",
        "work.contact_status.valid": "gültig",
        "work.contact_status.bounced": "unzustellbar",
        "work.source": "Quelle",
        "work.from": "ab",
        "work.until": "bis",
        "work.current": "aktuell",
        "work.yes": "ja",
        "work.no": "nein",
        "work.none": "Keine.",
        "work.optional": "optional",
        "work.cancel": "Abbrechen",
        "work.preference": "Wunsch des Schuldners",
        "work.hours": "Uhr",
        "work.date": "Datum",
        "work.amount": "Betrag",
        "work.open_document": "öffnen",
        "work.open_work": "Offene Arbeit",
        "work.approvals": "Freigaben",
        "work.approval.reason": "Begründung (Pflicht, wird protokolliert)",
        "work.approval.approve": "Freigeben",
        "work.approval.reject": "Ablehnen",
        "work.approval_status.pending": "wartet",
        "work.approval_status.approved": "freigegeben",
        "work.approval_status.rejected": "abgelehnt",
        "work.approval_status.cancelled": "aufgehoben (Rückruf)",
        "work.tasks": "Aufgaben",
        "work.task.done": "erledigt",
        "work.task.phone_call": "Anruf",
        "work.task.address_inquiry": "Anschriftenermittlung",
        "work.task.review_flag": "Prüfung",
        "work.task.monitoring": "Überwachung",
        "work.plans": "Zahlungsvereinbarungen",
        "work.plan_kind.plan": "Ratenzahlung",
        "work.plan_kind.promise": "Zahlungsversprechen",
        "work.plan_status.active": "aktiv",
        "work.plan_status.replaced": "ersetzt",
        "work.plan_status.broken": "nicht eingehalten",
        "work.plan_status.completed": "erfüllt",
        "work.status.open": "offen",
        "work.status.closed": "abgeschlossen",
        "work.status.recalled": "zurückgerufen",
        "work.actions": "Aktionen",
        "work.calls": "Telefonate",
        "work.timeline": "Verlauf",
        "work.call.start": "Anruf starten",
        "work.call.title": "Telefonat",
        "work.call.owed": "Was offen ist und warum",
        "work.call.last_time": "Beim letzten Mal",
        "work.call.offer": "Was wir anbieten können",
        "work.call.offer_text": (
            "Ratenzahlung über höchstens {months} Monate, Mindestrate {min}. "
            "Kleinste mögliche Monatsrate heute: {smallest}."
        ),
        "work.call.legal": "Pflichthinweise – bitte vorlesen",
        "work.call.plan_costs": "Kosten einer Ratenzahlung (§ 13a Abs. 3 RDG)",
        "work.call.acknowledgement": "Vor einem Schuldanerkenntnis (§ 13a Abs. 4 RDG)",
        "work.call.log": "Ergebnis des Telefonats",
        "work.call.outcome": "Ergebnis",
        "work.call.note": "Was der Schuldner gesagt hat (intern)",
        "work.call.next_step": "Nächster Schritt",
        "work.call.next_step_on": "Wiedervorlage am",
        "work.call.save": "Telefonat speichern",
        "work.call.whole_case": "Ganze Akte öffnen",
        "work.outcome.reached": "erreicht",
        "work.outcome.not_reached": "nicht erreicht",
        "work.outcome.wrong_number": "falsche Nummer",
        "work.outcome.promise": "Zahlungsversprechen",
        "work.outcome.plan": "Ratenzahlung",
        "work.outcome.dispute": "Widerspruch",
        "work.outcome.callback": "Rückruf vereinbart",
        "work.promise": "Zahlungsversprechen",
        "work.promise.date": "Zahlung bis",
        "work.promise.save": "Versprechen speichern",
        "work.plan": "Ratenzahlung",
        "work.plan.instalment": "Monatsrate",
        "work.plan.count": "Anzahl Raten",
        "work.plan.start": "Erste Rate am",
        "work.plan.check": "Kosten anzeigen und prüfen",
        "work.plan.notice_first": (
            "Vor dem Speichern zeigen wir die Kosten der Ratenzahlung nach § 13a Abs. 3 RDG, "
            "die Sie dem Schuldner mitteilen müssen."
        ),
        "work.plan.confirm": "Ratenzahlung bestätigen",
        "work.plan.notice_title": "Kostenhinweis nach § 13a Abs. 3 RDG",
        "work.plan.save": "Hinweis gegeben – Ratenzahlung speichern",
        "work.flag.set": "Widerspruch oder Markierung",
        "work.flag.kind": "Art",
        "work.flag.note": "Grund / Notiz",
        "work.flag.save": "Setzen",
        "work.flag.clear": "aufheben",
        "work.flag.dispute": "Widerspruch",
        "work.flag.hardship": "Härtefall",
        "work.flag.do_not_contact": "Kontaktsperre",
        "work.flag.insolvency": "Insolvenz",
        "work.flag.deceased": "verstorben",
        "work.flag.letter_returned": "Brief unzustellbar",
        "work.dispute.resolution": "Ergebnis der Prüfung",
        "work.dispute.resolve": "Widerspruch erledigen",
        "work.done.call": "Telefonat gespeichert.",
        "work.done.call_promise": "Telefonat und Zahlungsversprechen gespeichert.",
        "work.done.promise": "Zahlungsversprechen gespeichert.",
        "work.done.plan": "Ratenzahlung gespeichert.",
        "work.done.flag": "Gespeichert: Die Mahnung richtet sich danach.",
        "work.done.flag_cleared": "Markierung aufgehoben.",
        "work.done.dispute_resolved": "Widerspruch erledigt.",
        "work.done.approved": "Freigegeben. Der Fall ist in die neue Stufe gewechselt.",
        "work.done.rejected": "Abgelehnt.",
        "work.done.task": "Aufgabe erledigt.",
        "work.done.bank": "Zahlung gebucht.",
        "work.bank": "Zahlungen zu prüfen",
        "work.bank.proposal": "Vorschlag",
        "work.bank.confirm": "Vorschlag buchen",
        "work.bank.correct": "Ganz auf diese Akte buchen",
        "work.statement.title": "Forderungsaufstellung",
        "work.statement.claims": "Forderungen",
        "work.statement.claim": "Rechnung",
        "work.statement.principal": "Hauptforderung",
        "work.statement.interest_terms": "Zinsen",
        "work.statement.interest": "Zinsen",
        "work.statement.from": "ab",
        "work.statement.principal_open": "Hauptforderung offen",
        "work.statement.interest_open": "Zinsen offen",
        "work.statement.costs_open": "Kosten offen",
        "work.statement.total_open": "Gesamtforderung",
        "work.statement.credit": "Guthaben",
        "work.statement.periods": "Zinszeiträume",
        "work.statement.period": "Zeitraum",
        "work.statement.days": "Tage",
        "work.statement.rate": "Zinssatz",
        "work.statement.base": "Betrag",
        "work.statement.costs": "Kosten",
        "work.statement.cost": "Kostenposition",
        "work.statement.paid": "bezahlt",
        "work.statement.open": "offen",
        "work.statement.payments": "Zahlungen und ihre Verrechnung",
        "work.statement.to_costs": "auf Kosten",
        "work.statement.to_interest": "auf Zinsen",
        "work.statement.to_principal": "auf Hauptforderung",
        "work.statement.unapplied": "nicht verrechnet",
        "work.statement.totals": "Summen zum",
        "creditor.title": "Portfolio",
        "creditor.cases": "Fälle",
        "creditor.collected": "Eingezogen",
        "creditor.open": "Offen",
        "creditor.written_off": "Ausgebucht",
        "creditor.by_stage": "Fälle nach Stufe",
        "creditor.stage": "Stufe",
        "creditor.status": "Status",
        "creditor.over_time": "Verlauf der letzten 12 Monate",
        "creditor.chart_months": "Eingezogene Beträge (Balken) und übergebene Fälle (Linie) je Monat",
        "creditor.table_below": "Zahlen in der Tabelle darunter",
        "creditor.as_table": "Als Tabelle anzeigen",
        "creditor.month": "Monat",
        "creditor.handed_over": "Übergebene Fälle",
        "creditor.downloads": "Downloads",
        "creditor.csv": "Portfolio als CSV (Excel)",
        "creditor.settlements_soon": "Abrechnungen erscheinen hier, sobald Auszahlungen erfolgt sind.",
        "creditor.case_list": "Ihre Fälle",
        "creditor.filter": "Fälle filtern",
        "creditor.more": "Weitere Fälle",
        "creditor.statement_text": "Forderungsaufstellung (Text)",
        "creditor.statement_json": "Forderungsaufstellung (JSON)",
    }
)
TEXTS["en"].update(
    {f"work.stage.{k}": v for k, v in _STAGES_EN.items()}
    | {f"work.event.{k}": v for k, v in _EVENTS_EN.items()}
    | {
        "work.queue.title": "Work queue",
        "work.queue.intro": (
            "What matters today: promises due today, debtors who want to be called now, and "
            "large open amounts first."
        ),
        "work.queue.filter": "Filter the work queue",
        "work.queue.kind": "Kind",
        "work.queue.creditor": "Creditor",
        "work.queue.all": "All",
        "work.queue.apply": "Show",
        "work.queue.items": "Open items",
        "work.queue.caption": "Open items, most important first",
        "work.queue.why": "Reason",
        "work.queue.action": "Action",
        "work.queue.open": "Open",
        "work.queue.empty": "Nothing to do – the queue is empty.",
        "work.queue.due_today": "due today",
        "work.queue.call_now": "reachable now",
        "work.kind.phone": "Call",
        "work.kind.approval": "Approval",
        "work.kind.bank": "Payment to review",
        "work.kind.dispute": "Dispute",
        "work.kind.address": "Returned mail / address",
        "work.kind.plan": "Payment agreement",
        "work.kind.review": "Review",
        "work.case": "Case",
        "work.debtor": "Debtor",
        "work.creditor": "Creditor",
        "work.external_ref": "Creditor's reference",
        "work.open_amount": "Open",
        "work.score": "Score",
        "work.born": "born",
        "work.consumer": "consumer",
        "work.business": "business",
        "work.addresses": "Addresses",
        "work.contacts": "Contact details",
        "work.contact.email": "E-mail",
        "work.contact.phone": "Phone",
        "work.contact.mobile": "Mobile",
        "work.consent": "Consent",
        "work.contact_status": "Status",
        "work.contact_status.valid": "valid",
        "work.contact_status.bounced": "undeliverable",
        "work.source": "Source",
        "work.from": "from",
        "work.until": "until",
        "work.current": "current",
        "work.yes": "yes",
        "work.no": "no",
        "work.none": "None.",
        "work.optional": "optional",
        "work.cancel": "Cancel",
        "work.preference": "Debtor's preference",
        "work.hours": "h",
        "work.date": "Date",
        "work.amount": "Amount",
        "work.open_document": "open",
        "work.open_work": "Open work",
        "work.approvals": "Approvals",
        "work.approval.reason": "Reason (required, recorded)",
        "work.approval.approve": "Approve",
        "work.approval.reject": "Reject",
        "work.approval_status.pending": "waiting",
        "work.approval_status.approved": "approved",
        "work.approval_status.rejected": "rejected",
        "work.approval_status.cancelled": "cancelled (recalled)",
        "work.tasks": "Tasks",
        "work.task.done": "done",
        "work.plans": "Payment agreements",
        "work.plan_kind.plan": "Instalment plan",
        "work.plan_kind.promise": "Promise to pay",
        "work.status.open": "open",
        "work.status.closed": "closed",
        "work.status.recalled": "recalled",
        "work.actions": "Actions",
        "work.calls": "Calls",
        "work.timeline": "Timeline",
        "work.call.start": "Start call",
        "work.call.title": "Call",
        "work.call.owed": "What is owed and why",
        "work.call.last_time": "Last time",
        "work.call.offer": "What we can offer",
        "work.call.offer_text": (
            "Instalments over at most {months} months, minimum instalment {min}. "
            "Smallest possible monthly amount today: {smallest}."
        ),
        "work.call.legal": "Legal notes – please read out",
        "work.call.plan_costs": "Costs of an instalment plan (§ 13a (3) RDG)",
        "work.call.acknowledgement": "Before an acknowledgement of debt (§ 13a (4) RDG)",
        "work.call.log": "Outcome of the call",
        "work.call.outcome": "Outcome",
        "work.call.note": "What the debtor said (internal)",
        "work.call.next_step": "Next step",
        "work.call.next_step_on": "Follow up on",
        "work.call.save": "Save call",
        "work.call.whole_case": "Open the whole case",
        "work.outcome.reached": "reached",
        "work.outcome.not_reached": "not reached",
        "work.outcome.wrong_number": "wrong number",
        "work.outcome.promise": "promise to pay",
        "work.outcome.plan": "instalment plan",
        "work.outcome.dispute": "dispute",
        "work.outcome.callback": "call back",
        "work.promise": "Promise to pay",
        "work.promise.date": "Pay by",
        "work.promise.save": "Save promise",
        "work.plan": "Instalment plan",
        "work.plan.instalment": "Monthly instalment",
        "work.plan.count": "Number of instalments",
        "work.plan.start": "First instalment on",
        "work.plan.check": "Show costs and check",
        "work.plan.notice_first": (
            "Before saving we show the costs of the plan under § 13a (3) RDG, which you must "
            "tell the debtor."
        ),
        "work.plan.confirm": "Confirm instalment plan",
        "work.plan.notice_title": "Cost notice under § 13a (3) RDG",
        "work.plan.save": "Notice given – save the plan",
        "work.flag.set": "Dispute or flag",
        "work.flag.kind": "Kind",
        "work.flag.note": "Reason / note",
        "work.flag.save": "Set",
        "work.flag.clear": "clear",
        "work.flag.dispute": "Dispute",
        "work.flag.hardship": "Hardship",
        "work.flag.do_not_contact": "Do not contact",
        "work.flag.insolvency": "Insolvency",
        "work.flag.deceased": "deceased",
        "work.flag.letter_returned": "Letter returned",
        "work.dispute.resolution": "Result of the review",
        "work.dispute.resolve": "Resolve dispute",
        "work.done.call": "Call saved.",
        "work.done.call_promise": "Call and promise to pay saved.",
        "work.done.promise": "Promise to pay saved.",
        "work.done.plan": "Instalment plan saved.",
        "work.done.flag": "Saved: dunning follows it.",
        "work.done.flag_cleared": "Flag cleared.",
        "work.done.dispute_resolved": "Dispute resolved.",
        "work.done.approved": "Approved. The case has moved to the new stage.",
        "work.done.rejected": "Rejected.",
        "work.done.task": "Task done.",
        "work.done.bank": "Payment booked.",
        "work.bank": "Payments to review",
        "work.bank.proposal": "Proposal",
        "work.bank.confirm": "Book the proposal",
        "work.bank.correct": "Book all on this case",
        "work.statement.title": "Statement of account",
        "work.statement.claims": "Claims",
        "work.statement.claim": "Invoice",
        "work.statement.principal": "Principal",
        "work.statement.interest_terms": "Interest",
        "work.statement.interest": "Interest",
        "work.statement.from": "from",
        "work.statement.principal_open": "Principal open",
        "work.statement.interest_open": "Interest open",
        "work.statement.costs_open": "Costs open",
        "work.statement.total_open": "Total owed",
        "work.statement.credit": "Credit",
        "work.statement.periods": "Interest periods",
        "work.statement.period": "Period",
        "work.statement.days": "Days",
        "work.statement.rate": "Rate",
        "work.statement.base": "Amount",
        "work.statement.costs": "Costs",
        "work.statement.cost": "Cost item",
        "work.statement.paid": "paid",
        "work.statement.open": "open",
        "work.statement.payments": "Payments and their allocation",
        "work.statement.to_costs": "to costs",
        "work.statement.to_interest": "to interest",
        "work.statement.to_principal": "to principal",
        "work.statement.unapplied": "unapplied",
        "work.statement.totals": "Totals as of",
        "creditor.title": "Portfolio",
        "creditor.cases": "Cases",
        "creditor.collected": "Collected",
        "creditor.open": "Open",
        "creditor.written_off": "Written off",
        "creditor.by_stage": "Cases by stage",
        "creditor.stage": "Stage",
        "creditor.status": "Status",
        "creditor.over_time": "The last 12 months",
        "creditor.chart_months": "Amounts collected (bars) and cases handed over (line) per month",
        "creditor.table_below": "figures in the table below",
        "creditor.as_table": "Show as a table",
        "creditor.month": "Month",
        "creditor.handed_over": "Cases handed over",
        "creditor.downloads": "Downloads",
        "creditor.csv": "Portfolio as CSV (Excel)",
        "creditor.settlements_soon": "Settlements appear here once payouts have been made.",
        "creditor.case_list": "Your cases",
        "creditor.filter": "Filter cases",
        "creditor.more": "More cases",
        "creditor.statement_text": "Statement (text)",
        "creditor.statement_json": "Statement (JSON)",
    }
)


# ------------------------------------------------------------ debtor portal, registration

TEXTS["de"].update(
    {
        "portal.login.title": "Schuldnerportal",
        "portal.login.intro": (
            "Melden Sie sich mit den Angaben aus unserem Schreiben an. Sie sehen dann, was "
            "offen ist und warum, und können zahlen, Raten vorschlagen oder widersprechen."
        ),
        "portal.login.reference": "Aktenzeichen",
        "portal.login.reference.hint": "Steht oben rechts im Schreiben, z. B. MW-00000123-20.",
        "portal.login.code": "Zugangscode",
        "portal.login.code.hint": "Zwölf Zeichen aus dem Schreiben, z. B. K7QM-3XRT-9BHW.",
        "portal.login.postcode": "Ihre Postleitzahl",
        "portal.login.postcode.hint": "Die Postleitzahl der Anschrift, an die wir geschrieben haben.",
        "portal.login.submit": "Vorgang öffnen",
        "portal.login.failed": (
            "Aktenzeichen, Zugangscode oder Postleitzahl stimmen nicht. Bitte prüfen Sie Ihre "
            "Eingaben."
        ),
        "portal.login.locked": (
            "Zu viele Fehlversuche von diesem Anschluss. Bitte versuchen Sie es in 30 Minuten "
            "erneut, oder rufen Sie uns an."
        ),
        "portal.login.privacy": (
            "Ihre Angaben werden nur zur Anmeldung geprüft. Nach fünf Fehlversuchen sperren "
            "wir den Zugang von Ihrem Anschluss für 30 Minuten."
        ),
        "portal.login.continue": "Weiter zu Ihrem Vorgang",
        "portal.login.bye": "Sie sind abgemeldet.",
        "portal.nav.label": "Ihr Vorgang",
        "portal.nav.case": "Übersicht",
        "portal.nav.pay": "Jetzt zahlen",
        "portal.nav.plan": "Raten vorschlagen",
        "portal.nav.mandate": "Lastschrift erteilen",
        "portal.nav.report": "Widerspruch oder Härtefall",
        "portal.nav.contact": "Kontaktwunsch",
        "portal.nav.logout": "Abmelden",
        "portal.back": "Zurück zur Übersicht",
        "portal.errors.title": "Bitte korrigieren Sie:",
        "portal.case.title": "Ihr Vorgang",
        "portal.case.reference": "Aktenzeichen",
        "portal.case.creditor": "Gläubiger",
        "portal.case.total_on": "Offen am",
        "portal.case.why": (
            "{creditor} hat uns beauftragt, diese Forderung einzuziehen. Der Betrag setzt sich "
            "zusammen aus den Rechnungen, den Verzugszinsen und den Kosten – jede Zahl ist "
            "unten erklärt."
        ),
        "portal.case.disputed": (
            "Sie haben widersprochen. Wir mahnen nicht weiter, bis eine Person Ihren "
            "Widerspruch geprüft hat."
        ),
        "portal.case.hardship": (
            "Sie haben uns eine Notlage gemeldet. Eine Person meldet sich bei Ihnen."
        ),
        "portal.case.plan_active": "Vereinbarte Ratenzahlung:",
        "portal.case.claims": "Wofür: die Forderungen",
        "portal.case.invoice": "Rechnung",
        "portal.case.reason": "Worum es geht",
        "portal.case.invoice_date": "Rechnungsdatum",
        "portal.case.default_from": "Im Verzug seit",
        "portal.case.amount": "Betrag",
        "portal.case.still_open": "Noch offen",
        "portal.case.interest": "Verzugszinsen",
        "portal.case.interest.explain": (
            "Wer nicht rechtzeitig zahlt, schuldet Verzugszinsen (§ 288 BGB). Sie laufen nur "
            "auf die Rechnungsbeträge, nie auf Zinsen oder Kosten, und werden je Zeitraum "
            "mit dem damals geltenden Zinssatz berechnet."
        ),
        "portal.case.period": "Zeitraum",
        "portal.case.days": "Tage",
        "portal.case.rate": "Zinssatz",
        "portal.case.on_amount": "auf Betrag",
        "portal.case.interest_amount": "Zinsen",
        "portal.case.interest_sum": "Zinsen insgesamt",
        "portal.case.interest_paid": "davon schon bezahlt",
        "portal.case.no_interest": "Für diese Rechnung werden keine Zinsen berechnet.",
        "portal.case.costs": "Kosten",
        "portal.case.date": "Datum",
        "portal.case.cost": "Kosten",
        "portal.case.cost_reason": "Warum",
        "portal.case.no_costs": "Es sind keine Kosten angefallen.",
        "portal.case.payments": "Ihre Zahlungen",
        "portal.case.payments.explain": (
            "Zahlungen werden nach § 367 BGB zuerst auf die Kosten, dann auf die Zinsen und "
            "zuletzt auf die Rechnungsbeträge angerechnet."
        ),
        "portal.case.to_costs": "auf Kosten",
        "portal.case.to_interest": "auf Zinsen",
        "portal.case.to_principal": "auf Rechnungen",
        "portal.case.unapplied": "nicht verrechnet",
        "portal.case.no_payments": "Bisher ist keine Zahlung eingegangen.",
        "portal.case.totals": "Zusammen",
        "portal.case.principal_open": "Rechnungsbeträge offen",
        "portal.case.interest_open": "Zinsen offen",
        "portal.case.costs_open": "Kosten offen",
        "portal.case.total_open": "Gesamt offen",
        "portal.case.credit": "Guthaben (nicht verrechnet)",
        "portal.case.letters": "Unsere Schreiben an Sie",
        "portal.case.no_letters": "Noch keine Schreiben.",
        "portal.case.doc.letter": "Brief",
        "portal.case.doc.email": "E-Mail",
        "portal.case.of": "vom",
        "portal.case.options": "Was Sie tun können",
        "portal.case.opt.plan": "Sie können nicht alles auf einmal zahlen? Schlagen Sie Raten vor.",
        "portal.case.opt.mandate": "Raten bequem per Lastschrift einziehen lassen.",
        "portal.case.opt.dispute": (
            "Die Forderung stimmt nicht? Widersprechen Sie – wir mahnen dann nicht weiter, "
            "bis ein Mensch es geprüft hat."
        ),
        "portal.case.opt.hardship": "Sie sind in einer Notlage? Sagen Sie es uns.",
        "portal.case.opt.contact": "Wie und wann wir Sie erreichen sollen.",
        "portal.pay.title": "Jetzt zahlen",
        "portal.pay.intro": (
            "Überweisen Sie bitte den offenen Betrag mit dem Aktenzeichen als "
            "Verwendungszweck. Mit der Banking-App können Sie den QR-Code scannen."
        ),
        "portal.pay.holder": "Empfänger",
        "portal.pay.amount": "Betrag",
        "portal.pay.reference": "Verwendungszweck",
        "portal.pay.qr_label": "QR-Code für die Überweisung (GiroCode)",
        "portal.pay.qr_caption": "GiroCode: Betrag und Verwendungszweck sind schon ausgefüllt.",
        "portal.pay.payload": "Inhalt des QR-Codes zum Abtippen",
        "portal.pay.nothing": "Es ist nichts mehr offen. Vielen Dank!",
        "portal.pay.no_bank": (
            "Die Bankverbindung steht in unserem Schreiben; rufen Sie uns gern an."
        ),
        "portal.plan.title": "Raten vorschlagen",
        "portal.plan.intro": "Offen sind heute",
        "portal.plan.limits": (
            "Sofort angenommen werden Raten ab {min} im Monat und höchstens {months} "
            "Monatsraten; andere Vorschläge prüft eine Person."
        ),
        "portal.plan.no_limits": "Ihr Vorschlag wird von einer Person geprüft.",
        "portal.plan.amount": "Monatliche Rate in Euro",
        "portal.plan.start": "Erste Rate am",
        "portal.plan.start.hint": "Spätestens in 30 Tagen.",
        "portal.plan.preview": "Weiter: Kosten ansehen",
        "portal.plan.confirm.title": "Ihr Ratenvorschlag und seine Kosten",
        "portal.plan.total": "Offener Betrag heute",
        "portal.plan.monthly": "Monatliche Rate",
        "portal.plan.count": "Anzahl der Raten",
        "portal.plan.last": "letzte Rate",
        "portal.plan.first": "Erste Rate am",
        "portal.plan.end": "Letzte Rate am",
        "portal.plan.instalments": "Raten",
        "portal.plan.costs.title": "Kosten der Ratenzahlung (§ 13a Abs. 3 RDG)",
        "portal.plan.costs.fee": "Höchstens entstehende Einigungsgebühr einschließlich Auslagen:",
        "portal.plan.will_accept": (
            "Ihr Vorschlag liegt innerhalb der Grenzen des Gläubigers und gilt sofort, wenn "
            "Sie zustimmen."
        ),
        "portal.plan.will_review": (
            "Ihr Vorschlag liegt außerhalb der Grenzen, die sofort angenommen werden. Eine "
            "Person prüft ihn und meldet sich bei Ihnen."
        ),
        "portal.plan.costs_read": "Ich habe die Kosten der Ratenzahlung gelesen.",
        "portal.plan.agree": "Ratenzahlung verbindlich vorschlagen",
        "portal.plan.change": "Vorschlag ändern",
        "portal.plan.accepted": "Ihre Ratenzahlung ist vereinbart.",
        "portal.plan.accepted.detail": (
            "Bitte zahlen Sie {count} Raten zu {amount} monatlich, die erste am {start}. "
            "Solange Sie die Raten zahlen, mahnen wir nicht."
        ),
        "portal.plan.offer_mandate": "Raten per Lastschrift einziehen lassen",
        "portal.plan.queued": (
            "Danke! Ihr Vorschlag ist bei uns eingegangen. Eine Person prüft ihn und meldet "
            "sich bei Ihnen."
        ),
        "portal.plan.error.amount": "Bitte geben Sie die Rate als Betrag ein, z. B. 50,00.",
        "portal.plan.error.start": "Bitte geben Sie das Datum der ersten Rate ein.",
        "portal.plan.error.start_range": "Die erste Rate muss zwischen heute und in 30 Tagen liegen.",
        "portal.plan.error.nothing_open": "Es ist nichts offen.",
        "portal.plan.error.costs_read": (
            "Bitte bestätigen Sie, dass Sie die Kosten der Ratenzahlung gelesen haben."
        ),
        "portal.mandate.title": "SEPA-Lastschriftmandat erteilen",
        "portal.mandate.intro": (
            "Wir ziehen die vereinbarten Raten von Ihrem Konto ein. Vor jeder Abbuchung "
            "kündigen wir sie an."
        ),
        "portal.mandate.holder": "Kontoinhaberin oder Kontoinhaber",
        "portal.mandate.iban.hint": "Steht auf Ihrer Bankkarte oder im Online-Banking.",
        "portal.mandate.text": "Mandatstext",
        "portal.mandate.consent": "Ich erteile dieses SEPA-Lastschriftmandat.",
        "portal.mandate.submit": "Mandat erteilen",
        "portal.mandate.done": "Danke! Mandat {ref} für das Konto {iban} ist erteilt.",
        "portal.mandate.error.iban": "Diese IBAN ist nicht gültig. Bitte prüfen Sie sie.",
        "portal.mandate.error.holder": "Bitte geben Sie den Namen der Kontoinhaberin oder des Kontoinhabers ein.",
        "portal.mandate.error.consent": "Bitte bestätigen Sie das Mandat mit dem Häkchen.",
        "portal.report.title": "Widerspruch oder Härtefall",
        "portal.report.intro": (
            "Schreiben Sie uns, was nicht stimmt oder was los ist. Bei einem Widerspruch "
            "mahnen wir sofort nicht weiter, bis eine Person ihn geprüft hat."
        ),
        "portal.report.kind": "Worum geht es?",
        "portal.report.dispute": "Widerspruch",
        "portal.report.dispute.hint": "die Forderung stimmt nicht oder ist schon bezahlt",
        "portal.report.hardship": "Härtefall",
        "portal.report.hardship.hint": "Krankheit, Arbeitslosigkeit oder eine andere Notlage",
        "portal.report.reason": "Ihre Begründung",
        "portal.report.upload": "Beleg (freiwillig)",
        "portal.report.upload.hint": "PDF, JPEG oder PNG, höchstens 5 MB.",
        "portal.report.submit": "Absenden",
        "portal.report.done.dispute": (
            "Ihr Widerspruch ist eingegangen. Wir mahnen nicht weiter; eine Person prüft ihn."
        ),
        "portal.report.done.hardship": (
            "Danke, dass Sie uns Bescheid gegeben haben. Eine Person meldet sich bei Ihnen."
        ),
        "portal.report.error.kind": "Bitte wählen Sie Widerspruch oder Härtefall.",
        "portal.report.error.reason": "Bitte schreiben Sie kurz Ihre Begründung.",
        "portal.report.error.reason_long": "Die Begründung ist zu lang (höchstens 900 Zeichen).",
        "portal.report.error.too_large": "Die Datei ist größer als 5 MB.",
        "portal.report.error.type": "Bitte laden Sie ein PDF, JPEG oder PNG hoch.",
        "portal.contact.title": "Wie und wann wir Sie erreichen",
        "portal.contact.intro": (
            "Sagen Sie uns, auf welchem Weg und zu welchen Uhrzeiten wir uns melden sollen. "
            "Unsere Mahnläufe halten sich daran."
        ),
        "portal.contact.channel": "Am liebsten per",
        "portal.contact.ch.letter": "Brief",
        "portal.contact.ch.email": "E-Mail",
        "portal.contact.ch.sms": "SMS",
        "portal.contact.ch.call": "Anruf",
        "portal.contact.hours": "Zu diesen Uhrzeiten",
        "portal.contact.from": "von",
        "portal.contact.to": "bis",
        "portal.contact.submit": "Speichern",
        "portal.contact.saved": "Gespeichert. Wir melden uns nur noch so bei Ihnen.",
        "portal.contact.error.channel": "Bitte wählen Sie einen Weg.",
        "portal.contact.error.hours": "Die Uhrzeit „von“ muss vor „bis“ liegen.",
        "register.title": "Als Mandant registrieren",
        "register.intro": (
            "Registrieren Sie Ihr Unternehmen. Nach der Bestätigung Ihrer E-Mail-Adresse "
            "prüfen wir Ihre Angaben und schalten den Zugang frei."
        ),
        "register.company": "Unternehmen",
        "register.contact_name": "Ansprechpartnerin oder Ansprechpartner",
        "register.email": "E-Mail-Adresse",
        "register.password": "Passwort",
        "register.password.hint": "Mindestens 10 Zeichen.",
        "register.terms": (
            "Ich akzeptiere die Nutzungsbedingungen und die Hinweise zum Datenschutz."
        ),
        "register.submit": "Registrieren",
        "register.after": (
            "Ihr Zugang bleibt gesperrt, bis wir ihn nach Prüfung freigeschaltet haben."
        ),
        "register.error.company": "Bitte geben Sie den Namen des Unternehmens ein.",
        "register.error.contact_name": "Bitte geben Sie eine Ansprechperson an.",
        "register.error.email": "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
        "register.error.email_taken": "Für diese E-Mail-Adresse gibt es schon einen Zugang.",
        "register.error.password": "Das Passwort braucht mindestens 10 Zeichen.",
        "register.error.terms": "Bitte akzeptieren Sie die Nutzungsbedingungen.",
        "register.error.too_many": "Zu viele Registrierungen. Bitte versuchen Sie es später.",
        "register.done.title": "Fast geschafft",
        "register.done.sent": (
            "Wir haben Ihnen eine E-Mail an {email} geschickt. Bitte bestätigen Sie Ihre "
            "Adresse mit dem Link darin (48 Stunden gültig)."
        ),
        "register.done.failed": (
            "Ihre Registrierung ist gespeichert, aber die E-Mail konnte nicht verschickt "
            "werden. Bitte melden Sie sich bei uns."
        ),
        "register.done.no_mail": (
            "Ihre Registrierung ist gespeichert. Der Versand von E-Mails ist nicht "
            "eingerichtet; wir melden uns bei Ihnen."
        ),
        "register.confirm.title": "E-Mail-Adresse bestätigen",
        "register.confirm.confirmed": "Danke! Ihre E-Mail-Adresse ist bestätigt.",
        "register.confirm.already": "Ihre E-Mail-Adresse war schon bestätigt.",
        "register.confirm.expired": (
            "Der Link ist abgelaufen (48 Stunden). Bitte registrieren Sie sich erneut oder "
            "melden Sie sich bei uns."
        ),
        "register.confirm.unknown": "Dieser Link ist ungültig.",
        "register.login.unconfirmed": (
            "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse mit dem Link aus unserer E-Mail."
        ),
        "register.login.pending": (
            "Ihr Zugang ist noch nicht freigeschaltet. Wir prüfen Ihre Registrierung und "
            "melden uns bei Ihnen."
        ),
    }
)

TEXTS["en"].update(
    {
        "portal.login.title": "Debtor portal",
        "portal.login.intro": (
            "Sign in with the details from our letter. You will see what is owed and why, "
            "and you can pay, propose instalments or dispute."
        ),
        "portal.login.reference": "Case reference",
        "portal.login.reference.hint": "Printed top right in the letter, e.g. MW-00000123-20.",
        "portal.login.code": "Access code",
        "portal.login.code.hint": "Twelve characters from the letter, e.g. K7QM-3XRT-9BHW.",
        "portal.login.postcode": "Your postcode",
        "portal.login.postcode.hint": "The postcode of the address we wrote to.",
        "portal.login.submit": "Open my case",
        "portal.login.failed": (
            "Case reference, access code or postcode do not match. Please check your entries."
        ),
        "portal.login.locked": (
            "Too many failed attempts from this connection. Please try again in 30 minutes, or "
            "call us."
        ),
        "portal.login.privacy": (
            "Your entries are only checked for signing in. After five failed attempts access "
            "from your connection is locked for 30 minutes."
        ),
        "portal.login.continue": "Continue to your case",
        "portal.login.bye": "You are signed out.",
        "portal.nav.label": "Your case",
        "portal.nav.case": "Overview",
        "portal.nav.pay": "Pay now",
        "portal.nav.plan": "Propose instalments",
        "portal.nav.mandate": "Direct debit",
        "portal.nav.report": "Dispute or hardship",
        "portal.nav.contact": "Contact preference",
        "portal.nav.logout": "Sign out",
        "portal.back": "Back to the overview",
        "portal.errors.title": "Please correct:",
        "portal.case.title": "Your case",
        "portal.case.reference": "Case reference",
        "portal.case.creditor": "Creditor",
        "portal.case.total_on": "Owed on",
        "portal.case.why": (
            "{creditor} has instructed us to collect this claim. The amount is made up of the "
            "invoices, default interest and costs – every figure is explained below."
        ),
        "portal.case.disputed": (
            "You have disputed the claim. We send no further reminders until a person has "
            "reviewed your dispute."
        ),
        "portal.case.hardship": "You told us about hardship. A person will contact you.",
        "portal.case.plan_active": "Agreed payment plan:",
        "portal.case.claims": "What for: the claims",
        "portal.case.invoice": "Invoice",
        "portal.case.reason": "What it is about",
        "portal.case.invoice_date": "Invoice date",
        "portal.case.default_from": "In default since",
        "portal.case.amount": "Amount",
        "portal.case.still_open": "Still owed",
        "portal.case.interest": "Default interest",
        "portal.case.interest.explain": (
            "Late payment incurs default interest (§ 288 BGB). It runs only on the invoice "
            "amounts, never on interest or costs, at the rate valid in each period."
        ),
        "portal.case.period": "Period",
        "portal.case.days": "Days",
        "portal.case.rate": "Rate",
        "portal.case.on_amount": "on amount",
        "portal.case.interest_amount": "Interest",
        "portal.case.interest_sum": "Interest in total",
        "portal.case.interest_paid": "of which paid",
        "portal.case.no_interest": "No interest is charged on this invoice.",
        "portal.case.costs": "Costs",
        "portal.case.date": "Date",
        "portal.case.cost": "Cost",
        "portal.case.cost_reason": "Why",
        "portal.case.no_costs": "No costs have arisen.",
        "portal.case.payments": "Your payments",
        "portal.case.payments.explain": (
            "Payments are applied first to costs, then to interest and last to the invoice "
            "amounts (§ 367 BGB)."
        ),
        "portal.case.to_costs": "to costs",
        "portal.case.to_interest": "to interest",
        "portal.case.to_principal": "to invoices",
        "portal.case.unapplied": "not applied",
        "portal.case.no_payments": "No payment has been received yet.",
        "portal.case.totals": "In total",
        "portal.case.principal_open": "Invoice amounts owed",
        "portal.case.interest_open": "Interest owed",
        "portal.case.costs_open": "Costs owed",
        "portal.case.total_open": "Total owed",
        "portal.case.credit": "Credit (not applied)",
        "portal.case.letters": "Our letters to you",
        "portal.case.no_letters": "No letters yet.",
        "portal.case.doc.letter": "Letter",
        "portal.case.doc.email": "E-mail",
        "portal.case.of": "of",
        "portal.case.options": "What you can do",
        "portal.case.opt.plan": "Cannot pay everything at once? Propose instalments.",
        "portal.case.opt.mandate": "Have instalments collected by direct debit.",
        "portal.case.opt.dispute": (
            "The claim is wrong? Dispute it – we stop reminders until a person has checked it."
        ),
        "portal.case.opt.hardship": "In financial hardship? Tell us.",
        "portal.case.opt.contact": "How and when we should reach you.",
        "portal.pay.title": "Pay now",
        "portal.pay.intro": (
            "Please transfer the amount owed with the case reference as payment reference. "
            "Your banking app can scan the QR code."
        ),
        "portal.pay.holder": "Payee",
        "portal.pay.amount": "Amount",
        "portal.pay.reference": "Payment reference",
        "portal.pay.qr_label": "QR code for the transfer (GiroCode)",
        "portal.pay.qr_caption": "GiroCode: amount and reference are filled in.",
        "portal.pay.payload": "Content of the QR code to type in",
        "portal.pay.nothing": "Nothing is owed any more. Thank you!",
        "portal.pay.no_bank": "The bank details are in our letter; feel free to call us.",
        "portal.plan.title": "Propose instalments",
        "portal.plan.intro": "Owed today",
        "portal.plan.limits": (
            "Accepted at once: instalments of at least {min} a month and at most {months} "
            "monthly instalments; a person reviews other proposals."
        ),
        "portal.plan.no_limits": "A person reviews your proposal.",
        "portal.plan.amount": "Monthly instalment in euro",
        "portal.plan.start": "First instalment on",
        "portal.plan.start.hint": "Within 30 days.",
        "portal.plan.preview": "Next: see the costs",
        "portal.plan.confirm.title": "Your proposal and its costs",
        "portal.plan.total": "Owed today",
        "portal.plan.monthly": "Monthly instalment",
        "portal.plan.count": "Number of instalments",
        "portal.plan.last": "last instalment",
        "portal.plan.first": "First instalment on",
        "portal.plan.end": "Last instalment on",
        "portal.plan.instalments": "instalments",
        "portal.plan.costs.title": "Costs of the payment plan (§ 13a (3) RDG)",
        "portal.plan.costs.fee": "Settlement fee at most, including expenses:",
        "portal.plan.will_accept": (
            "Your proposal is within the creditor's limits and applies at once when you agree."
        ),
        "portal.plan.will_review": (
            "Your proposal is outside the limits accepted at once. A person reviews it and "
            "contacts you."
        ),
        "portal.plan.costs_read": "I have read the costs of the payment plan.",
        "portal.plan.agree": "Submit the payment plan",
        "portal.plan.change": "Change the proposal",
        "portal.plan.accepted": "Your payment plan is agreed.",
        "portal.plan.accepted.detail": (
            "Please pay {count} instalments of {amount} a month, the first on {start}. As long "
            "as you pay them, we send no reminders."
        ),
        "portal.plan.offer_mandate": "Have the instalments collected by direct debit",
        "portal.plan.queued": (
            "Thank you! We have received your proposal. A person reviews it and contacts you."
        ),
        "portal.plan.error.amount": "Please enter the instalment as an amount, e.g. 50.00.",
        "portal.plan.error.start": "Please enter the date of the first instalment.",
        "portal.plan.error.start_range": "The first instalment must be between today and 30 days ahead.",
        "portal.plan.error.nothing_open": "Nothing is owed.",
        "portal.plan.error.costs_read": "Please confirm that you have read the costs.",
        "portal.mandate.title": "Give a SEPA direct debit mandate",
        "portal.mandate.intro": (
            "We collect the agreed instalments from your account and announce every debit "
            "in advance."
        ),
        "portal.mandate.holder": "Account holder",
        "portal.mandate.iban.hint": "On your bank card or in online banking.",
        "portal.mandate.text": "Mandate text (German, binding)",
        "portal.mandate.consent": "I give this SEPA direct debit mandate.",
        "portal.mandate.submit": "Give mandate",
        "portal.mandate.done": "Thank you! Mandate {ref} for account {iban} is in place.",
        "portal.mandate.error.iban": "This IBAN is not valid. Please check it.",
        "portal.mandate.error.holder": "Please enter the account holder's name.",
        "portal.mandate.error.consent": "Please confirm the mandate with the tick box.",
        "portal.report.title": "Dispute or hardship",
        "portal.report.intro": (
            "Tell us what is wrong or what is going on. After a dispute we stop reminders "
            "at once until a person has reviewed it."
        ),
        "portal.report.kind": "What is it about?",
        "portal.report.dispute": "Dispute",
        "portal.report.dispute.hint": "the claim is wrong or already paid",
        "portal.report.hardship": "Hardship",
        "portal.report.hardship.hint": "illness, unemployment or another emergency",
        "portal.report.reason": "Your reason",
        "portal.report.upload": "Document (optional)",
        "portal.report.upload.hint": "PDF, JPEG or PNG, at most 5 MB.",
        "portal.report.submit": "Send",
        "portal.report.done.dispute": (
            "We have received your dispute. We stop reminders; a person reviews it."
        ),
        "portal.report.done.hardship": "Thank you for telling us. A person will contact you.",
        "portal.report.error.kind": "Please choose dispute or hardship.",
        "portal.report.error.reason": "Please write a short reason.",
        "portal.report.error.reason_long": "The reason is too long (at most 900 characters).",
        "portal.report.error.too_large": "The file is larger than 5 MB.",
        "portal.report.error.type": "Please upload a PDF, JPEG or PNG.",
        "portal.contact.title": "How and when we reach you",
        "portal.contact.intro": (
            "Tell us the channel and the hours you want to be contacted. Our dunning runs "
            "respect it."
        ),
        "portal.contact.channel": "Preferably by",
        "portal.contact.ch.letter": "Letter",
        "portal.contact.ch.email": "E-mail",
        "portal.contact.ch.sms": "Text message",
        "portal.contact.ch.call": "Phone call",
        "portal.contact.hours": "At these hours",
        "portal.contact.from": "from",
        "portal.contact.to": "to",
        "portal.contact.submit": "Save",
        "portal.contact.saved": "Saved. We will only contact you this way.",
        "portal.contact.error.channel": "Please choose a channel.",
        "portal.contact.error.hours": "“From” must be before “to”.",
        "register.title": "Register as a creditor",
        "register.intro": (
            "Register your company. After you confirm your e-mail address we review your "
            "details and activate access."
        ),
        "register.company": "Company",
        "register.contact_name": "Contact person",
        "register.email": "E-mail address",
        "register.password": "Password",
        "register.password.hint": "At least 10 characters.",
        "register.terms": "I accept the terms of use and the privacy notice.",
        "register.submit": "Register",
        "register.after": "Your access stays locked until we have reviewed and activated it.",
        "register.error.company": "Please enter the company name.",
        "register.error.contact_name": "Please enter a contact person.",
        "register.error.email": "Please enter a valid e-mail address.",
        "register.error.email_taken": "There is already an account for this e-mail address.",
        "register.error.password": "The password needs at least 10 characters.",
        "register.error.terms": "Please accept the terms of use.",
        "register.error.too_many": "Too many registrations. Please try again later.",
        "register.done.title": "Almost done",
        "register.done.sent": (
            "We have sent an e-mail to {email}. Please confirm your address with the link in "
            "it (valid for 48 hours)."
        ),
        "register.done.failed": (
            "Your registration is saved, but the e-mail could not be sent. Please contact us."
        ),
        "register.done.no_mail": (
            "Your registration is saved. E-mail is not set up here; we will contact you."
        ),
        "register.confirm.title": "Confirm e-mail address",
        "register.confirm.confirmed": "Thank you! Your e-mail address is confirmed.",
        "register.confirm.already": "Your e-mail address was already confirmed.",
        "register.confirm.expired": (
            "The link has expired (48 hours). Please register again or contact us."
        ),
        "register.confirm.unknown": "This link is not valid.",
        "register.login.unconfirmed": (
            "Please confirm your e-mail address first with the link from our e-mail."
        ),
        "register.login.pending": (
            "Your access is not activated yet. We are reviewing your registration and will "
            "contact you."
        ),
    }
)


# ------------------------------------------------------- payment plans from affordability

TEXTS["de"].update(
    {
        "plans.portal.afford.title": "Was können Sie monatlich zahlen?",
        "plans.portal.afford.intro": (
            "Nennen Sie uns Ihr Einkommen und Ihre festen Ausgaben. Wir schlagen Raten vor, die "
            "Ihnen mindestens den pfändungsfreien Betrag nach § 850c ZPO und eine Reserve "
            "lassen. Ihre Angaben dienen nur diesem Vorschlag; der Gläubiger sieht sie nicht."
        ),
        "plans.field.net_income": "Ihr Nettoeinkommen im Monat in Euro",
        "plans.field.dependants": "Personen, denen Sie Unterhalt zahlen",
        "plans.field.dependants.hint": "Zum Beispiel Kinder oder Ehepartner; 0, wenn niemand.",
        "plans.field.rent": "Miete mit Nebenkosten im Monat in Euro",
        "plans.field.fixed_costs": "Sonstige feste Kosten im Monat in Euro",
        "plans.field.fixed_costs.hint": "Strom, Versicherungen, Telefon, andere Raten …",
        "plans.field.start_optional": "Erster Zahltag (freiwillig)",
        "plans.field.start_optional.hint": "Ohne Angabe in 14 Tagen; spätestens in 30 Tagen.",
        "plans.portal.afford.submit": "Raten berechnen",
        "plans.portal.own.title": "Oder nennen Sie selbst eine Rate",
        "plans.portal.offer.title": "Unser Vorschlag für Ihre Raten",
        "plans.capacity.explain": (
            "Von {income} netto sind bei {dependants} Unterhaltspflichten nach § 850c ZPO "
            "{garnishable} pfändbar (Tabelle ab {table}); der Rest bleibt Ihnen. Nach Miete, "
            "festen Kosten und Lebenshaltung bleiben {free}. Abzüglich {margin} Reserve sind im "
            "Monat {capacity} möglich."
        ),
        "plans.portal.no_capacity": (
            "Nach Ihren Angaben bleibt kein Betrag für Raten. Sie können trotzdem den längsten "
            "möglichen Plan vorschlagen – eine Person prüft ihn – oder uns eine Notlage melden."
        ),
        "plans.portal.hardship": "Notlage melden",
        "plans.portal.choose": "Wählen Sie Ihre Raten",
        "plans.portal.change": "Angaben ändern",
        "plans.option.proposal": "Unser Vorschlag",
        "plans.option.shorter": "Schneller fertig",
        "plans.option.longer": "Kleinere Raten",
        "plans.option.named": "Ihr Vorschlag",
        "plans.option.summary": "{count} Monatsraten zu {amount}",
        "plans.option.not_affordable": "Höher als der Betrag, den Ihre Angaben zulassen.",
        "plans.status.title": "Ihr Ratenvorschlag",
        "plans.status.proposed": "{count} Monatsraten zu {amount} ab {start}",
        "plans.status.pending": "wird geprüft",
        "plans.status.accepted": "angenommen",
        "plans.status.declined": "abgelehnt",
        "plans.status.countered": "Gegenvorschlag",
        "plans.status.pending.text": (
            "Eine Person prüft Ihren Vorschlag und meldet sich bei Ihnen. Bis dahin mahnen wir "
            "nicht schärfer."
        ),
        "plans.status.declined.text": (
            "Wir können diesen Vorschlag leider nicht annehmen. Sie können einen neuen machen."
        ),
        "plans.status.note": "Hinweis der Sachbearbeitung",
        "plans.status.counter": "Wir schlagen vor: {count} Monatsraten zu {amount} ab {start}.",
        "plans.status.counter.accept": "Gegenvorschlag verbindlich annehmen",
        "plans.work.afford.title": "Ratenplan nach Einkommen",
        "plans.work.afford.submit": "Vorschlag berechnen",
        "plans.work.offer.title": "Vorschlag aus den Angaben",
        "plans.work.p_complete": "Wahrscheinlichkeit, dass der Plan erfüllt wird",
        "plans.work.no_model": "Kein aktives Planmodell: Vorschläge ohne Wahrscheinlichkeit.",
        "plans.work.agree": "Diesen Plan vereinbaren",
        "plans.work.outside": "Außerhalb der Grenzen des Mandanten",
        "plans.work.affordable": "tragbar",
        "plans.work.not_affordable": "über dem möglichen Betrag",
        "plans.work.pending.title": "Ratenvorschläge zur Entscheidung",
        "plans.work.stated": "Angaben der Schuldnerin oder des Schuldners",
        "plans.work.stated_line": (
            "Angaben: {income} netto, {dependants} Unterhaltspflichten, Miete {rent}, feste "
            "Kosten {fixed} – möglich {capacity} im Monat."
        ),
        "plans.option.at_once": "Gilt sofort, wenn Sie zustimmen.",
        "plans.option.review": "Eine Person prüft diesen Plan und meldet sich bei Ihnen.",
        "plans.work.capacity": "möglich im Monat",
        "plans.work.decision": "Entscheidung",
        "plans.work.decision.accept": "Annehmen",
        "plans.work.decision.counter": "Gegenvorschlag",
        "plans.work.decision.decline": "Ablehnen",
        "plans.work.counter.hint": "Nur bei Gegenvorschlag: Rate, Anzahl und erste Rate.",
        "plans.work.note": "Hinweis an die Schuldnerin oder den Schuldner",
        "plans.work.note.hint": "Wird im Portal angezeigt; bei einer Ablehnung Pflicht.",
        "plans.work.decide.submit": "Entscheidung speichern",
        "plans.work.reasons": "Gründe",
        "work.done.plan_decided": "Entscheidung zum Ratenvorschlag gespeichert.",
        "work.done.plan_offer": "Vorschlag berechnet.",
        "work.event.plan.offered": "Ratenvorschlag berechnet",
        "work.event.plan.proposed": "Ratenvorschlag abgeschickt",
        "work.event.plan.accepted": "Ratenvorschlag angenommen",
        "work.event.plan.countered": "Gegenvorschlag zu Raten",
        "work.event.plan.declined": "Ratenvorschlag abgelehnt",
    }
)
TEXTS["en"].update(
    {
        "plans.portal.afford.title": "What can you pay each month?",
        "plans.portal.afford.intro": (
            "Tell us your income and your fixed costs. We propose instalments that leave you at "
            "least the amount protected from garnishment (§ 850c ZPO) and a reserve. Your "
            "figures serve only this proposal; the creditor does not see them."
        ),
        "plans.field.net_income": "Your net income per month in euro",
        "plans.field.dependants": "Persons you pay maintenance to",
        "plans.field.dependants.hint": "For example children or a spouse; 0 if nobody.",
        "plans.field.rent": "Rent including service charges per month in euro",
        "plans.field.fixed_costs": "Other fixed costs per month in euro",
        "plans.field.fixed_costs.hint": "Electricity, insurance, phone, other instalments …",
        "plans.field.start_optional": "First payment day (optional)",
        "plans.field.start_optional.hint": "If empty, in 14 days; at the latest in 30 days.",
        "plans.portal.afford.submit": "Work out instalments",
        "plans.portal.own.title": "Or name an instalment yourself",
        "plans.portal.offer.title": "Our proposal for your instalments",
        "plans.capacity.explain": (
            "Of {income} net with {dependants} dependants, {garnishable} could be garnished "
            "under § 850c ZPO (table from {table}); the rest stays with you. After rent, fixed "
            "costs and living costs {free} remain. Less a reserve of {margin}, {capacity} a "
            "month is possible."
        ),
        "plans.portal.no_capacity": (
            "Your figures leave nothing for instalments. You can still propose the longest "
            "possible plan – a person reviews it – or tell us about a hardship."
        ),
        "plans.portal.hardship": "Report a hardship",
        "plans.portal.choose": "Choose your instalments",
        "plans.portal.change": "Change your figures",
        "plans.option.proposal": "Our proposal",
        "plans.option.shorter": "Done sooner",
        "plans.option.longer": "Smaller instalments",
        "plans.option.named": "Your proposal",
        "plans.option.summary": "{count} monthly instalments of {amount}",
        "plans.option.not_affordable": "Higher than your figures allow.",
        "plans.status.title": "Your instalment proposal",
        "plans.status.proposed": "{count} monthly instalments of {amount} from {start}",
        "plans.status.pending": "under review",
        "plans.status.accepted": "accepted",
        "plans.status.declined": "declined",
        "plans.status.countered": "counter-offer",
        "plans.status.pending.text": (
            "A person reviews your proposal and contacts you. Until then we do not step up "
            "the reminders."
        ),
        "plans.status.declined.text": ("We cannot accept this proposal. You can make a new one."),
        "plans.status.note": "Note from the agent",
        "plans.status.counter": "We propose: {count} monthly instalments of {amount} from {start}.",
        "plans.status.counter.accept": "Accept the counter-offer",
        "plans.work.afford.title": "Instalment plan from income",
        "plans.work.afford.submit": "Work out a proposal",
        "plans.work.offer.title": "Proposal from the stated figures",
        "plans.work.p_complete": "Probability that the plan is completed",
        "plans.work.no_model": "No active plan model: proposals without a probability.",
        "plans.work.agree": "Agree this plan",
        "plans.work.outside": "Outside the creditor's limits",
        "plans.work.affordable": "affordable",
        "plans.work.not_affordable": "above what is possible",
        "plans.work.pending.title": "Instalment proposals to decide",
        "plans.work.stated": "The debtor's figures",
        "plans.work.stated_line": (
            "Figures: {income} net, {dependants} dependants, rent {rent}, fixed costs {fixed} – "
            "{capacity} a month possible."
        ),
        "plans.option.at_once": "Applies at once when you agree.",
        "plans.option.review": "A person reviews this plan and contacts you.",
        "plans.work.capacity": "possible per month",
        "plans.work.decision": "Decision",
        "plans.work.decision.accept": "Accept",
        "plans.work.decision.counter": "Counter-offer",
        "plans.work.decision.decline": "Decline",
        "plans.work.counter.hint": "Counter-offer only: instalment, number and first due date.",
        "plans.work.note": "Note to the debtor",
        "plans.work.note.hint": "Shown in the portal; required when declining.",
        "plans.work.decide.submit": "Save the decision",
        "plans.work.reasons": "Reasons",
        "work.done.plan_decided": "Decision on the instalment proposal saved.",
        "work.done.plan_offer": "Proposal worked out.",
        "work.event.plan.offered": "Instalment proposal worked out",
        "work.event.plan.proposed": "Instalment proposal sent",
        "work.event.plan.accepted": "Instalment proposal accepted",
        "work.event.plan.countered": "Counter-offer on instalments",
        "work.event.plan.declined": "Instalment proposal declined",
        "plans.error.missing": "Please enter an amount, e.g. 1,850.00.",
        "plans.error.negative": "The amount must not be negative.",
        "plans.error.too_large": "The amount is too large.",
        "plans.error.cents": "At most two decimal places.",
        "plans.error.dependants": "Please enter a whole number from 0 to {max}.",
        "plans.error.start": "Please enter a date.",
        "plans.error.start_past": "The first instalment must not be in the past.",
        "plans.error.start_range": "The first instalment must be within the next {days} days.",
        "plans.error.amount": "Please enter an amount above zero, e.g. 50.00.",
        "plans.error.above_owed": "The instalment is higher than the amount owed of {owed}.",
        "plans.error.min_instalment": (
            "The instalment must be at least {min} (set by the creditor)."
        ),
        "plans.error.count": "Please enter the number of instalments.",
        "plans.error.max_months": "At most {months} monthly instalments (set by the creditor).",
        "plans.error.too_many": "{n} instalments of {amount} already cover the {owed} owed.",
        "plans.error.nothing_open": "Nothing is owed any more.",
        "plans.error.submitted": "This proposal has already been sent.",
        "plans.error.option": "Please choose one of the proposals.",
        "plans.error.expired": (
            "The counter-offer has expired (its first instalment is in the past). Please "
            "propose new instalments."
        ),
    }
)

# ------------------------------------------------------------------ court dunning procedure

_COURT_EVENTS_DE = {
    "court.prepared": "Mahnbescheid vorbereitet",
    "court.approved": "Gerichtlicher Antrag freigegeben",
    "court.returned": "Gerichtlicher Antrag zurückgegeben",
    "court.filed": "Antrag an das Mahngericht",
    "court.message": "Nachricht des Mahngerichts",
    "court.vb_prepared": "Vollstreckungsbescheid vorbereitet",
    "court.withdrawn": "Mahnverfahren beendet",
    "court.lapsed": "Mahnbescheid weggefallen",
    "title.recorded": "Titel erfasst",
    "title.enforcement_act": "Vollstreckungshandlung",
    "title.changed": "Titel geändert",
}
_COURT_EVENTS_EN = {
    "court.prepared": "Dunning order prepared",
    "court.approved": "Court application approved",
    "court.returned": "Court application sent back",
    "court.filed": "Filed with the dunning court",
    "court.message": "Message from the dunning court",
    "court.vb_prepared": "Enforcement order prepared",
    "court.withdrawn": "Court procedure ended",
    "court.lapsed": "Dunning order lapsed",
    "title.recorded": "Title recorded",
    "title.enforcement_act": "Enforcement act",
    "title.changed": "Title changed",
}
TEXTS["de"].update(
    {f"work.event.{k}": v for k, v in _COURT_EVENTS_DE.items()}
    | {
        "nav.approvals": "Freigaben",
        "work.task.court": "Gericht",
        "court.section": "Gerichtliches Mahnverfahren",
        "court.title": "Titel",
        "court.final_since": "rechtskräftig seit",
        "court.not_final": "noch nicht rechtskräftig",
        "court.titled": "Tituliert",
        "court.principal": "Hauptforderung",
        "court.interest": "Zinsen",
        "court.costs": "Kosten",
        "court.title_barred": "Titel verjährt ab",
        "court.interest_barred": "Zinsen verjährt bis einschließlich",
        "court.gnr": "Geschäftsnummer",
        "court.show_application": "Antrag ansehen",
        "court.files": "EDA-Dateien",
        "court.returned_reason": "Zurückgegeben",
        "court.decide": "Entscheidung",
        "court.approve": "Freigeben",
        "court.send_back": "Zurückgeben",
        "court.cannot_decide": "Sie können hier nicht entscheiden",
        "court.done.prepared": "Mahnbescheid vorbereitet: er wartet auf die Freigabe der Teamleitung.",
        "court.prepare.title": "Mahnbescheid vorbereiten",
        "court.prepare.cannot": "So kann der Antrag nicht gestellt werden",
        "court.prepare.as_filed": "Der Antrag, wie er eingereicht wird",
        "court.prepare.details": "Angaben ergänzen",
        "court.prepare.catalogue": "Katalognummer (Anspruchsbezeichnung)",
        "court.prepare.catalogue_default": "wie beim Mandanten hinterlegt",
        "court.prepare.addition": "Zusatzangabe zur Katalognummer (z. B. PLZ Ort der Wohnung, Zählernummer)",
        "court.prepare.legal_form": "Rechtsform des Schuldners",
        "court.prepare.rep_function": "Gesetzlicher Vertreter: Funktion",
        "court.prepare.rep_name": "Gesetzlicher Vertreter: Name",
        "court.prepare.refresh": "Antrag neu berechnen",
        "court.prepare.submit": "Mahnbescheid vorbereiten und zur Freigabe geben",
        "court.procedure.title": "Gerichtliches Mahnverfahren",
        "court.procedure.application": "Mahnbescheid-Antrag",
        "court.vb.title": "Antrag auf Vollstreckungsbescheid",
        "court.vb.payments": "Zahlungen seit dem Mahnbescheid-Antrag",
        "court.vb.no_payments": "keine",
        "court.vb.service": "Zustellung",
        "court.vb.by_court": "von Amts wegen",
        "court.vb.by_party": "im Parteibetrieb",
        "court.vb.applied": "beantragt am",
        "court.queue.title": "Freigaben",
        "court.queue.intro": (
            "Gerichtliche Anträge und andere Schritte, die ein Mensch entscheidet. Wer einen "
            "Antrag vorbereitet hat, gibt ihn nicht selbst frei."
        ),
        "court.queue.items": "Offene Freigaben",
        "court.queue.empty": "Keine offenen Freigaben.",
        "court.queue.since": "seit",
        "court.queue.open_application": "Antrag öffnen",
        "court.queue.kind.court_mb": "Mahnbescheid",
        "court.queue.kind.court_vb": "Vollstreckungsbescheid",
        "court.queue.kind.step": "Schritt",
        "court.app.reference": "Geschäftszeichen",
        "court.app.court": "Mahngericht",
        "court.app.applicant": "Antragsteller",
        "court.app.defendant": "Antragsgegner",
        "court.app.represented": "vertreten durch",
        "court.app.streitgericht": "Gericht für das streitige Verfahren",
        "court.app.counter": "Gegenleistung",
        "court.app.counter.rendered": "Anspruch hängt von einer Gegenleistung ab, die erbracht ist",
        "court.app.counter.none": "Anspruch hängt nicht von einer Gegenleistung ab",
        "court.app.streitig": "Streitiges Verfahren bei Widerspruch beantragt",
        "court.app.claims": "Hauptforderungen",
        "court.app.claim": "Forderung",
        "court.app.designation": "Anspruchsbezeichnung",
        "court.app.document": "Beleg",
        "court.app.of": "vom",
        "court.app.interest": "Laufende Zinsen",
        "court.app.principal": "Summe der Hauptforderungen",
        "court.app.computed_interest": "Ausgerechnete Zinsen",
        "court.app.ancillary.MAHNK": "Mahnkosten",
        "court.app.ancillary.AUSL": "Auslagen",
        "court.app.ancillary.VV23": "Vorgerichtliche Geschäftsgebühr",
    }
)
TEXTS["en"].update(
    {f"work.event.{k}": v for k, v in _COURT_EVENTS_EN.items()}
    | {
        "nav.approvals": "Approvals",
        "work.task.court": "Court",
        "court.section": "Court dunning procedure",
        "court.title": "Title",
        "court.final_since": "final since",
        "court.not_final": "not yet final",
        "court.titled": "Titled",
        "court.principal": "principal",
        "court.interest": "interest",
        "court.costs": "costs",
        "court.title_barred": "Title time-barred from",
        "court.interest_barred": "interest time-barred up to and including",
        "court.gnr": "Court file number",
        "court.show_application": "Show application",
        "court.files": "EDA files",
        "court.returned_reason": "Sent back",
        "court.decide": "Decision",
        "court.approve": "Approve",
        "court.send_back": "Send back",
        "court.cannot_decide": "You cannot decide here",
        "court.done.prepared": "Dunning order prepared: it waits for a team lead's approval.",
        "court.prepare.title": "Prepare dunning order",
        "court.prepare.cannot": "The application cannot be filed like this",
        "court.prepare.as_filed": "The application as it will be filed",
        "court.prepare.details": "Add details",
        "court.prepare.catalogue": "Catalogue number (claim designation)",
        "court.prepare.catalogue_default": "as set for the creditor",
        "court.prepare.addition": "Addition to the catalogue number (e.g. postcode and town of the flat, meter number)",
        "court.prepare.legal_form": "Debtor's legal form",
        "court.prepare.rep_function": "Legal representative: function",
        "court.prepare.rep_name": "Legal representative: name",
        "court.prepare.refresh": "Recalculate the application",
        "court.prepare.submit": "Prepare the dunning order and send it for approval",
        "court.procedure.title": "Court dunning procedure",
        "court.procedure.application": "Dunning order application",
        "court.vb.title": "Enforcement order application",
        "court.vb.payments": "Payments since the dunning order application",
        "court.vb.no_payments": "none",
        "court.vb.service": "Service",
        "court.vb.by_court": "by the court",
        "court.vb.by_party": "by the party",
        "court.vb.applied": "applied for on",
        "court.queue.title": "Approvals",
        "court.queue.intro": (
            "Court applications and other steps a person decides. Whoever prepared an "
            "application does not approve it."
        ),
        "court.queue.items": "Pending approvals",
        "court.queue.empty": "No pending approvals.",
        "court.queue.since": "since",
        "court.queue.open_application": "Open application",
        "court.queue.kind.court_mb": "Dunning order",
        "court.queue.kind.court_vb": "Enforcement order",
        "court.queue.kind.step": "Step",
        "court.app.reference": "Our reference",
        "court.app.court": "Dunning court",
        "court.app.applicant": "Applicant",
        "court.app.defendant": "Respondent",
        "court.app.represented": "represented by",
        "court.app.streitgericht": "Court for contentious proceedings",
        "court.app.counter": "Counter-performance",
        "court.app.counter.rendered": "the claim depends on a counter-performance that was rendered",
        "court.app.counter.none": "the claim does not depend on a counter-performance",
        "court.app.streitig": "Contentious proceedings requested on objection",
        "court.app.claims": "Main claims",
        "court.app.claim": "Claim",
        "court.app.designation": "Claim designation",
        "court.app.document": "Document",
        "court.app.of": "of",
        "court.app.interest": "Running interest",
        "court.app.principal": "Total of main claims",
        "court.app.computed_interest": "Computed interest",
        "court.app.ancillary.MAHNK": "Dunning costs",
        "court.app.ancillary.AUSL": "Outlays",
        "court.app.ancillary.VV23": "Pre-court business fee",
    }
)
# ------------------------------------------------------------------------- enforcement

_ENFORCEMENT_DE = {
    "work.kind.monitoring": "Titelüberwachung",
    "work.task.title_monitoring": "Titelüberwachung",
    "work.task.enforcement": "Vollstreckung",
    "work.task.insolvency_filing": "Forderungsanmeldung",
    "enf.link": "Vollstreckung",
    "enf.title": "Vollstreckung und Titel",
    "enf.titles": "Titel",
    "enf.kind": "Art des Titels",
    "enf.kind.vollstreckungsbescheid": "Vollstreckungsbescheid",
    "enf.kind.urteil": "Urteil",
    "enf.kind.vergleich": "Vergleich",
    "enf.kind.notarielle_urkunde": "notarielle Urkunde",
    "enf.court": "Gericht oder Notar",
    "enf.file_no": "Aktenzeichen des Titels",
    "enf.issued": "erlassen am",
    "enf.final": "rechtskräftig seit",
    "enf.not_final": "nicht rechtskräftig",
    "enf.principal": "titulierte Hauptforderung (leer: Summe der Forderungen)",
    "enf.interest_from": "Zinsen ab",
    "enf.interest": "Zinsen",
    "enf.costs": "titulierte Kosten (leer: Kosten bis zum Titel)",
    "enf.limitation": "Verjährung des Titels mit Ablauf des",
    "enf.limitation_rule": "30 Jahre, § 197 Abs. 1 Nr. 3 BGB, neu mit jeder Vollstreckungshandlung",
    "enf.interest_barred": "Zinsen verjährt bis einschließlich (§ 197 Abs. 2 BGB)",
    "enf.interest_none_barred": "keine",
    "enf.acts": "Vollstreckungshandlungen",
    "enf.statement": "Forderungsaufstellung aus dem Titel zum",
    "enf.no_title": "Kein Titel erfasst: ohne Titel keine Vollstreckung.",
    "enf.next_check": "Nächste Prüfung",
    "enf.add_title": "Titel erfassen",
    "enf.proposal": "Vorschlag: die aussichtsreichste Maßnahme",
    "enf.costs_expected": "Erwartete Kosten",
    "enf.code": "Nr.",
    "enf.item": "Position",
    "enf.amount": "Betrag",
    "enf.missing": "nicht hinterlegt",
    "enf.recovery": "Erwarteter Ertrag",
    "enf.alternative": "Alternative",
    "enf.drittschuldner": "Drittschuldner",
    "enf.propose": "Zur Freigabe vorschlagen",
    "enf.measures": "Maßnahmen und Freigaben",
    "enf.measure.wage_garnishment": "Lohnpfändung (PfÜB)",
    "enf.measure.account_garnishment": "Kontopfändung (PfÜB)",
    "enf.measure.asset_disclosure": "Vermögensauskunft (GV-Auftrag)",
    "enf.measure.wait": "abwarten",
    "enf.incomplete": "ohne nicht hinterlegte Positionen",
    "enf.download": "Formular (PDF) herunterladen",
    "enf.save": "Speichern",
    "enf.filed_on": "eingereicht am",
    "enf.filed": "Als eingereicht vermerken",
    "enf.outcome": "Ergebnis erfassen",
    "enf.outcome.kind": "Ergebnis",
    "enf.outcome.on": "am",
    "enf.outcome.measure": "zu Maßnahme",
    "enf.outcome.note": "Vermerk",
    "enf.outcome.save": "Ergebnis speichern",
    "enf.outcome.asset_disclosure_received": "Vermögensauskunft erhalten",
    "enf.outcome.garnishment_served": "PfÜB zugestellt",
    "enf.outcome.third_party_positive": "Drittschuldnererklärung: Pfändung greift",
    "enf.outcome.third_party_negative": "Drittschuldnererklärung: nichts zu pfänden",
    "enf.outcome.nothing_to_seize": "fruchtlos",
    "enf.outcome.completed": "Maßnahme beendet",
    "enf.preview": "Vorschau des Formulars",
    "enf.known": "Was bekannt ist",
    "enf.employers": "Arbeitgeber",
    "enf.income": "Nettoeinkommen im Monat",
    "enf.dependants": "Unterhaltspflichten",
    "enf.add_employer": "Arbeitgeber erfassen",
    "enf.employer_name": "Name des Arbeitgebers",
    "enf.employer_address": "Anschrift des Arbeitgebers",
    "enf.register": "Schuldnerverzeichnis",
    "enf.add_register": "Eintrag erfassen",
    "enf.register_on": "Eintragungsanordnung vom",
    "enf.register_reason": "Grund (§ 882c Abs. 1 ZPO)",
    "enf.history": "Verlauf der Vollstreckung",
    "enf.last_measure": "Letzte Maßnahme",
    "enf.creditor.link": "Titulierte Fälle",
    "enf.creditor.title": "Titulierte Fälle",
    "enf.creditor.intro": (
        "Ihre Fälle mit Vollstreckungstitel: wann der Titel verjährt, was offen ist, was "
        "zuletzt unternommen wurde und wann wir ihn wieder prüfen."
    ),
    "enf.creditor.none": "Noch kein Fall tituliert.",
    "enf.cost": "Vollstreckungskosten buchen",
    "enf.cost.label": "Art der Kosten",
}
_ENFORCEMENT_EN = {
    "work.kind.monitoring": "Title monitoring",
    "work.task.title_monitoring": "Title monitoring",
    "work.task.enforcement": "Enforcement",
    "work.task.insolvency_filing": "Claim filing",
    "enf.link": "Enforcement",
    "enf.title": "Enforcement and titles",
    "enf.titles": "Titles",
    "enf.kind": "Kind of title",
    "enf.kind.vollstreckungsbescheid": "Enforcement order (Vollstreckungsbescheid)",
    "enf.kind.urteil": "Judgment",
    "enf.kind.vergleich": "Settlement",
    "enf.kind.notarielle_urkunde": "Notarial deed",
    "enf.court": "Court or notary",
    "enf.file_no": "File number of the title",
    "enf.issued": "issued on",
    "enf.final": "final since",
    "enf.not_final": "not final",
    "enf.principal": "titled principal (empty: sum of the claims)",
    "enf.interest_from": "interest from",
    "enf.interest": "interest",
    "enf.costs": "titled costs (empty: costs up to the title)",
    "enf.limitation": "Title time-barred after",
    "enf.limitation_rule": "30 years, § 197 (1) no. 3 BGB, restarted by every enforcement act",
    "enf.interest_barred": "Interest time-barred up to (§ 197 (2) BGB)",
    "enf.interest_none_barred": "none",
    "enf.acts": "Enforcement acts",
    "enf.statement": "Statement of the title as of",
    "enf.no_title": "No title recorded: no enforcement without a title.",
    "enf.next_check": "Next check",
    "enf.add_title": "Record a title",
    "enf.proposal": "Proposal: the measure most likely to work",
    "enf.costs_expected": "Expected cost",
    "enf.code": "No.",
    "enf.item": "Item",
    "enf.amount": "Amount",
    "enf.missing": "not set",
    "enf.recovery": "Expected recovery",
    "enf.alternative": "Alternative",
    "enf.drittschuldner": "Third-party debtor",
    "enf.propose": "Propose for approval",
    "enf.measures": "Measures and approvals",
    "enf.measure.wage_garnishment": "Wage garnishment (PfÜB)",
    "enf.measure.account_garnishment": "Account garnishment (PfÜB)",
    "enf.measure.asset_disclosure": "Asset disclosure (bailiff order)",
    "enf.measure.wait": "wait",
    "enf.incomplete": "without items not set",
    "enf.download": "Download the form (PDF)",
    "enf.save": "Save",
    "enf.filed_on": "filed on",
    "enf.filed": "Mark as filed",
    "enf.outcome": "Record an outcome",
    "enf.outcome.kind": "Outcome",
    "enf.outcome.on": "on",
    "enf.outcome.measure": "for measure",
    "enf.outcome.note": "Note",
    "enf.outcome.save": "Save outcome",
    "enf.outcome.asset_disclosure_received": "Asset disclosure received",
    "enf.outcome.garnishment_served": "Garnishment order served",
    "enf.outcome.third_party_positive": "Third-party declaration: garnishment takes effect",
    "enf.outcome.third_party_negative": "Third-party declaration: nothing to garnish",
    "enf.outcome.nothing_to_seize": "Nothing to seize",
    "enf.outcome.completed": "Measure ended",
    "enf.preview": "Preview of the form",
    "enf.known": "What is known",
    "enf.employers": "Employers",
    "enf.income": "Net income a month",
    "enf.dependants": "dependants",
    "enf.add_employer": "Record an employer",
    "enf.employer_name": "Employer's name",
    "enf.employer_address": "Employer's address",
    "enf.register": "Register of debtors",
    "enf.add_register": "Record an entry",
    "enf.register_on": "Entry ordered on",
    "enf.register_reason": "Reason (§ 882c (1) ZPO)",
    "enf.history": "Enforcement history",
    "enf.last_measure": "Last measure",
    "enf.creditor.link": "Titled cases",
    "enf.creditor.title": "Titled cases",
    "enf.creditor.intro": (
        "Your cases with an enforceable title: when the title becomes time-barred, what is "
        "open, what was done last and when we check it again."
    ),
    "enf.creditor.none": "No case titled yet.",
    "enf.cost": "Book enforcement costs",
    "enf.cost.label": "Kind of cost",
}
TEXTS["de"].update(_ENFORCEMENT_DE)
TEXTS["en"].update(_ENFORCEMENT_EN)


# ------------------------------------------------------------------ imprint, privacy notice

TEXTS["de"].update(
    {
        "footer.legal": "Rechtliches",
        "legal.imprint.title": "Impressum",
        "legal.privacy.title": "Datenschutz",
        "legal.missing": (
            "Diese Angaben sind vom Betreiber noch nicht vollständig eingerichtet; solange "
            "werden keine Schreiben versandt:"
        ),
        "legal.phone": "Telefon",
        "legal.email": "E-Mail",
        "legal.website": "Internet",
        "legal.authority": "Zuständige Aufsichtsbehörde (§ 13h RDG)",
        "legal.imprint.provider": "Anbieter (§ 5 DDG)",
        "legal.imprint.directors": "Vertretungsberechtigt",
        "legal.imprint.register": "Registereintrag",
        "legal.imprint.contact": "Kontakt",
        "legal.imprint.rdg": "Registrierung als Inkassodienstleister",
        "legal.imprint.rdg.text": (
            "Wir sind nach § 10 Abs. 1 Satz 1 Nr. 1 RDG für Inkassodienstleistungen im "
            "Rechtsdienstleistungsregister registriert:"
        ),
        "legal.imprint.rdg.public": (
            "Das Register ist öffentlich einsehbar unter www.rechtsdienstleistungsregister.de."
        ),
        "legal.privacy.intro": (
            "Dieser Hinweis erklärt nach Art. 13 und 14 DSGVO, welche Daten wir verarbeiten, "
            "wenn wir eine Forderung gegen Sie einziehen, woher sie stammen, wozu wir sie nutzen "
            "und welche Rechte Sie haben. Unsere Schreiben enthalten eine Kurzfassung und einen "
            "Link auf diese Seite."
        ),
        "legal.privacy.controller": "Verantwortlicher",
        "legal.privacy.dpo": "Fragen zum Datenschutz",
        "legal.privacy.data": "Welche Daten",
        "legal.privacy.data.text": (
            "Name, Anschrift, Geburtsdatum, E-Mail-Adresse und Telefonnummern, Bankverbindung, "
            "Angaben zur Forderung (Rechnungen, Vertrag, Beträge, Fälligkeit, Mahnungen), Ihre "
            "Zahlungen, unser Schriftverkehr und Gespräche mit Ihnen, Ihre Angaben zu Raten und "
            "Einwänden sowie die Ergebnisse unserer Zahlungsprognose."
        ),
        "legal.privacy.source": "Woher die Daten stammen",
        "legal.privacy.source.text": (
            "Von unserem Auftraggeber, dem Gläubiger der Forderung, der uns mit dem Einzug "
            "beauftragt hat; von Ihnen selbst; ist eine Anschrift nicht mehr aktuell, aus "
            "Auskünften der Meldebehörden (Anschriftenermittlung); Zahlungen von Ihrer Bank; "
            "im gerichtlichen Verfahren von Gerichten und Gerichtsvollziehern."
        ),
        "legal.privacy.purposes": "Zwecke und Rechtsgrundlagen",
        "legal.privacy.purposes.text": (
            "Wir verarbeiten die Daten, um die Forderung einzuziehen und mit Ihnen eine Lösung "
            "zu finden (Art. 6 Abs. 1 Buchst. b DSGVO, soweit die Forderung aus einem Vertrag "
            "mit Ihnen stammt, sonst Buchst. f: das berechtigte Interesse des Gläubigers an der "
            "Durchsetzung seiner Forderung), um gesetzliche Pflichten zu erfüllen, etwa "
            "Aufbewahrungspflichten nach Handels- und Steuerrecht (Buchst. c), und um "
            "Rechtsansprüche geltend zu machen oder abzuwehren."
        ),
        "legal.privacy.scoring": "Zahlungsprognose (Scoring)",
        "legal.privacy.scoring.text": (
            "Ein statistisches Verfahren schätzt aus dem Verlauf des Falls (Beträge, Alter der "
            "Forderung, bisherige Zahlungen und Kontakte) die Wahrscheinlichkeit einer Zahlung. "
            "Wir nutzen sie, um Zeitpunkt und Weg unserer Schreiben zu wählen und Ratenangebote "
            "vorzuschlagen. Geschlecht, Staatsangehörigkeit und Herkunft fließen nicht ein. Jede "
            "Prognose wird mit ihren Gründen gespeichert; Entscheidungen mit rechtlicher Wirkung "
            "– gerichtliches Mahnverfahren, Zwangsvollstreckung, Meldung an eine Auskunftei – "
            "trifft immer ein Mensch (Art. 22 DSGVO). Auf Wunsch erklären wir Ihnen die Gründe."
        ),
        "legal.privacy.recipients": "Empfänger",
        "legal.privacy.recipients.text": (
            "Unser Auftraggeber (Stand der Forderung, Zahlungen); Gerichte (Mahngericht), "
            "Gerichtsvollzieher und Rechtsanwälte, wenn die Forderung gerichtlich verfolgt "
            "wird; Auskunfteien nur unter den Voraussetzungen des § 31 Abs. 2 BDSG (insbesondere "
            "nach zwei Mahnungen, vorheriger Unterrichtung und wenn Sie die Forderung nicht "
            "bestritten haben); Dienstleister, die für uns drucken und versenden, E-Mails und "
            "SMS zustellen oder Zahlungen abwickeln, gebunden an unsere Weisungen."
        ),
        "legal.privacy.transfer": "Übermittlung in Drittländer",
        "legal.privacy.transfer.text": (
            "Wir übermitteln keine Daten in Länder außerhalb der EU und des EWR."
        ),
        "legal.privacy.storage": "Speicherdauer",
        "legal.privacy.storage.text": (
            "Solange die Forderung offen ist und danach, solange Gesetze es verlangen: "
            "Buchungsbelege 8 Jahre, Handels- und Geschäftsbriefe 6 Jahre, Bücher und "
            "Abschlüsse 10 Jahre, jeweils ab Ende des Kalenderjahres (§ 257 HGB, § 147 AO). "
            "Ist die Forderung tituliert, kann sie 30 Jahre vollstreckt werden (§ 197 BGB); so "
            "lange bewahren wir die dafür nötigen Daten auf. Danach löschen wir sie."
        ),
        "legal.privacy.rights": "Ihre Rechte",
        "legal.privacy.rights.text": (
            "Sie haben das Recht auf Auskunft (Art. 15 DSGVO), Berichtigung (Art. 16), Löschung "
            "(Art. 17), Einschränkung der Verarbeitung (Art. 18) und Datenübertragbarkeit "
            "(Art. 20) sowie das Recht auf Widerspruch gegen die Verarbeitung aus Gründen Ihrer "
            "besonderen Situation (Art. 21). Schreiben Sie uns dazu an die oben genannte Anschrift "
            "oder E-Mail-Adresse, oder nutzen Sie das Schuldnerportal."
        ),
        "legal.privacy.complaint": "Beschwerde",
        "legal.privacy.complaint.text": (
            "Sie können sich bei jeder Datenschutzaufsichtsbehörde beschweren (Art. 77 DSGVO), "
            "insbesondere bei der Behörde des Landes, in dem Sie wohnen oder in dem wir unseren "
            "Sitz haben. Für unsere Tätigkeit als Inkassodienstleister ist außerdem das "
            "Bundesamt für Justiz zuständig (siehe Impressum)."
        ),
        "legal.privacy.portal": "Diese Website",
        "legal.privacy.portal.text": (
            "Die Website setzt nur notwendige Cookies: eines für die Anmeldung (Sitzung) und "
            "eines für die gewählte Sprache. Es gibt keine Analyse- oder Werbedienste. Zum "
            "Schutz vor Missbrauch zählen wir fehlgeschlagene Anmeldungen je Adresse für kurze "
            "Zeit."
        ),
        "portal.login.legal": "Datenschutzhinweis und Impressum:",
        "statement.warnings": "Hinweis zur Zinsberechnung",
        "work.plan.acknowledgement_title": "Schuldanerkenntnis (§ 13a Abs. 4 RDG)",
        "work.plan.acknowledgement_sent": "Hinweis in Textform zugegangen am",
        "work.plan.acknowledgement_not_sent": (
            "Der Hinweis ist noch nicht in Textform versandt: ohne ihn darf die Vereinbarung "
            "kein Schuldanerkenntnis enthalten."
        ),
        "work.plan.acknowledgement_send": "Hinweis per E-Mail oder Brief senden",
        "work.done.acknowledgement": "Hinweis nach § 13a Abs. 4 RDG wird versandt.",
        "portal.plan.acknowledgement_title": "Schuldanerkenntnis (§ 13a Abs. 4 RDG)",
        "portal.plan.acknowledgement_intro": (
            "Eine Ratenzahlung setzt kein Schuldanerkenntnis voraus. Bitten wir Sie um ein "
            "Anerkenntnis, gilt:"
        ),
        "register.legal": "Bitte lesen Sie unseren Datenschutzhinweis und das Impressum:",
    }
)

TEXTS["en"].update(
    {
        "footer.legal": "Legal",
        "legal.imprint.title": "Imprint",
        "legal.privacy.title": "Privacy notice",
        "legal.missing": (
            "The operator has not completed this information yet; until then no letters are sent:"
        ),
        "legal.phone": "Phone",
        "legal.email": "E-mail",
        "legal.website": "Website",
        "legal.authority": "Supervisory authority (§ 13h RDG)",
        "legal.imprint.provider": "Provider (§ 5 DDG)",
        "legal.imprint.directors": "Represented by",
        "legal.imprint.register": "Commercial register",
        "legal.imprint.contact": "Contact",
        "legal.imprint.rdg": "Registration as a collection agency",
        "legal.imprint.rdg.text": (
            "We are registered for collection services under § 10 (1) sentence 1 no. 1 RDG in "
            "the Legal Services Register:"
        ),
        "legal.imprint.rdg.public": (
            "The register is public at www.rechtsdienstleistungsregister.de."
        ),
        "legal.privacy.intro": (
            "This notice explains under Art. 13 and 14 GDPR which data we process when we "
            "collect a claim against you, where it comes from, what we use it for and what "
            "rights you have. Our letters carry a short version and a link to this page."
        ),
        "legal.privacy.controller": "Controller",
        "legal.privacy.dpo": "Questions about data protection",
        "legal.privacy.data": "Which data",
        "legal.privacy.data.text": (
            "Name, address, date of birth, e-mail address and phone numbers, bank details, "
            "details of the claim (invoices, contract, amounts, due dates, reminders), your "
            "payments, our correspondence and calls with you, what you tell us about "
            "instalments and objections, and the results of our payment forecast."
        ),
        "legal.privacy.source": "Where the data comes from",
        "legal.privacy.source.text": (
            "From our client, the creditor who instructed us to collect the claim; from you; "
            "if an address is out of date, from the registration offices (address enquiry); "
            "payments from your bank; in court proceedings from courts and bailiffs."
        ),
        "legal.privacy.purposes": "Purposes and legal bases",
        "legal.privacy.purposes.text": (
            "We process the data to collect the claim and to find a solution with you (Art. "
            "6 (1) (b) GDPR where the claim stems from a contract with you, otherwise (f): the "
            "creditor's legitimate interest in enforcing the claim), to meet legal obligations "
            "such as retention under commercial and tax law ((c)), and to establish or defend "
            "legal claims."
        ),
        "legal.privacy.scoring": "Payment forecast (scoring)",
        "legal.privacy.scoring.text": (
            "A statistical model estimates the probability of a payment from the history of "
            "the case (amounts, age of the claim, payments and contacts so far). We use it to "
            "choose when and how we write to you and to suggest instalments. Sex, nationality "
            "and origin are not used. Every forecast is stored with its reasons; decisions "
            "with legal effect – court dunning procedure, enforcement, a report to a credit "
            "bureau – are always taken by a person (Art. 22 GDPR). We explain the reasons on "
            "request."
        ),
        "legal.privacy.recipients": "Recipients",
        "legal.privacy.recipients.text": (
            "Our client (state of the claim, payments); courts, bailiffs and lawyers if the "
            "claim is pursued in court; credit bureaus only as § 31 (2) BDSG allows (in "
            "particular after two reminders, prior notice and if you have not disputed the "
            "claim); service providers who print and post, deliver e-mails and text messages "
            "or process payments for us, bound by our instructions."
        ),
        "legal.privacy.transfer": "Transfers outside the EU",
        "legal.privacy.transfer.text": (
            "We do not transfer data to countries outside the EU and the EEA."
        ),
        "legal.privacy.storage": "How long we keep the data",
        "legal.privacy.storage.text": (
            "While the claim is open and afterwards as long as the law requires: accounting "
            "vouchers 8 years, business letters 6 years, books and accounts 10 years, each from "
            "the end of the calendar year (§ 257 HGB, § 147 AO). A claim confirmed by a court "
            "can be enforced for 30 years (§ 197 BGB); we keep the data needed for that as "
            "long. Then we delete it."
        ),
        "legal.privacy.rights": "Your rights",
        "legal.privacy.rights.text": (
            "You have the right of access (Art. 15 GDPR), rectification (Art. 16), erasure "
            "(Art. 17), restriction of processing (Art. 18) and data portability (Art. 20). "
            "You may object to the processing on grounds relating to your particular situation "
            "(Art. 21). Write to the address or e-mail above, or use the debtor portal."
        ),
        "legal.privacy.complaint": "Complaints",
        "legal.privacy.complaint.text": (
            "You may complain to any data protection supervisory authority (Art. 77 GDPR), in "
            "particular in the state where you live or where we have our seat. For our work as "
            "a collection agency the Federal Office of Justice is responsible as well (see the "
            "imprint)."
        ),
        "legal.privacy.portal": "This website",
        "legal.privacy.portal.text": (
            "The website sets only necessary cookies: one for signing in (session) and one for "
            "the chosen language. There are no analytics or advertising services. To protect "
            "against abuse we count failed sign-ins per address for a short time."
        ),
        "portal.login.legal": "Privacy notice and imprint:",
        "statement.warnings": "Note on the interest",
        "work.plan.acknowledgement_title": "Acknowledgement of debt (§ 13a (4) RDG)",
        "work.plan.acknowledgement_sent": "Notice received in text form on",
        "work.plan.acknowledgement_not_sent": (
            "The notice has not been sent in text form yet: without it the agreement must not "
            "contain an acknowledgement of debt."
        ),
        "work.plan.acknowledgement_send": "Send the notice by e-mail or letter",
        "work.done.acknowledgement": "The notice under § 13a (4) RDG is being sent.",
        "portal.plan.acknowledgement_title": "Acknowledgement of debt (§ 13a (4) RDG)",
        "portal.plan.acknowledgement_intro": (
            "An instalment plan does not require an acknowledgement of debt. If we ask you for "
            "one, this applies:"
        ),
        "register.legal": "Please read our privacy notice and the imprint:",
    }
)

# ------------------------------------------------------------------ privacy (compliance)

TEXTS["de"].update(
    {
        "privacy.title": "Auskunft nach Art. 15 DSGVO",
        "privacy.intro": (
            "Alles, was über eine Person gespeichert ist, bei allen Mandanten: Daten "
            "maschinenlesbar (daten.json), Briefe wie versandt und eine PDF-Übersicht, als ZIP. "
            "Der Abruf wird protokolliert."
        ),
        "privacy.subject": "Aktenzeichen (MW-…), case:ID, debtor:ID oder person:ID",
        "privacy.export": "Auskunft als ZIP herunterladen",
        "privacy.not_found": "Keine Person, kein Schuldner und kein Fall zu dieser Angabe.",
    }
)
TEXTS["en"].update(
    {
        "privacy.title": "Subject access request (Art. 15 GDPR)",
        "privacy.intro": (
            "Everything stored about a person, across all creditors: the data machine-readable "
            "(daten.json), the letters as sent and a PDF summary, as a ZIP. The download is "
            "logged."
        ),
        "privacy.subject": "Case number (MW-…), case:ID, debtor:ID or person:ID",
        "privacy.export": "Download the data as ZIP",
        "privacy.not_found": "No person, debtor or case matches.",
    }
)

# ------------------------------------------------------------------ the portal assistant

TEXTS["de"].update(
    {
        "portal.nav.assistant": "Fragen an den Assistenten",
        "assistant.title": "Fragen an den Assistenten",
        "assistant.note": (
            "Der Assistent ist ein Computerprogramm, kein Mensch. Er antwortet aus Ihrem "
            "Vorgang, kann manches gleich für Sie erledigen und gibt alles andere an eine "
            "Mitarbeiterin oder einen Mitarbeiter weiter. Rechtsberatung gibt er nicht."
        ),
        "assistant.welcome": (
            "Schreiben Sie Ihre Frage in eigenen Worten – zum Beispiel „Wie viel ist noch "
            "offen?“, „Kann ich in Raten zahlen?“ oder „Ich zahle am 15.“."
        ),
        "assistant.log": "Gesprächsverlauf",
        "assistant.your_message": "Ihre Nachricht",
        "assistant.hint": "Höchstens 2000 Zeichen. Der Assistent antwortet sofort, auch nachts.",
        "assistant.send": "Senden",
        "assistant.thinking": "Der Assistent antwortet …",
        "assistant.you": "Sie",
        "assistant.you_agent": "Schuldner",
        "assistant.bot": "Assistent (automatisch)",
        "assistant.offer": "Ratenangebot",
        "assistant.accept": "Angebot verbindlich annehmen",
        "assistant.new": "Neues Gespräch beginnen",
        "assistant.error.empty": "Bitte schreiben Sie eine Nachricht.",
        "assistant.address.applied": "Anschrift übernommen.",
        "work.assistant.title": "Gespräche mit dem Assistenten",
        "work.assistant.messages": "Nachrichten",
        "work.assistant.handed_over": "an eine Person übergeben",
        "work.assistant.rule": "Regel",
        "work.assistant.address_stated": "Vom Schuldner genannte neue Anschrift",
        "work.assistant.apply": "Anschrift übernehmen",
        "work.task.assistant_handover": "Übergabe vom Assistenten",
        "work.task.address_review": "Anschrift prüfen",
        "work.event.assistant.message": "Nachricht an den Assistenten",
        "work.event.assistant.handover": "Assistent hat an eine Person übergeben",
        "work.event.address.stated": "Neue Anschrift genannt",
        "work.event.address.changed": "Anschrift geändert",
        "work.event.contact.added": "Kontaktdaten ergänzt",
    }
)
TEXTS["en"].update(
    {
        "portal.nav.assistant": "Ask the assistant",
        "assistant.title": "Ask the assistant",
        "assistant.note": (
            "The assistant is a computer program, not a person. It answers from your case, can "
            "do some things for you at once and passes everything else to a member of staff. It "
            "gives no legal advice. It answers in German."
        ),
        "assistant.welcome": (
            "Write your question in your own words – for example “How much is still open?”, "
            "“Can I pay in instalments?” or “I will pay on the 15th.”"
        ),
        "assistant.log": "Conversation",
        "assistant.your_message": "Your message",
        "assistant.hint": "At most 2000 characters. The assistant answers at once, also at night.",
        "assistant.send": "Send",
        "assistant.thinking": "The assistant is answering …",
        "assistant.you": "You",
        "assistant.you_agent": "Debtor",
        "assistant.bot": "Assistant (automated)",
        "assistant.offer": "Instalment offer",
        "assistant.accept": "Accept the offer",
        "assistant.new": "Start a new conversation",
        "assistant.error.empty": "Please write a message.",
        "assistant.address.applied": "Address taken over.",
        "work.assistant.title": "Conversations with the assistant",
        "work.assistant.messages": "messages",
        "work.assistant.handed_over": "handed over to a person",
        "work.assistant.rule": "rule",
        "work.assistant.address_stated": "New address stated by the debtor",
        "work.assistant.apply": "Take over the address",
        "work.task.assistant_handover": "Hand-over from the assistant",
        "work.task.address_review": "Check address",
        "work.event.assistant.message": "Message to the assistant",
        "work.event.assistant.handover": "Assistant handed over to a person",
        "work.event.address.stated": "New address stated",
        "work.event.address.changed": "Address changed",
        "work.event.contact.added": "Contact details added",
    }
)

# the team lead's, compliance and administrator pages, search, timeline in words
from mahnwerk.web.i18n_pages import DE as _PAGES_DE  # noqa: E402
from mahnwerk.web.i18n_pages import EN as _PAGES_EN  # noqa: E402

TEXTS["de"].update(_PAGES_DE)
TEXTS["en"].update(_PAGES_EN)
