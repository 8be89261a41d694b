"""Behavioural segments: k-means on scaled behaviour features, named by rules.

Clusters alone mean nothing to a team lead, so each cluster centre (in original units) runs
through an ordered list of plain rules that give it a German name, a short profile and a
suggested approach – e.g. "zahlungswillig, aber knapp bei Kasse" → smaller instalments,
deferral, a pointer to debt counselling. Two clusters may share a name; the approach is
per name. The fitted segmenter is plain JSON (scaler, centres, names), so it can be stored
next to a model version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

from mahnwerk.ml.segment_texts import SEGMENT_TEXTS

#: Variables the clustering uses (derived from the feature matrix by :func:`segment_variables`).
SEGMENT_VARIABLES: tuple[str, ...] = (
    "n_contacts",
    "response_rate",
    "reach_fail_share",
    "paid_share",
    "n_payments",
    "promises_broken",
    "promises_kept",
    "log10_open_eur",
)


def segment_variables(features: pd.DataFrame) -> pd.DataFrame:
    """The clustering variables from a feature matrix (see :data:`SEGMENT_VARIABLES`)."""
    f = features
    n = f["n_contacts"].to_numpy(np.float64)
    fail = (f["n_bounced_contacts"] + f["n_calls_not_reached"]).to_numpy(np.float64)
    return pd.DataFrame(
        {
            "n_contacts": n,
            "response_rate": f["response_rate"].fillna(0).to_numpy(np.float64),
            "reach_fail_share": np.where(n > 0, fail / np.maximum(n, 1), 0.0),
            "paid_share": f["paid_share"].to_numpy(np.float64),
            "n_payments": f["n_payments"].to_numpy(np.float64),
            "promises_broken": (f["n_promises_broken"] + f["n_instalments_broken"]).to_numpy(
                np.float64
            ),
            "promises_kept": (f["n_promises_kept"] + f["n_instalments_kept"]).to_numpy(np.float64),
            "log10_open_eur": np.log10(np.maximum(f["open_amount_eur"].to_numpy(np.float64), 1)),
        },
        index=f.index,
    )


def name_for(centre: dict[str, float]) -> str:
    """The segment name of one cluster centre (original units), by ordered rules."""
    c = centre
    if c["n_contacts"] < 3:
        return "neu, noch ohne Verlauf"
    if c["reach_fail_share"] >= 0.3:
        return "nicht erreichbar"
    if c["promises_broken"] >= 0.8 and c["response_rate"] >= 0.2:
        return "zahlungswillig, aber knapp bei Kasse"
    if c["paid_share"] >= 0.3 and c["n_payments"] >= 2:
        return "zahlt zuverlässig in Teilen"
    if c["response_rate"] < 0.12:
        return "erreichbar, aber ohne Reaktion"
    if c["log10_open_eur"] >= 3:
        return "hoher Betrag, Verhandlung"
    return "reagiert, zahlt noch nicht"


def _profile_numbers(c: dict[str, float]) -> str:
    return (
        f"Ø {c['n_contacts']:.0f} Kontakte, Reaktionsquote {100 * c['response_rate']:.0f} %, "
        f"unzustellbar {100 * c['reach_fail_share']:.0f} %, bezahlt {100 * c['paid_share']:.0f} %, "
        f"{c['promises_broken']:.1f} gebrochene / {c['promises_kept']:.1f} gehaltene Zusagen, "
        f"offen ca. {10 ** c['log10_open_eur']:,.0f} €".replace(",", ".")
    )


@dataclass
class Segmenter:
    """Fitted segmentation: scaler, k-means centres and the names of the clusters."""

    mean: np.ndarray
    scale: np.ndarray
    centres: np.ndarray  # scaled space
    names: list[str]

    @classmethod
    def fit(cls, features: pd.DataFrame, k: int = 7, seed: int = 0) -> Segmenter:
        """Cluster the cases of ``features`` into ``k`` segments (seeded, deterministic)."""
        v = segment_variables(features).to_numpy()
        mean, scale = v.mean(axis=0), v.std(axis=0)
        scale[scale == 0] = 1.0
        km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit((v - mean) / scale)
        centres = km.cluster_centers_
        raw = centres * scale + mean
        names = [name_for(dict(zip(SEGMENT_VARIABLES, row, strict=True))) for row in raw]
        return cls(mean=mean, scale=scale, centres=centres, names=names)

    def assign(self, features: pd.DataFrame) -> pd.DataFrame:
        """Segment of every case: ``segment_id``, ``segment``, ``profile``, ``approach``."""
        v = (segment_variables(features).to_numpy() - self.mean) / self.scale
        d = ((v[:, None, :] - self.centres[None, :, :]) ** 2).sum(axis=2)
        ids = d.argmin(axis=1)
        names = np.array(self.names, dtype=object)[ids]
        return pd.DataFrame(
            {
                "segment_id": ids,
                "segment": names,
                "profile": [SEGMENT_TEXTS[n][0] for n in names],
                "approach": [SEGMENT_TEXTS[n][1] for n in names],
            },
            index=features.index,
        )

    def summary(self, features: pd.DataFrame | None = None) -> pd.DataFrame:
        """One row per cluster: name, profile with centre figures, approach, share of cases."""
        raw = self.centres * self.scale + self.mean
        rows = []
        share = None
        if features is not None:
            ids = self.assign(features)["segment_id"].to_numpy()
            share = np.bincount(ids, minlength=len(self.names)) / max(len(ids), 1)
        for i, name in enumerate(self.names):
            c = dict(zip(SEGMENT_VARIABLES, raw[i], strict=True))
            rows.append(
                {
                    "segment_id": i,
                    "segment": name,
                    "profile": f"{SEGMENT_TEXTS[name][0]} ({_profile_numbers(c)})",
                    "approach": SEGMENT_TEXTS[name][1],
                    "share": float(share[i]) if share is not None else float("nan"),
                }
            )
        return pd.DataFrame(rows)

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "variables": list(SEGMENT_VARIABLES),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "centres": self.centres.tolist(),
            "names": self.names,
        }
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Segmenter:
        d = json.loads(text)
        return cls(
            mean=np.array(d["mean"]),
            scale=np.array(d["scale"]),
            centres=np.array(d["centres"]),
            names=list(d["names"]),
        )
