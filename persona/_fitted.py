"""A fitted PersonaModel's state, in one object: what fit learned, by internal persona index.

``PersonaModel.fit`` builds one :class:`Fitted` and keeps it as ``model.fitted_``;
everything public (``labels_``, ``probabilities_``, ``personas_``, ...) is published
from it under the persona ids and names of the day (:meth:`PersonaModel._publish`),
so renaming or aligning personas never touches it. The modules that read a fitted
model (the report, explanations, the assignment report, persistence) read this
object, never private attributes. It imports nothing of persona's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Discovery", "Fitted"]


@dataclass(frozen=True)
class Discovery:
    """The customers personas were discovered on, and what discovery found."""

    values: np.ndarray  # their feature rows
    rows: np.ndarray  # their positions among the training customers
    labels: np.ndarray  # personas 0 .. k-1 as discovery found them, by size
    seed: int | None  # discovery's seed: stability resamples start from it
    careless: np.ndarray  # who answered the survey carelessly (took no part)
    thin: tuple[np.ndarray, np.ndarray] | None = None  # records cut to first touchpoints, owners


@dataclass(frozen=True)
class Fitted:
    """What fit learned about the training customers, by internal persona index.

    ``training`` (the feature matrix) and ``comments`` (customers' own words) stay in
    memory only: :meth:`for_disk` leaves them out.
    """

    index: pd.Index  # the training customers, sorted
    labels: np.ndarray  # persona index of each (-1: unassigned)
    proba: np.ndarray  # probabilities, one column per persona, then the unassigned share
    discovery: Discovery
    profile: pd.DataFrame  # every persona against the rest, feature by feature
    personas: pd.DataFrame  # the persona table
    journey_maps: Any = None  # JourneyMaps, or None without events
    drift_base: dict | None = None  # the drift reference, before public persona ids
    training: pd.DataFrame | None = None
    comments: Any = None

    def for_disk(self) -> Fitted:
        """This state without the training matrix (rebuilt from tables when needed; it can
        weigh GBs) and without customers' comments (never written to disk)."""
        return replace(self, training=None, comments=None)

    def discovery_labels(self) -> np.ndarray:
        """The persona index each discovery customer ended with."""
        return self.labels[self.discovery.rows]
