"""PersonaModel's parameters, declared and checked in one place.

Each check names the parameter and what it expects, in the words of
:mod:`persona._validate`: ``Got n_personas=0, but expected a whole number >= 1
or None.`` It reads the estimator's parameters and sets nothing.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

from sklearn.utils.validation import check_is_fitted

from persona._validate import is_whole
from persona.discovery._search import MIN_DISCOVERY
from persona.errors import ConfigError
from persona.features.careless import CarelessRules

__all__ = ["check_builder", "check_parameters"]


def check_parameters(self: Any) -> None:
    """Refuse, by name, a PersonaModel parameter that cannot work (at fit: scikit-learn's
    estimators take any value at construction)."""
    check_builder(self)  # again: set_params skips __init__
    n, share, sample = self.n_personas, self.min_persona_share, self.discovery_sample
    if n is not None and (not is_whole(n) or n < 1):
        raise ConfigError(f"Got n_personas={n!r}, but expected a whole number >= 1 or None.")
    if not isinstance(share, Real) or not 0 < share < 0.5:
        raise ConfigError(f"Got min_persona_share={share!r}, but expected a share in (0, 0.5).")
    if sample is not None and not (
        (is_whole(sample) and sample >= MIN_DISCOVERY)
        or (isinstance(sample, Real) and not isinstance(sample, Integral) and 0 < sample <= 1)
    ):
        raise ConfigError(
            f"Got discovery_sample={sample!r}, but expected a number of customers >= "
            f"{MIN_DISCOVERY} or a share in (0, 1]."
        )
    if not isinstance(self.max_distance, Real) or not self.max_distance > 1:
        raise ConfigError(f"Got max_distance={self.max_distance!r}, but expected a number > 1.")
    if not isinstance(self.audit_threshold, Real) or not 0 <= self.audit_threshold <= 1:
        raise ConfigError(
            f"Got audit_threshold={self.audit_threshold!r}, but expected a number in [0, 1]."
        )
    if self.previous is not None:
        check_is_fitted(self.previous, "assigner_")
    if self.careless is not None and not isinstance(self.careless, CarelessRules):
        raise ConfigError(
            f"Got careless={self.careless!r}, but expected None or a "
            "persona.features.careless.CarelessRules."
        )


def check_builder(self: Any) -> None:
    """Refuse a feature builder given beside the settings it reads."""
    given = [name for name in ("instrument", "journey") if getattr(self, name) is not None]
    if self.features is not None and given:
        said = " and ".join(f"{name}=" for name in given)
        inside = ", ".join(f"{name}=..." for name in given)
        raise ConfigError(
            f"Got both features= and {said}: the feature builder reads them, so give "
            f"them to it (features=FeatureBuilder({inside})), or leave features= out "
            f"and PersonaModel builds it from {said}."
        )
