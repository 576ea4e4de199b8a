"""Journey maps: exact summaries of a hand-made log, and the maps a fitted model keeps."""

import numpy as np
import pandas as pd
import pytest

from persona.profiling._journey_map import BASE, journey_maps


@pytest.fixture(scope="module")
def hand_made():
    rows = [
        # customer 1, persona 0: once round the circle, on a Monday
        (1, "2026-03-02 09:00", "web", "mobile", "search"),
        (1, "2026-03-02 09:05", "web", "mobile", "product_view"),
        (1, "2026-03-02 14:00", "store", "in_store", "purchase"),
        (1, "2026-03-02 19:00", "app", "mobile", "write_review"),
        # customer 2, persona 1: buys, then researches (back), then researches again (stay)
        (2, "2026-03-02 20:00", "web", "desktop", "purchase"),
        (2, "2026-03-07 21:00", "web", "desktop", "search"),
        (2, "2026-03-08 03:00", "web", "desktop", "search"),
        # customer 3 has no persona: left out
        (3, "2026-03-03 10:00", "email", "desktop", "newsletter_open"),
    ]
    events = pd.DataFrame(rows, columns=["customer_id", "timestamp", "channel", "device",
                                         "event_type"])  # fmt: skip
    events["timestamp"] = pd.to_datetime(events["timestamp"])
    labels = pd.Series([0, 1], index=pd.Index([1, 2], name="customer_id"))
    return journey_maps(events.sample(frac=1.0, random_state=0), labels)  # row order: none


def test_moment_shares_and_leading_mixes(hand_made):
    moments = hand_made.moments
    assert list(moments.loc[0].index) == ["ZMOT", "FMOT", "SMOT", "UMOT"]
    assert moments.loc[0, "share"].tolist() == [0.25, 0.25, 0.25, 0.25]
    assert moments.loc[1, "share"].tolist() == pytest.approx([2 / 3, 0, 1 / 3, 0])
    assert moments.loc[BASE, "share"].tolist() == pytest.approx([3 / 7, 1 / 7, 2 / 7, 1 / 7])
    assert moments.loc[(0, "ZMOT"), "base_share"] == pytest.approx(3 / 7)
    assert moments.loc[(0, "SMOT"), "channels"] == "store (100%)"
    assert moments.loc[(1, "ZMOT"), "event_types"] == "search (100%)"
    assert moments.loc[(BASE, "ZMOT"), "devices"] == "desktop (67%), mobile (33%)"


def test_flows_and_steps_follow_each_customers_time_order(hand_made):
    flows = hand_made.flows["share"]
    assert flows.loc[(0, "ZMOT", "FMOT")] == pytest.approx(1 / 3)
    assert flows.loc[(0, "SMOT", "UMOT")] == pytest.approx(1 / 3)
    assert flows.loc[(1, "SMOT", "ZMOT")] == pytest.approx(1 / 2)  # research after purchase
    steps = hand_made.steps
    assert steps.loc[0].tolist() == [1.0, 0.0, 0.0, 0.0]  # forward, stay, back, jump
    assert steps.loc[1].tolist() == [0.0, 0.5, 0.5, 0.0]
    assert steps.loc[BASE].tolist() == pytest.approx([3 / 5, 1 / 5, 1 / 5, 0.0])


def test_activity_by_daypart_and_weekend(hand_made):
    web = hand_made.activity.loc[(1, "web")]
    assert web[["night", "morning", "afternoon", "evening"]].tolist() == pytest.approx(
        [1 / 3, 0, 0, 2 / 3]
    )
    assert web["weekend"] == pytest.approx(2 / 3)
    assert hand_made.activity.loc[(0, "store"), "afternoon"] == 0.25


def test_channel_and_device_are_chosen_together_from_pairs_that_occur(hand_made):
    pairs = hand_made.pairs
    assert pairs.loc[(1, "web", "desktop")].tolist() == pytest.approx([1.0, 3 / 7, 7 / 3])
    assert hand_made.hint(1) == ("web", "desktop")
    # three pairs with one lift (1.75): the one with most touchpoints
    assert hand_made.hint(0) == ("web", "mobile")
    assert (0, "web", "desktop") not in pairs.index or pairs.loc[
        (0, "web", "desktop"), "share"
    ] == 0
    assert hand_made.hint(7) is None


def test_a_row_moment_wins_over_the_taxonomy():
    events = pd.DataFrame({
        "customer_id": [1, 1], "channel": ["web", "web"], "event_type": ["search", "login"],
        "timestamp": pd.to_datetime(["2026-03-02 10:00", "2026-03-02 11:00"]),
        "moment": ["UMOT", None],
    })  # fmt: skip
    maps = journey_maps(events, pd.Series([0], index=pd.Index([1], name="customer_id")))
    assert maps.moments.loc[0, "share"].tolist() == [0.0, 0.0, 0.0, 0.5]  # login: unknown


def test_a_fitted_model_keeps_maps_under_public_ids_with_hints_that_occur(persona_model, customers):
    maps = persona_model.journey_maps_
    ids = set(persona_model.persona_ids_.tolist())
    assert set(maps.moments.index.get_level_values("persona_id")) == ids | {BASE}
    used = set(zip(customers.events["channel"], customers.events["device"], strict=True))
    for persona, row in persona_model.personas_.iterrows():
        assert (row["channel"], row["device"]) in used
        assert maps.hint(persona) == (row["channel"], row["device"])
        shares = maps.moments.loc[persona, "share"]
        assert np.isclose(shares.sum(), 1.0, atol=0.05)  # a few event types have no moment
