"""Text scoring: turn what customers write into emotion scores, offline.

An emotion reading may come as text ("The delivery was late again.") instead
of numbers. A *scorer* turns texts into the scores of the ``emotions``
contract, so scored text flows through the same features as numeric readings.
Scorers are pluggable: anything with a ``score(texts, languages)`` method that
returns one row of scores per text is an :class:`EmotionScorer`.

The default, :class:`LexiconScorer`, reads English and Italian comments word
by word (no network, no model weights) and gives valence, arousal and the
eight emotions; :func:`comment_scores` is its one-text form, which the
one-record path (``persona.features.record``) calls, so both paths give the
same numbers. Its lexicons (VADER's for English, Pattern's for Italian,
persona's own emotion word lists: ``persona/features/lexicons``) are loaded
once per process, when a text in their language is first read.

This module is the scorers' door: the protocol, the check of what a scorer
returns, language detection and the default scorer. How a comment is read is
in :mod:`persona.features._reading`, its words in
:mod:`persona.features._lexicons` and :mod:`persona.features._phrases`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from persona.contract._schema import EMOTIONS, SCORE_RANGES
from persona.errors import ConfigError
from persona.features._lexicons import SUPPORTED_LANGUAGES
from persona.features._lexicons import lexicon as _lexicon
from persona.features._reading import read_comment

__all__ = [
    "SUPPORTED_LANGUAGES",
    "EmotionScorer",
    "LexiconScorer",
    "detect_language",
    "score_texts",
]

_EMOTION_FLOOR = 0.25  # an emotion score below this is no dominant emotion


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
    number of rows, no ``valence``, a score out of range) raises
    :class:`~persona.errors.ConfigError` (a ValueError) naming the scorer.

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
            raise ConfigError(
                f"Got {len(languages)} languages for {len(texts)} texts, but expected one "
                "language per text (None where unknown)."
            )
    if scorer is None:
        scorer = LexiconScorer()
    elif not isinstance(scorer, EmotionScorer):
        raise ConfigError(
            f"Got scorer={scorer!r}, but expected an object with a method "
            "score(texts, languages=None) returning a DataFrame (see EmotionScorer)."
        )
    scores = scorer.score(texts, languages)
    return _checked_scores(scores, len(texts), type(scorer).__name__)


def _checked_scores(scores: Any, n_texts: int, name: str) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        raise ConfigError(
            f"The scorer {name} returned {type(scores).__name__}, but a scorer must return a "
            "pandas DataFrame with one row per text."
        )
    if len(scores) != n_texts:
        raise ConfigError(
            f"The scorer {name} returned {len(scores)} rows for {n_texts} texts, but a scorer "
            "must return one row per text, in the order given."
        )
    if "valence" not in scores.columns:
        raise ConfigError(
            f"The scorer {name} returned the columns {list(scores.columns)[:10]}, but a scorer "
            "must return at least 'valence' (in [-1, 1], NaN where it cannot say)."
        )
    checked = {}
    for column, (low, high) in SCORE_RANGES.items():
        if column not in scores.columns:
            continue
        values = pd.to_numeric(scores[column], errors="coerce").to_numpy(dtype="float64")
        outside = ~np.isnan(values) & ((values < low) | (values > high))
        if outside.any():
            first = values[outside][:3].tolist()
            raise ConfigError(
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
    """Guess whether ``text`` is English or Italian, offline, by a vote of its words.

    A frequent function word of one language and not the other ("the",
    "was"; "il", "è", "che", "non") is two votes; a word that only one
    language's sentiment lexicon holds ("terrible"; "terribile") is one. The
    language with more votes wins. On a tie (often: no such word), a text
    whose words mostly (more than 3 in 4) end in a vowel, as Italian words
    do, is Italian, and any other English. Deterministic and crude by
    design: pass ``languages`` to a scorer (or a ``language`` column in
    ``emotions``) when the language is known.

    Examples
    --------
    >>> detect_language("Servizio pessimo, il pacco è arrivato rotto.")
    'it'
    >>> detect_language("The parcel arrived broken.")
    'en'
    >>> detect_language("Esperienza terribile, prodotto difettoso.")
    'it'
    >>> detect_language("TERRIBLE service")
    'en'
    """
    tokens = _tokens(text)
    votes = _language_votes()
    english = italian = 0
    for token in tokens:
        vote = votes.get(token)
        if vote is not None:
            english += vote[0]
            italian += vote[1]
    if english != italian:
        return "it" if italian > english else "en"
    vowel_ends = sum(t[-1] in _VOWELS for t in tokens)
    return "it" if tokens and vowel_ends > 0.75 * len(tokens) else "en"


@lru_cache(maxsize=1)
def _language_votes() -> dict[str, tuple[int, int]]:
    """Each word that votes in :func:`detect_language`, with its (English, Italian) votes."""
    english, italian = _lexicon("en").words, _lexicon("it").words
    votes = {}
    for token in english.keys() ^ italian.keys():
        votes[token] = (1, 0) if token in english else (0, 1)
    en_stops, it_stops = _STOP_WORDS["en"], _STOP_WORDS["it"]
    for token in en_stops | it_stops:
        en, it = votes.get(token, (0, 0))
        votes[token] = (en + 2 * (token in en_stops), it + 2 * (token in it_stops))
    return votes


def _tokens(text: str) -> list[str]:
    """Lower-case words; apostrophes and punctuation split ("l'ordine" -> l, ordine)."""
    return _TOKEN.findall(text.lower())


def _language_code(language: Any) -> str | None:
    """'en-GB' -> 'en'; None for a missing or blank language (then it is detected)."""
    if not isinstance(language, str) or not language.strip():
        return None
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


# --------------------------------------------------------------------------- scoring

# One comment's scores: valence, arousal and the eight emotions, in the emotions
# contract's order.
_SCORE_NAMES = ("valence", "arousal", *EMOTIONS)


def comment_scores(text: Any, language: str | None = None) -> tuple[tuple[float, ...], str | None]:
    """:class:`LexiconScorer`'s scores of one text and the language it was read in.

    The scores are valence, arousal and the eight emotions, in that order; all
    NaN for an empty text or one in a language other than English or Italian.
    Linear in the text's length: one pass finds the words, one pass reads them.
    """
    code = _language_code(language)
    if not isinstance(text, str) or not text.strip():
        return _MISSING, code
    code = code or detect_language(text)
    if code not in SUPPORTED_LANGUAGES:
        return _MISSING, code
    return read_comment(text, _lexicon(code)), code


_MISSING = (math.nan,) * len(_SCORE_NAMES)


def dominant_emotion(scores: pd.DataFrame) -> pd.Series:
    """The emotion with the highest score of each row, or ``"none"`` where no emotion
    reaches 0.25 (a comment of plain facts)."""
    values = scores[list(EMOTIONS)].to_numpy(dtype=np.float64)
    values = np.where(np.isnan(values), 0.0, values)
    best = values.argmax(axis=1)
    names = np.array(EMOTIONS, dtype=object)[best]
    return pd.Series(
        np.where(values.max(axis=1, initial=0.0) >= _EMOTION_FLOOR, names, "none"),
        index=scores.index,
        name="emotion",
    )


# --------------------------------------------------------------------------- default scorer


class LexiconScorer:
    """Valence, arousal and the eight emotions of short comments, in English and Italian.

    Offline and rule-based: each text is read once, word by word, in its
    language (the one given in ``languages``, else :func:`detect_language`),
    against lexicons whose licences allow redistribution:

    - **valence** from VADER's lexicon (Hutto and Gilbert, 2014; MIT) for
      English and Pattern's adjective lexicon (De Smedt and Daelemans, 2012;
      BSD) for Italian, with persona's own customer-service words on top;
    - **emotions** from persona's own word lists (``lexicons/emotions-en.tsv``,
      ``emotions-it.tsv``; how they were made: ``lexicons/README.md``), with
      emoji and emoticons read alike in both languages;
    - **arousal** from the emotions read (anger, fear and surprise are
      excited, sadness and trust calm), how strong the feeling is, "!" and
      shouting.

    The rules, after VADER's: a negation (not, never, n't, non, mai, per
    niente, mica, ...) flips the sentiment of the next three words to 0.6
    of its opposite ("not good" is mildly bad) and turns joy or trust into a
    let-down (sadness), but "never" and "mai" before a bad word make a
    promise kept ("never let me down", "mai un problema": good, and trust);
    "hardly" and "poco" flip it by half; a plain question says a third, and
    "??" or "?!" reads as frustration (or, after praise, amazement); intensifiers
    (very, so, molto, davvero, troppo) and diminishers (a bit, slightly, un
    po', abbastanza) scale the next sentiment word; after "but", "however",
    "ma", "però", what follows weighs three times what came before, and what
    "although", "even though", "anche se", "sebbene" open (up to a comma)
    weighs a third of the main clause; a word in
    capitals in a comment that is not all capitals, and a stretched word
    ("sooo", "bellissimooo"), count more; "!" adds to the valence's size. A
    few pairs and triples are read as one ("never again", "can't wait", "non
    vedo l'ora", "mai più", "fa schifo", "presa in giro"). Italian adjectives
    and participles are matched in every gender and number and in the
    superlative (deluso, delusa, delusi, soddisfattissima), and accents may
    be missing (perche, pero).

    Scores per text: ``valence`` in [-1, 1] (VADER's normalisation of the
    summed sentiment), ``arousal`` and the eight emotions (``1 - exp(-evidence)``)
    in [0, 1], and the ``language`` read in. A text in another language, or an
    empty one, gets NaN. Linear in a text's length; see
    ``benchmarks/text.py`` for accuracy on ``datasets/comments`` and speed.

    Examples
    --------
    >>> scorer = LexiconScorer()
    >>> scores = scorer.score(["Great service, thank you!", "Il pacco è arrivato rotto."])
    >>> scores["language"].tolist(), (scores["valence"] > 0).tolist()
    (['en', 'it'], [True, False])
    >>> dominant_emotion(scorer.score(["sono arrabbiatissima", "non vedo l'ora!"])).tolist()
    ['anger', 'anticipation']
    """

    def score(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> pd.DataFrame:
        texts = list(texts)
        if languages is None:
            languages = [None] * len(texts)
        elif len(languages) != len(texts):
            raise ConfigError(
                f"Got {len(languages)} languages for {len(texts)} texts, but expected one "
                "language per text (None where unknown)."
            )
        scores = np.empty((len(texts), len(_SCORE_NAMES)))
        used: list[str | None] = []
        for i, (text, language) in enumerate(zip(texts, languages, strict=True)):
            scores[i], code = comment_scores(text, language)
            used.append(code)
        frame = pd.DataFrame(scores, columns=list(_SCORE_NAMES))
        frame["language"] = pd.Series(used, dtype=object)
        return frame

    def __repr__(self) -> str:
        return "LexiconScorer()"
