"""How well the assistant understands: accuracy per intent on a set of labelled messages,
and whether every message of the must-hand-over intents went to a person.

Used by ``bench/assistant/bench_intents.py`` (the figures in the README) and by the tests
(the acceptance criterion: overall accuracy ≥ 90 % on the held-out test, no must-hand-over
message answered by the assistant alone).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from mahnwerk.assistant.corpus import Example
from mahnwerk.assistant.intents import HAND_OVER, INTENTS, MUST_HAND_OVER
from mahnwerk.assistant.model import IntentModel
from mahnwerk.assistant.understand import understand

#: any fixed day: the intent does not depend on it
EVALUATION_DAY = date(2026, 1, 12)


@dataclass(frozen=True)
class IntentFigures:
    intent: str
    n: int
    correct: int
    precision: float
    recall: float
    handed_over: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0


@dataclass(frozen=True)
class Report:
    n: int
    correct: int
    per_intent: dict[str, IntentFigures]
    #: must-hand-over messages the assistant would have answered alone (must be empty)
    missed_handovers: list[Example] = field(default_factory=list)
    handover_rate_other: float = 0.0
    by_rule: int = 0
    confusions: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0


def evaluate(model: IntentModel, examples: Sequence[Example]) -> Report:
    """Run :func:`~mahnwerk.assistant.understand.understand` on every example."""
    predicted: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    total: Counter[str] = Counter()
    handed: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    missed: list[Example] = []
    by_rule = 0
    for example in examples:
        u = understand(example.text, EVALUATION_DAY, model)
        total[example.intent] += 1
        predicted[u.intent] += 1
        by_rule += u.source == "rule"
        if u.intent == example.intent:
            correct[example.intent] += 1
        else:
            confusions[(example.intent, u.intent)] += 1
        if u.handover:
            handed[example.intent] += 1
        elif example.intent in MUST_HAND_OVER:
            missed.append(example)
    per = {
        i: IntentFigures(
            i,
            total[i],
            correct[i],
            correct[i] / predicted[i] if predicted[i] else 0.0,
            correct[i] / total[i] if total[i] else 0.0,
            handed[i],
        )
        for i in INTENTS
    }
    self_served = [i for i in INTENTS if i not in HAND_OVER and i != "other"]
    others = sum(total[i] for i in self_served)
    return Report(
        n=sum(total.values()),
        correct=sum(correct.values()),
        per_intent=per,
        missed_handovers=missed,
        handover_rate_other=sum(handed[i] for i in self_served) / others if others else 0.0,
        by_rule=by_rule,
        confusions=[(a, b, n) for (a, b), n in confusions.most_common()],
    )
