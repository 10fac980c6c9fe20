"""The rules a path inside a pack must follow (contract §1), in one place.

Every path a pack names or holds passes `path_problem` before mooc reads or writes it:
relative, in normal form, no `..`, no backslash or control character, and none of the
names mooc writes into a course's folders itself, in any spelling a file system may
fold together (`reserved_problem`).
"""

from __future__ import annotations

import re
import unicodedata

from packages.i18n import _

# Names mooc itself writes into a course's folders (store_dir.POINTER_NAME, STAGE_LOCK,
# manifest.MANIFEST_NAME) and every hidden name starting "mooc-" (course_cache.CACHE_NAME,
# the names older moocs used for it, search_cache.INDEX_NAME, their temporary files): a
# pack file with one of these names, in any folder and in any spelling a file system may
# fold together, could stand in for mooc's own file. A test keeps this in step with
# those constants.
MANIFEST_NAME = "mooc-manifest.json"  # here, not in packages/manifest.py: `mooc play` names it without loading that
RESERVED_NAMES = frozenset({MANIFEST_NAME, "current.json", ".lock"})
RESERVED_HIDDEN_PREFIX = "mooc-"


def _fold_name(name: str) -> str:
    """`name` as the loosest file system would compare it: Unicode compatibility form,
    case folded, without the invisible characters HFS+ ignores and the trailing dots and
    spaces Windows drops."""
    if name.isascii():  # NFKC leaves ASCII as it is, and casefold is lower there
        return name.lower().rstrip(". ")
    folded = unicodedata.normalize("NFKC", name).casefold()
    if not folded.isascii():
        folded = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    return folded.rstrip(". ")


def reserved_problem(rel: str) -> str | None:
    """Why `rel` names (or could stand for) one of mooc's own files, or None."""
    for part in rel.split("/"):
        folded = _fold_name(part)
        if folded in RESERVED_NAMES or (
            folded.startswith(".") and folded.lstrip(".").startswith(RESERVED_HIDDEN_PREFIX)
        ):
            return _("the name {part!r} is reserved for mooc's own files (rename it)").format(part=part)
    return None


def path_problem(rel: str) -> str | None:
    """Why `rel` is not an acceptable pack path, or None when it is (contract §1, and
    none of mooc's own file names: `reserved_problem`)."""
    if not isinstance(rel, str) or rel == "":
        return _("empty path")
    if "\x00" in rel:
        return _("path contains a NUL character")
    if "\\" in rel:
        return _("path contains a backslash (use / between folders)")
    if rel.startswith("/") or (len(rel) > 1 and rel[1] == ":"):
        return _("absolute path (paths are relative to the pack folder)")
    parts = rel.split("/")
    if ".." in parts:
        return _("path leaves the pack (..)")
    if "" in parts or "." in parts:
        return _("path is not in normal form (empty or '.' part)")
    if _CONTROL_CHAR.search(rel):
        return _("path contains a control character")
    return reserved_problem(rel)


_CONTROL_CHAR = re.compile(r"[\x00-\x1f\x7f]")
