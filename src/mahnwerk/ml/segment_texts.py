"""The behavioural segments' names with their profile and suggested approach (German, for
team leads and agents), apart from :mod:`mahnwerk.ml.segments` so that the daily run's
next-best-action features can name them without importing scikit-learn and pandas."""

from __future__ import annotations

#: name → (profile, suggested approach), German, for team leads and agents.
SEGMENT_TEXTS: dict[str, tuple[str, str]] = {
    "neu, noch ohne Verlauf": (
        "Junger Fall, kaum Kontakte – über das Verhalten ist noch nichts bekannt.",
        "Freundliche Erstansprache über mehrere Kanäle mit Zahlungslink und Ratenangebot; "
        "noch keine Eskalation.",
    ),
    "nicht erreichbar": (
        "Briefe kommen zurück, E-Mails und SMS prallen ab, Anrufe erreichen niemanden.",
        "Anschrift und Kontaktdaten ermitteln (Melderegister, Adressrecherche); keine weiteren "
        "Standardschreiben an die alte Anschrift.",
    ),
    "zahlungswillig, aber knapp bei Kasse": (
        "Reagiert und sagt Zahlungen zu, kann die Zusagen aber oft nicht halten.",
        "Kleinere Raten oder eine Stundung anbieten, Budget telefonisch besprechen, auf "
        "kostenlose Schuldnerberatung hinweisen.",
    ),
    "zahlt zuverlässig in Teilen": (
        "Zahlt regelmäßig und hält Zusagen ein; ein großer Teil ist schon beglichen.",
        "Nicht drängen: Ratenplan schriftlich festhalten, vor Fälligkeit freundlich erinnern.",
    ),
    "erreichbar, aber ohne Reaktion": (
        "Nachrichten kommen an, es kommt aber keine Antwort und keine Zahlung.",
        "Kanal und Uhrzeit wechseln (Anruf zur bevorzugten Zeit, SMS), Forderung verständlich "
        "erklären, nach Einwänden fragen.",
    ),
    "hoher Betrag, Verhandlung": (
        "Hoher offener Betrag bei gemischtem Verhalten.",
        "Persönliche Bearbeitung: Vergleich oder langfristigen Ratenplan anbieten.",
    ),
    "reagiert, zahlt noch nicht": (
        "Antwortet auf Kontakte, hat aber bisher wenig gezahlt.",
        "Konkrete Zahlungsvereinbarung anbieten, Rückruf vereinbaren, Zahlungslink senden.",
    ),
}
