"""What customers say: a few comments per persona, chosen by how typical they are.

Comments are customer data. :class:`persona.PersonaModel` keeps the chosen few
in memory only (never in a saved model), and the report shows them only when
asked (``model.report(path, comments=True)``).

A comment is typical of a persona when its reading (valence and arousal, as
:class:`~persona.features.LexiconScorer` reads it) lies near the median reading
of all the persona's comments. At most ``sample`` comments are read, drawn with
``random_state`` from the table in a fixed order, so the cost is bounded and the
choice does not depend on row order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from persona.features.text import comment_scores

__all__ = ["representative_comments"]

_LONGEST = 240  # characters: a quote, not a letter


def representative_comments(
    emotions: pd.DataFrame,
    labels: pd.Series,
    *,
    per_persona: int = 3,
    sample: int = 20_000,
    random_state: int = 0,
) -> pd.DataFrame:
    """The most typical comments of each persona.

    Parameters
    ----------
    emotions : DataFrame
        A validated emotions table; its ``text`` column holds the comments
        (``language`` is used where given).
    labels : Series
        Persona id by ``customer_id``; others are left out.
    per_persona : int, default 3
    sample : int, default 20,000
        Comments read at most.
    random_state : int, default 0

    Returns
    -------
    DataFrame
        ``persona_id``, ``text``, ``valence``, ``arousal`` and ``distance``
        (from the persona's median reading), most typical first; empty
        without comments.

    Examples
    --------
    >>> from persona.datasets import make_customers
    >>> from persona.profiling._voices import representative_comments
    >>> data = make_customers(n_customers=800, random_state=0)
    >>> quotes = representative_comments(data.emotions, data.truth)
    >>> int(quotes.groupby("persona_id").size().max())
    3
    """
    columns = ["persona_id", "text", "valence", "arousal", "distance"]
    if "text" not in emotions.columns:
        return pd.DataFrame(columns=columns)
    texts = emotions[emotions["text"].notna() & (emotions["text"].astype(str).str.strip() != "")]
    texts = texts.assign(persona_id=texts["customer_id"].map(labels))
    texts = texts[texts["persona_id"].notna() & (texts["text"].str.len() <= _LONGEST)]
    keys = [c for c in ("customer_id", "timestamp", "text") if c in texts.columns]
    texts = texts.sort_values(keys, kind="stable").drop_duplicates("text")
    if len(texts) > sample:
        rng = np.random.default_rng(random_state)
        texts = texts.iloc[np.sort(rng.choice(len(texts), size=sample, replace=False))]
    if texts.empty:
        return pd.DataFrame(columns=columns)
    languages = texts["language"] if "language" in texts.columns else [None] * len(texts)
    readings = np.array([comment_scores(t, lang)[0][:2]
                         for t, lang in zip(texts["text"], languages, strict=True)])  # fmt: skip
    texts = texts.assign(valence=readings[:, 0], arousal=readings[:, 1]).dropna(
        subset=["valence", "arousal"]
    )
    centre = texts.groupby("persona_id")[["valence", "arousal"]].transform("median")
    texts = texts.assign(
        distance=np.hypot(
            texts["valence"] - centre["valence"], texts["arousal"] - centre["arousal"]
        ),
        persona_id=texts["persona_id"].astype("int64"),
    )
    chosen = texts.sort_values(["persona_id", "distance", "text"], kind="stable")
    return chosen.groupby("persona_id").head(per_persona)[columns].reset_index(drop=True)
