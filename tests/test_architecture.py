"""The layers of docs/architecture.md, held: a module imports only from layers below its own.

Every ``import`` that runs is counted, at the top of a module or inside a function;
imports under ``if TYPE_CHECKING:`` are not, since they only name a type in a signature.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "persona"

# Lowest first. A module may import its own layer's modules and any layer below.
LAYERS = [
    ("base", ["persona.errors", "persona._optional", "persona._progress", "persona._validate",
              "persona._fitted",
              "persona._manifest"]),
    ("contract", ["persona.contract"]),
    ("features", ["persona.features"]),
    ("datasets", ["persona.datasets"]),
    ("assignment", ["persona.assignment"]),
    ("discovery", ["persona.discovery"]),
    ("profiling", ["persona.profiling"]),
    ("report", ["persona.report"]),
    ("drift", ["persona.drift"]),
    ("persistence", ["persona.persistence"]),
    ("scoring", ["persona.scoring"]),
    ("serve", ["persona.serve"]),
    ("facade", ["persona.model", "persona._training", "persona._parameters", "persona._arguments",
                "persona.project",
                "persona.cli",
                "persona.spark", "persona.__main__", "persona"]),
]  # fmt: skip

# The one import that runs upward, and why it may.
ALLOWED_UPWARD = {
    ("persona.contract._instrument", "persona.features.exploratory"): (
        "Instrument.suggest is the instrument's own door to the factor analysis that proposes "
        "one; the analysis builds on the contract, so the import waits until it is called."
    ),
}


def _layer(module: str) -> int:
    best = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (index, len(prefix))
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS and the architecture page")
    return best[0]


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _runtime_imports(path: Path, module: str):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(child) for part in node.body for child in ast.walk(part))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            # ``from persona.features import emotions`` imports a module, not a name.
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
            names = [
                n
                for n in names
                if n == base or (PACKAGE.parent / (n.replace(".", "/") + ".py")).exists()
            ]
        else:
            continue
        for name in names:
            if name == "persona" or name.startswith("persona."):
                yield node.lineno, name


def test_every_module_imports_only_its_own_layer_or_below():
    upward = []
    for module, path in _modules():
        mine = _layer(module)
        for line, imported in _runtime_imports(path, module):
            if _layer(imported) > mine and (module, imported) not in ALLOWED_UPWARD:
                upward.append(
                    f"{module} (line {line}, layer {LAYERS[mine][0]}) imports {imported} "
                    f"(layer {LAYERS[_layer(imported)][0]})"
                )
    assert not upward, "imports that run upward:\n" + "\n".join(upward)


def test_the_allowed_upward_imports_are_still_there():
    # An exception nobody needs any more is a hole in the rule: remove it.
    found = {
        (module, imported)
        for module, path in _modules()
        for _, imported in _runtime_imports(path, module)
    }
    assert set(ALLOWED_UPWARD) <= found


@pytest.mark.parametrize("probe", ["persona.features.record", "persona.model"])
def test_the_checker_sees_imports_inside_functions(probe):
    # persona.features.record imports InputError inside a function; the model imports
    # the persistence layer inside save(): both must be seen, or the rule holds vacuously.
    path = PACKAGE.parent / (probe.replace(".", "/") + ".py")
    imported = {name for _, name in _runtime_imports(path, probe)}
    assert {"persona.features.record": "persona.errors", "persona.model": "persona.persistence"}[
        probe
    ] in imported


def _mirror(module: str) -> str:
    """The test file of a module: ``persona/assignment/_assigner.py`` ->
    ``tests/test_assignment_assigner.py``, ``persona/model.py`` -> ``tests/test_model.py``."""
    parts = [part.lstrip("_") for part in module.split(".")[1:]]
    return "test_" + "_".join(parts) + ".py"


def test_every_module_has_its_test_file():
    tests = Path(__file__).resolve().parent
    missing = [
        f"{module} -> tests/{_mirror(module)}"
        for module, path in _modules()
        if path.name not in ("__init__.py", "__main__.py")
        and not (tests / _mirror(module)).is_file()
    ]
    assert not missing, "modules without their test file:\n" + "\n".join(missing)


def test_the_mirror_names_a_module_by_its_package_and_name():
    assert _mirror("persona.assignment._assigner") == "test_assignment_assigner.py"
    assert _mirror("persona.model") == "test_model.py"
    assert _mirror("persona.features.text") == "test_features_text.py"


def test_the_architecture_page_names_only_files_and_tests_that_exist():
    import re

    root = PACKAGE.parent
    page = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    files = set(re.findall(r"`(tests/test_\w+\.py)`", page))
    modules = set(re.findall(r"`((?:\w+/)?_?\w+\.py)`", page)) - {f for f in files}
    missing = [f for f in files if not (root / f).is_file()]
    places = (PACKAGE, root / "tests", root / "benchmarks", root)
    missing += [m for m in modules if not any((place / m).is_file() for place in places)]
    tests_named = re.findall(r"`(test_\w+)` in `(tests/test_\w+\.py)`", page)
    missing += [
        f"{name} in {file}" for name, file in tests_named
        if (root / file).is_file() and f"def {name}(" not in (root / file).read_text()
    ]  # fmt: skip
    assert files and not missing, missing
