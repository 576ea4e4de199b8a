"""Reason codes: which features say most about a customer's persona, picked by one rule.

A reason is a feature with one of the ``top`` largest absolute contributions
to the margin of the chosen persona over the runner-up (see
:mod:`persona.assignment._explain`), among the features the customer has:
one the customer's model does not read (a NaN contribution) or whose value
is missing and imputed is never a reason. Ties go to the earlier feature,
as a stable sort would. :func:`top_reasons` is that rule, for one customer
(``assign_persona``) and for a block of them (``explain``, batch scoring),
in two forms side by side that
``tests/test_assignment_reasons.py::test_one_rule_picks_the_reasons_of_a_row_and_of_a_block``
pins to each other; :func:`reason` is the record each reason is reported as.
This module only computes; it touches nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from persona.features._labels import trait_label

if TYPE_CHECKING:
    from persona.assignment._explain import Contributions

__all__ = ["reason", "reasons_table", "top_reasons"]


def top_reasons(
    contributions: np.ndarray, top: int, *, missing: np.ndarray | None = None
) -> np.ndarray:
    """Positions of the ``top`` largest absolute contributions, largest first.

    A NaN contribution (a feature the model does not read) and one where
    ``missing`` is True (no value, imputed) are never chosen; ties go to the
    lower position. ``contributions`` is one customer's (1-D: the positions
    chosen, fewer than ``top`` when fewer are usable) or a block's (2-D, by
    row: ``-1`` fills a row's places beyond its usable features).

    >>> top_reasons(np.array([0.5, -2.0, np.nan, 2.0]), 3).tolist()
    [1, 3, 0]
    >>> top_reasons(np.array([[0.5, -2.0], [np.nan, 1.0]]), 2).tolist()
    [[1, 0], [1, -1]]
    """
    top = max(top, 0)
    magnitude = np.abs(contributions)
    unusable = np.isnan(magnitude)
    if missing is not None:
        unusable |= missing
    if magnitude.ndim == 1:
        # One customer: a stable sort of a few dozen numbers beats ``top`` passes.
        np.negative(magnitude, out=magnitude)
        magnitude[unusable] = 1.0  # after every usable one
        usable = len(magnitude) - np.count_nonzero(unusable)
        return magnitude.argsort(kind="stable")[: min(top, usable)]
    # A block: ``top`` passes of argmax (each takes the first largest: the stable choice)
    # instead of sorting every row whole.
    magnitude[unusable] = -1.0
    rows = np.arange(len(magnitude))
    chosen = np.full((len(magnitude), top), -1, dtype=np.int64)
    for place in range(top):
        best = np.argmax(magnitude, axis=1)
        chosen[:, place] = np.where(magnitude[rows, best] >= 0, best, -1)
        magnitude[rows, best] = -np.inf
    return chosen


def reason(feature: str, trait: str, value: float, contribution: float) -> dict[str, Any]:
    """One reason as reported: the feature, its trait label, the customer's value in the
    feature's own units, the contribution and its direction ("toward" the persona or
    "away" from it, toward the runner-up)."""
    return {
        "feature": feature,
        "trait": trait,
        "value": value,
        "contribution": contribution,
        "direction": "toward" if contribution > 0 else "away",
    }


def reasons_table(
    found: Contributions,
    feature_names: Sequence[str],
    raw: pd.DataFrame,
    *,
    top: int,
) -> list[list[dict]]:
    """The ``top`` features by absolute contribution, per customer, as plain records."""
    raw_values = raw.to_numpy(dtype=np.float64)
    chosen = top_reasons(found.values, top, missing=np.isnan(raw_values))
    records = []
    for i, columns in enumerate(chosen):
        records.append(
            [
                reason(
                    feature_names[j],
                    trait_label(feature_names[j]),
                    float(np.round(raw_values[i, j], 10)),
                    float(found.values[i, j]),
                )
                for j in columns
                if j >= 0
            ]
        )
    return records
