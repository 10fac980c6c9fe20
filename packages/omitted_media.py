"""What an installed (or built) flavoured pack left out: its manifest's `omitted` list.

The player shows a placeholder where a lesson links to one of these files
(player/placeholders.py), and the per-item fetch (`o` on a placeholder) fetches one
(`omitted_entry` says its size and SHA-256). An installed pack keeps its manifest
next to its files; a full pack's manifest has no `omitted` key, which is seen
without parsing its (for a long course, 2,500-entry) file list.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.pack_paths import MANIFEST_NAME

if TYPE_CHECKING:  # loaded where a manifest is read: not to show a lesson of a full pack
    from packages.manifest import ManifestEntry

MAX_MANIFEST_BYTES = 64 * 1024 * 1024  # the limit install.py reads an installed manifest with
_OMITTED_KEY = b'"omitted":'  # inside a JSON string its quotes would be escaped: no false "absent"

_cache: dict[str, tuple[tuple[int, int, int], dict[str, ManifestEntry]]] = {}


def installed_omitted(root: Path | str) -> dict[str, ManifestEntry]:
    """{path: entry} of what the pack unpacked at `root` left out ({} for a full pack, a
    source folder or no manifest). Cached while the manifest file stays the same.
    A damaged manifest is a MoocError naming it."""
    path = os.path.join(root, MANIFEST_NAME)
    try:
        st = os.stat(path)
    except OSError:
        return {}
    stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
    hit = _cache.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    from packages.datafile import read_bytes

    raw = read_bytes(path, MAX_MANIFEST_BYTES, own=False)
    if raw is None or _OMITTED_KEY not in raw:
        omitted = {}
    else:
        from packages.manifest import Manifest

        omitted = Manifest.from_json(raw, str(root)).omitted
    _cache[path] = (stamp, omitted)
    return omitted


def omitted_of(holder: Any) -> dict[str, ManifestEntry]:
    """What `holder` left out: an InstalledCourse (`.path`), a CourseSession (`.source`),
    a PackSource (a folder's `.root`, or an archive's loaded `.manifest`), or a folder."""
    if isinstance(holder, (str, Path)):
        return installed_omitted(holder)
    source = getattr(holder, "source", None)
    if source is not None and not isinstance(source, (str, Path)):  # a session; an InstalledCourse's is a string
        return omitted_of(source)
    for attr in ("root", "path"):
        root = getattr(holder, attr, None)
        if isinstance(root, (str, Path)) and Path(root).is_dir():
            return installed_omitted(root)
    manifest = getattr(holder, "manifest", None)
    if manifest is None:
        return {}
    from packages.manifest import Manifest

    return dict(manifest.omitted) if isinstance(manifest, Manifest) else {}


def omitted_entry(course: Any, path: str) -> ManifestEntry | None:
    """The `omitted` entry (path, size, SHA-256) of the pack path `path` ("media/a.mp4")
    when `course`'s pack left it out, else None. `course`: as `omitted_of` takes it.
    A damaged installed manifest counts as leaving nothing out."""
    try:
        return omitted_of(course).get(path)
    except MoocError:
        return None
