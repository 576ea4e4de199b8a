"""Data the drift tests share (test_drift_*.py and the drift fixtures of conftest.py): the
features of a synthetic base, a stand-in for the model's scores, and a base small enough to
compute its report by hand."""

import numpy as np
import pandas as pd

FEATURE_GROUPS = ("psychographic__", "behaviour__", "emotion__", "available__")


def model_features(builder, data):
    """The columns of the feature builder's output a drift reference tracks."""
    raw = builder.compute(events=data.events, survey=data.survey, emotions=data.emotions)
    return raw.loc[:, raw.columns.str.startswith(FEATURE_GROUPS)]


def stand_in_scores(features, truth):
    """A deterministic stand-in for the model: the true persona, -1 for the barely seen,
    and more confidence with more signals."""
    persona = truth.reindex(features.index).to_numpy().copy()
    persona[features["behaviour__touchpoints"].to_numpy() <= 2] = -1
    confidence = (
        0.5
        + 0.3 * features["available__psychographic"].to_numpy()
        + 0.15 * features["available__emotion"].to_numpy()
    )
    return pd.DataFrame({"persona_id": persona, "confidence": confidence}, index=features.index)


def hand_computed_example():
    """Ten training customers and the same ten tonight: (train, train_scores, now, now_scores).

    With four bins the training values fall 0.2 in each of the four bins and missing; tonight
    1 | 3 | 1 | 4 and 1 missing of 10. Persona shares move from 10 | 50 | 40 % (-1, 0, 1) to
    0 | 30 | 70 %, the mean confidence from 0.8 to 0.5."""
    train = pd.DataFrame(
        {"behaviour__x": [1.0, 2, 3, 4, 5, 6, 7, 8, np.nan, np.nan], "available__behaviour": 1.0},
        index=pd.RangeIndex(10, name="customer_id"),
    )
    train_scores = pd.DataFrame(
        {"persona_id": [0] * 5 + [1] * 4 + [-1], "confidence": [0.8] * 10}, index=train.index
    )
    now = train.assign(behaviour__x=[1.0, 3, 3, 4, 5, 7, 8, 8, 8, np.nan])
    now_scores = train_scores.assign(persona_id=[0] * 3 + [1] * 7, confidence=[0.5] * 10)
    return train, train_scores, now, now_scores
