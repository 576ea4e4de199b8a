"""persona.scoring._folder: the output folder of a scoring job -- resume after kill -9, one job
at a time, a chunk recorded only whole, out= apart from the inputs -- and its manifest, parts
and locks."""

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers_scoring import N_SUBSET, manifest_in, part_hashes

import persona
from persona import score_files
from persona.errors import ArtifactError
from persona.scoring._folder import (
    _finished,
    _holder,
    _job_lock,
    _open_job,
    _read_manifest,
    _write_manifest,
    _write_part,
)

KILLED_JOB = """
import sys, time
import persona.scoring._files as batch
slow = batch._score_chunk
def score_chunk(*args, **kwargs):  # slow enough to be killed half way
    time.sleep(0.3)
    return slow(*args, **kwargs)
batch._score_chunk = score_chunk
batch.score_files(sys.argv[1], events=sys.argv[2], survey=sys.argv[3], emotions=sys.argv[4],
                  out=sys.argv[5], chunk_customers=100, observation_end=sys.argv[6])
"""


def test_kill_9_then_resume_gives_byte_identical_output(assigner_path, inputs, subset, tmp_path):
    _, end = subset
    args = [str(assigner_path), *(str(inputs[k]) for k in ("events", "survey", "emotions"))]
    script = tmp_path / "job.py"
    script.write_text(textwrap.dedent(KILLED_JOB))
    out = tmp_path / "killed"
    job = subprocess.Popen([sys.executable, str(script), *args, str(out), str(end)])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # kill once a few chunks are done
        if (out / "_manifest.json").exists() and len(manifest_in(out).get("chunks", {})) >= 3:
            break
        time.sleep(0.02)
    os.kill(job.pid, signal.SIGKILL)
    job.wait()
    finished = len(manifest_in(out)["chunks"])
    assert 3 <= finished < 12, "the job was not killed half way"
    with pytest.raises(ValueError, match="unfinished \\(interrupted\\?\\): pass resume=True"):
        score_files(assigner_path, **inputs, out=out, chunk_customers=100, observation_end=end)

    resumed = score_files(assigner_path, **inputs, out=out, chunk_customers=100,
                          observation_end=end, resume=True)  # fmt: skip
    clean = tmp_path / "clean"
    manifest = manifest_in(out)
    score_files(assigner_path, **inputs, out=clean, chunk_customers=100, observation_end=end,
                scored_at=manifest["plan"]["scored_at"])  # fmt: skip
    assert resumed.resumed_chunks == finished and resumed.scored == N_SUBSET
    assert part_hashes(out) == part_hashes(clean)
    assert not (out / "_work").exists()

    # rerunning the finished job is a no-op
    before = {p: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")}
    again = score_files(assigner_path, **inputs, out=out, chunk_customers=100, observation_end=end)
    assert again.scored == N_SUBSET
    assert {p: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")} == before


HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from persona.scoring._folder import _job_lock
with _job_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


def test_one_job_at_a_time_per_folder_and_a_dead_holder_does_not_block(persona_model, inputs,
                                                                        tmp_path):  # fmt: skip
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "hold.py"
    script.write_text(textwrap.dedent(HOLD_THE_LOCK))
    holder = subprocess.Popen([sys.executable, str(script), str(out)], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ValueError, match=rf"Another scoring job \(pid {holder.pid} on .+, "
                           r"started .+\) is writing to .+: wait for it to finish"):  # fmt: skip
            score_files(persona_model, **inputs, out=out, resume=True)
    finally:
        holder.send_signal(signal.SIGKILL)  # dies holding the lock: the kernel lets it go
        holder.wait()
        holder.stdout.close()
    assert not (out / "_manifest.json").exists()  # the refused job wrote nothing

    # workers of an ended job, still on a chunk, hold the folder too
    worker = os.open(out / "_workers.lock", os.O_RDWR)
    fcntl.flock(worker, fcntl.LOCK_SH)
    try:
        with pytest.raises(ValueError, match="Worker processes of an earlier scoring job"):
            score_files(persona_model, **inputs, out=out)
    finally:
        os.close(worker)

    # the lock is held while the job runs, and the lock files survive overwrite
    held = []
    score_chunk = persona.scoring._files._score_chunk

    def probe(*args, **kwargs):
        other = os.open(out / "_job.lock", os.O_RDWR)
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held.append(True)
        finally:
            os.close(other)
        return score_chunk(*args, **kwargs)

    persona.scoring._files._score_chunk = probe
    try:
        summary = score_files(persona_model, **inputs, out=out, chunk_customers=600)
        again = score_files(persona_model, **inputs, out=out, chunk_customers=400, overwrite=True)
    finally:
        persona.scoring._files._score_chunk = score_chunk
    assert summary.scored == again.scored == N_SUBSET and held == [True] * 5
    assert json.loads((out / "_job.lock").read_text())["pid"] == os.getpid()


class _Stop(Exception):
    pass


def _interrupted(persona_model, inputs, out, after, **settings):
    """Run a job that stops once ``after`` chunks are scored, as a crash would."""
    score_chunk = persona.scoring._files._score_chunk

    def stop(scorer, reference, work, folder, k, *args, **kwargs):
        if k >= after:
            raise _Stop
        return score_chunk(scorer, reference, work, folder, k, *args, **kwargs)

    persona.scoring._files._score_chunk = stop
    try:
        with pytest.raises(_Stop):
            score_files(persona_model, **inputs, out=out, **settings)
    finally:
        persona.scoring._files._score_chunk = score_chunk


def test_a_chunk_without_its_customers_is_never_finished(persona_model, inputs, tmp_path):
    settings = {"chunk_customers": 100, "scored_at": "2026-11-23T02:00:00Z"}
    score_files(persona_model, **inputs, out=tmp_path / "clean", **settings)

    # a spill file removed after a crash is made again from the inputs, not scored empty
    out = tmp_path / "out"
    _interrupted(persona_model, inputs, out, after=2, **settings)
    shutil.rmtree(out / "_work" / "chunk-00005")
    resumed = score_files(persona_model, **inputs, out=out, resume=True, **settings)
    assert resumed.scored == N_SUBSET and resumed.resumed_chunks == 2
    assert part_hashes(out) == part_hashes(tmp_path / "clean")

    # a chunk recorded without its customers (what the empty spill gave) is scored again
    out = tmp_path / "recorded"
    _interrupted(persona_model, inputs, out, after=3, **settings)
    manifest = manifest_in(out)
    empty = pq.read_table(out / "part-00001.parquet").slice(0, 0)
    pq.write_table(empty, out / "part-00001.parquet")
    manifest["chunks"]["1"] |= {"scored": 0, "rejected": 0,
                                "sha256": part_hashes(out)["part-00001.parquet"]}  # fmt: skip
    (out / "_manifest.json").write_text(json.dumps(manifest))
    resumed = score_files(persona_model, **inputs, out=out, resume=True, **settings)
    assert resumed.scored == N_SUBSET and resumed.resumed_chunks == 2
    assert part_hashes(out) == part_hashes(tmp_path / "clean")

    # a spill file gone while the job runs: the chunk is refused, named, and not recorded
    out = tmp_path / "gone"
    partition = persona.scoring._files._partition

    def lose_one(*args):
        spills = partition(*args)
        (args[2] / "chunk-00003" / "events.arrow").unlink()
        return spills

    persona.scoring._files._partition = lose_one
    try:
        with pytest.raises(ValueError, match=r"chunk 3: the spill file .*chunk-00003.events\.arrow"
                           r" cannot be read .* run the job again with resume=True"):  # fmt: skip
            score_files(persona_model, **inputs, out=out, **settings)
    finally:
        persona.scoring._files._partition = partition
    assert "3" not in manifest_in(out)["chunks"]
    resumed = score_files(persona_model, **inputs, out=out, resume=True, **settings)
    assert resumed.scored == N_SUBSET
    assert part_hashes(out) == part_hashes(tmp_path / "clean")


def test_out_is_never_the_inputs_folder_nor_other_files(persona_model, inputs, assigner_path,
                                                       tmp_path):  # fmt: skip
    folder = tmp_path / "d"
    folder.mkdir()
    events = folder / "events.parquet"
    shutil.copy(inputs["events"], events)
    for out in (folder, tmp_path):  # the input's folder, or one above it
        with pytest.raises(ValueError, match=r"holds the job's events input '.*events\.parquet'"
                           r": the scores would mix with the inputs, and overwrite would "
                           r"delete them\. Write the scores to a folder of their own"):  # fmt: skip
            score_files(persona_model, events=events, out=out, overwrite=True)
    assert events.exists()
    parts = tmp_path / "events"  # a Parquet folder: not it, nor a folder inside it
    parts.mkdir()
    shutil.copy(inputs["events"], parts / "a.parquet")
    with pytest.raises(ValueError, match="holds the job's events input"):
        score_files(persona_model, events=parts, out=parts, overwrite=True)
    with pytest.raises(ValueError, match=r"is inside the job's events input .*: its part files "
                       "would be read as part of that input"):  # fmt: skip
        score_files(persona_model, events=parts, out=parts / "scores")
    model = shutil.copytree(assigner_path, tmp_path / "models" / "assigner")
    with pytest.raises(ValueError, match="holds the job's model"):
        score_files(model, events=events, out=model.parent, overwrite=True)
    assert (parts / "a.parquet").exists() and (model / "manifest.json").exists()

    other = tmp_path / "other"  # a manifest, but not a scoring job's
    other.mkdir()
    (other / "_manifest.json").write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(ValueError, match="holds no scoring job .*even with overwrite=True"):
        score_files(persona_model, events=events, out=other, overwrite=True)
    assert (other / "_manifest.json").exists()

    # out an existing file: named, not a FileExistsError
    plain = tmp_path / "scores.parquet"
    plain.write_bytes(b"not a folder")
    with pytest.raises(ValueError, match=r"out='.*scores\.parquet' is a file, not a folder"):
        score_files(persona_model, events=events, out=plain)
    with pytest.raises(ValueError, match="the output folder cannot be made"):
        score_files(persona_model, events=events, out=plain / "scores")


def test_a_folder_starts_a_job_goes_on_with_resume_and_is_emptied_only_by_overwrite(tmp_path):
    fresh = {"format": "persona-scores", "format_version": 1, "job": "night-1"}
    assert _open_job(tmp_path, "night-1", resume=False, overwrite=False) == fresh
    started = fresh | {"plan": {"customers": 3}}
    _write_manifest(tmp_path, started)
    assert _read_manifest(tmp_path) == started
    with pytest.raises(ArtifactError, match=r"holds this job, unfinished \(interrupted\?\): "
                       r"pass resume=True \(--resume\) to finish it"):  # fmt: skip
        _open_job(tmp_path, "night-1", resume=False, overwrite=False)
    assert _open_job(tmp_path, "night-1", resume=True, overwrite=False) == started
    finished = started | {"summary": {"scored": 3}}
    _write_manifest(tmp_path, finished)
    assert _open_job(tmp_path, "night-1", resume=False, overwrite=False) == finished
    with pytest.raises(ArtifactError, match="holds the output of another scoring job"):
        _open_job(tmp_path, "night-2", resume=True, overwrite=False)

    with _job_lock(tmp_path):  # the lock files, which overwrite keeps
        (tmp_path / "part-00000.parquet").write_bytes(b"scores")
        (tmp_path / "_work" / "chunk-00000").mkdir(parents=True)
        opened = _open_job(tmp_path, "night-2", resume=False, overwrite=True)
    assert opened == fresh | {"job": "night-2"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_job.lock", "_workers.lock"]


def test_a_manifest_changed_by_another_program_is_named(tmp_path):
    (tmp_path / "_manifest.json").write_text('{"format": "persona-scores", "job": ')
    with pytest.raises(ArtifactError, match=r"_manifest\.json is damaged \(.+\): persona writes "
                       "it whole or not at all, so another program changed it"):  # fmt: skip
        _read_manifest(tmp_path)
    (tmp_path / "_manifest.json").write_text("[]")  # JSON, but no job's
    with pytest.raises(ArtifactError, match="is not empty and holds no scoring job"):
        _open_job(tmp_path, "night-1", resume=True, overwrite=True)


def test_a_part_is_finished_only_whole_and_accounting_for_its_customers(tmp_path):
    scores = pa.table({"customer_id": [1, 3], "persona_id": [0, -1]})
    reason = "events.value: 1 of this customer's rows are infinite."
    rejects = pd.DataFrame({"customer_id": [2], "table": ["events"], "column": [None],
                            "reason": [reason]})  # fmt: skip
    entry = _write_part(tmp_path, 3, scores, rejects)
    assert entry == {
        "file": "part-00003.parquet",
        "rejects": "_rejects/part-00003.parquet",
        "sha256": hashlib.sha256((tmp_path / "part-00003.parquet").read_bytes()).hexdigest(),
    }
    assert pq.read_table(tmp_path / entry["file"]).equals(scores)
    back = pq.read_table(tmp_path / entry["rejects"]).to_pandas()
    columns = ["customer_id", "table", "reason"]
    assert back[columns].to_numpy().tolist() == rejects[columns].to_numpy().tolist()
    assert back["column"].isna().all()
    recorded = entry | {"scored": 2, "rejected": 1}
    assert _finished(tmp_path, recorded, 3)
    assert not _finished(tmp_path, recorded, 4)  # the plan gave it another customer
    assert not _finished(tmp_path, None, 3)  # never recorded

    clean = _write_part(tmp_path, 4, scores, rejects.iloc[:0])  # no rejects, no rejects file
    assert clean["rejects"] is None and not (tmp_path / "_rejects" / "part-00004.parquet").exists()
    (tmp_path / entry["rejects"]).unlink()
    assert not _finished(tmp_path, recorded, 3)
    with (tmp_path / clean["file"]).open("ab") as stream:
        stream.write(b"\0")
    assert not _finished(tmp_path, clean | {"scored": 2, "rejected": 0}, 2)


def test_the_lock_file_names_its_holder_and_is_let_go(tmp_path):
    with _job_lock(tmp_path):
        holder = json.loads((tmp_path / "_job.lock").read_text())
        assert (holder["pid"], holder["host"]) == (os.getpid(), socket.gethostname())
        with pytest.raises(ArtifactError, match=rf"Another scoring job \(pid {os.getpid()} on "):
            with _job_lock(tmp_path):
                pass
    with _job_lock(tmp_path):  # let go at the end of the job
        pass
    fd = os.open(tmp_path / "just-made.lock", os.O_RDWR | os.O_CREAT)
    try:  # a holder that has not written its name yet
        assert _holder(fd) == "pid not recorded yet: it has just started"
    finally:
        os.close(fd)
