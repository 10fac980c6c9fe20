"""Benchmark `mooc play` (run by hand: .venv/bin/python tests/benchmarks/bench_tui.py).

Every figure prints the median of BENCH_RUNS runs with its min and max, and the whole
script runs twice (tests/benchmarks/timing.py): on all cores, then pinned to one core
(taskset -c 0), standing in for a lab's oldest PC.

Figures, each against a baseline measured in the same run:
- startup: `mooc play big-course` (2,000 lessons, 10,000 questions) until the course
  screen is interactive, vs a minimal Textual app that mounts one screen (goal <= 1.25x);
  both run as real processes on a pseudo-terminal, runs alternating; the learner
  resumes (the lesson's first screen kept by the start before), and, as a second
  figure, opens the course for the first time (nothing kept: Rich's Markdown is
  imported before the first paint);
- peak memory (ru_maxrss) of that `mooc play` process (goal <= 200 MB);
- opening a 2,000-line lesson until its first screen is painted (goal <= 150 ms),
  vs Rich rendering the whole lesson at once;
- moving to the next item with `n`: from the keystroke written to the terminal until
  the next lesson's text has been painted on it, vs the same minimal app repainting one
  line on a key (both on a pseudo-terminal; goal <= 3x); and the same move inside the
  app (Pilot), work plus rendering the new lesson's first screen.
"""

from __future__ import annotations

import asyncio
import os
import pty
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
VENV_BIN = Path(sys.executable).parent
RUNS = int(os.environ.get("BENCH_RUNS", "5"))

from tests.benchmarks.timing import Spread, both_ways  # noqa: E402  (after the path is set)


def spread_ms(times_ms: list[float]) -> Spread:
    return Spread.of([t / 1000 for t in times_ms])


BASELINE_APP = """
import os, sys, time
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static
class One(Screen):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self.app.ready)
class Minimal(App):
    def on_mount(self):
        self.push_screen(One())
    def ready(self):
        self.ms = (time.time() - float(os.environ["MOOC_TUI_T0"])) * 1000
        self.exit()
app = Minimal()
app.run()
print(f"ready_ms={app.ms:.1f}", file=sys.stderr)
"""


KEY_BASELINE_APP = """
from textual.app import App
from textual.widgets import Static
class Keyed(App):
    BINDINGS = [("n", "next", "Next")]
    n = 0
    def compose(self):
        yield Static("number 0.", id="s")
    def action_next(self):
        self.n += 1
        self.query_one("#s").update(f"number {self.n}000.")
Keyed().run()
"""


def spawn_on_pty(argv: list[str], env: dict[str, str]) -> tuple[int, int]:
    """Start argv on a fresh 80x24 pseudo-terminal: (pid, the terminal's fd)."""
    import fcntl
    import struct
    import termios

    env = dict(env, TERM="xterm-256color", COLUMNS="80", LINES="24")
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execve(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    return pid, fd


def keystrokes_on_pty(argv: list[str], env: dict[str, str], presses: int) -> list[float]:
    """Start argv on an 80x24 pseudo-terminal, wait until "number 0." is painted, then press
    `n` `presses` times; ms from each keystroke until "number K000." is on the terminal."""
    import select

    env = dict(env)
    env.pop("MOOC_TUI_EXIT_ON_READY", None)
    pid, fd = spawn_on_pty(argv, env)
    out = b""

    def read_until(marker: bytes, timeout: float = 20.0) -> None:
        nonlocal out
        deadline = time.perf_counter() + timeout
        while marker not in out:
            left = deadline - time.perf_counter()
            if left <= 0:
                os.kill(pid, 9)
                raise SystemExit(f"{argv}: {marker!r} never painted; last output {out[-500:]!r}")
            if select.select([fd], [], [], left)[0]:
                out += os.read(fd, 65536)

    times = []
    try:
        read_until(b"number 0.")
        time.sleep(0.5)  # let the first screen settle (background workers, timers)
        while select.select([fd], [], [], 0)[0]:
            out += os.read(fd, 65536)
        for k in range(1, presses + 1):
            out = b""
            t = time.perf_counter()
            os.write(fd, b"n")
            read_until(f"number {k}000.".encode())
            times.append((time.perf_counter() - t) * 1000)
            time.sleep(0.2)
        os.write(fd, b"\x11")  # ctrl+q
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline and select.select([fd], [], [], 0.1)[0]:
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return times


def next_item(home: Path) -> None:
    env = dict(os.environ, MOOC_HOME=str(home / "keys"), MOOC_SYSTEM_HOME=str(home / "system"), MOOC_NO_SYNC="1")
    env.pop("NO_COLOR", None)
    base = keystrokes_on_pty([sys.executable, "-c", KEY_BASELINE_APP], env, RUNS)
    mooc = keystrokes_on_pty([str(VENV_BIN / "mooc"), "play", "big-course"], env, RUNS)
    b, m = spread_ms(base), spread_ms(mooc)
    print(f"baseline: minimal app repaints a line on a key {b.ms()}  (median of {RUNS})")
    print(f"next item (n) in a terminal, until painted     {m.ms()}  ratio {m.ratio(b):.2f}x (goal <= 3x)")


def run_on_pty(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run argv on a fresh 80x24 pseudo-terminal; (ready ms it reports, peak RSS MB)."""
    pid, fd = spawn_on_pty(argv, dict(env, MOOC_TUI_T0=repr(time.time())))
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status, usage = os.wait4(pid, 0)
    os.close(fd)
    found = re.search(rb"ready_ms=([0-9.]+)", out)
    if os.waitstatus_to_exitcode(status) != 0 or not found:
        raise SystemExit(f"{argv} failed: {out[-2000:]!r}")
    return float(found.group(1)), usage.ru_maxrss / 1024


def startup(home: Path) -> None:
    """The learner resumes the course (the lesson's first screen kept from the last start,
    docs/tui.md), and, as a second figure, opens it for the first time (nothing kept)."""
    import shutil

    env = dict(os.environ, MOOC_HOME=str(home), MOOC_SYSTEM_HOME=str(home / "system"), MOOC_TUI_EXIT_ON_READY="1")
    env.pop("NO_COLOR", None)
    argv = [str(VENV_BIN / "mooc"), "play", "big-course"]
    run_on_pty(argv, env)  # the first start keeps the first screen the others resume on
    base, mooc, first, rss = [], [], [], []
    for _ in range(RUNS):
        base.append(run_on_pty([sys.executable, "-c", BASELINE_APP], env)[0])
        ms, mb = run_on_pty(argv, env)
        mooc.append(ms)
        rss.append(mb)
        for kept in (home / "learners").glob("*/first-screens"):
            shutil.rmtree(kept)
        ms, mb = run_on_pty(argv, env)
        first.append(ms)
        rss.append(mb)
    b, m, f, mb = spread_ms(base), spread_ms(mooc), spread_ms(first), Spread.of(rss)
    print(f"baseline: minimal Textual app first screen     {b.ms()}  (median of {RUNS})")
    print(f"mooc play big-course -> course screen ready     {m.ms()}  ratio {m.ratio(b):.2f}x (goal <= 1.25x)")
    print(f"  the same, first visit (no first screen kept)  {f.ms()}  ratio {f.ratio(b):.2f}x")
    print(
        f"peak memory of mooc play big-course            {mb.high:8.1f} MB (min {mb.low:.1f}, median {mb.median:.1f})"
        " (goal <= 200 MB)"
    )


async def in_app(home: Path) -> None:
    from rich.console import Console
    from rich.markdown import Markdown
    from textual.geometry import Region

    from packages.layout import Layout
    from tui.app import MoocApp

    layout = Layout.default(home)
    app = MoocApp(layout=layout, course_id="tui-test", item_id="intro")
    async with app.run_test(size=(80, 24)) as pilot:
        while type(app.screen).__name__ != "CourseScreen":
            await pilot.pause(0.05)
        screen = app.screen
        lesson = screen.query_one("#lesson")
        opens = []
        for _ in range(RUNS):
            screen.open("intro")
            await pilot.pause()
            t = time.perf_counter()
            screen.open("long")
            lesson.render_lines(Region(0, 0, lesson.size.width, lesson.size.height))  # the first screen
            opens.append((time.perf_counter() - t) * 1000)
            await pilot.pause()
        text = lesson.text
        console = Console(width=lesson.size.width, file=open(os.devnull, "w"))
        t = time.perf_counter()
        console.render_lines(Markdown(text), console.options.update_width(lesson.size.width))
        whole = (time.perf_counter() - t) * 1000
        o = spread_ms(opens)
        print(f"open a {len(text.splitlines())}-line lesson, first screen         {o.ms()} (goal <= 150 ms)")
        print(f"baseline: Rich renders that whole lesson once  {whole:8.1f} ms  ratio {o.median * 1000 / whole:.2f}x")
        nexts = []
        for _ in range(RUNS):
            screen.open("intro")
            await pilot.pause()
            t = time.perf_counter()
            screen.action_next_item()  # what `n` runs; Pilot's own key delivery adds ~100 ms
            lesson.render_lines(Region(0, 0, lesson.size.width, lesson.size.height))
            nexts.append((time.perf_counter() - t) * 1000)
            await pilot.pause()
        print(f"next item (n) in the app, work + first screen  {spread_ms(nexts).ms()}")


def main() -> None:
    from packages.install import install
    from packages.layout import Layout
    from tests.support.bytecode import compile_project
    from tests.support.genpack import generate_pack
    from tests.test_tui import write_pack

    compile_project()
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as tmp:
        root = Path(tmp)
        home = root / "home"
        layout = Layout(home=home, system_home=home / "system")
        t = time.perf_counter()
        install(layout, str(generate_pack(root / "big", lessons=2000, questions=10000)), quiet=True)
        install(layout, str(write_pack(root / "long", long_lines=2000)), quiet=True)
        print(f"(setup: generated and installed the packs in {time.perf_counter() - t:.1f} s)")
        from player.learners import Learners

        for where in (layout, Layout(home=home / "keys", system_home=home / "system")):
            Learners(where).current()  # a learner already: a first start would ask who is learning
        os.environ["MOOC_HOME"] = str(home)
        os.environ["MOOC_SYSTEM_HOME"] = str(home / "system")
        startup(home)
        install(Layout(home=home / "keys", system_home=home / "system"), str(root / "big"), quiet=True)
        next_item(home)
        asyncio.run(in_app(home))


if __name__ == "__main__":
    both_ways(main)
