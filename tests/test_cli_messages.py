"""What the command line tells a person at the seams: Ctrl-C during a download, and
`mooc install --help` naming every kind of PACK (issue 11).

Real `mooc` processes, a real HTTP server behind a throttling proxy on 127.0.0.1,
a real SIGINT (what Ctrl-C sends).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.conftest import REPO, Homes
from tests.support.fault_proxy import FaultProxy
from tests.support.static_server import StaticServer


def _build(tmp_path: Path, version: str) -> Path:
    from packages.building import build_pack
    from tests.support.genpack import generate_pack

    src = generate_pack(
        tmp_path / f"src-{version}",
        lessons=5,
        questions=5,
        media_bytes=1_500_000,
        course_id="stats-101",
        version=version,
    )
    return build_pack(src, out=tmp_path / "www" / f"stats-101-{version}.mooc")


def _installed(run_mooc: Any) -> dict[str, str]:
    return {c["id"]: c["version"] for c in json.loads(run_mooc("list", "--json").stdout)}


def _interrupt_mid_download(args: list[str], env: dict[str, str], downloads: Path, size: int) -> tuple[int, str, Path]:
    """Run `mooc ARGS`, send SIGINT once a third of the pack is on disk; (exit code, stderr, part file)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        parts: list[Path] = []
        while time.monotonic() < deadline and proc.poll() is None:
            parts = list(downloads.glob("*.part")) if downloads.exists() else []
            if parts and parts[0].stat().st_size >= size // 3:
                break
            time.sleep(0.02)
        assert proc.poll() is None, f"the download ended before the interrupt: {proc.communicate()}"
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert parts, "no partial download appeared"
    return proc.returncode, err, parts[0]


def test_ctrl_c_during_install_says_what_is_kept_and_how_to_resume(
    tmp_path: Path, mooc_home: Homes, run_mooc: Any
) -> None:
    pack = _build(tmp_path, "1.0.0")
    size = pack.stat().st_size
    assert run_mooc("catalog", "build", str(pack.parent)).returncode == 0
    with StaticServer(pack.parent) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        assert run_mooc("catalog", "add", proxy.url + "catalog.json", "--name", "uni").returncode == 0
        proxy.rate = 400_000  # a slow link: the download takes a few seconds
        code, err, part = _interrupt_mid_download(
            ["install", "stats-101"], mooc_home.env(), mooc_home.home / "downloads", size
        )
        assert code == 130
        assert err.splitlines() == [
            "mooc: interrupted: the installed version is unchanged and a partial download "
            "is kept: run `mooc install stats-101` again to resume it"
        ]
        have = part.stat().st_size
        assert 0 < have < size
        assert "stats-101" not in _installed(run_mooc)
        proxy.rate = None
        proxy.reset_counters()
        r = run_mooc("install", "stats-101")  # the very command the message names
        assert r.returncode == 0, r.stderr
        assert "installed stats-101 1.0.0" in r.stdout
        assert proxy.bytes_down < size - have + 64 * 1024  # resumed: the kept bytes were not fetched again
    assert not part.exists()


def test_ctrl_c_during_update_says_what_is_kept_and_how_to_resume(
    tmp_path: Path, mooc_home: Homes, run_mooc: Any
) -> None:
    old = _build(tmp_path, "1.0.0")
    assert run_mooc("install", str(old)).returncode == 0
    old.unlink()
    new = _build(tmp_path, "2.0.0")
    size = new.stat().st_size
    assert run_mooc("catalog", "build", str(new.parent)).returncode == 0
    with StaticServer(new.parent) as srv, FaultProxy(("127.0.0.1", srv.port)) as proxy:
        assert run_mooc("catalog", "add", proxy.url + "catalog.json", "--name", "uni").returncode == 0
        proxy.rate = 400_000
        code, err, part = _interrupt_mid_download(
            ["update", "--full"], mooc_home.env(), mooc_home.home / "downloads", size
        )
        assert code == 130
        assert err.splitlines() == [
            "mooc: interrupted: courses already updated stay updated, the others are "
            "unchanged, and a partial download is kept: run `mooc update --full` again "
            "to resume it"
        ]
        assert _installed(run_mooc)["stats-101"] == "1.0.0"  # unchanged
        have = part.stat().st_size
        proxy.rate = None
        proxy.reset_counters()
        r = run_mooc("update", "--full")
        assert r.returncode == 0, r.stderr
        assert _installed(run_mooc)["stats-101"] == "2.0.0"
        assert proxy.bytes_down < size - have + 64 * 1024  # resumed


def test_install_help_names_catalog_course_ids(run_mooc: Any) -> None:
    r = run_mooc("install", "--help")
    assert r.returncode == 0
    assert "a course id (ID or ID@VERSION) from an added catalog" in " ".join(r.stdout.split())
    assert "  mooc install stats-101                      a course id from a catalog you added" in r.stdout
    assert "  mooc install stats-101@1.2.0 " in r.stdout
    r = run_mooc("--help")
    assert "install or upgrade a course pack (file, folder, URL or catalog course id)" in " ".join(r.stdout.split())


def test_a_second_learner_does_not_break_every_command(run_mooc: Any) -> None:
    """Issue 14: after `mooc learner add` on an account that had one (silent) learner,
    every command failed until `mooc learner use`. The first stays the default."""
    assert run_mooc("progress").returncode == 0  # creates the learner named after the login
    r = run_mooc("learner", "add", "Amina")
    assert r.returncode == 0 and "Commands still study as" in r.stdout
    for args in (("progress",), ("progress", "--json"), ("certificate", "status")):
        r = run_mooc(*args)
        assert r.returncode == 0, (args, r.stderr)
    assert run_mooc("learner", "add", "Bola").returncode == 0  # a third: the default stays
    assert run_mooc("progress").returncode == 0


def test_an_os_error_no_command_caught_is_one_line(monkeypatch: Any, capsys: Any, mooc_home: Homes) -> None:
    """The last word on a full disk (or a lost mount) anywhere: one line naming the file."""
    import errno

    from player.cli import main as cli_main
    from player.cli import store_cmd

    def full_disk(args: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(mooc_home.home / "x.json"))

    monkeypatch.setattr(store_cmd, "cmd_list", full_disk)
    assert cli_main.main(["list"]) == 1
    err = capsys.readouterr().err
    assert err == f"mooc: error: {mooc_home.home / 'x.json'}: no space left on device (free some space and try again)\n"


def test_input_nested_too_deeply_anywhere_is_one_line(monkeypatch: Any, capsys: Any, mooc_home: Homes) -> None:
    from player.cli import main as cli_main
    from player.cli import store_cmd

    def nested(args: Any) -> int:
        return json.loads("[" * 100_000)

    monkeypatch.setattr(store_cmd, "cmd_list", nested)
    assert cli_main.main(["list"]) == 1
    assert capsys.readouterr().err == "mooc: error: the input is nested too deeply to read\n"
