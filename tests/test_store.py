"""`mooc install / list / info / remove` end to end, with the real `mooc` command.

Packs are built here with zipfile (manifest and digests computed by the test), so
each test can also craft a broken one: a wrong digest, a path leaving the pack...
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from packages.course_cache import CACHE_NAME
from packages.portable import tomllib
from tests.conftest import MOOC_BIN, Homes

Tamper = Callable[[dict[str, bytes], list[dict]], None]


# --------------------------------------------------------------------------- packs


def make_source(
    root: Path,
    course_id: str = "stats-101",
    version: str = "1.0.0",
    *,
    title: str = "Statistics 101",
    lessons: int = 2,
    media: dict[str, bytes] | None = None,
) -> Path:
    """A small valid pack source folder: one module, `lessons` lessons and a quiz."""
    (root / "lessons").mkdir(parents=True, exist_ok=True)
    (root / "quizzes").mkdir(exist_ok=True)
    items = []
    for i in range(lessons):
        (root / f"lessons/l{i}.md").write_text(f"# Lesson {i}\n\nVersion {version}, lesson {i}.\n")
        items.append(f'[[modules.items]]\nid = "l{i}"\nkind = "lesson"\nfile = "lessons/l{i}.md"\n')
    for rel, data in (media or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "quizzes/q.toml").write_text(
        'title = "Quiz"\n[[questions]]\nid = "q1"\ntype = "truefalse"\nprompt = "Yes?"\nanswer = true\n'
    )
    items.append('[[modules.items]]\nid = "quiz"\nkind = "quiz"\nfile = "quizzes/q.toml"\n')
    (root / "course.toml").write_text(
        f'format = 1\nid = "{course_id}"\nversion = "{version}"\ntitle = {json.dumps(title)}\n'
        f'summary = "A course."\n\n[sync]\nxapi_endpoint = "https://lrs.example.org/xAPI/"\n\n'
        f'[[modules]]\nid = "week-1"\ntitle = "Week 1"\n\n' + "\n".join(items)
    )
    return root


def zip_pack(src: Path, out: Path, tamper: Tamper | None = None, *, stored: bool = False) -> Path:
    """Build a .mooc by hand: every file plus mooc-manifest.json with sizes and SHA-256.

    `tamper(files, manifest_entries)` may change either before writing (to craft bad packs).
    """
    files = {p.relative_to(src).as_posix(): p.read_bytes() for p in sorted(src.rglob("*")) if p.is_file()}
    entries = [
        {"path": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()} for rel, data in files.items()
    ]
    if tamper:
        tamper(files, entries)
    meta = tomllib.loads((src / "course.toml").read_text())
    manifest = {"format": 1, "course": {k: meta[k] for k in ("id", "version", "title")}, "files": entries}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as zf:
        for rel, data in files.items():
            zf.writestr(rel, data)
        zf.writestr("mooc-manifest.json", json.dumps(manifest))
    return out


def pack(tmp: Path, version: str = "1.0.0", course_id: str = "stats-101", **kw) -> Path:
    src = make_source(tmp / f"src-{course_id}-{version}", course_id, version, **kw)
    return zip_pack(src, tmp / f"{course_id}-{version}.mooc")


def snapshot(root: Path) -> dict[str, str]:
    """Every file under root (relative path -> sha256), to prove nothing changed.

    The parsed-course cache is left out: it is derived from the pack, not part of it."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != CACHE_NAME
    }


def listed(run_mooc) -> dict[str, dict]:
    res = run_mooc("list", "--json")
    assert res.returncode == 0, res.stderr
    return {c["id"]: c for c in json.loads(res.stdout)}


# --------------------------------------------------------------------------- list


def test_fresh_home_lists_the_bundled_demo(run_mooc, mooc_home: Homes) -> None:
    res = run_mooc("list")
    assert res.returncode == 0, res.stderr
    assert re.search(r"^mooc-demo\s+\S+\s+full\s+en\s+bundled\s+\S", res.stdout, re.M), res.stdout
    demo = listed(run_mooc)["mooc-demo"]
    assert demo["origin"] == "bundled" and demo["installed_at"] is None
    assert Path(demo["path"], "course.toml").is_file()
    assert demo["modules"] and all(m["lessons"] + m["quizzes"] > 0 for m in demo["modules"])
    # listing wrote nothing into the home
    assert list(mooc_home.home.iterdir()) == []


def test_install_from_mooc_then_list_and_info(run_mooc, tmp_path: Path) -> None:
    res = run_mooc("install", str(pack(tmp_path)))
    assert res.returncode == 0, res.stderr
    assert "installed stats-101 1.0.0" in res.stdout
    course = listed(run_mooc)["stats-101"]
    assert course["origin"] == "user" and course["version"] == "1.0.0" and course["language"] == "en"
    assert course["modules"] == [{"id": "week-1", "title": "Week 1", "lessons": 2, "quizzes": 1}]
    assert course["size"] > 0 and course["installed_at"]
    installed = Path(course["path"])
    assert (installed / "lessons/l1.md").read_text().startswith("# Lesson 1")

    text = run_mooc("list")
    assert re.search(r"^stats-101\s+1\.0\.0\s+full\s+en\s+user\s+Statistics 101$", text.stdout, re.M), text.stdout

    info = run_mooc("info", "stats-101")
    assert info.returncode == 0, info.stderr
    for needle in (
        "Statistics 101",
        "version:   1.0.0",
        "origin:    user",
        str(installed),
        "https://lrs.example.org/xAPI/",
        "week-1: Week 1 (2 lessons, 1 quiz)",
    ):
        assert needle in info.stdout
    data = json.loads(run_mooc("info", "stats-101", "--json").stdout)
    assert data["xapi_endpoint"] == "https://lrs.example.org/xAPI/" and data["path"] == str(installed)


def test_install_from_a_pack_source_folder(run_mooc, tmp_path: Path) -> None:
    src = make_source(tmp_path / "course", "folder-course", "0.3.0", title="From a folder")
    res = run_mooc("install", str(src), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert (data["status"], data["id"], data["version"]) == ("installed", "folder-course", "0.3.0")
    installed = Path(data["path"])
    assert (installed / "mooc-manifest.json").is_file()  # built, then installed like a .mooc
    assert snapshot(src).items() <= snapshot(installed).items()


def test_install_from_an_http_url(run_mooc, tmp_path: Path, mooc_home: Homes) -> None:
    served = tmp_path / "www"
    served.mkdir()
    pack(served, "2.0.0")
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
        cwd=served,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        port = int(re.search(r"port (\d+)", line).group(1))  # "Serving HTTP on 127.0.0.1 port N ..."
        res = run_mooc("install", f"http://127.0.0.1:{port}/stats-101-2.0.0.mooc", "--json")
    finally:
        proc.kill()
        proc.wait()
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert (data["status"], data["version"]) == ("installed", "2.0.0")
    assert data["source"] == f"http://127.0.0.1:{port}/stats-101-2.0.0.mooc"
    assert listed(run_mooc)["stats-101"]["version"] == "2.0.0"
    # the download is gone once installed, and no partial file is left
    assert not any(p.is_file() for p in (mooc_home.home / "downloads").rglob("*"))


def test_install_url_error_is_one_line(run_mooc) -> None:
    res = run_mooc(
        "install",
        "http://127.0.0.1:9/none.mooc",
        timeout=60,
        env={"MOOC_CONNECT_TIMEOUT": "1", "MOOC_BACKOFF_BASE": "0.01"},
    )
    assert res.returncode == 1
    assert res.stderr.startswith("mooc: error: ") and "Traceback" not in res.stderr
    assert "127.0.0.1:9" in res.stderr


@pytest.mark.parametrize(
    "spec, message",
    [
        ("no-such-thing", "no-such-thing: not a file, folder or URL, nor a course of an added catalog"),
        ("ftp://example.org/a.mooc", "unsupported URL scheme 'ftp'"),
    ],
)
def test_bad_spec_is_a_clear_error(run_mooc, spec: str, message: str) -> None:
    res = run_mooc("install", spec)
    assert res.returncode == 1
    assert res.stderr.strip() == f"mooc: error: {message}" or message in res.stderr


# --------------------------------------------------------------------------- versions


def test_upgrade_keeps_progress_downgrade_needs_force(run_mooc, tmp_path: Path, mooc_home: Homes) -> None:
    assert run_mooc("install", str(pack(tmp_path, "1.0.0"))).returncode == 0
    progress = mooc_home.home / "learners/ana/progress/stats-101.jsonl"
    progress.parent.mkdir(parents=True)
    progress.write_text('{"type": "enrolled"}\n')
    before = (progress.read_bytes(), progress.stat().st_mtime_ns)

    up = run_mooc("install", str(pack(tmp_path, "1.10.0")))
    assert up.returncode == 0, up.stderr
    assert "upgraded stats-101 1.0.0 -> 1.10.0" in up.stdout
    assert (progress.read_bytes(), progress.stat().st_mtime_ns) == before
    course = listed(run_mooc)["stats-101"]
    assert course["version"] == "1.10.0"
    assert "Version 1.10.0" in Path(course["path"], "lessons/l0.md").read_text()
    # only the live version is kept
    assert [p.name for p in (mooc_home.home / "courses/stats-101/versions").iterdir()] == [Path(course["path"]).name]

    down = run_mooc("install", str(pack(tmp_path, "1.9.0")))
    assert down.returncode == 1
    assert "older than the installed 1.10.0" in down.stderr and "--force" in down.stderr
    assert listed(run_mooc)["stats-101"]["version"] == "1.10.0"

    same = run_mooc("install", str(tmp_path / "stats-101-1.10.0.mooc"))
    assert same.returncode == 0 and "already installed" in same.stdout

    again = json.loads(run_mooc("install", str(tmp_path / "stats-101-1.10.0.mooc"), "--force", "--json").stdout)
    assert again["status"] == "reinstalled" and again["path"] != course["path"]

    forced = json.loads(run_mooc("install", str(tmp_path / "stats-101-1.9.0.mooc"), "--force", "--json").stdout)
    assert (forced["status"], forced["previous_version"], forced["version"]) == ("downgraded", "1.10.0", "1.9.0")
    assert (progress.read_bytes(), progress.stat().st_mtime_ns) == before


# --------------------------------------------------------------------------- system store


def test_system_install_is_seen_by_another_home(run_mooc, tmp_path: Path, mooc_home: Homes) -> None:
    # as root with a strict umask: the system store must still be readable by every account
    res = subprocess.run(
        ["sh", "-c", 'umask 077 && exec "$0" "$@"', str(MOOC_BIN), "install", str(pack(tmp_path, "1.0.0")), "--system"],
        capture_output=True,
        text=True,
        env=mooc_home.env(),
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "system-wide" in res.stdout
    assert not (mooc_home.home / "courses" / "stats-101").exists()

    other = tmp_path / "other-home"
    other.mkdir()
    res = run_mooc("list", "--json", env={"MOOC_HOME": str(other)})
    course = {c["id"]: c for c in json.loads(res.stdout)}["stats-101"]
    assert course["origin"] == "system"
    assert Path(course["path"]).is_relative_to(mooc_home.system)

    for p in (mooc_home.system / "courses").rglob("*"):
        assert p.stat().st_mode & 0o004, f"{p} is not world-readable"

    # a user copy of a higher version wins; of a lower version it is shadowed (with a note)
    res = run_mooc("install", str(pack(tmp_path, "0.9.0")), "--json")
    assert json.loads(res.stdout)["note"] and "system" in json.loads(res.stdout)["note"]
    assert listed(run_mooc)["stats-101"]["origin"] == "system"
    all_copies = json.loads(run_mooc("list", "--all", "--json").stdout)
    assert sorted((c["origin"], c["version"]) for c in all_copies if c["id"] == "stats-101") == [
        ("system", "1.0.0"),
        ("user", "0.9.0"),
    ]
    assert run_mooc("install", str(pack(tmp_path, "1.1.0"))).returncode == 0
    assert listed(run_mooc)["stats-101"]["origin"] == "user"

    # the system copy is removed only with --system
    assert run_mooc("remove", "stats-101", "--yes").returncode == 0
    res = run_mooc("remove", "stats-101", "--yes")
    assert res.returncode == 1 and "--system" in res.stderr
    assert run_mooc("remove", "stats-101", "--yes", "--system").returncode == 0
    assert "stats-101" not in listed(run_mooc)


def test_user_copy_of_the_demo_replaces_the_bundled_one(run_mooc, tmp_path: Path) -> None:
    res = run_mooc("install", str(pack(tmp_path, "99.0.0", course_id="mooc-demo")))
    assert res.returncode == 0, res.stderr
    assert listed(run_mooc)["mooc-demo"]["origin"] == "user"
    assert run_mooc("remove", "mooc-demo", "--yes").returncode == 0
    assert listed(run_mooc)["mooc-demo"]["origin"] == "bundled"
    res = run_mooc("remove", "mooc-demo", "--yes")
    assert res.returncode == 1 and "bundled" in res.stderr


# --------------------------------------------------------------------------- remove


def test_remove_needs_confirmation_keeps_progress_unless_purge(run_mooc, tmp_path: Path, mooc_home: Homes) -> None:
    assert run_mooc("install", str(pack(tmp_path))).returncode == 0
    res = run_mooc("remove", "stats-101")  # stdin is not a terminal
    assert res.returncode == 1 and "--yes" in res.stderr
    assert "stats-101" in listed(run_mooc)

    progress = [mooc_home.home / f"learners/{n}/progress/stats-101.jsonl" for n in ("ana", "bo")]
    other = mooc_home.home / "learners/ana/progress/other.jsonl"
    for p in [*progress, other]:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("{}\n")

    res = run_mooc("remove", "stats-101", "--yes")
    assert res.returncode == 0 and "progress kept" in res.stdout
    assert "stats-101" not in listed(run_mooc)
    assert not (mooc_home.home / "courses/stats-101").exists()
    assert all(p.exists() for p in progress)

    assert run_mooc("install", str(tmp_path / "stats-101-1.0.0.mooc")).returncode == 0
    res = run_mooc("remove", "stats-101", "--yes", "--purge")
    assert res.returncode == 0 and "deleted 2 progress files" in res.stdout
    assert not any(p.exists() for p in progress) and other.exists()


def test_unknown_course_suggests_a_close_match(run_mooc, tmp_path: Path) -> None:
    assert run_mooc("install", str(pack(tmp_path))).returncode == 0
    for args in (("info", "stats-10"), ("remove", "stats-10", "--yes")):
        res = run_mooc(*args)
        assert res.returncode == 1
        assert res.stderr.strip() == "mooc: error: no course 'stats-10' is installed; did you mean 'stats-101'?"
    res = run_mooc("info", "zzz")
    assert res.stderr.strip() == "mooc: error: no course 'zzz' is installed; see `mooc list`"


def test_course_text_is_cleaned_everywhere(run_mooc, tmp_path: Path) -> None:
    evil = "Evil \x1b[31mred\x1b[0m [bold]x[/bold] \x9b2J\x07"
    res = run_mooc("install", str(pack(tmp_path, title=evil)))
    assert res.returncode == 0, res.stderr
    for args in (("list",), ("list", "--json"), ("info", "stats-101"), ("info", "stats-101", "--json")):
        out = run_mooc(*args).stdout
        assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out and "\\u001b" not in out
        assert "[bold]x[/bold]" in out  # markup shown literally


# --------------------------------------------------------------------------- relocation


def test_mooc_home_and_home_option_relocate_everything(tmp_path: Path) -> None:
    """With HOME and XDG_* pointing at an empty folder, nothing may be written there."""
    fake_home = tmp_path / "fake-home"
    fake_home.mkdir()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MOOC_", "XDG_"))}
    base.update(
        HOME=str(fake_home),
        XDG_DATA_HOME=str(fake_home / "data"),
        XDG_CONFIG_HOME=str(fake_home / "cfg"),
        XDG_CACHE_HOME=str(fake_home / "cache"),
        XDG_STATE_HOME=str(fake_home / "state"),
        MOOC_SYSTEM_HOME=str(tmp_path / "system"),
    )
    the_pack = pack(tmp_path)

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        res = subprocess.run(
            [str(MOOC_BIN), *args], capture_output=True, text=True, timeout=120, env={**base, **env}, cwd=tmp_path
        )
        assert res.returncode == 0, res.stderr
        return res

    for how, extra, env in (
        ("env", [], {"MOOC_HOME": str(tmp_path / "by-env")}),
        ("option", ["--home", str(tmp_path / "by-option")], {}),
    ):
        home = tmp_path / f"by-{how}"
        run("install", str(the_pack), *extra, **env)
        assert "stats-101" in run("list", *extra, **env).stdout
        run("info", "stats-101", *extra, **env)
        assert (home / "courses/stats-101/current.json").is_file()
        run("remove", "stats-101", "--yes", *extra, **env)
    # --home before the sub-command too
    run("--home", str(tmp_path / "by-option"), "install", str(the_pack))
    assert list(fake_home.rglob("*")) == []


def test_remove_asks_on_a_terminal(run_mooc, tmp_path: Path, mooc_home: Homes) -> None:
    """stdin/stdout on a real pseudo-terminal: the answer decides."""
    import pty

    assert run_mooc("install", str(pack(tmp_path))).returncode == 0
    for answer, code, still_there in (("n", 1, True), ("y", 0, False)):
        leader, follower = pty.openpty()
        proc = subprocess.Popen(
            [str(MOOC_BIN), "remove", "stats-101"],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=mooc_home.env(),
        )
        os.close(follower)
        out = b""
        while b"[y/N]" not in out:
            out += os.read(leader, 1024)
        os.write(leader, f"{answer}\n".encode())
        assert proc.wait(timeout=30) == code
        os.close(leader)
        assert b"remove stats-101 1.0.0 (Statistics 101) from the user store" in out
        assert ("stats-101" in listed(run_mooc)) is still_there
