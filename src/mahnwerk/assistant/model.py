"""The offline intent model: TF-IDF over character n-grams (2–5, within words) and words
(1–2), a linear support vector machine per intent, and probabilities calibrated on
templates the machine did not see (sigmoid calibration over a grouped five-fold split).

**Trained on the operator's machine, deterministically, at first use.** No model file is
shipped: the corpus (:mod:`.corpus`) and this code are the model. Training takes seconds
(see ``bench/assistant``), gives the same model on every machine (no randomness in the
pipeline, the corpus is seeded), and avoids shipping a pickled binary that a different
scikit-learn version could not load. The trained model is kept in memory per process and,
where a cache directory is given (``var/assistant`` of the installation), written there as a
joblib file named by a digest of the corpus's and this module's source and the scikit-learn
and Python versions (:func:`shipped_digest`), so that a command-line call does not train
again. A stale or unreadable cache file
is ignored and replaced.

Character n-grams within words carry the typing errors, the missing umlauts and the dialect
spellings; word n-grams carry negations and short phrases ("nie bestellt"). Digits are
mapped to ``0`` so that amounts and dates do not become vocabulary. A small keyword
lexicon per intent (:data:`LEXICON`, the words of the trade: IBAN, Rückruf, Ratenzahlung,
Restschuld …) adds one feature per intent, so that a phrasing the corpus does not have is
still recognised by its key word.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from mahnwerk.assistant.corpus import Example, split
from mahnwerk.assistant.intents import INTENTS
from mahnwerk.assistant.text import normalize

log = logging.getLogger(__name__)

#: Settings of the pipeline; part of the cache key, so a change retrains.
SETTINGS: dict[str, Any] = {
    "char_ngrams": (2, 5),
    "word_ngrams": (1, 2),
    "min_df": 2,
    "svm_c": 0.5,
    "lexicon_weight": 2.0,
    "calibration": "sigmoid",
    "folds": 5,
}
_DIGIT = re.compile(r"\d")


def prepare(text: str) -> str:
    """What the vectorisers read: the normalised text with every digit as ``0``.

    >>> prepare("Ich zahle 87,50 € am 15.")
    'ich zahle 00,00 € am 00.'
    """
    return _DIGIT.sub("0", normalize(text))


#: Key words per intent (normalised spelling: ``ue`` for ``ü``); each intent's feature is
#: the number of its words in the message (up to three), scaled.
LEXICON: dict[str, str] = {
    "balance": "offen restschuld restbetrag restsumme gesamtbetrag gesamtsumme saldo "
    "kontostand schulde schuldig wie viel wieviel insgesamt abloese owe balance "
    "outstanding how much total remaining",
    "explain": "wofuer warum wieso weshalb erklaer aufschluessel zusammensetz zusammen zinsen "
    "zinssatz gebuehr kosten verzugszins hauptforderung berechn versteh worum explain why "
    "calculat interest fees charges breakdown understand",
    "payment_details": "iban bic konto kontonummer bankverbindung bankdaten kontodaten "
    "verwendungszweck qr girocode paypal kreditkarte karte bar lastschrift einzug abbuch "
    "zahlungsmoeglich empfaenger wohin account reference cash card",
    "paid_already": "bezahlt ueberwiesen beglichen abgebucht beleg quittung nachweis "
    "kontoauszug gezahlt already paid transferred proof receipt debited settled",
    "dispute": "nie falsch gekuendigt widerspruch widerspreche bestreite unberechtigt "
    "zurueckgeschickt retour storniert widerrufen reklam defekt kaputt mangelhaft verjaehrt "
    "betrug verwechslung irrtum never wrong dispute returned cancel fraud object contest",
    "plan": "raten rate ratenzahlung monatlich monat teilzahlung abstottern abzahlen "
    "abbezahlen aufteilen einmal stunden instalment installment monthly plan once split parts",
    "promise": "naechsten gehalt lohn freitag montag dienstag mittwoch donnerstag morgen "
    "uebermorgen versprochen versprech werde will tomorrow next friday promise",
    "human": "mensch person sachbearbeiter rueckruf zurueckrufen telefonnummer hotline "
    "sprechen reden persoenlich bot chatbot ansprechpartner speak talk human agent someone",
    "contact_preference": "nur lieber bevorzuge erreichbar uhr abends vormittags nachmittags "
    "wochenende sms e-mail email mail whatsapp schriftlich post only prefer text keine nicht "
    "ausschliesslich",
    "address_change": "umgezogen umzug adresse anschrift wohne wohnort strasse str postanschrift "
    "moved address live",
    "privacy": "daten datenschutz dsgvo auskunft loeschen loesch gespeichert speichern woher "
    "datenschutzbeauftragt einwilligung gdpr data delete erase consent",
    "complaint": "beschwer unverschaemt frechheit belaestig unfreundlich respektlos droh "
    "beleidig verhalten ton behandlung behandelt umgang sauer wuetend veraergert complain rude "
    "harass threat unacceptable angry",
    "hardship": "arbeitslos krank schuldnerberatung buergergeld hartz rente notlage existenz "
    "miete essen job afford unemployed sick benefits",
    "insolvency": "insolvenz insolvent restschuldbefreiung treuhaender verwalter bankrupt "
    "insolvency trustee",
    "deceased": "verstorben gestorben tot tod erbe nachlass witwe beerdigung died dead passed "
    "estate",
    "other": "hallo hi danke tschuess ok okay test wetter bist kannst guten hello thanks bye",
}


class LexiconFeatures:
    """One feature per intent: how many of its :data:`LEXICON` words start a word of the
    text (0–3, scaled to ``weight``). A scikit-learn transformer."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight
        self.intents = sorted(LEXICON)
        self.patterns = [
            re.compile(r"\b(?:" + "|".join(map(re.escape, LEXICON[i].split())) + ")")
            for i in self.intents
        ]

    def fit(self, texts: Sequence[str], labels: Any = None) -> LexiconFeatures:
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        rows = [[min(len(p.findall(t)), 3) / 3 * self.weight for p in self.patterns] for t in texts]
        return sparse.csr_matrix(np.array(rows, dtype=float))

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"weight": self.weight}

    def set_params(self, **params: Any) -> LexiconFeatures:
        self.__init__(params.get("weight", self.weight))  # type: ignore[misc]
        return self


@dataclass
class IntentModel:
    """A fitted pipeline and the intents in the order of its probability columns."""

    pipeline: Any
    classes: tuple[str, ...]
    digest: str

    def probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        rows = self.pipeline.predict_proba([prepare(t) for t in texts])
        return [dict(zip(self.classes, map(float, row), strict=True)) for row in rows]

    def predict(self, text: str) -> tuple[str, float, dict[str, float]]:
        """The most likely intent, its probability and every intent's probability."""
        probs = self.probabilities([text])[0]
        best = max(probs, key=lambda k: probs[k])
        return best, probs[best], probs


def _pipeline(groups: Sequence[str], texts: Sequence[str], labels: Sequence[str]) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    features = make_union(
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=SETTINGS["char_ngrams"],
            sublinear_tf=True,
            min_df=SETTINGS["min_df"],
        ),
        TfidfVectorizer(
            analyzer="word",
            ngram_range=SETTINGS["word_ngrams"],
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w+\b",
        ),
        LexiconFeatures(SETTINGS["lexicon_weight"]),
    )
    # calibrated on held-out templates: probabilities mean "on new wording", not "on a
    # noisy copy of a phrasing seen in training" (which would make them overconfident)
    folds = list(GroupKFold(SETTINGS["folds"]).split(texts, labels, groups))
    svm = LinearSVC(C=SETTINGS["svm_c"], random_state=0)  # its solver shuffles
    return make_pipeline(
        features, CalibratedClassifierCV(svm, method=SETTINGS["calibration"], cv=folds)
    )


def corpus_digest(examples: Sequence[Example]) -> str:
    """A digest of the training data, the settings and the scikit-learn version."""
    import sklearn

    h = hashlib.sha256()
    h.update(json.dumps(SETTINGS, sort_keys=True, default=str).encode())
    h.update(sklearn.__version__.encode())
    for e in examples:
        h.update(f"{e.intent}\t{e.template}\t{e.text}\n".encode())
    return h.hexdigest()[:16]


def train(examples: Sequence[Example] | None = None) -> IntentModel:
    """Fit the model on ``examples`` (default: the corpus's training part)."""
    data = list(examples if examples is not None else split()[0])
    texts = [prepare(e.text) for e in data]
    labels = [e.intent for e in data]
    pipeline = _pipeline([e.template for e in data], texts, labels)
    pipeline.fit(texts, labels)
    classes = tuple(str(c) for c in pipeline.classes_)
    assert set(classes) == set(INTENTS), "every intent needs training examples"
    return IntentModel(pipeline, classes, corpus_digest(data))


_LOCK = threading.Lock()
_LOADED: dict[str, IntentModel] = {}


def shipped_digest() -> str:
    """A digest of what the shipped model is made of – the corpus module's source, this
    module's source (settings, lexicon, pipeline), the scikit-learn and Python versions (the
    corpus's seeded random draws) – known without expanding the corpus, so that a cached
    model is found in milliseconds."""
    from mahnwerk.assistant import corpus

    h = hashlib.sha256()
    for module_file in (corpus.__file__, __file__):
        h.update(Path(module_file).read_bytes())
    h.update(f"{version('scikit-learn')}|{sys.version_info[:2]}".encode())
    return h.hexdigest()[:16]


def load_or_train(cache_dir: Path | None = None) -> IntentModel:
    """The model of the shipped corpus: from memory, else from ``cache_dir``, else trained
    (and then written to ``cache_dir``). Safe to call from several threads."""
    digest = shipped_digest()
    with _LOCK:
        if digest in _LOADED:
            return _LOADED[digest]
        model = _read_cache(cache_dir, digest) if cache_dir is not None else None
        if model is None:
            model = train(split()[0])
            model.digest = digest
            if cache_dir is not None:
                _write_cache(cache_dir, model)
        _LOADED[digest] = model
        return model


def _cache_path(cache_dir: Path, digest: str) -> Path:
    return cache_dir / f"intent-model-{digest}.joblib"


def _read_cache(cache_dir: Path, digest: str) -> IntentModel | None:
    import joblib

    path = _cache_path(cache_dir, digest)
    if not path.is_file():
        return None
    try:
        model = joblib.load(path)
    except Exception:  # a damaged or foreign file: train again
        log.warning("assistant model cache %s unreadable, training again", path.name)
        return None
    if not isinstance(model, IntentModel) or model.digest != digest:
        return None
    return model


def _write_cache(cache_dir: Path, model: IntentModel) -> None:
    import joblib

    cache_dir.mkdir(parents=True, exist_ok=True)
    path = _cache_path(cache_dir, model.digest)
    tmp = path.with_suffix(".tmp")
    joblib.dump(model, tmp)
    tmp.replace(path)
    for old in cache_dir.glob("intent-model-*.joblib"):
        if old != path:
            old.unlink(missing_ok=True)
