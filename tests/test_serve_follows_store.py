"""`mooc serve` follows the store while it runs (issue 11): the teacher installs next
week's version, lab PCs see it at their next `mooc update` without a restart; a removed
course is no longer served; every request is one readable log line; replaced versions'
rebuilt archives do not pile up in downloads/.

Real processes: `mooc serve` as a subprocess, lab PCs as separate data folders running
the real `mooc` command, the teacher's installs through the real command too."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import requests

from tests.conftest import REPO
from tests.support.waiting import until


def _pack(tmp_path: Path, version: str, lesson_text: str) -> Path:
    from packages.building import build_pack
    from tests.support.genpack import generate_pack

    src = generate_pack(tmp_path / f"src-{version}", lessons=4, questions=4, course_id="lab-course", version=version)
    first = sorted((src / "lessons").glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + f"\n{lesson_text}\n", encoding="utf-8")
    return build_pack(src, out=tmp_path / f"lab-course-{version}.mooc")


def _served(url: str) -> list[tuple[str, str]]:
    doc = json.loads(requests.get(url + "catalog.json", timeout=10).content)
    return [(c["id"], c["version"]) for c in doc["courses"]]


def test_serve_follows_the_store_and_logs_each_request(tmp_path, mooc_home, run_mooc):
    assert run_mooc("install", str(_pack(tmp_path, "1.0.0", "Week one.")), "--system").returncode == 0
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", "serve", "--port", "0", "--log", str(log)],
        env=mooc_home.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        url = proc.stdout.readline().split(" on ")[1].strip()
        lab = {"MOOC_HOME": str(tmp_path / "pc1" / "home"), "MOOC_SYSTEM_HOME": str(tmp_path / "pc1" / "sys")}
        assert run_mooc("catalog", "add", url, "--name", "teacher", env=lab).returncode == 0
        first = run_mooc("install", "lab-course", env=lab)
        assert first.returncode == 0 and "installed lab-course 1.0.0" in first.stdout, first.stderr

        # next week: the teacher installs 1.1.0 while serve runs
        assert run_mooc("install", str(_pack(tmp_path, "1.1.0", "Week two.")), "--system").returncode == 0
        until(lambda: _served(url) == [("lab-course", "1.1.0")])
        assert requests.get(url + "packs/lab-course-1.0.0.mooc", timeout=10).status_code == 404
        update = run_mooc("update", env=lab)
        assert update.returncode == 0, update.stderr
        assert "1.1.0" in update.stdout
        listed = json.loads(run_mooc("list", "--json", env=lab).stdout)
        assert [(c["id"], c["version"]) for c in listed if c["id"] == "lab-course"] == [("lab-course", "1.1.0")]

        # only the served version's rebuilt archive stays in the teacher's downloads/
        cached = sorted(p.name for p in (mooc_home.home / "downloads" / "packs").rglob("*.mooc"))
        assert cached == ["lab-course-1.1.0.mooc"]

        # the teacher removes the course: it is no longer served
        assert run_mooc("remove", "lab-course", "--system", "--yes").returncode == 0
        until(lambda: _served(url) == [])
        assert requests.get(url + "packs/lab-course-1.1.0.mooc", timeout=10).status_code == 404
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    lines = log.read_text(encoding="utf-8").splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    assert any(
        re.fullmatch(
            rf"{stamp}  127\.0\.0\.1  GET /packs/lab-course-1\.0\.0\.mooc  200  \d+(\.\d)? (B|kB|MB)  "
            r"\d+\.\d s",
            line,
        )
        for line in lines
    ), lines
    assert any(
        re.fullmatch(rf"{stamp}  127\.0\.0\.1  GET /packs/lab-course-1\.0\.0\.mooc  404  \d+\.\d s", line)
        for line in lines
    ), lines
    assert any(
        line.endswith("the store changed: now sharing lab-course-1.1.0; no longer sharing lab-course-1.0.0")
        for line in lines
    ), lines
    assert any(line.endswith("the store changed: no longer sharing lab-course-1.1.0") for line in lines), lines
    assert err.count("GET /catalog.json") >= 3  # the same lines on the teacher's terminal


def test_a_hostile_request_path_is_logged_clean(tmp_path, mooc_home):
    """The path is the client's: escapes never reach the teacher's terminal or log."""
    import socket

    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", "serve", "--port", "0", "--log", str(log), "--quiet"],
        env=mooc_home.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        url = proc.stdout.readline().split(" on ")[1].strip()
        host, port = url.split("//")[1].rstrip("/").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET /%1b]0;pwned%07" + b"A" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 404")
        until(lambda: log.exists() and "404" in log.read_text(encoding="utf-8"))
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    text = log.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text and err == ""
    line = text.splitlines()[-1]
    assert len(line) < 300 and " 404 " in line
