"""`mooc play` in French at 80x24, locked in as SVG snapshots (pytest-textual-snapshot;
files in tests/__snapshots__/test_i18n_tui_snapshots/): the library, a lesson, a quiz
with its feedback after submitting, and the progress screen (issue 19).

The same screens, pack and determinism as tests/test_snapshots.py; only the language
differs (tui/ translates where it shows, so `use_language("fr")` before the app starts
is all it takes). After a deliberate change: `--snapshot-update` on this file only,
then look at the SVGs before committing them.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("pytest_textual_snapshot", reason="snapshot tests need the test extra: pip install -e '.[test]'")

from packages.layout import Layout  # noqa: E402
from tests.support.tui_i18n import SCREENS  # noqa: E402
from tests.test_snapshots import SIZE, home  # noqa: E402,F401  (the fixture)


@pytest.mark.parametrize("shot", ["library", "lesson", "quiz-result", "progress"])
def test_french_screen(
    shot: str, french: None, home: Layout, snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.app import MoocApp

    monkeypatch.delenv("NO_COLOR", raising=False)
    # The same two courses as the English snapshots: the bundled French demo course (listed
    # when mooc speaks French, packages/store.py) is left out of these pictures of tui/'s words.
    monkeypatch.setattr("packages.store.BUNDLED_LANGUAGE_DEMOS", {}, raising=False)
    spec = SCREENS[shot]
    app = MoocApp(layout=home, course_id=spec.course, item_id=spec.item)
    assert snap_compare(app, terminal_size=SIZE, run_before=spec.steps)
