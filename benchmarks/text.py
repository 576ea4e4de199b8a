"""How well, and how fast, persona reads how customers feel from what they write.

    python benchmarks/text.py [--ref 57f5047] [--repeat 5] [--million 1000000] [--calls 3000]
                              [--parts accuracy length million assign]

Four measurements, one process, the contenders side by side in the same run:

1. **Accuracy**, per language, on the labelled comments in ``datasets/comments``: the
   development set (``en.csv``, ``it.csv``: the scorer's rules and word lists were written
   against it) and the held-out set (``heldout-en.csv``, ``heldout-it.csv``: written by
   another writer and first scored after the rules were frozen). For each of persona's
   scorer, persona's scorer at ``--ref`` (the one before, valence only) and VADER alone
   (``vaderSentiment``, valence only): valence-class accuracy, sign accuracy on the
   non-neutral comments, dominant-emotion macro-F1 over the labels of the set, and
   comments per second (median of ``--repeat`` passes over the set).
2. **Length**: one English and one Italian text of 1, 10 and 100 KB; time per character.
3. **A million comments**: ``--million`` short comments (the sets' texts, each made
   distinct), languages detected, scored in one batch, as a nightly job's table would be.
4. **assign_persona** from a raw record: 50 touchpoints, a survey and two numeric emotion
   readings, alone and with three comments more that are new at every call (so no cache
   helps); p50 and p99 over ``--calls`` calls, ``--repeat`` runs, the two records
   alternating.

Valence classes: a valence above 0.2 is positive, below -0.2 negative, neutral between
(the same band for every scorer). The dominant emotion is the highest emotion score when it
reaches 0.25, else "none" (``persona.features.text.dominant_emotion``). The result tables are
committed in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from persona.features.text import LexiconScorer, comment_scores, dominant_emotion

ROOT = Path(__file__).resolve().parent.parent
COMMENTS = ROOT / "datasets" / "comments"
SETS = {
    "development": {"en": "en.csv", "it": "it.csv"},
    "held-out": {"en": "heldout-en.csv", "it": "heldout-it.csv"},
}
NEUTRAL_BAND = 0.2
ENGLISH = "The delivery was late but the product is great, and support answered in a minute. "
ITALIAN = "La consegna è arrivata in ritardo ma il prodotto è ottimo e il servizio cortese. "


class Vader:
    """VADER alone: its compound score as the valence, no emotions."""

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.analyzer = SentimentIntensityAnalyzer()

    def score(self, texts, languages=None) -> pd.DataFrame:
        return pd.DataFrame({"valence": [self.analyzer.polarity_scores(t)["compound"]
                                         for t in texts]})  # fmt: skip


def _text_module_at(ref: str, folder: Path):
    """persona's text module as committed at ``ref``, imported from a copy of its tree."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "persona"],
                             check=True, capture_output=True).stdout  # fmt: skip
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    path = folder / "persona" / "features" / "text.py"
    spec = importlib.util.spec_from_file_location(f"persona_text_{ref}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _metrics(scores: pd.DataFrame, labels: pd.DataFrame) -> dict:
    valence = scores["valence"].to_numpy(dtype=float)
    predicted = np.where(valence > NEUTRAL_BAND, "positive",
                         np.where(valence < -NEUTRAL_BAND, "negative", "neutral"))  # fmt: skip
    truth = labels["valence_class"].to_numpy()
    polar = truth != "neutral"
    sign = np.sign(valence[polar]) == np.where(truth[polar] == "positive", 1, -1)
    out = {"class": float(np.mean(predicted == truth)), "sign": float(np.mean(sign))}
    if "joy" in scores:
        emotion = dominant_emotion(scores)
        out["f1"] = float(f1_score(labels["emotion"], emotion, average="macro",
                                   labels=sorted(labels["emotion"].unique())))  # fmt: skip
    return out


def _rate(scorer, texts: list[str], language: str, repeat: int) -> float:
    runs = []
    for r in range(repeat):
        distinct = [f"{t} #{r}" for t in texts]  # no cache of whole texts helps a pass
        start = time.perf_counter()
        scorer.score(distinct, [language] * len(distinct))
        runs.append(time.perf_counter() - start)
    return len(texts) / statistics.median(runs)


def accuracy(scorers: dict, repeat: int) -> None:
    print("\n| set | language | scorer | n | valence class | sign | emotion macro-F1 | "
          "comments/s |\n|---|---|---|---:|---:|---:|---:|---:|")  # fmt: skip
    for name, files in SETS.items():
        for language, file in files.items():
            if not (COMMENTS / file).exists():
                print(f"| {name} | {language} | (no {file}) | | | | | |")
                continue
            labels = pd.read_csv(COMMENTS / file)
            texts = labels["text"].tolist()
            for scorer_name, scorer in scorers.items():
                scores = scorer.score(texts, [language] * len(texts))
                m = _metrics(scores, labels)
                f1 = f"{m['f1']:.3f}" if "f1" in m else "-"
                rate = _rate(scorer, texts, language, repeat)
                print(f"| {name} | {language} | {scorer_name} | {len(texts)} | "
                      f"{m['class']:.3f} | {m['sign']:.3f} | {f1} | {rate:,.0f} |")  # fmt: skip


def _seconds(function, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def length(readers: dict, repeat: int) -> None:
    """Each scorer's one-text function, so a batch's fixed cost does not hide the slope."""
    print("\n| characters | scorer | English ms | Italian ms | us per character |"
          "\n|---:|---|---:|---:|---:|")  # fmt: skip
    for n in (1_000, 10_000, 100_000):
        english = (ENGLISH * (n // len(ENGLISH) + 1))[:n]
        italian = (ITALIAN * (n // len(ITALIAN) + 1))[:n]
        for name, read in readers.items():
            if name == "VADER alone" and n > 10_000:
                print(f"| {n:,} | {name} | skipped (quadratic: minutes) | | |")
                continue
            en = _seconds(lambda r=read, t=english: r(t, "en"), repeat)
            it = _seconds(lambda r=read, t=italian: r(t, "it"), repeat)
            print(f"| {n:,} | {name} | {en * 1e3:,.1f} | {it * 1e3:,.1f} | "
                  f"{max(en, it) / n * 1e6:.2f} |")  # fmt: skip


def million(n: int) -> None:
    texts = pd.concat([pd.read_csv(COMMENTS / f)["text"] for f in SETS["development"].values()])
    rng = np.random.default_rng(0)
    chosen = rng.choice(texts.to_numpy(dtype=object), n)
    batch = [f"{t} #{i}" for i, t in enumerate(chosen)]  # every comment distinct
    start = time.perf_counter()
    scores = LexiconScorer().score(batch)  # languages detected, one by one
    seconds = time.perf_counter() - start
    share = scores["language"].value_counts(normalize=True).round(3).to_dict()
    print(f"\n{n:,} comments, languages detected ({share}): {seconds:.1f} s, "
          f"{n / seconds:,.0f} comments/s")  # fmt: skip


def assign_latency(calls: int, repeats: int) -> None:
    import persona
    from persona.datasets import make_customers

    data = make_customers(n_customers=3_000, random_state=0)
    model = persona.PersonaModel(instrument=data.instrument, random_state=0).fit(data)
    with tempfile.TemporaryDirectory() as folder:
        assigner = persona.load_assigner(model.export_assigner(Path(folder) / "assigner"))
    customer = data.survey["customer_id"].iloc[0]
    events = data.events[data.events["customer_id"] == customer].drop(columns="customer_id")
    events = pd.concat([events] * (50 // len(events) + 1)).head(50)
    events = events.assign(timestamp=events["timestamp"].astype(str)).to_dict("records")
    events = [{k: v for k, v in e.items() if v == v} for e in events]
    survey = data.survey[data.survey["customer_id"] == customer].drop(columns="customer_id")
    survey = {k: float(v) for k, v in survey.iloc[0].items() if v == v}
    comments = pd.concat([pd.read_csv(COMMENTS / f)["text"]
                          for f in SETS["development"].values()]).tolist()  # fmt: skip
    stamp = str(data.events["timestamp"].max())

    def record(i: int, texts: int) -> dict:
        written = [{"timestamp": stamp, "text": f"{comments[(3 * i + k) % len(comments)]} #{i}"}
                   for k in range(texts)]  # fmt: skip
        numbers = [
            {"timestamp": stamp, "valence": 0.4, "arousal": 0.5},
            {"timestamp": stamp, "valence": -0.1, "arousal": 0.3, "anger": 0.2},
        ]
        return {"customer_id": 1, "events": events, "survey": survey,
                "emotions": written + numbers, "observation_end": stamp}  # fmt: skip

    kinds = {"two numeric readings": 0, "the same and three new comments": 3}
    runs: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    for texts in kinds.values():  # the first call loads the lexicons
        persona.assign_persona(record(-1, texts), assigner)
    for _ in range(repeats):  # the two records alternate, so a busy spell slows both
        for kind, texts in kinds.items():
            times = []
            for i in range(calls):
                r = record(i, texts)
                start = time.perf_counter()
                persona.assign_persona(r, assigner)
                times.append(time.perf_counter() - start)
            ms = np.array(times) * 1e3
            runs[kind].append((np.percentile(ms, 50), np.percentile(ms, 99)))
    print(f"\nassign_persona from a raw record (50 touchpoints, a survey, emotion readings), "
          f"{calls:,} calls per run, {repeats} runs:\n\n| readings | median p50 ms | "
          "median p99 ms | p99 of each run ms |\n|---|---:|---:|---|")  # fmt: skip
    for kind, values in runs.items():
        p50 = statistics.median(v[0] for v in values)
        p99 = statistics.median(v[1] for v in values)
        every = " / ".join(f"{v[1]:.2f}" for v in values)
        print(f"| {kind} | {p50:.3f} | {p99:.3f} | {every} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="57f5047", help="the persona to compare with")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=3_000)
    parser.add_argument("--parts", nargs="+", default=["accuracy", "length", "million", "assign"],
                        choices=["accuracy", "length", "million", "assign"])  # fmt: skip
    args = parser.parse_args()
    print(f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
          f"{platform.machine()}, median of {args.repeat}")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        before = _text_module_at(args.ref, Path(folder))
        vader = Vader()
        scorers = {"persona": LexiconScorer(), f"persona at {args.ref}": before.LexiconScorer(),
                   "VADER alone": vader}  # fmt: skip
        for scorer in scorers.values():  # load every lexicon before timing
            scorer.score(["ok", "ok"], ["en", "it"])
        if "accuracy" in args.parts:
            accuracy(scorers, args.repeat)
        if "length" in args.parts:
            readers = {
                "persona": comment_scores,
                f"persona at {args.ref}": before.lexicon_valence,
                "VADER alone": lambda text, _: vader.analyzer.polarity_scores(text),
            }
            length(readers, args.repeat)
    if "million" in args.parts:
        million(args.million)
    if "assign" in args.parts:
        assign_latency(args.calls, args.repeat)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
