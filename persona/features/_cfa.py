"""The engine behind confirmatory factor analysis: a (multi-group) model fitted by ML.

:class:`Fit` fits the model of :mod:`persona.features.measurement` to blocks
of complete answers (one block per group): each item on its own dimension,
the first item of each dimension fixing its scale, correlated dimensions, and
with ``level`` what is held equal across groups (nothing, the loadings, the
loadings and the intercepts). The discrepancy is lavaan's ``F_ML`` with its
analytic gradient, minimised by L-BFGS-B; the fit measures (chi-square, CFI,
TLI, RMSEA and its interval, SRMR) follow lavaan's formulas. It works on the
numbers it is given and touches nothing else; reading the survey and
reporting the result are :mod:`persona.features.measurement`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import brentq, minimize

from persona.errors import PersonaError
from persona.features.reliability import _one_factor_loadings

__all__ = ["Fit"]

# Steps of the optimiser before a fit is called off. Converging fits take 100 to 600 (9 to 28
# items, 1 to 4 groups); items without common variance run on for ever.
_MAX_STEPS = 3_000


@dataclass
class _Layout:
    """Where each group's free parameters sit in the one parameter vector."""

    loading: list[np.ndarray]  # free loadings (non-marker items)
    phi: list[np.ndarray]  # lower triangle of the Cholesky factor of the dimensions' covariances
    theta: list[np.ndarray]  # log residual variances
    nu: list[np.ndarray | None]  # intercepts
    kappa: list[np.ndarray | None]  # dimension means (None: fixed at 0)
    size: int


def _layout(n_groups: int, n_items: int, n_free: int, n_dims: int, level: str,
            means: bool) -> _Layout:  # fmt: skip
    used = 0

    def block(length: int) -> np.ndarray:
        """The next ``length`` positions of the parameter vector."""
        nonlocal used
        used += length
        return np.arange(used - length, used)

    shared_loading = block(n_free) if level in ("metric", "scalar") else None
    shared_nu = block(n_items) if level == "scalar" and means else None
    layout = _Layout([], [], [], [], [], 0)
    for g in range(n_groups):
        layout.loading.append(shared_loading if shared_loading is not None else block(n_free))
        layout.phi.append(block(n_dims * (n_dims + 1) // 2))
        layout.theta.append(block(n_items))
        if means:
            layout.nu.append(shared_nu if shared_nu is not None else block(n_items))
            free_mean = level == "scalar" and g > 0
            layout.kappa.append(block(n_dims) if free_mean else None)
        else:
            layout.nu.append(None)
            layout.kappa.append(None)
    layout.size = used
    return layout


class Fit:
    """A fitted (multi-group) confirmatory factor model; the ML discrepancy of lavaan."""

    def __init__(self, blocks: list[pd.DataFrame], dimensions: dict, level: str, means: bool):
        items = list(blocks[0].columns)
        self.n_items, self.n_dims = len(items), len(dimensions)
        self.means = means
        self.dimension_of = np.array([
            list(dimensions).index(next(d for d, its in dimensions.items() if item in its))
            for item in items
        ])  # fmt: skip
        self.marker_of = np.array([items.index(its[0]) for its in dimensions.values()])
        self.free = np.setdiff1d(np.arange(self.n_items), self.marker_of)
        self.lower = np.tril_indices(self.n_dims)
        self.n = np.array([len(b) for b in blocks], dtype=float)
        x = [b.to_numpy() for b in blocks]
        self.m = [xi.mean(axis=0) for xi in x]
        self.s = [np.cov(xi, rowvar=False, bias=True) for xi in x]
        self.layout = _layout(len(blocks), self.n_items, len(self.free), self.n_dims, level, means)

    @classmethod
    def run(cls, blocks: list[pd.DataFrame], dimensions: dict, *, level: str,
            means: bool) -> Fit:  # fmt: skip
        fit = cls(blocks, dimensions, level, means)
        # The discrepancy per respondent (chi2 / n): its scale, and so the tolerances, do not
        # grow with the survey.
        total = fit.n.sum()
        fitted = minimize(
            lambda x: tuple(v / total for v in fit._objective(x)), fit._start(), jac=True,
            method="L-BFGS-B", options={"maxiter": _MAX_STEPS, "ftol": 1e-13, "gtol": 1e-8},
        )  # fmt: skip
        if fitted.nit >= _MAX_STEPS or not np.isfinite(fitted.fun) or fitted.fun >= 1e19:
            raise PersonaError(
                f"the {level} confirmatory model did not converge in {_MAX_STEPS:,} steps: some "
                "dimension's items barely correlate (a loading runs off); check the map with "
                "Instrument.suggest, or drop the items that load on nothing."
            )
        fit.x = fitted.x
        fit.chi2 = float(fitted.fun * total)
        moments = fit.n_items * (fit.n_items + 1) // 2 + (fit.n_items if means else 0)
        fit.df = int(len(blocks) * moments - fit.layout.size)
        return fit

    # the model of group g
    def matrices(self, x: np.ndarray, g: int) -> tuple[np.ndarray, ...]:
        lay = self.layout
        lam = np.zeros((self.n_items, self.n_dims))
        lam[np.arange(self.n_items), self.dimension_of] = 1.0
        lam[self.free, self.dimension_of[self.free]] = x[lay.loading[g]]
        root = np.zeros((self.n_dims, self.n_dims))
        root[self.lower] = x[lay.phi[g]]
        phi = root @ root.T
        theta = np.exp(x[lay.theta[g]])
        nu = x[lay.nu[g]] if lay.nu[g] is not None else None
        kappa = x[lay.kappa[g]] if lay.kappa[g] is not None else np.zeros(self.n_dims)
        return lam, phi, theta, nu, kappa, root

    def _objective(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """``sum_g n_g F_ML`` and its gradient (the chi-square at the optimum)."""
        total, gradient = 0.0, np.zeros_like(x)
        lay = self.layout
        for g, (n, s, m) in enumerate(zip(self.n, self.s, self.m, strict=True)):
            lam, phi, theta, nu, kappa, root = self.matrices(x, g)
            sigma = lam @ phi @ lam.T + np.diag(theta)
            try:
                cholesky = np.linalg.cholesky(sigma)
            except np.linalg.LinAlgError:  # numerically singular: a wall the search backs off
                return 1e20, gradient
            logdet = 2.0 * np.log(np.diag(cholesky)).sum()
            w = np.linalg.inv(sigma)
            d = (m - nu - lam @ kappa) if nu is not None else np.zeros(self.n_items)
            value = logdet + np.trace(s @ w) + d @ w @ d - np.linalg.slogdet(s)[1] - self.n_items
            total += n * value
            a = w - w @ (s + np.outer(d, d)) @ w  # dF / dSigma
            wd = -2.0 * w @ d  # dF / dmu
            d_lam = 2.0 * a @ lam @ phi + np.outer(wd, kappa)
            d_phi = 2.0 * (lam.T @ a @ lam) @ root  # through phi = root @ root.T
            np.add.at(gradient, lay.loading[g], n * d_lam[self.free, self.dimension_of[self.free]])
            np.add.at(gradient, lay.phi[g], n * d_phi[self.lower])
            np.add.at(gradient, lay.theta[g], n * np.diag(a) * theta)  # through exp
            if nu is not None:
                np.add.at(gradient, lay.nu[g], n * wd)
            if lay.kappa[g] is not None:
                np.add.at(gradient, lay.kappa[g], n * lam.T @ wd)
        return float(total), gradient

    def _start(self) -> np.ndarray:
        """Each dimension's one-factor loadings (principal axis), rescaled to its marker."""
        x = np.zeros(self.layout.size)
        for g, (s, m) in enumerate(zip(self.s, self.m, strict=True)):
            sd = np.sqrt(np.diag(s))
            cor = s / np.outer(sd, sd)
            raw = np.zeros(self.n_items)
            for k in range(self.n_dims):
                members = np.flatnonzero(self.dimension_of == k)
                block = cor[np.ix_(members, members)]
                raw[members] = _one_factor_loadings(block, max_iter=200) * sd[members]
            marker_raw = raw[self.marker_of]
            marker_raw = np.where(np.abs(marker_raw) < 1e-3, 1e-3, marker_raw)
            lam = raw / marker_raw[self.dimension_of]
            # dimension covariances: the mean of s_ij / (lam_i lam_j) over their item pairs
            one_hot = np.eye(self.n_dims)[self.dimension_of]
            ratio = s / np.outer(lam, lam)
            phi = (one_hot.T @ ratio @ one_hot) / np.outer(one_hot.sum(0), one_hot.sum(0))
            np.fill_diagonal(phi, marker_raw**2)
            phi = _nearest_positive_definite(phi)
            x[self.layout.loading[g]] = lam[self.free]
            x[self.layout.phi[g]] = np.linalg.cholesky(phi)[self.lower]
            x[self.layout.theta[g]] = np.log(np.maximum(np.diag(s) - raw**2, 0.05 * np.diag(s)))
            if self.layout.nu[g] is not None:
                x[self.layout.nu[g]] = m
        return x

    # fit measures, lavaan's formulas
    def _baseline(self) -> tuple[float, int]:
        chi2 = sum(n * (np.log(np.diag(s)).sum() - np.linalg.slogdet(s)[1])
                   for n, s in zip(self.n, self.s, strict=True))  # fmt: skip
        return float(chi2), len(self.n) * self.n_items * (self.n_items - 1) // 2

    def cfi(self) -> float:
        base_chi2, base_df = self._baseline()
        worst = max(self.chi2 - self.df, base_chi2 - base_df, 0.0)
        return 1.0 - max(self.chi2 - self.df, 0.0) / worst if worst > 0 else 1.0

    def tli(self) -> float:
        base_chi2, base_df = self._baseline()
        base_ratio = base_chi2 / base_df
        return (base_ratio - self.chi2 / self.df) / (base_ratio - 1.0)

    def rmsea(self, chi2: float | None = None) -> float:
        excess = max((self.chi2 if chi2 is None else chi2) - self.df, 0.0)
        return float(np.sqrt(excess / (self.df * self.n.sum())) * np.sqrt(len(self.n)))

    def rmsea_interval(self) -> tuple[float, float]:
        """The 90 % interval from the noncentral chi-square's 5 % and 95 % points."""

        def noncentrality(probability: float) -> float:
            def gap(lam: float) -> float:
                return stats.ncx2.cdf(self.chi2, self.df, lam) - probability

            if gap(1e-10) < 0:  # even a central chi-square puts chi2 below this point
                return 0.0
            upper = max(self.chi2, 1.0)
            while gap(upper) > 0:
                upper *= 2.0
            return brentq(gap, 1e-10, upper, xtol=1e-10)

        def to_rmsea(lam: float) -> float:
            return float(np.sqrt(lam / (self.df * self.n.sum())) * np.sqrt(len(self.n)))

        return to_rmsea(noncentrality(0.95)), to_rmsea(noncentrality(0.05))

    def srmr(self) -> float:
        """Bentler's SRMR: covariance residuals scaled by the observed standard deviations."""
        squares = []
        for g, s in enumerate(self.s):
            lam, phi, theta, *_ = self.matrices(self.x, g)
            sigma = lam @ phi @ lam.T + np.diag(theta)
            sd = np.sqrt(np.diag(s))
            residual = (s - sigma) / np.outer(sd, sd)
            squares.append(np.mean(residual[np.tril_indices(self.n_items)] ** 2))
        return float(np.sqrt(np.average(squares, weights=self.n)))


def _nearest_positive_definite(matrix: np.ndarray) -> np.ndarray:
    """The matrix with its eigenvalues raised to a small positive floor."""
    values, vectors = np.linalg.eigh(matrix)
    floor = 1e-3 * max(values.max(), 1e-12)
    return (vectors * np.maximum(values, floor)) @ vectors.T
