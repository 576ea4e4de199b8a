"""The tutorial notebooks run top to bottom in a fresh kernel, show their figures inline, and
are stored without outputs."""

import os
from pathlib import Path

# Older jupyter_core releases warn at import time (a DeprecationWarning, an error under
# this suite's filterwarnings) that Jupyter is migrating its paths to platformdirs, unless
# JUPYTER_PLATFORM_DIRS says which to use. Opting in to the new paths silences it; the kernels
# started below inherit the setting. Set before nbclient imports jupyter_core.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

import nbformat  # noqa: E402
import pytest  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds; a cell that fits a PersonaModel takes well under a minute


def test_there_are_notebooks():
    assert PATHS, f"no notebook found in {NOTEBOOKS}"


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    kept = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not kept, f"{path.name}: code cells {kept} keep outputs; store the notebook stripped"


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_notebook_runs(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on the first error
    outputs = [
        (i, output.get("data", {}))
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
    ]
    unshown = [
        i
        for i, data in outputs
        if "Figure size" in data.get("text/plain", "") and "image/png" not in data
    ]
    assert not unshown, f"{path.name}: cells {unshown} print a figure's repr, not the figure"
    images = [i for i, data in outputs if data.get("image/png")]
    assert images, f"{path.name}: no cell shows a figure"
