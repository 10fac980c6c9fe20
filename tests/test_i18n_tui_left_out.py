"""The links dialog and the "fetch this left-out file?" dialog of a `text` pack, in the
pseudo-locale and in French at 80x24 (issue 19): no English of tui/ escapes, the
dialog's buttons show whole. The real catalog on a loopback static server, as
tests/test_item_fetch.py; nothing is fetched (the dialog is answered "Not now")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from packages.i18n import use_language
from tests.support.pilot_wait import until_screen
from tests.support.pseudo import escaped_lines
from tests.support.static_server import StaticServer
from tests.support.tui_i18n import course_text, rows_without_course_text, screen_rows
from tests.test_item_fetch import VIDEO, _setup, published  # noqa: F401  (the fixture)

# packages/flavours.py's placeholder, translated by the packages/ helper
NOT_OURS = ("in the full pack", "kB")


@pytest.fixture(params=["qps", "fr"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    assert use_language(request.param) == request.param
    yield request.param
    use_language("en")


async def test_links_and_fetch_dialogs(language: str, published, mooc_home) -> None:  # noqa: F811
    from textual.widgets import Button

    from tui.app import MoocApp

    with StaticServer(published) as srv:
        layout = _setup(mooc_home, srv.url + "catalog.json")
        titles, words = course_text(layout)
        from player.learners import Learners

        people = [learner.name for learner in Learners(layout).list()]  # the account's own name
        app = MoocApp(layout=layout, course_id="media-course", item_id="lesson-00000")
        async with app.run_test(size=(80, 24)) as pilot:
            await until_screen(pilot, "CourseScreen")
            await pilot.press("o")
            await until_screen(pilot, "MediaScreen", 50)
            links = app.screen.query_one("#links")
            prompts = [str(links.get_option_at_index(i).prompt) for i in range(links.option_count)]
            shown = {"links": rows_without_course_text(app)}
            links.highlighted = next(i for i, p in enumerate(prompts) if p.endswith(f"../{VIDEO}"))
            await pilot.press("enter")
            await until_screen(pilot, "ChoiceDialog", 50)
            await pilot.pause(0.2)
            shown["fetch"] = rows_without_course_text(app)
            rows = screen_rows(app)
            buttons = [str(b.label) for b in app.screen.query(Button)]
            await pilot.press("escape")  # "Not now": nothing travels
    assert len(buttons) == 2
    for label in buttons:
        assert any(label in row for row in rows), f"button {label!r} not whole:\n" + "\n".join(rows)
    if language == "qps":
        for name, screen in shown.items():
            text = "\n".join(screen)
            bad = escaped_lines(text, allowed=(*NOT_OURS, *titles, *people, "mooc"), words=words)
            assert bad == [], f"{name}: English outside ⟦ ⟧:\n" + "\n".join(bad)
    else:
        assert any("Télécharger ce fichier (vidéo, 900 ko)" in row for row in rows), "\n".join(rows)
