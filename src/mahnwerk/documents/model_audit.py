"""The fairness audit report of a model version as PDF (typst), from the same data as the
HTML report (:meth:`mahnwerk.ml.fairness.AuditResult.to_dict` plus a few model facts).

The data reaches ``templates/model_audit.typ`` as JSON in ``sys.inputs.data``; German first,
English in brackets, like the HTML report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import typst

from mahnwerk.documents.render import TEMPLATES, default_font_paths

TEMPLATE = TEMPLATES / "model_audit.typ"


def _num(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    if v != v:
        return "–"
    return f"{v:.3f}".replace(".", ",")


def report_data(
    audit: dict[str, Any], model: dict[str, Any], names: Mapping[str, str]
) -> dict[str, Any]:
    """Template data: texts already formatted (German number format); ``names`` gives the
    German name of each metric and attribute (the audit's own, see ``mahnwerk.ml.fairness``)."""
    checks = [
        {
            "metric": names.get(str(c.get("metric")), str(c.get("metric"))),
            "attribute": names.get(str(c.get("attribute")), str(c.get("attribute"))),
            "value": _num(c.get("value")),
            "limit": _num(c.get("limit")),
            "passed": bool(c.get("passed")),
        }
        for c in audit.get("checks", [])
    ]
    groups = [
        {
            "attribute": names.get(str(g.get("attribute")), str(g.get("attribute"))),
            "group": str(g.get("group")),
            "n": str(g.get("n")),
            "observed": _num(g.get("observed_rate")),
            "score": _num(g.get("mean_score")),
            "selection": _num(g.get("selection_rate")),
            "tpr": _num(g.get("tpr")),
            "fpr": _num(g.get("fpr")),
            "auc": _num(g.get("auc")),
        }
        for g in audit.get("groups", [])
    ]
    return {
        "version": str(audit.get("model_version", model.get("version", ""))),
        "passed": bool(audit.get("passed")),
        "threshold": _num(audit.get("threshold")),
        "checks": checks,
        "groups": groups,
        "notes": [str(n) for n in audit.get("notes", [])],
        "created": str(model.get("audited_at", "")),
        "window": ", ".join(f"{k}: {v}" for k, v in (model.get("data_window") or {}).items()),
        "features": ", ".join(model.get("feature_names", [])),
        "age_used": bool(model.get("age_used", False)),
    }


def render_audit_pdf(
    audit: dict[str, Any],
    model: dict[str, Any],
    names: Mapping[str, str],
    font_paths: Sequence[Path] | None = None,
) -> bytes:
    """The audit report as PDF bytes (``names``: see :func:`report_data`)."""
    fonts = list(font_paths) if font_paths is not None else default_font_paths()
    compiler = typst.Compiler(
        str(TEMPLATE),
        root=str(TEMPLATES),
        font_paths=[str(f) for f in fonts],
        ignore_system_fonts=True,
    )
    data = json.dumps(report_data(audit, model, names), ensure_ascii=False)
    pdf = compiler.compile(format="pdf", sys_inputs={"data": data})
    assert isinstance(pdf, bytes)
    return pdf
