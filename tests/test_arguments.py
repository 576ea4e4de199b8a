"""persona._arguments: each command's arguments, their defaults and what they refuse."""

import argparse

import pytest

from persona._arguments import _positive_float, _positive_int, parser

COMMANDS = ("demo", "init", "fit", "report", "validate", "score", "drift", "serve")


def _parser():
    return parser("9.9", {name: (lambda args, n=name: n) for name in COMMANDS})


def test_every_command_runs_its_own_function():
    cli = _parser()
    given = {
        "demo": [], "init": ["--events", "e.csv"], "fit": ["--out", "o"], "report": ["m"],
        "validate": [], "score": ["m", "--out", "o"], "drift": ["o"],
        "serve": ["--assigner", "a"],
    }  # fmt: skip
    for name in COMMANDS:
        args = cli.parse_args([name, *given[name]])
        assert args.command == name and args.run(args) == name


def test_the_defaults_a_nightly_job_and_a_service_rely_on():
    cli = _parser()
    score = cli.parse_args(["score", "model", "--out", "scores"])
    assert (score.chunk_customers, score.n_jobs, score.resume, score.fail_on_drift) == (
        250_000, 1, False, False,
    )  # fmt: skip
    serve = cli.parse_args(["serve", "--assigner", "a"])
    assert (serve.host, serve.port, serve.workers, serve.max_body_bytes) == (
        "127.0.0.1", 8000, 1, 8 * 1024 * 1024,
    )  # fmt: skip
    assert serve.body_timeout == 30.0 and serve.graceful_timeout == 10.0


def test_required_arguments_and_positive_numbers_are_enforced(capsys):
    cli = _parser()
    with pytest.raises(SystemExit):
        cli.parse_args(["score", "model"])  # --out is required
    assert "the following arguments are required: --out" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.parse_args(["serve", "--assigner", "a", "--workers", "0"])
    assert "expected a positive whole number, got 0" in capsys.readouterr().err


def test_positive_numbers():
    assert _positive_int("3") == 3 and _positive_float("0.5") == 0.5
    for bad in ("0", "-1"):
        with pytest.raises(argparse.ArgumentTypeError, match=f"whole number, got {bad}"):
            _positive_int(bad)
    for bad in ("0", "inf", "nan", "soon"):
        with pytest.raises(argparse.ArgumentTypeError, match=f"number of seconds, got {bad}"):
            _positive_float(bad)
    with pytest.raises(ValueError):
        _positive_int("three")  # argparse turns it into "invalid _positive_int value"


def test_the_version_is_the_one_given(capsys):
    with pytest.raises(SystemExit):
        _parser().parse_args(["--version"])
    assert capsys.readouterr().out == "persona 9.9\n"
