"""Hostile packs and a hostile disk, each class really done (issue 10, the pack part).

- A pack cannot get code run: no pack file may take the name of one of mooc's own files
  (in any spelling a file system folds together), the course cache holds plain data
  only, and a cache write that fails leaves nothing under the cache's name.
- A zip bomb made of many entries, each under the per-entry ratio floor, is refused as a
  whole, from the central directory alone.
- A pack's xAPI endpoint must be a plain http(s) URL, at `pack check` and at install.
- A full disk (a real tmpfs filled to the byte), a read-only file system and a folder we
  may not write give one line, a non-zero exit, and leave what was there as it was.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import pickle
import random
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from packages.course_cache import CACHE_NAME, LEGACY_NAMES
from packages.manifest import MANIFEST_NAME
from packages.search_cache import INDEX_NAME
from tests.conftest import MOOC_BIN, Homes
from tests.support.disk import MountFs
from tests.support.rawzip import deflated, renamed, write_zip
from tests.test_store import make_source, zip_pack

MiB = 1 << 20


def one_line_error(r: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The run failed with exactly one line on stderr, naming every needle, no traceback."""
    assert r.returncode != 0, (r.stdout, r.stderr)
    assert r.stderr.startswith("mooc: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.stderr
    for needle in needles:
        assert needle in r.stderr, (needle, r.stderr)
    return r.stderr


# --------------------------------------------------------------------------- file systems


def fill(root: Path) -> Path:
    """Fill the file system of `root` to the last byte; returns the filler file."""
    filler = root / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for chunk in (MiB, 64 * 1024, 4096, 1):
            while True:
                try:
                    os.write(fd, b"\0" * chunk)
                except OSError as err:
                    if err.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    with pytest.raises(OSError) as full:
        (root / "one-more-byte").write_bytes(b"x")
    assert full.value.errno == errno.ENOSPC
    (root / "one-more-byte").unlink(missing_ok=True)
    return filler


def free(filler: Path, nbytes: int) -> None:
    """Give `nbytes` back (from a completely full file system)."""
    os.truncate(filler, max(0, filler.stat().st_size - nbytes))


def remount_read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True, capture_output=True)


def run(
    homes: Homes,
    *args: str,
    cwd: Path | None = None,
    timeout: float = 120,
    preexec_fn: Callable[[], None] | None = None,
    input: str | None = None,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MOOC_BIN), *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=homes.env(**env),
        cwd=cwd,
        preexec_fn=preexec_fn,
    )


def store_state(home: Path) -> tuple[dict[str, str], list[str]]:
    """Every file of the store (path -> sha256, the cache included) and what tmp/ holds
    besides the lock files (leftovers of a failed install)."""
    courses = home / "courses"
    files = {
        p.relative_to(courses).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(courses.rglob("*"))
        if p.is_file()
    }
    tmp = home / "tmp"
    left = (
        sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file() and p.parent.name != "locks")
        if tmp.exists()
        else []
    )
    return files, left


def home_with_a_course(tmpfs: MountFs, tmp_path: Path) -> tuple[Homes, Path]:
    """A home on a fresh 3 MB tmpfs with stats-101 1.0.0 installed: (homes, the mount)."""
    disk = tmpfs("disk", "3m")
    homes = Homes(disk / "home", disk / "system")
    homes.home.mkdir()
    homes.system.mkdir()
    r = run(homes, "install", str(zip_pack(make_source(tmp_path / "v1"), tmp_path / "v1.mooc")))
    assert r.returncode == 0, r.stderr
    return homes, disk


def drop_permission_override() -> None:
    """In a child running as root: obey permission bits (drop CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH and CAP_FOWNER from the bounding set), so EACCES can happen."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):
        if libc.prctl(24, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


# --------------------------------------------------------------------------- 1. code from a pack


class _RunsCode:
    """What a hostile pickle does when loaded: here, create a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('code from the pack ran')",))


def hostile_pickle(marker: Path) -> bytes:
    """A pickle that writes `marker` when loaded; proven live on a probe first."""
    probe = marker.with_name(marker.name + ".probe")
    pickle.loads(pickle.dumps(_RunsCode(probe)))
    assert probe.read_text() == "code from the pack ran"
    probe.unlink()
    return pickle.dumps(_RunsCode(marker))


RESERVED_SPELLINGS = [
    ".mooc-course-cache.pickle",  # the name older moocs unpickled
    CACHE_NAME,
    f"lessons/{CACHE_NAME}",
    ".MOOC-Course-Cache.JSON",
    ".mooc-cache",
    "current.json",
    "media/Current.JSON",
    "current.json.",  # Windows drops trailing dots
    "cur\u200crent.json",  # HFS+ ignores this invisible character
    "\uff43urrent.json",  # a fullwidth c
    "lessons/mooc-manifest.json",  # the manifest's name at a wrong place
    "MOOC-MANIFEST.JSON",
    ".loc\u212a",  # KELVIN SIGN folds to k: .lock
    "current.json/notes.md",  # as a folder name too
]


@pytest.mark.parametrize("name", RESERVED_SPELLINGS)
def test_a_pack_file_named_like_moocs_own_files_is_refused(tmp_path: Path, mooc_home: Homes, name: str) -> None:
    """`pack check` and `install` refuse the pack, naming the file; nothing is installed
    and, with a pickle under that name, nothing from it ever runs."""
    marker = tmp_path / "pwned"
    src = make_source(tmp_path / "src")
    hostile = zip_pack(
        src, tmp_path / "hostile.mooc", tamper=lambda files, entries: _add(files, entries, name, hostile_pickle(marker))
    )
    r = run(mooc_home, "pack", "check", str(hostile))
    one_line_error(r, str(hostile), repr(name), "reserved for mooc's own files")
    r = run(mooc_home, "install", str(hostile))
    one_line_error(r, "reserved for mooc's own files")
    assert not (mooc_home.home / "courses" / "stats-101").exists()
    run(mooc_home, "list")
    assert not marker.exists()


def _add(files: dict[str, bytes], entries: list[dict], rel: str, data: bytes) -> None:
    files[rel] = data
    entries.append({"path": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})


def test_reserved_names_in_a_source_folder(tmp_path: Path, mooc_home: Homes) -> None:
    """In a source folder: a reserved name that would be packed is an error naming the
    file at `pack check`, and `install FOLDER` refuses it. Dot-files are never packed, so
    a cache planted there never reaches an installed course."""
    src = make_source(tmp_path / "src")
    (src / "media").mkdir()
    (src / "media" / "Current.json").write_text("{}")
    r = run(mooc_home, "pack", "check", str(src))
    assert r.returncode == 1
    assert "error: media/Current.json: the name 'Current.json' is reserved for mooc's own files" in r.stdout
    one_line_error(run(mooc_home, "install", str(src)), "media/Current.json", "reserved")

    (src / "media" / "Current.json").unlink()
    marker = tmp_path / "pwned"
    for name in (CACHE_NAME, *LEGACY_NAMES):
        (src / name).write_bytes(hostile_pickle(marker))
    r = run(mooc_home, "install", str(src))
    assert r.returncode == 0, r.stderr
    tree = Path(json.loads(run(mooc_home, "info", "stats-101", "--json").stdout)["path"])
    assert not any((tree / name).exists() for name in LEGACY_NAMES)
    assert (tree / CACHE_NAME).read_bytes().startswith(b"mooc course cache\n")  # mooc's own, not the planted one
    r = run(mooc_home, "play", "--plain", "stats-101", "quiz", input="")
    assert r.returncode == 0 and "Yes?" in r.stdout, r.stderr
    assert not marker.exists()


def test_a_planted_cache_never_runs_even_when_the_disk_is_full(tmpfs: MountFs, tmp_path: Path) -> None:
    """The whole attack: a pickle sits under the cache's names in an installed course (as
    a pack could leave it with an older mooc), the disk is full so the cache cannot be
    rewritten, and a fresh `mooc play` opens the course. No code runs, and no cache file
    is left behind, neither the planted one nor a half-written one. (The search index,
    written at install, is mooc's own: tests/test_search_cache.py plants one.)"""
    homes, disk = home_with_a_course(tmpfs, tmp_path)
    tree = Path(json.loads(run(homes, "info", "stats-101", "--json").stdout)["path"])
    r = run(homes, "play", "--plain", "stats-101", "quiz", input="")  # the learner and their enrolment
    assert r.returncode == 0 and "Yes?" in r.stdout, r.stderr
    marker = tmp_path / "pwned"
    (tree / CACHE_NAME).write_bytes(hostile_pickle(marker))
    filler = fill(disk)

    def dot_files() -> list[str]:
        return sorted(p.name for p in tree.iterdir() if p.name.startswith(".") and p.name != INDEX_NAME)

    r = run(homes, "play", "--plain", "stats-101", "quiz", input="")
    assert "Yes?" in r.stdout, r.stderr  # the course and its quiz were opened (parsed again)
    assert "Traceback" not in r.stderr
    assert not marker.exists()
    assert dot_files() == []  # no cache, no temp file

    # under the name older moocs unpickled: deleted when the cache is written (which,
    # with the room that frees, now fits)
    (tree / LEGACY_NAMES[0]).write_bytes(hostile_pickle(marker))
    r = run(homes, "play", "--plain", "stats-101", "quiz", input="")
    assert "Yes?" in r.stdout and "Traceback" not in r.stderr, r.stderr
    assert not marker.exists() and not (tree / LEGACY_NAMES[0]).exists()
    assert dot_files() in ([], [CACHE_NAME])

    filler.unlink()
    r = run(homes, "play", "--plain", "stats-101", "quiz", input="")
    assert r.returncode == 0 and "Yes?" in r.stdout, r.stderr
    assert (tree / CACHE_NAME).read_bytes().startswith(b"mooc course cache\n")
    r = run(homes, "play", "--plain", "stats-101", "quiz", input="")  # from the new cache
    assert r.returncode == 0 and "Yes?" in r.stdout, r.stderr
    assert not marker.exists()


# --------------------------------------------------------------------------- 2. zip bomb


def bomb(tmp_path: Path, *, entries: int, shared: bool = False) -> Path:
    """A valid-looking pack: course.toml, a lesson, a manifest, and `entries` files of
    1 MiB - 1 bytes each (just under the per-entry ratio floor), every one listed in the
    manifest with its right digest: a pack mooc would really unpack.

    The files are zeros (~1,000:1 each); with `shared`, bytes that deflate only ~100:1
    (declared sizes then look like a whole ratio of ~100) but are stored once for all
    entries, so the archive itself is tiny.
    """
    course = (
        b'format = 1\nid = "bomb"\nversion = "1.0.0"\ntitle = "B"\n[[modules]]\nid = "m"\ntitle = "M"\n'
        b'items = [{ id = "l", kind = "lesson", file = "l.md" }]\n'
    )
    lesson = b"# Zeros\n"
    data = bytearray(MiB - 1)
    if shared:
        rng = random.Random(0)
        for i in range(0, len(data), 256):
            data[i] = rng.randrange(256)
    digest = hashlib.sha256(data).hexdigest()
    blob = deflated(bytes(data), "media/z00000.bin")
    blobs = [renamed(blob, f"media/z{i:05}.bin") for i in range(entries)]
    manifest = {
        "format": 1,
        "course": {"id": "bomb", "version": "1.0.0", "title": "B"},
        "files": [
            {"path": "course.toml", "size": len(course), "sha256": hashlib.sha256(course).hexdigest()},
            {"path": "l.md", "size": len(lesson), "sha256": hashlib.sha256(lesson).hexdigest()},
        ]
        + [{"path": b.name, "size": b.size, "sha256": digest} for b in blobs],
    }
    small = [
        deflated(course, "course.toml"),
        deflated(lesson, "l.md"),
        deflated(json.dumps(manifest).encode(), MANIFEST_NAME),
    ]
    return write_zip(tmp_path / "bomb.mooc", small + blobs, shared=shared)


def run_measured(homes: Homes, *args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """Run mooc; also its wall time (s) and its own peak memory (KiB), from wait4."""
    out, err = (tempfile.TemporaryFile("w+") for _ in range(2))
    with out, err:
        t0 = time.monotonic()
        proc = subprocess.Popen([str(MOOC_BIN), *args], stdout=out, stderr=err, text=True, env=homes.env())
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"mooc {' '.join(args)} did not end within {timeout} s")
            time.sleep(0.02)
        elapsed = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out.read(), err.read()), elapsed, usage.ru_maxrss


@pytest.mark.parametrize("shared", [False, True], ids=["many-entries", "overlapping-entries"])
def test_many_entries_under_the_ratio_floor_are_refused_as_a_whole(
    tmp_path: Path, mooc_home: Homes, shared: bool
) -> None:
    """1,200 entries of almost 1 MiB each (1.2 GB, under the 2 GiB total limit) in an
    archive of ~1.3 MB (overlapping: ~90 KB): each entry is under the per-entry floor,
    the whole is a bomb. Refused at check and install, from the central directory alone,
    in a fraction of the time and memory it takes to write 1.2 GB; the store gets nothing."""
    path = bomb(tmp_path, entries=1200, shared=shared)
    assert path.stat().st_size < 2 * MiB
    with zipfile.ZipFile(path) as zf:  # a real archive, as zipfile lists it
        infos = zf.infolist()
        assert len(infos) == 1203 and sum(i.file_size for i in infos) > 1200 * (MiB - 1)
        assert max(i.file_size for i in infos) < MiB
        declared_ratio = sum(i.file_size for i in infos) / sum(i.compress_size for i in infos)
        assert declared_ratio < 200 if shared else declared_ratio > 200
    for args in (("pack", "check", str(path)), ("install", str(path))):
        r, elapsed, peak_kib = run_measured(mooc_home, *args)
        one_line_error(r, str(path), "over the whole archive exceeds the limit of 200:1", "zip bomb")
        assert elapsed < 20, f"{args[0]} took {elapsed:.1f} s"  # "did not unpack", not a speed test
        assert peak_kib < 200 * 1024, f"{args[0]} peaked at {peak_kib} KiB"
    assert not (mooc_home.home / "courses" / "bomb").exists()
    assert store_state(mooc_home.home) == ({}, [])
    # the ratio limit is what refused it: lifted, the next limit (total size) speaks instead
    r = run(mooc_home, "pack", "check", str(path), "--max-ratio", "2000000", "--max-size", "1G")
    one_line_error(r, "unpacked size exceeds the limit of 1073741824 bytes")


# --------------------------------------------------------------------------- 3. endpoints


BAD_ENDPOINTS = {
    "ftp://lrs.example.org/xapi/": "not an http or https URL",
    "javascript:alert(1)": "not an http or https URL",
    "https://": "has no host",
    "https:///xapi/": "has no host",
    "https://learner:secret@lrs.example.org/xapi/": "user name or password",
    "https://lrs.example.org@evil.example/xapi/": "user name or password",
    "https://lrs.example.org/xapi/\x1b]0;pwned\x07": "control character",
    "https://lrs.example.org/\u202exapi/": "invisible or control character",
    "https://lrs.example.org/x api/": "a space",
    "https://lrs.example.org/xapi/\r\nX-Evil: 1": "control character",
    "https://lrs.ex\u00e4mple.org/xapi/": "non-ASCII",
    "https://lrs.example.org\\@evil.example/": "backslash",
    "https://lrs.example.org:99999/xapi/": "not a URL",
    "https://lrs.example.org:http/xapi/": "not a URL",
    "https://[::1/xapi/": "not a URL",
    "https://lrs_example!.org/xapi/": "malformed host",
    "https://lrs.example.org/xapi/?key=1": "has a query",
    "https://lrs.example.org/xapi/#top": "has a fragment",
}
GOOD_ENDPOINTS = [
    "https://lrs.example.org/xAPI/",
    "http://127.0.0.1:8080/xapi/",
    "https://[::1]:8443/data/xAPI",
    "HTTPS://LRS.Example.org/xapi/",
]


def with_endpoint(root: Path, endpoint: str) -> Path:
    src = make_source(root)
    toml = (src / "course.toml").read_text()
    (src / "course.toml").write_text(toml.replace('"https://lrs.example.org/xAPI/"', json.dumps(endpoint)))
    assert json.dumps(endpoint) in (src / "course.toml").read_text()
    return src


def test_bad_endpoints_are_refused_in_check_and_install(tmp_path: Path, mooc_home: Homes) -> None:
    """Each bad endpoint: one error line at `pack check` (folder and .mooc), naming
    course.toml and the key; one line from `install`; nothing installed."""
    from packages.source import open_source
    from packages.validation import validate

    for i, (endpoint, why) in enumerate(BAD_ENDPOINTS.items()):
        src = with_endpoint(tmp_path / f"src{i}", endpoint)
        with open_source(src) as source:  # every one, in process
            errors = [str(p) for p in validate(source).errors]
        assert len(errors) == 1 and "sync.xapi_endpoint" in errors[0] and why in errors[0], (endpoint, errors)
        assert "\x1b" not in errors[0] and "\u202e" not in errors[0] and "\r" not in errors[0]
    for i, endpoint in enumerate(GOOD_ENDPOINTS):
        with open_source(with_endpoint(tmp_path / f"good{i}", endpoint)) as source:
            assert validate(source).ok, endpoint

    # the real commands, for a sample of them
    for i, endpoint in enumerate(
        [
            "https://learner:secret@lrs.example.org/xapi/",
            "https://lrs.example.org/xapi/\x1b]0;pwned\x07",
            "ftp://lrs.example.org/xapi/",
        ]
    ):
        src = with_endpoint(tmp_path / f"cli{i}", endpoint)
        built = zip_pack(src, tmp_path / f"cli{i}.mooc")
        for target in (src, built):
            r = run(mooc_home, "pack", "check", str(target))
            assert r.returncode == 1
            errors = [line for line in r.stdout.splitlines() if line.startswith("error: ")]
            assert (
                len(errors) == 1 and errors[0].startswith("error: course.toml:") and "sync.xapi_endpoint" in errors[0]
            )
            assert "\x1b" not in r.stdout and "\x07" not in r.stdout
            one_line_error(run(mooc_home, "install", str(target)), "sync.xapi_endpoint", "not a usable xAPI endpoint")
    assert not (mooc_home.home / "courses" / "stats-101").exists()
    r = run(mooc_home, "install", str(with_endpoint(tmp_path / "fine", GOOD_ENDPOINTS[1])))
    assert r.returncode == 0, r.stderr


# --------------------------------------------------------------------------- 4. full disk, read-only, no permission


@pytest.fixture
def full_home(tmpfs: MountFs, tmp_path: Path) -> tuple[Homes, Path]:
    return home_with_a_course(tmpfs, tmp_path)


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_install_on_a_full_disk_keeps_the_previous_version(
    full_home: tuple[Homes, Path], tmp_path: Path, kind: str
) -> None:
    """Upgrade to 2.0.0 with the disk full, then with one more page free at each try:
    every try that fails says so in one line, leaves 1.0.0 byte for byte (its cache and
    pointer too) and nothing in tmp/; the first one that fits installs 2.0.0 whole."""
    homes, disk = full_home
    src = make_source(tmp_path / "v2", version="2.0.0", media={"media/data.bin": os.urandom(20_000)})
    spec = src if kind == "folder" else zip_pack(src, tmp_path / "v2.mooc")
    before = store_state(homes.home)
    filler = fill(disk)
    failures = 0
    steps = set()  # what each failure says it was doing
    for pages in range(0, 40):
        if pages:
            free(filler, 4096)
        r = run(homes, "install", str(spec))
        if r.returncode == 0:
            break
        steps.add(one_line_error(r, "no space left on device").split(": ")[3])
        failures += 1
        assert store_state(homes.home) == before, f"changed after a failed install with {pages} pages free"
    else:
        pytest.fail("2.0.0 never fitted in 40 free pages")
    # the failures were at each step of the install: building (a folder), unpacking, switching
    assert {"cannot unpack into", "cannot install into"} <= {step.rsplit(" ", 1)[0] for step in steps}, steps
    assert kind == "file" or "cannot write the pack" in steps, steps
    info = json.loads(run(homes, "info", "stats-101", "--json").stdout)
    assert info["version"] == "2.0.0"
    tree = Path(info["path"])
    assert (tree / "media" / "data.bin").read_bytes() == (src / "media" / "data.bin").read_bytes()
    assert store_state(homes.home)[1] == []


def test_pack_build_on_a_full_disk_keeps_the_previous_build(tmpfs: MountFs, tmp_path: Path, mooc_home: Homes) -> None:
    """The output folder is full (then has a little room, never enough): one line, the
    older build at the final name untouched, no temporary file; with no older build, no
    file at all."""
    disk = tmpfs("out", "2m")
    src = make_source(tmp_path / "src", media={"media/data.bin": os.urandom(100_000)})
    out = disk / "stats.mooc"
    out.write_bytes(b"the previous build")
    filler = fill(disk)
    for pages in range(0, 24, 3):
        free(filler, 3 * 4096 if pages else 0)
        r = run(mooc_home, "pack", "build", str(src), "-o", str(out))
        one_line_error(r, str(out), "cannot write the pack", "no space left on device")
        assert out.read_bytes() == b"the previous build"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "stats.mooc"]
    out.unlink()
    r = run(mooc_home, "pack", "build", str(src), "-o", str(disk / "new.mooc"))
    one_line_error(r, "no space left on device")
    assert sorted(p.name for p in disk.iterdir()) == ["filler"]
    filler.unlink()
    r = run(mooc_home, "pack", "build", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(out) as zf:
        assert zf.read("media/data.bin") == (src / "media" / "data.bin").read_bytes()


@pytest.mark.parametrize("where", ["new/course", "empty"])
def test_pack_init_on_a_full_disk_leaves_nothing(tmpfs: MountFs, mooc_home: Homes, where: str) -> None:
    """Creating the starter pack on a full disk, then with one more page each time: every
    failure is one line and leaves no folder (an empty folder given stays, empty) and no
    hidden staging folder; the first success is the whole starter pack."""
    disk = tmpfs("out", "1m")
    (disk / "empty").mkdir()
    dest = disk / where
    filler = fill(disk)
    for pages in range(0, 30):
        if pages:
            free(filler, 4096)
        r = run(mooc_home, "pack", "init", str(dest))
        if r.returncode == 0:
            break
        one_line_error(r, str(dest), "cannot create the pack", "no space left on device")
        assert sorted(p.name for p in disk.iterdir()) == ["empty", "filler"]
        assert list((disk / "empty").iterdir()) == []
    else:
        pytest.fail("the starter pack never fitted")
    assert pages >= 2
    r = run(mooc_home, "pack", "check", str(dest))
    assert r.returncode == 0, r.stdout


def test_read_only_and_forbidden_places_are_one_line(tmpfs: MountFs, tmp_path: Path, mooc_home: Homes) -> None:
    """EROFS (a read-only mount, also under an installed course) and EACCES (a folder
    we may not write, as root without the override capabilities)."""
    src = make_source(tmp_path / "src")
    ro = tmpfs("ro", "1m", read_only=True)
    one_line_error(run(mooc_home, "pack", "build", str(src), "-o", str(ro / "x.mooc")), "read-only file system")
    one_line_error(run(mooc_home, "pack", "init", str(ro / "new")), "read-only file system")

    homes, disk = home_with_a_course(tmpfs, tmp_path)
    before = store_state(homes.home)
    remount_read_only(disk)
    v2 = zip_pack(make_source(tmp_path / "v2", version="2.0.0"), tmp_path / "v2.mooc")
    one_line_error(run(homes, "install", str(v2)), "read-only file system")
    one_line_error(run(homes, "install", str(tmp_path / "v2")), "read-only file system")
    assert store_state(homes.home) == before

    locked_dir = tmp_path / "locked"
    locked_dir.mkdir(mode=0o555)
    preexec = drop_permission_override if os.geteuid() == 0 else None
    try:
        one_line_error(
            run(mooc_home, "pack", "build", str(src), "-o", str(locked_dir / "x.mooc"), preexec_fn=preexec),
            "permission denied",
        )
        one_line_error(run(mooc_home, "pack", "init", str(locked_dir / "new"), preexec_fn=preexec), "permission denied")
        assert list(locked_dir.iterdir()) == []
    finally:
        os.chmod(locked_dir, 0o755)
        shutil.rmtree(locked_dir)


def test_every_name_mooc_writes_into_a_course_is_reserved() -> None:
    """The reserved names follow the constants of the modules that write those files, and
    the temporary names they write through; ordinary pack names stay allowed."""
    from packages.pack_paths import path_problem
    from packages.store_dir import POINTER_NAME, STAGE_LOCK

    own = [
        MANIFEST_NAME,
        POINTER_NAME,
        STAGE_LOCK,
        CACHE_NAME,
        *LEGACY_NAMES,
        f".{CACHE_NAME}.k2j4h1.tmp",  # fsutil.write_atomic's temporary file for the cache
        f"{CACHE_NAME}.tmp",
        INDEX_NAME,
        f".{INDEX_NAME}.k2j4h1.tmp",
    ]
    for name in own:
        for spelling in (name, name.upper(), f"media/{name}", f"{name}/x.md"):
            assert "reserved for mooc's own files" in (path_problem(spelling) or ""), spelling
    for fine in (
        "lessons/intro.md",
        "media/mooc-logo.png",
        "data/current.csv",
        "manifest.json",
        "mooc.md",
        "lessons/.hidden.md",
        "locks/a.md",
    ):
        assert path_problem(fine) is None, fine
