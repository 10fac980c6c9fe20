"""A failed, killed or concurrent install never damages what is installed.

Bad packs are crafted with zipfile; kills are real SIGKILLs of a real `mooc install`.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from packages.search_cache import INDEX_NAME
from tests.conftest import MOOC_BIN, Homes
from tests.test_store import listed, make_source, pack, snapshot, zip_pack


def _installed_state(mooc_home: Homes) -> dict[str, str]:
    return snapshot(mooc_home.home / "courses")


def _no_staging_left(mooc_home: Homes) -> None:
    tmp = mooc_home.home / "tmp"
    leftovers = [p.name for p in tmp.iterdir() if p.name != "locks"] if tmp.exists() else []
    assert leftovers == []


def _bad_digest(files, entries):
    next(e for e in entries if e["path"] == "lessons/l0.md")["sha256"] = "0" * 64


def _altered_content(files, entries):
    files["lessons/l0.md"] = files["lessons/l0.md"].replace(b"Lesson", b"Lessun")


def _longer_content(files, entries):
    files["lessons/l0.md"] += b"more"


def _traversal(files, entries):
    files["../evil.md"] = b"x"
    entries.append(
        {"path": "../evil.md", "size": 1, "sha256": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"}
    )


def _absolute(files, entries):
    files["/tmp/evil.md"] = b"x"


def _unlisted(files, entries):
    files["lessons/extra.md"] = b"# Extra\n"


def _missing(files, entries):
    del files["lessons/l1.md"]


def _bad_toml(files, entries):
    data = files["course.toml"] + b"\nbroken = [\n"
    files["course.toml"] = data
    import hashlib

    entry = next(e for e in entries if e["path"] == "course.toml")
    entry.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())


def _missing_lesson_file(files, entries):
    # course.toml names lessons/l1.md, which is neither in the archive nor in the manifest
    del files["lessons/l1.md"]
    entries[:] = [e for e in entries if e["path"] != "lessons/l1.md"]


@pytest.mark.parametrize(
    "tamper, expected",
    [
        (_bad_digest, "lessons/l0.md"),
        (_altered_content, "lessons/l0.md"),
        (_longer_content, "lessons/l0.md"),
        (_traversal, "evil.md"),
        (_absolute, "evil.md"),
        (_unlisted, "lessons/extra.md"),
        (_missing, "lessons/l1.md"),
        (_bad_toml, "course.toml"),
        (_missing_lesson_file, "lessons/l1.md"),
    ],
)
def test_bad_pack_leaves_previous_version_intact(run_mooc, tmp_path: Path, mooc_home: Homes, tamper, expected) -> None:
    assert run_mooc("install", str(pack(tmp_path, "1.0.0"))).returncode == 0
    before = _installed_state(mooc_home)
    src = make_source(tmp_path / "src-bad", version="2.0.0")
    bad = zip_pack(src, tmp_path / "bad.mooc", tamper)

    res = run_mooc("install", str(bad))
    assert res.returncode == 1
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mooc: error: "), res.stderr
    assert "bad.mooc" in lines[0] and expected in lines[0], lines[0]
    assert _installed_state(mooc_home) == before
    assert listed(run_mooc)["stats-101"]["version"] == "1.0.0"
    _no_staging_left(mooc_home)
    assert not (tmp_path / "evil.md").exists() and not Path("/tmp/evil.md").exists()


def test_symlink_entry_is_refused(run_mooc, tmp_path: Path, mooc_home: Homes) -> None:
    src = make_source(tmp_path / "src")
    good = zip_pack(src, tmp_path / "good.mooc")
    bad = tmp_path / "link.mooc"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        link = zipfile.ZipInfo("media/passwd")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zout.writestr(link, "/etc/passwd")
    res = run_mooc("install", str(bad))
    assert res.returncode == 1 and "media/passwd" in res.stderr, res.stderr
    assert not (mooc_home.home / "courses/stats-101").exists()
    _no_staging_left(mooc_home)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04" + b"\0" * 40])
def test_not_a_pack_is_a_clear_error(run_mooc, tmp_path: Path, mooc_home: Homes, content: bytes) -> None:
    junk = tmp_path / "junk.mooc"
    junk.write_bytes(content)
    res = run_mooc("install", str(junk))
    assert res.returncode == 1
    assert res.stderr.startswith("mooc: error: ") and "junk.mooc" in res.stderr and "Traceback" not in res.stderr
    assert [p.name for p in (mooc_home.home / "courses").iterdir()] == []


def test_failed_first_install_leaves_nothing_visible(run_mooc, tmp_path: Path, mooc_home: Homes) -> None:
    bad = zip_pack(make_source(tmp_path / "src"), tmp_path / "bad.mooc", _bad_digest)
    assert run_mooc("install", str(bad)).returncode == 1
    assert list((mooc_home.home / "courses").iterdir()) == []
    assert "stats-101" not in listed(run_mooc)


# --------------------------------------------------------------------------- kills


def _start_install(mooc_home: Homes, the_pack: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(MOOC_BIN), "install", str(the_pack)],
        env=mooc_home.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_killed_installs_leave_the_previous_version(run_mooc, tmp_path: Path, mooc_home: Homes) -> None:
    """SIGKILL `mooc install` of a big upgrade at several moments; 1.0.0 stays whole."""
    assert run_mooc("install", str(pack(tmp_path, "1.0.0"))).returncode == 0
    before = listed(run_mooc)["stats-101"]
    files_before = snapshot(Path(before["path"]))
    media = {f"media/blob{i:02d}.bin": os.urandom(2_000_000) for i in range(30)}  # 60 MB
    big = zip_pack(make_source(tmp_path / "src-big", version="2.0.0", media=media), tmp_path / "big.mooc", stored=True)

    # How long does a full install take here? Kill at fractions of that.
    probe_home = tmp_path / "probe"
    probe_home.mkdir()
    t0 = time.monotonic()
    assert (
        subprocess.run([str(MOOC_BIN), "--home", str(probe_home), "install", str(big)], capture_output=True).returncode
        == 0
    )
    full = time.monotonic() - t0

    kills = 0
    mid_work = 0  # kills that left a staging folder: the install was really under way
    for fraction in (0.15, 0.3, 0.45, 0.6, 0.75, 0.9):
        proc = _start_install(mooc_home, big)
        time.sleep(full * fraction)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        tmp = mooc_home.home / "tmp"
        mid_work += any(p.name.startswith("stage-") for p in tmp.iterdir()) if tmp.exists() else 0
        now = listed(run_mooc)["stats-101"]
        if now["version"] == "1.0.0":  # the kill came before the switch
            assert snapshot(Path(now["path"])) == files_before
        else:  # the install finished before the kill: the new version is whole
            assert now["version"] == "2.0.0"
            # the search index is written at install when there is time: kept or not, it is no course file
            kept = [rel for rel in snapshot(Path(now["path"])) if not rel.endswith(INDEX_NAME)]
            assert len(kept) == len(media) + 5
            break
    assert kills >= 2 and mid_work >= 1, f"install too fast to interrupt ({full:.2f} s, {kills} kills)"

    res = run_mooc("install", str(big), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["version"] == "2.0.0"
    installed = snapshot(Path(data["path"]))
    assert all(installed[rel] == snapshot(tmp_path / "src-big")[rel] for rel in media)
    # the next run swept every leftover of the killed ones
    _no_staging_left(mooc_home)
    assert [p.name for p in (mooc_home.home / "courses/stats-101/versions").iterdir()] == [Path(data["path"]).name]


def test_stale_staging_and_orphans_are_swept_by_the_next_install(run_mooc, tmp_path: Path, mooc_home: Homes) -> None:
    """What a kill leaves (staging, an unreferenced version, a course with no pointer) goes away."""
    assert run_mooc("install", str(pack(tmp_path, "1.0.0"))).returncode == 0
    tmp = mooc_home.home / "tmp"
    (tmp / "stage-dead1").mkdir()
    (tmp / "stage-dead1" / ".lock").write_text("")
    (tmp / "stage-dead1" / "tree").mkdir()
    orphan = mooc_home.home / "courses/stats-101/versions/2.0.0~deadbeef"
    orphan.mkdir()
    (orphan / "course.toml").write_text("half")
    half_course = mooc_home.home / "courses/never-finished/versions/1.0.0~0000"
    half_course.mkdir(parents=True)
    assert "never-finished" not in listed(run_mooc)

    assert run_mooc("install", str(pack(tmp_path, "1.0.0", course_id="other"))).returncode == 0
    assert not (tmp / "stage-dead1").exists()
    assert not orphan.exists()
    assert not (mooc_home.home / "courses/never-finished").exists()
    assert listed(run_mooc)["stats-101"]["version"] == "1.0.0"


def test_concurrent_installs_of_one_course(run_mooc, tmp_path: Path, mooc_home: Homes) -> None:
    the_pack = pack(tmp_path, "1.0.0", media={"media/m.bin": os.urandom(3_000_000)})
    procs = [
        subprocess.Popen(
            [str(MOOC_BIN), "install", str(the_pack), "--json"],
            env=mooc_home.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    assert all(code == 0 for code, _, _ in results), results
    statuses = sorted(json.loads(out)["status"] for _, out, _ in results)
    assert statuses.count("installed") == 1 and statuses.count("already-installed") == 3
    versions = list((mooc_home.home / "courses/stats-101/versions").iterdir())
    assert len(versions) == 1
    _no_staging_left(mooc_home)


def test_system_store_not_writable_is_a_clear_error(run_mooc, tmp_path: Path, mooc_home: Homes) -> None:
    """Point the system store below a regular file: no account can write there (even root)."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    res = run_mooc("install", str(pack(tmp_path)), "--system", env={"MOOC_SYSTEM_HOME": str(blocker / "sys")})
    assert res.returncode == 1
    assert res.stderr.startswith("mooc: error: cannot write the system store at "), res.stderr
