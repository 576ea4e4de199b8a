"""The reader's rules on single comments, read straight from the lexicon."""

import numpy as np
import pytest

from persona.features._lexicons import EMOTION_INDEX, lexicon
from persona.features._reading import UNITS, comment_units, read_comment


def _valence(text, language="en"):
    return read_comment(text, lexicon(language))[0]


def test_a_negation_flips_a_sentiment_to_less_of_its_opposite():
    assert _valence("good") > 0 > _valence("not good") > -_valence("good")


def test_never_before_a_bad_word_is_a_promise_kept():
    scores = read_comment("they never let me down", lexicon("en"))
    assert scores[0] > 0
    assert scores[2 + EMOTION_INDEX["trust"]] > 0


def test_what_follows_but_weighs_more_than_what_came_before():
    assert (
        _valence("great staff but awful delivery") < 0 < _valence("awful delivery but great staff")
    )


def test_a_plain_question_says_less_than_a_statement():
    assert 0 < _valence("is it good?") < _valence("it is good.")


@pytest.mark.parametrize("text", ["xD :) ok!!", "non è per niente buono...", "l’ordine\nè qui"])
def test_units_are_what_the_regular_expression_finds(text):
    assert comment_units(text) == UNITS.findall(text)


def test_finding_units_by_spaces_equals_the_regular_expression():
    rng = np.random.default_rng(0)
    alphabet = list("ab xXdD:;()!?.,'’\t8-<3àè_1") + ["😀", "❤", "\u0301", "\n", "..."]
    texts = ["".join(rng.choice(alphabet, rng.integers(0, 30))) for _ in range(20_000)]
    texts += ["xD xd XDD xDgood :) :-( <3 (:", "non è per niente buono!!! ma...", "l’ordine"]
    assert [comment_units(t) for t in texts] == [UNITS.findall(t) for t in texts]
