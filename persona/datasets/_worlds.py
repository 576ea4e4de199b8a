"""A zoo of synthetic worlds with known personas, to measure discovery on data it was not tuned on.

:func:`~persona.datasets.make_customers` is the customer base persona's
defaults grew up on, so how well persona recovers its personas says little
about other data. The zoo is a family of customer bases drawn from
assumptions of their own. Each :class:`WorldSpec` says how many personas there
are and how far apart their need profiles sit (some pairs differing on one
need dimension only), what the survey instrument looks like (2 to 6 items per
need dimension, on 1..5, 1..7 or 0..10, reverse-keyed and shuffled items,
acquiescence, straight-liners, skipped items), which vocabulary the
touchpoints speak (persona's default one, or a retailer's own that its
taxonomy maps fully, partly or not at all), how strongly personas drive the
journey (channels, event types, moments of truth, dayparts) and the emotions,
and how the tables come (rows shuffled, no session ids, emotions as scores or
as short English / Italian comments). Four null worlds have no personas at
all, so a method that finds some there is caught.

:func:`world_zoo` lists the worlds and :func:`make_world` draws one as a
:class:`~persona.datasets.CustomerData` carrying its ground truth.
Demographics drive activity volume and the channel / device mix, never the
personas. Everything is drawn with numpy over whole arrays from one seeded
generator: loops run over personas, need dimensions, items and vocabulary
entries, never over customers or touchpoints.

This module draws a world from its parts, in a fixed order (the same seed
gives the same tables): the spec and the zoo (:mod:`._world_spec`), the shared
draws (:mod:`._world_draws`), customers and their needs (:mod:`._world_people`),
journeys (:mod:`._world_journeys`), the survey (:mod:`._world_survey`) and the
emotion readings (:mod:`._world_emotions`); the ground truth is assembled here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from persona.datasets._base import CustomerData
from persona.datasets._world_draws import WEEKS, WINDOW_START, draw, shuffled
from persona.datasets._world_emotions import draw_emotions
from persona.datasets._world_journeys import (
    draw_journeys,
    events_table,
    journey_settings_of,
    vocabulary_of,
)
from persona.datasets._world_people import (
    draw_drivers,
    draw_needs,
    draw_people,
    need_profiles,
    people_table,
)
from persona.datasets._world_spec import NEED_DIMENSIONS, WorldSpec, world_zoo
from persona.datasets._world_survey import draw_instrument, draw_survey
from persona.errors import ConfigError

__all__ = ["NEED_DIMENSIONS", "WorldSpec", "make_world", "world_zoo"]


def make_world(spec: WorldSpec, random_state: int | np.random.Generator | None = None):
    """Draw one world of the zoo: its input tables and its ground truth.

    Parameters
    ----------
    spec : WorldSpec
        The world to draw (see :func:`world_zoo`).
    random_state : int, numpy Generator or None
        Seed; the same spec and seed give the same tables.

    Returns
    -------
    CustomerData
        ``events`` (customer_id, timestamp, channel, device, event_type, value,
        and session_id when the spec asks), ``survey`` (customer_id + the
        items, NaN where skipped), ``emotions`` (customer_id, timestamp,
        event_type, and valence / arousal and / or text), ``demographics``
        (customer_id, age, age_band, region, gender, income), ``instrument``,
        ``journey`` (the JourneySettings of an own vocabulary, else None),
        ``truth`` (true persona id by customer_id; 0 throughout a null world),
        ``personas`` (name, share, size, close_to, need profile) and
        ``notes`` (``spec``, ``close_pairs`` as (persona, persona, dimension),
        ``dimensions``).

    Examples
    --------
    >>> from persona.datasets import WorldSpec, make_world
    >>> spec = WorldSpec("tiny", n_customers=500, n_personas=4, vocabulary="own")
    >>> data = make_world(spec, random_state=0)
    >>> data.events["customer_id"].nunique(), len(data.survey)
    (500, 150)
    >>> data.journey.purchase_types, "session_id" in data.events
    (('order_placed',), True)
    """
    if not isinstance(spec, WorldSpec):
        raise ConfigError(f"Got spec={spec!r}, but expected a WorldSpec (see world_zoo()).")
    rng = np.random.default_rng(random_state)
    n = spec.n_customers
    ids = 1_000_000 + np.cumsum(1 + rng.geometric(0.4, n)).astype(np.int64)
    people = draw_people(n, rng)
    shares = spec.persona_shares
    profiles, pairs = need_profiles(spec, shares, rng)
    persona = draw(shares[None, :], np.zeros(n, dtype=np.int64), rng)
    needs = draw_needs(spec, profiles, persona, people, rng)
    drivers = draw_drivers(spec, profiles, persona, needs, people, rng)
    vocabulary = vocabulary_of(spec.vocabulary)
    touchpoints = draw_journeys(spec, vocabulary, drivers, people, rng)
    instrument, layout = draw_instrument(spec, rng)
    activity = np.bincount(touchpoints["customer"], minlength=n)
    survey = draw_survey(spec, layout, needs, activity, ids, rng)
    emotions = draw_emotions(spec, vocabulary, drivers, touchpoints, ids, rng)
    truth = persona if spec.null is None else np.zeros(n, dtype=np.int64)
    dimensions = tuple(NEED_DIMENSIONS)[: spec.n_dimensions]
    return CustomerData(
        events=events_table(spec, vocabulary, touchpoints, ids, rng),
        survey=survey,
        emotions=emotions,
        demographics=shuffled(spec, people_table(people, ids), rng),
        instrument=instrument,
        journey=journey_settings_of(spec, vocabulary),
        truth=pd.Series(truth, index=pd.Index(ids, name="customer_id"), name="persona"),
        personas=_persona_table(spec, profiles, shares, truth, pairs, dimensions),
        observation_end=WINDOW_START + pd.Timedelta(weeks=WEEKS),
        description=f"world {spec.name} ({n:,} customers, seed {random_state})",
        source="persona.datasets.make_world",
        licence="BSD-3-Clause (generated by persona)",
        notes={
            "spec": spec,
            "close_pairs": pairs if spec.null is None else (),
            "dimensions": dimensions,
        },
    )


# --------------------------------------------------------------------------- ground truth


def _persona_table(spec, profiles, shares, truth, pairs, dimensions) -> pd.DataFrame:
    """One row per true persona: name, share asked, size drawn, close partner, needs.

    A null world has a single row, "no personas", with a flat profile.
    """
    if spec.null is not None:
        profiles, shares, pairs = np.zeros((1, len(dimensions))), np.ones(1), ()
    k = len(profiles)
    close_to = np.full(k, -1)
    for one, other, _ in pairs:
        close_to[one], close_to[other] = other, one
    table = pd.DataFrame(
        {
            "name": _persona_names(profiles, dimensions) if spec.null is None else ["no personas"],
            "share": shares,
            "size": np.bincount(truth, minlength=k),
            "close_to": close_to,
        },
        index=pd.RangeIndex(k, name="persona"),
    )
    needs = pd.DataFrame(profiles, columns=[f"need_{d}" for d in dimensions], index=table.index)
    return table.join(needs)


def _persona_names(profiles: np.ndarray, dimensions: tuple[str, ...]) -> list[str]:
    """'P03 high novelty, low security': the persona's two most distinct needs."""
    names = []
    for persona, profile in enumerate(profiles):
        top = np.argsort(-np.abs(profile), kind="stable")[:2]
        words = ", ".join(f"{'high' if profile[d] > 0 else 'low'} {dimensions[d]}" for d in top)
        names.append(f"P{persona:02d} {words}")
    return names
