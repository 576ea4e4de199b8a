"""Profiling: what sets each persona apart, in words a marketer reads.

- :mod:`._profiles`: Cohen's d and Welch's t per trait, and where and when to
  reach each persona;
- :mod:`._naming`: names, descriptions, tone and message;
- :mod:`._table`: the persona table (size, confidence, distinctive needs, reach);
- :mod:`._audit`: how much demographics alone would tell;
- :mod:`._journey_map`: each persona's journey by moment of truth;
- :mod:`._voices`: each persona's most typical comments.

It builds on :mod:`persona.contract` and :mod:`persona.features`.
"""

from persona.profiling._audit import demographic_audit
from persona.profiling._journey_map import JourneyMaps, journey_maps
from persona.profiling._naming import describe_personas
from persona.profiling._profiles import activation, profile, trait_family, trait_label

__all__ = [
    "JourneyMaps",
    "activation",
    "demographic_audit",
    "describe_personas",
    "journey_maps",
    "profile",
    "trait_family",
    "trait_label",
]
