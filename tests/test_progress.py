"""persona._progress: a stage is logged when it starts and, with its time, when it ends."""

import logging

import pytest

from persona._progress import stage


def test_a_stage_logs_its_start_and_its_end_with_the_time(caplog):
    caplog.set_level(logging.INFO, logger="persona.test")
    with stage(logging.getLogger("persona.test"), "clustering"):
        pass
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == "clustering ..."
    assert messages[1].startswith("clustering done in ") and messages[1].endswith(" s")
    assert float(messages[1].split(" in ")[1].removesuffix(" s")) >= 0


def test_a_stage_that_fails_does_not_say_done(caplog):
    caplog.set_level(logging.INFO, logger="persona.test")
    with pytest.raises(RuntimeError), stage(logging.getLogger("persona.test"), "refit"):
        raise RuntimeError("stop")
    assert [record.getMessage() for record in caplog.records] == ["refit ..."]
