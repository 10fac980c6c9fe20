"""The parsed-course cache beside an installed, verified tree.

Parsing a big pack's quiz files (500 TOML files for 10,000 questions) takes ~0.6 s,
and `mooc play` on a big course must open at once. The cache holds the course as plain
JSON data (packages/cache_codec.py), never code: reading it back can only ever build
the model's own dataclasses, with every field's type checked. Anything wrong with it
(missing, truncated, another mooc's, a type out of place) means "parse the pack again",
never an error. No pack file can take its name (packages/pack_paths.py reserves it); who
may have written it and how much is read: packages/tree_cache.py.

File layout: a magic line, then one line of JSON (the fingerprint of the mooc that wrote
it, the course with each quiz's questions replaced by [offset, length], and the size of
what follows), then each quiz's questions as JSON, one after the other. Only the first
line is decoded at start; a quiz's questions are decoded when the quiz is first used
(`LazyQuiz`): decoding all 10,000 questions would cost every start ~20 ms, and a session
opens one quiz at a time.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from packages.model import Course, Quiz

CACHE_NAME = ".mooc-course-cache.json"
# Names older moocs wrote. A pickle runs code when loaded: such a file is never read,
# only deleted when the cache is written.
LEGACY_NAMES = (".mooc-course-cache.pickle",)
_MAGIC = b"mooc course cache\n"
_CACHE_FORMAT = 3  # bump when the layout of the cache file itself changes
_MAX_BYTES = 1 << 30  # a bigger file is not one we wrote: parse the pack instead

# The modules whose code decides what a parsed course is, and how it is stored here: a
# cache written by a mooc whose copies of them differ (an upgrade) is parsed again, as
# Python does with .pyc files. Every module of _KINDS (the question types) counts too.
_KINDS = "question_kinds"
_SOURCES = (
    "model.py",
    "questions.py",
    "loading.py",
    "quiz_parser.py",
    "toml_reader.py",
    "validation.py",
    "pack_report.py",
    "course_cache.py",
    "cache_codec.py",
)


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
    try:
        kinds = sorted(f"{_KINDS}/{name}" for name in os.listdir(here / _KINDS) if name.endswith(".py"))
    except OSError:
        kinds = [_KINDS]
    sources = []
    for name in (*_SOURCES, *kinds):
        try:
            st = os.stat(here / name)
            sources.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:  # a packaging that ships no sources: the shapes alone decide
            sources.append(f"{name}:?")
    return f"{_CACHE_FORMAT};{';'.join(shapes)};{';'.join(sources)}"


class LazyQuiz(Quiz):
    """A `Quiz` whose questions are decoded from the cache on first read (then kept).

    It compares and hashes like the `Quiz` it stands for.
    """

    @property
    def questions(self) -> tuple[Any, ...]:
        state = self.__dict__
        questions = state.get("_questions")
        if questions is None:  # two threads may both decode: same result, no lock needed
            questions = state["_questions"] = _decode_questions(state)
        return questions

    @questions.setter
    def questions(self, value: tuple[Any, ...]) -> None:  # Quiz.__init__ (dataclasses.replace)
        self.__dict__["_questions"] = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quiz):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in dataclasses.fields(Quiz))

    __hash__ = Quiz.__hash__


def _decode_questions(state: dict[str, Any]) -> tuple[Any, ...]:
    """A quiz's questions from its bytes in the cache; from its quiz file if they do not
    decode (the cache was damaged after it was read), and the cache is then dropped."""
    from packages import cache_codec
    from packages.questions import Question

    try:
        return cache_codec.decoder(tuple[Question, ...])(json.loads(state["_blob"]))
    except (ValueError, TypeError, KeyError, RecursionError):
        tree, rel = state["_origin"]
        from packages.tree_cache import remove

        remove(tree / CACHE_NAME)
        from packages.loading import load_quiz
        from packages.source import open_source

        source = open_source(tree)
        source.manifest = None  # verified at install, like every read of an installed tree
        return load_quiz(source, rel, state["title"]).questions


def _lazy_quiz(fields: dict[str, Any]) -> LazyQuiz:
    """A quiz as the cache's first line gives it: `questions` is still [offset, length]."""
    quiz = object.__new__(LazyQuiz)
    ref = fields.pop("questions")
    quiz.__dict__.update(fields, _blob=ref)
    return quiz


_BUILD: dict[type, Callable[[dict[str, Any]], Any]] = {Quiz: _lazy_quiz}


def read(tree: Path, course_id: str, version: str) -> Course | None:
    """The cached course of `tree`, or None when there is no usable cache."""
    from packages.tree_cache import read_bounded

    data = read_bounded(tree / CACHE_NAME, _MAX_BYTES)  # trusted as the tree is (see there)
    if data is None:
        return None
    gc_was_on = gc.isenabled()
    gc.disable()  # thousands of new objects would trigger collections that cost more than the load
    try:
        return _load(data, tree, course_id, version)
    except Exception:  # damaged, truncated, or from another mooc: parse again
        return None
    finally:
        if gc_was_on:
            gc.enable()


def _load(data: bytes, tree: Path, course_id: str, version: str) -> Course | None:
    from packages import cache_codec

    if not data.startswith(_MAGIC):
        return None
    end = data.index(b"\n", len(_MAGIC))
    header = json.loads(data[len(_MAGIC) : end])
    if type(header) is not dict or header.get("fingerprint") != model_fingerprint():
        return None
    if header.get("id") != course_id or header.get("version") != version:
        return None
    blobs = data[end + 1 :]
    if header.get("size") != len(blobs):  # truncated
        return None
    course = cache_codec.decoder(Course, _BUILD)(header.get("course"))
    if not isinstance(course, Course) or (course.id, course.version) != (course_id, version):
        return None
    for module in course.modules:
        for item in module.items:
            quiz = item.quiz
            if quiz is not None:
                state = quiz.__dict__
                offset, length = _blob_ref(state["_blob"], len(blobs))
                state["_blob"] = blobs[offset : offset + length]
                state["_origin"] = (tree, item.file)
    return course


def _blob_ref(ref: Any, size: int) -> tuple[int, int]:
    if (
        type(ref) is not list
        or len(ref) != 2
        or not all(type(n) is int and n >= 0 for n in ref)
        or ref[0] + ref[1] > size
    ):
        raise ValueError("bad questions reference")
    return ref[0], ref[1]


def _dump(course: Course) -> bytes:
    from packages import cache_codec

    blobs: list[bytes] = []
    offset = 0

    def quiz_stub(quiz: Quiz) -> list[Any]:
        nonlocal offset
        blob = _json(cache_codec.encode(quiz.questions))
        ref = [offset, len(blob)]
        blobs.append(blob)
        offset += len(blob)
        return [
            ref if f.name == "questions" else cache_codec.encode(getattr(quiz, f.name))
            for f in dataclasses.fields(Quiz)
            if f.init
        ]

    encoded = cache_codec.encode(course, {Quiz: quiz_stub})
    header = {
        "fingerprint": model_fingerprint(),
        "id": course.id,
        "version": course.version,
        "size": offset,
        "course": encoded,
    }
    return b"".join([_MAGIC, _json(header), b"\n", *blobs])


def _json(value: Any) -> bytes:
    """One line of JSON (json.dumps escapes every newline inside strings)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write(tree: Path, course: Course) -> None:
    """Write the cache atomically; a store we cannot write (system, bundled) gets none.

    Whatever fails, nothing is left under the cache's name: neither a half-written file
    nor an older one (a full disk must not leave a stale or planted cache to be read).
    """
    from packages.tree_cache import remove, write_beside

    for legacy in LEGACY_NAMES:
        remove(tree / legacy)
    write_beside(tree, CACHE_NAME, lambda: _dump(course))
