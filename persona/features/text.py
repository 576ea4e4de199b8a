"""Text scoring: turn what customers write into emotion scores, offline.

An emotion reading may come as text ("The delivery was late again.") instead
of numbers. A *scorer* turns texts into the scores of the ``emotions``
contract, so scored text flows through the same features as numeric readings.
Scorers are pluggable: anything with a ``score(texts, languages)`` method that
returns one row of scores per text is an :class:`EmotionScorer`.

The default, :class:`LexiconScorer`, scores valence in English and Italian
from permissively licensed lexicons shipped in PyPI packages (no network, no
model weights): VADER (``vaderSentiment``, MIT) for English and the Italian
adjective lexicon of Pattern (BSD; its XML file ships inside persona, see
``persona/features/lexicons``) for Italian. Each is loaded once, when a text
in its language is first scored.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from persona.schema import EMOTIONS

__all__ = [
    "SUPPORTED_LANGUAGES",
    "EmotionScorer",
    "LexiconScorer",
    "detect_language",
    "score_texts",
]

#: Languages the default :class:`LexiconScorer` can score.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "it")

_SCORE_RANGES = {"valence": (-1.0, 1.0), "arousal": (0.0, 1.0), **{e: (0.0, 1.0) for e in EMOTIONS}}


@runtime_checkable
class EmotionScorer(Protocol):
    """Anything that scores a batch of texts: the interface persona calls.

    ``score(texts, languages=None)`` gets a sequence of texts and, optionally,
    one language code per text (``"en"``, ``"it"``, ...; ``None`` where
    unknown). It returns a DataFrame with one row per text, in the order
    given, and a ``valence`` column in [-1, 1]; it may add ``arousal`` and any
    of the eight emotions (``joy``, ``trust``, ``fear``, ``surprise``,
    ``sadness``, ``disgust``, ``anger``, ``anticipation``), each in [0, 1].
    NaN means the scorer cannot say. Other columns are ignored. persona calls
    it once per batch, with each distinct text once.

    Examples
    --------
    >>> import pandas as pd
    >>> class Exclamations:
    ...     def score(self, texts, languages=None):
    ...         return pd.DataFrame({"valence": [0.5 if t.endswith("!") else 0.0 for t in texts]})
    >>> isinstance(Exclamations(), EmotionScorer)
    True
    >>> score_texts(["Great!", "Ok."], scorer=Exclamations())["valence"].tolist()
    [0.5, 0.0]
    """

    def score(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> pd.DataFrame: ...


def score_texts(
    texts: Sequence[str],
    languages: Sequence[str | None] | None = None,
    *,
    scorer: EmotionScorer | None = None,
) -> pd.DataFrame:
    """Score texts with ``scorer`` (default :class:`LexiconScorer`) and check the result.

    Returns one row per text (a fresh ``RangeIndex``) with the score columns
    the scorer gave among ``valence``, ``arousal`` and the eight emotions, as
    float64. A scorer that breaks the :class:`EmotionScorer` contract (wrong
    number of rows, no ``valence``, a score out of range) raises ValueError
    naming the scorer.

    Examples
    --------
    >>> scores = score_texts(["I love this shop!", "Servizio pessimo."])
    >>> (scores["valence"] > 0).tolist()
    [True, False]
    """
    texts = list(texts)
    if languages is not None:
        languages = list(languages)
        if len(languages) != len(texts):
            raise ValueError(
                f"Got {len(languages)} languages for {len(texts)} texts, but expected one "
                "language per text (None where unknown)."
            )
    if scorer is None:
        scorer = LexiconScorer()
    elif not isinstance(scorer, EmotionScorer):
        raise TypeError(
            f"Got scorer={scorer!r}, but expected an object with a method "
            "score(texts, languages=None) returning a DataFrame (see EmotionScorer)."
        )
    scores = scorer.score(texts, languages)
    return _checked_scores(scores, len(texts), type(scorer).__name__)


def _checked_scores(scores: Any, n_texts: int, name: str) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        raise ValueError(
            f"The scorer {name} returned {type(scores).__name__}, but a scorer must return a "
            "pandas DataFrame with one row per text."
        )
    if len(scores) != n_texts:
        raise ValueError(
            f"The scorer {name} returned {len(scores)} rows for {n_texts} texts, but a scorer "
            "must return one row per text, in the order given."
        )
    if "valence" not in scores.columns:
        raise ValueError(
            f"The scorer {name} returned the columns {list(scores.columns)[:10]}, but a scorer "
            "must return at least 'valence' (in [-1, 1], NaN where it cannot say)."
        )
    checked = {}
    for column, (low, high) in _SCORE_RANGES.items():
        if column not in scores.columns:
            continue
        values = pd.to_numeric(scores[column], errors="coerce").to_numpy(dtype="float64")
        outside = ~np.isnan(values) & ((values < low) | (values > high))
        if outside.any():
            first = values[outside][:3].tolist()
            raise ValueError(
                f"The scorer {name} returned {column} {first}, but expected values in "
                f"[{low:g}, {high:g}] (NaN where it cannot say)."
            )
        checked[column] = values
    return pd.DataFrame(checked)


# --------------------------------------------------------------------------- language

_TOKEN = re.compile(r"[^\W\d_]+")

# Frequent function words of one language and not the other. Words both use
# ("a", "i", "in", "no", "come", "me") are left out so they cannot vote.
_STOP_WORDS = {
    "en": frozenset(
        "the and is was were are it this that my to of with for not very so but have has "
        "had be been at on you they we what after too an our your their from by".split()
    ),
    "it": frozenset(
        "il lo la gli le un una uno di del della dei delle che è e non per con sono ho ha "
        "mi molto questo questa ma al alla nel nella più anche mio mia perché sempre tutto "
        "da dal si ci sei era".split()
    ),
}
_VOWELS = frozenset("aeiouàèéìíòóù")


def detect_language(text: str) -> str:
    """Guess whether ``text`` is English or Italian by a stop-word vote.

    Counts the words of the text that are frequent function words of English
    ("the", "and", "was", ...) and of Italian ("il", "è", "che", "non", ...)
    and returns the language with more. On a tie (often: no such word), a
    text whose words mostly (more than 3 in 4) end in a vowel, as Italian
    words do, is Italian, and any other English. Deterministic and crude by
    design: pass
    ``languages`` to a scorer (or a ``language`` column in ``emotions``) when
    the language is known.

    Examples
    --------
    >>> detect_language("Servizio pessimo, il pacco è arrivato rotto.")
    'it'
    >>> detect_language("The parcel arrived broken.")
    'en'
    >>> detect_language("Esperienza terribile, prodotto difettoso.")
    'it'
    """
    tokens = _tokens(text)
    votes = {language: sum(t in words for t in tokens) for language, words in _STOP_WORDS.items()}
    if votes["it"] != votes["en"]:
        return "it" if votes["it"] > votes["en"] else "en"
    vowel_ends = sum(t[-1] in _VOWELS for t in tokens)
    return "it" if tokens and vowel_ends > 0.75 * len(tokens) else "en"


def _tokens(text: str) -> list[str]:
    """Lower-case words; apostrophes and punctuation split ("l'ordine" -> l, ordine)."""
    return _TOKEN.findall(text.lower())


def _language_code(language: Any) -> str | None:
    """'en-GB' -> 'en'; None for a missing or blank language (then it is detected)."""
    if not isinstance(language, str) or not language.strip():
        return None
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


# --------------------------------------------------------------------------- default scorer


class LexiconScorer:
    """Score valence from lexicons: VADER for English, Pattern's lexicon for Italian.

    Each text is scored on its own (a loop over texts: lexicon scorers have
    no batch arithmetic), in its language: the one given in ``languages``,
    else :func:`detect_language`. The result has a ``valence`` column in
    [-1, 1] and the ``language`` used; a text in another language, or one
    that is empty, gets NaN. Arousal and discrete emotions are not scored.

    - English: VADER's ``compound`` score (Hutto and Gilbert, 2014), which
      handles negation ("not good"), intensifiers ("very"), "but",
      capitals and exclamation marks.
    - Italian: the mean polarity of the sentiment words of the text, from the
      adjective lexicon of Pattern (De Smedt and Daelemans, 2012), with
      Pattern's rules simplified: a negation (non, mai, no, né, nessuno,
      niente, nulla, senza) within the three words before a sentiment word
      turns it into half its opposite ("non buono" = -0.5 x buono); an adverb
      without polarity right before it scales it by its intensity ("molto
      buono" = 2 x buono, capped at 1). A word missing from the lexicon is
      looked up by a few regular Italian endings: superlative
      (gentilissimo -> gentile), gender and number (rotti -> rotto),
      participles and present tense of verbs (adoro -> adorare). A text with
      no sentiment word scores 0.

    Both lexicons are general purpose; a few customer-service words they miss
    are added (never overriding them): in English late, overdue, slow,
    expensive, pricey, overpriced, unanswered, unhelpful, unreliable, fast,
    polite, affordable; in Italian rotto, ritardo, danneggiato, maleducato,
    scomodo, inaffidabile, schifo, cortese, adorare. The two scales are not
    calibrated to each other: compare valence within a language.

    Examples
    --------
    >>> scorer = LexiconScorer()
    >>> scores = scorer.score(["Great service, thank you!", "Il pacco è arrivato rotto."])
    >>> scores["language"].tolist(), (scores["valence"] > 0).tolist()
    (['en', 'it'], [True, False])
    """

    def score(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> pd.DataFrame:
        texts = list(texts)
        if languages is None:
            languages = [None] * len(texts)
        elif len(languages) != len(texts):
            raise ValueError(
                f"Got {len(languages)} languages for {len(texts)} texts, but expected one "
                "language per text (None where unknown)."
            )
        valence = np.full(len(texts), np.nan)
        used: list[str | None] = []
        for i, (text, language) in enumerate(zip(texts, languages, strict=True)):
            valence[i], code = lexicon_valence(text, language)
            used.append(code)
        return pd.DataFrame({"valence": valence, "language": pd.Series(used, dtype=object)})

    def __repr__(self) -> str:
        return "LexiconScorer()"


def lexicon_valence(text: Any, language: str | None = None) -> tuple[float, str | None]:
    """:class:`LexiconScorer`'s valence of one text, and the language it was read in.

    NaN for an empty text or one in another language than English or Italian.
    """
    if not isinstance(text, str) or not text.strip():
        return np.nan, _language_code(language)
    code = _language_code(language) or detect_language(text)
    if code == "en":
        return _english_valence(text), code
    if code == "it":
        return _italian().valence(text), code
    return np.nan, code


# --------------------------------------------------------------------------- English

# Customer-service words VADER's lexicon lacks, on its scale (-4 .. +4, the mean
# of human ratings), rated alongside its neighbours (delay -1.3, helpful 1.8,
# impolite -1.6).
_ENGLISH_SUPPLEMENT = {
    "late": -1.3,
    "overdue": -1.3,
    "slow": -1.0,
    "expensive": -1.0,
    "pricey": -0.8,
    "overpriced": -1.8,
    "unanswered": -1.3,
    "unhelpful": -1.8,
    "unreliable": -1.8,
    "fast": 1.0,
    "polite": 1.6,
    "affordable": 1.3,
}


# VADER reads a text in time quadratic in its length (its "but" rule looks every sentiment up
# by list.index): 10 KB took 1 s and 100 KB 87 s. A longer text is read in pieces of at most
# this many characters, cut at sentence ends, and its valence is the length-weighted mean of
# the pieces' (the average of sentence scores VADER's authors suggest for paragraphs). Texts up
# to this length, nearly every customer comment, score exactly as VADER scores them.
_ENGLISH_PIECE = 1_000
_SENTENCE_END = re.compile(r"(?<=[.!?;\n])\s+")


def _english_valence(text: str) -> float:
    analyzer = _english()
    if len(text) <= _ENGLISH_PIECE:
        return analyzer.polarity_scores(text)["compound"]
    pieces = _pieces(text, _ENGLISH_PIECE)
    scores = [analyzer.polarity_scores(piece)["compound"] for piece in pieces]
    return float(np.average(scores, weights=[len(piece) for piece in pieces]))


def _pieces(text: str, size: int) -> list[str]:
    """``text`` cut into consecutive pieces of at most ``size`` characters, at sentence ends
    where it can, else at a space, else anywhere; in time linear in its length."""
    pieces, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        start = 0
        while len(sentence) - start > size:  # longer than a piece: cut at its last space
            cut = sentence.rfind(" ", start, start + size)
            cut = cut if cut > start else start + size
            pieces.append(sentence[start:cut])
            start = cut + (sentence[cut : cut + 1] == " ")
        sentence = sentence[start:]
        if not sentence:
            continue
        if current and len(current) + 1 + len(sentence) > size:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


@lru_cache(maxsize=1)
def _english():
    """VADER's analyzer, built once per process (it reads its lexicon file)."""
    from vaderSentiment import vaderSentiment as vader  # a core dependency, loaded on use

    with warnings.catch_warnings():
        # vaderSentiment 3.3.2 reads its lexicon with codecs.open, deprecated from
        # Python 3.14 on; the files are UTF-8 text, so nothing is lost.
        warnings.filterwarnings("ignore", message=r"codecs\.open", category=DeprecationWarning)
        analyzer = vader.SentimentIntensityAnalyzer()
    for word, rating in _ENGLISH_SUPPLEMENT.items():
        analyzer.lexicon.setdefault(word, rating)
    return analyzer


# --------------------------------------------------------------------------- Italian

_NEGATIONS = frozenset(
    {"non", "mai", "no", "né", "nessuno", "nessuna", "nessun", "niente", "nulla", "senza"}
)
_MAX_REMEMBERED = 100_000  # word forms whose lookup is remembered
_NEGATION_REACH = 3  # words after a negation that it can still reach

# Customer-service words Pattern's Italian lexicon lacks, on its scale (-1 .. 1),
# rated alongside its neighbours (difettoso -0.25, scortese -0.25, gentile 0.5).
_ITALIAN_SUPPLEMENT = {
    "rotto": (-0.6, "JJ"),
    "ritardo": (-0.5, "NN"),
    "danneggiato": (-0.6, "JJ"),
    "maleducato": (-0.6, "JJ"),
    "scomodo": (-0.5, "JJ"),
    "inaffidabile": (-0.6, "JJ"),
    "schifo": (-0.9, "NN"),
    "cortese": (0.5, "JJ"),
    "adorare": (0.8, "VB"),
}

# Regular endings, tried in order on a word the lexicon lacks: (pattern, replacements,
# part of speech the lexicon entry must have).
_ENDINGS = (
    (re.compile(r"(.{2,})issim[oaie]"), ("{}o", "{}e"), ("JJ", "RB")),  # gentilissimo -> gentile
    (re.compile(r"(.{2,}[cg])h[ie]"), ("{}o",), ("JJ", "NN")),  # stanchi -> stanco
    (re.compile(r"(.{2,})[aie]"), ("{}o", "{}e"), ("JJ", "NN")),  # rotti -> rotto
    (re.compile(r"(.{2,})at[oaie]"), ("{}are",), ("VB", "VBG")),  # amato -> amare
    (re.compile(r"(.{2,})ut[oaie]"), ("{}ere",), ("VB", "VBG")),  # temuto -> temere
    (re.compile(r"(.{2,})it[oaie]"), ("{}ire",), ("VB", "VBG")),  # tradito -> tradire
    (re.compile(r"(.{2,})[oaie]"), ("{}are", "{}ere", "{}ire"), ("VB", "VBG")),  # adoro -> adorare
)


@dataclass(frozen=True)
class _Word:
    polarity: float
    intensity: float
    pos: frozenset[str]


class _ItalianLexicon:
    """Pattern's Italian sentiment lexicon, scored with simplified Pattern rules."""

    def __init__(self, words: dict[str, _Word]) -> None:
        self._words = words
        self._found: dict[str, _Word | None] = {}

    def valence(self, text: str) -> float:
        polarities = []
        negation_reach = 0
        modifier = None
        for token in _tokens(text):
            if token in _NEGATIONS:
                negation_reach, modifier = _NEGATION_REACH, None
                continue
            word = self.lookup(token)
            if word is not None and word.polarity == 0.0 and "RB" in word.pos:
                modifier = word.intensity  # "molto", "davvero": scales the next word
                continue
            if word is None or word.polarity == 0.0:
                negation_reach, modifier = max(negation_reach - 1, 0), None
                continue
            polarity = word.polarity
            if modifier is not None:
                polarity = max(-1.0, min(polarity * modifier, 1.0))
            if negation_reach:
                polarity *= -0.5  # Pattern's rule: "not good" is slightly bad
            polarities.append(polarity)
            negation_reach, modifier = 0, None
        return math.fsum(polarities) / len(polarities) if polarities else 0.0

    def lookup(self, token: str) -> _Word | None:
        if token not in self._found:
            if len(self._found) >= _MAX_REMEMBERED:  # a long-lived service meets endless typos
                self._found.clear()
            self._found[token] = self._words.get(token) or self._by_ending(token)
        return self._found[token]

    def _by_ending(self, token: str) -> _Word | None:
        for pattern, replacements, pos in _ENDINGS:
            match = pattern.fullmatch(token)
            if not match:
                continue
            for replacement in replacements:
                word = self._words.get(replacement.format(*match.groups()))
                if word is not None and word.pos & set(pos):
                    return word
        return None


def _pattern_lexicon_path() -> Path:
    # Pattern's Italian lexicon (BSD) ships inside persona: importing Pattern
    # would build its whole parser and pull in nltk for one XML file.
    return Path(__file__).parent / "lexicons" / "it-sentiment.xml"


@lru_cache(maxsize=1)
def _italian() -> _ItalianLexicon:
    """The lexicon, read once per process; like Pattern, senses and parts of speech
    of a word form are averaged into one polarity and intensity."""
    entries: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for element in ElementTree.parse(_pattern_lexicon_path()).getroot().iter("word"):
        form = (element.get("form") or "").lower()
        if form:
            scores = (float(element.get("polarity", 0.0)), float(element.get("intensity", 1.0)))
            entries.setdefault(form, {}).setdefault(element.get("pos") or "", []).append(scores)
    words = {}
    for form, by_pos in entries.items():
        per_pos = [np.mean(scores, axis=0) for scores in by_pos.values()]
        polarity, intensity = np.mean(per_pos, axis=0)
        words[form] = _Word(float(polarity), float(intensity), frozenset(by_pos))
    for form, (polarity, pos) in _ITALIAN_SUPPLEMENT.items():
        words.setdefault(form, _Word(polarity, 1.0, frozenset({pos})))
    return _ItalianLexicon(words)
