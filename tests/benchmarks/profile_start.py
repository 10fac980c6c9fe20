"""Where the start of `mooc play big-course` goes, next to a minimal Textual app's.

Run by hand (needs py-spy: `.venv/bin/pip install py-spy`):

    .venv/bin/python tests/benchmarks/profile_start.py [STARTS]

Installs the 2,000-lesson, 10,000-question pack (as bench_tui.py does), keeps the
learner's first screen with one start, then samples STARTS starts of each (default 20,
interleaved) with `py-spy record -r 1000 --nonblocking --threads -f raw`, each on a
pseudo-terminal of 80x24 that exits at its first interactive screen. Every sample with
a Python stack is put in one place (the first that matches, from the innermost frame
out) and the table gives milliseconds a start: the minimal app's, mooc's, and what
mooc adds. Samples are CPU time of every thread, so Textual's writer thread counts.
docs/tui.md "Why `mooc play COURSE` starts fast" quotes a run.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
VENV_BIN = Path(sys.executable).parent

from tests.benchmarks.bench_tui import BASELINE_APP  # noqa: E402  (after the path is set)

OURS = re.compile(r"\((tui|player|packages|sync)/")
MACHINERY = ("_compile_bytecode", "SourceLoader.get_code", "_find_spec", "FileFinder.find_spec", "PathFinder")


def _textual_part(frames: list[str]) -> str:
    joined = ";".join(frames)
    if "__init_subclass__" in joined:
        return "defining widget, screen and app classes"
    if "Stylesheet." in joined:
        return "CSS (parse, match, apply)"
    if "Compositor." in joined or "render_line" in joined or "_render" in joined:
        return "layout and paint"
    if "_register" in joined or "mount" in joined.lower() or "compose" in joined:
        return "compose and mount"
    return "the rest (app, driver and writer thread, messages)"


def place(frames: list[str]) -> str | None:
    """Where one sample's time goes (frames outermost first)."""
    if not frames:
        return None
    if any(f.startswith("Store.load (packages/store.py") for f in frames):
        return "the course from its cache (read, JSON, 2,500 items)"
    in_app = any(f.startswith("App.run (textual/app.py") for f in frames)
    dataclass = False
    for frame in reversed(frames):
        if frame.startswith(("_process_class (dataclasses.py", "dataclass.<locals>.wrap")):
            dataclass = True
            continue
        if frame.startswith(MACHINERY) and not dataclass:
            return "import machinery (finding files, reading and unmarshalling .pyc)"
        module = re.match(r"<module> \((.*)\)$", frame)
        if module:
            ours = bool(re.match(r"(tui|player|packages|sync)/", module.group(1))) or module.group(1) == "mooc"
            if dataclass:
                return "dataclass definitions: " + ("ours" if ours else "the libraries' (Textual, Rich)")
            return "our modules' bodies" if ours else "library modules' bodies (Textual, Rich, stdlib)"
        if dataclass:
            continue
        if re.search(r"\((textual|rich|asyncio)/", frame):
            return "Textual: " + _textual_part(frames)
        if OURS.search(frame):
            return "our code at run time: " + ("in the app (session, outline, screen)" if in_app else "before the app")
    return "other (no frame of ours or Textual's)"


def tally(raw_files: list[Path]) -> dict[str, float]:
    """ms a start per place, from py-spy's raw output (one "stack count" a line)."""
    counts: collections.Counter[str] = collections.Counter()
    for path in raw_files:
        for line in path.read_text().splitlines():
            stack, _, n = line.rpartition(" ")
            frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")[1:]]  # the first is the thread
            where = place(frames)
            if where is not None and n.isdigit():
                counts[where] += int(n)  # 1 sample = 1 ms at 1 kHz
    return {k: v / len(raw_files) for k, v in counts.items()}


def sample(argv: list[str], out: Path, env: dict[str, str]) -> None:
    spy = shutil.which("py-spy", path=str(VENV_BIN)) or shutil.which("py-spy")
    if spy is None:
        raise SystemExit("profile_start.py needs py-spy: .venv/bin/pip install py-spy")
    # `script` gives the app a terminal of its own; the size comes from COLUMNS/LINES.
    command = " ".join([spy, "record", "-r", "1000", "--nonblocking", "--threads", "-f", "raw", "-o", str(out), "--"])
    command += " " + " ".join(f"'{a}'" for a in argv)
    subprocess.run(["script", "-qc", command, "/dev/null"], env=env, stdout=subprocess.DEVNULL, check=True, timeout=60)


def main() -> None:
    from packages.install import install
    from packages.layout import Layout
    from player.learners import Learners
    from tests.support.bytecode import compile_project
    from tests.support.genpack import generate_pack

    starts = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    compile_project()
    with tempfile.TemporaryDirectory(prefix="profile-start-") as tmp:
        root = Path(tmp)
        home = root / "home"
        layout = Layout(home=home, system_home=home / "system")
        install(layout, str(generate_pack(root / "big", lessons=2000, questions=10000)), quiet=True)
        Learners(layout).current()
        env = dict(os.environ, MOOC_HOME=str(home), MOOC_SYSTEM_HOME=str(home / "system"))
        env.update(MOOC_TUI_EXIT_ON_READY="1", MOOC_TUI_T0="0", TERM="xterm-256color", COLUMNS="80", LINES="24")
        env.pop("NO_COLOR", None)
        baseline = root / "minimal.py"
        baseline.write_text(BASELINE_APP)
        mooc = [str(VENV_BIN / "mooc"), "play", "big-course"]
        subprocess.run(["script", "-qc", " ".join(mooc), "/dev/null"], env=env, stdout=subprocess.DEVNULL, check=True)
        for n in range(starts):
            sample([sys.executable, str(baseline)], root / f"minimal-{n}.txt", env)
            sample(mooc, root / f"mooc-{n}.txt", env)
        minimal = tally(sorted(root.glob("minimal-*.txt")))
        ours = tally(sorted(root.glob("mooc-*.txt")))
    print(
        f"| where a start's time goes (py-spy, 1 kHz, ms a start, {starts} starts each) | minimal app | mooc | mooc adds |"
    )
    print("| --- | --- | --- | --- |")
    for key in sorted(set(minimal) | set(ours), key=lambda k: -(ours.get(k, 0) - minimal.get(k, 0))):
        a, b = minimal.get(key, 0.0), ours.get(key, 0.0)
        print(f"| {key} | {a:.1f} | {b:.1f} | {b - a:+.1f} |")
    a, b = sum(minimal.values()), sum(ours.values())
    print(f"| every sample with a Python stack | {a:.1f} | {b:.1f} | {b - a:+.1f} |")


if __name__ == "__main__":
    main()
