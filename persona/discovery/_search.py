"""Discovery's search: which customers take part, and the personas found among them.

:func:`discovery_rows` picks the customers (in an order set by what they did and
said, never by their ids) and :func:`discover` finds their personas: latent need
profiles with a survey and the default steps, else the reducer and the
clusterer, then the refinement by the assigner. It reads the settings it is
given and the matrix; it never touches a model.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from persona._progress import stage
from persona.assignment import Assigner, column_medians
from persona.discovery._mixture import discover_profiles
from persona.discovery._reduce import (
    StructureTest,
    default_reducer,
    fit_embedding,
    merge_personas,
    refine,
    select_clustering,
    select_structured,
    split_personas,
)
from persona.errors import InputError

__all__ = ["MIN_DISCOVERY", "Found", "Settings", "discover", "discovery_rows"]

log = logging.getLogger(__name__)
MIN_DISCOVERY = 10  # customers needed to discover anything at all
# Warnings point at the user's call: model.fit -> discover -> _found -> _profiled.
_STACKLEVEL = 6


@dataclass(frozen=True)
class Settings:
    """What a PersonaModel's parameters say about discovery."""

    reducer: Any = None
    clusterer: Any = None
    n_personas: int | None = None
    min_persona_share: float = 0.02
    n_jobs: int | None = None


@dataclass
class Found:
    """Personas ``0 .. k-1`` of the discovery customers, and how they were found."""

    labels: np.ndarray
    clustered: np.ndarray  # which customers the clustering placed (the rest: refinement)
    reducer: Any = None
    clusterer: Any = None
    selection: pd.DataFrame | None = None
    structure: StructureTest | None = None
    validity: float = float("nan")


def discover(
    values: np.ndarray,
    assigner: Assigner,
    settings: Settings,
    seed: int | None,
    careless: np.ndarray | None = None,
) -> Found:
    """Persona labels of the discovery customers, and who was clustered.

    With a survey and the default steps, personas are latent need profiles
    (:func:`~persona.discovery.discover_profiles`); otherwise the reducer and
    the clusterer find them. BLAS is held to one thread: discovery is many
    small fits, on which BLAS threads only add synchronisation (several times
    slower on two cores; benchmarks/fit_time.py). The assigner does the same in
    its own fit.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _found(values, assigner, settings, seed, careless)


def _found(values, assigner, settings, seed, careless) -> Found:
    Z = np.where(np.isnan(values), column_medians(values), values)
    default_steps = settings.reducer is None and settings.clusterer is None
    if "psychographic" in assigner.groups and default_steps:
        with stage(log, "latent profiles"):
            found = _profiled(values, Z, assigner, settings, seed, careless)
    else:
        reducer = _new_reducer(settings, len(Z), seed)
        with stage(log, f"reduction of {len(Z):,} discovery customers"):
            embedding = Z if reducer is None else fit_embedding(reducer, Z)
        with stage(log, "clustering"):
            found = _clustered(embedding, Z, assigner, settings, seed)
        found.reducer = reducer
    with stage(log, "refinement"):
        found.labels, found.clustered = _refined(values, Z, found.labels, assigner, settings, seed)
    return found


def _profiled(values, Z, assigner, settings, seed, careless) -> Found:
    """The discovery customers as need profiles (``-1``: took no part)."""
    groups = assigner.groups
    needs = groups["psychographic"]
    others = [columns for group, columns in groups.items() if group != "psychographic"]
    kept = ~np.isnan(values[:, needs]).any(axis=1)
    if careless is not None:
        kept &= ~careless
    if kept.sum() < MIN_DISCOVERY:  # too few complete, attentive answers: take everyone
        kept = np.ones(len(Z), dtype=bool)
    found = discover_profiles(
        Z[:, needs],
        Z[:, np.concatenate(others)] if others else None,
        kept=kept,
        random_state=seed,
        min_size=max(2, round(settings.min_persona_share * len(Z))),
        n_personas=settings.n_personas,
    )
    result = Found(found.labels, None, None, found.mixture, found.selection, found.structure)
    if settings.n_personas is None and not (found.structure and found.structure.structured):
        _warn_no_structure(len(Z), _why_one_profile(found, int(kept.sum())))
        result.labels = np.zeros(len(Z), dtype=np.int64)
    return result


def _why_one_profile(found, answered: int) -> str:
    if found.structure is not None:
        return found.structure.summary()
    if found.selection.empty:
        return f"the need scores of {answered} respondents do not vary"
    spaces = " and then in the ".join(found.selection["space"].unique())
    return (
        f"the need scores of {answered} respondents are best described by one "
        f"profile (the lowest BIC of {len(found.selection)} counts tried, in the "
        f"{spaces})"
    )


def _warn_no_structure(n: int, why: str) -> None:
    warnings.warn(
        f"No persona structure found in {n} customers: {why}. Every customer is "
        "given one persona. Check the features, or force a number with n_personas=.",
        UserWarning,
        stacklevel=_STACKLEVEL,
    )


def _clustered(embedding, Z, assigner, settings, seed) -> Found:
    """The discovery customers clustered in the reduced space (``-1``: noise)."""
    if settings.clusterer is None and settings.n_personas is None:
        # Personas are need-based: with a survey, its need scores decide.
        needs = assigner.groups.get("psychographic")
        best, selection, structure = select_structured(
            embedding,
            Z if needs is None else Z[:, needs],
            min_persona_share=settings.min_persona_share,
            random_state=seed,
            columns="features" if needs is None else "need scores",
            n_jobs=settings.n_jobs,
        )
        found = Found(best.labels, None, None, best.clusterer, selection, structure, best.validity)
        if not (structure and structure.structured):
            _warn_no_structure(len(Z), structure.summary() if structure else "a single persona")
            found.labels = np.zeros(len(Z), dtype=np.int64)
        return found
    if settings.clusterer is None:
        best, selection = select_clustering(
            embedding,
            min_persona_share=settings.min_persona_share,
            n_personas=settings.n_personas,
            n_jobs=settings.n_jobs,
        )
        return Found(best.labels, None, None, best.clusterer, selection, None, best.validity)
    clusterer = clone(settings.clusterer).fit(embedding)
    return Found(np.asarray(clusterer.labels_, dtype=np.int64), None, None, clusterer)


def _refined(values, Z, labels, assigner, settings, seed) -> tuple[np.ndarray, np.ndarray]:
    """The clustered labels as personas ``0 .. k-1``, drawn in the feature space."""
    clustered = labels >= 0
    if not clustered.any():
        labels = np.zeros(len(Z), dtype=np.int64)
    n_personas = settings.n_personas
    if n_personas is not None:
        if labels.max() + 1 > n_personas:
            labels = merge_personas(Z, labels, n_personas)
        elif labels.max() + 1 < n_personas:
            labels = split_personas(Z, np.where(labels < 0, 0, labels), n_personas, seed)
    min_size = max(2, round(settings.min_persona_share * len(Z)))
    refined = refine(values, labels, assigner, min_size=min_size)
    found = int(refined.max()) + 1
    if n_personas is not None and found != n_personas:
        warnings.warn(
            f"n_personas={n_personas} was asked, but {found} persona(s) keep at least "
            f"{min_size} members (min_persona_share={settings.min_persona_share}) once their "
            "boundaries are drawn in the feature space: the data do not hold that many.",
            UserWarning,
            stacklevel=_STACKLEVEL - 1,
        )
    return refined, clustered


def _new_reducer(settings: Settings, n_samples: int, seed: int | None) -> Any:
    """A fresh, unfitted reducer as the settings say (None: cluster the features)."""
    if isinstance(settings.reducer, str) and settings.reducer == "passthrough":
        return None
    if settings.reducer is None:
        return default_reducer(n_samples, seed, settings.n_jobs)
    return clone(settings.reducer)


def discovery_rows(
    values: np.ndarray,
    assigner: Assigner,
    sample: int | float | None,
    rng: np.random.RandomState,
) -> np.ndarray:
    """The customers discovery runs on, in an order set by what they did and said.

    UMAP and HDBSCAN depend on the order of their rows. In customer-id order, re-keying a
    base (the same customers under new ids) re-segmented it (ARI 0.58), so the rows, and
    the sample drawn from them, follow a hash of each customer's feature values instead.
    """
    has = assigner.availability(values)
    names = list(assigner.groups)
    measured = has[:, names.index("psychographic")] if "psychographic" in names else has.any(1)
    rows = np.flatnonzero(measured)
    rows = rows[np.argsort(content_hash(values[rows]), kind="stable")]
    if len(rows) < MIN_DISCOVERY:
        what = "survey respondents" if "psychographic" in names else "customers with features"
        surveyed = "psychographic" in names
        raise InputError(
            "survey" if surveyed else "events",
            f"Got {len(rows)} {what} (n_samples={len(rows)}), but discovery needs at least "
            f"{MIN_DISCOVERY}.",
            fix="pass a survey with more respondents." if surveyed else "pass a larger base.",
        )
    if sample is not None:
        size = sample if isinstance(sample, Integral) else round(sample * len(rows))
        if size < len(rows):
            chosen = rng.choice(len(rows), size=max(size, MIN_DISCOVERY), replace=False)
            rows = rows[np.sort(chosen)]
    return rows


def content_hash(values: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row's numbers (NaN as one value), vectorised: the bits of each
    value times a fixed odd multiplier per column, summed with wrap-around, then mixed."""
    bits = np.where(np.isnan(values), np.nan, values + 0.0).view(np.uint64)  # -0.0 -> 0.0
    multipliers = np.random.default_rng(0x5EED).integers(1, 2**63, size=values.shape[1])
    with np.errstate(over="ignore"):
        h = (bits * (multipliers.astype(np.uint64) | np.uint64(1))).sum(axis=1, dtype=np.uint64)
        h ^= h >> np.uint64(31)
        h *= np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(29)
    return h


def by_size(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered so that persona 0 is the largest (ties: the lower old number)."""
    counts = np.bincount(labels[labels >= 0])
    order = np.argsort(-counts, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return np.where(labels >= 0, rank[np.maximum(labels, 0)], labels)
