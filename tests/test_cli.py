"""The persona command: demo writes and summarises a base; validate reports problems."""

import subprocess
import sys

import pandas as pd
import pytest

import persona
from persona.cli import main


def test_help_and_version(capsys):
    assert main([]) == 0
    assert "demo" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"persona {persona.__version__}"


def test_demo_writes_valid_tables_and_reports_independence(tmp_path, capsys):
    assert main(["demo", "--n-customers", "600", "--out", str(tmp_path), "--seed", "4"]) == 0
    out = capsys.readouterr().out
    assert "a synthetic base of 600 customers (seed 4)" in out
    assert "Bargain hunters" in out and "age band" in out
    assert "Feature matrix: 600 customers x 107 columns" in out  # 21 event types
    assert "psychographic  signal available for 30% of customers" in out
    assert "personas discovered on" in out and "placed for all 600 customers" in out
    assert "agreement with the true personas (adjusted Rand index): respondents" in out
    assert "Demographic audit" in out and "cramers_v" in out
    assert "Who they are:" in out and "Customers who" in out
    assert f"persona report written to {tmp_path / 'report' / 'index.html'}" in out
    assert (tmp_path / "report" / "index.html").is_file()
    assert (tmp_path / "model" / "manifest.json").is_file()
    placed = pd.read_parquet(tmp_path / "personas.parquet")
    assert len(placed) == 600 and list(placed.columns) == [
        "persona_id", "label_source", "confidence"
    ]  # fmt: skip
    events = pd.read_parquet(tmp_path / "events.parquet")
    assert events["customer_id"].nunique() == 600
    truth = pd.read_parquet(tmp_path / "truth.parquet")
    assert len(truth) == 600
    assert (
        main(
            [
                "validate",
                "--events",
                str(tmp_path / "events.parquet"),
                "--survey",
                str(tmp_path / "survey.parquet"),
                "--instrument",
                str(tmp_path / "instrument.json"),
            ]
        )
        == 0
    )
    assert "survey: 180 rows, 180 customers: ok" in capsys.readouterr().out


def test_validate_reports_the_contract_error_and_exits_2(tmp_path, capsys):
    bad = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "timestamp": ["2026-01-01", "soon"],
            "channel": ["web", "app"],
            "event_type": ["search", "purchase"],
        }
    )
    bad.to_csv(tmp_path / "events.csv", index=False)
    assert main(["validate", "--events", str(tmp_path / "events.csv")]) == 2
    err = capsys.readouterr().err
    assert "events.timestamp: 1 of 2 rows have a timestamp that cannot be parsed" in err
    assert "timestamp='soon'" in err
    assert main(["validate"]) == 2
    assert main(["validate", "--events", str(tmp_path / "missing.parquet")]) == 2


def test_demo_refuses_a_bad_size(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["demo", "--n-customers", "0"])
    assert stop.value.code == 2
    assert "expected a positive whole number" in capsys.readouterr().err


def test_installed_entry_point_runs(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "persona", "demo", "--n-customers", "200", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Inputs passed the data contracts" in done.stdout
    # Every stage that takes time says so as it goes, the report's included.
    stages = (
        "latent profiles",
        "assignment model",
        "saving the model",
        "report: map of customers",
        "report: reliability by evidence, cross-validated",
    )
    for stage in stages:
        assert f"{stage} ..." in done.stderr and f"{stage} done in" in done.stderr, stage


def test_report_command_writes_the_report_of_a_saved_model(tmp_path, capsys):
    assert main(["demo", "--n-customers", "500", "--out", str(tmp_path / "demo")]) == 0
    capsys.readouterr()
    out = tmp_path / "again"
    assert main(["report", str(tmp_path / "demo" / "model"), "--out", str(out)]) == 0
    assert f"written to {out / 'index.html'}" in capsys.readouterr().out
    saved = persona.load(tmp_path / "demo" / "model")
    assert (out / "index.html").read_text().count("<section class='card'") == saved.n_personas_
    assert main(["report", str(tmp_path), "--out", str(out)]) == 2
    assert "is not a saved persona model" in capsys.readouterr().err


def test_score_names_what_is_wrong_and_exits_2_without_a_traceback(persona_model, customers,
                                                                   tmp_path, capsys):  # fmt: skip
    assigner = persona_model.export_assigner(tmp_path / "assigner")
    data = tmp_path / "data"
    data.mkdir()
    events = customers.events[customers.events["customer_id"] < customers.events[
        "customer_id"].min() + 200]  # fmt: skip
    events.to_parquet(data / "events.parquet")
    whole = (data / "events.parquet").read_bytes()
    (data / "cut.parquet").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "scores.parquet").write_text("a file, not a folder")

    def score(*argv):
        code = main(["score", str(assigner), "--quiet", *argv])
        return code, capsys.readouterr().err

    code, err = score("--events", str(data / "cut.parquet"), "--out", str(tmp_path / "a"))
    assert code == 2 and "Traceback" not in err
    assert err.startswith(f"persona score: events: could not read '{data / 'cut.parquet'}': "
                          "the file is damaged or truncated")  # fmt: skip
    code, err = score("--events", str(data / "events.parquet"), "--out",
                      str(tmp_path / "scores.parquet"))  # fmt: skip
    assert code == 2 and err.startswith("persona score: out=") and "is a file, not a folder" in err
    code, err = score("--events", str(data / "events.parquet"), "--out", str(data), "--overwrite")
    assert code == 2 and "holds the job's events input" in err and len(err.splitlines()) == 1
    assert (data / "events.parquet").read_bytes() == whole  # nothing deleted
    assert main(["score", str(assigner), "--quiet", "--events", str(data / "events.parquet"),
                 "--out", str(tmp_path / "ok")]) == 0  # fmt: skip


def test_a_persona_error_is_one_line_and_a_bug_keeps_its_traceback(monkeypatch, capsys, tmp_path):
    from persona import cli
    from persona.errors import ConfigError

    def refused(args):
        raise ConfigError("Got x=1, but expected 2.")

    def broken(args):
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "_report", refused)
    assert cli.main(["report", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err == "persona report: Got x=1, but expected 2.\n"
    monkeypatch.setattr(cli, "_report", broken)
    with pytest.raises(KeyError, match="a bug"):  # not exit code 2: a bug is not bad input
        cli.main(["report", str(tmp_path), "--out", str(tmp_path / "r")])
