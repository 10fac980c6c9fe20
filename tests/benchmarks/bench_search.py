"""Benchmark lesson search as you type (run by hand: .venv/bin/python tests/benchmarks/bench_search.py).

On the 2,000-lesson pack of tests/support/genpack.py (20 lines each, 40,000 lines, no
quizzes), installed with every module open (its date locks taken out of course.toml:
the most text a search can have to cover), each figure against a baseline measured in
the same run:

- per keystroke, typing words letter by letter ("emphasis": every line holds it, so
  200 results at once; "number 1234": many, then few; "zebra": none, the whole text
  scanned each time; "lesson 1999": the last lesson):
  - baseline: the scan the index replaced (tests/support/plain_search.py) over lesson
    texts already in memory: what the old search cost on the UI thread per query, not
    counting its reading 2,000 files at the first one. The honest floor of "no index":
    the same answers with nothing read;
  - the index query (`SearchIndex.find`), in all and for "zebra" alone;
  - in the app (Pilot, headless, 80x24; keys handed to the app as Pilot does, a
    typist's pause of 0.1 s between them): from the key until the letter is painted in
    the field (the floor: what any keystroke costs), and until that query's results
    are painted (worker thread, message, rows handed to the list, frame drawn): goal <= 50 ms.
    "Painted" is the end of the first frame written to the terminal after the field or
    the list drew its lines anew; results equal to those on screen are painted when
    they come (nothing is drawn again);
  - the UI thread's own CPU time from the key to those results (the worker's not
    counted): what typing could have to wait for;
  - a burst: a whole word as fast as the app takes keys, until the last query's
    results are painted (the earlier queries cancelled or dropped on the way);
  - the first search of a session: `/` (the dialog opening, which starts reading the
    kept index), then a letter until its results are painted;
- the index of the installed version, cold (built from the 2,000 lesson files, which
  the OS has cached: no cache drop on a shared machine), cold and kept on disk, and
  warm (read back from the kept file), against reading those 2,000 files (what the
  old first search did, on the UI thread).

The app is started as `mooc play` starts it: the garbage collector off until its first
screen, where the app freezes what it has made and turns it back on.

Then the same again pinned to one core (tests/benchmarks/timing.py). BENCH_RUNS=N
changes how many times each figure is taken (default 5).
"""

from __future__ import annotations

import asyncio
import gc
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from timing import Spread, both_ways, heading, timed  # noqa: E402  (tests/benchmarks/timing.py)

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
WORDS = ("emphasis", "number 1234", "zebra", "lesson 1999")
PAUSE = 0.1  # s between keystrokes after the results came: a fast typist's pace
ID = "big-course"


def prefixes() -> list[str]:
    return [word[:n] for word in WORDS for n in range(1, len(word) + 1)]


def install_big(root: Path) -> Any:
    from packages.install import install
    from packages.layout import Layout
    from player.learners import Learners
    from tests.support.genpack import generate_pack

    src = generate_pack(root / "big", lessons=2000, questions=0)
    toml = src / "course.toml"
    toml.write_text(re.sub(r"unlock_after_days = \d+", "unlock_after_days = 0", toml.read_text()))
    layout = Layout(home=root / "home", system_home=root / "system")
    install(layout, str(src), quiet=True)
    Learners(layout).current()  # a learner already: a first start would ask who is learning
    return layout


def engine(layout: Any) -> Spread:
    """The old scan and the index query, per keystroke; returns the scan's spread."""
    from packages.store import Store
    from player.session import CourseSession
    from tests.support.plain_search import scan_search

    course, source = Store(layout).load(ID)
    session = CourseSession(course, source, [])
    modules = session.searchable_modules()
    assert len(modules) == len(course.modules), "every module should be open"
    index = session.search_index()
    lines = sum(count for _, count in index.lessons)
    size = sum(len(line.encode()) + 1 for line in index.lines) / 1e6
    print(f"{len(index.lessons)} lessons, {lines} lines, {size:.1f} MB of lesson text, every module open")
    for query in prefixes():  # the same answers; and the scan now holds every lesson text in memory
        assert index.find(query, modules) == scan_search(session, query), query
    scan: dict[str, list[float]] = {word: [] for word in WORDS}
    found: dict[str, list[float]] = {word: [] for word in WORDS}
    for word in WORDS:
        for query in (word[:n] for n in range(1, len(word) + 1)):
            scan[word] += [timed(lambda q=query: scan_search(session, q), 1).median for _ in range(RUNS)]
            found[word] += [timed(lambda q=query: index.find(q, modules), 1).median for _ in range(RUNS)]
    base, idx = Spread.of(sum(scan.values(), [])), Spread.of(sum(found.values(), []))
    quoted = ", ".join(f'"{word}"' for word in WORDS)
    print(f"per keystroke: every prefix of {quoted} ({len(prefixes())} queries) x {RUNS}")
    print(f"  baseline: the old scan, texts in memory     {base.ms()}")
    print(f"  the index query                             {idx.ms()}  ratio {idx.ratio(base):.2f}x")
    none_base, none_idx = Spread.of(scan["zebra"]), Spread.of(found["zebra"])
    print(f'  baseline: the old scan, "zebra" (no hit)    {none_base.ms()}')
    print(f'  the index query, "zebra" (no hit)         {none_idx.ms()}  ratio {none_idx.ratio(none_base):.2f}x')
    return base


async def in_app(layout: Any, base: Spread) -> None:
    from textual import events
    from textual.app import App
    from textual.keys import _character_to_key
    from textual.widgets import Input

    from tui.app import MoocApp
    from tui.screens.search import SearchScreen
    from tui.widgets.hit_list import HitList

    shown: list[tuple[str, float, float]] = []  # (the query, wall time, main-thread CPU time) once painted
    arrived = asyncio.Event()
    # "Painted" is the end of the first frame written to the terminal (App._display) after
    # the widget drew a line anew: the results list after they were handed to it, the field
    # after a key. (Not call_after_refresh: it can run before the widget's repaint has
    # reached the screen, when nothing else on the screen was waiting to be drawn.)
    # An emptied list draws no line: the first frame after it was emptied paints it away.
    drawing: dict[type, list[Any]] = {HitList: [], Input: []}  # widget class -> callbacks awaiting a frame with it
    drawn: list[Any] = []  # those whose widget drew (or any frame will do): called at the end of the next frame
    real_show, real_display = SearchScreen._show, App._display
    real_lines = {cls: cls.render_line for cls in drawing}

    def drawer(cls: type) -> Any:
        def render_line(widget: Any, y: int) -> Any:
            drawn.extend(drawing[cls])
            drawing[cls].clear()
            return real_lines[cls](widget, y)

        return render_line

    def display(app: Any, screen: Any, renderable: Any) -> None:
        real_display(app, screen, renderable)
        for done in drawn:
            done()
        drawn.clear()

    def on_next_frame_with(cls: type | None, done: Any) -> None:
        (drawing[cls] if cls else drawn).append(done)

    def show(screen: Any, serial: int, hits: Any, rows: Any, **kw: Any) -> None:
        results = screen.query_one(HitList)
        changed = hits != screen.hits or results.row_count != len(hits)  # else the list is left as it is
        real_show(screen, serial, hits, rows, **kw)
        value = screen.query_one(Input).value

        def painted() -> None:
            shown.append((value, time.perf_counter(), time.thread_time()))
            arrived.set()

        if changed:
            on_next_frame_with(HitList if hits else None, painted)
        else:
            painted()  # nothing new to draw: the answer is on screen

    SearchScreen._show = show  # type: ignore[method-assign]
    App._display = display  # type: ignore[method-assign]
    for cls in drawing:
        cls.render_line = drawer(cls)  # type: ignore[method-assign]
    # As `mooc play` starts the app (player/cli/play_cmd.py): the collector off until the
    # first screen, where the app freezes what it has made (gc.freeze) and turns it back on.
    # Else every full collection while typing would walk this process's setup too (~20-40 ms
    # here, 60,000 objects: the slowest keystrokes of the run, not the player's).
    gc.disable()
    app = MoocApp(layout=layout, course_id=ID)
    async with app.run_test(size=(80, 24)) as pilot:
        while type(app.screen).__name__ != "CourseScreen":
            await pilot.pause(0.05)
        await pilot.press("slash")
        while not (type(app.screen).__name__ == "SearchScreen" and app.session.search_index_ready()):
            await pilot.pause(0.05)
        screen = app.screen
        field = screen.query_one(Input)

        def key(char: str) -> None:
            event = events.Key(_character_to_key(char) if not char.isalnum() else char, char)
            event.set_sender(app)
            app._driver.send_message(event)  # type: ignore[union-attr]  # what Pilot.press does

        async def results_for(text: str) -> tuple[float, float]:
            while not (shown and shown[-1][0] == text):
                arrived.clear()
                await asyncio.wait_for(arrived.wait(), timeout=30)
            return shown[-1][1], shown[-1][2]

        async def clear() -> None:
            if field.value:
                field.value = ""
                await results_for("")
            await asyncio.sleep(PAUSE)

        to_field, to_results, busy = [], [], []
        for _ in range(RUNS):
            for word in WORDS:
                await clear()
                for n in range(1, len(word) + 1):
                    field_painted = asyncio.Event()
                    t0, c0 = time.perf_counter(), time.thread_time()
                    on_next_frame_with(
                        Input, lambda e=field_painted, t=t0: (to_field.append(time.perf_counter() - t), e.set())
                    )
                    key(word[n - 1])
                    t1, c1 = await results_for(word[:n])
                    await field_painted.wait()
                    to_results.append(t1 - t0)
                    busy.append(c1 - c0)
                    await asyncio.sleep(PAUSE)
        firsts, opens = [], []
        for _ in range(RUNS):  # the first search of a session: `/` and a letter, the index not read yet
            await pilot.press("escape")
            while type(app.screen).__name__ != "CourseScreen":
                await pilot.pause(0.05)
            await asyncio.sleep(PAUSE)
            app.session._index = None  # as a session that has not searched yet
            shown.clear()
            t0 = time.perf_counter()
            await pilot.press("slash")
            t1 = time.perf_counter()
            key("e")
            opens.append(t1 - t0)
            firsts.append((await results_for("e"))[0] - t1)
            screen = app.screen
            field = screen.query_one(Input)
        bursts = []
        for _ in range(RUNS):
            for word in WORDS:
                await clear()
                t0 = time.perf_counter()
                for char in word:
                    key(char)
                bursts.append((await results_for(word))[0] - t0)
    SearchScreen._show, App._display = real_show, real_display  # type: ignore[method-assign]
    for cls, render_line in real_lines.items():
        cls.render_line = render_line  # type: ignore[method-assign]
    floor, answered = Spread.of(to_field), Spread.of(to_results)
    print(f"  in the app: key -> the letter painted       {floor.ms()}  (the floor: any keystroke)")
    print(
        f"  in the app: key -> its results painted      {answered.ms()}  ratio {answered.ratio(floor):.1f}x the floor,"
        f" {answered.ratio(base):.1f}x the old scan (goal <= 50 ms)"
    )
    print(f"  in the app: UI-thread CPU, key -> results   {Spread.of(busy).ms()}  (the worker's time not counted)")
    print(f"  in the app: a word in a burst -> results    {Spread.of(bursts).ms()}  ({len(WORDS)} words x {RUNS})")
    print(f"  in the app: `/` -> the search dialog open   {Spread.of(opens).ms()}  (Pilot's press, until idle)")
    print(f"  in the app: then e -> results, first search {Spread.of(firsts).ms()}  (index read while it opened)")


def index_build(layout: Any) -> None:
    from packages import search_cache
    from packages.search_index import SearchIndex, lesson_items
    from packages.source import open_source
    from packages.store import Store

    course, _ = Store(layout).load(ID)
    tree = Store(layout).get(ID).path

    def fresh_source() -> Any:
        source = open_source(tree)
        source.manifest = None  # as every read of an installed tree
        source.cache_tree = tree
        return source

    def read_all() -> None:
        source = fresh_source()
        for item in lesson_items(course):
            source.read_text(item.file)

    def cold() -> None:
        (tree / search_cache.INDEX_NAME).unlink(missing_ok=True)
        source = fresh_source()
        search_cache.index_for(course, source, lambda item: source.read_text(item.file))
        assert (tree / search_cache.INDEX_NAME).exists()

    def build_only() -> None:
        source = fresh_source()
        SearchIndex.build(course, lambda item: source.read_text(item.file))

    def warm() -> None:
        assert search_cache.read_index(tree, course) is not None

    base = timed(read_all, RUNS)
    built, kept, loaded = timed(build_only, RUNS), timed(cold, RUNS), timed(warm, RUNS)
    size = (tree / search_cache.INDEX_NAME).stat().st_size / 1e6
    print("the index of the installed version:")
    print(f"  baseline: read the 2,000 lesson files       {base.ms()}")
    print(f"  cold: built from those files                {built.ms()}  ratio {built.ratio(base):.2f}x")
    print(f"  cold: built and kept on disk ({size:.1f} MB)    {kept.ms()}  ratio {kept.ratio(base):.2f}x")
    print(f"  warm: read back from the kept file          {loaded.ms()}  ratio {loaded.ratio(base):.2f}x")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        t = time.perf_counter()
        layout = install_big(Path(tmp))
        os.environ["MOOC_HOME"] = str(layout.home)
        os.environ["MOOC_SYSTEM_HOME"] = str(Path(tmp) / "system")
        os.environ["MOOC_NO_SYNC"] = "1"
        print(f"(setup: generated and installed the pack in {time.perf_counter() - t:.1f} s; {heading()})")
        base = engine(layout)
        asyncio.run(in_app(layout, base))
        index_build(layout)


if __name__ == "__main__":
    both_ways(main)
