"""Per-customer explanations: exact reason codes and counterfactuals that really move."""

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def some(persona_model, customers):
    """A respondent with emotions, a behaviour-only customer and a few more."""
    source = persona_model.label_source_
    respondent = customers.survey["customer_id"].unique()
    with_emotions = customers.emotions["customer_id"].unique()
    full = source.index[source.index.isin(respondent) & source.index.isin(with_emotions)][0]
    thin = source.index[~source.index.isin(respondent) & ~source.index.isin(with_emotions)][0]
    return [full, thin, *source.index[10:14]]


def test_reason_codes_sum_to_the_assignment_models_margin(persona_model, some):
    explained = persona_model.explain(customer_ids=some)
    parts = persona_model.contributions(customer_ids=some)
    np.testing.assert_allclose(parts.sum(axis=1), explained["margin"], rtol=1e-10)
    # the margin is the log-odds of the persona over the runner-up in the model's probabilities
    proba = persona_model.probabilities_.loc[some]
    chosen = proba.to_numpy()[np.arange(len(some)), explained["persona_id"].map(
        {p: i for i, p in enumerate(proba.columns)}).to_numpy()]  # fmt: skip
    runner = proba.to_numpy()[np.arange(len(some)), explained["runner_up"].map(
        {p: i for i, p in enumerate(proba.columns)}).to_numpy()]  # fmt: skip
    np.testing.assert_allclose(np.log(chosen / runner), explained["margin"], rtol=1e-9)
    pd.testing.assert_series_equal(
        explained["persona_id"], persona_model.labels_.loc[some], check_names=False
    )


def test_missing_signals_are_named_and_not_used(persona_model, some):
    explained = persona_model.explain(customer_ids=some)
    full, thin = some[0], some[1]
    assert explained.loc[full, "missing_signals"] == ()
    assert explained.loc[thin, "missing_signals"] == ("psychographic", "emotion")
    assert explained.loc[thin, "signals_used"] == ("behaviour",)
    parts = persona_model.contributions(customer_ids=[thin])
    assert parts.filter(like="psychographic__").isna().all(axis=None)
    reasons = explained.loc[thin, "reasons"]
    assert len(reasons) == 5 and all(r["feature"].startswith("behaviour__") for r in reasons)
    magnitudes = [abs(r["contribution"]) for r in reasons]
    assert magnitudes == sorted(magnitudes, reverse=True)
    assert {r["direction"] for r in reasons} <= {"toward", "away"}


def test_reasons_flip_the_right_way_when_a_feature_changes(persona_model, customers, some):
    matrix = persona_model.features_.transform(customers).loc[[some[0]]]
    parts = persona_model.contributions(matrix)
    feature = parts.drop(columns="intercept").iloc[0].abs().idxmax()
    before = persona_model.explain(matrix)["margin"].iloc[0]
    step = persona_model.assigner_.scale_of([matrix.columns.get_loc(feature)])[0]
    # The contribution is linear in the feature: a nudge shows which way it grows.
    nudged = matrix.copy()
    nudged[feature] += 1e-6 * step
    grows = persona_model.contributions(nudged).iloc[0][feature] > parts.iloc[0][feature]
    moved = matrix.copy()
    # push the feature the way its contribution falls: the margin must shrink
    moved[feature] -= (1 if grows else -1) * step
    after = persona_model.explain(moved)
    if after["persona_id"].iloc[0] == persona_model.labels_[some[0]]:
        assert after["margin"].iloc[0] < before
    else:  # or the customer moved to another persona altogether
        assert after["persona_id"].iloc[0] != persona_model.labels_[some[0]]


def test_the_counterfactual_moves_the_customer_when_applied(persona_model, some):
    customer = some[0]
    current = persona_model.labels_[customer]
    target = next(p for p in persona_model.persona_ids_ if p != current)
    found = persona_model.counterfactual(customer, to=target)
    assert found.found
    assert persona_model.predict(found.features).iloc[0] == target
    assert 1 <= len(found.changes) <= 5  # a marketer's few changes, by default
    row = persona_model.fitted_.training.loc[[customer]]
    kept = row.columns.difference(found.changes["feature"])
    pd.testing.assert_frame_equal(found.features[kept], row[kept])  # the rest stays as it is
    assert found.after.idxmax() == target and found.before.idxmax() == current
    changed = set(found.changes["feature"])
    assert changed and all(f.split("__")[0] in ("psychographic", "behaviour") for f in changed)
    # shares stay shares
    shares = found.changes[found.changes["feature"].str.contains("__share_")]
    assert shares["after"].between(-1e-9, 1 + 1e-9).all()

    only_needs = persona_model.counterfactual(customer, to=target, change=("psychographic",))
    if only_needs.found:
        assert set(only_needs.changes["feature"]).issubset(
            {c for c in persona_model.feature_names_out_ if c.startswith("psychographic__")}
        )
        assert persona_model.predict(only_needs.features).iloc[0] == target


def test_counterfactuals_change_at_most_max_changes_features(persona_model, some):
    """Across customers and targets, a change of at most k features still moves them;
    an unrestricted change leans on many more."""
    counts = {1: [], 3: [], None: []}
    for customer in some[:4]:
        current = persona_model.labels_[customer]
        for target in (p for p in persona_model.persona_ids_ if p != current):
            for k in counts:
                found = persona_model.counterfactual(customer, to=target, max_changes=k)
                if found.found:
                    assert persona_model.predict(found.features).iloc[0] == target
                    counts[k].append(len(found.changes))
    assert counts[3] and max(counts[3]) <= 3 and max(counts[1], default=1) == 1
    assert max(counts[None]) > 5
    with pytest.raises(ValueError, match="Got max_changes=0, but expected a whole number"):
        persona_model.counterfactual(some[0], to=0, max_changes=0)


def test_explanations_match_for_ids_and_for_tables(persona_model, customers, some):
    by_id = persona_model.explain(customer_ids=some)
    by_tables = persona_model.explain(customers, customer_ids=some)
    pd.testing.assert_frame_equal(by_id, by_tables)


def test_bad_explanation_requests_say_what_to_do(persona_model, some):
    with pytest.raises(ValueError, match="Pass customer_ids=, or the tables"):
        persona_model.explain()
    with pytest.raises(ValueError, match="1 customer id\\(s\\) not in the training customers"):
        persona_model.explain(customer_ids=[some[0], -5])
    with pytest.raises(ValueError, match="Got to=99, but the personas are"):
        persona_model.counterfactual(some[0], to=99)
    with pytest.raises(ValueError, match="\\['demographics'\\] are not feature groups"):
        persona_model.counterfactual(some[0], to=0, change=("demographics",))


def test_explanation_errors_name_their_family(persona_model, some):
    from persona.errors import ConfigError

    with pytest.raises(ConfigError, match="Pass customer_ids=, or the tables"):
        persona_model.explain()
    with pytest.raises(ConfigError, match="not in the training customers"):
        persona_model.explain(customer_ids=[-5])
    for wrong in (0, True, 2.5):
        with pytest.raises(ConfigError, match=f"Got max_changes={wrong!r}, but expected a whole"):
            persona_model.counterfactual(some[0], to=0, max_changes=wrong)
    with pytest.raises(ConfigError, match="Got to=99"):
        persona_model.counterfactual(some[0], to=99)
