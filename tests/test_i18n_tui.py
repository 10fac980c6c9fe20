"""`mooc play` in the pseudo-locale and in French, at 80x24 (issue 19).

Every screen of tests/test_snapshots.py (library, course with outline and lesson, quiz
front page, a quiz, the submit and leave dialogs, a result with its feedback, progress,
search, links and media, help, the command palette, learner picker, consent, class
report, PIN) is run with the real app through Pilot, in-process: tui/ translates its
words where it shows them (keymap descriptions included), so `use_language` before the
app starts is all another language needs.

- qps: no English word outside ⟦ ⟧ but the courses' own text (the demo course and the
  test pack) and the few lines other layers still write in English (NOT_OURS);
- qps and French: the layout holds: each key bar entry whole, this screen's own keys
  all there, every button's label whole on one row, nothing scrolls sideways;
- French: the one-line hints stay on one line and every key of the course and quiz
  screens fits the key bar.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rich.cells import cell_len

from packages.i18n import _, use_language
from packages.layout import Layout
from tests.support.pseudo import escaped_lines
from tests.support.tui_i18n import SCREENS, course_text, prepare, rows_without_course_text, screen_rows
from tests.test_snapshots import SIZE, home  # noqa: F401  (the fixture)

# Lines written by other layers (player/, sync/), not by tui/: their own helpers wrap
# them. Listed exactly, so anything else English on these screens still fails.
NOT_OURS = (
    "Certificate: not yet.",  # sync/certificate_offer.py
    "not attempted yet:",
    "course score 0% is below the 50% needed",
    "Not answered: questions",  # player/wording.py
)
PEOPLE = ("Ada", "Grace", "mooc")  # names, and the program's own name
TYPED = ("point", "zqzq", "ctrl+")  # what the runs type into search and the palette; a key as written


@pytest.fixture
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    code = use_language(request.param)
    assert code == request.param
    yield code
    use_language("en")


async def run_screen(shot: str, home: Layout, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], Any]:
    """The rows of SHOT at 80x24 and a record of its widgets, taken while it is up
    (with `facts["ours"]`: the rows with the course-text widgets blanked)."""
    from tui.app import MoocApp

    prepare(shot, home, monkeypatch)
    spec = SCREENS[shot]
    app = MoocApp(layout=home, course_id=spec.course, item_id=spec.item)
    async with app.run_test(size=SIZE) as pilot:
        await spec.steps(pilot)
        facts = layout_facts(app)
        facts["ours"] = rows_without_course_text(app)
        facts["toasts"] = [str(note.message) for note in app._notifications]
        return screen_rows(app), facts


def layout_facts(app: Any) -> dict[str, Any]:
    """What the layout checks need, read from the top screen's live widgets."""
    from textual.widgets import Button

    from tui.widgets.key_bar import KeyBar

    facts: dict[str, Any] = {"buttons": [], "sideways": [], "lines": {}, "bar": None}
    for widget in app.screen.query("*"):
        if not widget.display or not widget.region.area:
            continue
        if isinstance(widget, Button):
            facts["buttons"].append(str(widget.label))
        if widget.show_horizontal_scrollbar:
            facts["sideways"].append(repr(widget))
        if widget.id in ("library-hint", "pin-hint", "search-count") or widget.has_class("dialog-how"):
            facts["lines"][widget.id or "dialog-how"] = widget.region.height
        if widget.id == "quiz-header":
            facts["lines"]["quiz-header"] = widget.region.height - 1  # the quiz title, then one line
    for bar in app.screen.query(KeyBar):
        shown, palette = bar.shown_keys()
        facts["bar"] = {
            "spans": list(bar._spans),
            "entries": {entry[0]: entry for entry in [*shown, *([palette] if palette else [])]},
            "shown": len(shown),
            "own": {  # this screen's own actions shown in the bar (one entry per action)
                binding.action: binding.description
                for (_node, binding, _enabled, _tip) in app.screen.active_bindings.values()
                if binding.show and binding.id and not binding.id.startswith("app.")
            },
            "actions": {key: found[1].action for key, found in app.screen.active_bindings.items()},
        }
    return facts


@pytest.mark.parametrize("language", ["qps"], indirect=True)
@pytest.mark.parametrize("shot", list(SCREENS))
async def test_no_english_escapes_translation(
    shot: str, language: str, home: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rows, facts = await run_screen(shot, home, monkeypatch)
    ours = facts["ours"]
    if shot == "class":  # under its heading, the report is player/class_render.py's (as `mooc report` prints it)
        ours = ours[:3] + ours[-1:]
    text = "\n".join(ours)
    assert "⟦" in text  # the pseudo-locale is really on
    titles, words = course_text(home)
    bad = escaped_lines(text, allowed=(*NOT_OURS, *PEOPLE, *TYPED, *titles), words=words)
    assert bad == [], f"{shot}: English outside ⟦ ⟧:\n" + "\n".join(bad)
    said = "\n".join(facts["toasts"])  # every toast of the run, gone from the screen or not
    assert escaped_lines(said, allowed=(*PEOPLE, *titles), words=words) == [], said
    if shot == "toasts":
        assert len(facts["toasts"]) >= 5 and all("⟦" in toast for toast in facts["toasts"]), said


@pytest.mark.parametrize("language", ["qps", "fr"], indirect=True)
@pytest.mark.parametrize("shot", list(SCREENS))
async def test_layout_holds(shot: str, language: str, home: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    rows, facts = await run_screen(shot, home, monkeypatch)
    assert [cell_len(row) for row in rows] == [SIZE[0]] * SIZE[1]
    assert facts["sideways"] == [], f"{shot}: scrolls sideways: {facts['sideways']}"
    for label in facts["buttons"]:  # a label cut or wrapped would not be whole on a row
        assert any(label in row for row in rows), f"{shot}: button {label!r} not shown whole:\n" + "\n".join(rows)
    if language == "fr":
        wrapped = {name: height for name, height in facts["lines"].items() if height != 1}
        assert wrapped == {}, f"{shot}: a one-line hint wraps:\n" + "\n".join(rows)
    bar = facts["bar"]
    if bar is None:
        return
    bottom = rows[-1]
    for start, end, key, _enabled in bar["spans"]:  # every entry whole: its key and its whole description
        _key, display, description, _on = bar["entries"][key]
        assert bottom[start:end].strip() == f"{display} {description}", f"{shot}: cut entry in {bottom!r}"
    shown_keys = {key for _s, _e, key, _en in bar["spans"]}
    shown_actions = {bar["actions"][key] for key in shown_keys}
    for action, description in bar["own"].items():  # this screen's own keys all fit
        assert action in shown_actions, f"{shot}: {_(description)!r} left out of {bottom!r}"
    if language == "fr" and shot in ("lesson", "quiz", "quiz-result"):
        assert len(shown_keys - {"ctrl+p"}) == bar["shown"], f"{shot}: keys left out of {bottom!r}"


@pytest.mark.parametrize("language", ["fr"], indirect=True)
def test_french_words_on_the_key_bar_and_dialogs(language: str) -> None:
    """The words a French learner reads first, from the shipped catalog."""
    from tui.keymap import display, key_bar_name

    assert _("Quit") == "Quitter"
    assert key_bar_name("esc") == "échap" and key_bar_name("ctrl+enter") == "ctrl+entrée"
    assert display("escape,q") == "Échap / q" and display("space,pagedown") == "Espace / PgSuiv"
