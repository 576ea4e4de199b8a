"""The committed data sets in datasets/ are what their scripts make, and meet the contracts."""

import json
from pathlib import Path

import pandas as pd
import pytest

from persona import Instrument, validate_inputs
from persona.datasets import make_customers

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample"


@pytest.fixture(scope="module")
def generated():
    return make_customers(n_customers=2_000, random_state=2026)


@pytest.mark.parametrize("name", ["events", "survey", "emotions", "demographics"])
def test_committed_tables_equal_the_generator(generated, name):
    committed = pd.read_parquet(SAMPLE / f"{name}.parquet")
    pd.testing.assert_frame_equal(committed, getattr(generated, name))


def test_committed_truth_instrument_and_personas(generated):
    truth = pd.read_parquet(SAMPLE / "truth.parquet")["persona"]
    pd.testing.assert_series_equal(truth, generated.truth)
    pd.testing.assert_frame_equal(pd.read_parquet(SAMPLE / "personas.parquet"), generated.personas)
    instrument = Instrument.from_file(SAMPLE / "instrument.json")
    assert instrument == generated.instrument
    assert json.loads((SAMPLE / "instrument.json").read_text())["name"] == "needs-v1"


def test_sample_files_validate_from_paths():
    inputs = validate_inputs(
        events=SAMPLE / "events.parquet",
        survey=SAMPLE / "survey.parquet",
        emotions=SAMPLE / "emotions.parquet",
        demographics=SAMPLE / "demographics.parquet",
        instrument=Instrument.from_file(SAMPLE / "instrument.json"),
    )
    assert inputs.events["customer_id"].nunique() == 2_000
    assert len(inputs.survey) == 600


def test_committed_boutique_files_equal_their_script(tmp_path):
    """datasets/boutique, the "Your own data" notebook's files, byte for byte."""
    import runpy

    script = runpy.run_path(str(SAMPLE.parent / "make_boutique.py"))
    script["write_boutique"](tmp_path)
    committed = SAMPLE.parent / "boutique"
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in committed.iterdir() if p.name != "README.md")
    for name in written:
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name
