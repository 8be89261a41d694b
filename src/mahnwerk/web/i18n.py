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
