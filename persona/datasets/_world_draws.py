"""What every part of a world is drawn with: its one-year window and the shared draws.

Categorical draws for many rows at once, the need-driven logits that tilt a
choice, shuffled tables and timestamps in the window. Pure functions of their
arguments and the generator they are handed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from persona.datasets._world_spec import WorldSpec

__all__ = ["WEEKS", "WINDOW_START", "draw", "shuffled", "tilts", "timestamps"]

WINDOW_START = pd.Timestamp("2025-03-03")  # a Monday
WEEKS = 52


def draw(weights: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category per entry of ``rows``, from the row of ``weights`` it points at.

    The rows' cumulative shares are laid end to end (row ``r`` spans ``[r, r + 1)``)
    so a single ``searchsorted`` inverts every row's distribution at once.
    """
    n_rows, n_categories = weights.shape
    cumulative = np.cumsum(weights, axis=1)
    cumulative = cumulative / cumulative[:, -1:] + np.arange(n_rows)[:, None]
    picks = np.searchsorted(cumulative.ravel(), rows + rng.random(len(rows)), side="right")
    return np.clip(picks - rows * n_categories, 0, n_categories - 1)


def shuffled(spec: WorldSpec, table: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``table`` as it is, or with its rows shuffled when the spec says rows come unsorted."""
    if spec.sorted_rows:
        return table
    return table.iloc[rng.permutation(len(table))].reset_index(drop=True)


def tilts(needs: np.ndarray, n_out: int, strength: float, rng) -> np.ndarray:
    """Logits that needs give ``n_out`` options, through a random loading.

    Scaled so that needs one unit from the centre on every dimension move the
    logits by about ``strength``: needs farther apart (a larger separation)
    behave more differently.
    """
    loading = rng.normal(size=(needs.shape[1], n_out))
    return strength * needs @ loading / np.sqrt(needs.shape[1])


def timestamps(seconds: np.ndarray) -> np.ndarray:
    """Seconds since the window's start as tz-naive datetime64[us]."""
    start = np.datetime64(WINDOW_START.to_datetime64(), "s")
    return (start + seconds.astype("timedelta64[s]")).astype("datetime64[us]")
