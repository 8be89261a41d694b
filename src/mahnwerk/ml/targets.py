"""Training targets, read from the payments after ``as_of`` – as the store will hold them.

For a snapshot at ``as_of`` (every case open then):

* ``pay_30d``: any (not reversed) payment within 30 days after ``as_of``;
* ``full_180d``: payments within 180 days cover the open amount at ``as_of``;
* ``collected_cents`` / ``collected_share``: what came in within 180 days (capped at the
  open amount), the basis of the expected amount collected.

Features must be built from the same histories cut at ``as_of``
(:func:`mahnwerk.ml.features.build_features` does that), so nothing leaks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mahnwerk.ml.history import CaseHistories

TARGETS = ("pay_30d", "full_180d", "collected_share")


def build_targets(histories: CaseHistories) -> pd.DataFrame:
    """Targets per ``case_id`` from payments in the windows after ``histories.as_of``."""
    t = histories.as_of
    cases = histories.cases[histories.cases["opened_at"] <= t]
    index = pd.Index(cases["case_id"].to_numpy(), name="case_id")
    m = len(index)
    pay = histories.payments
    pay = pay[~pay["reversed"].to_numpy(bool)]
    pos = index.get_indexer(pay["case_id"].to_numpy())
    days = ((pay["ts"] - t) / pd.Timedelta(days=1)).to_numpy()
    amt = pay["amount_cents"].to_numpy(np.float64)
    before = (pos >= 0) & (days <= 0)
    in30 = (pos >= 0) & (days > 0) & (days <= 30)
    in180 = (pos >= 0) & (days > 0) & (days <= 180)
    total = (cases["principal_cents"] + cases["costs_cents"]).to_numpy(np.float64)
    paid_before = np.bincount(pos[before], weights=amt[before], minlength=m)
    open_cents = np.maximum(total - paid_before, 0)
    got = np.bincount(pos[in180], weights=amt[in180], minlength=m)
    collected = np.minimum(got, open_cents)
    return pd.DataFrame(
        {
            "pay_30d": (np.bincount(pos[in30], minlength=m) > 0).astype(np.int8),
            "full_180d": (got >= open_cents - 1).astype(np.int8),
            "collected_cents": collected,
            "collected_share": np.where(open_cents > 0, collected / np.maximum(open_cents, 1), 0),
            "open_cents": open_cents,
        },
        index=index,
    )
