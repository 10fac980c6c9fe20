"""The first screen of the lesson a learner was reading is kept and painted again at the
next start without Rich's Markdown (player/first_screens.py, tui/first_screen.py,
docs/tui.md "Starting").

Pilot at 80x24 on a generated course, and a real Python process for what is imported
before the first screen is up. Hostile or stale kept screens are never painted: the
lesson is rendered as usual and nothing breaks.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from packages.layout import Layout
from player.first_screens import FirstScreen, recall
from tests.support.disk import MountFs
from tests.support.genpack import generate_pack
from tests.test_tui import SIZE, layout, make_app, screen_name, wait_for  # noqa: F401  (layout: a fixture)

COURSE = "big-course"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def course(layout: Layout, tmp_path: Path) -> Layout:  # noqa: F811
    from packages.install import install

    install(layout, str(generate_pack(tmp_path / "src", lessons=12, questions=0)), quiet=True)
    return layout


def learner_id(layout: Layout) -> str:
    from player.learners import Learners

    return Learners(layout).current().id


def kept_file(layout: Layout) -> Path:
    return layout.first_screen_file(learner_id(layout), COURSE)


async def first_screen(layout: Layout, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int] = SIZE) -> dict[str, Any]:
    """Start the player on the course, until its first screen is up: what was painted,
    whether it came from the kept screen, and which Markdown blocks were rendered before."""
    from tui.widgets.lesson_view import LessonView

    rendered: list[int] = []
    ready: list[bool] = []
    block_strips = LessonView._block_strips

    def count(self: Any, blocks: Any, index: int, width: int) -> Any:
        if not ready:
            rendered.append(index)
        return block_strips(self, blocks, index, width)

    monkeypatch.setattr(LessonView, "_block_strips", count)
    app = make_app(layout, course_id=COURSE)
    mark_ready = type(app).mark_ready

    def ready_now(self: Any, at: float | None = None) -> None:  # not when a poll notices: by then the
        ready.append(True)  # next lesson may be rendered ahead (0.1 s later) on a slow machine
        mark_ready(self, at)

    monkeypatch.setattr(type(app), "mark_ready", ready_now)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.ready_ms is not None)
        lesson = app.screen.query_one("#lesson")
        painted = [(s.text, [str(seg.style) for seg in s]) for s in lesson.render_lines(lesson.region.reset_offset)]
        result = {"painted": painted, "offered": lesson.painted_offered, "rendered": list(rendered)}
        await pilot.pause(0.2)  # the next lesson is prepared, and the lesson kept, while the learner reads
    monkeypatch.setattr(LessonView, "_block_strips", block_strips)
    monkeypatch.setattr(type(app), "mark_ready", mark_ready)
    return result


async def test_the_resumed_lesson_is_painted_as_kept_without_rendering_markdown(
    course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await first_screen(course, monkeypatch)
    assert not first["offered"] and first["rendered"]  # nothing kept yet: rendered
    kept = recall(course, learner_id(course), COURSE, "1.0.0")
    assert kept is not None and kept.item == "lesson-00000"
    assert oct(kept_file(course).stat().st_mode & 0o777) == "0o600"
    again = await first_screen(course, monkeypatch)
    assert again["offered"] and again["rendered"] == []  # painted from what was kept
    assert again["painted"] == first["painted"]  # text and styles, cell for cell
    assert any("Lesson 0" in text for text, _ in again["painted"])


async def test_the_lesson_read_last_is_the_one_kept(course: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(course, course_id=COURSE)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "CourseScreen" and app.ready_ms is not None)
        await pilot.press("n", "n")
        await pilot.pause(0.3)
    kept = recall(course, learner_id(course), COURSE, "1.0.0")
    assert kept is not None and kept.item == "lesson-00002"
    again = await first_screen(course, monkeypatch)  # resumes on lesson 2, painted as kept
    assert again["offered"] and again["rendered"] == []
    assert any("Lesson 2" in text for text, _ in again["painted"])


async def test_another_width_or_another_text_is_rendered_as_usual(
    course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    await first_screen(course, monkeypatch)
    wide = await first_screen(course, monkeypatch, size=(100, 30))
    assert not wide["offered"] and wide["rendered"]
    kept = recall(course, learner_id(course), COURSE, "1.0.0")
    assert kept is not None and kept.width > 60  # the wider terminal's, kept in its place
    narrow = await first_screen(course, monkeypatch)  # 80 columns again: rendered, not stretched
    assert not narrow["offered"] and narrow["rendered"]
    data = json.loads(kept_file(course).read_bytes())
    data["sources"][0] = data["sources"][0].replace("Lesson", "Lecture")  # the lesson changed since (an update)
    kept_file(course).write_text(json.dumps(data))
    changed = await first_screen(course, monkeypatch)
    assert not changed["offered"] and changed["rendered"]


def plant(layout: Layout, change: Any) -> Path:
    path = kept_file(layout)
    data = json.loads(path.read_bytes())
    change(data)
    path.write_text(json.dumps(data))
    return path


def escape_in_text(data: dict[str, Any]) -> None:
    data["blocks"][0][0][0][0] = "\x1b]0;pwned\x07" + data["blocks"][0][0][0][0][9:]


def link_style(data: dict[str, Any]) -> None:
    data["styles"][0] = "link https://example.invalid/"


def bad_style(data: dict[str, Any]) -> None:
    data["styles"][0] = "bold on on on"


def bidi_override(data: dict[str, Any]) -> None:
    data["blocks"][0][0][0][0] = "\u202e" + data["blocks"][0][0][0][0][1:]


def too_short(data: dict[str, Any]) -> None:
    data["blocks"][0][0][0][0] = data["blocks"][0][0][0][0][:-3]  # the line no longer fills the width


def style_out_of_range(data: dict[str, Any]) -> None:
    data["blocks"][0][0][0][1] = 999


def too_many_lines(data: dict[str, Any]) -> None:
    data["blocks"][0] = data["blocks"][0] * 500


def not_ours(data: dict[str, Any]) -> None:
    data["format"] = 99


def sources_missing(data: dict[str, Any]) -> None:
    data["sources"] = data["sources"][:-1]


def more_flipped(data: dict[str, Any]) -> None:
    data["more"] = not data["more"]  # the blank line after the last block kept would be wrong


@pytest.mark.parametrize(
    "change",
    [
        escape_in_text,
        link_style,
        bad_style,
        bidi_override,
        too_short,
        style_out_of_range,
        too_many_lines,
        not_ours,
        sources_missing,
        more_flipped,
    ],
)
async def test_a_tampered_kept_screen_is_never_painted(
    course: Layout, monkeypatch: pytest.MonkeyPatch, change: Any
) -> None:
    await first_screen(course, monkeypatch)
    path = plant(course, change)
    planted = path.read_bytes()
    if change not in (too_short, bad_style, more_flipped):  # refused as read; those three, when painted
        assert recall(course, learner_id(course), COURSE, "1.0.0") is None
    result = await first_screen(course, monkeypatch)
    assert not result["offered"] and result["rendered"]
    assert not any("\x1b" in text or "\u202e" in text for text, _ in result["painted"])
    assert path.read_bytes() != planted  # replaced by the lesson as painted now
    assert recall(course, learner_id(course), COURSE, "1.0.0") is not None


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes, links and FIFOs")
@pytest.mark.parametrize("what", ["file writable by others", "folder writable by others", "a link", "a FIFO", "huge"])
async def test_a_kept_screen_someone_else_could_have_written_is_not_read(
    course: Layout, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, what: str
) -> None:
    await first_screen(course, monkeypatch)
    path = kept_file(course)
    if what == "file writable by others":
        path.chmod(0o666)
    elif what == "folder writable by others":
        path.parent.chmod(0o777)
    elif what == "a link":
        target = tmp_path / "elsewhere.json"
        target.write_bytes(path.read_bytes())
        path.unlink()
        path.symlink_to(target)
    elif what == "a FIFO":
        path.unlink()
        os.mkfifo(path)
    else:
        path.write_bytes(b" " * (2 * 1024 * 1024))
    assert recall(course, learner_id(course), COURSE, "1.0.0") is None  # and it did not block
    result = await first_screen(course, monkeypatch)
    assert not result["offered"] and result["rendered"]


async def test_a_full_disk_keeps_no_screen_and_costs_nothing_else(
    course: Layout, monkeypatch: pytest.MonkeyPatch, tmpfs: MountFs
) -> None:
    disk = tmpfs("small", size="64k")
    (disk / "filler").write_bytes(b"")
    with contextlib.suppress(OSError), open(disk / "filler", "wb") as fh:  # fill it up
        while True:
            fh.write(b"x" * 4096)
            fh.flush()
    folder = kept_file(course).parent
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.symlink_to(disk)  # the learner's kept screens live on the full disk
    progress = course.progress_file(learner_id(course), COURSE)
    result = await first_screen(course, monkeypatch)
    assert result["rendered"]
    assert sorted(p.name for p in disk.iterdir()) == ["filler"]  # no kept screen, no temporary file left
    assert "lesson_opened" in progress.read_text()  # the learner's record is written as ever


def test_the_kept_screen_reads_back_as_written(course: Layout) -> None:
    block_one = (((" né ", 1),),)  # one line of one segment
    block_two = ((("ab", 0), ("cd", 1)),)  # one line of two
    styles = ("", "bold #e0e0e0 on #121212")
    screen = FirstScreen(
        COURSE, "1.0.0", "lesson-00001", "look|none", 4, ("# é", "x"), True, styles, (block_one, block_two)
    )
    from player.first_screens import keep

    keep(course, "someone", screen)
    assert recall(course, "someone", COURSE, "1.0.0") == screen
    assert recall(course, "someone", COURSE, "2.0.0") is None  # another version: not this one's


def test_the_resumed_first_screen_is_up_before_markdown_is_imported(course: Layout) -> None:
    """In a fresh Python process, as `mooc play` starts: the second start paints the kept
    screen before `rich.markdown` (and markdown-it, Pygments) is imported; neither start
    has loaded the modules only a quiz, a certificate question or `o` needs."""
    script = textwrap.dedent(
        """
        import asyncio, sys
        from packages.layout import Layout
        import tui.app
        seen = []
        mark_ready = tui.app.MoocApp.mark_ready
        later = ("tui.lesson_links", "player.attempt_records", "player.certificate_status")
        def ready(self, *args, **kw):
            seen.append("rich.markdown" in sys.modules)
            seen.append([m for m in later if m in sys.modules] or ["none"])
            mark_ready(self, *args, **kw)
        tui.app.MoocApp.mark_ready = ready
        async def main():
            app = tui.app.MoocApp(layout=Layout.default(sys.argv[1]), course_id="big-course")
            async with app.run_test(size=(80, 24)) as pilot:
                while app.ready_ms is None:
                    await pilot.pause(0.02)
                await pilot.pause(0.3)
                lesson = app.screen.query_one("#lesson")
                print("loaded-at-ready", *seen[1], "markdown-at-ready", seen[0], "offered", lesson.painted_offered)
        asyncio.run(main())
        """
    )
    env = dict(os.environ, PYTHONPATH=str(REPO), MOOC_NO_SYNC="1")
    outputs = []
    for _ in range(2):
        run = subprocess.run(
            [sys.executable, "-c", script, str(course.home)], capture_output=True, text=True, env=env, timeout=60
        )
        assert run.returncode == 0, run.stderr[-2000:]
        outputs.append(run.stdout.split())
    assert outputs[0][-3:] == ["True", "offered", "False"]  # nothing kept: Markdown needed for the first screen
    assert outputs[1][-3:] == ["False", "offered", "True"]
    for output in outputs:  # what only a quiz, a certificate question or `o` needs: not yet
        assert output[output.index("loaded-at-ready") + 1] == "none"


def test_removing_the_course_drops_every_learners_kept_screen(course: Layout, run_mooc: Any) -> None:
    from player.first_screens import keep

    screen = FirstScreen(COURSE, "1.0.0", "lesson-00001", "look|none", 2, ("ab",), False, ("",), (((("ab", 0),),),))
    for learner in ("ada", "grace"):
        keep(course, learner, screen)
    other = FirstScreen("mooc-demo", "1.0.0", "intro", "look|none", 2, ("cd",), False, ("",), (((("cd", 0),),),))
    keep(course, "ada", other)
    r = run_mooc("remove", COURSE, "--yes")
    assert r.returncode == 0, r.stderr
    assert (
        not course.first_screen_file("ada", COURSE).exists() and not course.first_screen_file("grace", COURSE).exists()
    )
    assert recall(course, "ada", "mooc-demo", "1.0.0") == other  # another course's stays


async def test_a_first_block_too_tall_to_read_back_is_not_kept(layout: Layout, tmp_path: Path) -> None:  # noqa: F811
    """A lesson opening on a 500-line code block: its first screen is that whole block,
    more lines than a kept screen may hold. Nothing is written (it would never be read)."""
    from packages.install import install
    from tests.test_tui import write_pack

    src = write_pack(tmp_path / "src")
    intro = src / "lessons" / "intro.md"
    intro.write_text("```\n" + "\n".join(f"line {n}" for n in range(500)) + "\n```\n\nAfter the code.\n")
    install(layout, str(src), quiet=True)
    app = make_app(layout, course_id="tui-test", item_id="intro")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.ready_ms is not None)
        await pilot.pause(0.3)
        assert "line 0" in app.screen.query_one("#lesson").rendered_text(0, 5)
    assert not layout.first_screen_file(learner_id(layout), "tui-test").exists()
