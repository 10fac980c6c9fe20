"""Pack flavours, the player side (issue 22): placeholders where a lesson links to media
the installed flavour left out (plain mode through the real `mooc`, the TUI through
Pilot), `omitted_entry` for the per-item fetch, and progress that does not depend on
the flavour: the same lesson and quiz studied in the text and the full pack give the
same events and xAPI statements.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from packages.layout import Layout
from packages.manifest import ManifestEntry
from player.placeholders import mark_omitted
from tests.support import flavoured
from tests.support.flavoured import PDF, TRANSCRIPT, VIDEO, flavoured_course
from tests.support.pilot_wait import until_screen

VIDEO_NOTE = "[video, 300 kB: in the full pack]"


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from packages.building import build_flavours

    base = tmp_path_factory.mktemp("flavours")
    course = flavoured_course(base / "course")
    return {r.flavour: r.path for r in build_flavours(course, base / "dist")}


def _install(run_mooc: Any, pack: Path, **env: str) -> None:
    r = run_mooc("install", str(pack), "--force", env=env or None)
    assert r.returncode == 0, r.stderr


# --------------------------------------------------------------------------- the Markdown


def test_placeholders_follow_links_images_references_and_html_but_not_code() -> None:
    omitted = {
        "media/v.mp4": ManifestEntry("media/v.mp4", 14_000_000, "0" * 64),
        "media/a b.png": ManifestEntry("media/a b.png", 1_400, "0" * 64),
    }
    v, a = r"\[video, 14 MB: in the full pack\]", r"\[image, 1.4 kB: in the full pack\]"
    lesson = "\n".join(
        [
            "# L",
            'See [the *video*](../media/v.mp4 "a title") and ![A [nested] chart](<../media/a%20b.png>).',
            "Kept: [notes](../media/k.pdf), [web](https://x.example.org/v.mp4), [anchor](#v).",
            "Inline code `[c](../media/v.mp4)` and a fence:",
            "```",
            "![x](../media/v.mp4)",
            "```",
            "A reference [lecture][vid], [vid] and [Vid][].",
            "",
            '[vid]: ../media/v.mp4 "x"',
            '<img src="/media/v.mp4" alt="chart"> and <A HREF=\'../media/v.mp4\'>the <b>video</b></a> end.',
            "[the same file](../lessons/../media/v.mp4#t=10)",
            "![](../media/a%20b.png) ![alt][pic]",
            "",
            "[pic]: ../media/a%20b.png",
        ]
    )
    out = mark_omitted(lesson, "lessons/l.md", omitted)
    assert out.splitlines() == [
        "# L",
        f'See [the *video*](../media/v.mp4 "a title") {v} and [A [nested] chart](<../media/a%20b.png>) {a}.',
        "Kept: [notes](../media/k.pdf), [web](https://x.example.org/v.mp4), [anchor](#v).",
        "Inline code `[c](../media/v.mp4)` and a fence:",
        "```",
        "![x](../media/v.mp4)",
        "```",
        f"A reference [lecture][vid] {v}, [vid] {v} and [Vid][] {v}.",
        "",
        '[vid]: ../media/v.mp4 "x"',
        f'<img src="/media/v.mp4" alt="chart"> {v} and <A HREF=\'../media/v.mp4\'>the <b>video</b></a> {v} end.',
        f"[the same file](../lessons/../media/v.mp4#t=10) {v}",
        f"[a b.png](../media/a%20b.png) {a} [alt][pic] {a}",  # an image left out reads as a link to it
        "",
        "[pic]: ../media/a%20b.png",
    ]
    assert mark_omitted(lesson, "lessons/l.md", {}) is lesson  # a full pack: nothing to do
    # a hostile lesson: long runs of brackets take no time to scan (no backtracking blow-up)
    hostile = "[" * 20_000 + "](../media/v.mp4" + "]" * 20_000
    assert mark_omitted(hostile, "lessons/l.md", omitted).count("in the full pack") <= 1


# --------------------------------------------------------------------------- plain mode


def test_plain_mode_shows_placeholders_and_why_a_file_cannot_open(run_mooc: Any, packs: dict[str, Path]) -> None:
    _install(run_mooc, packs["text"])
    r = run_mooc("play", "--plain", "mooc-demo", "using-the-player", input="m 2\nq\n")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert f"Watch the lecture (file 2) {VIDEO_NOTE} and read its transcript (file 3)." in out
    assert "The lecture notes (file 4) [PDF, 20 kB: in the full pack] are there too" in out
    assert "and the interview (file 5) [audio, 40 kB: in the full pack]." in out
    assert "A photo of the lecture hall (file 6) [image, 12 kB: in the full pack]" in out
    assert (
        "  File 2, Watch the lecture: cannot be opened: video, 300 kB: in the full pack (this pack left it out)" in out
    )
    assert re.search(r"  File 3, its transcript: /\S+/media/lecture\.vtt\n", out), out  # transcripts are kept
    assert "File 2 cannot be opened: video, 300 kB: in the full pack (this pack left it out)" in out

    _install(run_mooc, packs["novideo"])
    out = run_mooc("play", "--plain", "mooc-demo", "using-the-player", input="q\n").stdout
    assert f"Watch the lecture (file 2) {VIDEO_NOTE}" in out
    assert "in the full pack" not in out.replace(VIDEO_NOTE, "").replace("video, 300 kB: in the full pack", "")

    _install(run_mooc, packs["full"])
    out = run_mooc("play", "--plain", "mooc-demo", "using-the-player", input="q\n").stdout
    assert "Watch the lecture (file 2) and read" in out and "in the full pack" not in out


# --------------------------------------------------------------------------- TUI


async def test_tui_lesson_shows_placeholders_and_o_names_what_is_left_out(
    mooc_home: Any, packs: dict[str, Path]
) -> None:
    from packages.install import install
    from player.learners import Learners
    from tui.app import MoocApp

    layout = Layout.default(mooc_home.home)
    Learners(layout).current()
    install(layout, str(packs["text"]), quiet=True)
    app = MoocApp(layout=layout, course_id="mooc-demo", item_id="using-the-player")
    async with app.run_test(size=(100, 40)) as pilot:
        await until_screen(pilot, "CourseScreen")
        lesson = app.screen.query_one("#lesson")
        text = " ".join(lesson.rendered_text(0, lesson.virtual_size.height + 400).split())
        assert f"Watch the lecture (../media/lecture.mp4) {VIDEO_NOTE}" in text, text[-1500:]
        assert "its transcript (../media/lecture.vtt). The" in text  # kept: no placeholder
        assert "lecture notes (../media/notes.pdf) [PDF, 20 kB: in the full pack]" in text
        assert "A photo of the lecture hall (../media/lecture-hall.jpg) [image, 12 kB: in the full pack]" in text
        assert "row of keys along the bottom (../media/player-layout.png) [image, 982 bytes: in the full pack]" in text
        assert "🌆" not in text  # no picture to show: the alt text reads as a link

        await pilot.press("o")
        await until_screen(pilot, "MediaScreen", 50)
        links = app.screen.query_one("#links")
        prompts = [str(links.get_option_at_index(i).prompt) for i in range(links.option_count)]
        lecture = next(i for i, p in enumerate(prompts) if "Watch the lecture" in p)
        assert prompts[lecture].startswith("[video, 300 kB: in the full pack] Watch the lecture")
        assert next(p for p in prompts if "its transcript" in p).startswith("[file] ")
        links.highlighted = lecture
        await pilot.press("enter")
        for _ in range(50):
            if any("this pack left it out" in str(n.message) for n in app._notifications):
                break
            await pilot.pause(0.05)
        said = [str(n.message) for n in app._notifications]
        assert "../media/lecture.mp4: video, 300 kB: in the full pack; this pack left it out" in said, said

        await pilot.press("n")  # the practice quiz: its first prompt links to the video too
        for _ in range(100):
            if getattr(app.screen, "current", None) == "player-practice":
                break
            await pilot.pause(0.05)
        await pilot.press("enter")  # "Start the quiz"
        await until_screen(pilot, "QuizScreen")
        from rich.console import Console

        console = Console(width=200, record=True, file=open("/dev/null", "w"), color_system=None)
        console.print(app.screen.query_one("#q-1 .prompt").content)
        assert f"(As in the lecture (../media/lecture.mp4) {VIDEO_NOTE}.)" in console.export_text()
        await pilot.press("escape")
        await until_screen(pilot, "CourseScreen")
        await pilot.press("escape")  # back to the library, which names the flavour
        await until_screen(pilot, "LibraryScreen")
        options = app.screen.query_one("OptionList")
        rows = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("Learning in the open" in r and "text pack: media in the full pack" in r for r in rows), rows
        await pilot.press("ctrl+q")


# --------------------------------------------------------------------------- the per-item fetch's entry


def test_omitted_entry_for_an_installed_course_a_session_and_a_pack(
    run_mooc: Any, mooc_home: Any, packs: dict[str, Path]
) -> None:
    from packages.omitted_media import omitted_entry
    from packages.source import open_source
    from packages.store import Store
    from player.placeholders import omitted_link

    _install(run_mooc, packs["text"])
    layout = Layout(mooc_home.home, mooc_home.system)
    store = Store(layout)
    installed = store.get("mooc-demo")
    video = omitted_entry(installed, VIDEO)
    manifest = json.loads((installed.path / "mooc-manifest.json").read_text())
    listed = {e["path"]: e for e in manifest["omitted"]}
    assert video is not None and (video.size, video.sha256) == (listed[VIDEO]["size"], listed[VIDEO]["sha256"])
    assert omitted_entry(installed, TRANSCRIPT) is None and omitted_entry(installed, "lessons/x.md") is None
    course, source = store.load("mooc-demo")
    assert omitted_entry(source, PDF) == omitted_entry(installed.path, PDF) == omitted_entry(installed, PDF)

    class Session:  # what omitted_link reads of a CourseSession
        def __init__(self, source: Any) -> None:
            self.source = source

    assert omitted_link(Session(source), flavoured.LESSON, "../media/lecture.mp4") == video
    assert omitted_link(Session(source), flavoured.LESSON, "../media/lecture.vtt") is None
    with open_source(packs["text"]) as pack:  # a .mooc file: its manifest
        assert omitted_entry(pack, VIDEO) == video
    with open_source(packs["full"]) as pack:
        assert omitted_entry(pack, VIDEO) is None

    # a damaged installed manifest: nothing counts as left out, the lesson still shows
    (installed.path / "mooc-manifest.json").write_text('{"format": 1, "omitted": 3}')
    assert omitted_entry(installed, VIDEO) is None
    out = run_mooc("play", "--plain", "mooc-demo", "using-the-player", input="q\n")
    assert out.returncode == 0 and "Watch the lecture (file 2) and read" in out.stdout, out.stdout + out.stderr


# --------------------------------------------------------------------------- progress is flavour-blind

# read lesson 1, then its practice quiz (the order question, shown shuffled per attempt, skipped)
STUDY = "\n1\nquestion mark\nctrl+s\nskip\nfalse\nsubmit\n\nq\n"
_VARYING = {"id", "time", "timestamp", "stored", "registration", "statement_id", "seconds", "duration_s", "duration"}


def _same_shape(value: Any) -> Any:
    """A statement or event with what differs between two runs (ids, times, durations) blanked."""
    if isinstance(value, dict):
        return {k: "*" if k in _VARYING else _same_shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_same_shape(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value):
        return "*"
    return value


def test_progress_and_statements_do_not_depend_on_the_flavour(
    run_mooc: Any, tmp_path: Path, packs: dict[str, Path]
) -> None:
    from packages.store import Store
    from player.progress import EventLog
    from sync.collect import registration_of
    from sync.statements import Actor, CourseShape, statements_for

    studied: dict[str, tuple[list[Any], list[Any]]] = {}
    for flavour in ("text", "full"):
        home = tmp_path / f"home-{flavour}"
        home.mkdir()
        _install(run_mooc, packs[flavour], MOOC_HOME=str(home))
        r = run_mooc("play", "--plain", "mooc-demo", "using-the-player", input=STUDY, env={"MOOC_HOME": str(home)})
        assert r.returncode == 0 and "Marked done: Using the player." in r.stdout, r.stdout + r.stderr
        said = "marks the lesson as done? (As in the lecture (../media/lecture.mp4)"  # a quiz prompt's link
        assert said + (f" {VIDEO_NOTE}.)" if flavour == "text" else ".)") in r.stdout, r.stdout
        layout = Layout(home, tmp_path / "system")
        course, _source = Store(layout).load("mooc-demo")
        [learner] = [p.name for p in (home / "learners").iterdir()]
        events = EventLog.for_course(layout, learner, "mooc-demo").events()
        shape = CourseShape.of(course)
        statements = [
            st
            for e in events
            for st in statements_for(e, Actor(None, "acc"), "https://lrs.example.org", registration_of(events), shape)
        ]
        studied[flavour] = ([e.to_dict() for e in events], statements)

    (text_events, text_statements), (full_events, full_statements) = studied["text"], studied["full"]
    kinds = [(e["type"], e["item_id"]) for e in text_events]
    assert ("lesson_completed", "using-the-player") in kinds and ("attempt", "player-practice") in kinds
    assert kinds == [(e["type"], e["item_id"]) for e in full_events]
    assert _same_shape(text_events) == _same_shape(full_events)
    assert len(text_statements) == len(full_statements) > 5
    assert _same_shape(text_statements) == _same_shape(full_statements)
    objects = {st["object"]["id"] for st in text_statements}
    assert any(o.endswith("using-the-player") for o in objects) and any("player-practice" in o for o in objects)
