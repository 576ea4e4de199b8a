"""The persona table: one row per persona, with its size, confidence, needs and reach.

Reads a fitted model's labels, probabilities and raw features and builds the
profile and the table that ``PersonaModel.personas_`` shows (by internal persona
index; the model gives them their public ids).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from persona.profiling._journey_map import JourneyMaps
from persona.profiling._naming import describe_personas
from persona.profiling._profiles import NOTABLE_SMD, activation, profile

__all__ = ["distinctive_needs", "persona_table"]


def persona_table(
    raw: pd.DataFrame,
    labels: np.ndarray,
    source: np.ndarray,
    proba: np.ndarray,
    maps: JourneyMaps | None,
    k: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The profile of ``k`` personas on the raw features, and the persona table."""
    size = np.bincount(labels[labels >= 0], minlength=k)
    discovered = np.bincount(labels[(labels >= 0) & (source == "discovery")], minlength=k)
    confidence = np.array([proba[labels == p, p].mean() if size[p] else np.nan for p in range(k)])
    table = profile(raw, pd.Series(labels, index=raw.index))
    every = pd.RangeIndex(k, name="persona_id")
    reach = activation(table).reindex(every)
    if maps is not None:  # channel and device chosen together, from pairs that occur
        for persona in every:
            pair = maps.hint(persona)
            if pair is not None:
                reach.loc[persona, ["channel", "device"]] = list(pair)
    words = describe_personas(table, reach).reindex(every)
    counts = pd.DataFrame(
        {
            "size": size,
            "share": size / len(labels),
            "discovered": discovered,
            "confidence": confidence,
            "distinctive_needs": distinctive_needs(table, k),
        },
        index=every,
    )
    return table, pd.concat([words, counts, reach], axis=1)


def distinctive_needs(table: pd.DataFrame, k: int, n: int = 3) -> list[tuple[str, ...]]:
    """The need dimensions furthest from the rest of the base: ``+thrift``, ``-status``."""
    needs = table[(table["family"] == "need") & (table["smd"].abs() >= NOTABLE_SMD)]
    found = {
        p: tuple(
            ("+" if r.smd > 0 else "-") + r.feature.removeprefix("psychographic__")
            for r in rows.head(n).itertuples()
        )
        for p, rows in needs.groupby("persona_id")
    }
    return [found.get(p, ()) for p in range(k)]
