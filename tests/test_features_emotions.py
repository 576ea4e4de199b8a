"""Emotion features: exact values on a hand-made table, order independence, text
readings scored once, errors at the edge, and the signal on synthetic and real data."""

import numpy as np
import pandas as pd
import pytest

from persona import InputError
from persona.contract._journey import DEFAULT_TAXONOMY
from persona.contract._schema import EMOTIONS
from persona.datasets import load_msq, make_customers
from persona.features.emotions import emotion_features

NAN = np.nan


class Table:
    """A deterministic scorer that knows a few texts, and remembers what it was asked."""

    scores = {"love it": (0.8, 0.9), "meh": (-0.1, 0.1)}

    def __init__(self):
        self.calls = []

    def score(self, texts, languages=None):
        self.calls.append((list(texts), None if languages is None else list(languages)))
        known = [self.scores.get(t, (NAN, NAN)) for t in texts]
        return pd.DataFrame(known, columns=["valence", "arousal"])


def readings() -> pd.DataFrame:
    day = pd.Timestamp("2026-01-01")
    return pd.DataFrame(
        [
            # customer, timestamp, event_type, moment, valence, arousal, joy, fear, text
            ("a", day, "search", None, -0.4, 0.6, 0.2, 0.7, None),
            ("a", day + pd.Timedelta(days=10), "purchase", None, 0.2, 0.4, 0.6, 0.1, None),
            ("a", day + pd.Timedelta(days=20), "write_review", None, NAN, NAN, NAN, NAN, "love it"),
            ("a", day + pd.Timedelta(days=30), "chat_open", None, 0.6, 0.5, 0.5, NAN, "meh"),
            ("a", pd.NaT, "search", "FMOT", -0.7, 0.3, NAN, 0.9, None),
            ("b", pd.Timestamp("2026-02-01"), "product_view", None, 0.5, NAN, 0.5, 0.0, None),
            ("b", pd.Timestamp("2026-02-01"), "product_view", None, -0.5, 0.2, NAN, NAN, None),
            ("c", pd.Timestamp("2026-03-01"), "share", None, 0.3, 0.8, NAN, NAN, None),
        ],
        columns=[
            "customer_id", "timestamp", "event_type", "moment",
            "valence", "arousal", "joy", "fear", "text",
        ],
    )  # fmt: skip


def features_of(table, scorer=None, **kwargs):
    with pytest.warns(UserWarning, match=r"1 event type.*1 reading.*'chat_open' \(1 readings\)"):
        return emotion_features(table, scorer=scorer or Table(), **kwargs)


def test_exact_values_on_a_hand_made_table():
    scorer = Table()
    got = features_of(readings(), scorer)
    # Only the text without a numeric valence is scored ("meh" keeps its numbers).
    assert scorer.calls == [(["love it"], None)]
    expected = {
        # a, in time order: untimed -0.7 (FMOT by its moment column), then day 0 -0.4
        # (search: ZMOT), day 10 0.2 (purchase: SMOT), day 20 0.8 (text, scored;
        # write_review: UMOT), day 30 0.6 (chat_open: outside the taxonomy, moment unknown).
        # b: two readings at one time, ordered by valence: -0.5 then 0.5. c: one reading.
        "valence_mean": [
            0.1,  # (-0.7 - 0.4 + 0.2 + 0.8 + 0.6) / 5 = 0.5 / 5
            0.0,  # (0.5 - 0.5) / 2
            0.3,
        ],
        "arousal_mean": [
            0.54,  # (0.3 + 0.6 + 0.4 + 0.9 (scored) + 0.5) / 5 = 2.7 / 5
            0.2,  # the reading without arousal does not count
            0.8,
        ],
        "valence_volatility": [
            np.sqrt(0.328),  # deviations -0.8 -0.5 0.1 0.7 0.5: (.64+.25+.01+.49+.25) / 5
            0.5,  # deviations -0.5, 0.5
            NAN,  # a single reading
        ],
        "arousal_volatility": [
            np.sqrt(0.0424),  # deviations -.24 .06 -.14 .36 -.04: .212 / 5
            NAN,  # a single arousal
            NAN,
        ],
        # joy scored in a: 0.2, 0.6, 0.5 -> present (>= 0.5) in 2 of 3; b: 0.5 -> 1 of 1
        "share_joy": [2 / 3, 1.0, NAN],
        "mean_joy": [1.3 / 3, 0.5, NAN],
        # fear scored in a: 0.7, 0.1, 0.9 -> 2 of 3; b: 0.0 -> 0 of 1
        "share_fear": [2 / 3, 0.0, NAN],
        "mean_fear": [1.7 / 3, 0.0, NAN],
        "valence_peak": [
            0.8,  # the scored text has the largest |valence|
            -0.5,  # |-0.5| = |0.5| at the same time: the first in order
            0.3,
        ],
        "valence_end": [
            0.6,  # the last timed reading (the untimed one comes first)
            0.5,
            0.3,
        ],
        "valence_ZMOT": [-0.4, NAN, NAN],
        "valence_FMOT": [-0.7, 0.0, NAN],
        "valence_SMOT": [0.2, NAN, NAN],
        "valence_UMOT": [0.8, NAN, 0.3],
        "arousal_ZMOT": [0.6, NAN, NAN],
        "arousal_FMOT": [0.3, 0.2, NAN],
        "arousal_SMOT": [0.4, NAN, NAN],
        "arousal_UMOT": [0.9, NAN, 0.8],
        "valence_trend": [
            # timed a: days 0 10 20 30, valence -0.4 0.2 0.8 0.6; means 15 and 0.3;
            # sum dt*dv = (-15)(-0.7) + (-5)(-0.1) + 5(0.5) + 15(0.3) = 18,
            # sum dt^2 = 225 + 25 + 25 + 225 = 500: 0.036 a day, 1.08 per 30 days
            1.08,
            NAN,  # no spread in time
            NAN,  # a single reading
        ],
        "n_readings": [5.0, 2.0, 1.0],
    }
    for emotion in EMOTIONS:
        if emotion not in ("joy", "fear"):  # columns the table lacks
            expected[f"share_{emotion}"] = expected[f"mean_{emotion}"] = [NAN] * 3
    assert got.index.tolist() == ["a", "b", "c"]
    assert got.index.name == "customer_id"
    assert (got.dtypes == "float64").all()
    assert sorted(got.columns) == sorted(f"emotion__{name}" for name in expected)
    for name, values in expected.items():
        np.testing.assert_allclose(got[f"emotion__{name}"], values, atol=1e-12, err_msg=name)


def test_shuffled_rows_give_identical_features():
    table = readings()
    first = features_of(table)
    for seed in range(5):
        shuffled = table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        pd.testing.assert_frame_equal(features_of(shuffled), first, check_exact=True)


def test_shuffled_synthetic_readings_give_identical_features():
    emotions = make_customers(n_customers=300, random_state=1).emotions
    shuffled = emotions.sample(frac=1.0, random_state=0)
    pd.testing.assert_frame_equal(
        emotion_features(shuffled), emotion_features(emotions), check_exact=True
    )


def test_time_zones_and_text_columns_do_not_change_the_result():
    table = readings()
    aware = table.assign(timestamp=table["timestamp"].dt.tz_localize("Europe/Rome"))
    categorical = table.assign(
        event_type=table["event_type"].astype("category"),
        text=table["text"].astype("category"),
    )
    expected = features_of(table)
    pd.testing.assert_frame_equal(features_of(aware), expected)
    pd.testing.assert_frame_equal(features_of(categorical), expected)


def test_a_custom_taxonomy_places_the_unknown_event_type():
    taxonomy = {**DEFAULT_TAXONOMY, "chat_open": "ZMOT"}
    got = emotion_features(readings(), scorer=Table(), taxonomy=taxonomy)  # no warning
    assert got.loc["a", "emotion__valence_ZMOT"] == pytest.approx((-0.4 + 0.6) / 2)


def test_each_distinct_text_is_scored_once_with_its_language():
    table = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5],
            "text": ["meh", "love it", "meh", "love it", "love it"],
            "language": ["en", "en", "en", "it", "en"],
        }
    )
    scorer = Table()
    got = emotion_features(table, scorer=scorer)
    # Sorted distinct (text, language) pairs, whatever the order of the rows.
    assert scorer.calls == [(["love it", "love it", "meh"], ["en", "it", "en"])]
    assert got["emotion__valence_mean"].tolist() == [-0.1, 0.8, -0.1, 0.8, 0.8]
    assert got["emotion__arousal_mean"].tolist() == [0.1, 0.9, 0.1, 0.9, 0.9]


def test_the_default_scorer_scores_text():
    table = pd.DataFrame(
        {
            "customer_id": ["x", "y", "z"],
            "text": [
                "Terrible service, the parcel arrived broken and nobody answered.",
                "Adoro questo negozio, il personale è gentilissimo.",
                "Très bien",  # a language the default scorer cannot score
            ],
            "language": [None, None, "fr"],
        }
    )
    got = emotion_features(table)
    assert got.loc["x", "emotion__valence_mean"] < 0 < got.loc["y", "emotion__valence_mean"]
    assert np.isnan(got.loc["z", "emotion__valence_mean"])  # NaN, but the customer is kept
    assert got["emotion__n_readings"].tolist() == [1.0, 1.0, 1.0]


def test_a_table_with_only_scores_and_ids_works():
    table = pd.DataFrame({"customer_id": [2, 1, 2], "valence": [0.5, -0.5, 0.1]})
    got = emotion_features(table)
    assert got.index.tolist() == [1, 2]
    assert got["emotion__valence_mean"].tolist() == pytest.approx([-0.5, 0.3])
    assert got["emotion__valence_end"].tolist() == [-0.5, 0.1]  # no time: the order of rows
    assert got["emotion__valence_trend"].isna().all()
    assert (
        got[[f"emotion__valence_{m}" for m in ("ZMOT", "FMOT", "SMOT", "UMOT")]].isna().all().all()
    )


class Refuses:
    def score(self, texts, languages=None):
        raise AssertionError("scored before the input was checked")


def test_bad_input_fails_at_the_edge_naming_the_column():
    table = readings()
    table.loc[1, "valence"] = 1.5
    with pytest.raises(InputError, match=r"emotions\.valence") as error:
        emotion_features(table, scorer=Refuses())
    assert error.value.column == "valence"
    assert error.value.rows == [1]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"scorer": "vader"}, TypeError, "expected an object with a method score"),
        ({"taxonomy": {"search": "ZZMOT"}}, ValueError, r"taxonomy moments \['ZZMOT'\]"),
        ({"taxonomy": ["search"]}, TypeError, "expected a mapping of event type"),
    ],
)
def test_bad_parameters_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        emotion_features(readings(), **kwargs)


def test_cautious_planners_feel_worst_while_researching():
    data = make_customers(n_customers=2_000, random_state=0)
    features = emotion_features(data.emotions)
    by_persona = features.join(data.truth).groupby("persona")["emotion__valence_ZMOT"].mean()
    names = data.personas["name"]
    assert names[by_persona.idxmin()] == "Cautious planners"
    assert features.index.equals(pd.Index(sorted(data.emotions["customer_id"].unique())))


def test_msq_readings_without_time_give_features():
    emotions = load_msq().emotions
    features = emotion_features(emotions)
    assert len(features) == emotions["customer_id"].nunique() == len(emotions)
    assert (features["emotion__n_readings"] == 1).all()
    assert features["emotion__valence_trend"].isna().all()
    assert features["emotion__valence_volatility"].isna().all()
    expected = emotions.set_index("customer_id")["valence"].sort_index()
    np.testing.assert_allclose(features["emotion__valence_mean"], expected)
    np.testing.assert_allclose(features["emotion__valence_end"], expected)
