"""A world's customers: ages in their bands, personas as far apart as the spec says."""

import numpy as np

from persona.datasets import WorldSpec
from persona.datasets._world_people import AGE_BANDS, draw_people, need_profiles, people_table


def test_ages_fall_in_their_bands():
    people = draw_people(2_000, np.random.default_rng(0))
    table = people_table(people, np.arange(2_000))
    assert list(table["age_band"].cat.categories) == list(AGE_BANDS)
    assert table["age"].between(18, 85).all()
    low = table["age_band"].astype(str).str.slice(0, 2).astype(int)
    assert (table["age"] >= low).all()


def test_profiles_keep_their_separation_and_close_pairs_their_gap():
    spec = WorldSpec("t", n_personas=5, close_pairs=1, close_gap=1.2, separation=3.0)
    profiles, pairs = need_profiles(spec, spec.persona_shares, np.random.default_rng(0))
    [(one, other, dimension)] = pairs
    gap = profiles[one] - profiles[other]
    assert np.isclose(np.abs(gap).sum(), 1.2) and np.isclose(abs(gap[dimension]), 1.2)
    distances = np.linalg.norm(profiles[:, None] - profiles[None], axis=2)
    distances[one, other] = distances[other, one] = np.inf
    assert distances[np.triu_indices(5, 1)].min() >= 3.0 - 1e-9
    assert np.allclose(spec.persona_shares @ profiles, 0.0)  # centred on the customer base
