"""The lesson search index of an installed course version, kept beside its tree.

Building the index (packages/search_index.py) reads every lesson file: 2,000 files for
a big course, ~70 ms on a warm disk and much more on a lab PC's cold one. So the index
is built once per installed version (at install, or at the first search where an older
mooc installed it) and kept as `.mooc-search-index.json` in the version's folder,
beside the parsed-course cache and under the same rules (packages/tree_cache.py):
plain data read back only if nobody but this account or root could have written it,
bounded, checked; anything wrong means "build it again", never an error.

File layout: a magic line; one line of JSON: the fingerprint of the mooc that wrote
it, the course id and version, each lesson as [item id, number of lines] in course
order, and the size of what follows; then every lesson line in that order, joined by
"\\n", as UTF-8. Reading it back checks every one of those, that the lessons are
exactly the course's lessons in order, that the line count adds up and that no line
holds a line break; it only ever builds a list of strings, so it cannot run code.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from packages.model import Course, Item
from packages.search_index import SearchIndex, lesson_items

INDEX_NAME = ".mooc-search-index.json"
_MAGIC = b"mooc search index\n"
_FORMAT = 1  # bump when the layout of the file changes
_MAX_BYTES = 256 * 1024 * 1024  # a course with more lesson text than this is searched without a kept index
_SOURCES = ("search_index.py", "search_cache.py")
_BREAK = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # all of LINE_BREAKS but "\n"


def fingerprint() -> str:
    """The file format and the size and mtime of the modules that write and read it: an
    index written by another mooc is built again (as Python does with .pyc files)."""
    here = Path(__file__).parent
    sources = []
    for name in _SOURCES:
        try:
            st = os.stat(here / name)
            sources.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:  # a packaging that ships no sources: the format number alone decides
            sources.append(f"{name}:?")
    return f"{_FORMAT};{';'.join(sources)}"


def index_for(course: Course, source: Any, read: Callable[[Item], str]) -> SearchIndex:
    """The search index of `course`: the one kept beside its installed tree when there is a
    usable one, else built with `read` (and kept there, where the store can be written).

    Only an installed copy's source names a tree (`cache_tree`): a pack being authored
    or the bundled demo course is indexed in memory, each time.
    """
    tree: Path | None = getattr(source, "cache_tree", None)
    if tree is not None:
        kept = read_index(tree, course)
        if kept is not None:
            return kept
    index = SearchIndex.build(course, read)
    if tree is not None and index.complete:
        write_index(tree, course, index)
    return index


def read_index(tree: Path, course: Course) -> SearchIndex | None:
    """The index kept beside `tree` for this course id and version, or None."""
    from packages.tree_cache import read_bounded

    data = read_bounded(tree / INDEX_NAME, _MAX_BYTES)
    if data is None:
        return None
    try:
        return _load(data, course)
    except Exception:  # damaged, truncated, another course's or another mooc's: build it again
        return None


def _load(data: bytes, course: Course) -> SearchIndex | None:
    if not data.startswith(_MAGIC):
        return None
    end = data.index(b"\n", len(_MAGIC))
    header = json.loads(data[len(_MAGIC) : end])
    if type(header) is not dict or header.get("fingerprint") != fingerprint():
        return None
    if header.get("id") != course.id or header.get("version") != course.version:
        return None
    body = data[end + 1 :]
    if header.get("size") != len(body):  # truncated, or grew
        return None
    lessons = _lessons(header.get("lessons"))
    if [item_id for item_id, _ in lessons] != [item.id for item in lesson_items(course)]:
        return None
    text = body.decode("utf-8")
    total = sum(count for _, count in lessons)
    lines = text.split("\n") if total else []
    if len(lines) != total or (not total and text) or _BREAK.search(text):
        return None
    return SearchIndex(course, lessons, lines)


def _lessons(value: Any) -> list[tuple[str, int]]:
    if type(value) is not list:
        raise ValueError("lessons: not a list")
    lessons = []
    for entry in value:
        if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not str:
            raise ValueError("lessons: not [id, count]")
        if type(entry[1]) is not int or entry[1] < 0:
            raise ValueError("lessons: bad count")
        lessons.append((entry[0], entry[1]))
    return lessons


def write_index(tree: Path, course: Course, index: SearchIndex) -> None:
    """Keep `index` beside `tree` (atomically; nothing is left under its name if that fails)."""
    from packages.tree_cache import write_beside

    write_beside(tree, INDEX_NAME, lambda: _dump(course, index))


def _dump(course: Course, index: SearchIndex) -> bytes:
    body = "\n".join(index.lines).encode("utf-8")
    header = {
        "fingerprint": fingerprint(),
        "id": course.id,
        "version": course.version,
        "lessons": [list(lesson) for lesson in index.lessons],
        "size": len(body),
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"".join([_MAGIC, head, b"\n", body])


def keep_for_tree(tree: Path, course: Course) -> None:
    """At install: build the index of the freshly verified `tree` and keep it there, so
    even a system-wide copy (which learners cannot write) is searched without reading
    every lesson first."""
    from packages.errors import MoocError
    from packages.source import open_source

    try:
        source = open_source(tree)
        source.manifest = None  # verified a moment ago, like every read of an installed tree
        source.cache_tree = tree
        index_for(course, source, lambda item: source.read_text(item.file))
    except (MoocError, OSError):  # never a reason to fail an install: the first search builds it
        return
