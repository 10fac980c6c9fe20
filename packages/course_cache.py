"""The parsed-course cache beside an installed, verified tree.

Parsing a big pack's quiz files (500 TOML files for 10,000 questions) takes ~0.6 s,
and `mooc play` on a big course must open at once. The tree is ours (written by
install after every digest was verified), so the cache is as trusted as the tree it
sits in; anything wrong with it (missing, truncated, another mooc's) means "parse
the pack again", never an error.

Each quiz's questions stay pickled inside the cache until the quiz is first used
(`LazyQuiz`): unpickling all 10,000 questions cost ~20 ms of every start, and a
session opens one quiz at a time.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from packages.model import Course, Quiz

CACHE_NAME = ".mooc-course-cache.pickle"
_CACHE_FORMAT = 2  # bump when the layout of the cache file itself changes


# The modules whose code decides what a parsed course is: a cache written by a mooc whose
# copies of them differ (an upgrade) is parsed again, as Python does with .pyc files.
_PARSER_MODULES = ("model.py", "questions.py", "loading.py", "validation.py")


def model_fingerprint() -> str:
    """The shape of every model dataclass, spelled out, and the size and mtime of the
    parser's source files (the question types included, which are not imported before a
    quiz is opened): a cache written by another mooc is never read back."""
    import packages.model as model

    shapes = []
    for name, cls in sorted(vars(model).items()):
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__:
            shapes.append(f"{name}(" + ",".join(f"{f.name}:{f.type}" for f in dataclasses.fields(cls)) + ")")
    here = Path(__file__).parent
    sources = []
    for name in _PARSER_MODULES:
        try:
            st = os.stat(here / name)
            sources.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:  # a packaging that ships no sources: the shapes alone decide
            sources.append(f"{name}:?")
    return f"{_CACHE_FORMAT};{';'.join(shapes)};{';'.join(sources)}"


class LazyQuiz(Quiz):
    """A `Quiz` whose questions are unpickled on first read (then kept).

    It compares and hashes like the `Quiz` it stands for.
    """

    @property  # type: ignore[override]
    def questions(self) -> tuple[Any, ...]:
        state = self.__dict__
        questions = state.get("_questions")
        if questions is None:  # two threads may both unpickle: same result, no lock needed
            questions = state["_questions"] = pickle.loads(state["_blob"])
        return questions  # type: ignore[no-any-return]

    @questions.setter
    def questions(self, value: tuple[Any, ...]) -> None:  # Quiz.__init__ (dataclasses.replace)
        self.__dict__["_questions"] = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quiz):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in dataclasses.fields(Quiz))

    __hash__ = Quiz.__hash__


def _lazy_quiz(fields: dict[str, Any], blob: bytes) -> LazyQuiz:
    quiz = object.__new__(LazyQuiz)
    quiz.__dict__.update(fields, _blob=blob)
    return quiz


class _CachePickler(pickle.Pickler):
    """Pickles each quiz as its small fields plus its questions as one opaque blob."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Quiz):
            fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(Quiz) if f.name != "questions"}
            return _lazy_quiz, (fields, pickle.dumps(obj.questions, protocol=pickle.HIGHEST_PROTOCOL))
        return NotImplemented


def read(tree: Path, course_id: str, version: str) -> Course | None:
    """The cached course of `tree`, or None when there is no usable cache."""
    gc_was_on = gc.isenabled()
    gc.disable()  # thousands of new objects would trigger collections that cost more than the load
    try:
        with open(tree / CACHE_NAME, "rb") as fh:
            if not (_safe_owner(os.fstat(fh.fileno())) and _safe_owner(os.stat(tree))):
                return None
            fingerprint, course = pickle.load(fh)
    except Exception:  # missing, unreadable, truncated, or from another mooc: parse again
        return None
    finally:
        if gc_was_on:
            gc.enable()
    if fingerprint != model_fingerprint() or not isinstance(course, Course):
        return None
    if (course.id, course.version) != (course_id, version):
        return None
    return course


def _safe_owner(st: os.stat_result) -> bool:
    """Unpickling runs code, so the cache (and the folder that holds it) must be
    writable only by this account or root, as ssh demands of its key files: a data
    folder on a shared lab drive cannot be used to run code as another learner."""
    return st.st_uid in (os.getuid(), 0) and not st.st_mode & 0o022


def write(tree: Path, course: Course) -> None:
    """Write the cache atomically; a store we cannot write (system, bundled) gets none."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".cache.", dir=tree)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fd, 0o644)  # as readable as the tree: learners read a system store's cache too
            _CachePickler(fh, protocol=pickle.HIGHEST_PROTOCOL).dump((model_fingerprint(), course))
        try:  # only its owner may write the folder (see _safe_owner), whatever the umask was
            os.chmod(tree, os.stat(tree).st_mode & 0o755)
        except OSError:
            pass
        os.replace(tmp, tree / CACHE_NAME)
    except Exception:  # a full disk, say: the course still opens, only slower
        try:
            os.unlink(tmp)
        except OSError:
            pass
