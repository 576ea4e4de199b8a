"""A world's survey: its instrument and the answers of the customers who responded.

Items per need dimension, reverse-keyed and shuffled as the spec says, and
Likert answers from each respondent's needs with acquiescence, straight-lining
and skipped items. Draws from the generator it is handed and touches nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from persona.contract import Instrument
from persona.datasets._world_draws import shuffled
from persona.datasets._world_spec import NEED_DIMENSIONS, WorldSpec

__all__ = ["draw_instrument", "draw_survey"]

_ITEM_NOISE = 0.6  # an item's own noise, in need units


@dataclass(frozen=True)
class _Layout:
    """How each survey item, in instrument order, answers to the needs."""

    names: tuple[str, ...]
    dimension: np.ndarray
    sign: np.ndarray  # -1 for reverse-keyed items
    loading: np.ndarray
    difficulty: np.ndarray


def draw_instrument(spec: WorldSpec, rng: np.random.Generator) -> tuple[Instrument, _Layout]:
    """The world's instrument: items per need dimension, keyed, named and ordered."""
    dimensions = tuple(NEED_DIMENSIONS)[: spec.n_dimensions]
    counts = np.array(spec.item_counts)
    dimension = np.repeat(np.arange(len(counts)), counts)
    position = np.arange(len(dimension)) - np.repeat(np.cumsum(counts) - counts, counts)
    reverse = np.zeros(len(dimension), dtype=bool)
    # The first item of every dimension stays keyed forward.
    candidates = np.flatnonzero(position > 0)
    n_reverse = min(round(spec.reverse_share * len(dimension)), len(candidates))
    reverse[rng.choice(candidates, n_reverse, replace=False)] = True
    order = rng.permutation(len(dimension)) if spec.shuffle_items else np.arange(len(dimension))
    names = tuple(
        f"q{i + 1:02d}"
        if spec.shuffle_items
        else f"{dimensions[dimension[o]][:3]}{position[o] + 1}"
        for i, o in enumerate(order)
    )
    items = [
        {
            "item": name,
            "dimension": dimensions[dimension[o]],
            "scale": list(spec.scale),
            "reverse": bool(reverse[o]),
            "text": _item_text(dimensions[dimension[o]], reverse[o]),
        }
        for name, o in zip(names, order, strict=True)
    ]
    instrument = Instrument(
        f"{spec.name}-needs", items, {d: NEED_DIMENSIONS[d] for d in dimensions}
    )
    layout = _Layout(
        names=names,
        dimension=dimension[order],
        sign=np.where(reverse[order], -1.0, 1.0),
        loading=rng.uniform(0.7, 1.0, len(order)),
        difficulty=rng.uniform(-0.3, 0.3, len(order)),
    )
    return instrument, layout


def _item_text(dimension: str, reverse: bool) -> str:
    about = NEED_DIMENSIONS[dimension]
    return f"When I shop, {about} {'hardly matters' if reverse else 'matters'} to me."


def draw_survey(spec, layout, needs, activity, ids, rng) -> pd.DataFrame | None:
    """Answers of the respondents (busier customers answer more often)."""
    n = len(ids)
    k = round(spec.survey_coverage * n)
    if k == 0:
        return None
    keys = 0.5 * np.log1p(activity) + rng.gumbel(size=n)
    respondents = np.sort(np.argpartition(-keys, k - 1)[:k]) if k < n else np.arange(n)
    answers = _answers(spec, layout, needs, respondents, rng)
    survey = pd.DataFrame(answers, columns=list(layout.names))
    survey.insert(0, "customer_id", ids[respondents])
    return shuffled(spec, survey, rng)


def _answers(spec, layout, needs, respondents, rng) -> np.ndarray:
    """Likert answers: need x loading + noise, standardised over the customer base, plus
    the respondent's acquiescence, cut into the scale's steps."""
    k, m = len(respondents), len(layout.names)
    spread = needs.std(axis=0)[layout.dimension] * layout.loading
    item_sd = np.sqrt(spread**2 + _ITEM_NOISE**2)
    latent = layout.sign * layout.loading * needs[respondents][:, layout.dimension]
    latent += rng.normal(0.0, _ITEM_NOISE, (k, m))
    latent = latent / item_sd + layout.difficulty + rng.normal(0.0, spec.acquiescence, (k, 1))
    low, high = spec.scale
    answers = np.clip(np.round((low + high) / 2 + latent * (high - low) / 4), low, high) + 0.0
    if spec.null == "permuted":
        answers = rng.permuted(answers, axis=0)  # each item's answers shuffled on its own
    straight = rng.random(k) < spec.straightliner_share
    answers[straight] = rng.integers((low + high) // 2, high + 1, (int(straight.sum()), 1))
    skipped = rng.random((k, m)) < spec.item_nonresponse
    skipped[skipped.all(axis=1), 0] = False  # every respondent answers at least one item
    answers[skipped] = np.nan
    return answers
