"""The fitted assigner as JSON-able settings and named numpy arrays, and back, with no pickle.

What :meth:`Assigner.to_arrays <persona.assignment._assigner.Assigner.to_arrays>`
and :meth:`~persona.assignment._assigner.Assigner.from_arrays` do, and the check
that arrays read back fit their settings. The exported assigner folder
(:mod:`persona.assignment._artifact`) stores exactly these; the model version
is a hash of them. This module reads and builds assigners; it touches no file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from persona.assignment._fitting import PatternModel
from persona.errors import ArtifactError

if TYPE_CHECKING:
    from persona.assignment._assigner import Assigner

__all__ = ["assigner_arrays", "assigner_from_arrays"]

_MODEL_ARRAYS = ("columns", "mean", "scale", "coef", "intercept", "radius")


def assigner_arrays(assigner: Assigner) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The fitted assigner as JSON-able settings and named numpy arrays (no pickling)."""
    patterns = list(assigner.models_)
    settings = {
        "groups": {g: c.tolist() for g, c in assigner.groups.items()},
        "C": assigner.C,
        "max_distance": assigner.max_distance,
        "calibrate": bool(assigner.__dict__.get("calibrate", False)),
        "n_personas": assigner.n_personas_,
        "n_features": assigner.n_features_in_,
        "patterns": [list(p) for p in patterns],
    }
    binned = list(assigner.__dict__.get("binned_") or {})
    if assigner.__dict__.get("evidence") is not None:
        column, edges = assigner.evidence
        settings["evidence"] = {"column": int(column), "edges": edges.tolist()}
        settings["binned"] = [[list(p), int(b)] for p, b in binned]
    arrays = {
        "median": assigner.median_, "low": assigner.low_, "high": assigner.high_,
        "centroids": assigner.centroids_,
    }  # fmt: skip
    for i, pattern in enumerate(patterns):
        model = assigner.models_[pattern]
        for name in _MODEL_ARRAYS:
            arrays[f"pattern{i}_{name}"] = getattr(model, name)
        if model.centres is not None:
            arrays[f"pattern{i}_centres"] = model.centres
    for i, key in enumerate(binned):
        model = assigner.binned_[key]
        for name in (*_MODEL_ARRAYS, "centres"):
            arrays[f"binned{i}_{name}"] = getattr(model, name)
    return settings, arrays


def assigner_from_arrays(
    cls: type[Assigner], settings: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
) -> Assigner:
    """An assigner back from :func:`assigner_arrays`; :class:`ArtifactError` names an array
    whose shape does not fit the settings (arrays of another model, say)."""
    _check_shapes(settings, arrays)
    assigner = cls(
        settings["groups"],
        C=settings["C"],
        max_distance=settings["max_distance"],
        evidence=settings.get("evidence"),
        calibrate=settings.get("calibrate", False),
    )
    assigner.n_personas_ = int(settings["n_personas"])
    assigner.n_features_in_ = int(settings["n_features"])
    assigner.median_, assigner.low_ = arrays["median"], arrays["low"]
    assigner.high_, assigner.centroids_ = arrays["high"], arrays["centroids"]
    assigner.models_ = {}
    for i, pattern in enumerate(settings["patterns"]):
        parts = {name: arrays[f"pattern{i}_{name}"] for name in _MODEL_ARRAYS}
        parts["centres"] = arrays.get(f"pattern{i}_centres")
        assigner.models_[tuple(pattern)] = PatternModel(groups=tuple(pattern), **parts)
    assigner.binned_ = {}
    for i, (pattern, b) in enumerate(settings.get("binned", [])):
        parts = {name: arrays[f"binned{i}_{name}"] for name in (*_MODEL_ARRAYS, "centres")}
        model = PatternModel(groups=tuple(pattern), evidence=int(b), **parts)
        assigner.binned_[tuple(pattern), int(b)] = model
    return assigner


def _check_shapes(settings: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    k, d = int(settings["n_personas"]), int(settings["n_features"])
    expected = {"median": (d,), "low": (d,), "high": (d,), "centroids": (k, d)}
    models = [f"pattern{i}" for i, _ in enumerate(settings["patterns"])]
    models += [f"binned{i}" for i, _ in enumerate(settings.get("binned", []))]
    for model in models:
        columns = arrays.get(f"{model}_columns")
        n = -1 if columns is None else len(columns)
        expected |= {
            f"{model}_columns": (n,), f"{model}_mean": (n,), f"{model}_scale": (n,),
            f"{model}_coef": (k, n), f"{model}_intercept": (k,), f"{model}_radius": (k,),
        }  # fmt: skip
        if model.startswith("binned") or f"{model}_centres" in arrays:
            expected[f"{model}_centres"] = (k, n)
        if columns is not None and len(columns) and not (0 <= columns.min() <= columns.max() < d):
            raise ArtifactError(f"the arrays' {model} reads columns outside the {d} features")
    for name, shape in expected.items():
        found = arrays.get(name)
        if found is None or found.shape != shape:
            got = "missing" if found is None else f"of shape {found.shape}"
            raise ArtifactError(
                f"the array {name} is {got}, but the settings ({k} personas, {d} features) "
                f"want {shape}: the arrays belong to another assigner"
            )
