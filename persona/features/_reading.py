"""The lexicon scorer's rules: one comment read word by word into its scores.

:func:`read_comment` walks a comment once, unit by unit (words, emoji, emoticons,
"!" runs and clause ends, found by :func:`comment_units`), and applies VADER's rules
as :class:`~persona.features.text.LexiconScorer` documents them: negations,
hedges, intensifiers, capitals, stretched words, contrasts, concessions and
questions. :class:`_Reading` keeps the evidence by clause and turns it into
valence, arousal and the eight emotions. It touches only a language's
lexicon (:mod:`persona.features._lexicons`); which words mean what is data there
and in :mod:`persona.features._phrases`.
"""

from __future__ import annotations

import math
import re

from persona.contract import EMOTIONS
from persona.features._lexicons import EMOTION_INDEX, Entry, Language, entries_of, entry_of
from persona.features._phrases import EMOJI

__all__ = ["UNITS", "comment_units", "read_comment"]


# One pass of one regular expression finds every unit a comment is read in: emoticons,
# words (an apostrophe inside a word is kept: "don't", "l'ordine"), emoji, "!" runs and
# clause ends. Everything else (digits, spaces, other symbols) is skipped.
UNITS = re.compile(
    r"(?P<emoticon>(?<![^\s(])(?:[:;=8][-'^o]?[()\[\]DPp/\\|*3O]+|<3+|[xX][Dd]+)(?![^\s.,!?)]))"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*['’]?)"
    r"|(?P<emoji>[\U0001F000-\U0001FAFF\u2600-\u27BF\u2300-\u23FF\u2B00-\u2BFF\u203C\u2049])"
    r"|(?P<stop>[.;?!\n]*[.;?\n][.;?!\n]*)"
    r"|(?P<bang>!+)"
    r"|(?P<comma>,)"
)
_NEGATION_REACH = 3  # words after a negation that it still reaches
_NEGATED = -0.6  # "not good" is mildly bad, "not bad" mildly good (VADER: -0.74)
_BOOST = 0.3  # what an intensifier adds to the size of the next sentiment (VADER: 0.293)
_CAPS = 0.7  # what SHOUTING a sentiment word adds to its size (VADER: 0.733)
_STRETCH = 0.4  # what an elongated word ("sooo", "bellissimooo") adds
_BEFORE, _AFTER = 0.5, 1.5  # weights of what comes before and after "but" / "ma"
_QUESTION = 1 / 3  # what a plain question's sentiment counts for
_BANG = 0.3  # what each "!" adds to the size of the valence, up to three (VADER: 0.292)
_ALPHA = 15.0  # VADER's normalisation: valence = s / sqrt(s^2 + 15)
# How calm (0) or excited (1) each emotion reads, for arousal (after Russell's circumplex:
# anger, fear and surprise high; sadness and trust low).
_EMOTION_AROUSAL = (0.75, 0.35, 0.8, 0.85, 0.25, 0.6, 0.9, 0.65)
_GOOD = frozenset({EMOTION_INDEX["joy"], EMOTION_INDEX["trust"]})
_SADNESS, _SURPRISE = EMOTION_INDEX["sadness"], EMOTION_INDEX["surprise"]
_TRUST = EMOTION_INDEX["trust"]


_EMOJI_ENTRIES = entries_of(EMOJI)
# What "??" or "?!" adds to its clause: frustration, as in "Where is my order??".
_FRUSTRATED = entry_of("anger:0.6", -1.2)
# ... unless the clause praised or marvelled: "here by lunch?!", "così poco??".
_AMAZED = entry_of("surprise:0.6", 0.0)
_VARIATION = str.maketrans("", "", "\ufe0f\u200d")  # emoji variation selectors and joiners


def read_comment(text: str, lexicon: Language) -> tuple[float, ...]:
    """Valence, arousal and the eight emotions of one comment, read in ``lexicon``."""
    text = text.translate(_VARIATION)
    # In a comment written all in capitals, capitals are no emphasis (VADER's rule).
    all_caps = text == text.upper() and text != text.lower()
    reading = _Reading()
    negation = hedge = 0  # words a negation / a hedge still reaches
    boost = 0.0
    previous = earlier = negator = ""  # the two words before, the last negation
    memo, pairs = lexicon.memo, lexicon.pairs
    for emoticon, unit, emoji, stop, bang, comma in comment_units(text):
        if unit:  # a word
            known = memo.get(unit) or lexicon.look_up(unit)
            word, entry, stretched, cue, shouted = known
            pair = pairs.get((previous, word)) or pairs.get((earlier, previous, word))
            negated_pair = pair is not None and (
                previous in lexicon.negation or earlier in lexicon.negation
            )
            if word in lexicon.concession or (previous, word) in lexicon.concession_pairs:
                reading.conceding = True  # "although", "anche se": what follows weighs less
            earlier, previous = previous, word
            if pair is not None:
                entry = pair
            elif cue is not None:
                negation, hedge, boost, negator = _steer(
                    cue, word, reading, negation, hedge, boost, negator
                )
                if cue != "contrast" or entry is None:
                    continue  # a contrast word that is also a sentiment word is read on
            if entry is None:
                if (negation or hedge) and len(word) > 2:  # "a", "il", "mi" use up none
                    negation, hedge = max(negation - 1, 0), max(hedge - 1, 0)
                continue
            size = 1.0 + boost
            if shouted and not all_caps:
                size += _CAPS
            if stretched:
                size += _STRETCH
            emotions = entry.emotions
            if (negation or hedge) and not (negated_pair or entry.steady):
                reliable = bool(negation) and negator in lexicon.reliable
                size, emotions = _negated(entry, size, negation, reliable)
            reading.add(entry.valence * size, emotions, size)
            negation, hedge, boost = 0, 0, 0.0
        elif emoji or emoticon:
            entry = _EMOJI_ENTRIES.get((emoji or emoticon).lower())
            if entry is not None:
                reading.add(entry.valence, entry.emotions, 1.0)
        elif bang:
            reading.bangs += len(bang)
            negation = hedge = 0
        elif comma:
            reading.conceding = False
        else:  # the end of a clause: a negation reaches no further
            reading.end_clause(stop)
            negation = hedge = 0
            boost = 0.0
            previous = earlier = ""
    return reading.scores(all_caps)


def _steer(
    cue: str, word: str, reading: _Reading, negation: int, hedge: int, boost: float, negator: str
) -> tuple[int, int, float, str]:
    """What a cue word does to the words after it: (negation, hedge, boost, negator)."""
    if cue == "negation":
        return _NEGATION_REACH, 0, 0.0, word
    if cue == "contrast":
        reading.contrast()
        return 0, 0, boost, negator
    if cue == "hedge":
        return negation, _NEGATION_REACH, boost, negator
    return negation, hedge, boost + (_BOOST if cue == "boost" else -_BOOST), negator


def _negated(
    entry: Entry, size: float, negation: int, reliable: bool
) -> tuple[float, tuple[tuple[int, float], ...]]:
    """A sentiment word under a negation or a hedge: its size and emotions.

    "not good" is mildly bad; "not happy" is no joy but a let-down, and "not
    worried" no fear ("never again", "no problem": the pair's own).
    """
    if reliable and entry.valence < 0:
        return -size, ((_TRUST, -1.0),)  # "never let me down", "mai un problema": a promise kept
    size *= _NEGATED if negation else 0.5 * _NEGATED
    let_down = -0.6 * sum(w for j, w in entry.emotions if j in _GOOD)
    return size, (((_SADNESS, let_down),) if let_down else ())


def comment_units(text: str) -> list[tuple[str, str, str, str, str, str]]:
    """``UNITS.findall(text)``, faster: no unit spans a space, so a text is split at
    spaces and a token of letters only (most of them) is one word without the regular
    expression. A line break ends a clause, so a text with one is read whole."""
    if "\n" in text:
        return UNITS.findall(text)
    units = []
    for token in text.split():
        if token.isalpha() and not (token[0] in "xX" and not token[1:].strip("dD")):
            units.append(("", token, "", "", "", ""))
        else:
            units += UNITS.findall(token)
    return units


class _Reading:
    """What a comment said so far: sentiment and emotion evidence, by clause.

    A clause asked as a plain question ("Is the store open on Sunday?") says
    a third of what it would say as a statement; one that ends in "??" or
    "?!" is a frustrated one, and reads as a complaint (or, after praise or
    surprise, as amazement). What came before the last "but" / "ma" weighs a
    third of what follows, and what a concession says ("although ...", "anche
    se ...", up to a comma) a third of the rest. Plain Python floats: a comment holds a few
    sentiment words, and numpy's per-call cost would be most of the time.
    """

    def __init__(self) -> None:
        n = len(EMOTIONS)
        self.before, self.before_emotions = 0.0, [0.0] * n  # before the last contrast
        self.after, self.after_emotions = 0.0, [0.0] * n
        self.clause, self.clause_emotions = 0.0, [0.0] * n
        self.bangs = 0
        # What a concession says ("although the wait was long", "anche se costa"), up to
        # the next comma or clause end: the main clause decides, as after a contrast.
        self.conceding = False
        self.conceded, self.conceded_emotions = 0.0, [0.0] * n

    def add(self, valence: float, emotions: tuple, size: float) -> None:
        if self.conceding:
            self.conceded += valence
            for j, w in emotions:
                self.conceded_emotions[j] += w * size
            return
        self.clause += valence
        for j, w in emotions:
            self.clause_emotions[j] += w * size

    def end_clause(self, stop: str = ".") -> None:
        self.conceding = False
        asks = stop.count("?")
        self.bangs += stop.count("!")
        weight = 1.0
        if asks >= 2 or (asks and "!" in stop):
            amazed = self.clause > 0 or self.clause_emotions[_SURPRISE] > 0
            extra = _AMAZED if amazed else _FRUSTRATED
            self.add(extra.valence, extra.emotions, 1.0)
        elif asks:
            weight = _QUESTION
        self.after += weight * self.clause
        after = self.after_emotions
        for j, w in enumerate(self.clause_emotions):
            if w:
                after[j] += weight * w
        self.clause, self.clause_emotions = 0.0, [0.0] * len(EMOTIONS)

    def contrast(self) -> None:
        self.end_clause()
        self.before += self.after
        self.before_emotions = [
            a + b for a, b in zip(self.before_emotions, self.after_emotions, strict=True)
        ]
        self.after, self.after_emotions = 0.0, [0.0] * len(EMOTIONS)

    def scores(self, all_caps: bool) -> tuple[float, ...]:
        self.end_clause()
        contrasted = bool(self.before or any(self.before_emotions))
        first, then = (_BEFORE, _AFTER) if contrasted else (1.0, 1.0)
        total = first * self.before + then * self.after
        pairs = zip(self.before_emotions, self.after_emotions, strict=True)
        evidence = [first * b + then * a for b, a in pairs]
        if self.conceded or any(self.conceded_emotions):
            total = _AFTER * total + _BEFORE * self.conceded
            pairs = zip(evidence, self.conceded_emotions, strict=True)
            evidence = [_AFTER * e + _BEFORE * c for e, c in pairs]
        bangs = min(self.bangs, 3)
        if total:
            total += math.copysign(_BANG * bangs, total)
        valence = total / math.sqrt(total * total + _ALPHA)
        emotions = [1.0 - math.exp(-x) if x > 0 else 0.0 for x in evidence]
        strength = math.fsum(emotions)
        # Arousal: the mean arousal of the emotions read, pulled up by strong feeling, "!"
        # and shouting; a comment without feeling is calm-to-neutral (0.3).
        if strength > 0:
            tone = (
                math.fsum(e * a for e, a in zip(emotions, _EMOTION_AROUSAL, strict=True)) / strength
            )
        else:
            tone = 0.3
        lift = 0.15 * abs(valence) + 0.05 * bangs + (0.1 if all_caps else 0.0)
        arousal = min(max(0.75 * tone + 0.25 * min(strength, 1.0) * tone + lift, 0.0), 1.0)
        return (valence, arousal, *emotions)
