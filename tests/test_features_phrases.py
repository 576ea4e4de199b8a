"""The scorer's word lists: every language has all of them, and they name only real emotions."""

from persona.contract import EMOTIONS
from persona.features._lexicons import SUPPORTED_LANGUAGES
from persona.features._phrases import CONCESSION_PAIRS, CUES, EMOJI, PAIRS


def _named(spec):
    return set() if spec == "-" else {part.split(":")[0] for part in spec.split(",")}


def test_every_language_has_every_kind_of_cue():
    kinds = set(CUES["en"])
    for language in SUPPORTED_LANGUAGES:
        assert set(CUES[language]) == kinds
        assert language in PAIRS
        assert language in CONCESSION_PAIRS


def test_phrases_and_emoji_name_only_emotions_of_the_contract():
    specs = [spec for table in PAIRS.values() for spec, _ in table.values()]
    specs += [spec for spec, _ in EMOJI.values()]
    assert set().union(*map(_named, specs)) <= set(EMOTIONS)


def test_a_phrase_is_two_or_three_lower_case_words():
    for table in PAIRS.values():
        for phrase in table:
            assert 2 <= len(phrase) <= 3
            assert all(word == word.lower() and " " not in word for word in phrase)
