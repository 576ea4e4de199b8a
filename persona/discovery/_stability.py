"""Persona stability: does each persona come back when discovery is rerun on resamples?

Reads the discovery customers' matrix and labels and the discovery settings;
reruns :func:`~persona.discovery._search.discover` on resamples and compares.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.utils import check_random_state

from persona._validate import is_whole
from persona.assignment import Assigner
from persona.discovery._search import MIN_DISCOVERY, Settings, discover
from persona.errors import ConfigError

__all__ = ["stability"]


def stability(
    values: np.ndarray,
    labels: np.ndarray,
    careless: np.ndarray | None,
    *,
    groups: dict[str, np.ndarray],
    max_distance: float,
    settings: Settings,
    seed: int | None,
    persona_ids: np.ndarray,
    n_boot: int = 10,
    sample_share: float = 0.8,
) -> pd.Series:
    """Each persona's mean Jaccard with its best match over ``n_boot`` refits.

    Discovery is rerun on ``sample_share`` of the discovery customers (without
    replacement: UMAP's neighbour graph breaks on exact duplicates), and each
    persona is compared with the most similar persona of each refit on the
    customers both contain.
    """
    if not is_whole(n_boot) or n_boot < 1:
        raise ConfigError(f"Got n_boot={n_boot!r}, but expected a whole number >= 1.")
    if not 0 < sample_share < 1:
        raise ConfigError(f"Got sample_share={sample_share!r}, but expected a share in (0, 1).")
    if careless is None:  # nobody answered carelessly
        careless = np.zeros(len(values), dtype=bool)
    k = len(persona_ids)
    rng = check_random_state(seed)
    size = max(MIN_DISCOVERY, round(sample_share * len(values)))
    draws = [
        (np.sort(rng.choice(len(values), size, replace=False)), int(rng.randint(2**31 - 1)))
        for _ in range(n_boot)
    ]
    # Workers get the settings and a fresh assigner: a fitted reducer can weigh hundreds of MB.
    refits = Parallel(n_jobs=settings.n_jobs)(
        delayed(_refit_labels)(groups, max_distance, settings, values[rows], careless[rows], s)
        for rows, s in draws
    )
    scores = np.zeros((n_boot, k))
    for b, ((rows, _), refit) in enumerate(zip(draws, refits, strict=True)):
        scores[b] = _best_jaccard(labels[rows], refit, k)
    return pd.Series(
        scores.mean(axis=0), index=pd.Index(persona_ids, name="persona_id"), name="stability"
    )


def _refit_labels(groups, max_distance, settings, values, careless, seed) -> np.ndarray:
    """Discovery rerun on a resample, with the model's settings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "no structure" on a resample is a result
        found = discover(
            values, Assigner(groups, max_distance=max_distance), settings, seed, careless
        )
    return found.labels


def _best_jaccard(reference: np.ndarray, other: np.ndarray, k: int) -> np.ndarray:
    """For each reference persona, the highest Jaccard overlap with a persona of ``other``."""
    best = np.zeros(k)
    for p in range(k):
        mine = reference == p
        if not mine.any():
            continue
        for q in np.unique(other[other >= 0]):
            theirs = other == q
            union = np.sum(mine | theirs)
            best[p] = max(best[p], np.sum(mine & theirs) / union)
    return best
