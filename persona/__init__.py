"""persona: need- and desire-based customer personas.

persona combines behavioural touchpoints (event logs), psychographic surveys
(Likert instruments measuring needs and desires) and emotion signals into
personas, and assigns and explains them for notebooks, batch jobs and services.
"""

from importlib.metadata import PackageNotFoundError, version

from persona._optional import DISTRIBUTION
from persona.assignment._artifact import Assignment, assign_persona, assign_personas, load_assigner
from persona.contract._instrument import Instrument, Item
from persona.contract._journey import DEFAULT_TAXONOMY
from persona.contract._schema import (
    validate_demographics,
    validate_emotions,
    validate_events,
    validate_inputs,
    validate_survey,
)
from persona.contract._tables import ReadOptions
from persona.drift._drift import DriftReport, DriftThresholds
from persona.errors import InputError
from persona.features.builder import FeatureBuilder
from persona.features.touchpoints import JourneySettings
from persona.model import PersonaModel
from persona.persistence import load
from persona.profiling._profiles import profile
from persona.project import Project
from persona.scoring._files import ScoringSummary, score_files
from persona.scoring._tables import score_tables

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "DEFAULT_TAXONOMY",
    "Assignment",
    "DriftReport",
    "DriftThresholds",
    "FeatureBuilder",
    "InputError",
    "Instrument",
    "Item",
    "JourneySettings",
    "PersonaModel",
    "Project",
    "ReadOptions",
    "ScoringSummary",
    "__version__",
    "assign_persona",
    "assign_personas",
    "load",
    "load_assigner",
    "profile",
    "score_files",
    "score_tables",
    "validate_demographics",
    "validate_emotions",
    "validate_events",
    "validate_inputs",
    "validate_survey",
]
