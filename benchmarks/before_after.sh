#!/usr/bin/env bash
# The assign and batch benchmarks on two revisions, alternated, in one run.
#
#     bash benchmarks/before_after.sh <before-revision> [pairs]
#
# The revision before is checked out in a worktree and installed in a venv of its own; the
# working tree runs in the active environment. Each pair runs before, then after, so that both
# see the same load; a noisy machine shows as pairs that disagree. Results go to
# benchmarks/_data/before-after/ (one file a run); read the medians across pairs.
set -euo pipefail
before=${1:?give the revision to compare with, e.g. 266e1d1}
pairs=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$here/benchmarks/_data/before-after
mkdir -p "$work"
if [ ! -d "$work/tree" ]; then
    git -C "$here" worktree add -f "$work/tree" "$before" -q
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q "$work/tree[bench]"
fi
cd "$work"  # never the source tree: each side imports its own installed persona
for i in $(seq "$pairs"); do
    for side in before after; do
        if [ "$side" = before ]; then py=$work/venv/bin/python; bench=$work/tree/benchmarks
        else py=python; bench=$here/benchmarks; fi
        "$py" "$bench/assign.py" --customers 20000 --calls 3000 > "assign-$side-$i.md"
        "$py" "$bench/batch.py" --sizes 250000 --umap-sizes --model-customers 20000 \
            --repeat 3 > "batch-$side-$i.md"
    done
done
grep -H "persona, " assign-*.md
grep -H "score_files" batch-*.md
