"""Small Bayesian models that learn online: linear regression and logistic regression with a
Gaussian posterior over the coefficients (kept as mean and precision matrix).

* :class:`BayesLinear` – conjugate update with a known noise variance: the posterior after
  any sequence of batches equals the one after all data at once (order does not matter).
* :class:`BayesLogistic` – Laplace approximation, updated batch by batch (a few Newton steps
  from the previous posterior, which acts as the prior of the batch).

Both give, for rows ``X``, the mean and the variance of ``x·w`` under the posterior, which
is all Thompson sampling needs (one draw of ``x·w`` per case and action).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = np.column_stack([np.ones(2000), rng.random(2000)])
>>> m = BayesLinear.empty(2, prior_var=10.0, noise_var=0.01)
>>> m.update(X, 0.2 + 0.5 * X[:, 1] + rng.normal(0, 0.1, 2000))
>>> np.round(m.mean, 1).tolist()
[0.2, 0.5]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class BayesLinear:
    """``y = x·w + noise``, ``w ~ N(mean, precision⁻¹)``, noise variance ``noise_var``."""

    precision: np.ndarray
    bvec: np.ndarray  # precision @ mean (natural parameter)
    noise_var: float
    n: int = 0
    _mean: np.ndarray | None = None
    _cov: np.ndarray | None = None

    @classmethod
    def empty(cls, d: int, *, prior_var: float, noise_var: float) -> BayesLinear:
        return cls(np.eye(d) / prior_var, np.zeros(d), float(noise_var))

    def update(self, X: np.ndarray, y: np.ndarray) -> None:
        if len(X) == 0:
            return
        self.precision = self.precision + X.T @ X / self.noise_var
        self.bvec = self.bvec + X.T @ y / self.noise_var
        self.n += len(X)
        self._mean = self._cov = None

    def _solve(self) -> None:
        cov = np.linalg.inv(self.precision)
        self._cov = (cov + cov.T) / 2
        self._mean = self._cov @ self.bvec

    @property
    def mean(self) -> np.ndarray:
        if self._mean is None:
            self._solve()
        assert self._mean is not None
        return self._mean

    @property
    def cov(self) -> np.ndarray:
        if self._cov is None:
            self._solve()
        assert self._cov is not None
        return self._cov

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of ``x·w`` for each row of ``X``."""
        mu = X @ self.mean
        var = ((X @ self.cov) * X).sum(axis=1)
        return mu, np.maximum(var, 0.0)

    def scaled(self, factor: float) -> BayesLinear:
        """The same mean with ``factor`` times the precision (a weaker or stronger prior)."""
        return BayesLinear(self.precision * factor, self.bvec * factor, self.noise_var, self.n)


@dataclass
class BayesLogistic:
    """``P(y=1) = sigmoid(x·w)``, ``w ≈ N(mean, precision⁻¹)`` (Laplace approximation)."""

    mean_: np.ndarray
    precision: np.ndarray
    n: int = 0
    _cov: np.ndarray | None = None

    @classmethod
    def empty(cls, d: int, *, prior_var: float, intercept: float = 0.0) -> BayesLogistic:
        m = np.zeros(d)
        m[0] = intercept
        return cls(m, np.eye(d) / prior_var)

    @property
    def mean(self) -> np.ndarray:
        return self.mean_

    @property
    def cov(self) -> np.ndarray:
        if self._cov is None:
            cov = np.linalg.inv(self.precision)
            self._cov = (cov + cov.T) / 2
        return self._cov

    def update(self, X: np.ndarray, y: np.ndarray, *, steps: int = 4) -> None:
        if len(X) == 0:
            return
        prior_m, prior_p = self.mean_, self.precision
        w = prior_m.copy()
        hess = prior_p
        for _ in range(steps):
            p = 1.0 / (1.0 + np.exp(-np.clip(X @ w, -30, 30)))
            grad = X.T @ (y - p) - prior_p @ (w - prior_m)
            hess = prior_p + (X * (p * (1 - p))[:, None]).T @ X
            step = np.linalg.solve(hess, grad)
            w = w + step
            if float(np.abs(step).max()) < 1e-6:
                break
        p = 1.0 / (1.0 + np.exp(-np.clip(X @ w, -30, 30)))
        self.precision = prior_p + (X * (p * (1 - p))[:, None]).T @ X
        self.mean_ = w
        self.n += len(X)
        self._cov = None

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of the logit ``x·w`` for each row of ``X``."""
        mu = X @ self.mean_
        var = ((X @ self.cov) * X).sum(axis=1)
        return mu, np.maximum(var, 0.0)

    def probability(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(X @ self.mean_, -30, 30))))

    def scaled(self, factor: float) -> BayesLogistic:
        return BayesLogistic(self.mean_.copy(), self.precision * factor, self.n)


@dataclass
class UpliftLinear:
    """``y = x·w_base + x·w_g + noise`` for rows of group ``g`` (``x·w_base`` alone for rows
    of no group), one Gaussian posterior over all blocks.

    The base is learned from every row and the group blocks only from their own rows, each
    block shrunk towards zero by its prior: a group seen rarely says "no different from the
    base" instead of extrapolating a line fitted on a few rows. Sampling draws the base and
    each group's difference from their own posterior blocks.
    """

    groups: tuple[str, ...]
    precision: np.ndarray
    bvec: np.ndarray
    noise_var: float
    n: int = 0
    _mean: np.ndarray | None = None
    _cov: np.ndarray | None = None

    @classmethod
    def empty(
        cls,
        d: int,
        groups: tuple[str, ...],
        *,
        prior_var: float,
        uplift_var: float,
        noise_var: float,
    ) -> UpliftLinear:
        diag = np.concatenate(
            [np.full(d, 1.0 / prior_var), np.full(d * len(groups), 1.0 / uplift_var)]
        )
        return cls(tuple(groups), np.diag(diag), np.zeros(len(diag)), float(noise_var))

    @property
    def d(self) -> int:
        return len(self.bvec) // (1 + len(self.groups))

    def _block(self, g: int) -> slice:
        d = self.d
        return slice(d * (g + 1), d * (g + 2))

    def update(self, X: np.ndarray, group: np.ndarray, y: np.ndarray) -> None:
        """Rows ``X`` with group index ``group`` (-1: no group) and targets ``y``."""
        if len(X) == 0:
            return
        d, s2 = self.d, self.noise_var
        P, b = self.precision.copy(), self.bvec.copy()
        base = slice(0, d)
        P[base, base] += X.T @ X / s2
        b[base] += X.T @ y / s2
        for g in range(len(self.groups)):
            sel = group == g
            if not sel.any():
                continue
            Xg = X[sel]
            G = Xg.T @ Xg / s2
            blk = self._block(g)
            P[base, blk] += G
            P[blk, base] += G
            P[blk, blk] += G
            b[blk] += Xg.T @ y[sel] / s2
        self.precision, self.bvec = P, b
        self.n += len(X)
        self._mean = self._cov = None

    def _solve(self) -> None:
        cov = np.linalg.inv(self.precision)
        self._cov = (cov + cov.T) / 2
        self._mean = self._cov @ self.bvec

    @property
    def mean(self) -> np.ndarray:
        if self._mean is None:
            self._solve()
        assert self._mean is not None
        return self._mean

    @property
    def cov(self) -> np.ndarray:
        if self._cov is None:
            self._solve()
        assert self._cov is not None
        return self._cov

    def predict_base(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = self.d
        S = self.cov[:d, :d]
        return X @ self.mean[:d], np.maximum(((X @ S) * X).sum(axis=1), 0.0)

    def predict_uplift(self, X: np.ndarray, group: str) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of ``x·w_g`` (the difference of group ``g`` to the base)."""
        blk = self._block(self.groups.index(group))
        S = self.cov[blk, blk]
        return X @ self.mean[blk], np.maximum(((X @ S) * X).sum(axis=1), 0.0)

    def scaled(self, factor: float) -> UpliftLinear:
        return UpliftLinear(
            self.groups, self.precision * factor, self.bvec * factor, self.noise_var, self.n
        )


@dataclass
class UpliftLogistic:
    """``P(y=1) = sigmoid(x·w_base + x·w_g)`` for rows of group ``g`` (``x·w_base`` alone for
    rows of no group): a logistic model whose groups differ from a shared base, one Gaussian
    posterior over all blocks (Laplace approximation, updated batch by batch).

    Effects add up on the log-odds scale, as a reaction to a reminder does in the simulator
    and (as far as the literature tells) in practice: a contact lifts the odds of payment by
    a factor that depends on the case.
    """

    groups: tuple[str, ...]
    mean_: np.ndarray
    precision: np.ndarray
    n: int = 0
    _cov: np.ndarray | None = None

    @classmethod
    def empty(
        cls,
        d: int,
        groups: tuple[str, ...],
        *,
        prior_var: float,
        uplift_var: float,
        intercept: float = 0.0,
    ) -> UpliftLogistic:
        diag = np.concatenate(
            [np.full(d, 1.0 / prior_var), np.full(d * len(groups), 1.0 / uplift_var)]
        )
        mean = np.zeros(len(diag))
        mean[0] = intercept
        return cls(tuple(groups), mean, np.diag(diag))

    @property
    def d(self) -> int:
        return len(self.mean_) // (1 + len(self.groups))

    def _block(self, g: int) -> slice:
        d = self.d
        return slice(d * (g + 1), d * (g + 2))

    def _logits(self, X: np.ndarray, group: np.ndarray, w: np.ndarray) -> np.ndarray:
        d = self.d
        z = X @ w[:d]
        for g in range(len(self.groups)):
            sel = group == g
            if sel.any():
                z[sel] += X[sel] @ w[self._block(g)]
        return np.asarray(z)

    def _curvature(self, X: np.ndarray, group: np.ndarray, weight: np.ndarray) -> np.ndarray:
        d = self.d
        H = np.zeros_like(self.precision)
        base = slice(0, d)
        H[base, base] = (X * weight[:, None]).T @ X
        for g in range(len(self.groups)):
            sel = group == g
            if not sel.any():
                continue
            Xg = X[sel]
            G = (Xg * weight[sel][:, None]).T @ Xg
            blk = self._block(g)
            H[base, blk] = G
            H[blk, base] = G
            H[blk, blk] = G
        return H

    def update(self, X: np.ndarray, group: np.ndarray, y: np.ndarray, *, steps: int = 4) -> None:
        if len(X) == 0:
            return
        d = self.d
        prior_m, prior_p = self.mean_, self.precision
        w = prior_m.copy()
        for _ in range(steps):
            p = 1.0 / (1.0 + np.exp(-np.clip(self._logits(X, group, w), -30, 30)))
            r = y - p
            grad = -prior_p @ (w - prior_m)
            grad[:d] += X.T @ r
            for g in range(len(self.groups)):
                sel = group == g
                if sel.any():
                    grad[self._block(g)] += X[sel].T @ r[sel]
            hess = prior_p + self._curvature(X, group, p * (1 - p))
            step = np.linalg.solve(hess, grad)
            w = w + step
            if float(np.abs(step).max()) < 1e-6:
                break
        p = 1.0 / (1.0 + np.exp(-np.clip(self._logits(X, group, w), -30, 30)))
        self.precision = prior_p + self._curvature(X, group, p * (1 - p))
        self.mean_ = w
        self.n += len(X)
        self._cov = None

    @property
    def cov(self) -> np.ndarray:
        if self._cov is None:
            cov = np.linalg.inv(self.precision)
            self._cov = (cov + cov.T) / 2
        return self._cov

    def predict_base(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of the base logit."""
        d = self.d
        S = self.cov[:d, :d]
        return X @ self.mean_[:d], np.maximum(((X @ S) * X).sum(axis=1), 0.0)

    def predict_uplift(self, X: np.ndarray, group: str) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of ``x·w_g``: how much group ``g`` adds to the log-odds."""
        blk = self._block(self.groups.index(group))
        S = self.cov[blk, blk]
        return X @ self.mean_[blk], np.maximum(((X @ S) * X).sum(axis=1), 0.0)

    def scaled(self, factor: float) -> UpliftLogistic:
        return UpliftLogistic(self.groups, self.mean_.copy(), self.precision * factor, self.n)
