"""persona._optional: an extra that is not installed is named with the command that fixes it."""

import pytest

from persona._optional import DISTRIBUTION, import_optional, install_hint


def test_install_hints_name_the_distribution_and_the_extra():
    assert DISTRIBUTION == "persona-segments"
    assert install_hint("spark") == "pip install 'persona-segments[spark]'"
    assert install_hint("serve", reinstall=True) == (
        "pip install --force-reinstall 'persona-segments[serve]'"
    )


def test_a_missing_optional_module_says_what_needs_it_and_how_to_install_it():
    assert import_optional("json", extra="data", purpose="x").__name__ == "json"
    with pytest.raises(ImportError) as caught:
        import_optional("no_such_module_xyz", extra="serve", purpose="persona serve")
    assert str(caught.value) == (
        "persona serve needs the optional package 'no_such_module_xyz', which is not "
        "installed: pip install 'persona-segments[serve]'"
    )
    assert isinstance(caught.value.__cause__, ModuleNotFoundError)
