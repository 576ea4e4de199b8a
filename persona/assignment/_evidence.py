"""How much a record holds, and the thin records the assigner learns confidence from.

A persona is discovered on whole records: a year of touchpoints, a survey,
emotion readings. Many records scored later are thin: a customer at their
first touchpoints, in a micro-moment. A model learned on whole records reads
three touchpoints as extreme shares and answers with a confidence it has not
earned. So the assigner (:class:`~persona.assignment._assigner.Assigner`) keeps one model
per *evidence bin* of each signal pattern, by how many touchpoints the record
holds, and learns each from records that hold that much: the discovery
customers' own journeys cut to their first touchpoints
(:func:`~persona.features.first_touchpoints`), labelled with the persona of
their whole record.

This module builds the two things that takes: the bins, in the units of the
assigner's matrix, and the thin records. It reads the feature builder and the
event log; it imports nothing above them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from persona.contract import TableLike, read_table, validate_events
from persona.features.builder import FeatureBuilder, with_observation_end
from persona.features.touchpoints import Journeys

__all__ = ["EVIDENCE_BINS", "THIN_CUSTOMERS", "THIN_TOUCHPOINTS", "evidence_bins", "thin_records"]

#: The evidence bins, by touchpoints a record holds: 1, 2-3, 4-10, 11 and more.
EVIDENCE_BINS: tuple[str, ...] = ("1", "2-3", "4-10", "11+")
_EDGES = (1.5, 3.5, 10.5)  # touchpoint counts between the bins
_COLUMN = "behaviour__touchpoints"

#: The journeys' lengths the thin records are cut to: every bin below 11+ is learned.
THIN_TOUCHPOINTS: tuple[int, ...] = (1, 2, 3, 5, 10)

#: Discovery customers whose journeys are cut, at most: up to five cut records each, kept
#: with the model. 20,000 customers, 100,000 records of 100 features: 80 MB, plenty for a
#: logistic model per bin, however many respondents discovery ran on.
THIN_CUSTOMERS = 20_000


def evidence_bins(builder: FeatureBuilder, columns: pd.Index) -> dict[str, Any] | None:
    """The assigner's ``evidence`` setting for a matrix of ``columns`` the builder made.

    None when the matrix has no touchpoint count, or the builder weighs behaviour 0
    (its scaled counts are all equal, so they tell no amount apart).
    """
    if _COLUMN not in columns:
        return None
    j = columns.get_loc(_COLUMN)
    raw = np.zeros((len(_EDGES), len(columns)))
    raw[:, j] = _EDGES
    edges = builder.scale_rows(raw)[:, j]
    if not (np.isfinite(edges).all() and (np.diff(edges) > 0).all()):
        return None
    return {"column": int(j), "edges": edges.tolist()}


def thin_records(
    builder: FeatureBuilder,
    events: TableLike,
    customers: pd.Index,
    values: np.ndarray,
    behaviour: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``customers``' records as they stood at their first touchpoints.

    ``values`` are the customers' whole rows of the matrix and ``behaviour``
    the indices of its behaviour columns. Only the first :data:`THIN_CUSTOMERS`
    customers are cut (discovery's rows come in an order set by a hash of
    their features, so the first are a fair sample). For each length of
    :data:`THIN_TOUCHPOINTS` shorter than a customer's journey, the record gets
    the behaviour features of that many first touchpoints (as of the builder's
    observation end) and keeps its survey and emotion features. Returns the
    rows and, for each, the position of its customer in ``customers``.
    """
    customers, values = customers[:THIN_CUSTOMERS], values[:THIN_CUSTOMERS]
    table = validate_events(read_table(events, "events"))
    journeys = Journeys.ordered(table.loc[table["customer_id"].isin(customers)])
    position = pd.Series(np.arange(len(customers)), index=customers)
    counts = journeys.table.groupby("customer_id", sort=False).size()
    parts = []
    for length in THIN_TOUCHPOINTS:
        early, _ = journeys.first(length)
        # A journey no longer than the cut is its own whole record.
        early = early.loc[early["customer_id"].map(counts).to_numpy() > length]
        if not len(early):
            continue
        owner = position.loc[early["customer_id"]].to_numpy()
        # One id per customer and length, so the lengths are built in one pass.
        parts.append(early.assign(customer_id=owner * len(THIN_TOUCHPOINTS) + len(parts)))
    if not parts:
        return np.empty((0, values.shape[1])), np.empty(0, dtype=np.intp)
    fixed = with_observation_end(builder, builder.observation_end_)
    frame = fixed.transform(events=pd.concat(parts, ignore_index=True))
    frame = frame.sort_index()
    owner = frame.index.to_numpy() // len(THIN_TOUCHPOINTS)
    rows = values[owner].copy()
    rows[:, behaviour] = frame.iloc[:, behaviour].to_numpy()
    return rows, owner
