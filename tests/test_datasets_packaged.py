"""Files of optional packages, found without importing them, and the error naming the extra."""

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from persona.datasets._packaged import EXTRA, package_dir, require_columns


def test_an_installed_package_is_found_where_import_would_find_it():
    found = package_dir("pandas", "a test")
    assert found == Path(pd.__file__).parent
    assert (found / "__init__.py").is_file()


def test_finding_a_package_does_not_import_it(monkeypatch):
    name = "email"  # a standard-library package: always installed, rarely imported yet
    monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.delitem(sys.modules, f"{name}.message", raising=False)
    found = package_dir(name, "a test")
    assert found == Path(importlib.util.find_spec(name).origin).parent
    assert name not in sys.modules


def test_a_missing_package_names_the_extra_that_brings_it():
    with pytest.raises(ImportError) as caught:
        package_dir("no_such_package_xyz", "load_something (a data set)")
    assert str(caught.value) == (
        "load_something (a data set) needs the optional package 'no_such_package_xyz', which "
        f"is not installed: pip install 'persona-segments[{EXTRA}]'"
    )


def test_a_module_that_is_no_package_folder_is_named():
    # csv is a single file: there is no folder of files to read
    with pytest.raises(ImportError) as caught:
        package_dir("csv", "a test")
    assert str(caught.value) == (
        "a test needs the files of the package 'csv', but 'csv' is not an installed package "
        "folder: pip install --force-reinstall 'persona-segments[data]'"
    )


def test_a_table_without_the_expected_columns_names_them_and_the_fix():
    table = pd.DataFrame({"path": ["a > b"], "total_null": [1]})
    require_columns(table, ["path", "total_null"], "mta's data", "mta")
    with pytest.raises(ValueError) as caught:
        require_columns(table, ["path", "total_conversions", "total_null", "value"], "mta's data",
                        "mta")  # fmt: skip
    assert str(caught.value) == (
        "mta's data from the package 'mta' lacks the column(s) ['total_conversions', 'value']; "
        "persona expects the version pinned by its extra: "
        "pip install --force-reinstall 'persona-segments[data]'"
    )
