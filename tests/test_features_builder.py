"""FeatureBuilder: joined groups, honest missingness, scaling and weights, sklearn manners."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline

from persona.datasets import make_customers
from persona.features import GROUPS, FeatureBuilder


@pytest.fixture(scope="module")
def data():
    return make_customers(n_customers=1_200, random_state=4)


@pytest.fixture(scope="module")
def fitted(data):
    builder = FeatureBuilder(instrument=data.instrument)
    matrix = builder.fit_transform(events=data.events, survey=data.survey, emotions=data.emotions)
    return builder, matrix


def test_one_row_per_customer_groups_in_order_and_flags(data, fitted):
    builder, X = fitted
    assert X.index.equals(pd.Index(sorted(data.truth.index), name="customer_id"))
    prefixes = [c.split("__")[0] for c in X.columns]
    groups_seen = list(dict.fromkeys(prefixes))
    assert groups_seen == [*GROUPS, "available"]
    assert list(X.columns) == list(builder.get_feature_names_out())
    assert not any(c.startswith("response__") for c in X.columns)  # style is no need
    respondents = set(data.survey["customer_id"])
    flag = X["available__psychographic"]
    assert set(flag[flag == 1].index) == respondents
    assert X.loc[flag == 0, builder.feature_names_in_groups_["psychographic"]].isna().all().all()
    readers = set(data.emotions["customer_id"])
    assert set(X.index[X["available__emotion"] == 1]) == readers
    assert (X["available__behaviour"] == 1).all()


def test_scaling_and_weights_are_exact(data, fitted):
    builder, X = fitted
    raw = builder.compute(events=data.events, survey=data.survey, emotions=data.emotions)
    k = len(builder.feature_names_in_groups_["psychographic"])
    column = "psychographic__thrift"
    center, spread = raw[column].median(), raw[column].quantile(0.75) - raw[column].quantile(0.25)
    expected = (raw[column] - center) / spread * 2.0 / np.sqrt(k)
    pd.testing.assert_series_equal(X[column], expected, check_names=False)
    spend = "behaviour__total_spend"  # heavy-tailed: scaled on log1p
    logged = np.log1p(raw[spend])
    k_b = len(builder.feature_names_in_groups_["behaviour"])
    iqr = logged.quantile(0.75) - logged.quantile(0.25)
    np.testing.assert_allclose(X[spend], (logged - logged.median()) / iqr / np.sqrt(k_b))
    assert "response__acquiescence" in raw.columns  # kept as a diagnostic


def test_a_group_counts_by_its_weight_not_its_width(data):
    tables = {"events": data.events, "survey": data.survey, "emotions": data.emotions}
    base = FeatureBuilder(instrument=data.instrument).fit_transform(**tables)
    heavier = FeatureBuilder(instrument=data.instrument, weights={"emotion": 3.0})
    X = heavier.fit_transform(**tables)
    emotion = heavier.feature_names_in_groups_["emotion"]
    behaviour = heavier.feature_names_in_groups_["behaviour"]
    pd.testing.assert_frame_equal(X[emotion], base[emotion] * 3.0)
    pd.testing.assert_frame_equal(X[behaviour], base[behaviour])
    # per column, a wide group is scaled down by sqrt(width)
    assert len(behaviour) > len(heavier.feature_names_in_groups_["psychographic"])


def test_transform_keeps_the_fitted_schema(data, fitted):
    builder, X = fitted
    web_only = data.events[data.events["channel"] == "web"].copy()
    web_only.loc[web_only.index[:3], "channel"] = "web"
    new = builder.transform(events=web_only)
    assert list(new.columns) == list(X.columns)
    assert (new["behaviour__share_channel_web"].notna()).all()
    assert new["available__psychographic"].eq(0).all()
    assert new[builder.feature_names_in_groups_["emotion"]].isna().all().all()
    raw = builder.compute(events=web_only)
    assert (raw["behaviour__share_channel_store"] == 0).all()
    assert (raw["behaviour__share_channel_web"] == 1).all()


def test_row_order_does_not_matter(data, fitted):
    builder, X = fitted
    shuffled = {
        "events": data.events.sample(frac=1, random_state=1),
        "survey": data.survey.sample(frac=1, random_state=2),
        "emotions": data.emotions.sample(frac=1, random_state=3),
    }
    again = FeatureBuilder(instrument=data.instrument).fit_transform(**shuffled)
    pd.testing.assert_frame_equal(again, X)


def test_works_in_a_pipeline_and_clones(data):
    tables = {"events": data.events, "survey": data.survey, "emotions": data.emotions}
    pipeline = Pipeline(
        [
            ("features", FeatureBuilder(instrument=data.instrument)),
            ("impute", SimpleImputer(strategy="median")),
            ("cluster", KMeans(n_clusters=4, n_init=2, random_state=0)),
        ]
    )
    labels = pipeline.fit_predict(tables)
    assert len(labels) == 1_200 and len(set(labels)) == 4
    copy = clone(pipeline.named_steps["features"])
    assert copy.get_params()["instrument"] == data.instrument
    assert not hasattr(copy, "scale_")


def test_errors_name_the_problem(data):
    with pytest.raises(NotFittedError):
        FeatureBuilder().transform(events=data.events)
    with pytest.raises(TypeError, match="demographics never enter"):
        FeatureBuilder().fit(events=data.events, demographics=data.demographics)
    with pytest.raises(ValueError, match="pass FeatureBuilder\\(instrument=...\\)"):
        FeatureBuilder().fit(events=data.events, survey=data.survey)
    with pytest.raises(ValueError, match=r"Got weights\['emotion'\]=-1"):
        FeatureBuilder(weights={"emotion": -1}).fit(events=data.events)
    with pytest.raises(ValueError, match=r"Got weights for \['demographics'\]"):
        FeatureBuilder(weights={"demographics": 1}).fit(events=data.events)
    with pytest.raises(ValueError, match="Got no table"):
        FeatureBuilder().fit()


def test_contract_errors_come_before_any_computation(data):
    survey = data.survey.copy()
    survey.loc[survey.index[0], "thr1"] = 9
    with pytest.raises(Exception, match="survey.thr1: 1 of 360 rows are outside"):
        FeatureBuilder(instrument=data.instrument).fit(events=data.events, survey=survey)


def test_inverse_transform_gives_back_the_raw_features():
    from persona.datasets import make_customers

    data = make_customers(n_customers=300, random_state=1)
    builder = FeatureBuilder(instrument=data.instrument)
    matrix = builder.fit_transform(data)
    raw = builder.compute(data)[builder.get_feature_names_out()[:-3]]
    back = builder.inverse_transform(matrix)
    pd.testing.assert_frame_equal(back, raw, check_exact=False, rtol=1e-9, atol=1e-9)
    # counts come back as the counts they were
    assert back["behaviour__touchpoints"].round(9).eq(raw["behaviour__touchpoints"]).all()


def test_a_respondent_who_skipped_every_scale_has_no_survey_signal():
    from persona.datasets import make_customers

    data = make_customers(n_customers=200, random_state=2)
    survey = data.survey.copy()
    skipped = survey["customer_id"].iloc[0]
    # one answer left: too few for any scale to be scored
    survey.loc[survey["customer_id"] == skipped, list(data.instrument.item_names)[1:]] = np.nan
    X = FeatureBuilder(instrument=data.instrument).fit_transform(survey=survey, events=data.events)
    assert X.loc[skipped, "available__psychographic"] == 0.0
    assert X.loc[skipped].filter(like="psychographic__").isna().all()
    assert X["available__psychographic"].sum() == survey["customer_id"].nunique() - 1
