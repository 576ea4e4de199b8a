"""Drift: how tonight's customers differ from those the model was fitted on.

A reference is taken at fit, an accumulator counts a night's scores chunk by
chunk in bounded memory, and a report says what moved, with the population
stability index, as JSON and as an HTML page.

- :mod:`._reference`: :func:`drift_reference` (quantile bins per feature,
  persona shares, confidence, coverage) and :func:`population_stability_index`;
- :mod:`._inputs`: the checks a chunk of features and scores must pass;
- :mod:`._accumulator`: :class:`DriftAccumulator`, integer counts per chunk,
  merged in any order and saved for a resumed job;
- :mod:`._report`: :class:`DriftThresholds`, the comparison, and :class:`DriftReport`
  with its JSON;
- :mod:`._page`: the report's HTML page, on the page the persona report uses.

It builds on :mod:`persona.assignment` (the unassigned id) and
:mod:`persona.report` (the shared HTML page).
"""

from persona.drift._accumulator import DriftAccumulator
from persona.drift._reference import drift_reference, population_stability_index
from persona.drift._report import DriftReport, DriftThresholds

__all__ = [
    "DriftAccumulator",
    "DriftReport",
    "DriftThresholds",
    "drift_reference",
    "population_stability_index",
]
