"""Discovery: from the respondents' feature matrix to personas.

With a survey, personas are latent need profiles (:mod:`persona.discovery._mixture`),
which leans on two steps here: the structure test and ``refine``. Without a
survey, or with a user's own reducer or clusterer, the three steps below find
them, each a plain function:

1. ``reduce`` -- UMAP to a few dimensions, with settings for segmentation
   rather than for pictures (``min_dist=0`` packs personas tightly, ten
   components keep more of their structure than two);
2. ``select_clustering`` -- HDBSCAN with leaf selection over a small grid of
   minimum persona sizes, keeping the finest persona count that persists over
   two neighbouring sizes; ``structure_test`` then asks whether that many
   groups of the respondents' need scores leave less spread than they do on
   null references (a Gaussian copula of the same customers: each column's
   own values, their rank correlations, no groups). Indistinguishable from
   the null means structureless: one persona, never invented segments.
   ``select_structured`` does both, and when the persisting count is not
   above the null, takes the grid's most significant count that is;
3. ``refine`` -- the persona boundaries are redrawn in the original weighted
   space by the distilled assigner, iterated to a fixed point, so that a
   persona is what the assignment model says it is (``predict`` on the
   training customers returns their labels exactly).

Measured on ``make_customers(5000)`` respondents, seeds 0-2: the persisting
count is the true 6 on all three (on the same features, the finest-near-best-DBCV
rule it replaced found 9, 6 and 6), adjusted Rand index 0.93-0.95 after
refinement. A fixed DBCV floor (0.3) failed on bases it was not calibrated on,
and DBCV against the same pipeline on permuted references was too noisy to
replace it (one reference's best validity ranged 0.07-0.49 on one world); the
gap on need scores is measured across the world zoo by benchmarks/worlds.py.
On that zoo at 6,000 customers a world, with a survey, latent profiles find
the true count on 64 % of world x seeds where this grid found it on 13 %
(benchmarks/README.md; see :mod:`persona.discovery._mixture`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from persona.assignment import Assigner

__all__ = [
    "NULL_REFERENCES",
    "Candidate",
    "StructureTest",
    "default_reducer",
    "fit_embedding",
    "merge_personas",
    "refine",
    "select_clustering",
    "select_structured",
    "split_personas",
    "structure_test",
]

#: Null references the structure test compares the data with (see :func:`structure_test`).
NULL_REFERENCES = 20

#: Minimum persona sizes tried, as shares of the customers clustered.
_GRID = (0.02, 0.03, 0.04, 0.05, 0.08, 0.12)
# HDBSCAN's min_samples defaults to min_cluster_size, which on tens of
# thousands of rows costs minutes and leaves a quarter of them as noise.
_MAX_MIN_SAMPLES = 100
_MIN_CLUSTER_ROWS = 5
#: Rows up to which UMAP's neighbours are found exactly by scikit-learn (fit_embedding).
_EXACT_NEIGHBOURS_UP_TO = 40_000


def umap_class() -> type:
    """umap-learn's UMAP, imported without its warning that the optional TensorFlow
    (for ParametricUMAP, which persona does not use) is missing."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*ParametricUMAP.*", category=ImportWarning)
        from umap import UMAP
    return UMAP


def default_reducer(n_samples: int, random_state: int | None, n_jobs: int | None) -> Any:
    """UMAP set for segmentation, sized down for very small inputs."""
    UMAP = umap_class()  # noqa: N806
    # A seeded UMAP runs single-threaded anyway; saying so keeps it from
    # overriding n_jobs with a warning and from changing numba's global threads.
    return UMAP(
        n_neighbors=max(2, min(30, n_samples - 1)),
        n_components=max(1, min(10, n_samples - 2)),
        min_dist=0.0,
        random_state=random_state,
        n_jobs=1 if random_state is not None else (n_jobs or 1),
    )


def fit_embedding(reducer: Any, Z: np.ndarray) -> np.ndarray:
    """``reducer.fit_transform(Z)``, with a Euclidean UMAP's neighbours found faster.

    Under 4,096 rows UMAP finds the exact neighbours itself, through a full
    distance matrix and a slow loop; above, pynndescent's search compiles for
    about 25 s in every new process (its functions cannot be cached). Up to
    :data:`_EXACT_NEIGHBOURS_UP_TO` rows, the same exact neighbours come from
    scikit-learn in a fraction of that, and UMAP starts from them.
    """
    from sklearn.neighbors import NearestNeighbors

    UMAP = umap_class()  # noqa: N806
    plain = (
        isinstance(reducer, UMAP)
        and reducer.metric == "euclidean"
        and reducer.precomputed_knn[0] is None
        and not reducer.unique
        and reducer.n_neighbors < len(Z) <= _EXACT_NEIGHBOURS_UP_TO
    )
    if not plain:
        return reducer.fit_transform(Z)
    search = NearestNeighbors(n_neighbors=reducer.n_neighbors).fit(Z)
    distances, indices = search.kneighbors(Z)  # each row's first neighbour is itself
    settings = reducer.get_params()
    reducer.set_params(precomputed_knn=(indices, distances))
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*knn_search_index.*", category=UserWarning)
            return reducer.fit_transform(Z)
    finally:  # the neighbours were a means, not a setting: keep the parameters as they were
        reducer.set_params(
            precomputed_knn=settings["precomputed_knn"],
            force_approximation_algorithm=settings["force_approximation_algorithm"],
        )


@dataclass(frozen=True)
class Candidate:
    """One clustering tried: its minimum persona size, labels and validity."""

    min_cluster_size: int
    labels: np.ndarray
    validity: float
    clusterer: Any

    @property
    def n_personas(self) -> int:
        return int(self.labels.max()) + 1

    @property
    def noise_share(self) -> float:
        return float(np.mean(self.labels < 0))


def select_clustering(
    embedding: np.ndarray,
    *,
    min_persona_share: float,
    n_personas: int | None = None,
    n_jobs: int | None = None,
) -> tuple[Candidate, pd.DataFrame]:
    """HDBSCAN over the grid of minimum sizes; the best candidate and the table of all.

    Without ``n_personas`` the finest persona count found at two neighbouring
    grid sizes or more wins (its most valid candidate): true personas persist
    as the minimum size moves, a spurious split shows at one size only, and
    DBCV alone prefers merging close or small personas. Without any persisting
    count, the most valid candidate wins. With ``n_personas``, the best of
    those with exactly that many personas, else the best of those with more
    (to be merged), else the one with the most (to be split).
    """
    candidates = _candidates(embedding, min_persona_share, n_jobs)
    best = _chosen(candidates, n_personas)
    table = _table(candidates)
    table["chosen"] = [c is best for c in candidates]
    return best, table


def select_structured(
    embedding: np.ndarray,
    Z: np.ndarray,
    *,
    min_persona_share: float,
    random_state: int | None,
    columns: str = "features",
    n_jobs: int | None = None,
) -> tuple[Candidate, pd.DataFrame, StructureTest | None]:
    """:func:`select_clustering` without a number of personas, judged by :func:`structure_test`.

    The persisting count is tested on ``Z`` first. When it is not above its
    null references, the grid's other counts are, and the most significant
    one that is (largest gap in standard errors) wins: a grid can persist on
    a merge of small personas while a finer count holds. The table gains each
    tested count's ``gap`` and the ``bar`` it had to clear. The test returned
    is the chosen count's (None when the grid found one persona at most).
    """
    candidates = _candidates(embedding, min_persona_share, n_jobs)
    best = _chosen(candidates, None)
    tests: dict[int, StructureTest] = {}

    def tested(k: int) -> StructureTest:
        if k not in tests:
            tests[k] = structure_test(Z, k, columns=columns, random_state=random_state)
        return tests[k]

    if best.n_personas > 1 and not tested(best.n_personas).structured:
        for k in sorted({c.n_personas for c in candidates if c.n_personas > 1}):
            tested(k)
        passing = [t for t in tests.values() if t.structured]
        if passing:
            strongest = max(
                passing, key=lambda t: (t.gap / max(t.standard_error, 1e-12), -t.n_personas)
            )
            best = max(
                (c for c in candidates if c.n_personas == strongest.n_personas),
                key=lambda c: (c.validity, -c.min_cluster_size),
            )
    table = _table(candidates)
    table["gap"] = [
        tests[c.n_personas].gap if c.n_personas in tests else np.nan for c in candidates
    ]
    table["bar"] = [
        tests[c.n_personas].z * tests[c.n_personas].standard_error
        if c.n_personas in tests
        else np.nan
        for c in candidates
    ]
    table["chosen"] = [c is best for c in candidates]
    return best, table, tests.get(best.n_personas)


def _chosen(candidates: list[Candidate], n_personas: int | None) -> Candidate:
    """The candidate :func:`select_clustering` describes."""

    def most_valid(pool: list[Candidate]) -> Candidate:
        return max(pool, key=lambda c: (c.validity, -c.min_cluster_size))

    if n_personas is None:
        counts = [c.n_personas for c in candidates]
        persisting = {a for a, b in zip(counts, counts[1:], strict=False) if a == b and a > 1}
        pool = [c for c in candidates if c.n_personas == max(persisting)] if persisting else []
        return most_valid(pool or candidates)
    exact = [c for c in candidates if c.n_personas == n_personas]
    finer = [c for c in candidates if c.n_personas > n_personas]
    if exact or finer:  # merging a finer structure beats a coarser one that must be split
        return most_valid(exact or finer)
    return max(candidates, key=lambda c: (c.n_personas, c.validity))


def _candidates(embedding: np.ndarray, min_persona_share: float, n_jobs: int | None):
    """One leaf-selection HDBSCAN per minimum size of the grid, smallest first."""
    import hdbscan

    n = len(embedding)
    sizes = sorted(
        {max(_MIN_CLUSTER_ROWS, round(share * n)) for share in _GRID if share >= min_persona_share}
        | {max(_MIN_CLUSTER_ROWS, round(min_persona_share * n))}
    )
    sizes = [s for s in sizes if s <= n // 2] or [max(2, n // 2)]
    candidates = []
    for size in sizes:
        clusterer = hdbscan.HDBSCAN(
            min_cluster_size=size,
            min_samples=min(size, _MAX_MIN_SAMPLES),
            cluster_selection_method="leaf",
            gen_min_span_tree=True,
            prediction_data=True,
            core_dist_n_jobs=n_jobs or 1,
        ).fit(embedding)
        labels = clusterer.labels_.astype(np.int64)
        validity = float(clusterer.relative_validity_) if labels.max() >= 1 else 0.0
        candidates.append(Candidate(size, labels, validity, clusterer))
    return candidates


def _table(candidates: list[Candidate]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "min_cluster_size": [c.min_cluster_size for c in candidates],
            "n_personas": [c.n_personas for c in candidates],
            "noise_share": [c.noise_share for c in candidates],
            "validity": [c.validity for c in candidates],
        }
    )


@dataclass(frozen=True)
class StructureTest:
    """Do the personas found say more than the columns' marginals and correlations would?

    A gap statistic (Tibshirani, Walther and Hastie 2001) against null
    references drawn from a Gaussian copula of the same customers: every
    column keeps its exact values, the columns keep their rank correlations,
    and nothing else (no groups). ``gap`` is how much less spread ``k``
    k-means groups leave on the data than on the references (mean log
    within-group sum of squares, references minus data); the data hold
    personas when the gap exceeds ``z`` standard errors of the references.
    """

    n_personas: int
    gap: float
    standard_error: float
    n_references: int
    columns: str
    z: float = 3.0

    @property
    def structured(self) -> bool:
        return self.gap > self.z * self.standard_error

    def summary(self) -> str:
        verdict = "above" if self.structured else "not above"
        bar = self.z * self.standard_error
        return (
            f"{self.n_personas} groups of the {self.columns} leave {self.gap:.3f} less log "
            f"spread than on {self.n_references} null references with the same marginals and "
            f"correlations, {verdict} {self.z:g} standard errors ({bar:.3f})"
        )


def structure_test(
    Z: np.ndarray,
    n_personas: int,
    *,
    columns: str = "features",
    random_state: int | None,
    n_references: int = NULL_REFERENCES,
) -> StructureTest:
    """Gap of ``n_personas`` k-means groups on ``Z`` (no NaN) over Gaussian-copula references.

    Like with like: the data and each reference are grouped the same way
    (k-means, the same seed), so the gap measures the data's groups, not the
    method. Constant columns carry nothing and are left out.
    """
    from sklearn.cluster import KMeans

    Z = np.asarray(Z, dtype=np.float64)
    Z = Z[:, Z.std(axis=0) > 0]
    if Z.shape[1] == 0 or n_personas < 2 or len(Z) <= n_personas:
        return StructureTest(n_personas, 0.0, 0.0, 0, columns)
    rng = np.random.default_rng(random_state)
    seed = int(rng.integers(2**31 - 1))

    def log_spread(values: np.ndarray) -> float:
        grouped = KMeans(n_personas, n_init=3, random_state=seed).fit(values)
        return float(np.log(max(grouped.inertia_, np.finfo(float).tiny)))

    references = [log_spread(_copula_reference(Z, rng)) for _ in range(n_references)]
    gap = float(np.mean(references)) - log_spread(Z)
    error = float(np.std(references, ddof=1) * np.sqrt(1 + 1 / n_references))
    return StructureTest(n_personas, gap, error, n_references, columns)


def _copula_reference(Z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Z's own column values, re-paired as a Gaussian with Z's rank correlations would pair them."""
    from scipy.special import ndtri
    from scipy.stats import rankdata

    n = len(Z)
    scores = ndtri((rankdata(Z, axis=0) - 0.5) / n)
    correlation = np.corrcoef(scores, rowvar=False).reshape(Z.shape[1], Z.shape[1])
    values, vectors = np.linalg.eigh(correlation)
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    draws = rng.standard_normal((n, Z.shape[1])) @ root.T
    ranks = np.argsort(np.argsort(draws, axis=0, kind="stable"), axis=0, kind="stable")
    return np.take_along_axis(np.sort(Z, axis=0), ranks, axis=0)


def refine(
    X: np.ndarray,
    labels: np.ndarray,
    assigner: Assigner,
    *,
    min_size: int = 1,
    max_iter: int = 10,
) -> np.ndarray:
    """Redraw persona boundaries in the original space until the assigner agrees with itself.

    Starts from the clustering (noise left out), trains the assigner on the
    signal patterns the customers have, relabels everyone by their own
    pattern's model (ignoring the unassigned share), and repeats until no
    label changes. A persona left with fewer than ``min_size`` members is
    dropped and its members relabelled; the rest are renumbered ``0 .. k-1``.
    """
    patterns = assigner.patterns_in(X)
    current = labels
    for _ in range(max_iter):
        updated = _relabelled(X, current, assigner, patterns)
        sizes = np.bincount(updated)
        small = sizes < min_size
        if small.any() and not small.all():
            updated = _renumbered(np.where(small[updated], -1, updated))
        if np.array_equal(updated, current):
            break
        current = updated
    if (current < 0).any():  # the last round dropped a persona: place its members
        current = _relabelled(X, current, assigner, patterns)
    return current


def _relabelled(
    X: np.ndarray, labels: np.ndarray, assigner: Assigner, patterns: list[tuple[str, ...]]
) -> np.ndarray:
    assigner.fit(X, labels, patterns=patterns)
    return _renumbered(np.argmax(assigner.predict_proba(X)[:, :-1], axis=1))


def merge_personas(X: np.ndarray, labels: np.ndarray, n_personas: int) -> np.ndarray:
    """Merge the two closest personas (Ward's criterion) until ``n_personas``; ``X`` has no NaN."""
    labels, filled = labels.copy(), X
    while labels.max() + 1 > n_personas:
        ids = np.arange(labels.max() + 1)
        sizes = np.array([np.sum(labels == k) for k in ids], dtype=float)
        means = np.vstack([filled[labels == k].mean(axis=0) for k in ids])
        cost = np.full((len(ids), len(ids)), np.inf)
        for a, b in zip(*np.triu_indices(len(ids), 1), strict=True):
            ward = sizes[a] * sizes[b] / (sizes[a] + sizes[b])
            cost[a, b] = ward * ((means[a] - means[b]) ** 2).sum()
        a, b = np.unravel_index(np.argmin(cost), cost.shape)
        labels[labels == b] = a
        labels = _renumbered(labels)
    return labels


def split_personas(
    X: np.ndarray, labels: np.ndarray, n_personas: int, random_state: int | None
) -> np.ndarray:
    """Split the widest persona in two (k-means) until ``n_personas``; ``X`` has no NaN."""
    from sklearn.cluster import KMeans

    labels, filled = labels.copy(), X
    while labels.max() + 1 < n_personas:
        ids = np.arange(labels.max() + 1)
        spread = [((filled[labels == k] - filled[labels == k].mean(0)) ** 2).sum() for k in ids]
        widest = int(np.argmax(spread))
        rows = np.flatnonzero(labels == widest)
        halves = KMeans(2, n_init=10, random_state=random_state).fit_predict(filled[rows])
        labels[rows[halves == 1]] = labels.max() + 1
    return labels


def _renumbered(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered ``0 .. k-1``, keeping their order; ``-1`` stays."""
    kept = labels >= 0
    _, dense = np.unique(labels[kept], return_inverse=True)
    out = np.full_like(labels, -1)
    out[kept] = dense
    return out
