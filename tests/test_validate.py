"""persona._validate: the one rule for whole numbers, numbers in a range, flags and choices."""

import numpy as np
import pytest

from persona._validate import check_flag, check_number, check_one_of, check_whole, is_whole
from persona.errors import ConfigError


@pytest.mark.parametrize(
    ("value", "whole"),
    [(3, True), (np.int64(3), True), (0, True), (-2, True), (True, False), (np.bool_(True), False),
     (3.0, False), ("3", False), (None, False)],
)  # fmt: skip
def test_a_whole_number_is_an_integer_and_never_a_bool(value, whole):
    assert is_whole(value) is whole


def test_check_whole_returns_a_plain_int_and_names_the_parameter_and_range():
    assert check_whole("n", np.int32(4), low=1) == 4 and type(check_whole("n", 4)) is int
    with pytest.raises(ConfigError, match=r"^Got n_boot=0, but expected a whole number >= 1\.$"):
        check_whole("n_boot", 0, low=1)
    with pytest.raises(ConfigError, match=r"Got k=True, but expected a whole number >= 1 and <= 9"):
        check_whole("k", True, low=1, high=9)
    with pytest.raises(ConfigError, match=r"Got k=10, but expected a whole number >= 1 and <= 9"):
        check_whole("k", 10, low=1, high=9)


def test_check_number_honours_open_and_closed_ends_and_refuses_non_finite_values():
    assert check_number("share", 1, low=0, high=1, low_open=True) == 1.0
    assert check_number("share", 0, low=0, high=1) == 0.0
    with pytest.raises(ConfigError, match=r"Got share=0, but expected a number > 0 and <= 1\."):
        check_number("share", 0, low=0, high=1, low_open=True)
    with pytest.raises(ConfigError, match=r"Got share=1.0, but expected a number >= 0 and < 1\."):
        check_number("share", 1.0, low=0, high=1, high_open=True)
    for bad in (float("nan"), float("inf"), True, "0.5"):
        with pytest.raises(ConfigError, match="but expected a number"):
            check_number("x", bad)


def test_check_flag_and_check_one_of_are_strict_about_type():
    assert check_flag("comments", np.bool_(False)) is False
    with pytest.raises(ConfigError, match=r"^Got comments='yes', but expected True or False\.$"):
        check_flag("comments", "yes")
    assert check_one_of("rotation", "oblimin", ("oblimin", "varimax")) == "oblimin"
    # 1 == True in Python; a setting of True is not the option 1.
    with pytest.raises(ConfigError, match=r"Got level=True, but expected one of 1, 2\."):
        check_one_of("level", True, (1, 2))


def test_a_config_error_is_a_value_error_and_a_type_error():
    with pytest.raises(TypeError):
        check_whole("n", "three")
    with pytest.raises(ValueError):
        check_whole("n", "three")
