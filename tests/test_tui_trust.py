"""`mooc play` as a newcomer meets it (issue 14): consent is chosen, never caught by a
stray key; grading is fair; attempts are not wasted by one key. Pilot tests at 80x24
on the real app, engine and event log (the pack comes from tests/test_tui.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from packages.layout import Layout
from sync.consent import Consent
from tests.test_tui import SIZE, events, make_app, screen_name, shown, submit, wait_for, write_pack

ENDPOINT = "http://127.0.0.1:9/xapi/"  # loopback: allowed over http; nobody listens there
HOST = "127.0.0.1:9"


@pytest.fixture
def with_lrs(layout: Layout, tmp_path: Path) -> Layout:
    from packages.install import install

    install(layout, str(write_pack(tmp_path / "src", endpoint=ENDPOINT)), quiet=True)
    return layout


@pytest.fixture
def layout(mooc_home: Any) -> Layout:
    from player.learners import Learners

    chosen = Layout.default(mooc_home.home)
    Learners(chosen).current()  # the learner a first start asks for (tests/test_tui.py says why)
    return chosen


def quiz_app(layout: Layout, tmp_path: Path, **pack: Any) -> Any:
    """The app opened on the quiz of a pack written with `write_pack(**pack)`."""
    from packages.install import install

    install(layout, str(write_pack(tmp_path / "src", **pack)), quiet=True)
    return make_app(layout, course_id="tui-test", item_id="all-types")


def approved(layout: Layout, app: Any) -> bool:
    return Consent(layout, app.learner.id).allowed(HOST)


# ------------------------------------------------------------------------ consent


async def test_consent_is_asked_at_course_open_and_no_key_answers_it(with_lrs: Layout) -> None:
    """The question comes as the course opens, before anything takes focus; y, n,
    Enter and Space (the keys of an answer being typed, or of "sync now") do nothing;
    only a button chosen on purpose answers."""
    from tui.screens.dialog import ChoiceDialog

    app = make_app(with_lrs, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ChoiceDialog")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog) and HOST in str(dialog.query_one("#dialog-body").content)
        assert dialog.focused is None  # no button waits for a stray Enter
        await pilot.press(*"yes no", "enter", "space", "y", "g", "question_mark")
        await pilot.pause()
        assert app.screen is dialog and not approved(with_lrs, app)  # nothing answered, nothing opened
        await pilot.press("tab")  # the first button is the safe one
        assert dialog.focused is not None and dialog.focused.id == "choice-deny"
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        assert approved(with_lrs, app)


async def test_consent_declined_with_escape_is_not_asked_again_while_typing(with_lrs: Layout) -> None:
    """Esc means "not now"; the question is then not asked again by itself (a quiz
    answer being typed is never interrupted); `y` asks again, with the same buttons."""
    from textual.widgets import Input

    app = make_app(with_lrs, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ChoiceDialog")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        assert any("Nothing is sent to 127.0.0.1:9" in str(n.message) for n in app._notifications)
        await pilot.press("enter")  # start the quiz
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen")
        field = app.screen.query_one("#q-5 Input", Input)
        field.focus()
        app.unapproved_hosts = [HOST]  # as the background sync reports it
        await pilot.press(*"yes and no")
        await pilot.pause(0.3)
        assert screen_name(app) == "QuizScreen" and field.value == "yes and no"
        app.screen.query_one("#quiz-body").focus()
        await pilot.press("y")  # asked for: the question comes back
        await wait_for(pilot, lambda: screen_name(app) == "ChoiceDialog")
        await pilot.press("n", "y", "escape")
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen")
    assert not Consent(with_lrs, app.learner.id).allowed(HOST)


async def test_no_question_without_an_endpoint(installed: Layout) -> None:
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.pause(0.2)
        assert screen_name(app) == "CourseScreen"


@pytest.fixture
def installed(layout: Layout, tmp_path: Path) -> Layout:
    from packages.install import install

    install(layout, str(write_pack(tmp_path / "src")), quiet=True)
    return layout


# ------------------------------------------------------------------------ fair grading


async def test_untouched_order_question_is_not_answered(layout: Layout, tmp_path: Path) -> None:
    """An order question the learner never touched is graded on nothing: listed in "Not
    answered", 0 points, recorded with no response (its starting order is random)."""
    app = quiz_app(layout, tmp_path, questions=6)
    async with app.run_test(size=SIZE) as pilot:
        await start_quiz(pilot, app)
        await pilot.press("down", "enter")  # question 1 answered (B), the others left alone
        await submit(pilot, app)
        result = str(app.screen.query_one("#quiz-result").content)
        assert "Not answered: questions 2, 3, 4, 5 and 6" in result
        assert "Score: 1/6" in result
        assert "not answered" in shown(app.screen.query_one("#q-6 .feedback"))
    attempt = [e for e in events(layout, app.learner.id) if e["type"] == "attempt"][0]["data"]
    order = next(q for q in attempt["questions"] if q["id"] == "ord")
    assert order["response"] is None and order["earned"] == 0


async def test_a_moved_order_question_is_answered(layout: Layout, tmp_path: Path) -> None:
    from packages.install import install
    from tui.widgets.order_list import OrderList

    install(layout, str(write_pack(tmp_path / "src", questions=6)), quiet=True)
    app = make_app(layout, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        await start_quiz(pilot, app)
        order_list = app.screen.query_one(OrderList)
        order_list.focus()
        await pilot.press("J")
        moved = list(order_list.order)
        await submit(pilot, app)
        assert "6" not in str(app.screen.query_one("#quiz-result").content).split("Not answered")[1].split("\n")[0]
    attempt = [e for e in events(layout, app.learner.id) if e["type"] == "attempt"][0]["data"]
    assert next(q for q in attempt["questions"] if q["id"] == "ord")["response"] == moved


# ------------------------------------------------------------------------ attempts are not wasted


async def start_quiz(pilot: Any, app: Any) -> None:
    await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen_name(app) == "QuizScreen")


async def test_ctrl_s_on_an_incomplete_attempt_asks_first(layout: Layout, tmp_path: Path) -> None:
    """ctrl+s on a half-filled attempt asks; "Keep answering" is focused, so Enter (or
    Esc) keeps the attempt open; nothing is recorded until "Submit" is chosen."""
    app = quiz_app(layout, tmp_path, questions=3)
    async with app.run_test(size=SIZE) as pilot:
        await start_quiz(pilot, app)
        quiz = app.screen
        await pilot.press("down", "enter")  # question 1 only
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "ChoiceDialog")
        body = str(app.screen.query_one("#dialog-body").content)
        assert "Not answered: questions 2 and 3: they would earn no points." in body
        assert "last attempt" not in body
        await pilot.press("enter")  # the focused button: keep answering
        await wait_for(pilot, lambda: app.screen is quiz)
        assert quiz.result is None
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "ChoiceDialog")
        await pilot.press("escape")  # also keeps answering
        await wait_for(pilot, lambda: app.screen is quiz)
        assert not [e for e in events(layout, app.learner.id) if e["type"] == "attempt"]
        await submit(pilot, app)  # "Submit", on purpose
        assert "Not answered: questions 2 and 3" in str(quiz.query_one("#quiz-result").content)
    assert len([e for e in events(layout, app.learner.id) if e["type"] == "attempt"]) == 1


async def test_a_complete_attempt_submits_at_once_and_says_what_is_next(layout: Layout, tmp_path: Path) -> None:
    """Every question answered, not the last attempt: ctrl+s submits at once; the
    result says what the pass unlocked and where to go next."""
    app = quiz_app(layout, tmp_path, questions=1)
    async with app.run_test(size=SIZE) as pilot:
        await start_quiz(pilot, app)
        await pilot.press("down", "enter", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.result is not None)
        result = str(app.screen.query_one("#quiz-result").content)
        assert "Score: 1/1" in result
        assert "Unlocked: Module two" in result and "Next: Long lesson — Esc, then n." in result


async def test_the_last_attempt_is_announced_and_confirmed(layout: Layout, tmp_path: Path) -> None:
    app = quiz_app(layout, tmp_path, questions=1, max_attempts=1)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        assert "The next attempt is your last one." in str(app.screen.query_one("#panel-text").content)
        await start_quiz(pilot, app)
        assert "This is your last attempt." in str(app.screen.query_one("#quiz-header").content)
        await pilot.press("down", "enter", "ctrl+s")  # every question answered, but the last attempt
        await wait_for(pilot, lambda: screen_name(app) == "ChoiceDialog")
        body = str(app.screen.query_one("#dialog-body").content)
        assert "This is your last attempt: once submitted, the quiz is closed." in body
        assert "Not answered" not in body
        await pilot.press("tab", "enter")  # Submit
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen" and app.screen.result is not None)


async def test_escape_mid_attempt_asks_before_throwing_answers_away(layout: Layout, tmp_path: Path) -> None:
    app = quiz_app(layout, tmp_path, questions=3)
    async with app.run_test(size=SIZE) as pilot:
        await start_quiz(pilot, app)
        quiz = app.screen
        await pilot.press("escape")  # nothing answered yet: nothing to lose, back at once
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "QuizScreen")
        quiz = app.screen
        await pilot.press("down", "enter")  # an answer
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "ChoiceDialog")
        assert "not saved" in str(app.screen.query_one("#dialog-body").content)
        await pilot.press("enter")  # "Keep answering" is focused
        await wait_for(pilot, lambda: app.screen is quiz)
        assert quiz.query_one("#q-1").response() == 1  # the answer is still there
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "ChoiceDialog")
        await pilot.press("tab", "enter")  # "Leave without submitting"
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
    assert not [e for e in events(layout, app.learner.id) if e["type"] == "attempt"]


# ------------------------------------------------------------------------ NO_COLOR shows everything


def screen_text(app: Any) -> str:
    """The terminal as composed, row by row (what a learner sees, without colour)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_no_color_choices_and_focus_show_by_glyph(installed: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    """With NO_COLOR (greyscale), chosen and not chosen differ by glyph, and the focused
    list shows its cursor mark `›`, the focused question a heavy edge."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("MOOC_ASCII", raising=False)
    monkeypatch.setattr("tui.symbols.use_ascii", lambda: False)
    app = make_app(installed, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        assert app.no_color
        await start_quiz(pilot, app)
        await pilot.press("j", "space", "tab", "space")  # single: B; multiple: A
        await pilot.pause()
        rows = screen_text(app).splitlines()
        assert any("( ) A" in r for r in rows) and any("(•) B" in r for r in rows)
        assert any("› [x] A" in r for r in rows) and any("[ ] B" in r for r in rows)
        assert not any("› (" in r for r in rows)  # the unfocused list shows no cursor mark
        # the question with the keys has a heavy edge; the others a thin one
        q1, q2 = app.screen.query_one("#q-1"), app.screen.query_one("#q-2")
        assert rows[q2.region.y][q2.region.x] == "█" and rows[q1.region.y][q1.region.x] == "│"


async def test_focused_pane_shows_by_its_edge(installed: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        outline = app.screen.query_one("#outline")
        edge = outline.region.right - 1
        await pilot.press("h")
        await pilot.pause()
        assert screen_text(app).splitlines()[3][edge] == "┃"
        await pilot.press("l")
        await pilot.pause()
        row = screen_text(app).splitlines()[3]
        assert row[edge] == "│" and row[edge + 1] == "┃"  # the lesson's edge now


async def test_ascii_glyphs_when_the_terminal_cannot_draw(installed: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOOC_ASCII", "1")
    app = make_app(installed, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        await start_quiz(pilot, app)
        await pilot.press("space")
        await pilot.pause()
        text = screen_text(app)
        assert "> (*) A" in text and "( ) B" in text


# ------------------------------------------------------------------------ keys do what the docs say


def test_docs_list_every_key_as_the_keymap_has_it() -> None:
    """docs/tui.md's "Every key" table is the keymap: a key added, renamed or remapped by
    default without the docs fails here."""
    from tests.conftest import REPO
    from tui.keymap import KEYS, display

    docs = (REPO / "docs" / "tui.md").read_text(encoding="utf-8")
    table = [line for line in docs.splitlines() if line.startswith("| `")]
    expected = [f"| `{display(k.keys)}` | {k.description} | {k.scope} | `{k.id}` |" for k in KEYS]
    assert table[: len(expected)] == expected


async def test_j_k_move_between_options_and_space_chooses(installed: Layout) -> None:
    from tui.widgets.choice_list import ChoiceList

    app = make_app(installed, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        await start_quiz(pilot, app)
        choices = app.screen.query_one("#q-1").query_one(ChoiceList)
        assert choices.has_focus and choices.cursor == 0
        await pilot.press("j", "j", "k", "space")  # j then space picks the second, not the first
        assert choices.cursor == 1 and app.screen.query_one("#q-1").response() == 1
        await pilot.press("j", "enter")  # one answer: choosing another replaces it
        assert app.screen.query_one("#q-1").response() == 2


async def test_space_on_the_first_screen_pages_the_lesson(layout: Layout, tmp_path: Path) -> None:
    from packages.install import install

    install(layout, str(write_pack(tmp_path / "src", long_lines=400)), quiet=True)
    app = make_app(layout, course_id="tui-test", item_id="long")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.pause()
        lesson, outline = app.screen.query_one("#lesson"), app.screen.query_one("#outline")
        assert lesson.has_focus
        folded_before = outline.line_of("intro")
        await pilot.press("space")
        await pilot.pause()
        assert lesson.scroll_y > 10 and outline.line_of("intro") == folded_before  # paged, nothing folded


async def test_footer_shows_how_to_go_back(installed: Layout) -> None:
    from tui.widgets.key_bar import KeyBar

    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.pause()
        assert " esc Back " in app.screen.query_one(KeyBar).render().plain
        await pilot.press("g")
        await wait_for(pilot, lambda: screen_name(app) == "ProgressScreen")
        await pilot.pause()
        assert " esc Close " in app.screen.query_one(KeyBar).render().plain


async def test_palette_lists_mooc_commands_only(installed: Layout) -> None:
    from textual.command import CommandPalette

    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.pause(0.5)
        options = app.screen.query_one("CommandList")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        text = "\n".join(prompts)
        for mine in ("Progress", "Search lessons", "Back to library", "Go to: Long lesson"):
            assert mine in text
        for theirs in ("Keys", "Maximize", "Screenshot", "Theme", "Change theme", "Save screenshot"):
            assert not any(p.split("\n")[0].strip() == theirs for p in prompts), theirs


# ------------------------------------------------------------------------ text as learners should see it


async def test_lesson_text_keeps_a_reading_width_on_a_wide_terminal(installed: Layout) -> None:
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.pause()
        lesson = app.screen.query_one("#lesson")
        assert lesson.region.width <= 84 and lesson.scrollable_content_region.width <= 82


async def test_toasts_never_cover_the_key_bar(installed: Layout) -> None:
    from tui.widgets.key_bar import KeyBar

    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        for n in range(4):
            app.say(f"Message number {n} that is long enough to wrap at sixty columns, more or less")
        # Until the last toast is on screen (a fixed 0.3 s was not always enough on a busy CI machine).
        await wait_for(pilot, lambda: "Message number 3" in screen_text(app))
        await pilot.pause()
        bar_text = app.screen.query_one(KeyBar).render().plain.rstrip()
        assert screen_text(app).splitlines()[-1].rstrip() == bar_text


async def test_titles_are_not_doubled(layout: Layout, tmp_path: Path) -> None:
    """An item titled "Quiz: Week 1" shows as that, not "Quiz: Quiz: Week 1", and the
    quiz's front page does not repeat the title bar."""
    import tomli_w

    from packages.install import install

    pack = write_pack(tmp_path / "src", questions=1)
    course = (pack / "course.toml").read_text(encoding="utf-8")
    (pack / "course.toml").write_text(
        course.replace('title = "All types"', 'title = "Quiz: All types"'), encoding="utf-8"
    )
    quiz = (pack / "quizzes" / "all.toml").read_text(encoding="utf-8")
    (pack / "quizzes" / "all.toml").write_text(
        quiz.replace('title = "All types"', 'title = "Quiz: All types"'), encoding="utf-8"
    )
    assert tomli_w  # the pack is TOML written by write_pack
    install(layout, str(pack), quiet=True)
    app = make_app(layout, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.pause()
        text = screen_text(app)
        assert "Quiz: All types" in text and "Quiz: Quiz:" not in text
        assert text.count("Quiz: All types") == 2  # the outline and the title bar; not the page again


async def test_feedback_and_options_render_markdown(layout: Layout, tmp_path: Path) -> None:
    from packages.install import install

    pack = write_pack(tmp_path / "src", questions=1)
    quiz = (pack / "quizzes" / "all.toml").read_text(encoding="utf-8")
    quiz = quiz.replace('"A is wrong."', '"A is **not** right: see `mean()`."')
    long_b = "B, " + "a very long option " * 8 + "that **ends here**"
    quiz = quiz.replace('text = "B"', f'text = "{long_b}"')
    (pack / "quizzes" / "all.toml").write_text(quiz, encoding="utf-8")
    install(layout, str(pack), quiet=True)
    app = make_app(layout, course_id="tui-test", item_id="all-types")
    async with app.run_test(size=SIZE) as pilot:
        await start_quiz(pilot, app)
        text = screen_text(app)
        assert "ends here" in text and "**" not in text and "…" not in text  # wrapped whole, rendered
        await pilot.press("enter")  # A
        await submit(pilot, app)
        feedback = shown(app.screen.query_one("#q-1 .feedback"))
        assert "A is not right: see mean()." in feedback and "**" not in feedback and "`" not in feedback


async def test_search_results_read_as_text(installed: Layout) -> None:
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("slash")
        await wait_for(pilot, lambda: screen_name(app) == "SearchScreen")
        await pilot.press(*"bold", "enter")
        await pilot.pause()
        results = app.screen.query_one("#results")
        await wait_for(pilot, lambda: results.row_count > 0)
        first = "\n".join(results.lines_text()[:2])
        assert "Intro paragraph with bold and code." in first
        assert "**" not in first and "`" not in first and "line " not in first


# ------------------------------------------------------------------------ what happened and what is next


async def test_a_lesson_read_to_the_end_is_done(layout: Layout, tmp_path: Path) -> None:
    """Scrolling to the end of a lesson and leaving it (any way, here the outline)
    marks it done; one left half-read is not."""
    from packages.install import install

    install(layout, str(write_pack(tmp_path / "src", long_lines=200)), quiet=True)
    app = make_app(layout, course_id="tui-test", item_id="long")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("space")  # one page: not the end
        await pilot.press("p")  # away to the quiz by "previous": half-read stays not done
        await wait_for(pilot, lambda: app.screen.current == "all-types")
        assert app.session.status("long").status != "done"
        app.screen.open("long")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause(0.2)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.screen.current == "all-types")
        assert app.session.status("long").status == "done"
    assert any(e["type"] == "lesson_completed" and e["item_id"] == "long" for e in events(layout, app.learner.id))


async def test_progress_says_which_items_are_not_done(installed: Layout) -> None:
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("n")  # intro done
        await pilot.press("g")
        await wait_for(pilot, lambda: screen_name(app) == "ProgressScreen")
        text = shown(app.screen.query_one("#progress-summary"))
        assert "1/4 items" in text and "Not done yet: All types, Long lesson, Later" in text


async def test_certificate_without_an_lrs_promises_nothing(layout: Layout, tmp_path: Path) -> None:
    """Passed, but the course names no learning record store: the progress screen says
    there is nowhere to send a request, and offers none."""
    app = quiz_app(layout, tmp_path, questions=1)
    async with app.run_test(size=SIZE) as pilot:
        await start_quiz(pilot, app)
        await pilot.press("down", "enter", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.result is not None)
        await pilot.press("g")
        await wait_for(pilot, lambda: screen_name(app) == "ProgressScreen")
        text = shown(app.screen.query_one("#certificate"))
        assert "you passed" in text and "nowhere to send a certificate request" in text
        assert not app.screen.query_one("#request-certificate").display
        assert "mooc certificate request" not in text


async def test_certificate_is_requested_from_the_progress_screen(layout: Layout, tmp_path: Path) -> None:
    app = quiz_app(layout, tmp_path, questions=1, endpoint=ENDPOINT)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ChoiceDialog")
        await pilot.press("escape")  # not now
        await start_quiz(pilot, app)
        await pilot.press("down", "enter", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.result is not None)
        await pilot.press("g")
        await wait_for(pilot, lambda: screen_name(app) == "ProgressScreen")
        assert "can request it. The request goes to 127.0.0.1:9" in shown(app.screen.query_one("#certificate"))
        button = app.screen.query_one("#request-certificate")
        assert button.display
        button.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not button.display)
        text = shown(app.screen.query_one("#certificate"))
        assert "waits until you allow sending your records to 127.0.0.1:9" in text and "Press y" in text
    assert sum(e["type"] == "certificate_requested" for e in events(layout, app.learner.id)) == 1


# ------------------------------------------------------------------------ links and media over SSH


async def test_over_ssh_nothing_opens_and_the_path_is_shown(installed: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MOOC_OPENER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    app = make_app(installed, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("o")
        await wait_for(pilot, lambda: screen_name(app) == "MediaScreen")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        said = [str(n.message) for n in app._notifications]
        assert any(
            m.startswith("Nothing opened: no screen to show it on here (over SSH?). The file is /")
            and m.endswith("media/chart.png")
            for m in said
        ), said
        assert not any("Opened" in m for m in said)


async def test_a_link_to_another_lesson_goes_there(layout: Layout, tmp_path: Path) -> None:
    from packages.install import install

    pack = write_pack(tmp_path / "src")
    intro = pack / "lessons" / "intro.md"
    intro.write_text("# Intro\n\nNext, read [the long lesson](long.md).\n", encoding="utf-8")
    install(layout, str(pack), quiet=True)
    app = make_app(layout, course_id="tui-test")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.press("o")
        await wait_for(pilot, lambda: screen_name(app) == "MediaScreen")
        assert str(app.screen.query_one("#links").get_option_at_index(0).prompt).startswith("[lesson] the long lesson")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen" and app.screen.current == "long")
        assert "Chapter 1" in app.screen.query_one("#lesson").rendered_text(0, 5)


# ------------------------------------------------------------------------ learners on a shared PC


async def test_picker_marks_who_is_learning_and_the_default(installed: Layout) -> None:
    from player.learners import Learners

    learners = Learners(installed)
    learners.remove(learners.current().id)  # the fixture's login learner
    learners.add("Ada Lovelace")
    learners.add("Grace Hopper")
    learners.use("grace-hopper")
    app = make_app(installed)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "LearnerPicker")
        options = app.screen.query_one("#learners")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels == ["Ada Lovelace", "Grace Hopper  (default)"]
        assert options.highlighted == 1  # the default is preselected
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        await pilot.press("u")
        await wait_for(pilot, lambda: screen_name(app) == "LearnerPicker")
        options = app.screen.query_one("#learners")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels == ["Ada Lovelace  (learning now)", "Grace Hopper  (default)"]
        assert options.highlighted == 0


async def test_no_color_highlighted_course_is_inverted(installed: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    """A list's highlighted row under NO_COLOR: inverted (light behind dark text), not
    a shade of grey; the other rows are dark behind light text."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(installed)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "LibraryScreen")
        await pilot.pause()
        options = app.screen.query_one("#courses")
        row = app.screen._compositor.render_strips()[options.region.y + 1]  # inside the border
        title = [seg.style for seg in row if "Learning" in seg.text]
        assert title and all(
            style is not None
            and style.bgcolor is not None
            and style.color is not None
            and style.bgcolor.triplet is not None
            and style.color.triplet is not None
            and sum(style.bgcolor.triplet) > sum(style.color.triplet)
            for style in title
        )
        other = [
            seg.style for seg in app.screen._compositor.render_strips()[options.region.y + 6] if "TUI test" in seg.text
        ]
        assert other and all(sum(s.bgcolor.triplet) < sum(s.color.triplet) for s in other)  # the others: not
