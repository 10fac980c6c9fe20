"""Commands start fast and the engine stays UI-free: checked on real imports.

- `mooc --help` and `mooc list` (the real command, `python -X importtime`) load
  neither textual nor requests nor rich;
- every module under packages/, player/ and sync/, imported alone in a fresh
  process, never pulls in textual (the CLI may import tui only inside `mooc play`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MOOC_BIN, REPO, Homes

HEAVY = ("textual", "requests", "rich")
ENGINE_DIRS = ("packages", "player", "sync")


def _imported_by(args: list[str], env: dict[str, str]) -> set[str]:
    """Top-level packages a real `mooc ARGS` run imported, from -X importtime."""
    res = subprocess.run(
        [sys.executable, "-X", "importtime", str(MOOC_BIN), *args], capture_output=True, text=True, timeout=60, env=env
    )
    assert res.returncode == 0, res.stderr[-2000:]
    names = set()
    for line in res.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+\d+ \|( *)([\w.]+)$", line)
        if m:
            names.add(m.group(2).split(".")[0])
    assert "player" in names  # the parse worked: the CLI itself shows up
    return names


@pytest.mark.parametrize("args", [["--help"], ["list"], ["list", "--json"], ["info", "mooc-demo"]])
def test_plain_commands_import_nothing_heavy(args: list[str], mooc_home: Homes) -> None:
    imported = _imported_by(args, mooc_home.env())
    assert not imported & set(HEAVY), f"`mooc {' '.join(args)}` imported {sorted(imported & set(HEAVY))}"


def test_store_modules_import_nothing_heavy() -> None:
    code = (
        "import sys, json\n"
        "import packages.store, packages.install, player.cli.main, player.cli.store_cmd, player.cli.common\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert res.returncode == 0, res.stderr
    loaded = set(json.loads(res.stdout))
    assert "packages" in loaded and not loaded & set(HEAVY)


def _engine_modules() -> list[str]:
    mods = []
    for top in ENGINE_DIRS:
        for path in sorted((REPO / top).rglob("*.py")):
            rel = path.relative_to(REPO).with_suffix("")
            if rel.name == "__main__" or any(
                not (REPO / p / "__init__.py").exists() for p in [rel.parents[i] for i in range(len(rel.parts) - 1)]
            ):
                continue
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            mods.append(".".join(parts))
    return mods


def test_no_engine_module_imports_textual() -> None:
    """Each module is imported in its own forked child, so an offender is named exactly."""
    modules = _engine_modules()
    assert "packages.store" in modules and "player.cli.main" in modules
    script = r"""
import importlib, json, os, sys
results = {}
for name in json.loads(sys.argv[1]):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            importlib.import_module(name)
            out = ",".join(sorted(m for m in ("textual",) if m in sys.modules))
        except BaseException as err:
            out = "ERROR " + type(err).__name__ + ": " + str(err)
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        results[name] = fh.read()
    os.waitpid(pid, 0)
print(json.dumps(results))
"""
    res = subprocess.run(
        [sys.executable, "-c", script, json.dumps(modules)], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert res.returncode == 0, res.stderr
    results = json.loads(res.stdout)
    assert set(results) == set(modules)
    broken = {m: r for m, r in results.items() if r.startswith("ERROR")}
    assert not broken, f"modules that do not import on their own: {broken}"
    offenders = sorted(m for m, r in results.items() if "textual" in r)
    assert not offenders, f"these engine modules import textual: {offenders}"


def test_engine_module_list_is_complete() -> None:
    """The walk above really sees the tree (a wrong path would make the check vacuous)."""
    modules = _engine_modules()
    on_disk = [p for top in ENGINE_DIRS for p in (REPO / top).rglob("*.py") if p.name != "__main__.py"]
    assert len(modules) >= len(on_disk) - 2 and len(modules) > 10
    assert Path(REPO / "player" / "cli" / "main.py").exists()


def test_opening_a_course_leaves_quiz_code_unloaded(tmp_path: Path) -> None:
    """`mooc play COURSE` starts fast partly because opening a course from its cache loads
    neither the question types, nor grading, nor the pack parser, nor zip and hash code,
    nor what an attempt hands out: they come with the first quiz (or never). Checked in a fresh process on a real install;
    then a quiz's questions are read and grading runs, and only then do they load."""
    from packages.install import install
    from packages.layout import Layout
    from tests.support.genpack import generate_pack

    layout = Layout(home=tmp_path / "home", system_home=tmp_path / "system")
    install(layout, str(generate_pack(tmp_path / "src", lessons=5, questions=20)), quiet=True)
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from packages.layout import Layout\n"
        "from packages.store import Store\n"
        "from player.session import CourseSession\n"
        "lazy = ('packages.questions', 'player.grading', 'packages.loading', 'packages.validation',\n"
        "        'zipfile', 'hashlib', 'tomllib', 'player.attempt_records', 'player.certificate_status')\n"
        f"layout = Layout(home=Path({str(layout.home)!r}), system_home=Path({str(layout.system_home)!r}))\n"
        "course, source = Store(layout).load('big-course')\n"
        "session = CourseSession(course, source, [])\n"
        "session.outline()\n"
        "before = [m for m in lazy if m in sys.modules]\n"
        "quiz = next(i for i in course.items() if i.kind == 'quiz')\n"
        "attempt = session.start_attempt(quiz.id)\n"
        "session.submit(attempt)\n"
        "after = [m for m in lazy if m in sys.modules]\n"
        "print(json.dumps([before, after]))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert res.returncode == 0, res.stderr[-2000:]
    before, after = json.loads(res.stdout)
    assert before == []
    assert "packages.questions" in after and "player.grading" in after  # the check can see them load
    assert "player.attempt_records" in after


def test_sync_agent_waits_small(mooc_home: Homes) -> None:
    """`mooc sync --watch` (the sync agent) while it waits: neither textual nor requests
    nor rich loaded (its rounds run in a child process), and at most 30 MB resident."""
    import os
    import signal
    import time

    from packages.layout import Layout

    state_file = Layout.default(mooc_home.home).agent_state_file
    proc = subprocess.Popen(
        [sys.executable, "-X", "importtime", str(MOOC_BIN), "sync", "--watch"],
        env=mooc_home.env(MOOC_METERED="0"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                state = json.loads(state_file.read_text())
            except (OSError, ValueError):
                state = {}
            if state.get("state") == "waiting" and state.get("pid") == proc.pid:
                break
            assert proc.poll() is None
            time.sleep(0.05)
        else:
            raise AssertionError("the agent never reached its wait")
        status = Path(f"/proc/{proc.pid}/status")
        rss = int(re.search(r"VmRSS:\s+(\d+) kB", status.read_text()).group(1)) if status.exists() else None
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-2000:]
    names = {m.group(2).split(".")[0] for m in re.finditer(r"import time:\s+\d+ \|\s+\d+ \|( *)([\w.]+)$", err, re.M)}
    assert "sync" in names and not names & set(HEAVY), sorted(names & set(HEAVY))
    if rss is not None:  # Linux tells; elsewhere only the imports are checked
        assert rss <= 30 * 1024, f"{rss} kB resident while waiting"
