"""How much the matcher's signals weigh: a conditional logit with an isotonic calibration.

Every candidate allocation of a bank entry (:mod:`mahnwerk.banking.matching`) is described
by a set of binary features (``ref_cd``: our case number with its check digits in the text,
``iban``: the payer's account is established for the debtor, ``amt_balance``: the amount is
the open balance, …). Its score is the sum of the features' weights; the candidates of one
entry compete with each other and with "none of them" (weight ``none``)::

    p(candidate i) = exp(s_i) / (exp(s_none) + Σ_j exp(s_j))

so two candidates that fit equally well each get at most one half, and an entry whose only
candidate rests on weak signals keeps most of its mass on "none". The weights are fitted by
maximum likelihood on the project's noisy statement generator
(:mod:`mahnwerk.banking.generator`, seeds apart from the benchmark's) and then the
probability of the best candidate is calibrated with an isotonic (monotone, piecewise linear)
map measured on further generated statements: a confidence of 0.9 then means that nine of ten
such bookings were right on the generator. ``bench/banking/calibrate_matching.py`` does both
and writes ``data/match_model.json``, which is shipped with the package: nothing is trained at
run time.

>>> model = MatchModel(weights={"ref_cd": 9.0, "amt_balance": 2.0}, none=0.0)
>>> round(model.probabilities([model.score(("ref_cd", "amt_balance"))])[0], 5)
0.99998
>>> [round(p, 3) for p in model.probabilities([2.0, 2.0])]
[0.468, 0.468]
"""

from __future__ import annotations

import bisect
import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

#: Every feature the matcher may emit, in a stable order (the columns of the training data).
FEATURES: tuple[str, ...] = (
    # references in the text (the strongest kind found for the item)
    "ref_cd",  # our case number with valid check digits (MW prefix, any zeros and separators)
    "ref_cd_digits",  # our case number's ten digits with valid check digits, no prefix
    "ref_cd_fuzzy",  # one digit wrong, missing, extra or swapped; the check digits confirm
    "ref_cd_typo",  # the case number exact, its check digits wrong or missing
    "ref_exact",  # a case number without check digits (migrated numbers), exact
    "ref_digits",  # its digits without prefix
    "ref_fuzzy",  # one edit in the digits, not confirmed by check digits
    "ref_own",  # our own end-to-end id or mandate reference on a returned direct debit
    "inv",  # an invoice number that only this case has
    "inv_shared",  # an invoice number several cases have (the payer fits this one)
    "inv_core",  # an invoice number's digits without its prefix (the payer fits)
    "ref_multi",  # named by two different references (case number and invoice number)
    "ref_unrivalled",  # no case of another debtor is named by any reference
    "ref_rival",  # another case is named too, and name or account and amount fit it as well
    "named_first",  # the text names several cases of the debtor; this one first
    "named_later",  # … this one, not first
    "sibling_named",  # the text names another case of the debtor, not this one
    "doubt",  # a near miss of the reference belongs to someone the payer fits
    # account and name
    "iban",  # the payer's IBAN is established for the debtor (own data, mandate, payment)
    "iban_learned",  # a person confirmed that this IBAN pays for the debtor
    "iban_sole",  # … and the debtor has only this one open case
    "iban_other",  # the payer's IBAN belongs to another debtor, not to this one
    "name_strong",
    "name_weak",
    "name_learned",  # a payer name confirmed for the debtor
    # amount
    "amt_balance",
    "amt_value_date",  # the balance at the value date (interest since then not yet due)
    "amt_instalment",
    "amt_invoice",  # the full invoice amount(s), without interest and costs
    "amt_less_costs",  # the balance less the costs
    "amt_partial",
    "amt_over",
    "amt_sibling",  # the amount fits another case of the debtor, not this one
    # several cases at once
    "split_named_sum",  # the cases named in the text, the amount is their sum
    "split_order",  # the cases named in the text, no sum fits: first named, rest by age
    "split_sum",  # the amount is the sum of some of the debtor's cases
    "split_unnamed",  # … none of them named in the text
    "return",  # a returned direct debit (Rücklastschrift)
)


@dataclass(frozen=True)
class MatchModel:
    """Feature weights, the score of "none", and the calibration of the best candidate."""

    weights: Mapping[str, float]
    none: float = 0.0
    #: isotonic map of the best candidate's probability: knots ``x`` (increasing) → ``y``
    calibration_x: tuple[float, ...] = ()
    calibration_y: tuple[float, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # every feature has a weight (0 when the model does not know it): scoring is a sum
        full = dict.fromkeys(FEATURES, 0.0)
        full.update(self.weights)
        object.__setattr__(self, "_w", full)

    def score(self, features: Iterable[str]) -> float:
        return sum(map(self._w.__getitem__, features))  # type: ignore[attr-defined]

    def probabilities(self, scores: Sequence[float]) -> list[float]:
        """Softmax over the candidates and "none", then the calibration map."""
        if not scores:
            return []
        top = max(max(scores), self.none)
        exps = [math.exp(s - top) for s in scores]
        total = math.exp(self.none - top) + sum(exps)
        return [self.calibrate(e / total) for e in exps]

    def calibrate(self, p: float) -> float:
        xs, ys = self.calibration_x, self.calibration_y
        if not xs:
            return p
        i = bisect.bisect_right(xs, p)
        if i == 0:
            return ys[0]
        if i == len(xs):
            return ys[-1]
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return y0 + (y1 - y0) * (p - x0) / (x1 - x0) if x1 > x0 else y1

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "weights": {f: round(self.weights.get(f, 0.0), 6) for f in FEATURES},
            "none": round(self.none, 6),
            "calibration": {
                "x": [round(x, 6) for x in self.calibration_x],
                "y": [round(y, 6) for y in self.calibration_y],
            },
            "meta": dict(self.meta),
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> MatchModel:
        unknown = set(data["weights"]) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features in the match model: {sorted(unknown)}")
        cal = data.get("calibration") or {}
        return MatchModel(
            weights={f: float(v) for f, v in data["weights"].items()},
            none=float(data["none"]),
            calibration_x=tuple(float(x) for x in cal.get("x", ())),
            calibration_y=tuple(float(y) for y in cal.get("y", ())),
            meta=dict(data.get("meta") or {}),
        )


@functools.cache
def default_model() -> MatchModel:
    """The model shipped with the package (``data/match_model.json``)."""
    text = resources.files("mahnwerk.banking").joinpath("data/match_model.json").read_text()
    return MatchModel.from_json(json.loads(text))
