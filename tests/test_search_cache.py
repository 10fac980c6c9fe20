"""The search index kept beside an installed tree (packages/search_cache.py), as hostile
input: a generated pack is really installed, the tests damage, replace, plant and
share the index file on disk, and check that every search still answers what the
lessons hold (the scan of tests/support/plain_search.py), with the index rebuilt and
rewritten, no traceback, and nothing in the file ever run or trusted beyond its text.
"""

from __future__ import annotations

import errno
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from packages import search_cache
from packages.install import install
from packages.layout import Layout
from packages.search_cache import INDEX_NAME
from packages.search_index import SearchIndex
from packages.source import open_source
from packages.store import Store
from player.session import CourseSession
from tests.support.disk import MountFs
from tests.support.genpack import generate_pack
from tests.support.plain_search import scan_search
from tests.test_hostile_pack import fill, home_with_a_course, hostile_pickle, run

COURSE_ID = "big-course"
QUERIES = ("topic", "NUMBER 42", "lesson 7", "zzz", "emphasis*, `code`")


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    """A home with a 150-lesson course installed (two modules, the second locked a week)."""
    layout = Layout(home=tmp_path / "home", system_home=tmp_path / "system")
    install(layout, str(generate_pack(tmp_path / "src", lessons=150, questions=0)), quiet=True)
    return layout


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the courses whose index was built from their lessons (not read back)."""
    built: list[str] = []
    real = SearchIndex.build

    def counted(cls: type, course: Any, read: Any) -> SearchIndex:
        built.append(course.id)
        return real(course, read)

    monkeypatch.setattr(SearchIndex, "build", classmethod(counted))
    return built


def tree_of(layout: Layout) -> Path:
    return Store(layout).get(COURSE_ID).path


def searched(layout: Layout) -> CourseSession:
    """A fresh session (as `mooc play` opens one) that has answered every query right."""
    course, source = Store(layout).load(COURSE_ID)
    session = CourseSession(course, source, [])
    for query in QUERIES:
        assert session.search(query) == scan_search(session, query), query
    return session


def kept_and_good(layout: Layout) -> bool:
    tree = tree_of(layout)
    course, _ = Store(layout).load(COURSE_ID)
    return search_cache.read_index(tree, course) is not None


# --------------------------------------------------------------------------- kept and reused


def test_install_keeps_the_index_and_searches_read_it(layout: Layout, builds: list[str]) -> None:
    index = tree_of(layout) / INDEX_NAME
    assert index.read_bytes().startswith(b"mooc search index\n")
    assert index.stat().st_mode & 0o777 == 0o644  # learners read a system store's index too
    searched(layout)
    searched(layout)
    assert builds == []  # both sessions read the kept index


def test_an_index_missing_is_built_at_the_first_search_and_kept(layout: Layout, builds: list[str]) -> None:
    (tree_of(layout) / INDEX_NAME).unlink()  # as a course installed by an older mooc
    searched(layout)
    assert builds == [COURSE_ID] and kept_and_good(layout)
    searched(layout)
    assert builds == [COURSE_ID]


def test_a_course_not_in_a_store_is_indexed_in_memory_only(tmp_path: Path, builds: list[str]) -> None:
    """A pack being authored (`mooc play --plain FOLDER`) and the bundled demo course get
    no index file: a source folder is the author's, the demo is package data."""
    from packages.loading import load_course
    from packages.store import BUNDLED_ID

    src = generate_pack(tmp_path / "src", lessons=5, questions=0)
    source = open_source(src)
    session = CourseSession(load_course(source), source, [])
    assert session.search("topic") == scan_search(session, "topic") != []
    assert not any(p.name.startswith(".mooc") for p in src.rglob("*"))
    layout = Layout(home=tmp_path / "home", system_home=tmp_path / "system")
    course, source = Store(layout).load(BUNDLED_ID)
    assert source.cache_tree is None
    session = CourseSession(course, source, [])
    assert session.search("the") == scan_search(session, "the") != []
    assert not (source.root / INDEX_NAME).exists()
    assert builds == ["big-course", BUNDLED_ID]


# --------------------------------------------------------------------------- damaged or foreign: built again


def _parts(data: bytes) -> tuple[dict[str, Any], bytes]:
    magic, head, body = data.split(b"\n", 2)
    return json.loads(head), body


def _file(head: dict[str, Any], body: bytes, *, size: int | None = None) -> bytes:
    head = dict(head, size=len(body) if size is None else size)
    return b"mooc search index\n" + json.dumps(head).encode() + b"\n" + body


def _swap_first_two(head: dict[str, Any], body: bytes) -> bytes:
    lessons = head["lessons"]
    return _file(dict(head, lessons=[lessons[1], lessons[0], *lessons[2:]]), body)


def _count(value: Any) -> Any:
    def change(head: dict[str, Any], body: bytes) -> bytes:
        return _file(dict(head, lessons=[[head["lessons"][0][0], value], *head["lessons"][1:]]), body)

    return change


DAMAGE = {
    "garbage": lambda head, body: b"not an index at all",
    "empty": lambda head, body: b"",
    "magic line only": lambda head, body: b"mooc search index\n",
    "truncated": lambda head, body: _file(head, body)[:-10],
    "grown": lambda head, body: _file(head, body) + b"more",
    "header not an object": lambda head, body: b"mooc search index\n[1, 2]\n" + body,
    "nested too deep": lambda head, body: b"mooc search index\n" + b"[" * 200_000 + b"\n",
    "another course": lambda head, body: _file(dict(head, id="other-course"), body),
    "another version": lambda head, body: _file(dict(head, version="9.0.0"), body),
    "another mooc": lambda head, body: _file(dict(head, fingerprint="1;search_index.py:1:1"), body),
    "lessons out of order": _swap_first_two,
    "a lesson left out": lambda head, body: _file(dict(head, lessons=head["lessons"][:-1]), body),
    "lessons not a list": lambda head, body: _file(dict(head, lessons={"a": 1}), body),
    "a count off by one": lambda head, body: _file(head, body.replace(b"\n", b" ", 1)),
    "a count that is true": _count(True),
    "a negative count": _count(-1),
    "a count that is a float": _count(20.0),
    "a count that is text": _count("20"),
    "a line break inside a line": lambda head, body: _file(head, body.replace(b"topic", b"to\xe2\x80\xa8ic", 1)),
    "a carriage return": lambda head, body: _file(head, body.replace(b"topic", b"to\ric", 1)),
    "not UTF-8": lambda head, body: _file(head, body.replace(b"topic", b"to\xffic", 1)),
    "size lies": lambda head, body: _file(head, body, size=len(body) + 1),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_or_foreign_index_is_built_again(layout: Layout, builds: list[str], damage: str) -> None:
    index = tree_of(layout) / INDEX_NAME
    head, body = _parts(index.read_bytes())
    index.write_bytes(DAMAGE[damage](head, body))
    searched(layout)  # right answers, no exception
    assert builds == [COURSE_ID]
    assert kept_and_good(layout)  # and rewritten
    searched(layout)
    assert builds == [COURSE_ID]


def test_a_pickle_under_its_name_is_never_loaded(layout: Layout, builds: list[str], tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (tree_of(layout) / INDEX_NAME).write_bytes(hostile_pickle(marker))
    searched(layout)
    assert not marker.exists() and builds == [COURSE_ID] and kept_and_good(layout)


def test_an_oversized_index_is_not_read(layout: Layout, builds: list[str]) -> None:
    """Past the bound (256 MB) the file is not read at all: a sparse file that size
    would otherwise cost that much memory."""
    index = tree_of(layout) / INDEX_NAME
    good = index.read_bytes()
    with open(index, "r+b") as fh:
        fh.truncate(search_cache._MAX_BYTES + 1)
    searched(layout)
    assert builds == [COURSE_ID] and index.read_bytes() == good  # rewritten, the same as before


def test_an_index_others_could_write_is_never_read(layout: Layout, builds: list[str]) -> None:
    """Writable by group or world (the file or its folder), or owned by another account:
    not read, as for the parsed-course cache; the rewrite makes the folder private again."""
    tree = tree_of(layout)
    index = tree / INDEX_NAME
    course, _ = Store(layout).load(COURSE_ID)  # before: a load rewriting the course cache fixes the folder
    cases: list[tuple[Path, int]] = [(index, 0o666), (index, 0o646), (tree, 0o777), (tree, 0o775)]
    for target, mode in cases:
        before = target.stat().st_mode
        os.chmod(target, mode)
        try:
            assert search_cache.read_index(tree, course) is None, (target.name, oct(mode))
        finally:
            os.chmod(target, before)
    if os.geteuid() == 0:  # only root can give the file away to test the owner check
        os.chown(index, 65534, -1)
        searched(layout)
        assert builds == [COURSE_ID] and index.stat().st_uid == 0  # replaced by the learner's own
    os.chmod(tree, 0o775)
    (tree / INDEX_NAME).unlink()
    searched(layout)
    assert tree.stat().st_mode & 0o777 == 0o755 and kept_and_good(layout)


def test_a_pipe_or_a_link_under_its_name_is_not_opened(layout: Layout, builds: list[str], tmp_path: Path) -> None:
    """A named pipe would block the read forever; a link could lead anywhere. Neither is
    read (the search answers at once), and each is replaced by a real index."""
    tree = tree_of(layout)
    index = tree / INDEX_NAME
    good = tmp_path / "good-index"
    good.write_bytes(index.read_bytes())
    for plant in (lambda: os.mkfifo(index), lambda: index.symlink_to(good)):
        index.unlink()
        plant()
        done = threading.Event()

        def search(done: threading.Event = done) -> None:
            searched(layout)
            done.set()

        worker = threading.Thread(target=search, daemon=True)
        worker.start()
        worker.join(timeout=60)
        assert done.is_set(), "the search waited on the planted file"
        assert index.is_file() and not index.is_symlink() and kept_and_good(layout)
    assert builds == [COURSE_ID, COURSE_ID]


def test_a_write_that_fails_leaves_no_index_behind(
    layout: Layout, builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import packages.fsutil

    def full(path: Path, data: bytes, mode: int = 0o644) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    tree = tree_of(layout)
    (tree / INDEX_NAME).write_bytes(b"stale")
    monkeypatch.setattr(packages.fsutil, "write_atomic", full)
    searched(layout)
    assert not [p.name for p in tree.iterdir() if INDEX_NAME in p.name]  # neither stale nor half-written


def test_a_planted_index_never_runs_even_when_the_disk_is_full(tmpfs: MountFs, tmp_path: Path) -> None:
    """With the real `mooc play --plain`: a pickle under the index's name, a disk too full
    to rewrite it. The search answers from the lessons, no code runs, no traceback, and
    the planted file is gone; once there is room, the next search keeps a real index."""
    homes, disk = home_with_a_course(tmpfs, tmp_path)
    tree = Path(json.loads(run(homes, "info", "stats-101", "--json").stdout)["path"])
    r = run(homes, "play", "--plain", "stats-101", "quiz", input="")  # the learner and their enrolment
    assert r.returncode == 0 and "Yes?" in r.stdout, r.stderr
    marker = tmp_path / "pwned"
    (tree / INDEX_NAME).write_bytes(hostile_pickle(marker))
    filler = fill(disk)
    r = run(homes, "play", "--plain", "stats-101", "l0", input="/VERSION 1.0.0, lesson 1\nq\n")
    assert "Lesson 1: Version 1.0.0, lesson 1." in r.stdout, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and not marker.exists()
    assert not [p.name for p in tree.iterdir() if INDEX_NAME in p.name]
    filler.unlink()
    r = run(homes, "play", "--plain", "stats-101", "l0", input="/lesson 0\nq\n")
    assert "Lesson 0: Version 1.0.0, lesson 0." in r.stdout, r.stdout + r.stderr
    assert (tree / INDEX_NAME).read_bytes().startswith(b"mooc search index\n")
    assert not marker.exists()
