from __future__ import annotations

import pytest

from packages.i18n import use_language
from tests.support.tui_i18n import SCREENS, prepare, screen_rows
from tests.test_snapshots import SIZE, home  # noqa: F401


@pytest.mark.parametrize("lang", ["fr", "qps"])
@pytest.mark.parametrize("shot", list(SCREENS))
async def test_look(shot, lang, home, monkeypatch):
    from tui.app import MoocApp

    prepare(shot, home, monkeypatch)
    use_language(lang)
    try:
        spec = SCREENS[shot]
        app = MoocApp(layout=home, course_id=spec.course, item_id=spec.item)
        async with app.run_test(size=SIZE) as pilot:
            await spec.steps(pilot)
            rows = screen_rows(app)
        with open(f"/tmp/tui_fr/screens_{lang}.txt", "a") as fh:
            fh.write(f"===== {shot}\n" + "\n".join(rows) + "\n")
    finally:
        use_language("en")
