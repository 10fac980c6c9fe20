"""A smoke run of mooc on each other CPython a lab PC may have (issue 18): Ubuntu 22.04
ships 3.10; 3.12 and 3.13 are the newer ones. The whole suite runs on the machine's
default Python; here each other version gets its own venv (.cache/py3.X, reused while
pyproject.toml is unchanged) with mooc installed from this checkout, then: `mooc
--help`, install a pack, a plain-mode quiz passed, the TUI's modules imported, and a
sync to the real Ralph LRS. A version this machine does not have is skipped, alone,
saying so."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO, Homes
from tests.support.classroom import write_class_pack
from tests.support.ralph import RalphServer, account_agent

pytestmark = pytest.mark.lrs
OTHERS = [v for v in ("3.10", "3.11", "3.12", "3.13") if v != f"{sys.version_info[0]}.{sys.version_info[1]}"]


def find_python(version: str) -> str | None:
    """An interpreter of VERSION: on PATH, or installed by pyenv (whose shims may not run)."""
    candidates = [shutil.which(f"python{version}"), f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(f"{root}/versions/{version}.*/bin/python{version}"), reverse=True)
    for exe in candidates:
        if not exe or not os.path.exists(exe):
            continue
        try:
            out = subprocess.run(
                [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == version:
            return exe
    return None


def venv_for(version: str, exe: str) -> Path:
    """.cache/pyX.Y with mooc installed (editable) from this checkout; rebuilt when pyproject changes."""
    venv = REPO / ".cache" / f"py{version}"
    stamp = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()
    marker = venv / ".mooc-pyproject"
    if marker.exists() and marker.read_text() == stamp and (venv / "bin" / "mooc").exists():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([exe, "-m", "venv", str(venv)], check=True, timeout=300)
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", str(REPO)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    marker.write_text(stamp)
    return venv


@pytest.mark.parametrize("version", OTHERS)
def test_smoke_on_another_python(version: str, tmp_path: Path, mooc_home: Homes, ralph_lrs: RalphServer) -> None:
    exe = find_python(version)
    if exe is None:
        pytest.skip(f"Python {version} is not installed on this machine (looked on PATH and in pyenv)")
    venv = venv_for(version, exe)
    mooc = str(venv / "bin" / "mooc")

    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        r = subprocess.run([mooc, *args], input=input, capture_output=True, text=True, timeout=120, env=mooc_home.env())
        assert "Traceback" not in r.stderr and r.returncode == 0, (version, args, r.stdout[-1500:], r.stderr[-1500:])
        return r

    assert "offline-first MOOC player" in run("--help").stdout
    course = f"py-{uuid.uuid4().hex[:6]}"
    run("install", str(write_class_pack(tmp_path / "pack", ralph_lrs.endpoint, course)))
    run("learner", "add", "Amina")
    r = run("play", "--plain", course, "week-1", "--learner", "amina", input="2\ntrue\nmedian\nq\n")
    assert "Passed: 100%" in r.stdout
    tui = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import tui.app, player.cli.play_cmd\n"
            "from player.feedback import example_of\n"
            "assert example_of('[0-9]+ (kg|g)') == '0 kg'  # re's parser, whatever its module name\n"
            "from packages.answer_pattern import MatchBudget, problems\n"
            "assert problems('(a+)+b', ignore_case=True, budget=MatchBudget())  # the slow-pattern check",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tui.returncode == 0, tui.stderr
    run("consent", "allow", f"127.0.0.1:{ralph_lrs.port}", "--learner", "amina")
    ralph_lrs.login(run)
    assert [e["pending"] for e in json.loads(run("sync", "--json").stdout)["endpoints"]] == [0]
    account = json.loads(run("learner", "list", "--json").stdout)[0]["account_id"]
    stored = ralph_lrs.agent_statements(account_agent(ralph_lrs.origin, account))
    assert any(s["verb"]["id"].endswith("/passed") for s in stored)
