"""Text scoring: the default lexicon scorer gets the sign right, in English and Italian,
and any object with a ``score`` method can take its place."""

import sys

import numpy as np
import pandas as pd
import pytest

from persona.datasets._archetypes import TEXTS
from persona.features import text
from persona.features.text import (
    EmotionScorer,
    LexiconScorer,
    detect_language,
    score_texts,
)

POSITIVE = [
    ("I love this, the delivery was fast and the staff were wonderful.", "en"),
    ("Great prices and a really friendly team, thank you!", "en"),
    ("The app is easy to use and checkout was quick.", "en"),
    ("Adoro questo negozio, il personale è gentilissimo.", "it"),
    ("Ottimo servizio, consegna veloce e prezzi convenienti.", "it"),
    ("Sono molto soddisfatta, tornerò sicuramente!", "it"),
]
NEGATIVE = [
    ("Terrible service, the parcel arrived broken and nobody answered.", "en"),
    ("The order was late and the support was unhelpful.", "en"),
    ("Very disappointed, the product is faulty.", "en"),
    ("Servizio pessimo, il pacco è arrivato rotto.", "it"),
    ("Consegna in ritardo e personale scortese.", "it"),
    ("Prodotto difettoso, sono molto deluso.", "it"),
]


@pytest.mark.parametrize(("sentence", "language"), POSITIVE)
def test_clearly_positive_sentences_score_positive(sentence, language):
    scores = LexiconScorer().score([sentence])
    assert scores["language"].tolist() == [language]  # detected
    assert scores["valence"].iloc[0] > 0.3


@pytest.mark.parametrize(("sentence", "language"), NEGATIVE)
def test_clearly_negative_sentences_score_negative(sentence, language):
    scores = LexiconScorer().score([sentence])
    assert scores["language"].tolist() == [language]
    assert scores["valence"].iloc[0] < -0.3


@pytest.mark.parametrize(
    ("plain", "negated"),
    [("good", "not good"), ("bad", "not bad"), ("buono", "non è buono"), ("male", "non è male")],
)
def test_negation_flips_the_sign(plain, negated):
    plain_score, negated_score = LexiconScorer().score([plain, negated])["valence"]
    assert plain_score != 0
    assert np.sign(negated_score) == -np.sign(plain_score)


def test_italian_negation_halves_and_flips_as_in_pattern():
    # buono: the mean of its three parts of speech in the lexicon (RB 0.25, UH 0.5,
    # JJ 0.5) = 1.25 / 3; "non è buono" = -0.5 x that.
    scores = LexiconScorer().score(["buono", "non è buono", "molto buono"], ["it"] * 3)
    assert scores["valence"].tolist() == pytest.approx([1.25 / 3, -1.25 / 6, 2.5 / 3])


def test_italian_word_forms_missing_from_the_lexicon_are_found_by_their_ending():
    scores = LexiconScorer().score(
        ["gentilissimo", "gentili", "rotti", "adoro", "Il pacco è arrivato."], ["it"] * 5
    )
    # gentile 0.5 and rotto -0.6 (a persona addition); adorare 0.8; no sentiment word: 0
    assert scores["valence"].tolist() == pytest.approx([0.5, 0.5, -0.6, 0.8, 0.0])


@pytest.mark.parametrize("tone", ["positive", "negative", "neutral"])
def test_the_synthetic_generator_texts_score_with_their_tone(tone):
    valence = LexiconScorer().score(TEXTS[tone])["valence"]
    if tone == "positive":
        assert (valence > 0.3).all()
    elif tone == "negative":
        assert (valence < -0.3).all()
    else:
        assert (valence.abs() < 0.05).all()


def test_the_default_scorer_is_deterministic_and_scores_each_text_on_its_own():
    sentences = [s for s, _ in POSITIVE + NEGATIVE]
    first = LexiconScorer().score(sentences)
    again = LexiconScorer().score(sentences)
    one_by_one = pd.concat([LexiconScorer().score([s]) for s in sentences], ignore_index=True)
    reversed_order = LexiconScorer().score(sentences[::-1]).iloc[::-1].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first, one_by_one)
    pd.testing.assert_frame_equal(first, reversed_order)


def test_given_languages_win_over_detection_and_unknown_ones_give_nan():
    scores = LexiconScorer().score(
        ["Adoro questo negozio", "Great!", "Très bien", "", "Servizio pessimo"],
        ["it_IT", "en-GB", "fr", None, None],
    )
    assert scores["language"].tolist() == ["it", "en", "fr", None, "it"]
    assert scores["valence"].iloc[0] > 0 and scores["valence"].iloc[1] > 0
    assert np.isnan(scores["valence"].iloc[2])  # French: the scorer cannot say
    assert np.isnan(scores["valence"].iloc[3])  # nothing written
    assert scores["valence"].iloc[4] < 0


def test_languages_must_match_the_texts():
    with pytest.raises(ValueError, match="Got 1 languages for 2 texts"):
        LexiconScorer().score(["a", "b"], ["en"])


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Servizio pessimo, il pacco è arrivato rotto.", "it"),
        ("Esperienza terribile, prodotto difettoso.", "it"),  # no stop word: vowel endings
        ("The parcel arrived broken.", "en"),
        ("Great price", "en"),
        ("", "en"),  # a tie goes to English
    ],
)
def test_detect_language(sentence, language):
    assert detect_language(sentence) == language


class Lengths:
    """A tiny scorer: longer texts are happier, and arousal is always 0.5."""

    def __init__(self):
        self.calls = []

    def score(self, texts, languages=None):
        self.calls.append((list(texts), languages))
        return pd.DataFrame(
            {"valence": [min(len(t) / 10, 1.0) for t in texts], "arousal": 0.5, "note": "x"}
        )


def test_a_custom_scorer_can_be_plugged_in():
    scorer = Lengths()
    assert isinstance(scorer, EmotionScorer)
    scores = score_texts(["abcde", "abcdefghijklmnop"], ["en", "it"], scorer=scorer)
    assert scorer.calls == [(["abcde", "abcdefghijklmnop"], ["en", "it"])]
    # Only score columns come back, as float64.
    assert scores.to_dict("list") == {"valence": [0.5, 1.0], "arousal": [0.5, 0.5]}
    assert (scores.dtypes == "float64").all()


class Broken:
    def __init__(self, frame):
        self.frame = frame

    def score(self, texts, languages=None):
        return self.frame


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"valence": [0.1]}), "returned 1 rows for 2 texts"),
        (pd.DataFrame({"arousal": [0.1, 0.2]}), r"returned the columns \['arousal'\].*'valence'"),
        (pd.DataFrame({"valence": [0.1, 1.5]}), r"returned valence \[1.5\].*\[-1, 1\]"),
        (
            pd.DataFrame({"valence": [0.1, 0.2], "joy": [0.5, -0.1]}),
            r"returned joy \[-0.1\].*\[0, 1\]",
        ),
        ([0.1, 0.2], "returned list"),
    ],
)
def test_a_scorer_that_breaks_the_contract_is_named(frame, message):
    with pytest.raises(ValueError, match=f"The scorer Broken {message}"):
        score_texts(["a", "b"], scorer=Broken(frame))


def test_an_object_without_score_is_no_scorer():
    with pytest.raises(TypeError, match="expected an object with a method score"):
        score_texts(["a"], scorer=lambda texts: texts)


@pytest.fixture
def fresh_lexicons():
    """Forget the loaded lexicons, before and after, so imports are tried again."""
    text._english.cache_clear()
    text._italian.cache_clear()
    yield
    text._english.cache_clear()
    text._italian.cache_clear()


def test_italian_needs_no_pattern_package(monkeypatch, fresh_lexicons):
    # The lexicon ships inside persona: scoring Italian never imports Pattern.
    monkeypatch.setitem(sys.modules, "pattern", None)
    assert LexiconScorer().score(["Ottimo"], ["it"])["valence"].iloc[0] > 0
