"""Keyword rules for what must never be missed: a death, an insolvency, a hardship, a
complaint. They are applied over the model (:mod:`.understand`): a message with such a word
goes to a person whatever the model thinks, because missing one costs far more than handing
over a message that did not need it.

The rules read the normalised text (:func:`mahnwerk.assistant.text.normalize`: lower case,
umlauts spelled out). Long keywords also match with a typing error (a token within a small
edit distance, ``verstroben`` → ``verstorben``), since these messages are often written in a
hurry.

>>> [hit.intent for hit in safety_hits("mein Vater ist verstorben")]
['deceased']
>>> [hit.intent for hit in safety_hits("ich bin in privatinsolvnez")]
['insolvency']
>>> [hit.intent for hit in safety_hits("bin arbeitslos, kann ich in raten zahlen")]
['hardship']
>>> safety_hits("kann ich in raten zahlen")
[]
>>> strongest(safety_hits("mein mann ist tot und ich bin arbeitslos")).intent
'deceased'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from mahnwerk.assistant.text import normalize

#: The order in which rule hits win when several fire (the first is strongest).
PRIORITY = ("deceased", "insolvency", "hardship", "complaint")

PATTERNS: dict[str, tuple[str, ...]] = {
    "deceased": (
        r"\bverstorben",
        r"\bgestorben\b",
        r"\bverstarb\b",
        r"\bstarb\b",
        r"\btot\b",
        r"\btode?s?\b",
        r"\btodes",
        r"\bsterbe",
        r"\bnachlass",
        r"\berb(e|en|in|schaft|schein)\b",
        r"\berbschaft",
        r"\bwitwer?\b",
        r"\bbeerdig",
        r"\bbeisetzung",
        r"\bbeigesetzt",
        r"\bhinterbliebene",
        r"\btrauerfall",
        r"\bableben",
        r"\bentschlafen",
        r"\btoedlich",
        r"von uns gegangen",
        r"nicht mehr am leben",
        r"lebt nicht mehr",
        r"\bpassed away\b",
        r"\bdied\b",
        r"\bdeceased\b",
        r"\bdead\b",
        r"\bmy late\b",
        r"inherit",
        r"\bexecutor\b",
        r"\bthe estate\b",
    ),
    "insolvency": (
        r"insolven",
        r"restschuldbefreiung",
        r"\brsb\b",
        r"wohlverhalten",
        r"treuhaender",
        r"\bkonkurs",
        r"\bbankrott",
        r"\bbankrupt",
        r"\binsolvency\b",
        r"\b\d*\s?i[nk]\s?\d+/\d+",  # an insolvency court's file number: 35 IK 456/24
        r"zur tabelle",
        r"insolvenztabelle",
        r"\btrustee\b",
        r"discharge of (my|all my) debts",
    ),
    "hardship": (
        r"arbeitslos",
        r"erwerbslos",
        r"arbeitssuchend",
        r"job verloren",
        r"(mir|bin)\s(\w+\s)?gekuendigt",
        r"gekuendigt worden",
        r"(job|arbeit|stelle|arbeitsplatz) (\w+ )?(gekuendigt|verloren)",
        r"\bentlassen\b",
        r"caritas",
        r"diakonie",
        r"beratungsstelle",
        r"social security",
        r"unemployment",
        r"afford (to live|food|the rent|rent)",
        r"weiss (nicht|nich|ned|net) mehr weiter",
        r"(voellig|total|komplett|finanziell) am ende",
        r"(nicht mal|nicht einmal|kaum) geld (fuer|zum)",
        r"kein(en)? (cent|geld|einkommen) mehr\b",
        r"\b(trennung|scheidung)\b",
        r"illness|disease|disabled|in hospital|homeless",
        r"\bzum leben\b",
        r"nach (der|abzug der) miete",
        r"bleib(t|en) (mir )?(nur|gerade( mal)?|kaum|zurzeit( nur| mal)?)\b",
        r"ohne (arbeit|job|einkommen)",
        r"buergergeld",
        r"\bhartz",
        r"\balg ?(1|2|i|ii)\b",
        r"sozialhilfe",
        r"grundsicherung",
        r"\bwohngeld",
        r"jobcenter",
        r"schuldnerberat",
        r"\bp-?konto",
        r"pfaendungsschutz",
        r"existenzminimum",
        r"\bkrank",
        r"alleinerziehend",
        r"arbeitsunfaehig",
        r"erwerbsunfaehig",
        r"pflegefall",
        r"pflegebeduerftig",
        r"\bkrebs",
        r"depression",
        r"\breha\b",
        r"obdachlos",
        r"wohnungslos",
        r"zahlungsunfaehig",
        r"\bpleite\b",
        r"notlage",
        r"ueberschuldet",
        r"schwerbehindert",
        r"kurzarbeit",
        r"abgestellt",
        r"kein geld (fuer|zum) (essen|leben|lebensmittel|die miete)",
        r"(gar|ueberhaupt|absolut) (nichts|nix) (zahlen|bezahlen)",
        r"\bunemployed\b",
        r"lost my job",
        r"\bbenefits\b",
        r"\bwelfare\b",
        r"debt counsel",
        r"no income",
        r"no money at all",
        r"\bsick\b",
        r"\b(am|i'm|very|seriously|long-term|chronically) ill\b",
    ),
    "complaint": (
        r"beschwer",
        r"unverschaemt",
        r"frechheit",
        r"belaestig",
        r"respektlos",
        r"unfreundlich",
        r"angeschrien",
        r"beleidig",
        r"beschimpf",
        r"bedroh",
        r"drohung",
        r"\bgedroht",
        r"drohbrief",
        r"\bdroh(t|en)\b",
        r"noetigung",
        r"schikan",
        r"psychoterror",
        r"\bterror",
        r"einschuechter",
        r"aufsichtsbehoerde",
        r"verbraucherzentrale",
        r"\bharass",
        r"\brude\b",
        r"\bcomplaint",
        r"\bthreaten",
        r"unacceptable",
        r"inakzeptabel",
        r"zumutung",
        r"\bempoert",
        r"\bentsetzt",
        r"kein umgang",
        r"(antwortet|reagiert|meldet sich) (hier )?(niemand|keiner)",
        r"(niemand|keiner) (antwortet|reagiert|meldet sich)",
        r"(erwarte|verlange|will|moechte)\s+(\w+\s+)?entschuldigung",
        r"entschuldigen sie sich",
    ),
}

#: Long keywords that also match a token with a typing error: about as long (±1 letter) and
#: ``fuzz.ratio`` ≥ :data:`FUZZY` (``gestren`` – a typo of "gestern" – is not "gestorben").
FUZZY_WORDS: dict[str, tuple[str, ...]] = {
    "deceased": (
        "verstorben",
        "gestorben",
        "verstarb",
        "sterbeurkunde",
        "sterbefall",
        "trauerfall",
        "todesfall",
        "inheritance",
        "beerdigung",
        "nachlass",
    ),
    "insolvency": (
        "insolvenz",
        "insolvent",
        "privatinsolvenz",
        "insolvenzverfahren",
        "insolvenzverwalter",
        "restschuldbefreiung",
        "verbraucherinsolvenz",
        "insolvency",
    ),
    "hardship": (
        "arbeitslos",
        "schuldnerberatung",
        "buergergeld",
        "arbeitslosengeld",
        "krankgeschrieben",
        "arbeitsunfaehig",
        "zahlungsunfaehig",
        "grundsicherung",
        "sozialhilfe",
        "schuldnerberaterin",
        "notlage",
    ),
    "complaint": (
        "beschwerde",
        "unverschaemt",
        "frechheit",
        "belaestigung",
        "psychoterror",
        "noetigung",
        "schikaniert",
        "respektlos",
        "unacceptable",
    ),
}
FUZZY = 85


def _umlauts_optional(pattern: str) -> str:
    """``ue`` also as ``u`` (and ``ae``, ``oe``): debtors often drop the umlaut's e.

    >>> _umlauts_optional("gekuendigt")
    'gek(?:ue|u)ndigt'
    """
    return re.sub(r"([aou])e", r"(?:\1e|\1)", pattern)


_COMPILED = {
    intent: [re.compile(_umlauts_optional(p)) for p in pats] for intent, pats in PATTERNS.items()
}
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class RuleHit:
    intent: str
    #: what matched (the keyword or the pattern), for the reason shown to agents
    matched: str


def safety_hits(text: str) -> list[RuleHit]:
    """Every safety intent whose keywords occur in ``text`` (one hit per intent, in the
    order of :data:`PRIORITY`)."""
    norm = normalize(text)
    tokens = [t for t in _TOKEN.findall(norm) if len(t) >= 7]
    hits = []
    for intent in PRIORITY:
        found = next((m.group(0) for p in _COMPILED[intent] if (m := p.search(norm))), None)
        if found is None:
            found = next(
                (
                    t
                    for t in tokens
                    for word in FUZZY_WORDS[intent]
                    if (abs(len(t) - len(word)) <= 1 and fuzz.ratio(t, word) >= FUZZY)
                    or (len(word) >= 9 and word in t)
                ),
                None,
            )
        if found is not None:
            hits.append(RuleHit(intent, found.strip()))
    return hits


def strongest(hits: list[RuleHit]) -> RuleHit | None:
    """The hit that wins (:data:`PRIORITY`), or ``None``."""
    return hits[0] if hits else None
