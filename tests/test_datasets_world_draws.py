"""The draws every part of a world shares."""

import numpy as np
import pandas as pd

from persona.datasets import WorldSpec
from persona.datasets._world_draws import WINDOW_START, draw, shuffled, tilts, timestamps


def test_each_row_draws_from_its_own_weights():
    rng = np.random.default_rng(0)
    weights = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    rows = np.array([0, 1, 1, 0, 1])
    assert draw(weights, rows, rng).tolist() == [0, 2, 2, 0, 2]
    picks = draw(np.array([[1.0, 3.0]]), np.zeros(40_000, dtype=np.int64), rng)
    assert abs(picks.mean() - 0.75) < 0.01


def test_timestamps_count_seconds_from_the_window_start():
    stamps = pd.to_datetime(timestamps(np.array([0, 86_400 + 30])))
    assert stamps[0] == WINDOW_START
    assert stamps[1] == WINDOW_START + pd.Timedelta(days=1, seconds=30)


def test_rows_are_shuffled_only_when_the_spec_says_so():
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"x": range(50)})
    assert shuffled(WorldSpec("sorted"), table, rng) is table
    mixed = shuffled(WorldSpec("mixed", sorted_rows=False), table, rng)
    assert sorted(mixed["x"]) == list(range(50)) and not mixed["x"].is_monotonic_increasing


def test_no_signal_no_tilt():
    needs = np.random.default_rng(2).normal(size=(10, 4))
    assert tilts(needs, 3, 0.0, np.random.default_rng(3)).shape == (10, 3)
    assert not tilts(needs, 3, 0.0, np.random.default_rng(3)).any()
