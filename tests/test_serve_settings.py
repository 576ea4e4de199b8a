"""persona.serve._settings: what the service accepts -- ``persona serve`` passes every limit to
it and refuses one that is not positive, its defaults are the command's, and the settings
are frozen."""

import dataclasses

import pytest

pytest.importorskip("fastapi")

from persona.serve import ServeSettings  # noqa: E402


def _stand_in_for_run(monkeypatch) -> dict:
    """What ``persona serve`` hands persona.serve.run, recorded instead of serving.

    The CLI takes ``run`` from persona.serve; a server that starts all the same fails the
    test rather than serving until it is killed.
    """
    import uvicorn

    import persona.serve

    started = {}

    def run(folder, settings, **kw):
        started.update(settings=settings, **kw)

    def serve(*args, **kwargs):
        raise AssertionError("persona serve started a server: run was not stood in for")

    monkeypatch.setattr(persona.serve, "run", run)
    monkeypatch.setattr(uvicorn, "run", serve)
    return started


def test_cli_passes_every_limit_to_the_service(assigner_path, monkeypatch):
    from persona.cli import main

    started = _stand_in_for_run(monkeypatch)
    argv = ["serve", "--assigner", str(assigner_path), "--max-text-chars", "500", "--max-fields",
            "40", "--body-timeout", "2.5", "--max-touchpoints", "7", "--port", "9"]  # fmt: skip
    assert main(argv) == 0
    settings = started["settings"]
    assert (settings.max_text_chars, settings.max_fields, settings.body_timeout) == (500, 40, 2.5)
    assert settings.max_touchpoints == 7 and started["port"] == 9


def test_cli_refuses_a_limit_that_is_not_positive(capsys):
    from persona.cli import main

    with pytest.raises(SystemExit):
        main(["serve", "--assigner", "x", "--body-timeout", "0"])
    assert "expected a positive number of seconds, got 0" in capsys.readouterr().err


def test_the_defaults_are_the_commands_and_the_settings_are_frozen(assigner_path, monkeypatch):
    from persona.cli import main

    started = _stand_in_for_run(monkeypatch)
    assert main(["serve", "--assigner", str(assigner_path)]) == 0
    assert started["settings"] == ServeSettings()  # no flag: the library's defaults
    assert (started["host"], started["port"], started["workers"]) == ("127.0.0.1", 8000, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        started["settings"].max_body_bytes = 1
    assert ServeSettings(**dataclasses.asdict(ServeSettings(max_fields=3))).max_fields == 3
