"""One message → intent, confidence, entities and whether a person must answer.

The decision, in order:

1. **Rules first** (:mod:`.rules`): a word of death, insolvency, hardship or a complaint
   decides the intent (confidence 1.0, ``source="rule"``), whatever the model says.
2. **The model** (:mod:`.model`) otherwise: the most probable intent and its probability.
3. **Hand-over** when the intent is one a person answers (:data:`~.intents.HAND_OVER`),
   when the model is unsure (top probability below :data:`CONFIDENCE_THRESHOLD`), or when
   the model gives the intents that must never be missed (:data:`~.intents.MUST_HAND_OVER`)
   together at least :data:`SAFETY_THRESHOLD` – a message that might be a hardship goes to a
   person even if "plan" scored higher.

The two thresholds were chosen on the training corpus's grouped cross-validation (see
``bench/assistant``), not on the held-out test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from mahnwerk.assistant.entities import Entities, extract
from mahnwerk.assistant.intents import HAND_OVER, MUST_HAND_OVER
from mahnwerk.assistant.model import IntentModel
from mahnwerk.assistant.rules import safety_hits, strongest
from mahnwerk.assistant.text import normalize

#: Below this top probability the assistant does not act on its own: a person answers.
CONFIDENCE_THRESHOLD = 0.4
#: From this summed probability of the must-hand-over intents a person answers.
SAFETY_THRESHOLD = 0.15


@dataclass(frozen=True)
class Understanding:
    intent: str
    confidence: float
    #: ``rule`` or ``model``
    source: str
    entities: Entities
    handover: bool
    #: why a person answers: ``intent``, ``rule``, ``low_confidence``, ``safety`` (or "")
    handover_reason: str = ""
    #: the rule's keyword, for the agents' task
    matched: str = ""
    probabilities: dict[str, float] = field(default_factory=dict)


def understand(text: str, today: date, model: IntentModel) -> Understanding:
    """The intent and entities of one message (see the module docstring)."""
    entities = extract(text, today)
    hit = strongest(safety_hits(text))
    intent, confidence, probs = model.predict(text)
    if hit is not None:
        return Understanding(
            hit.intent, 1.0, "rule", entities, True, "rule", hit.matched, probabilities=probs
        )
    must = sum(p for i, p in probs.items() if i in MUST_HAND_OVER)
    reason = ""
    if intent in HAND_OVER:
        reason = "intent"
    elif confidence < CONFIDENCE_THRESHOLD:
        reason = "low_confidence"
    elif must >= SAFETY_THRESHOLD:
        reason = "safety"
    return Understanding(
        intent, confidence, "model", entities, bool(reason), reason, probabilities=probs
    )


#: an acceptance consists of these words only (anything else – a date, "aber" – is a new
#: message, not a yes)
_YES_START = frozenset(
    [
        "ja",
        "jo",
        "jup",
        "jep",
        "yes",
        "yep",
        "ok",
        "okay",
        "gut",
        "passt",
        "einverstanden",
        "akzeptiert",
        "akzeptiere",
        "abgemacht",
        "gerne",
        "gern",
        "genau",
        "prima",
        "super",
        "perfekt",
        "deal",
        "agreed",
        "accept",
        "angenommen",
        "annehmen",
        "klingt",
        "sounds",
        "alles",
        "machen",
        "ich",
        "i",
    ]
)
_YES_WORDS = _YES_START | frozenset(
    [
        "bitte",
        "danke",
        "vielen",
        "dank",
        "das",
        "ist",
        "so",
        "wir",
        "es",
        "an",
        "den",
        "die",
        "vorschlag",
        "angebot",
        "raten",
        "ratenzahlung",
        "nehme",
        "nehmen",
        "mache",
        "stimme",
        "zu",
        "good",
        "great",
        "fine",
        "the",
        "offer",
        "klar",
        "gut",
        "will",
        "moechte",
        "mfg",
        "lg",
        "einverstanden",
        "angebot",
        "plan",
        "that",
        "sounds",
    ]
)
_NO = re.compile(r"^(nein|ne|nee|no|nope|lieber nicht|nicht einverstanden|passt nicht|ablehnen)\b")


def is_yes(text: str) -> bool:
    """Whether a short answer accepts what was offered.

    >>> is_yes("Ja, einverstanden"), is_yes("ok passt"), is_yes("Ich nehme das Angebot an")
    (True, True, True)
    >>> is_yes("ja aber ich bin arbeitslos"), is_yes("nein"), is_yes("ja, nächsten Freitag")
    (False, False, False)
    """
    words = re.findall(r"[a-z]+|\d", normalize(text))
    return (
        bool(words)
        and words[0] in _YES_START
        and len(words) <= 8
        and all(w in _YES_WORDS for w in words)
    )


def is_no(text: str) -> bool:
    """Whether a short answer declines what was offered.

    >>> is_no("nein danke"), is_no("Nee, das ist zu viel"), is_no("ja")
    (True, True, False)
    """
    norm = normalize(text).strip(" .!")
    return bool(_NO.match(norm)) and len(norm.split()) <= 8
