"""The rebuilt `.mooc` of each installed course version, kept in `downloads/packs/`.

The store keeps unpacked trees only; a version's archive is rebuilt from its tree once
(the build is reproducible: byte-identical to the publisher's) when something needs
it: `mooc serve` shares it with the lab, and a delta update copies its unchanged
entries (packages/delta.py). Replaced versions' archives are deleted as soon as a new
one is built.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.identifiers import SEMVER_PATTERN
from packages.layout import Layout


def cached_pack(layout: Layout, course: Any) -> Path:
    """The .mooc of an installed course (its flavour): rebuilt once from its tree, then reused.

    Keyed by the version folder (which changes on every install), so a reinstall of
    the same version never serves a stale archive. A flavoured install rebuilds as its
    flavour (the folder's manifest says what it lacks), byte-identical to the published
    `<id>-<version>.<flavour>.mooc`, and is named so.
    """
    return cached_flavour(layout, course, None)


def cached_flavour(layout: Layout, course: Any, flavour: str | None) -> Path:
    """The .mooc of FLAVOUR (None: the flavour installed) built from an installed course's
    tree once, then reused: a full copy yields its novideo and text packs too, each
    byte-identical to the publisher's (packages/building.py). Named as published
    (`<id>-<version>[.flavour].mooc`)."""
    from packages.building import build_pack
    from packages.flavour_choice import installed_flavour
    from packages.flavours import pack_file_name

    flavour = flavour or installed_flavour(course)
    target = _folder_of(layout, course) / pack_file_name(course.id, course.version, flavour)
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            build_pack(course.path, out=target, flavour=flavour)
        except MoocError as err:
            raise MoocError(
                _("{id} {version}: cannot rebuild its .mooc to share it: {err}").format(
                    id=course.id, version=course.version, err=err
                )
            ) from None
        prune_cached_packs(layout, course.id, keep=target)
    return target


def _folder_of(layout: Layout, course: Any) -> Path:
    """The cache folder of an installed copy: keyed by its version folder."""
    return layout.packs_cache_dir / hashlib.sha256(str(Path(course.path).resolve()).encode()).hexdigest()[:16]


def prune_replaced_packs(layout: Layout, course_id: str, copies: list[Any]) -> list[Path]:
    """After an install, a flavour move or a removal: delete COURSE_ID's rebuilt archives
    but those of COPIES (the copies installed now, user and system): a replaced copy's
    archive is never served nor used as a delta base again."""
    return prune_cached_packs(layout, course_id, keep=None, keep_folders={_folder_of(layout, c) for c in copies})


_CACHED_VERSION = re.compile(rf"^{SEMVER_PATTERN}(?:\.text|\.novideo)?\.mooc$")


def prune_cached_packs(
    layout: Layout, course_id: str, keep: Path | None, keep_folders: set[Path] | None = None
) -> list[Path]:
    """Delete the rebuilt archives of COURSE_ID's replaced versions (one per installed
    version is all that is served or used as a delta base): three updates of a 40 MB
    course no longer leave 120 MB behind; KEEP None: every one (a flavour moved down).
    KEEP_FOLDERS: cache folders left alone too. Returns what was removed."""
    removed: list[Path] = []
    kept = {keep.parent} if keep is not None else set()
    kept |= keep_folders or set()
    try:
        folders = list(layout.packs_cache_dir.iterdir())
    except OSError:
        return removed
    for folder in folders:
        if folder in kept or not folder.is_dir() or folder.is_symlink():
            continue
        for path in folder.glob("*.mooc"):
            rest = path.name[len(course_id) + 1 :]
            if path.name.startswith(f"{course_id}-") and _CACHED_VERSION.match(rest):
                try:
                    path.unlink()  # a lab PC still downloading it gets a cut answer and resumes the new version
                    removed.append(path)
                except OSError:
                    continue
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty (another course's archive) or in use
    return removed
