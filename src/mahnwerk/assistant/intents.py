"""The intents of a debtor's message and which of them a person must answer.

>>> len(INTENTS), "plan" in INTENTS
(16, True)
>>> sorted(MUST_HAND_OVER)
['complaint', 'deceased', 'hardship', 'insolvency']
>>> MUST_HAND_OVER <= HAND_OVER
True
"""

from __future__ import annotations

#: Every intent, with what it means (German for the agents' screens).
INTENTS: dict[str, str] = {
    "balance": "Frage nach dem offenen Betrag",
    "explain": "Frage, wofür die Forderung ist und wie Zinsen und Kosten entstehen",
    "payment_details": "Frage, wie und wohin gezahlt wird",
    "paid_already": "sagt, es sei schon bezahlt",
    "dispute": "bestreitet die Forderung",
    "plan": "möchte in Raten zahlen oder kann nicht auf einmal zahlen",
    "promise": "verspricht Zahlung zu einem Datum",
    "hardship": "Notlage (Arbeitslosigkeit, Krankheit, Schuldnerberatung, zahlungsunfähig)",
    "insolvency": "Insolvenz",
    "deceased": "Schuldner verstorben (Angehörige schreiben)",
    "human": "möchte eine Person sprechen oder einen Rückruf",
    "contact_preference": "wie oder wann Kontakt erwünscht ist (oder nicht)",
    "address_change": "neue Anschrift",
    "privacy": "Datenschutz: Herkunft der Daten, Auskunft, Löschung",
    "complaint": "Beschwerde über die Behandlung",
    "other": "Sonstiges",
}

#: Intents a person answers: the conversation becomes a task for the agents.
HAND_OVER = frozenset({"hardship", "insolvency", "deceased", "complaint", "privacy", "human"})

#: Intents that must never be answered by the assistant alone (the acceptance criterion of
#: the held-out test: none of these may go without hand-over).
MUST_HAND_OVER = frozenset({"hardship", "insolvency", "deceased", "complaint"})
