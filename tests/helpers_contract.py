"""What the contract tests (test_contract_*.py) share to check an InputError's message."""

import pytest

from persona import InputError


def raises(match_all, call, *args, **kwargs):
    """Call and check that InputError's message contains every given fragment."""
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    for fragment in match_all:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    return caught.value
