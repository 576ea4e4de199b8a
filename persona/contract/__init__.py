"""The data contract: what persona reads, and the one place each rule about it lives.

The four tables (events, survey, emotions, demographics), their required
columns, id rules, score ranges and emotions (:mod:`._schema`, with the shared
checks in :mod:`._checks`); reading files (:mod:`._tables`); the survey's
instrument (:mod:`._instrument`); and the journey's vocabulary, moments of
truth, channels and the default event taxonomy (:mod:`._journey`).

This is persona's lowest layer: it imports nothing of persona's but
:mod:`persona.errors`, :mod:`persona._validate` and :mod:`persona._optional`.
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
