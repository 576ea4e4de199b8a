"""persona.scoring._partition: every input row to its chunk's spill file, in input order -- files
whose categories differ read together, chunk numbers as a binary search counts them -- and
what resume trusts of the spill files."""

import numpy as np
import pandas as pd
import pyarrow as pa
from helpers_scoring import scores_in

from persona import score_files
from persona.scoring._inputs import _source
from persona.scoring._partition import _partition, _spill_path, _spills_intact


def test_files_whose_categories_differ_are_read_together(persona_model, inputs, subset, tmp_path):
    _, end = subset
    events = pd.read_parquet(inputs["events"]).sort_values("customer_id")
    folder = tmp_path / "events"
    folder.mkdir()
    halves = np.array_split(np.arange(len(events)), 2)
    for i, rows in enumerate(halves):  # each file its own categories (Arrow dictionaries)
        part = events.iloc[rows].copy()
        part["channel"] = part["channel"].astype(str).astype("category")
        part.to_parquet(folder / f"part-{i}.parquet")
    score_files(persona_model, events=folder, out=tmp_path / "out", observation_end=end,
                chunk_customers=300)  # fmt: skip
    expected = persona_model.predict_proba(events=events, observation_end=end)
    scores = scores_in(tmp_path / "out")
    columns = [c for c in scores.columns if c.startswith("probability_")]
    assert np.array_equal(scores[columns].to_numpy(), expected.to_numpy())


def test_chunk_numbers_count_the_bounds_like_a_binary_search():
    import pyarrow as pa

    from persona.scoring._partition import _chunk_of
    from persona.scoring._plan import _SeenIds

    rng = np.random.default_rng(0)
    values = rng.integers(-1_000, 1_000_000, 50_000)
    for n_bounds in (1, 5, 16, 40):
        bounds = np.sort(rng.choice(values, n_bounds, replace=False))
        expected = np.searchsorted(bounds, values, side="right")
        assert np.array_equal(_chunk_of(pa.array(values), bounds), expected)
        with_nulls = pa.array(values, mask=values % 7 == 0)
        assert np.array_equal(_chunk_of(with_nulls, bounds),
                              np.where(values % 7 == 0, -1, expected))  # fmt: skip
    seen = _SeenIds()
    assert seen.add(np.array([5, 3, 5])) and seen.add(np.array([1_000, 0]))  # grows
    assert not seen.add(np.array([2, -1])) and not seen.add(np.array([2**26]))
    assert np.flatnonzero(seen.bitmap).tolist() == [0, 3, 5, 1_000]


def _spilled(work, k, name):
    with pa.memory_map(str(_spill_path(work, k, name))) as stream:
        return pa.ipc.open_stream(stream).read_all().to_pydict()


def test_every_row_goes_to_its_customers_chunk_in_input_order(tmp_path):
    events = pd.DataFrame({"customer_id": pd.array([5, 1, 9, 1, 5, 3, None], dtype="Int64"),
                           "row": range(7)})  # fmt: skip
    plan = {"bounds": [3, 6], "id_kind": "int"}  # chunks: ids below 3, below 6, the rest
    spills = _partition({"events": _source("events", events, None)}, plan, tmp_path)
    assert {k: v["events"]["rows"] for k, v in spills.items()} == {"0": 2, "1": 3, "2": 1}
    assert _spilled(tmp_path, 0, "events") == {"customer_id": [1, 1], "row": [1, 3]}
    assert _spilled(tmp_path, 1, "events") == {"customer_id": [5, 5, 3], "row": [0, 4, 5]}
    assert _spilled(tmp_path, 2, "events") == {"customer_id": [9], "row": [2]}  # not the 7th
    sizes = {str(k): _spill_path(tmp_path, k, "events").stat().st_size for k in range(3)}
    assert {k: v["events"]["bytes"] for k, v in spills.items()} == sizes
    assert _spill_path(tmp_path, 12, "survey") == tmp_path / "chunk-00012" / "survey.arrow"

    survey = pd.DataFrame({"customer_id": ["a", "c", "b", None], "row": range(4)})
    spills = _partition({"survey": _source("survey", survey, None)},
                        {"bounds": ["b"], "id_kind": "str"}, tmp_path / "text")  # fmt: skip
    assert _spilled(tmp_path / "text", 0, "survey") == {"customer_id": ["a"], "row": [0]}
    assert _spilled(tmp_path / "text", 1, "survey") == {"customer_id": ["c", "b"], "row": [1, 2]}


def test_resume_trusts_only_spill_files_as_they_were_written(tmp_path):
    events = pd.DataFrame({"customer_id": [5, 1, 9], "row": range(3)})
    spills = _partition({"events": _source("events", events, None)},
                        {"bounds": [3, 6], "id_kind": "int"}, tmp_path)  # fmt: skip
    assert _spills_intact(tmp_path, spills, [0, 1, 2])
    assert not _spills_intact(tmp_path, None, [0])  # never partitioned
    assert not _spills_intact(tmp_path, {"0": spills["0"]}, [0, 1])  # partition cut short
    with _spill_path(tmp_path, 1, "events").open("ab") as stream:
        stream.write(b"\0")
    assert _spills_intact(tmp_path, spills, [0, 2]) and not _spills_intact(tmp_path, spills, [1])
    _spill_path(tmp_path, 2, "events").unlink()
    assert not _spills_intact(tmp_path, spills, [2])
