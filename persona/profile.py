"""What sets personas apart, and what must not: association measures for profiles
and for the demographic audit."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["cramers_v"]


def cramers_v(a: pd.Series | np.ndarray, b: pd.Series | np.ndarray) -> float:
    """Cramér's V between two categorical variables: 0 independent, 1 identical.

    Rows where either value is missing are left out. The plain (not
    bias-corrected) statistic, so small samples err on the side of association.

    Examples
    --------
    >>> cramers_v(["a", "a", "b", "b"], [1, 1, 2, 2])
    1.0
    >>> round(cramers_v(["a", "b", "a", "b"], [1, 1, 2, 2]), 3)
    0.0
    """
    frame = pd.DataFrame({"a": np.asarray(a), "b": np.asarray(b)}).dropna()
    table = pd.crosstab(frame["a"], frame["b"]).to_numpy(dtype=float)
    n = table.sum()
    k = min(table.shape) - 1
    if n == 0 or k == 0:
        return 0.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / n
    chi2 = ((table - expected) ** 2 / expected).sum()
    return float(np.sqrt(chi2 / (n * k)))
