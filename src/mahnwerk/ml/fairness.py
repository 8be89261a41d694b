"""Fairness audit of a model version, with protected attributes held apart from the features.

For each protected attribute (default: sex and age band) the audit computes, per group,
discrimination (AUC), calibration (ECE and the gap between mean score and observed rate),
selection rate, true and false positive rates – and across groups:

* ``dp_difference`` – selection-rate gap (demographic parity difference, fairlearn);
* ``eo_difference`` – equalised-odds difference (largest gap in TPR or FPR, fairlearn);
* ``auc_gap`` – largest difference in AUC between groups;
* ``calibration_gap`` – largest |mean score − observed rate| of a group.

"Selected" means: predicted to pay, i.e. score at or above a threshold (default: the score
quantile that selects as many cases as actually paid). Every limit is configurable
(:class:`AuditLimits`); each metric passes or fails on its own, and the audit passes only if
all do. Groups smaller than ``min_group_size`` are reported but not judged. If the model's
feature list is given, the audit also fails when a protected attribute or proxy is among it.

The report is HTML (German first, English in brackets); PDF rendering is left for the
documents package (typst) and not done here yet.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
from jinja2 import Environment

from mahnwerk.ml.metrics import expected_calibration_error
from mahnwerk.ml.protected import protected_columns

DEFAULT_ATTRIBUTES = ("sex", "age_band")

METRIC_DE = {
    "dp_difference": "Unterschied der Auswahlquote (Demographic Parity)",
    "eo_difference": "Unterschied der Fehlerraten (Equalized Odds)",
    "auc_gap": "Unterschied der Trennschärfe (AUC)",
    "calibration_gap": "Kalibrierungsabweichung einer Gruppe",
    "protected_features": "Geschützte Merkmale unter den Modellmerkmalen",
}
ATTRIBUTE_DE = {
    "sex": "Geschlecht",
    "age_band": "Altersgruppe",
    "nationality": "Staatsangehörigkeit",
}


@dataclass(frozen=True)
class AuditLimits:
    """Configurable limits; a metric above its limit fails."""

    max_dp_difference: float = 0.15
    max_eo_difference: float = 0.15
    max_auc_gap: float = 0.08
    max_calibration_gap: float = 0.05
    min_group_size: int = 100


@dataclass
class AuditResult:
    """Outcome of :func:`audit`."""

    model_version: str
    limits: AuditLimits
    threshold: float
    groups: pd.DataFrame
    checks: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks["passed"].all())

    def failed_checks(self) -> pd.DataFrame:
        return self.checks[~self.checks["passed"]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version,
            "passed": self.passed,
            "threshold": self.threshold,
            "limits": asdict(self.limits),
            "checks": json.loads(self.checks.to_json(orient="records")),
            "groups": json.loads(self.groups.to_json(orient="records")),
            "notes": self.notes,
        }

    def to_html(self) -> str:
        """The audit report as a self-contained HTML page (German, English in brackets)."""
        env = Environment(autoescape=True)
        return env.from_string(_TEMPLATE).render(
            r=self,
            checks=self.checks.to_dict(orient="records"),
            groups=self.groups.to_dict(orient="records"),
            metric_de=METRIC_DE,
            attribute_de=ATTRIBUTE_DE,
            limits=asdict(self.limits),
        )

    def save(self, directory: str | Path) -> Path:
        """Write ``fairness_audit.json`` and ``fairness_audit.html`` into ``directory``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        (d / "fairness_audit.json").write_text(
            json.dumps(self.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8"
        )
        (d / "fairness_audit.html").write_text(self.to_html(), encoding="utf-8")
        return d / "fairness_audit.html"


def protected_for_cases(cases: pd.DataFrame, protected: pd.DataFrame) -> pd.DataFrame:
    """Person-level protected attributes mapped onto cases (index ``case_id``)."""
    merged = cases[["case_id", "person_id"]].merge(protected, on="person_id", how="left")
    return merged.drop(columns="person_id").set_index("case_id")


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else float("nan")


def audit(
    scores: pd.Series,
    y_true: pd.Series,
    protected: pd.DataFrame,
    model_version: str = "",
    attributes: tuple[str, ...] = DEFAULT_ATTRIBUTES,
    limits: AuditLimits | None = None,
    threshold: float | None = None,
    feature_names: list[str] | None = None,
    age_allowed: bool = False,
) -> AuditResult:
    """Audit ``scores`` (probability of payment) against outcomes ``y_true`` by group.

    ``scores``, ``y_true`` and ``protected`` share one index (e.g. ``case_id``); rows with a
    missing attribute (e.g. businesses have no sex) are left out for that attribute.
    """
    lim = limits or AuditLimits()
    idx = scores.index
    s_all = scores.to_numpy(np.float64)
    y_all = y_true.reindex(idx).to_numpy(np.int64)
    prot = protected.reindex(idx)
    if threshold is None:
        threshold = float(np.quantile(s_all, 1 - y_all.mean()))
    sel_all = (s_all >= threshold).astype(int)
    group_rows: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    notes: list[str] = []

    def check(metric: str, attribute: str, value: float, limit: float) -> None:
        ok = bool(np.isnan(value) or value <= limit)
        checks.append(
            {
                "metric": metric,
                "attribute": attribute,
                "value": float(value),
                "limit": float(limit),
                "passed": ok,
            }
        )

    for attr in attributes:
        col = prot[attr]
        present = col.notna().to_numpy()
        g = col.astype(object).where(col.notna(), "").astype(str).to_numpy()
        counts = pd.Series(g[present]).value_counts()
        judged = set(counts[counts >= lim.min_group_size].index)
        for grp in sorted(counts.index):
            m = present & (g == grp)
            y, s, sel = y_all[m], s_all[m], sel_all[m]
            pos, neg = y == 1, y == 0
            group_rows.append(
                {
                    "attribute": attr,
                    "group": str(grp),
                    "n": int(m.sum()),
                    "judged": grp in judged,
                    "observed_rate": float(y.mean()),
                    "mean_score": float(s.mean()),
                    "selection_rate": float(sel.mean()),
                    "tpr": float(sel[pos].mean()) if pos.any() else float("nan"),
                    "fpr": float(sel[neg].mean()) if neg.any() else float("nan"),
                    "auc": _auc(y, s),
                    "ece": expected_calibration_error(y, s),
                    "calibration_gap": float(abs(s.mean() - y.mean())),
                }
            )
            if grp not in judged:
                notes.append(
                    f"{ATTRIBUTE_DE.get(attr, attr)} „{grp}“: nur {int(m.sum())} Fälle – "
                    f"berichtet, aber nicht bewertet (Mindestgröße {lim.min_group_size})."
                )
        m = present & np.isin(g, list(judged))
        if len(judged) < 2:
            notes.append(f"{ATTRIBUTE_DE.get(attr, attr)}: weniger als zwei bewertbare Gruppen.")
            continue
        sf = g[m]
        check(
            "dp_difference",
            attr,
            float(demographic_parity_difference(y_all[m], sel_all[m], sensitive_features=sf)),
            lim.max_dp_difference,
        )
        check(
            "eo_difference",
            attr,
            float(equalized_odds_difference(y_all[m], sel_all[m], sensitive_features=sf)),
            lim.max_eo_difference,
        )
        rows = [r for r in group_rows if r["attribute"] == attr and r["judged"]]
        aucs = [r["auc"] for r in rows if not np.isnan(r["auc"])]
        check("auc_gap", attr, max(aucs) - min(aucs) if aucs else float("nan"), lim.max_auc_gap)
        check(
            "calibration_gap",
            attr,
            max(r["calibration_gap"] for r in rows),
            lim.max_calibration_gap,
        )
    if feature_names is not None:
        bad = protected_columns(feature_names, allow_age=age_allowed)
        checks.append(
            {
                "metric": "protected_features",
                "attribute": ", ".join(bad) or "—",
                "value": float(len(bad)),
                "limit": 0.0,
                "passed": not bad,
            }
        )
    return AuditResult(
        model_version=model_version,
        limits=lim,
        threshold=float(threshold),
        groups=pd.DataFrame(group_rows),
        checks=pd.DataFrame(checks, columns=["metric", "attribute", "value", "limit", "passed"]),
        notes=notes,
    )


_TEMPLATE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">
<title>Fairness-Prüfung {{ r.model_version }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #bbb;padding:.3rem .6rem;text-align:right}
th{background:#eee}
td.l,th.l{text-align:left}
.ok{color:#176317;font-weight:600}.fail{color:#a31212;font-weight:600}
.en{color:#666;font-size:.9em}
</style></head><body>
<h1>Fairness-Prüfung – Modellversion {{ r.model_version }}
<span class="en">(fairness audit)</span></h1>
<p>Ergebnis: {% if r.passed %}<span class="ok">BESTANDEN</span> <span class="en">(passed)</span>
{% else %}<span class="fail">NICHT BESTANDEN</span> <span class="en">(failed)</span> – die Version
darf nur mit schriftlich begründeter Freigabe durch Compliance aktiviert werden.{% endif %}</p>
<p>Geschützte Merkmale werden getrennt von den Modellmerkmalen gehalten und nur für diese
Prüfung verwendet. „Ausgewählt“ heißt: Score ≥ {{ "%.3f"|format(r.threshold) }}
(voraussichtlich zahlend). <span class="en">Protected attributes are held apart from the
features and used only for this audit. “Selected” means score ≥ threshold.</span></p>
<h2>Kennzahlen und Grenzen <span class="en">(metrics and limits)</span></h2>
<table><tr><th class="l">Kennzahl</th><th class="l">Merkmal</th>
<th>Wert</th><th>Grenze</th><th>Ergebnis</th></tr>
{% for c in checks %}<tr>
<td class="l">{{ metric_de.get(c.metric, c.metric) }}<br>
<span class="en">{{ c.metric }}</span></td>
<td class="l">{{ attribute_de.get(c.attribute, c.attribute) }}</td>
<td>{{ "%.3f"|format(c.value) }}</td>
<td>{{ "%.3f"|format(c.limit) }}</td>
<td>{% if c.passed %}<span class="ok">bestanden</span>
{% else %}<span class="fail">nicht bestanden</span>{% endif %}</td></tr>
{% endfor %}</table>
<h2>Gruppen <span class="en">(groups)</span></h2>
<table><tr><th class="l">Merkmal</th><th class="l">Gruppe</th><th>Fälle</th><th>Zahlungsquote</th>
<th>Ø Score</th><th>Auswahlquote</th><th>TPR</th><th>FPR</th><th>AUC</th><th>ECE</th></tr>
{% for g in groups %}<tr><td class="l">{{ attribute_de.get(g.attribute, g.attribute) }}</td>
<td class="l">{{ g.group }}{% if not g.judged %} *{% endif %}</td><td>{{ g.n }}</td>
<td>{{ "%.3f"|format(g.observed_rate) }}</td><td>{{ "%.3f"|format(g.mean_score) }}</td>
<td>{{ "%.3f"|format(g.selection_rate) }}</td><td>{{ "%.3f"|format(g.tpr) }}</td>
<td>{{ "%.3f"|format(g.fpr) }}</td>
<td>{{ "%.3f"|format(g.auc) }}</td><td>{{ "%.3f"|format(g.ece) }}</td></tr>
{% endfor %}</table>
{% if r.notes %}<h2>Hinweise <span class="en">(notes)</span></h2><ul>
{% for n in r.notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
<h2>Grenzen der Prüfung <span class="en">(configured limits)</span></h2>
<ul>{% for k, v in limits.items() %}<li>{{ k }} = {{ v }}</li>{% endfor %}</ul>
<p class="en">Die PDF-Fassung dieses Berichts folgt mit dem Dokumentenmodul
(PDF rendering will come later).</p>
</body></html>
"""
