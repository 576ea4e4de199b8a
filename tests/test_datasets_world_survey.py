"""A world's survey: the instrument the spec asks for, and answers on its scale."""

import numpy as np

from persona.datasets import WorldSpec
from persona.datasets._world_survey import draw_instrument, draw_survey


def test_the_instrument_has_the_counts_keys_and_names_of_the_spec():
    spec = WorldSpec(
        "s", shuffle_items=True, reverse_share=0.5, items_per_dimension=(2, 3, 4, 5, 6, 3)
    )
    instrument, layout = draw_instrument(spec, np.random.default_rng(0))
    assert [len(instrument.items_of(d)) for d in instrument.dimensions] == [2, 3, 4, 5, 6, 3]
    assert instrument.item_names[:3] == ("q01", "q02", "q03")
    for dimension in instrument.dimensions:  # every dimension keeps an item keyed forward
        assert set(instrument.items_of(dimension)) - set(instrument.reverse_keyed)
    assert list(layout.names) == list(instrument.item_names)


def test_answers_are_whole_steps_of_the_scale_from_the_share_who_responded():
    spec = WorldSpec("s", scale=(0, 10), survey_coverage=0.5)
    rng = np.random.default_rng(1)
    instrument, layout = draw_instrument(spec, rng)
    needs = rng.normal(size=(200, spec.n_dimensions))
    survey = draw_survey(spec, layout, needs, np.ones(200), np.arange(200), rng)
    assert len(survey) == 100
    answers = survey[list(instrument.item_names)].to_numpy()
    given = answers[~np.isnan(answers)]
    assert given.min() >= 0 and given.max() <= 10 and (given == np.round(given)).all()
