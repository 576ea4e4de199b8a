"""The lexicon scorer's words: what each word of a language says, and how it is found.

A :class:`Language` holds one language's words (valence on VADER's scale and
emotions) with the cue words and phrases of :mod:`persona.features._phrases`,
and looks a written word up as the reader meets it (apostrophes, stretched
letters, missing accents, Italian endings). :func:`lexicon` builds one per
process, when a text in that language is first read, from VADER's English
ratings (the file vaderSentiment ships), Pattern's Italian polarities and
persona's own emotion word lists (``persona/features/lexicons``). It reads
those files and nothing else; the rules of reading are in
:mod:`persona.features._reading`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np

from persona.contract import EMOTIONS
from persona.features._phrases import CONCESSION_PAIRS, CUES, PAIRS

__all__ = ["EMOTION_INDEX", "SUPPORTED_LANGUAGES", "Entry", "Language", "entries_of", "entry_of",
           "lexicon"]  # fmt: skip

#: Languages the default :class:`~persona.features.text.LexiconScorer` can score.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "it")

_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_ACCENTS = str.maketrans("àáèéìíòóùú", "aaeeiioouu")
EMOTION_INDEX = {e: i for i, e in enumerate(EMOTIONS)}


@dataclass(frozen=True)
class Entry:
    """What one word says: its valence (VADER's scale) and its emotions."""

    valence: float
    emotions: tuple[tuple[int, float], ...]  # (index into EMOTIONS, weight), sparse
    steady: bool = False  # not flipped by a negation ("didn't expect", "non vedo l'ora")


@dataclass
class Language:
    """The words of one language and how they steer each other."""

    words: dict[str, Entry]
    negation: frozenset[str]
    hedge: frozenset[str]
    boost: frozenset[str]
    damp: frozenset[str]
    contrast: frozenset[str]
    reliable: frozenset[str]  # a negation that makes a bad word a promise kept: "never"
    concession: frozenset[str]  # "although", "sebbene": the clause they open weighs less
    pairs: dict[tuple[str, ...], Entry]  # two or three words read as one
    concession_pairs: frozenset[tuple[str, str]]  # "even though", "anche se"
    inflects: bool = False  # Italian: look unknown forms up by their regular endings
    # What each written form read as: (word, entry, stretched, cue, shouted). Comments
    # repeat words, so most forms are read once per process; bounded by _MEMO forms.
    memo: dict[str, tuple] = field(default_factory=dict, repr=False)

    def look_up(self, unit: str) -> tuple[str, Entry | None, bool, str | None, bool]:
        """A written word as read: its lexicon form, entry, whether it was stretched,
        the cue it is (negation, contrast, hedge, boost, damp) and whether it is shouted."""
        known = self.memo.get(unit)
        if known is None:
            known = self._look_up(unit)
            if len(unit) <= _MEMO_LENGTH:  # a 100 KB "word" is read, not remembered
                if len(self.memo) >= _MEMO:
                    self.memo.clear()
                self.memo[unit] = known
        return known

    def _look_up(self, unit: str) -> tuple[str, Entry | None, bool, str | None, bool]:
        word = unit.replace("’", "'").lower()
        if "'" in word:  # "don't" -> "dont"; "l'ordine" -> "ordine"; "po'" -> "po"
            head, _, tail = word.rstrip("'").rpartition("'")
            word = head + tail if tail == "t" and head.endswith("n") else (tail or head)
        stretched = _ELONGATED.search(word) is not None
        if stretched:
            word = self.unstretched(word)
        entry = self.words.get(word)
        if entry is None and "'" not in word:
            entry = self.words.get(word.translate(_ACCENTS))
            if entry is None and self.inflects:
                entry = self.inflected(word)
        cue = next((name for name in _CUE_ORDER if word in getattr(self, name)), None)
        return word, entry, stretched, cue, unit.isupper() and len(unit) > 1

    def inflected(self, word: str) -> Entry | None:
        """An Italian form the lexicon lacks, by its regular ending: a superlative
        (buonissima -> buono), a feminine or plural (rotte -> rotto)."""
        stem, last = word[:-1], word[-1:]
        if last not in "oaie" or len(word) < 5:
            return None
        if stem.endswith("issim"):
            stem = stem[:-5]
        return self.words.get(stem + "o") or self.words.get(stem + "e")

    def unstretched(self, word: str) -> str:
        """A stretched word as the lexicon knows it: "sooo" -> "soo", then "so"."""
        twice = _ELONGATED.sub(r"\1\1", word)
        if twice in self.words or any(twice == p[-1] for p in self.pairs):
            return twice
        return _ELONGATED.sub(r"\1", word)


_CUE_ORDER = ("negation", "contrast", "hedge", "boost", "damp")
_MEMO, _MEMO_LENGTH = 1 << 18, 40  # forms remembered per language, of up to 40 characters


def _emotions_of(spec: str) -> tuple[tuple[int, float], ...]:
    """``"anger:1,fear:0.3"`` as ((6, 1.0), (2, 0.3)); ``"-"`` as ()."""
    if spec == "-":
        return ()
    pairs = (part.split(":") for part in spec.split(","))
    return tuple((EMOTION_INDEX[name], float(weight)) for name, weight in pairs)


def _weight(emotions: tuple[tuple[int, float], ...], name: str) -> float:
    return sum(w for j, w in emotions if j == EMOTION_INDEX[name])


def _steady(emotions: tuple[tuple[int, float], ...], valence: float) -> bool:
    """Surprise is not undone by a negation: "didn't expect it", "non ci credevo",
    "did not see that coming"."""
    return _weight(emotions, "surprise") >= 0.5 and abs(valence) <= 1.0


def entry_of(spec: str, valence: float) -> Entry:
    """The entry of an ``"emotion:weight,..."`` spec and a valence."""
    emotions = _emotions_of(spec)
    return Entry(valence, emotions, _steady(emotions, valence))


def entries_of(table: Mapping[Any, tuple[str, float]]) -> dict:
    """A table of ``key: (emotions, valence)`` (phrases, emoji) as entries."""
    return {key: entry_of(spec, valence) for key, (spec, valence) in table.items()}


# --------------------------------------------------------------------------- lexicons

_LEXICONS = Path(__file__).parent / "lexicons"
# Italian endings derived from an entry's masculine singular: (ending, derived endings).
_INFLECTIONS = {"o": ("a", "i", "e"), "e": ("i",)}
_SUPERLATIVE = ("issimo", "issima", "issimi", "issime")
_PATTERN_TO_VADER = 3.0  # Pattern's polarity (-1..1) on VADER's scale ("ottimo" 1.0 ~ "great" 3.1)


def _word_list(name: str) -> list[tuple[str, np.ndarray, float | None]]:
    """persona's own list: (word, emotion weights, valence or None to keep the base lexicon's)."""
    rows = []
    for line in (_LEXICONS / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, emotions, valence = line.split("\t")
        rows.append((word, _emotions_of(emotions), None if valence == "." else float(valence)))
    return rows


def _language(code: str, base: dict[str, float], own: list, *, inflect: bool) -> Language:
    words = {w: Entry(v, ()) for w, v in base.items()}
    for word, emotions, valence in own:
        if valence is None:
            valence = base.get(word, _rating_of(emotions))
        steady = _steady(emotions, valence)
        forms = [word]
        if inflect and word[-1] in _INFLECTIONS and len(word) > 3:
            stem = word[:-1]
            forms += [stem + ending for ending in _INFLECTIONS[word[-1]]]
            forms += [stem.removesuffix("issim") + s for s in _SUPERLATIVE]
            if word.endswith(("co", "go")):  # vigliacco -> vigliacchi, lungo -> lunghe
                forms += [stem + "hi", stem + "he"]
            elif word.endswith("io"):  # vecchio -> vecchi
                forms.append(stem)
        for form in forms:
            if form == word or form not in words or not words[form].emotions:
                words[form] = Entry(valence, emotions, steady)
    for form in list(words):  # "perché" is also written "perche"
        words.setdefault(form.translate(_ACCENTS), words[form])
    cues = {k: frozenset(v.split()) for k, v in CUES[code].items()}
    cues["concession_pairs"] = CONCESSION_PAIRS[code]
    return Language(words=words, pairs=entries_of(PAIRS[code]), inflects=inflect, **cues)


def _rating_of(emotions: tuple[tuple[int, float], ...]) -> float:
    """A valence for an emotion word no lexicon rates: joy and trust good, anger, disgust,
    sadness and fear bad, on VADER's scale (1.8 per unit of weight, at most 2.5)."""
    good = _weight(emotions, "joy") + _weight(emotions, "trust")
    bad = sum(_weight(emotions, e) for e in ("anger", "disgust", "sadness", "fear"))
    return min(max(1.8 * (good - bad), -2.5), 2.5)


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES))
def lexicon(code: str) -> Language:
    """A language's lexicon, built once per process when a text in it is first read."""
    if code == "en":
        return _language("en", _vader_lexicon(), _word_list("emotions-en.tsv"), inflect=False)
    return _language("it", _pattern_lexicon(), _word_list("emotions-it.tsv"), inflect=True)


def _vader_lexicon() -> dict[str, float]:
    """VADER's English word ratings (-4..4), read from the file vaderSentiment ships."""
    import vaderSentiment  # a core dependency: only its data file is read

    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    ratings = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, mean, *_ = line.split("\t")
        ratings[word] = float(mean)
    return ratings


def _pattern_lexicon() -> dict[str, float]:
    """Pattern's Italian polarities on VADER's scale; like Pattern, the senses and parts
    of speech of a word form are averaged into one polarity."""
    entries: dict[str, dict[str, list[float]]] = {}
    path = _LEXICONS / "it-sentiment.xml"  # Pattern's file (BSD), shipped unchanged
    for element in ElementTree.parse(path).getroot().iter("word"):
        form = (element.get("form") or "").lower()
        if form:
            polarity = float(element.get("polarity", 0.0))
            entries.setdefault(form, {}).setdefault(element.get("pos") or "", []).append(polarity)
    return {
        form: _PATTERN_TO_VADER * float(np.mean([np.mean(p) for p in by_pos.values()]))
        for form, by_pos in entries.items()
    }
