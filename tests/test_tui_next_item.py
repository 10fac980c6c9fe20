"""`n` on the course screen updates the screen in place (docs/tui.md, "Moving on with n").

The next lesson's first screen is rendered while the learner reads (`LessonView.prepare`),
`n` then swaps it in: no layout pass (lessons of the same height), no Markdown rendered
for the lesson shown, the outline's cursor and marks repainted line by line. Pilot at
80x24 on a generated course whose lessons all have the same shape; nothing is faked,
the spies only count calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from packages.layout import Layout
from tests.support.disk import MountFs
from tests.support.genpack import generate_pack
from tests.test_tui import SIZE, layout, make_app, screen_name, wait_for  # noqa: F401  (layout: a fixture)


@pytest.fixture
def course_of_lessons(layout: Layout, tmp_path: Path) -> Layout:  # noqa: F811
    from packages.install import install

    install(layout, str(generate_pack(tmp_path / "src", lessons=40, questions=0)), quiet=True)
    return layout


def screen_text(app: Any) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(pilot: Any, app: Any) -> None:
    """Until the learner would be reading: the next lesson rendered ahead, the outline
    caught up, the lesson's filler done (each runs on its timer)."""
    from tui.screens.course import AHEAD_S

    await pilot.pause(AHEAD_S)
    screen = app.screen
    lesson = screen.query_one("#lesson")
    await wait_for(
        pilot,
        lambda: (
            screen._ahead_timer is None
            and screen._marks_timer is None
            and not lesson._fill_timer_pending
            and lesson.next_ready
        ),
    )
    await pilot.pause()


async def test_next_lesson_is_swapped_in_without_layout_or_rendering(
    course_of_lessons: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.screen import Screen

    from tui.widgets.lesson_view import AHEAD_KEPT, LessonView

    layouts: list[str] = []
    rendered: list[str] = []
    refresh_layout, block_strips = Screen._refresh_layout, LessonView._block_strips

    def count_layout(self: Any, *args: Any, **kw: Any) -> None:
        layouts.append(type(self).__name__)
        refresh_layout(self, *args, **kw)

    def count_render(self: Any, blocks: Any, index: int, width: int) -> Any:
        rendered.append(blocks[index].source.split("\n", 1)[0])
        return block_strips(self, blocks, index, width)

    monkeypatch.setattr(Screen, "_refresh_layout", count_layout)
    monkeypatch.setattr(LessonView, "_block_strips", count_render)
    # Lessons 1 to 9 wrap alike ("a number 1017."); lesson 0 has shorter numbers.
    app = make_app(course_of_lessons, course_id="big-course", item_id="lesson-00001")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await settle(pilot, app)
        screen = app.screen
        lesson = screen.query_one("#lesson")
        outline = screen.query_one("#outline")
        assert "number 1000." in screen_text(app)
        assert "# Lesson 2" in rendered  # rendered ahead, while lesson 1 is read
        for k in range(2, 5):
            layouts.clear()
            rendered.clear()
            await pilot.press("n")
            await pilot.pause()
            assert f"number {k}000." in screen_text(app) and f"Lesson {k}" in screen_text(app)
            assert screen.current == f"lesson-{k:05d}"
            assert f"# Lesson {k}" not in rendered  # swapped in, not rendered on the key
            assert layouts == []  # same height as the lesson before: nothing laid out again
            await settle(pilot, app)  # the outline follows: its cursor, the mark of the lesson left
            assert outline.cursor_item == f"lesson-{k:05d}"
            assert outline.label_of(f"lesson-{k - 1:05d}").plain.startswith(("✓", "+"))
        assert len(lesson._ahead) <= AHEAD_KEPT + 1  # what is kept rendered stays bounded (+ the next)
        # `p` comes back to the lesson just left without rendering it again
        rendered.clear()
        await pilot.press("p")
        await pilot.pause()
        assert "number 3000." in screen_text(app) and "# Lesson 3" not in rendered
        # what was kept (or prepared) is what a plain show() renders
        kept = lesson.rendered_text(0, 20)
        lesson.show("")
        lesson._ahead.clear()
        lesson.show(app.session.lesson_text("lesson-00003"))
        assert lesson.rendered_text(0, 20) == kept and "# Lesson 3" in rendered


async def test_outline_cursor_repaints_the_right_rows_when_scrolled(course_of_lessons: Layout) -> None:
    """With the outline scrolled, moving the cursor repaints the rows it left and entered
    (a row was once refreshed with the scroll taken off twice: the old row stayed lit)."""
    app = make_app(course_of_lessons, course_id="big-course", item_id="lesson-00030")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.pause(0.2)
        outline = app.screen.query_one("#outline")
        await pilot.press("h")  # the keys to the outline
        await pilot.pause()
        assert outline.scroll_y > 0 and outline.has_focus
        cursor = outline.get_component_rich_style("outline-view--cursor", partial=True).bgcolor

        def lit_rows() -> list[str]:
            strips = app.screen._compositor.render_strips()
            top = outline.region.y
            return [
                strips[top + y].text.strip()[:12]
                for y in range(outline.region.height)
                if any(seg.style and seg.style.bgcolor == cursor for seg in strips[top + y])
            ]

        assert len(lit_rows()) == 1 and "Lesson 30" in lit_rows()[0]
        for _ in range(3):
            await pilot.press("up")
        await pilot.pause()
        assert outline.cursor_item == "lesson-00027"
        assert len(lit_rows()) == 1 and "Lesson 27" in lit_rows()[0]


async def test_next_item_is_one_write_and_a_failed_one_keeps_nothing(
    course_of_lessons: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time on the lesson left, its completion and the next opening: one append to the
    real event log per `n`. When that write fails (a full disk), the learner is told where
    the lesson would be and nothing of the move is kept."""
    from packages.errors import MoocError
    from player.progress import EventLog

    appends: list[list[str]] = []
    append = EventLog.append

    def counted(self: EventLog, *events: Any) -> None:
        appends.append([e.type for e in events])
        append(self, *events)

    monkeypatch.setattr(EventLog, "append", counted)
    app = make_app(course_of_lessons, course_id="big-course", item_id="lesson-00001")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await pilot.pause(0.1)
        appends.clear()
        app.screen.clock.take()
        app.screen.clock._active = 5.0  # five seconds read: recorded as time on the lesson
        await pilot.press("n")
        assert appends == [["time_spent", "lesson_completed", "position", "lesson_opened"]]

        def full(self: EventLog, *events: Any) -> None:
            raise MoocError("progress not saved: disk full")  # the real one names the file first

        monkeypatch.setattr(EventLog, "append", full)
        await pilot.press("n")
        await wait_for(pilot, lambda: "progress not saved: disk full" in screen_text(app))
        assert app.session.status("lesson-00002").status == "started"  # not done: not saved
        assert app.session.last_position() == "lesson-00002"
        monkeypatch.setattr(EventLog, "append", append)
        reread = EventLog.for_course(course_of_lessons, app.learner.id, "big-course").events()
        assert not any(e.type == "lesson_completed" and e.item_id == "lesson-00002" for e in reread)


async def test_a_new_width_prepares_the_next_lesson_again(
    course_of_lessons: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What was rendered ahead is for one width: after a resize the next lesson is
    rendered ahead again, at the new width, and `n` still only swaps it in."""
    from tui.widgets.lesson_view import LessonView

    rendered: list[str] = []
    block_strips = LessonView._block_strips

    def count_render(self: Any, blocks: Any, index: int, width: int) -> Any:
        rendered.append(f"{blocks[index].source.split(chr(10), 1)[0]} @{width}")
        return block_strips(self, blocks, index, width)

    monkeypatch.setattr(LessonView, "_block_strips", count_render)
    app = make_app(course_of_lessons, course_id="big-course", item_id="lesson-00001")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen")
        await settle(pilot, app)
        lesson = app.screen.query_one("#lesson")
        narrow = lesson._content_width()
        assert f"# Lesson 2 @{narrow}" in rendered
        await pilot.resize_terminal(110, 30)
        await settle(pilot, app)
        wide = lesson._content_width()
        assert wide != narrow and f"# Lesson 2 @{wide}" in rendered
        rendered.clear()
        await pilot.press("n")
        await pilot.pause()
        assert "number 2000." in screen_text(app) and not any(r.startswith("# Lesson 2") for r in rendered)


async def test_the_opening_is_written_once_after_the_first_screen(
    course_of_lessons: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a course records the resume point and the lesson opened with one durable
    append, once the first screen is painted (an old disk's fsync is not waited for)."""
    from player.progress import EventLog
    from tui import messages

    appends: list[tuple[bool, list[str]]] = []  # (the first screen was painted, what was written)
    painted: list[bool] = []
    append = EventLog.append
    ready_init = messages.Ready.__init__

    def counted(self: EventLog, *events: Any) -> None:
        appends.append((bool(painted), [e.type for e in events]))
        append(self, *events)

    def posted(self: messages.Ready) -> None:  # made in the first refresh's callback
        painted.append(True)
        ready_init(self)

    monkeypatch.setattr(EventLog, "append", counted)
    monkeypatch.setattr(messages.Ready, "__init__", posted)
    app = make_app(course_of_lessons, course_id="big-course", item_id="lesson-00003")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.ready_ms is not None)
        await pilot.pause(0.1)
    assert appends == [
        (False, ["enrolled"]),  # the first visit ever: recorded as the session is made
        (True, ["position", "lesson_opened"]),  # one write, after the first paint
    ]
    log = EventLog.for_course(course_of_lessons, app.learner.id, "big-course").events()
    assert [e.type for e in log if e.item_id == "lesson-00003"] == ["position", "lesson_opened"]


async def test_a_failed_opening_write_is_said_and_nothing_is_kept(tmp_path: Path, tmpfs: MountFs) -> None:
    """When the opening's write fails (the data folder's disk turned read-only, for real),
    the lesson is still there to read, the learner is told which file could not be
    written and why, and the outline shows what the log holds."""
    import subprocess

    from packages.install import install
    from player.learners import Learners
    from player.progress import EventLog

    disk = tmpfs("data", size="3m")
    home = Layout(home=disk / "home", system_home=tmp_path / "system")
    Learners(home).current()
    install(home, str(generate_pack(tmp_path / "src", lessons=12, questions=0)), quiet=True)
    app = make_app(home, course_id="big-course", item_id="lesson-00001")
    async with app.run_test(size=SIZE) as pilot:  # a first visit: enrolled, lesson 1 opened
        await wait_for(pilot, lambda: app.ready_ms is not None)
    log = EventLog.for_course(home, app.learner.id, "big-course")
    before = log.path.read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    app = make_app(home, course_id="big-course", item_id="lesson-00005")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.ready_ms is not None)
        await pilot.pause(0.1)
        said = [str(n.message) for n in app._notifications]
        assert len(said) == 1 and said[0].startswith(str(log.path)) and "Read-only file system" in said[0], said
        assert "number 5000." in screen_text(app)  # the lesson is there to read
        assert app.session.status("lesson-00005").status == "new"  # as the log says
        assert app.session.last_position() == "lesson-00001"
    assert log.path.read_bytes() == before
