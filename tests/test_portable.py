"""mooc on a lab's Windows PCs, checked by simulation (issue 18): the real `mooc`
command runs with `fcntl` unimportable and `os.getuid`/`os.geteuid` gone
(tests/support/windowsish.py, whose stand-in `msvcrt.locking` takes real locks), so a
POSIX-only call on the record, sync, install or lock paths fails these tests; and
nothing but packages/portable.py touches those calls."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO, Homes
from tests.support.classroom import write_class_pack
from tests.support.ralph import RalphServer, account_agent

WINDOWSISH = REPO / "tests" / "support" / "windowsish.py"
PASS = "2\ntrue\nmedian\nq\n"


def _mooc(homes: Homes, lock_log: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(
        [sys.executable, str(WINDOWSISH), *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
        env=homes.env(MOOC_TEST_LOCK_LOG=str(lock_log)),
    )
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 0, (args, r.stdout[-2000:], r.stderr[-2000:])
    return r


@pytest.mark.lrs
def test_install_study_sync_and_export_without_fcntl_or_getuid(
    tmp_path: Path, mooc_home: Homes, ralph_lrs: RalphServer
) -> None:
    course = f"win-{uuid.uuid4().hex[:6]}"
    locks = tmp_path / "locks.log"
    run = lambda *a, **k: _mooc(mooc_home, locks, *a, **k)  # noqa: E731
    run("install", str(write_class_pack(tmp_path / "pack", ralph_lrs.endpoint, course)))
    run("learner", "add", "Amina")
    r = run("play", "--plain", course, "week-1", "--learner", "amina", input=PASS)
    assert "Passed: 100%" in r.stdout
    progress = json.loads(run("progress", course, "--json", "--learner", "amina").stdout)
    assert progress["courses"][0]["passed"] is True
    run("consent", "allow", f"127.0.0.1:{ralph_lrs.port}", "--learner", "amina")
    ralph_lrs.login(run)
    report = json.loads(run("sync", "--json").stdout)
    assert [e["pending"] for e in report["endpoints"]] == [0]
    account = json.loads(run("learner", "list", "--json").stdout)[0]["account_id"]
    stored = ralph_lrs.agent_statements(account_agent(ralph_lrs.origin, account))
    assert any(s["verb"]["id"].endswith("/passed") for s in stored)
    run("sync", "--export", str(tmp_path / "usb" / "lab.json"))
    # the Windows lock was taken on every path that writes (progress, outbox, send lock, store)
    calls = locks.read_text().splitlines()
    assert len(calls) >= 5 and set(calls) <= {"locking 1 1", "locking 2 1"}, calls


def test_a_sync_waits_for_the_send_lock_held_elsewhere_without_fcntl(tmp_path: Path, mooc_home: Homes) -> None:
    import time

    from packages.layout import Layout
    from sync.endpoints import normalise
    from sync.outbox import Outbox

    locks = tmp_path / "locks.log"
    course = "win-lock"
    endpoint = "http://127.0.0.1:9/xAPI/"
    _mooc(mooc_home, locks, "install", str(write_class_pack(tmp_path / "pack", endpoint, course)))
    _mooc(mooc_home, locks, "learner", "add", "Amina")
    _mooc(mooc_home, locks, "play", "--plain", course, "one", "--learner", "amina", input="\nq\n")
    _mooc(mooc_home, locks, "consent", "allow", "127.0.0.1:9", "--learner", "amina")
    outbox = Outbox(Layout.default(mooc_home.home), normalise(endpoint))
    outbox.dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(outbox.send_lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        from packages.portable import WINDOWS_LOCK_OFFSET

        os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)  # the byte mooc's Windows path locks
        os.lockf(fd, os.F_LOCK, 1)  # another process is uploading (msvcrt.locking maps to this here)
        tries_before = len(locks.read_text().splitlines())
        waiting = subprocess.Popen(
            [sys.executable, str(WINDOWSISH), "sync", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=mooc_home.env(MOOC_TEST_LOCK_LOG=str(locks), MOOC_DEADLINE="5"),
        )
        time.sleep(1.5)
        assert waiting.poll() is None  # it waits for the other upload, as with flock ...
        assert len(locks.read_text().splitlines()) - tries_before >= 10  # ... trying the taken lock again and again
    finally:
        os.close(fd)  # the other process is done
    out, err = waiting.communicate(timeout=60)
    assert "Traceback" not in err
    [entry] = json.loads(out)["endpoints"]
    assert entry["endpoint"] == endpoint and "127.0.0.1:9" in json.dumps(entry)  # then it tried the LRS (down)


def test_only_the_platform_module_touches_os_specific_calls() -> None:
    forbidden = re.compile(
        r"^\s*(import (fcntl|msvcrt|tomllib|tomli|sre_parse|sre_constants)\b"
        r"|from (fcntl|msvcrt|tomllib) import|from re import _)"
        r"|os\.(getuid|geteuid|getgid|getegid)\b",
        re.M,
    )
    offenders = []
    for folder in ("packages", "player", "sync", "tui"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if path.name == "portable.py" and path.parent.name == "packages":
                continue
            for match in forbidden.finditer(path.read_text(encoding="utf-8")):
                offenders.append(f"{path.relative_to(REPO)}: {match.group(0).strip()}")
    assert offenders == []
