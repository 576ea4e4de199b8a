"""Careless respondents planted in a customer base, to check what catches them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from persona.datasets._base import CustomerData
from persona.errors import ConfigError

__all__ = ["plant_careless"]

# The three habits of careless answering (Meade and Craig, 2012; Curran, 2016), in shares.
_KINDS = (("random", 0.6), ("longstring", 0.2), ("pattern", 0.2))


def plant_careless(
    data: CustomerData, share: float = 0.1, random_state: int | None = 0
) -> tuple[CustomerData, pd.Series]:
    """Replace the answers of a share of respondents with careless ones.

    Of the chosen respondents, 60 % click at random (a uniform answer on
    each item's scale), 20 % give one answer to at least 85 % of the items in
    a row (long-string) and 20 % follow a pattern down the page (1, 2, 3, 4,
    5, 4, 3, ... on each item's scale). Skipped items stay skipped; every
    other table is kept as it is.

    Parameters
    ----------
    data : CustomerData
        A base with a survey and its instrument.
    share : float, default 0.1
        The share of respondents made careless.
    random_state : int or None, default 0
        Seed of the choice and the answers.

    Returns
    -------
    (CustomerData, Series)
        The base with the new survey, and the planted respondents: their
        habit ("random", "longstring" or "pattern") by ``customer_id``.

    Examples
    --------
    >>> from persona.datasets import make_customers, plant_careless
    >>> data = make_customers(n_customers=1000, random_state=0)
    >>> planted, habits = plant_careless(data, share=0.1, random_state=1)
    >>> len(habits) == round(0.1 * len(data.survey))
    True
    >>> sorted(habits.unique())
    ['longstring', 'pattern', 'random']
    """
    if data.survey is None or data.instrument is None:
        raise ConfigError("plant_careless needs a base with a survey and its instrument.")
    if not 0.0 <= share <= 1.0:
        raise ConfigError(f"Got share={share!r}, but expected a number in [0, 1].")
    rng = np.random.default_rng(random_state)
    survey = data.survey.copy()
    items = list(data.instrument.item_names)
    low = np.array([data.instrument.item(i).low for i in items], dtype=float)
    high = np.array([data.instrument.item(i).high for i in items], dtype=float)
    chosen = np.sort(rng.choice(len(survey), size=round(share * len(survey)), replace=False))
    kinds = rng.choice(len(_KINDS), size=len(chosen), p=[s for _, s in _KINDS])
    answers = survey[items].to_numpy(dtype=float, copy=True)
    skipped = np.isnan(answers[chosen])
    span = high - low + 1
    new = low + np.floor(rng.random((len(chosen), len(items))) * span)  # random
    steady = kinds == 1
    run_start = rng.integers(0, max(1, round(0.15 * len(items))) + 1, size=steady.sum())
    run_value = low.min() + np.floor(rng.random(steady.sum()) * span.min())
    position = np.arange(len(items))
    in_run = (position >= run_start[:, None]) & (position < run_start[:, None] + 0.85 * len(items))
    new[steady] = np.where(in_run, run_value[:, None], new[steady])
    pattern = kinds == 2
    offset = rng.integers(0, 8, size=pattern.sum())
    wave = (position + offset[:, None]) % (2 * (span - 1))
    new[pattern] = low + np.where(wave < span, wave, 2 * (span - 1) - wave)
    answers[chosen] = np.where(skipped, np.nan, np.clip(new, low, high))
    survey[items] = answers
    habits = pd.Series(
        np.array([name for name, _ in _KINDS])[kinds],
        index=pd.Index(survey["customer_id"].iloc[chosen], name="customer_id"),
        name="habit",
    )
    return dataclasses.replace(data, survey=survey), habits
