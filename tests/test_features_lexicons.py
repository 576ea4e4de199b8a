"""The lexicons: a written word is found as the reader meets it."""

from persona.features._lexicons import entry_of, lexicon


def test_an_italian_adjective_is_found_in_every_gender_number_and_the_superlative():
    italian = lexicon("it")
    deluso = italian.words["deluso"]
    for form in ("delusa", "delusi", "deluse", "delusissima"):
        assert italian.look_up(form)[1] == deluso


def test_apostrophes_stretching_and_capitals_are_read():
    english = lexicon("en")
    assert english.look_up("don't")[0::3] == ("dont", "negation")
    word, _, stretched, cue, _ = english.look_up("sooo")
    assert (word, stretched, cue) == ("so", True, "boost")
    assert english.look_up("GREAT")[4] is True  # shouted
    assert english.look_up("a")[4] is False  # one letter is no shouting


def test_surprise_is_steady_under_a_negation_and_other_feelings_are_not():
    assert entry_of("surprise:1", 0.5).steady
    assert not entry_of("anger:1", -2.0).steady
    assert entry_of("-", 1.0).emotions == ()


def test_a_lexicon_is_built_once_per_process():
    assert lexicon("en") is lexicon("en")
