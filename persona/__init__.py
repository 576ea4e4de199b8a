"""persona: need- and desire-based customer personas.

persona combines behavioural touchpoints (event logs), psychographic surveys
(Likert instruments measuring needs and desires) and emotion signals into
personas, and assigns and explains them for notebooks, batch jobs and services.
"""

from importlib.metadata import PackageNotFoundError, version

from persona._optional import DISTRIBUTION
from persona.assignment import (
    Assignment,
    AssignmentReport,
    Contributions,
    Counterfactual,
    GoldenQuestions,
    PortableAssigner,
    assign_persona,
    assign_personas,
    load_assigner,
)
from persona.contract import (
    DEFAULT_TAXONOMY,
    Instrument,
    Item,
    ReadOptions,
    validate_demographics,
    validate_emotions,
    validate_events,
    validate_inputs,
    validate_survey,
)
from persona.drift import DriftReport, DriftThresholds
from persona.errors import ArtifactError, ConfigError, InputError, PersonaError
from persona.features import FeatureBuilder, JourneySettings, Psychometrics
from persona.model import PersonaModel
from persona.persistence import load
from persona.profiling import JourneyMaps, profile
from persona.project import Project
from persona.scoring import ScoringSummary, score_files

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "DEFAULT_TAXONOMY",
    "ArtifactError",
    "Assignment",
    "AssignmentReport",
    "ConfigError",
    "Contributions",
    "Counterfactual",
    "DriftReport",
    "DriftThresholds",
    "FeatureBuilder",
    "GoldenQuestions",
    "InputError",
    "Instrument",
    "Item",
    "JourneyMaps",
    "JourneySettings",
    "PersonaError",
    "PersonaModel",
    "PortableAssigner",
    "Project",
    "Psychometrics",
    "ReadOptions",
    "ScoringSummary",
    "__version__",
    "assign_persona",
    "assign_personas",
    "load",
    "load_assigner",
    "profile",
    "score_files",
    "validate_demographics",
    "validate_emotions",
    "validate_events",
    "validate_inputs",
    "validate_survey",
]
