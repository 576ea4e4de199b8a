"""Latent profiles: how many need profiles the respondents hold, and who holds which.

Personas are need-based, so with a survey discovery asks two questions, each
with the signal best placed to answer it:

1. **How many personas?** A latent profile analysis of the respondents' need
   scores: Gaussian mixtures of 1, 2, 3, ... profiles sharing one covariance
   (the spread of needs within a persona, and the survey's measurement error,
   are alike from persona to persona), the count chosen by the Bayesian
   information criterion (:func:`profile_path`). Each count is fitted from
   several starts -- k-means++, Ward's tree cut at that count, and every way of
   splitting one profile of the previous count in two -- because one start
   alone merged small personas that the criterion itself preferred apart.
2. **Who belongs to which?** Behaviour and emotions sharpen what a short
   survey measures with error: the need scores are joined by the behaviour and
   emotion directions that co-vary with needs across respondents (canonical
   correlations, each kept only when it beats every correlation of a shuffled
   pairing; :func:`persona_space`), and a mixture of that many profiles, started
   from the need profiles, places each respondent (:func:`discover_profiles`).

Counting in the needs alone is deliberate. In the joint space a shared
Gaussian fits behaviour badly (shares of a few touchpoints, imputed emotions),
and the criterion splits personas along it. Each choice was measured on the
world zoo at 6,000 customers a world (``benchmarks/discovery_choices.py``):
the true count was found on 64 % of the structured worlds x seeds as built,
46 % counting in the joint space, 45 % from k-means++ starts alone, 45 % with
careless respondents taking part; reading members from the needs alone
lowered the median ARI from 0.99 to 0.87 of a classifier trained on the truth.

Careless respondents take no part: straight-liners (one answer to every item)
form a real group of answers, a persona of their own to the criterion, and a
respondent whose need scores are incomplete would sit on imputed values. Both
are placed afterwards, like any customer, by the assigner.

Whether the profiles are personas at all is :func:`persona.discovery._reduce.structure_test`'s
question, asked in the joint space against null references of the same
respondents. Everything here is seeded numpy and scikit-learn on the rows in
the order given; nothing loops over customers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from persona.discovery._reduce import StructureTest, structure_test

__all__ = [
    "PersonaSpace",
    "ProfileFit",
    "Profiles",
    "discover_profiles",
    "normal_scores",
    "persona_space",
    "profile_path",
]

#: Shuffled pairings of needs and behaviour a canonical direction must beat.
SHUFFLES = 20
#: Behaviour principal components the canonical correlation looks in: enough to hold
#: the directions personas drive, few enough that 300 respondents do not overfit them.
_BEHAVIOUR_COMPONENTS = 30
#: Profile counts fitted past the best one before the path stops.
_PATIENCE = 3
_MAX_PROFILES = 30
#: Respondents the count is chosen and tested on, at most (a seeded sample above
#: that); the final mixture is fitted on every kept respondent.
_PATH_ROWS = 20_000
_WARD_ROWS = 2_000  # Ward's tree is quadratic in memory: its starts come from a sample
_REG_COVAR = 1e-4  # on whitened scores, whose variance is 1


def normal_scores(X: np.ndarray) -> np.ndarray:
    """Each column replaced by the normal quantiles of its ranks (ties share a rank).

    Behaviour comes as shares, counts and times, skewed and piled at zero;
    on normal scores a linear method reads its order, not its outliers.
    """
    from scipy.special import ndtri
    from scipy.stats import rankdata

    return ndtri((rankdata(X, axis=0) - 0.5) / len(X))


def _whitened(X: np.ndarray, keep: int | None = None) -> np.ndarray:
    """Principal component scores of ``X`` with unit variance (at most ``keep`` of them).

    Directions with (almost) no variance are left out, so a constant or
    duplicated column cannot make the result singular.
    """
    centred = X - X.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    variance = s**2 / len(X)
    kept = variance > 1e-9 * max(float(variance.max(initial=0.0)), 1e-300)
    if keep is not None:
        kept[keep:] = False
    return u[:, kept] * np.sqrt(len(X))


def _canonical(needs: np.ndarray, behaviour: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Canonical correlations between two whitened blocks, and the second block's variates."""
    cross = needs.T @ behaviour / len(needs)
    _, correlations, vt = np.linalg.svd(cross, full_matrices=False)
    return correlations, behaviour @ vt.T


@dataclass(frozen=True)
class PersonaSpace:
    """The space respondents are placed in: whitened needs, then behaviour that goes with them.

    ``values`` holds the whitened need scores in its first ``n_needs``
    columns, then the canonical behaviour variates kept. ``correlations``
    are every canonical correlation found and ``bar`` the one a direction had
    to beat (the shuffles' mean plus ``z`` standard deviations).
    """

    values: np.ndarray
    n_needs: int
    correlations: np.ndarray
    bar: float

    @property
    def n_behaviour(self) -> int:
        return self.values.shape[1] - self.n_needs


def persona_space(
    needs: np.ndarray,
    behaviour: np.ndarray | None,
    *,
    random_state: int | None,
    shuffles: int = SHUFFLES,
    z: float = 3.0,
) -> PersonaSpace:
    """Whitened need scores, joined by the behaviour directions that co-vary with them.

    ``behaviour`` (behaviour and emotion features of the same respondents, no
    NaN) is taken on normal scores, reduced to its leading principal
    components, and paired with the needs by canonical correlation. A
    direction is kept when its correlation exceeds the largest correlation
    of ``shuffles`` pairings of needs with shuffled respondents by ``z``
    standard deviations: where behaviour says nothing about needs, nothing of
    it is kept.
    """
    white = _whitened(needs)
    empty = PersonaSpace(white, white.shape[1], np.zeros(0), np.nan)
    if behaviour is None or behaviour.shape[1] == 0 or white.shape[1] == 0 or len(white) < 3:
        return empty
    scores = _whitened(normal_scores(behaviour), keep=_BEHAVIOUR_COMPONENTS)
    if scores.shape[1] == 0:
        return empty
    correlations, variates = _canonical(white, scores)
    rng = np.random.default_rng(random_state)
    null = np.array(
        [_canonical(white, scores[rng.permutation(len(scores))])[0][0] for _ in range(shuffles)]
    )
    bar = float(null.mean() + z * null.std(ddof=1))
    kept = variates[:, correlations > bar]
    return PersonaSpace(np.hstack([white, kept]), white.shape[1], correlations, bar)


@dataclass(frozen=True)
class ProfileFit:
    """A mixture of ``n_profiles`` need profiles with one shared covariance, and its BIC."""

    n_profiles: int
    mixture: Any  # sklearn.mixture.GaussianMixture
    bic: float
    log_likelihood: float


def _mixture(k: int, seed: int, X: np.ndarray, means: np.ndarray | None = None) -> Any:
    """A shared-covariance mixture of ``k`` profiles, from k-means++ or from ``means``.

    A start that has not converged in ``max_iter`` steps is only a worse start:
    the path keeps whichever start reached the highest likelihood.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    settings = {"covariance_type": "tied", "reg_covar": _REG_COVAR, "random_state": seed,
                "max_iter": 200}  # fmt: skip
    mixture = (
        GaussianMixture(k, n_init=3, **settings)
        if means is None
        else GaussianMixture(k, means_init=means, **settings)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return mixture.fit(X)


def _ward_starts(X: np.ndarray, rng: np.random.Generator, most: int) -> dict[int, np.ndarray]:
    """Profile means from cutting Ward's tree (of a sample) at every count up to ``most``."""
    from scipy.cluster.hierarchy import fcluster, linkage

    sample = X if len(X) <= _WARD_ROWS else X[np.sort(rng.choice(len(X), _WARD_ROWS, False))]
    tree = linkage(sample, "ward")
    starts = {}
    for k in range(1, min(most, len(sample)) + 1):
        cut = fcluster(tree, k, "maxclust") - 1
        if cut.max() + 1 == k:
            starts[k] = np.vstack([sample[cut == j].mean(axis=0) for j in range(k)])
    return starts


def _split_starts(X: np.ndarray, fit: Any, min_size: int) -> list[np.ndarray]:
    """Means for one more profile: each profile of ``fit`` split along its widest axis."""
    labels = fit.predict(X)
    starts = []
    for j in range(fit.n_components):
        members = X[labels == j]
        if len(members) < 2 * min_size:
            continue
        values, vectors = np.linalg.eigh(np.cov(members, rowvar=False).reshape(X.shape[1], -1))
        step = 0.5 * np.sqrt(max(values[-1], 0.0)) * vectors[:, -1]
        rest = np.delete(fit.means_, j, axis=0)
        starts.append(np.vstack([rest, fit.means_[j] + step, fit.means_[j] - step]))
    return starts


def profile_path(
    X: np.ndarray,
    *,
    random_state: int | None,
    min_size: int = 2,
    n_profiles: int | None = None,
) -> list[ProfileFit]:
    """Shared-covariance mixtures of 1, 2, ... profiles on ``X``, each from its best start.

    Stops three counts past the lowest BIC, at ``_MAX_PROFILES``, or where a
    profile could no longer hold ``min_size`` rows; with ``n_profiles`` it
    fits up to that count only. Each count keeps the start (k-means++, Ward's
    cut, or a split of one profile of the count before) with the highest
    likelihood.
    """
    rng = np.random.default_rng(random_state)
    seed = int(rng.integers(2**31 - 1))
    most = min(_MAX_PROFILES, max(1, len(X) // max(min_size, 1)))
    if n_profiles is not None:
        most = min(max(n_profiles, 1), len(X))
    ward = _ward_starts(X, rng, most)
    path: list[ProfileFit] = []
    for k in range(1, most + 1):
        starts = [None] + ([ward[k]] if k in ward else [])
        if path:
            starts += _split_starts(X, path[-1].mixture, min_size)
        fits = [_mixture(k, seed, X, means) for means in starts]
        scores = [f.score(X) for f in fits]  # mean log-likelihood per row
        best = fits[int(np.argmax(scores))]
        path.append(ProfileFit(k, best, float(best.bic(X)), float(max(scores) * len(X))))
        lowest = min(range(len(path)), key=lambda i: path[i].bic)
        if n_profiles is None and len(path) - 1 - lowest >= _PATIENCE:
            break
    return path


def _path_table(
    path: list[ProfileFit], chosen: int | None, space: str, test: StructureTest | None = None
) -> pd.DataFrame:
    """One row per count fitted; ``gap`` and ``bar`` where the structure test ran."""
    counts = [f.n_profiles for f in path]
    tested = test is not None and test.n_references > 0
    return pd.DataFrame(
        {
            "space": space,
            "n_personas": counts,
            "bic": [f.bic for f in path],
            "log_likelihood": [f.log_likelihood for f in path],
            "gap": [test.gap if tested and k == chosen else np.nan for k in counts],
            "bar": [
                test.z * test.standard_error if tested and k == chosen else np.nan for k in counts
            ],
            "chosen": [k == chosen for k in counts],
        }
    )


@dataclass(frozen=True)
class Profiles:
    """What :func:`discover_profiles` found: labels, the path, the test, the space."""

    labels: np.ndarray  # -1 for rows that took no part (careless or incomplete needs)
    selection: pd.DataFrame
    structure: StructureTest | None
    space: PersonaSpace
    mixture: Any


def discover_profiles(
    needs: np.ndarray,
    behaviour: np.ndarray | None,
    *,
    kept: np.ndarray,
    random_state: int | None,
    min_size: int = 2,
    n_personas: int | None = None,
) -> Profiles:
    """Personas of the respondents: the count from ``needs``, the members from the joint space.

    ``needs`` (rows x need dimensions) and ``behaviour`` (rows x behaviour
    and emotion features, no NaN) describe the same respondents; only the
    ``kept`` rows (complete need scores, not careless) are clustered, the
    others get ``-1``. With ``n_personas`` that count is fitted; otherwise the
    BIC of :func:`profile_path` chooses it, and :func:`structure_test` on the
    joint space decides whether the profiles are more than the null
    references show (``structure``; None when one profile was chosen or the
    count was given).
    """
    rng = np.random.default_rng(random_state)
    seeds = rng.integers(2**31 - 1, size=4)
    rows = np.flatnonzero(kept)
    on_path = np.arange(len(rows))
    if len(rows) > _PATH_ROWS:
        on_path = np.sort(rng.choice(len(rows), _PATH_ROWS, replace=False))
    space = persona_space(
        needs[rows], None if behaviour is None else behaviour[rows], random_state=int(seeds[0])
    )
    white = space.values[:, : space.n_needs]
    labels = np.full(len(needs), -1, dtype=np.int64)
    labels[rows] = 0
    if space.n_needs == 0:  # every need score the same: nothing tells anyone apart
        return Profiles(labels, _path_table([], None, "needs"), None, space, None)
    settings = {"min_size": min_size, "n_profiles": n_personas}
    path = profile_path(white[on_path], random_state=int(seeds[1]), **settings)
    chosen = path[-1] if n_personas is not None else min(path, key=lambda f: f.bic)
    tables = [(path, "needs")]
    start = white
    if chosen.n_profiles == 1 and n_personas is None and space.n_behaviour > 0:
        # Too few answers, or too noisy, to tell need profiles apart: read them again with
        # the behaviour that goes with the needs.
        joint = profile_path(space.values[on_path], random_state=int(seeds[2]), **settings)
        tables.append((joint, "needs and behaviour"))
        chosen, start = min(joint, key=lambda f: f.bic), space.values
    structure, mixture = None, chosen.mixture
    if chosen.n_profiles > 1:
        mixture = _members(space.values, chosen.mixture.predict(start), int(seeds[3]))
        labels[rows] = np.unique(mixture.predict(space.values), return_inverse=True)[1]
        if n_personas is None:
            structure = structure_test(  # on the rows the count was chosen on
                space.values[on_path], int(labels.max()) + 1, columns=_columns(space),
                random_state=int(seeds[3]),
            )  # fmt: skip
    last = len(tables) - 1
    selection = pd.concat(
        [
            _path_table(fits, chosen.n_profiles if i == last else None, name, structure)
            for i, (fits, name) in enumerate(tables)
        ],
        ignore_index=True,
    )
    return Profiles(labels, selection, structure, space, mixture)


def _members(values: np.ndarray, start: np.ndarray, seed: int) -> Any:
    """The mixture on ``values`` of as many profiles as ``start`` labels, from their means."""
    _, start = np.unique(start, return_inverse=True)
    means = np.vstack([values[start == j].mean(axis=0) for j in range(int(start.max()) + 1)])
    return _mixture(len(means), seed, values, means)


def _columns(space: PersonaSpace) -> str:
    if space.n_behaviour == 0:
        return "need scores"
    return f"need scores and {space.n_behaviour} behaviour direction(s) that go with them"
