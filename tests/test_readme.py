"""The README's Python examples run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no Python example"
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - our own README
    assert namespace["inputs"].events is namespace["data"].events
    assert namespace["instrument"].reverse_keyed == ("thr4",)
    assert namespace["model"].n_personas_ == 6


def test_readme_commands_are_the_ci_commands():
    ci = (README.parent / ".ci" / "run").read_text()
    text = README.read_text()
    test_command = "python -m pip install -e '.[test]' && python -m pytest"
    assert test_command in text and test_command in ci
    assert "python -m pip install . && persona demo" in text
