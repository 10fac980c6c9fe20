"""The parsed-course cache (packages/course_cache.py) beside an installed tree.

A small generated pack is really installed into a private home; the tests then read,
damage and rewrite the cache file on disk and check that `Store.load` always returns
the course a fresh parse gives. Nothing is faked.
"""

from __future__ import annotations

import ctypes
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from packages import course_cache
from packages.install import install
from packages.layout import Layout
from packages.loading import load_course
from packages.model import Course, Quiz
from packages.source import open_source
from packages.store import Store
from tests.conftest import REPO
from tests.support.genpack import generate_pack

COURSE_ID = "big-course"
VERSION = "1.0.0"


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    """A home with the generated course installed (3 quizzes: 20, 20 and 5 questions)."""
    layout = Layout(home=tmp_path / "home", system_home=tmp_path / "system")
    src = generate_pack(tmp_path / "src", lessons=3, questions=45, course_id=COURSE_ID, version=VERSION)
    old_umask = os.umask(0o077)  # a private umask: the cache must still be readable by others
    try:
        install(layout, str(src), quiet=True)
    finally:
        os.umask(old_umask)
    return layout


def tree_of(layout: Layout) -> Path:
    return Store(layout).get(COURSE_ID).path


def parsed(tree: Path) -> Course:
    """The course as the TOML parser gives it, with no cache involved."""
    return load_course(open_source(tree))


def quizzes(course: Course) -> list[Quiz]:
    return [item.quiz for item in course.items() if item.quiz is not None]


def leftovers(tree: Path) -> list[str]:
    """Temporary cache files that a write left behind (there should never be any)."""
    return sorted(
        p.name for p in tree.iterdir() if course_cache.CACHE_NAME in p.name and p.name != course_cache.CACHE_NAME
    )


def cache_bytes(course: Course, *, fingerprint: str | None = None, header: dict | None = None) -> bytes:
    """A cache file for `course` as `write` would make it, with its first line changed."""
    data = course_cache._dump(course)
    magic, first, rest = data.split(b"\n", 2)
    head = json.loads(first)
    if fingerprint is not None:
        head["fingerprint"] = fingerprint
    head.update(header or {})
    return b"\n".join([magic, json.dumps(head).encode(), rest])


# --------------------------------------------------------------------------- written at install


def test_install_writes_a_world_readable_cache(layout: Layout) -> None:
    """A system store's cache is read by every learner, whatever the installer's umask."""
    cache = tree_of(layout) / course_cache.CACHE_NAME
    assert cache.is_file()
    assert cache.stat().st_mode & 0o777 == 0o644
    assert leftovers(tree_of(layout)) == []


# --------------------------------------------------------------------------- read back


def test_store_load_returns_the_parsed_course_with_lazy_quizzes(layout: Layout) -> None:
    """The cached course equals a fresh parse, but each quiz's questions stay pickled until used."""
    tree = tree_of(layout)
    course, _source = Store(layout).load(COURSE_ID)
    fresh = parsed(tree)
    lazy = quizzes(course)
    assert len(lazy) == 3 and all(isinstance(q, course_cache.LazyQuiz) for q in lazy)
    # nothing touched the questions yet: they are still one blob per quiz
    assert all("_questions" not in q.__dict__ and "_blob" in q.__dict__ for q in lazy)

    first = lazy[0]
    fresh_first = quizzes(fresh)[0]
    assert type(fresh_first) is Quiz
    assert first.title == fresh_first.title and "_questions" not in first.__dict__  # small fields: no unpickling
    assert first.questions == fresh_first.questions and len(first.questions) == 20
    assert "_questions" in first.__dict__
    assert first.questions is first.questions  # unpickled once, then kept
    assert all("_questions" not in q.__dict__ for q in lazy[1:])  # the others are still untouched

    # compares and hashes like the Quiz it stands for, from either side
    for cached_quiz, fresh_quiz in zip(lazy, quizzes(fresh), strict=True):
        assert cached_quiz == fresh_quiz and fresh_quiz == cached_quiz
        assert hash(cached_quiz) == hash(fresh_quiz)
        assert cached_quiz.total_points == fresh_quiz.total_points
        last = fresh_quiz.questions[-1]
        assert cached_quiz.question(last.id) == last
    assert lazy[0] != quizzes(fresh)[1]  # and a different quiz is still different
    assert course == fresh
    assert [i.id for i in course.items()] == [i.id for i in fresh.items()]
    assert course.item("quiz-00002").quiz.questions == fresh.item("quiz-00002").quiz.questions


def test_replace_on_a_lazy_quiz_keeps_its_questions(layout: Layout) -> None:
    """dataclasses.replace goes through Quiz.__init__, which assigns `questions`."""
    course, _ = Store(layout).load(COURSE_ID)
    lazy = quizzes(course)[1]
    assert isinstance(lazy, course_cache.LazyQuiz)
    renamed = dataclasses.replace(lazy, title="x")
    assert renamed.title == "x" and lazy.title == "Quiz 1"
    assert renamed.questions == quizzes(parsed(tree_of(layout)))[1].questions
    assert len(renamed.questions) == 20
    assert renamed != lazy and dataclasses.replace(renamed, title="Quiz 1") == lazy


# --------------------------------------------------------------------------- unusable caches


def test_garbage_or_truncated_cache_is_parsed_again_and_rewritten(layout: Layout) -> None:
    """A damaged cache (a crash mid-copy, a full disk) costs one parse, never an error."""
    tree = tree_of(layout)
    cache = tree / course_cache.CACHE_NAME
    good = cache.read_bytes()
    fresh = parsed(tree)
    for damaged in (good[: len(good) // 2], b"not a pickle at all", b""):
        cache.write_bytes(damaged)
        assert course_cache.read(tree, COURSE_ID, VERSION) is None
        course, _ = Store(layout).load(COURSE_ID)
        assert course == fresh
        assert not any(isinstance(q, course_cache.LazyQuiz) for q in quizzes(course))  # parsed, not cached
        # load wrote a good cache back
        again = course_cache.read(tree, COURSE_ID, VERSION)
        assert again is not None and again == fresh
    assert leftovers(tree) == []


def test_cache_from_a_mooc_with_another_model_is_not_used(layout: Layout) -> None:
    """A cache whose fingerprint differs (another mooc version wrote it) is ignored, even
    though it holds a perfectly good course."""
    tree = tree_of(layout)
    cache = tree / course_cache.CACHE_NAME
    fresh = parsed(tree)
    stale = dataclasses.replace(fresh, title="Written by another mooc")
    cache.write_bytes(cache_bytes(stale, fingerprint="0;Quiz(title:str)"))
    assert course_cache.read(tree, COURSE_ID, VERSION) is None
    course, _ = Store(layout).load(COURSE_ID)
    assert course.title == "A generated course" and course == fresh
    assert course_cache.read(tree, COURSE_ID, VERSION) == fresh  # rewritten with our fingerprint

    # the right fingerprint but not a course: also ignored
    cache.write_bytes(cache_bytes(fresh, header={"course": {"id": COURSE_ID}}))
    assert course_cache.read(tree, COURSE_ID, VERSION) is None
    cache.write_bytes(cache_bytes(stale))  # and the same file unchanged is a good cache: the edits above decide
    assert course_cache.read(tree, COURSE_ID, VERSION) == stale


def test_cache_of_another_course_or_version_is_not_used(layout: Layout) -> None:
    """A cache is only good for the course id and version it was written for."""
    tree = tree_of(layout)
    fresh = parsed(tree)
    # a good cache, asked about another course or version
    assert course_cache.read(tree, COURSE_ID, VERSION) == fresh
    assert course_cache.read(tree, "other-course", VERSION) is None
    assert course_cache.read(tree, COURSE_ID, "2.0.0") is None

    for other in (
        dataclasses.replace(fresh, id="other-course", title="Other"),
        dataclasses.replace(fresh, version="0.9.0", title="Old"),
    ):
        course_cache.write(tree, other)
        assert course_cache.read(tree, other.id, other.version) == other  # it is a valid cache...
        assert course_cache.read(tree, COURSE_ID, VERSION) is None  # ...but not of this course
        course, _ = Store(layout).load(COURSE_ID)
        assert (course.id, course.version, course.title) == (COURSE_ID, VERSION, "A generated course")
        assert course == fresh
        assert course_cache.read(tree, COURSE_ID, VERSION) == fresh


# --------------------------------------------------------------------------- unwritable trees


def test_read_only_tree_gets_no_cache_and_still_loads(tmp_path: Path) -> None:
    """A system store a learner cannot write: `course_cache.write` is a silent no-op and
    the course still loads. Root ignores permission bits, so as root the learner is a
    child process without the capabilities that let root write anywhere."""
    base = tmp_path / "ro"
    try:
        layout = Layout(home=base / "home", system_home=base / "system")
        install(
            layout,
            str(generate_pack(tmp_path / "src", lessons=3, questions=45, course_id=COURSE_ID, version=VERSION)),
            quiet=True,
        )
        tree = tree_of(layout)
        (tree / course_cache.CACHE_NAME).unlink()
        for folder in [base, *base.rglob("*")]:
            if folder.is_dir():
                os.chmod(folder, 0o555)
        code = (
            "import json, sys\n"
            "from pathlib import Path\n"
            "from packages import course_cache\n"
            "from packages.layout import Layout\n"
            "from packages.store import Store\n"
            f"layout = Layout(home=Path({str(layout.home)!r}), system_home=Path({str(layout.system_home)!r}))\n"
            f"course, _ = Store(layout).load({COURSE_ID!r})\n"
            f"course_cache.write(Path({str(tree)!r}), course)\n"
            "print(json.dumps([course.id, len(course.items())]))\n"
        )
        res = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=_bound_by_permission_bits if os.geteuid() == 0 else None,
        )
        assert res.returncode == 0, res.stderr
        assert json.loads(res.stdout) == [COURSE_ID, len(parsed(tree).items())]
        assert not (tree / course_cache.CACHE_NAME).exists() and leftovers(tree) == []
    finally:
        for folder in [base, *base.rglob("*")]:
            if folder.is_dir():
                os.chmod(folder, 0o755)  # so that pytest can remove tmp_path


def _bound_by_permission_bits() -> None:
    """In the child, before exec: drop CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER
    from the bounding set (prctl PR_CAPBSET_DROP), so root obeys a folder's mode bits."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):
        if libc.prctl(24, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_write_into_a_missing_tree_is_a_silent_no_op(layout: Layout, tmp_path: Path) -> None:
    """The same "cannot create the temporary file" path, reachable even as root."""
    gone = tmp_path / "no-such-tree"
    course_cache.write(gone, parsed(tree_of(layout)))
    assert not gone.exists()


def test_a_failed_write_leaves_no_temporary_file(layout: Layout) -> None:
    """When the final rename fails (here the cache name is taken by a folder), the
    temporary file is removed and the error does not escape."""
    tree = tree_of(layout)
    cache = tree / course_cache.CACHE_NAME
    cache.unlink()
    cache.mkdir()
    (cache / "keep").write_text("x")  # a non-empty folder: os.replace cannot remove it
    course_cache.write(tree, parsed(tree))
    assert cache.is_dir() and leftovers(tree) == []
    assert course_cache.read(tree, COURSE_ID, VERSION) is None
    course, _ = Store(layout).load(COURSE_ID)
    assert course == parsed(tree)


# --------------------------------------------------------------------------- fingerprint


def test_model_fingerprint_spells_out_every_model_dataclass() -> None:
    """A field added, renamed or retyped in packages/model.py changes the fingerprint,
    because every class and field is named in it; the question types (not imported at
    start) count through their source file, as the parser's modules do."""
    import packages.model as model

    fingerprint = course_cache.model_fingerprint()
    assert fingerprint == course_cache.model_fingerprint()  # stable within a run
    classes = [
        cls
        for cls in vars(model).values()
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__
    ]
    assert {c.__name__ for c in classes} == {"Course", "Module", "Item", "Quiz"}
    for cls in classes:
        assert f"{cls.__name__}(" in fingerprint
        for f in dataclasses.fields(cls):
            assert f"{f.name}:" in fingerprint, (cls.__name__, f.name)
    assert "Quiz(" in fingerprint and "show_solutions:" in fingerprint
    for source in (
        "model.py",
        "questions.py",
        "loading.py",
        "quiz_parser.py",
        "toml_reader.py",
        "validation.py",
        "pack_report.py",
    ):
        assert f";{source}:" in fingerprint
    assert "_blob" not in fingerprint  # the cache's own bookkeeping is not part of the model


def test_a_changed_parser_source_invalidates_the_cache(layout: Layout) -> None:
    """An upgrade that changes how packs are parsed (same dataclasses) must not keep
    serving courses parsed by the old code: the parser's sources are in the fingerprint."""
    tree = tree_of(layout)
    assert course_cache.read(tree, COURSE_ID, VERSION) is not None
    loading = Path(course_cache.__file__).with_name("loading.py")
    before = loading.stat()
    try:
        os.utime(loading, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        assert course_cache.read(tree, COURSE_ID, VERSION) is None
    finally:
        os.utime(loading, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert course_cache.read(tree, COURSE_ID, VERSION) is not None


def test_a_cache_others_could_write_is_never_read(layout: Layout) -> None:
    """A cache skips the pack checks: a cache file or folder writable by group or world, or a
    file owned by another account, is ignored (the course is parsed instead), as ssh
    ignores such key files. A fresh write makes the folder private again."""
    tree = tree_of(layout)
    cache = tree / course_cache.CACHE_NAME
    assert course_cache.read(tree, COURSE_ID, VERSION) is not None
    for target, mode in ((cache, 0o666), (cache, 0o646), (tree, 0o777), (tree, 0o775)):
        before = target.stat().st_mode
        os.chmod(target, mode)
        try:
            assert course_cache.read(tree, COURSE_ID, VERSION) is None, (target.name, oct(mode))
        finally:
            os.chmod(target, before)
    assert course_cache.read(tree, COURSE_ID, VERSION) is not None
    if os.geteuid() == 0:  # only root can give the file away to test the owner check
        os.chown(cache, 65534, -1)
        try:
            assert course_cache.read(tree, COURSE_ID, VERSION) is None
        finally:
            os.chown(cache, 0, -1)
    os.chmod(tree, 0o775)  # as a umask of 002 leaves it
    course_cache.write(tree, parsed(tree))
    assert tree.stat().st_mode & 0o777 == 0o755
    assert course_cache.read(tree, COURSE_ID, VERSION) is not None


# --------------------------------------------------------------------------- plain data only


def test_a_pickle_under_the_cache_names_is_never_loaded(layout: Layout, tmp_path: Path) -> None:
    """The cache is JSON: a pickle (which would run code) under the cache's name or the
    name older moocs used is not a cache; the course is parsed, and writing the cache
    deletes the old name."""
    import pickle

    tree = tree_of(layout)
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_WritesMarker(str(marker)))
    for name in (course_cache.CACHE_NAME, *course_cache.LEGACY_NAMES):
        (tree / name).write_bytes(payload)
    assert course_cache.read(tree, COURSE_ID, VERSION) is None
    course, _ = Store(layout).load(COURSE_ID)
    assert course == parsed(tree) and not marker.exists()
    assert not any((tree / name).exists() for name in course_cache.LEGACY_NAMES)
    assert (tree / course_cache.CACHE_NAME).read_bytes().startswith(b"mooc course cache\n")
    pickle.loads(payload)  # the payload was live all along
    assert marker.exists()


class _WritesMarker:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"open({self.path!r}, 'w').write('ran')",))


def _edit_first_item(data: dict, change) -> None:
    change(data["course"][3][0][2][0])  # course -> modules -> first module -> items -> first item


@pytest.mark.parametrize(
    "change",
    [
        lambda item: item.__setitem__(0, 42),  # an id that is a number
        lambda item: item.__setitem__(1, "video"),  # a kind outside its Literal
        lambda item: item.__setitem__(4, "1.0"),  # a weight that is a string
        lambda item: item.__setitem__(4, True),  # a bool where a float belongs
        lambda item: item.append("extra"),  # a field too many
        lambda item: item.pop(),  # a field too few
        lambda item: item.__setitem__(5, {"py/object": "os.system"}),  # an object where a quiz or null belongs
    ],
    ids=["id-int", "kind", "weight-str", "weight-bool", "extra-field", "missing-field", "object"],
)
def test_a_value_of_the_wrong_type_makes_the_cache_unusable(layout: Layout, change) -> None:
    """Decoding checks every field against its annotation: any mismatch means "parse again"."""
    tree = tree_of(layout)
    fresh = parsed(tree)
    head_of = json.loads(course_cache._dump(fresh).split(b"\n", 2)[1])
    _edit_first_item(head_of, change)
    (tree / course_cache.CACHE_NAME).write_bytes(cache_bytes(fresh, header={"course": head_of["course"]}))
    assert course_cache.read(tree, COURSE_ID, VERSION) is None
    assert Store(layout).load(COURSE_ID)[0] == fresh


def test_a_damaged_quiz_is_read_from_its_quiz_file_and_the_cache_dropped(layout: Layout) -> None:
    """The first line is checked when the course opens; a quiz's questions only when the
    quiz is. If they no longer decode (the file was damaged since), the quiz file gives
    them and the cache is deleted, so the next start parses the pack again."""
    tree = tree_of(layout)
    cache = tree / course_cache.CACHE_NAME
    fresh = quizzes(parsed(tree))
    data = cache.read_bytes()
    assert data.endswith(b"]")
    cache.write_bytes(data[:-1] + b"}")  # the last quiz's bytes damaged at their end
    course = course_cache.read(tree, COURSE_ID, VERSION)
    assert course is not None  # the course opens from the cache...
    assert quizzes(course)[0].questions == fresh[0].questions and cache.exists()
    assert quizzes(course)[-1].questions == fresh[-1].questions  # ...and the damaged quiz from its file
    assert not cache.exists()

    course, _ = Store(layout).load(COURSE_ID)  # parsed, and the cache written again
    course = course_cache.read(tree, COURSE_ID, VERSION)
    assert course is not None
    lazy = quizzes(course)[1]
    lazy.__dict__["_blob"] = b'[["single", [1, 2]]]'  # well-formed JSON, not questions
    assert lazy.questions == fresh[1].questions
    assert not cache.exists()


def test_a_write_that_fails_leaves_no_cache_behind(layout: Layout) -> None:
    """Whatever makes a write fail (here a value the format cannot hold), the previous
    cache is deleted too: a stale or planted file must not outlive a failed write."""
    tree = tree_of(layout)
    cache = tree / course_cache.CACHE_NAME
    assert cache.exists()
    bad = dataclasses.replace(parsed(tree), authors={"not", "a", "tuple"})  # type: ignore[arg-type]
    course_cache.write(tree, bad)
    assert not cache.exists() and leftovers(tree) == []
    assert Store(layout).load(COURSE_ID)[0] == parsed(tree)
    assert cache.exists()
