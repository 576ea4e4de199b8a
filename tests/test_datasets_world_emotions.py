"""A world's emotion readings come as the spec says: scores, comments or none."""

import warnings

import numpy as np
import pytest

from persona.datasets import WorldSpec, make_world
from persona.datasets._world_emotions import _COMMENTS
from persona.features import LexiconScorer


@pytest.mark.parametrize(("emotions", "columns"), [("scores", {"valence", "arousal"}),
                                                   ("text", {"text"})])  # fmt: skip
def test_readings_come_as_the_spec_says(emotions, columns):
    data = make_world(WorldSpec("e", n_customers=200, emotions=emotions), random_state=0)
    signal = set(data.emotions.columns) - {"customer_id", "timestamp", "event_type"}
    assert signal == columns
    assert set(data.emotions["customer_id"]) <= set(data.events["customer_id"])


def test_no_emotions_table_when_the_spec_says_none():
    assert make_world(WorldSpec("n", n_customers=100, emotions="none"), 0).emotions is None


# ------------------------------------------------------------------ the comment templates


def test_comment_templates_read_with_their_sign():
    scorer = LexiconScorer()
    for (language, tone), (heads, tails) in _COMMENTS.items():
        texts = [head + tail for head in heads for tail in tails]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            scores = scorer.score(texts)
        assert (scores["language"] == language).all(), texts
        sign = np.sign(scores["valence"].to_numpy())
        assert (sign == (1 if tone == "positive" else -1)).all(), list(
            zip(texts, sign, strict=True)
        )
