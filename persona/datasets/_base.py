"""The container every data set in :mod:`persona.datasets` comes in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from persona.contract import Instrument

if TYPE_CHECKING:  # the features layer sits above the data sets; only its type is needed
    from persona.features.touchpoints import JourneySettings

__all__ = ["CustomerData"]


@dataclass(frozen=True, eq=False)
class CustomerData:
    """Input tables for persona, in its data contracts, plus what is known about them.

    A table a data set does not have is ``None``. Synthetic data also carries
    its ground truth: ``truth`` (true persona id by ``customer_id``) and
    ``personas`` (one row per true persona: name, defining dimension, need
    profile).

    ``journey`` is the :class:`~persona.features.JourneySettings` to read the
    events with, for data whose channels and event types are not persona's
    defaults (its own taxonomy and purchase, support and return types);
    ``None`` when the defaults apply. Pass it on as
    ``FeatureBuilder(journey=data.journey)``.
    """

    events: pd.DataFrame | None = None
    survey: pd.DataFrame | None = None
    emotions: pd.DataFrame | None = None
    demographics: pd.DataFrame | None = None
    instrument: Instrument | None = None
    journey: JourneySettings | None = None
    truth: pd.Series | None = None
    personas: pd.DataFrame | None = None
    observation_end: pd.Timestamp | None = None
    description: str = ""
    source: str = ""
    licence: str = ""
    notes: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        tables = ", ".join(
            f"{name}={len(table):,} rows"
            for name in ("events", "survey", "emotions", "demographics")
            if (table := getattr(self, name)) is not None
        )
        return f"CustomerData({self.description or 'unnamed'}: {tables})"
