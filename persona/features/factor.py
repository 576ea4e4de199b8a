"""Exploratory factor analysis, as R's ``psych`` and ``GPArotation`` compute it.

The few pieces the survey side needs, on a correlation matrix:

- :func:`minres`: common-factor loadings by minimum residual (psych's
  ``fa(fm="minres")``);
- :func:`varimax` (R's ``stats::varimax``, Kaiser-normalised) and
  :func:`oblimin` (GPArotation's ``GPFoblq`` with the quartimin criterion,
  ``gam = 0``), which return the rotated pattern and the factor correlations;
- :func:`parallel_analysis`: how many factors the items support (Horn);
- :func:`smc`: squared multiple correlations.

Only numpy and scipy; loops run over iterations and factors, never over
respondents. This module reads correlation matrices only: the survey is read
by :mod:`persona.features.reliability` and :mod:`persona.contract._instrument`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from persona.errors import ConfigError

__all__ = ["Rotation", "minres", "oblimin", "parallel_analysis", "smc", "varimax"]

# psych's fa bounds each uniqueness to [0.005, 1] in its optimiser.
_PSI_BOUNDS = (0.005, 1.0)


def smc(cor: np.ndarray) -> np.ndarray:
    """Squared multiple correlation of each item with all the others.

    ``1 - 1 / diag(R^-1)``. A singular matrix (an item that is a sum of
    others) falls back to each item's largest absolute correlation, as
    psych's ``smc`` warns and does.

    Examples
    --------
    >>> R = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 0.5], [0.5, 0.5, 1.0]])
    >>> smc(R).round(4).tolist()
    [0.3333, 0.3333, 0.3333]
    """
    try:
        squared = 1.0 - 1.0 / np.diag(np.linalg.inv(cor))
    except np.linalg.LinAlgError:
        squared = np.abs(cor - np.eye(len(cor))).max(axis=0)
    return np.clip(squared, 0.0, 1.0)


def minres(cor: np.ndarray, n_factors: int) -> np.ndarray:
    """Unrotated loadings ``(items, n_factors)`` of a minimum-residual factor analysis.

    Minimises the squared off-diagonal residuals ``r_ij - sum_k l_ik l_jk``.
    For given uniquenesses ``psi`` the best loadings are the leading
    eigenvectors of ``R - diag(psi)`` scaled by the square roots of their
    eigenvalues, and the residual left is the sum of the squared remaining
    eigenvalues; that is minimised over ``psi`` in ``[0.005, 1]``, starting
    from ``1 - smc``, as psych's ``fa(fm="minres")`` does (L-BFGS-B with the
    analytic gradient ``-2 sum_{j > k} lambda_j v_ij**2``). Each factor's
    sign makes its loadings sum to >= 0.

    Examples
    --------
    >>> l = np.array([0.8, 0.7, 0.6, 0.5])
    >>> R = np.outer(l, l); np.fill_diagonal(R, 1.0)
    >>> minres(R, 1).ravel().round(4).tolist()
    [0.8, 0.7, 0.6, 0.5]
    """
    n_items = cor.shape[0]
    if not 1 <= n_factors < n_items:
        raise ConfigError(
            f"Got n_factors={n_factors}, but expected a whole number from 1 to "
            f"{n_items - 1} for {n_items} items."
        )

    def residual(psi: np.ndarray) -> tuple[float, np.ndarray]:
        values, vectors = np.linalg.eigh(cor - np.diag(psi))
        rest_values, rest_vectors = values[:-n_factors], vectors[:, :-n_factors]
        gradient = -2.0 * (rest_vectors**2 * rest_values).sum(axis=1)
        return float((rest_values**2).sum()), gradient

    start = np.clip(1.0 - smc(cor), *_PSI_BOUNDS)
    fitted = minimize(
        residual, start, jac=True, method="L-BFGS-B", bounds=[_PSI_BOUNDS] * n_items,
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 10_000},
    )  # fmt: skip
    values, vectors = np.linalg.eigh(cor - np.diag(fitted.x))
    top = np.argsort(values)[::-1][:n_factors]
    loadings = vectors[:, top] * np.sqrt(np.clip(values[top], 0.0, None))
    return loadings * np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)


@dataclass(frozen=True)
class Rotation:
    """A rotated factor solution: ``loadings`` (pattern) and factor correlations ``phi``."""

    loadings: np.ndarray
    phi: np.ndarray


def varimax(loadings: np.ndarray, *, eps: float = 1e-5, max_iter: int = 1000) -> Rotation:
    """Kaiser-normalised varimax, step for step as R's ``stats::varimax``."""
    n_items, n_factors = loadings.shape
    if n_factors < 2:
        return Rotation(loadings.copy(), np.eye(n_factors))
    scale = np.sqrt((loadings**2).sum(axis=1, keepdims=True))
    x = loadings / scale
    rotation, criterion = np.eye(n_factors), 0.0
    for _ in range(max_iter):
        z = x @ rotation
        b = x.T @ (z**3 - z * (z**2).sum(axis=0) / n_items)
        u, singular, vt = np.linalg.svd(b)
        rotation = u @ vt
        previous, criterion = criterion, singular.sum()
        if criterion < previous * (1.0 + eps):
            break
    return Rotation((x @ rotation) * scale, np.eye(n_factors))


def oblimin(loadings: np.ndarray, *, eps: float = 1e-5, max_iter: int = 1000) -> Rotation:
    """Direct quartimin (oblimin, ``gam = 0``) by gradient projection.

    GPArotation's ``GPFoblq`` step for step: start from the identity, move
    the rotation ``T`` (unit-length columns) down the projected gradient of
    ``f = sum(L**2 * (L**2 @ (1 - I))) / 4`` with ``L = A @ inv(T).T``,
    halving the step until it improves enough, until the projected
    gradient's norm is below ``eps``. ``phi = T.T @ T``. Each factor is then
    signed so its loadings sum to >= 0 (``phi`` follows).
    """
    n_factors = loadings.shape[1]
    if n_factors < 2:
        return Rotation(loadings.copy(), np.eye(n_factors))
    off = 1.0 - np.eye(n_factors)

    def criterion(rotation: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
        inverse = np.linalg.inv(rotation)
        pattern = loadings @ inverse.T
        cross = pattern**2 @ off
        gradient = -(pattern.T @ (pattern * cross) @ inverse).T
        return pattern, float((pattern**2 * cross).sum() / 4.0), gradient

    rotation = np.eye(n_factors)
    pattern, value, gradient = criterion(rotation)
    step = 1.0
    for _ in range(max_iter + 1):
        projected = gradient - rotation * (rotation * gradient).sum(axis=0)
        size = np.sqrt((projected**2).sum())
        if size < eps:
            break
        step *= 2.0
        for _ in range(11):
            moved = rotation - step * projected
            moved = moved / np.sqrt((moved**2).sum(axis=0))
            trial = criterion(moved)
            if value - trial[1] > 0.5 * size**2 * step:
                break
            step /= 2.0
        rotation = moved
        pattern, value, gradient = trial
    sign = np.where(pattern.sum(axis=0) < 0, -1.0, 1.0)
    phi = rotation.T @ rotation
    return Rotation(pattern * sign, phi * np.outer(sign, sign))


def parallel_analysis(
    data: np.ndarray, *, n_iter: int = 20, quantile: float = 0.95, random_state: int = 0
) -> int:
    """How many factors to keep: Horn's parallel analysis on components.

    The eigenvalues of the items' correlation matrix are compared with the
    ``quantile`` of the eigenvalues of ``n_iter`` matrices of independent
    normal data of the same shape; the count is the number of leading
    eigenvalues above their random counterpart (at least 1). Missing answers
    are read pairwise for the data and ignored for the random shape.

    Components rather than common factors: the factor version (psych's
    ``fa.parallel`` with ``fa="fa"``) keeps a sixth, two-item factor on the
    Big Five data, where the component version keeps the five traits.
    """
    from persona.features.reliability import _cov2cor, _pairwise_cov

    n_rows, n_items = data.shape
    observed = np.linalg.eigvalsh(_cov2cor(_pairwise_cov(data)))[::-1]
    rng = np.random.default_rng(random_state)
    random_values = np.array([
        np.linalg.eigvalsh(np.corrcoef(rng.standard_normal((n_rows, n_items)), rowvar=False))[::-1]
        for _ in range(n_iter)
    ])  # fmt: skip
    threshold = np.quantile(random_values, quantile, axis=0)
    above = observed > threshold
    count = int(np.argmin(above)) if not above.all() else n_items
    return max(count, 1)
