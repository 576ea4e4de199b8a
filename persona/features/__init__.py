"""Features from the three signals, one row per customer, joined into one matrix.

- touchpoints -> ``behaviour__*``: how a customer moves through the journey;
- survey + instrument -> ``psychographic__*``: what they need and desire;
- emotion readings -> ``emotion__*``: how they feel, at which moment.

Beside them, the survey is checked as a market researcher would: careless
respondents (:func:`careless_respondents`), reliability (:func:`scale_reliability`,
:func:`omega`), confirmatory fit, measurement invariance, and an instrument
proposed for items without one (:func:`suggest_instrument`).

Each modality is a plain function on DataFrames; :class:`FeatureBuilder` joins
them into a scaled, weighted matrix for modelling.
"""

from persona.features.builder import GROUPS, FeatureBuilder
from persona.features.careless import CarelessRules, careless_respondents
from persona.features.emotions import emotion_features
from persona.features.exploratory import Suggestion, suggest_instrument
from persona.features.measurement import (
    ConfirmatoryFit,
    Invariance,
    confirmatory_fit,
    measurement_invariance,
)
from persona.features.psychographic import psychographic_features, response_style, score_scales
from persona.features.psychometrics import Psychometrics, assess_instrument
from persona.features.reliability import Omega, Reliability, omega, scale_reliability
from persona.features.text import EmotionScorer, LexiconScorer, score_texts
from persona.features.touchpoints import (
    DAYPARTS,
    JourneySettings,
    behaviour_features,
    first_touchpoints,
)

__all__ = [
    "CarelessRules",
    "Psychometrics",
    "assess_instrument",
    "careless_respondents",
    "ConfirmatoryFit",
    "Invariance",
    "Suggestion",
    "confirmatory_fit",
    "measurement_invariance",
    "suggest_instrument",
    "DAYPARTS",
    "GROUPS",
    "EmotionScorer",
    "FeatureBuilder",
    "JourneySettings",
    "LexiconScorer",
    "Omega",
    "Reliability",
    "behaviour_features",
    "first_touchpoints",
    "omega",
    "emotion_features",
    "psychographic_features",
    "response_style",
    "scale_reliability",
    "score_scales",
    "score_texts",
]
