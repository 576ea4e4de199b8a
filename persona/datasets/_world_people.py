"""A world's customers: who they are, what they need, and what drives their behaviour.

Demographics are drawn before, and apart from, the personas; need profiles
are spread apart (with close pairs where the spec asks) and each customer
scatters around their persona's. :func:`draw_drivers` says, per behaviour
group, which needs shape journeys and feelings, and how much: in a null world
no persona does. Draws from the generator it is handed and touches nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from persona.datasets._world_draws import draw
from persona.datasets._world_spec import WorldSpec

__all__ = ["AGE_BANDS", "Drivers", "draw_drivers", "draw_needs", "draw_people", "need_profiles",
           "people_table"]  # fmt: skip

AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_AGE_EDGES = np.array([18, 25, 35, 45, 55, 65, 86])
_AGE_SHARE = np.array([0.13, 0.20, 0.20, 0.18, 0.15, 0.14])
_ACTIVITY_BY_AGE = np.array([1.30, 1.20, 1.05, 0.95, 0.80, 0.65])


def draw_people(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Who the customers are; drawn before, and apart from, their personas."""
    zeros = np.zeros(n, dtype=np.int64)
    band = draw(_AGE_SHARE[None, :], zeros, rng)
    age = rng.integers(_AGE_EDGES[band], _AGE_EDGES[band + 1])
    log_income = 10.1 + 0.12 * np.minimum(band, 3) + rng.normal(0.0, 0.5, n)
    income = np.round(np.exp(log_income), -2).astype(np.int64)
    rich = (income > 30_000).astype(int) + (income > 55_000)
    regions = np.array(["north", "centre", "south", "islands"])
    genders = np.array(["female", "male", "non-binary"])
    return {
        "age": age,
        "age_band": band,
        "age_z": (age - 46.0) / 16.0,
        "income": income,
        "income_z": (log_income - 10.4) / 0.5,
        "region": regions[draw(np.array([[0.44, 0.21, 0.23, 0.12]]), zeros, rng)],
        "gender": genders[draw(np.array([[0.52, 0.46, 0.02]]), zeros, rng)],
        "activity": _ACTIVITY_BY_AGE[band] * np.array([0.9, 1.0, 1.15])[rich],
    }


def people_table(people: dict[str, np.ndarray], ids: np.ndarray) -> pd.DataFrame:
    band = pd.Categorical.from_codes(people["age_band"], AGE_BANDS, ordered=True)
    return pd.DataFrame(
        {
            "customer_id": ids,
            "age": people["age"],
            "age_band": band,
            "region": people["region"],
            "gender": people["gender"],
            "income": people["income"],
        }
    )


def need_profiles(
    spec: WorldSpec, shares: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, tuple[tuple[int, int, int], ...]]:
    """Personas' need profiles (rows, centred on the customer base) and close pairs.

    Anchor personas are spread as far apart as a greedy farthest-point pick
    allows, then scaled so the closest two are ``separation`` apart. Each close
    pair adds a partner to an anchor, ``close_gap`` away along one need
    dimension, in the direction that keeps it farthest from everyone else.
    """
    if not spec.has_personas:
        return np.zeros((1, spec.n_dimensions)), ()
    n_anchors = spec.n_personas - spec.close_pairs
    profiles = _spread_apart(n_anchors, spec.n_dimensions, spec.separation, rng)
    pairs = []
    for anchor in rng.choice(n_anchors, spec.close_pairs, replace=False):
        partner, dimension = _close_partner(profiles, int(anchor), spec.close_gap)
        pairs.append((int(anchor), len(profiles), dimension))
        profiles = np.vstack([profiles, partner])
    # Persona ids in random order, so partners are not always the smallest personas.
    order = rng.permutation(spec.n_personas)
    new_id = np.argsort(order)
    profiles = profiles[order]
    profiles = profiles - shares @ profiles
    pairs = tuple((int(new_id[a]), int(new_id[b]), d) for a, b, d in pairs)
    return profiles, pairs


def _spread_apart(k: int, d: int, separation: float, rng: np.random.Generator) -> np.ndarray:
    candidates = rng.normal(size=(max(64 * k, 512), d))
    chosen = [0]
    nearest = np.linalg.norm(candidates - candidates[0], axis=1)
    for _ in range(1, k):
        chosen.append(int(nearest.argmax()))
        nearest = np.minimum(nearest, np.linalg.norm(candidates - candidates[chosen[-1]], axis=1))
    points = candidates[chosen] - candidates[chosen].mean(axis=0)
    gaps = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    return points * (separation / gaps[np.triu_indices(k, 1)].min())


def _close_partner(profiles: np.ndarray, anchor: int, gap: float) -> tuple[np.ndarray, int]:
    d = profiles.shape[1]
    options = profiles[anchor] + gap * np.vstack([np.eye(d), -np.eye(d)])
    others = np.delete(profiles, anchor, axis=0)
    room = np.linalg.norm(options[:, None, :] - others[None, :, :], axis=2).min(axis=1)
    best = int(room.argmax())
    return options[best], best % d


def draw_needs(spec, profiles, persona, people, rng) -> np.ndarray:
    """Each customer's needs: the persona's profile plus their own spread of 1."""
    n, d = len(persona), spec.n_dimensions
    spread = rng.normal(size=(n, d))
    if spec.null == "noise":
        factors = rng.normal(0.0, 0.7, (d, 2))
        covariance = factors @ factors.T + np.eye(d)
        scale = np.sqrt(np.diag(covariance))
        return spread @ np.linalg.cholesky(covariance / np.outer(scale, scale)).T
    if spec.null == "demographic":
        direction = rng.normal(size=d)
        return spread + 0.5 * people["age_z"][:, None] * direction / np.linalg.norm(direction)
    return profiles[persona] + spread


@dataclass(frozen=True)
class Drivers:
    """What shapes a world's journeys and feelings, by behaviour group."""

    group: np.ndarray  # each customer's behaviour group
    profiles: np.ndarray  # (groups, need dimensions): the needs that shape each group
    channel_needs: np.ndarray  # (customers, need dimensions): needs that tilt channel habits
    volume: np.ndarray  # activity multiplier of each group
    behaviour: float
    emotion: float


def draw_drivers(spec, profiles, persona, needs, people, rng) -> Drivers:
    n, d = needs.shape
    if spec.null == "demographic":
        group = np.minimum(people["age_band"] // 2 + (people["age_band"] == 5), 3)
        shapes = rng.normal(0.0, 1.5, (4, d))
        volume = np.array([1.5, 1.1, 0.8, 0.6])
        return Drivers(group, shapes, shapes[group], volume, spec.behaviour_signal, 0.0)
    nobody = np.zeros(n, dtype=np.int64)
    if spec.null in ("independent", "permuted"):
        return Drivers(nobody, np.zeros((1, d)), np.zeros((n, d)), np.ones(1), 0.0, 0.0)
    if spec.null == "noise":
        return Drivers(nobody, np.zeros((1, d)), needs, np.ones(1), spec.behaviour_signal, 0.0)
    return Drivers(
        persona, profiles, needs, np.ones(len(profiles)), spec.behaviour_signal,
        spec.emotion_signal,
    )  # fmt: skip
