"""What assignment needs, prepared once: the portable assigner and the parts a record reads.

:class:`PortableAssigner` is the assigner without the discovery model: the
feature builder, the distilled assigner, persona names and the golden
questions (:func:`~persona.assignment._artifact.load_assigner` reads one from
an exported folder; batch scoring ships one to its workers). The pieces
:func:`~persona.assignment._assign.assign_persona` reads for every record --
the feature positions, trait labels, the one-record feature reader, the
assigner's prepared scoring constants -- are an :class:`AssignmentParts`,
built once: when a PortableAssigner is made (or unpickled), and for a fitted
PersonaModel on its first assignment, then kept beside it (never on it) for
as long as the model lives and its version, names and golden questions stay
the same. This module writes nothing on the objects it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from persona.assignment._assigner import UNASSIGNED, Assigner, finite_features
from persona.assignment._errors import input_error
from persona.assignment._score import Prepared
from persona.errors import ConfigError
from persona.features._labels import trait_label
from persona.features.builder import FeatureBuilder, with_observation_end
from persona.features.record import RecordFeatures

__all__ = ["AssignmentParts", "PortableAssigner", "assignment_parts", "build_parts"]


@dataclass(frozen=True, eq=False)
class AssignmentParts:
    """The pieces assigning a record reads, from a fitted model or a portable assigner."""

    builder: FeatureBuilder | None
    assigner: Assigner
    feature_names: list[str]
    persona_ids: np.ndarray
    names: dict[int, str]
    version: str
    index: dict[str, int]  # position of each feature name
    ids_with_unassigned: tuple[int, ...]
    traits: list[str]  # trait label of each feature
    golden: Any = None
    record: RecordFeatures | None = None  # one record's raw features in numpy
    record_order: np.ndarray | None = None  # its columns in feature_names order, if they differ
    scoring: Prepared | None = None  # the assigner's prepared constants


def _parts_of(
    builder: FeatureBuilder | None,
    assigner: Assigner,
    feature_names: list[str],
    persona_ids: np.ndarray,
    names: dict[int, str],
    version: str,
    golden: Any,
) -> AssignmentParts:
    record, order = None, None
    if builder is not None:
        record = RecordFeatures(builder)
        if record.columns != feature_names:
            at = {n: i for i, n in enumerate(record.columns)}
            order = np.array([at[n] for n in feature_names])
    return AssignmentParts(
        builder, assigner, feature_names, persona_ids, names, version,
        {n: i for i, n in enumerate(feature_names)}, (*persona_ids.tolist(), UNASSIGNED),
        [trait_label(n) for n in feature_names], golden, record, order, assigner.prepared(),
    )  # fmt: skip


@dataclass(frozen=True)
class PortableAssigner:
    """What assignment needs, without the discovery model: load it with :func:`load_assigner`."""

    builder: FeatureBuilder | None
    assigner: Assigner
    feature_names: list[str]
    persona_ids: np.ndarray
    names: dict[int, str]
    descriptions: dict[int, str]
    model_version: str
    manifest: dict[str, Any] = field(default_factory=dict)
    golden: Any = None
    drift_reference: dict[str, Any] | None = None  # the training base, for drift reports
    parts: AssignmentParts = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", self._prepare())

    def _prepare(self) -> AssignmentParts:
        return _parts_of(
            self.builder, self.assigner, self.feature_names, self.persona_ids, self.names,
            self.model_version, self.golden,
        )  # fmt: skip

    def __getstate__(self) -> dict[str, Any]:
        # The parts are rebuilt where it is unpickled (a batch worker), not shipped.
        return {k: v for k, v in self.__dict__.items() if k != "parts"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        object.__setattr__(self, "parts", self._prepare())

    def predict_proba(self, X: Any = None, **tables: Any) -> pd.DataFrame:
        """Probabilities of each persona and of being unassigned (column -1), by customer."""
        frame = _matrix_of(self, X, tables)
        proba = self.assigner.predict_proba(frame.to_numpy(dtype=np.float64))
        columns = pd.Index([*self.persona_ids.tolist(), UNASSIGNED], name="persona_id")
        return pd.DataFrame(proba, index=frame.index, columns=columns)

    def predict(self, X: Any = None, **tables: Any) -> pd.Series:
        """The persona id of each customer (-1: unassigned)."""
        proba = self.predict_proba(X, **tables)
        best = proba.columns.to_numpy()[np.argmax(proba.to_numpy(), axis=1)]
        return pd.Series(best, index=proba.index, name="persona_id")


def assignment_parts(model: Any) -> AssignmentParts:
    """The pieces assignment needs, from a fitted PersonaModel or a PortableAssigner.

    A PortableAssigner carries its own, built when it is made or unpickled; a
    PersonaModel publishes its own as ``assignment_parts_`` whenever its personas,
    names or golden questions change (fit, ``rename``, ``align_to``,
    ``golden_questions``). Nothing is written on the model here.
    """
    if isinstance(model, AssignmentParts):
        return model
    if isinstance(model, PortableAssigner):
        return model.parts
    if not hasattr(model, "assigner_"):
        raise ConfigError(
            f"Got a {type(model).__name__}; assign with a fitted PersonaModel or the "
            "PortableAssigner that persona.load_assigner returns."
        )
    parts = getattr(model, "assignment_parts_", None)
    return parts if parts is not None else build_parts(model)


def build_parts(model: Any) -> AssignmentParts:
    """A fitted PersonaModel's parts, built from its published state."""
    labels = {int(p): str(n) for p, n in model.personas_["name"].items()}
    return _parts_of(
        model.features_, model.assigner_, [str(c) for c in model.feature_names_out_],
        np.asarray(model.persona_ids_), labels, model.model_version_,
        getattr(model, "golden_", None),
    )  # fmt: skip


def _matrix_of(portable: PortableAssigner, X: Any, tables: dict) -> pd.DataFrame:
    if X is not None and not isinstance(X, pd.DataFrame):
        raise ConfigError("Got X that is not a DataFrame: pass a feature matrix or the tables.")
    if X is not None:
        missing = [c for c in portable.feature_names if c not in X.columns]
        if missing:
            raise input_error(
                "features",
                f"The feature matrix lacks {len(missing)} column(s), first {missing[:5]}.",
                column=missing[0],
            )
        return finite_features(X[portable.feature_names].astype(np.float64))
    if portable.builder is None:
        raise ConfigError("This assigner scores feature matrices: pass X=.")
    tables = dict(tables)
    end = tables.pop("observation_end", None)
    builder = portable.builder if end is None else with_observation_end(portable.builder, end)
    return builder.transform(**tables)[portable.feature_names]
