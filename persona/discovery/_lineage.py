"""Persona identity across refits: which new persona is which old one.

Nightly refits must not rename everyone. Two labelings of the same customers
(the old model's and the new one's) are compared persona by persona: a *flow*
from an old persona to a new one is significant when it carries at least
``min_flow`` of both. Matched personas (best Jaccard overlap among significant
flows, one to one) keep the old id; the rest get fresh ids that were never
used. Every new persona is recorded as kept, split (one old persona flows into
several new ones), merged (several old ones flow into it) or appeared, and
every old persona that flows nowhere as vanished.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

__all__ = ["match_personas"]


def match_personas(
    new: pd.Series,
    old: pd.Series,
    *,
    next_id: int | None = None,
    min_flow: float = 0.2,
    personas: Iterable[int] | None = None,
) -> tuple[dict[int, int], pd.DataFrame]:
    """Give new personas the ids of the old ones they continue.

    Parameters
    ----------
    new, old : Series
        Persona labels by ``customer_id``; ``-1`` (unassigned) is left out.
        Only customers in both are compared.
    next_id : int, optional
        First id for personas without a match (default: one past the largest
        old id), so a vanished persona's id is never reused.
    min_flow : float, default=0.2
        Share of both personas a flow must carry to count.
    personas : iterable of int, optional
        Every new label to map, also those with no customer among the ones
        compared (they appear); default: the labels found in ``new``.

    Returns
    -------
    mapping : dict
        New label -> persona id.
    lineage : DataFrame
        One row per new persona and per vanished old one: ``persona_id``
        (``-1`` for a vanished one), ``event`` (kept, split, merged, appeared,
        vanished), ``previous_ids`` (the old personas that flow into it),
        ``jaccard`` (overlap with the persona whose id it kept) and
        ``customers`` (customers compared).

    Examples
    --------
    >>> import pandas as pd
    >>> old = pd.Series([7, 7, 7, 7, 9, 9, 9, 9])
    >>> new = pd.Series([0, 0, 1, 1, 2, 2, 2, 2])
    >>> mapping, lineage = match_personas(new, old)
    >>> mapping
    {0: 7, 1: 10, 2: 9}
    >>> lineage["event"].tolist()
    ['split', 'split', 'kept']
    """
    shared = new.index.intersection(old.index)
    pairs = pd.DataFrame({"new": new.reindex(shared), "old": old.reindex(shared)})
    pairs = pairs[(pairs["new"] != -1) & (pairs["old"] != -1)]
    new_ids = np.unique(new[new != -1].to_numpy() if personas is None else list(personas))
    old_ids = np.unique(old[old != -1].to_numpy())
    counts = pd.crosstab(pairs["new"], pairs["old"]).reindex(
        index=new_ids, columns=old_ids, fill_value=0
    )
    flow = counts.to_numpy(dtype=float)
    new_size = flow.sum(axis=1, keepdims=True)
    old_size = flow.sum(axis=0, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        significant = (flow / new_size >= min_flow) & (flow / old_size >= min_flow) & (flow > 0)
        jaccard = np.nan_to_num(flow / (new_size + old_size - flow))

    rows, cols = linear_sum_assignment(np.where(significant, -jaccard, 0.0))
    matched = {r: c for r, c in zip(rows, cols, strict=True) if significant[r, c]}
    fresh = int(old_ids.max()) + 1 if next_id is None and len(old_ids) else (next_id or 0)
    mapping: dict[int, int] = {}
    records = []
    for r, label in enumerate(new_ids):
        if r in matched:
            mapping[int(label)] = int(old_ids[matched[r]])
        else:
            mapping[int(label)], fresh = fresh, fresh + 1
        parents = np.flatnonzero(significant[r])
        if len(parents) == 0:
            event = "appeared"
        elif len(parents) > 1:
            event = "merged"
        elif significant[:, parents[0]].sum() > 1:
            event = "split"
        else:
            event = "kept"
        records.append(
            {
                "persona_id": mapping[int(label)],
                "event": event,
                "previous_ids": tuple(int(old_ids[p]) for p in parents),
                "jaccard": float(jaccard[r, matched[r]]) if r in matched else 0.0,
                "customers": int(new_size[r, 0]),
            }
        )
    for c in np.flatnonzero(~significant.any(axis=0)):
        records.append(
            {
                "persona_id": -1,
                "event": "vanished",
                "previous_ids": (int(old_ids[c]),),
                "jaccard": 0.0,
                "customers": int(old_size[0, c]),
            }
        )
    return mapping, pd.DataFrame.from_records(
        records, columns=["persona_id", "event", "previous_ids", "jaccard", "customers"]
    )
