"""Scale reliability: do a dimension's items measure one thing, and how well?

Cronbach's alpha (raw and standardised), McDonald's omega total, average
inter-item correlation and item detail (item-total correlations, alpha if an
item is dropped), computed the way R's ``psych::alpha`` does on the keyed
items; a warning names an item that runs against its scale (a reverse key is
likely missing from the instrument).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from persona.features.psychographic import read_answers
from persona.instrument import Instrument
from persona.schema import TableLike

__all__ = ["Reliability", "scale_reliability"]


@dataclass(frozen=True, eq=False)
class Reliability:
    """How reliably an instrument's scales measure their dimensions.

    Attributes
    ----------
    scales : DataFrame
        One row per dimension (index ``dimension``, instrument order):
        ``n_items``; ``alpha`` (Cronbach's raw alpha, from covariances);
        ``std_alpha`` (from correlations, as if items were standardized);
        ``omega_total`` (McDonald's omega from a one-factor model);
        ``average_r`` (mean inter-item correlation); ``n`` (respondents who
        answered at least one of its items).
    items : DataFrame
        One row per item (index ``(dimension, item)``): ``n`` (respondents
        who answered it); ``item_total_r`` (corrected item-total
        correlation: the keyed item against the sum of the *other* items,
        psych's ``r.drop``); ``raw_item_total_r`` (the keyed item against the
        respondent's mean of all the dimension's answered items, itself
        included, psych's ``raw.r``); ``alpha_if_dropped`` and
        ``std_alpha_if_dropped`` (the dimension's alphas without the item).
    """

    scales: pd.DataFrame
    items: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"Reliability({len(self.scales)} dimensions, {len(self.items)} items; "
            "see .scales and .items)"
        )


def scale_reliability(survey: TableLike, instrument: Instrument) -> Reliability:
    """Cronbach's alpha, McDonald's omega and item statistics per dimension.

    Everything is computed on the keyed answers (reverse-keyed items turned
    round on their own scale), from the pairwise-complete covariance matrix
    ``C`` of each dimension's ``k`` items, exactly as R's ``psych::alpha``
    does:

    - ``alpha = k / (k - 1) * (1 - trace(C) / sum(C))``;
    - ``std_alpha = k / (k - 1) * (1 - k / sum(R))`` with ``R`` the
      correlation matrix of ``C`` (``cov2cor``), equal to
      ``k * average_r / (1 + (k - 1) * average_r)``;
    - ``item_total_r`` of item ``i``: ``(sum(C[:, i]) - C[i, i]) /
      sqrt(C[i, i] * sum(C without row and column i))``, psych's ``r.drop``;
    - the alphas if an item is dropped: the same formulas on ``C`` and ``R``
      without the item.

    ``omega_total = (sum(l))**2 / ((sum(l))**2 + sum(1 - l**2))`` with ``l``
    the loadings of one factor fitted to ``R`` by minimum residual (minres,
    as psych's ``omega`` and ``fa`` do), found by iterated principal axis
    from squared multiple correlations: its fixed point is the minres
    solution. This is the model-implied omega; psych's ``omega.tot`` divides
    by ``sum(R)`` instead, which agrees when one factor fits.

    A dimension with one item has NaN alphas, omega and ``item_total_r``;
    with two items omega is NaN (one factor is not identified from one
    correlation) and so are the alphas if an item is dropped. An item
    without variance makes the correlation-based statistics of its
    dimension NaN.

    Parameters
    ----------
    survey : DataFrame or path
        One row per respondent: ``customer_id`` and one column per item,
        checked with :func:`persona.schema.validate_survey`.
    instrument : Instrument
        Which item measures which dimension, on which scale, with which key.

    Returns
    -------
    Reliability
        ``.scales`` (one row per dimension) and ``.items`` (one row per
        item); see :class:`Reliability`.

    Warns
    -----
    UserWarning
        For every item whose corrected item-total correlation is negative:
        an item that runs against the rest of its scale is most often a
        reverse-keyed item not marked ``reverse`` in the instrument.

    Examples
    --------
    >>> from persona.datasets import load_bfi
    >>> from persona.features.reliability import scale_reliability
    >>> bfi = load_bfi()
    >>> reliability = scale_reliability(bfi.survey, bfi.instrument)
    >>> reliability.scales.loc["neuroticism", ["alpha", "std_alpha", "average_r"]].round(3)
    alpha        0.814
    std_alpha    0.815
    average_r    0.468
    Name: neuroticism, dtype: float64
    >>> float(reliability.items.loc[("agreeableness", "A1"), "item_total_r"].round(2))
    0.31
    """
    answers = read_answers(survey, instrument)
    keyed = pd.DataFrame(answers.keyed(), columns=list(instrument.item_names))
    scale_rows, item_frames = [], []
    for dimension in instrument.dimensions:
        block = keyed[list(instrument.items_of(dimension))]
        scale_row, item_frame = _dimension_reliability(block)
        scale_rows.append(scale_row)
        item_frames.append(item_frame)
        for item, r in item_frame["item_total_r"].items():
            if r < 0:
                warnings.warn(
                    f"item '{item}' correlates negatively ({r:.2f}) with the rest of "
                    f"'{dimension}': is a reverse key missing in the instrument?",
                    UserWarning,
                    stacklevel=2,
                )
    scales = pd.DataFrame(scale_rows, index=pd.Index(instrument.dimensions, name="dimension"))
    scales = scales.astype({"n_items": "int64", "n": "int64"})
    items = pd.concat(item_frames, keys=list(instrument.dimensions), names=["dimension", "item"])
    return Reliability(scales=scales, items=items)


def _dimension_reliability(block: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """Scale row and item rows of one dimension, from its keyed answers."""
    keyed = block.to_numpy(dtype="float64")
    n_items = keyed.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = _pairwise_cov(keyed)
        cor = _cov2cor(cov)
        alpha, std_alpha, average_r = _alpha(cov, cor)
        scale_row = {
            "n_items": n_items,
            "alpha": alpha,
            "std_alpha": std_alpha,
            "omega_total": _omega_total(cor) if n_items >= 3 else np.nan,
            "average_r": average_r,
            "n": int((~np.isnan(keyed)).any(axis=1).sum()),
        }
        items = _item_statistics(keyed, cov, cor)
    items.index = pd.Index(block.columns, name="item")
    return scale_row, items


def _item_statistics(keyed: np.ndarray, cov: np.ndarray, cor: np.ndarray) -> pd.DataFrame:
    """psych's r.drop, raw.r and alphas if dropped, one row per item."""
    n_items = keyed.shape[1]
    diagonal = np.diag(cov)
    column = cov.sum(axis=0)
    rest = cov.sum() - 2.0 * column + diagonal  # sum of cov without row and column i
    item_total_r = (column - diagonal) / np.sqrt(diagonal * rest)
    if n_items < 2:
        item_total_r = np.full(n_items, np.nan)
    dropped = [
        _alpha(np.delete(np.delete(cov, i, 0), i, 1), np.delete(np.delete(cor, i, 0), i, 1))
        for i in range(n_items)
    ]
    # psych's raw.r: the item against the respondent's mean of the answered items.
    answered = ~np.isnan(keyed)
    n_answered = answered.sum(axis=1)
    mean_answer = np.where(answered, keyed, 0.0).sum(axis=1) / n_answered
    return pd.DataFrame(
        {
            "n": answered.sum(axis=0).astype("int64"),
            "item_total_r": item_total_r,
            "raw_item_total_r": _pairwise_cor_with(keyed, mean_answer),
            "alpha_if_dropped": [d[0] for d in dropped],
            "std_alpha_if_dropped": [d[1] for d in dropped],
        }
    )


def _pairwise_cov(x: np.ndarray) -> np.ndarray:
    """Covariances over the rows where both items were answered (R's use="pairwise").

    ddof 1; NaN for a pair answered together by fewer than two respondents.
    """
    n_items = x.shape[1]
    answered = ~np.isnan(x)
    cov = np.full((n_items, n_items), np.nan)
    for i in range(n_items):
        for j in range(i, n_items):
            both = answered[:, i] & answered[:, j]
            n_both = int(both.sum())
            if n_both < 2:
                continue
            xi, xj = x[both, i], x[both, j]
            cov[i, j] = cov[j, i] = ((xi - xi.mean()) * (xj - xj.mean())).sum() / (n_both - 1)
    return cov


def _pairwise_cor_with(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Correlation of each column of ``x`` with ``y`` over the rows where both exist."""
    both = ~np.isnan(x) & ~np.isnan(y)[:, None]
    n_both = both.sum(axis=0)
    x_mean = np.where(both, x, 0.0).sum(axis=0) / n_both
    y_mean = np.where(both, y[:, None], 0.0).sum(axis=0) / n_both
    dx = np.where(both, x - x_mean, 0.0)
    dy = np.where(both, y[:, None] - y_mean, 0.0)
    r = (dx * dy).sum(axis=0) / np.sqrt((dx**2).sum(axis=0) * (dy**2).sum(axis=0))
    return np.where(n_both >= 2, r, np.nan)


def _cov2cor(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(cov))
    cor = cov / np.outer(sd, sd)
    np.fill_diagonal(cor, np.where(sd > 0, 1.0, np.nan))
    return cor


def _alpha(cov: np.ndarray, cor: np.ndarray) -> tuple[float, float, float]:
    """Raw alpha, standardized alpha and mean inter-item correlation (psych's alpha.1)."""
    k = cov.shape[0]
    if k < 2:
        return np.nan, np.nan, np.nan
    factor = k / (k - 1)
    raw = factor * (1.0 - np.trace(cov) / cov.sum())
    std = factor * (1.0 - k / cor.sum())
    average_r = (cor.sum() - k) / (k * (k - 1))
    return float(raw), float(std), float(average_r)


def _omega_total(cor: np.ndarray) -> float:
    """McDonald's omega total from a one-factor minres fit of a correlation matrix."""
    if not np.isfinite(cor).all():
        return np.nan
    loadings = _one_factor_loadings(cor)
    common = loadings.sum() ** 2
    return float(common / (common + (1.0 - loadings**2).sum()))


def _one_factor_loadings(
    cor: np.ndarray, *, tol: float = 1e-10, max_iter: int = 10_000
) -> np.ndarray:
    """Loadings of one common factor, by iterated principal axis factoring.

    At a fixed point, ``sum_{j != i} r_ij l_j = l_i sum_{j != i} l_j**2`` for
    every item: the stationarity condition of minres (least squares on the
    off-diagonal residuals ``r_ij - l_i l_j``), so the result is psych's
    ``fa(fm="minres")`` solution. Communalities are capped at 1 (a Heywood
    case would otherwise run away). Sign: the loadings sum to >= 0.
    """
    try:
        communality = 1.0 - 1.0 / np.diag(np.linalg.inv(cor))  # squared multiple correlations
    except np.linalg.LinAlgError:
        communality = np.abs(cor - np.eye(len(cor))).max(axis=0)  # singular: largest |r|
    communality = np.clip(communality, 0.0, 1.0)
    reduced = cor.copy()
    for _ in range(max_iter):
        np.fill_diagonal(reduced, communality)
        values, vectors = np.linalg.eigh(reduced)
        loadings = vectors[:, -1] * np.sqrt(max(values[-1], 0.0))
        updated = np.minimum(loadings**2, 1.0)
        converged = np.abs(updated - communality).max() < tol
        communality = updated
        if converged:
            break
    return loadings if loadings.sum() >= 0 else -loadings
