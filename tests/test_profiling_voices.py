"""What customers say: the comments chosen per persona, and which ones are never read."""

import numpy as np
import pandas as pd
import pytest

from persona.features.text import comment_scores
from persona.profiling._voices import representative_comments

COLUMNS = ["persona_id", "text", "valence", "arousal", "distance"]
LABELS = pd.Series([0, 0, 1, 1], index=pd.Index([1, 2, 3, 4], name="customer_id"))
PERSONA_0 = ["I love it, wonderful service", "Terrible, the parcel arrived broken",
             "Great, quick delivery, thanks", "Awful support, never again"]  # fmt: skip
PERSONA_1 = ["Lovely staff, very happy", "The order arrived on time", "Happy with the new app"]


@pytest.fixture
def emotions():
    """Comments of four labelled customers and one unlabelled, with what is never read."""
    rows = [
        (1, PERSONA_0[0]), (1, PERSONA_0[1]),
        (2, PERSONA_0[2]), (2, PERSONA_0[3]), (2, PERSONA_0[0]),  # said twice: read once
        (3, PERSONA_1[0]), (3, PERSONA_1[1]), (3, "   "), (3, None),  # blank and missing
        (4, "x" * 241), (4, PERSONA_1[2]),  # a letter, not a quote
        (5, "Brilliant, best shop ever"),  # no persona
    ]  # fmt: skip
    table = pd.DataFrame(rows, columns=["customer_id", "text"])
    table["timestamp"] = pd.Timestamp("2026-03-01") + pd.to_timedelta(range(len(rows)), "D")
    table["language"] = "en"
    return table


def expected(texts_by_persona, per_persona):
    """The choice worked out from the readings: nearest the persona's median first."""
    rows = []
    for persona, texts in texts_by_persona.items():
        readings = np.array([comment_scores(t, "en")[0][:2] for t in texts])
        distance = np.hypot(*(readings - np.median(readings, axis=0)).T)
        for text, (valence, arousal), d in zip(texts, readings, distance, strict=True):
            rows.append((persona, text, valence, arousal, d))
    frame = pd.DataFrame(rows, columns=COLUMNS).sort_values(["persona_id", "distance", "text"])
    return frame.groupby("persona_id").head(per_persona).reset_index(drop=True)


def test_each_persona_gets_its_comments_nearest_its_median_reading(emotions):
    chosen = representative_comments(emotions, LABELS)
    pd.testing.assert_frame_equal(chosen, expected({0: PERSONA_0, 1: PERSONA_1}, 3))
    assert chosen.groupby("persona_id").size().tolist() == [3, 3]
    assert (chosen.groupby("persona_id")["distance"].diff().dropna() >= 0).all()


def test_only_short_distinct_comments_of_labelled_customers_are_read(emotions):
    everything = representative_comments(emotions, LABELS, per_persona=10)
    read = everything.groupby("persona_id")["text"].apply(sorted).to_dict()
    assert read == {0: sorted(PERSONA_0), 1: sorted(PERSONA_1)}


def test_a_comment_in_a_language_the_reader_does_not_know_is_left_out(emotions):
    emotions.loc[emotions["text"] == PERSONA_1[2], "language"] = "de"
    read = representative_comments(emotions, LABELS, per_persona=10)
    assert PERSONA_1[2] not in set(read["text"])
    assert read["valence"].notna().all()


def test_a_sample_bounds_the_comments_read_whatever_the_row_order(emotions):
    chosen = representative_comments(emotions, LABELS, sample=3, random_state=1)
    shuffled = representative_comments(
        emotions.sample(frac=1.0, random_state=0), LABELS, sample=3, random_state=1
    )
    pd.testing.assert_frame_equal(chosen, shuffled)
    assert len(chosen) == 3  # three of the seven comments read, every one chosen


def test_without_comments_the_choice_is_empty(emotions):
    for table in (emotions.drop(columns="text"), emotions[emotions["customer_id"] == 5]):
        chosen = representative_comments(table, LABELS)
        assert chosen.empty and chosen.columns.tolist() == COLUMNS
