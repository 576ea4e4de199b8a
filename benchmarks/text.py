"""How does scoring one emotion text grow with its length? persona against VADER read whole.

    python benchmarks/text.py [--sizes 1000 10000 100000] [--repeat 5] [--whole-limit 100000]

A customer may paste a long text (or an attacker send one). VADER, persona's English scorer,
reads a text in time quadratic in its length; persona reads a text longer than 1,000
characters in sentence-bounded pieces (`persona.features.text`). Both run here on the same
English and Italian texts, one process, median of the repeats (VADER read whole runs once
above 10,000 characters: it takes minutes). The result table is committed in
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from datetime import UTC, datetime

from persona.features.text import _english, lexicon_valence

ENGLISH = "The delivery was late but the product is great, and support answered in a minute. "
ITALIAN = "La consegna è arrivata in ritardo ma il prodotto è ottimo e il servizio cortese. "


def _text(sentence: str, n: int) -> str:
    return (sentence * (n // len(sentence) + 1))[:n]


def _seconds(function, text: str, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(text)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--whole-limit", type=int, default=100_000,
                        help="skip VADER read whole above this many characters")  # fmt: skip
    args = parser.parse_args()
    print(f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
          f"median of {args.repeat}")  # fmt: skip
    lexicon_valence(ENGLISH), lexicon_valence(ITALIAN)  # load both lexicons before timing
    whole = _english().polarity_scores
    print("| characters | persona, English | persona, Italian | VADER read whole | ratio |")
    print("|---:|---:|---:|---:|---:|")
    base = None
    for n in args.sizes:
        english, italian = _text(ENGLISH, n), _text(ITALIAN, n)
        ours = _seconds(lambda t: lexicon_valence(t, "en"), english, args.repeat)
        theirs_text, ratio = "skipped", ""
        if n <= args.whole_limit:
            theirs = _seconds(whole, english, args.repeat if n <= 10_000 else 1)
            theirs_text, ratio = f"{theirs * 1e3:,.1f} ms", f"{theirs / ours:,.0f}x"
        italian_seconds = _seconds(lambda t: lexicon_valence(t, "it"), italian, args.repeat)
        base = base or (n, ours)
        print(f"| {n:,} | {ours * 1e3:,.1f} ms | {italian_seconds * 1e3:,.1f} ms | "
              f"{theirs_text} | {ratio} |")  # fmt: skip
    n0, t0 = base
    print(f"\npersona, English: {t0 / n0 * 1e6:.2f} us per character at {n0:,} characters")


if __name__ == "__main__":
    main()
