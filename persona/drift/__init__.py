"""Drift: how tonight's customers differ from those the model was fitted on.

A reference is taken at fit, an accumulator counts a night's scores chunk by
chunk in bounded memory, and a report says what moved, with the population
stability index, as JSON and as an HTML page.
"""

from persona.drift._drift import (
    DriftAccumulator,
    DriftReport,
    DriftThresholds,
    drift_reference,
    population_stability_index,
)

__all__ = [
    "DriftAccumulator",
    "DriftReport",
    "DriftThresholds",
    "drift_reference",
    "population_stability_index",
]
