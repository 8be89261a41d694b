"""Payment-probability model: training, calibration, versioned artefacts and scoring.

Three targets (see :mod:`mahnwerk.ml.targets`), one LightGBM booster each:

* ``pay_30d`` – probability of any payment within 30 days (binary, calibrated);
* ``full_180d`` – probability of full settlement within 180 days (binary, calibrated);
* ``collected_share`` – expected share of the open amount collected within 180 days
  (cross-entropy objective on a share in [0, 1]); times the open amount it gives the
  expected amount collected.

Training splits cases by person (so one person's cases never sit on both sides) into
train / calibration / test. The boosters learn on train; an isotonic map fitted on the
calibration split turns raw probabilities into calibrated ones; all metrics (AUC, Brier,
ECE, reliability curve) come from the untouched test split.

An artefact is a directory::

    <root>/<version>/
        pay_30d.lgb.txt  full_180d.lgb.txt  collected_share.lgb.txt   (LightGBM text models)
        calibration.json                                              (isotonic maps)
        metadata.json        version, data window, features, params, metrics, model card
        MODEL_CARD.de.md  MODEL_CARD.en.md

:meth:`PaymentModel.score` returns score, version and – unless ``reasons=False``, the fast
path – the top three reasons from the payment model's own contributions in plain German.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression

from mahnwerk.ml.features import CATEGORICAL_FEATURES, FeatureConfig
from mahnwerk.ml.metrics import binary_metrics, reliability_curve
from mahnwerk.ml.protected import check_no_protected
from mahnwerk.ml.reasons import top_reasons

BINARY_TARGETS = ("pay_30d", "full_180d")
SHARE_TARGET = "collected_share"
MODEL_FILES = {t: f"{t}.lgb.txt" for t in (*BINARY_TARGETS, SHARE_TARGET)}


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters; shallow trees keep scoring and TreeSHAP fast."""

    n_estimators: int = 150
    learning_rate: float = 0.08
    num_leaves: int = 15
    max_depth: int = 5
    min_child_samples: int = 50
    reg_lambda: float = 1.0
    subsample: float = 0.8
    colsample: float = 0.9
    calibration_share: float = 0.2
    test_share: float = 0.2
    seed: int = 0
    num_threads: int = 2
    include_age: bool = False

    def lgb_params(self, objective: str) -> dict[str, Any]:
        return {
            "objective": objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "max_depth": self.max_depth,
            "min_data_in_leaf": self.min_child_samples,
            "lambda_l2": self.reg_lambda,
            "bagging_fraction": self.subsample,
            "bagging_freq": 1,
            "feature_fraction": self.colsample,
            "seed": self.seed,
            "deterministic": True,
            "num_threads": self.num_threads,
            "verbose": -1,
        }


@dataclass
class PaymentModel:
    """A trained (or loaded) model version."""

    boosters: dict[str, lgb.Booster]
    calibration: dict[str, dict[str, list[float]]]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.metadata["version"])

    @property
    def feature_names(self) -> list[str]:
        return list(self.metadata["feature_names"])

    # ------------------------------------------------------------------ predict
    def _matrix(self, features: pd.DataFrame) -> np.ndarray:
        missing = [c for c in self.feature_names if c not in features.columns]
        if missing:
            raise ValueError(f"Merkmale fehlen: {missing}")
        return np.ascontiguousarray(features[self.feature_names].to_numpy(dtype=np.float32))

    def _threads(self, num_threads: int | None) -> int:
        return int(num_threads or self.metadata.get("params", {}).get("num_threads", 2))

    def predict(
        self, features: pd.DataFrame, target: str = "pay_30d", num_threads: int | None = None
    ) -> np.ndarray:
        """Calibrated probability (binary targets) or expected share (``collected_share``)."""
        return self._predict(self._matrix(features), target, self._threads(num_threads))

    def _predict(self, x: np.ndarray, target: str, threads: int) -> np.ndarray:
        raw = np.asarray(self.boosters[target].predict(x, num_threads=threads), dtype=np.float64)
        cal = self.calibration.get(target)
        if cal is None:
            return raw
        return np.interp(raw, cal["x"], cal["y"])

    def score(
        self,
        features: pd.DataFrame,
        reasons: bool = True,
        n_reasons: int = 3,
        num_threads: int | None = None,
    ) -> pd.DataFrame:
        """Score every row of a feature matrix (index ``case_id``).

        Columns: ``p_pay_30d``, ``p_full_180d``, ``expected_share``, ``expected_amount_eur``
        (if ``open_amount_eur`` is present), ``model_version`` and, with ``reasons=True``,
        ``reason_1..n`` (German), ``reason_code_1..n``, ``reason_effect_1..n``.
        """
        x = self._matrix(features)
        threads = self._threads(num_threads)
        out = pd.DataFrame(index=features.index)
        out["p_pay_30d"] = self._predict(x, "pay_30d", threads)
        out["p_full_180d"] = self._predict(x, "full_180d", threads)
        share = np.clip(self._predict(x, SHARE_TARGET, threads), 0.0, 1.0)
        out["expected_share"] = share
        if "open_amount_eur" in features.columns:
            out["expected_amount_eur"] = share * features["open_amount_eur"].to_numpy(np.float64)
        out["model_version"] = self.version
        if reasons:
            contrib = self.contributions(features, num_threads=threads)
            out = out.join(top_reasons(contrib, features[self.feature_names], n_reasons))
        return out

    def contributions(
        self, features: pd.DataFrame, target: str = "pay_30d", num_threads: int | None = None
    ) -> np.ndarray:
        """TreeSHAP contributions (raw score) per feature plus the bias column."""
        x = self._matrix(features)
        return np.asarray(
            self.boosters[target].predict(
                x, pred_contrib=True, num_threads=self._threads(num_threads)
            )
        )

    # --------------------------------------------------------------- persistence
    def save(self, root: str | Path) -> Path:
        """Write the artefact to ``root/<version>/`` and return that directory."""
        path = Path(root) / self.version
        path.mkdir(parents=True, exist_ok=True)
        for target, booster in self.boosters.items():
            booster.save_model(str(path / MODEL_FILES[target]))
        (path / "calibration.json").write_text(
            json.dumps(self.calibration, indent=1), encoding="utf-8"
        )
        (path / "metadata.json").write_text(
            json.dumps(self.metadata, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        card = self.metadata.get("model_card", {})
        for lang in ("de", "en"):
            (path / f"MODEL_CARD.{lang}.md").write_text(card.get(lang, ""), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> PaymentModel:
        """Load an artefact directory written by :meth:`save`."""
        p = Path(path)
        meta = json.loads((p / "metadata.json").read_text(encoding="utf-8"))
        boosters = {
            t: lgb.Booster(model_file=str(p / f))
            for t, f in MODEL_FILES.items()
            if (p / f).exists()
        }
        cal = json.loads((p / "calibration.json").read_text(encoding="utf-8"))
        return cls(boosters=boosters, calibration=cal, metadata=meta)


def split_by_group(
    groups: np.ndarray, calibration_share: float, test_share: float, seed: int = 0
) -> np.ndarray:
    """0 = train, 1 = calibration, 2 = test; deterministic per group (e.g. person)."""
    uniq, inv = np.unique(np.asarray(groups), return_inverse=True)
    u = np.random.default_rng(seed).random(len(uniq))[inv]
    return np.where(u < test_share, 2, np.where(u < test_share + calibration_share, 1, 0))


def _fit_isotonic(raw: np.ndarray, y: np.ndarray) -> dict[str, list[float]]:
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y)
    return {"x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist()}


def train(
    features: pd.DataFrame,
    targets: pd.DataFrame,
    groups: pd.Series | np.ndarray | None = None,
    config: TrainConfig | None = None,
    data_window: dict[str, str] | None = None,
    created_at: datetime | None = None,
    version: str | None = None,
) -> PaymentModel:
    """Train the three boosters, calibrate, evaluate and describe the model version.

    ``features``/``targets`` are indexed by ``case_id`` (same order); ``groups`` (e.g.
    person ids) keeps a person's cases on one side of the split. ``data_window`` is recorded
    in the metadata (e.g. ``{"from": ..., "to": ..., "as_of": ...}``).
    """
    cfg = config or TrainConfig()
    names = list(FeatureConfig(include_age=cfg.include_age).feature_names())
    check_no_protected(features.columns, allow_age=cfg.include_age)
    targets = targets.loc[features.index]
    x = np.ascontiguousarray(features[names].to_numpy(dtype=np.float32))
    g = np.asarray(groups) if groups is not None else features.index.to_numpy()
    part = split_by_group(g, cfg.calibration_share, cfg.test_share, cfg.seed)
    tr, ca, te = part == 0, part == 1, part == 2
    cats = [c for c in CATEGORICAL_FEATURES if c in names]

    boosters: dict[str, lgb.Booster] = {}
    calibration: dict[str, dict[str, list[float]]] = {}
    metrics: dict[str, Any] = {}
    for target in (*BINARY_TARGETS, SHARE_TARGET):
        y = targets[target].to_numpy(dtype=np.float64)
        objective = "binary" if target in BINARY_TARGETS else "cross_entropy"
        ds = lgb.Dataset(
            x[tr], label=y[tr], feature_name=names, categorical_feature=cats, free_raw_data=True
        )
        booster = lgb.train(cfg.lgb_params(objective), ds, num_boost_round=cfg.n_estimators)
        boosters[target] = booster
        raw_ca = booster.predict(x[ca], num_threads=cfg.num_threads)
        raw_te = np.asarray(booster.predict(x[te], num_threads=cfg.num_threads))
        if target in BINARY_TARGETS:
            calibration[target] = _fit_isotonic(np.asarray(raw_ca), y[ca])
            p_te = np.interp(raw_te, calibration[target]["x"], calibration[target]["y"])
            m: dict[str, Any] = dict(binary_metrics(y[te], p_te))
            m["uncalibrated"] = binary_metrics(y[te], raw_te)
            m["reliability_curve"] = reliability_curve(y[te], p_te)
            metrics[target] = m
        else:
            open_eur = targets["open_cents"].to_numpy(np.float64)[te] / 100
            pred = np.clip(raw_te, 0, 1) * open_eur
            actual = y[te] * open_eur
            metrics[target] = {
                "mae_share": float(np.mean(np.abs(np.clip(raw_te, 0, 1) - y[te]))),
                "mae_amount_eur": float(np.mean(np.abs(pred - actual))),
                "predicted_total_eur": float(pred.sum()),
                "actual_total_eur": float(actual.sum()),
                "n": int(te.sum()),
            }

    created = created_at or datetime.now(UTC)
    digest = hashlib.sha256()
    for t in sorted(boosters):
        digest.update(boosters[t].model_to_string().encode())
    digest.update(json.dumps(calibration).encode())
    ver = version or f"{created:%Y%m%d}-{digest.hexdigest()[:10]}"
    meta: dict[str, Any] = {
        "version": ver,
        "created_at": created.isoformat(timespec="seconds"),
        "data_window": data_window or {},
        "n_cases": {"train": int(tr.sum()), "calibration": int(ca.sum()), "test": int(te.sum())},
        "feature_names": names,
        "categorical_features": cats,
        "age_used": cfg.include_age,
        "targets": [*BINARY_TARGETS, SHARE_TARGET],
        "calibration_method": "isotonic (held-out calibration split)",
        "params": asdict(cfg),
        "metrics": metrics,
        "library_versions": {"lightgbm": lgb.__version__, "numpy": np.__version__},
    }
    meta["model_card"] = model_card(meta)
    return PaymentModel(boosters=boosters, calibration=calibration, metadata=meta)


def _f(x: float) -> str:
    return f"{x:.3f}"


def model_card(meta: dict[str, Any]) -> dict[str, str]:
    """Model card text in German and English from the metadata."""
    m30 = meta["metrics"]["pay_30d"]
    m180 = meta["metrics"]["full_180d"]
    window = meta.get("data_window") or {}
    win = ", ".join(f"{k}: {v}" for k, v in window.items()) or "—"
    feats = ", ".join(meta["feature_names"])
    age_de = (
        "Das Alter wird als Merkmal verwendet (ausdrücklich eingeschaltet); die Fairness-Prüfung "
        "muss zeigen, dass es keinen Schaden anrichtet."
        if meta["age_used"]
        else "Das Alter wird nicht verwendet (Standard)."
    )
    age_en = (
        "Age IS used as a feature (explicitly switched on); the fairness audit must show it "
        "does no harm."
        if meta["age_used"]
        else "Age is not used (default)."
    )
    n = meta["n_cases"]
    de = f"""# Modellkarte – Zahlungswahrscheinlichkeit, Version {meta["version"]}

**Zweck.** Schätzt für offene Fälle die Wahrscheinlichkeit einer Zahlung binnen 30 Tagen, einer
vollständigen Begleichung binnen 180 Tagen und den erwarteten Eingang. Die Werte ordnen die
Arbeit der Sachbearbeitung und wählen zwischen Vorgehensweisen, die der Gläubiger erlaubt.
Ein Score allein löst **nie** einen gerichtlichen Schritt, eine Vollstreckung, eine
Auskunfteimeldung oder eine Ausbuchung aus (Art. 22 DSGVO); jede Entscheidung, die einen Score
nutzt, wird mit Score, Version und Gründen beim Fall gespeichert.

**Modell.** LightGBM (Gradient Boosting), Wahrscheinlichkeiten isotonisch kalibriert auf einem
zurückgehaltenen Kalibrierungsanteil; Gründe aus den eigenen Merkmalsbeiträgen (TreeSHAP).

**Daten.** Zeitraum: {win}. Fälle: Training {n["train"]}, Kalibrierung {n["calibration"]},
Test {n["test"]} (nach Person getrennt).

**Merkmale.** {feats}.
Geschlecht, Staatsangehörigkeit, Herkunft, Namen, Postleitzahl und andere Stellvertreter werden
nie verwendet. {age_de}

**Güte (Testanteil).** Zahlung binnen 30 Tagen: AUC {_f(m30["auc"])}, Brier {_f(m30["brier"])},
ECE {_f(m30["ece"])}. Vollständige Begleichung binnen 180 Tagen: AUC {_f(m180["auc"])},
Brier {_f(m180["brier"])}, ECE {_f(m180["ece"])}.

**Grenzen.** Das Modell beschreibt Verhalten in der Vergangenheit; bei verändertem Bestand
(Drift-Überwachung, PSI ≥ 0,2) ist es neu zu trainieren. Die Fairness-Prüfung (Bericht je
Version) muss bestanden sein, bevor die Version aktiviert wird.
"""
    en = f"""# Model card – payment probability, version {meta["version"]}

**Purpose.** Estimates, for open cases, the probability of any payment within 30 days, of full
settlement within 180 days, and the expected amount collected. Scores order the agents' work
and choose among strategies the creditor allows. A score alone **never** triggers a court or
enforcement step, a credit-bureau report or a write-off (GDPR Art. 22); every decision that
used a score is stored with the case together with score, version and reasons.

**Model.** LightGBM gradient boosting, probabilities calibrated with isotonic regression on a
held-out calibration split; reasons from the model's own feature contributions (TreeSHAP).

**Data.** Window: {win}. Cases: train {n["train"]}, calibration {n["calibration"]},
test {n["test"]} (split by person).

**Features.** {feats}.
Sex, nationality, origin, names, postcode and other proxies are never used. {age_en}

**Performance (test split).** Payment within 30 days: AUC {_f(m30["auc"])},
Brier {_f(m30["brier"])}, ECE {_f(m30["ece"])}. Full settlement within 180 days:
AUC {_f(m180["auc"])}, Brier {_f(m180["brier"])}, ECE {_f(m180["ece"])}.

**Limits.** The model describes past behaviour; retrain when the population drifts (PSI ≥ 0.2).
The fairness audit (one report per version) must pass before the version is activated.
"""
    return {"de": de, "en": en}


def data_window(histories: Any) -> dict[str, str]:
    """The training data window of a :class:`~mahnwerk.ml.history.CaseHistories`."""
    cases = histories.cases
    return {
        "from": str(pd.Timestamp(cases["opened_at"].min()).date()),
        "to": str(pd.Timestamp(histories.as_of).date()),
        "as_of": str(pd.Timestamp(histories.as_of).date()),
        "outcome_until": str((pd.Timestamp(histories.as_of) + pd.Timedelta(days=180)).date()),
    }


def train_from_histories(
    histories: Any, config: TrainConfig | None = None, **kwargs: Any
) -> tuple[PaymentModel, pd.DataFrame, pd.DataFrame]:
    """Features + targets from histories (outcome window included), then :func:`train`.

    Returns the model, the feature matrix and the targets.
    """
    from mahnwerk.ml.features import build_features
    from mahnwerk.ml.targets import build_targets

    cfg = config or TrainConfig()
    feats = build_features(histories, FeatureConfig(include_age=cfg.include_age))
    targ = build_targets(histories).loc[feats.index]
    persons = histories.cases.set_index("case_id")["person_id"].reindex(feats.index)
    model = train(
        feats,
        targ,
        groups=persons.to_numpy(),
        config=cfg,
        data_window=data_window(histories),
        **kwargs,
    )
    return model, feats, targ
