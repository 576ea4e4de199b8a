"""The data contract: what persona reads, and the one place each rule about it lives.

The four tables (events, survey, emotions, demographics), their required
columns, id rules, score ranges and emotions (:mod:`._schema`, with the shared
checks in :mod:`._checks` and timestamps in :mod:`._timestamps`); reading files
(:mod:`._tables`); the survey's instrument (:mod:`._instrument`); and the
journey's vocabulary, moments of truth, channels and the default event taxonomy
(:mod:`._journey`).

This is persona's lowest data layer: it imports only the base modules
(:mod:`persona.errors`, :mod:`persona._validate`, :mod:`persona._optional`), and
``Instrument.suggest`` calls the factor analysis of :mod:`persona.features` when
it is used (the one upward import, named in ``tests/test_architecture.py``).
"""

from persona.contract._instrument import Instrument, Item
from persona.contract._journey import (
    CHANNELS,
    DEFAULT_TAXONOMY,
    DEVICES,
    MOMENT_DESCRIPTIONS,
    MOMENTS,
)
from persona.contract._schema import (
    EMOTIONS,
    REQUIRED_COLUMNS,
    Inputs,
    validate_demographics,
    validate_emotions,
    validate_events,
    validate_inputs,
    validate_survey,
)
from persona.contract._tables import ReadOptions, TableLike, read_table

__all__ = [
    "CHANNELS",
    "DEFAULT_TAXONOMY",
    "DEVICES",
    "EMOTIONS",
    "Inputs",
    "Instrument",
    "Item",
    "MOMENTS",
    "MOMENT_DESCRIPTIONS",
    "REQUIRED_COLUMNS",
    "ReadOptions",
    "TableLike",
    "read_table",
    "validate_demographics",
    "validate_emotions",
    "validate_events",
    "validate_inputs",
    "validate_survey",
]
