"""Updating installed courses from their catalogs: which have a newer version, what
an update would fetch (the delta's plan or the full size, and why), and the update
itself (a delta when possible, then an install like any pack).

`mooc update` is the thin command over this; the update logic lives here so that
the TUI, scripts and tests reach it without the CLI.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packages.identifiers import compare_versions

if TYPE_CHECKING:
    from packages.catalog import CatalogEntry, FlavourPack
    from packages.catalog_registry import Catalogs
    from packages.installed_course import InstalledCourse
    from packages.layout import Layout


def updates_available(
    catalogs: Catalogs, courses: Iterable[InstalledCourse]
) -> list[tuple[InstalledCourse, CatalogEntry]]:
    """Each course a catalog offers a newer version of, with that catalog entry."""
    plan = []
    for course in courses:
        entry = catalogs.resolve(course.id)
        if entry is not None and compare_versions(entry.version, course.version) > 0:
            plan.append((course, entry))
    return plan


def kept_flavour(course: InstalledCourse, entry: CatalogEntry) -> FlavourPack:
    """The pack of ENTRY an update of COURSE fetches: the installed flavour (or the
    nearest the new version comes in, packages/flavour_choice.py)."""
    from packages.flavour_choice import installed_flavour, nearest

    return entry.pack(nearest(entry, installed_flavour(course)))


def planned_fetch(layout: Layout, course: InstalledCourse, entry: CatalogEntry, *, full: bool) -> dict[str, Any]:
    """What updating COURSE to ENTRY would fetch: the delta's plan (directory and manifest
    read from the server, a few kB) or the full size, saying why not delta."""
    from packages.delta import delta_plan, old_archive_for
    from packages.delta_result import DeltaUnavailable
    from packages.errors import MoocError

    pack = kept_flavour(course, entry)
    flavour = {"flavour": pack.flavour, "size": pack.size}
    if pack.url.startswith("file:"):
        return {"method": "local", "fetch_bytes": 0, **flavour}
    if full:
        return {"method": "full", "fetch_bytes": pack.size, "why": "--full", **flavour}
    old = old_archive_for(layout, course)
    if old is None:
        return {"method": "full", "fetch_bytes": pack.size, "why": "the installed copy cannot be rebuilt", **flavour}
    try:
        result = delta_plan(pack.url, old, expected_size=pack.size)
    except DeltaUnavailable as err:
        return {"method": "full", "fetch_bytes": pack.size, "why": str(err), **flavour}
    except MoocError as err:
        return {"method": "unknown", "fetch_bytes": pack.size, "why": f"cannot ask the server: {err}", **flavour}
    return {"method": "delta", "fetch_bytes": result.plan_bytes, **flavour}


def update_course(
    layout: Layout, course: InstalledCourse, entry: CatalogEntry, *, system: bool, full: bool, limit_rate: int | None
) -> dict[str, Any]:
    """Download the new version (delta when possible) in the installed flavour, then
    install it like any pack."""
    from packages.install import install
    from packages.install_spec import pack_label, pack_spec

    pack = kept_flavour(course, entry)
    label = pack_label(entry, pack)
    info: dict[str, Any] = {"id": entry.id, "from": course.version, "to": entry.version, "flavour": pack.flavour}
    path, downloaded = fetch_pack(
        layout, course, pack, label, version=entry.version, full=full, limit_rate=limit_rate, info=info
    )
    install(
        layout,
        pack_spec(entry, pack, "file", str(path), label),
        system=system,
        quiet=not sys.stderr.isatty(),
    )
    if downloaded:
        path.unlink(missing_ok=True)
    return info


def fetch_pack(
    layout: Layout,
    course: InstalledCourse,
    pack: FlavourPack,
    label: str,
    *,
    version: str,
    full: bool,
    limit_rate: int | None,
    info: dict[str, Any],
    predict: bool = False,
) -> tuple[Path, bool]:
    """PACK as a verified local file: a `file:` pack where it is (checked), else downloaded
    into the downloads folder, by delta from the installed COURSE unless FULL. PREDICT (a
    bigger flavour of the installed version): its archive is first predicted from the
    installed one (packages/flavour_delta.py). INFO gets how (method, bytes fetched, what
    was reused). Returns (the file, whether downloaded)."""
    from urllib.parse import unquote, urlsplit
    from urllib.request import url2pathname

    from packages.delta import delta_download, old_archive_for
    from packages.download import DownloadStats, download
    from packages.flavours import pack_file_name
    from packages.install_spec import verify_local_pack

    quiet = not sys.stderr.isatty()
    if pack.url.startswith("file:"):
        path = Path(url2pathname(unquote(urlsplit(pack.url).path)))
        verify_local_pack(path, pack, label)
        info.update(method="local", bytes_fetched=0, entries_total=0, entries_reused=0)
        return path, False
    path = layout.downloads_dir / pack_file_name(course.id, version, pack.flavour)
    old = None if full else old_archive_for(layout, course)
    if old is None:
        stats = DownloadStats()
        download(
            pack.url,
            path,
            expected_size=pack.size,
            expected_sha256=pack.sha256,
            quiet=quiet,
            limit_rate=limit_rate,
            stats=stats,
            label=course.id,
        )
        info.update(method="full", bytes_fetched=stats.bytes_received, entries_total=0, entries_reused=0)
        return path, True
    predicted = None
    if predict and version == course.version:
        from packages.datafile import read_bytes
        from packages.errors import MoocError
        from packages.flavour_delta import predictor
        from packages.manifest import MANIFEST_NAME
        from packages.zip_directory import MAX_IN_MEMORY

        try:
            installed = read_bytes(Path(course.path) / MANIFEST_NAME, MAX_IN_MEMORY, own=False)
        except MoocError:
            installed = None  # the generic delta then
        predicted = None if installed is None else predictor(old, installed, pack.flavour)
    result = delta_download(
        pack.url,
        path,
        old,
        expected_size=pack.size,
        expected_sha256=pack.sha256,
        quiet=quiet,
        limit_rate=limit_rate,
        predicted=predicted,
    )
    info.update(
        predicted=result.predicted,
        predicted_reason=result.predicted_reason or None,
        method=result.method,
        bytes_fetched=result.bytes_fetched,
        entries_total=result.entries_total,
        entries_reused=result.entries_reused,
        fallback_reason=result.reason or None,
        plan_bytes=result.plan_bytes,
        retries=result.retries,
        resumed_from=result.resumed_from,
    )
    return path, True
