"""`french`: the test runs with mooc speaking French in this process (packages/i18n.py),
and English again after it, whatever happens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from packages import i18n


@pytest.fixture
def french() -> Iterator[None]:
    assert i18n.use_language("fr") == "fr"
    try:
        yield
    finally:
        i18n.use_language("en")
