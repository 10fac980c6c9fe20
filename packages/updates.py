"""Updating installed courses from their catalogs: which have a newer version, what
an update would fetch (the delta's plan or the full size, and why), and the update
itself (a delta when possible, then an install like any pack).

`mooc update` is the thin command over this; the update logic lives here so that
the TUI, scripts and tests reach it without the CLI.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from packages.identifiers import compare_versions

if TYPE_CHECKING:
    from packages.catalog import CatalogEntry
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


def planned_fetch(layout: Layout, course: InstalledCourse, entry: CatalogEntry, *, full: bool) -> dict[str, Any]:
    """What updating COURSE to ENTRY would fetch: the delta's plan (directory and manifest
    read from the server, a few kB) or the full size, saying why not delta."""
    from packages.delta import delta_plan, old_archive_for
    from packages.delta_result import DeltaUnavailable
    from packages.errors import MoocError

    if entry.url.startswith("file:"):
        return {"method": "local", "fetch_bytes": 0}
    if full:
        return {"method": "full", "fetch_bytes": entry.size, "why": "--full"}
    old = old_archive_for(layout, course)
    if old is None:
        return {"method": "full", "fetch_bytes": entry.size, "why": "the installed copy cannot be rebuilt"}
    try:
        result = delta_plan(entry.url, old, expected_size=entry.size)
    except DeltaUnavailable as err:
        return {"method": "full", "fetch_bytes": entry.size, "why": str(err)}
    except MoocError as err:
        return {"method": "unknown", "fetch_bytes": entry.size, "why": f"cannot ask the server: {err}"}
    return {"method": "delta", "fetch_bytes": result.plan_bytes}


def update_course(
    layout: Layout, course: InstalledCourse, entry: CatalogEntry, *, system: bool, full: bool, limit_rate: int | None
) -> dict[str, Any]:
    """Download the new version (delta when possible), then install it like any pack."""
    from pathlib import Path
    from urllib.parse import unquote, urlsplit
    from urllib.request import url2pathname

    from packages.delta import delta_download, old_archive_for
    from packages.download import download
    from packages.install import install
    from packages.install_spec import InstallSpec, verify_local_pack

    label = f"{entry.id} {entry.version} (catalog {entry.catalog})"
    quiet = not sys.stderr.isatty()
    info: dict[str, Any] = {"id": entry.id, "from": course.version, "to": entry.version}
    if entry.url.startswith("file:"):
        path = Path(url2pathname(unquote(urlsplit(entry.url).path)))
        verify_local_pack(path, entry, label)
        info.update(method="local", bytes_fetched=0, entries_total=0, entries_reused=0)
        downloaded = None
    else:
        path = layout.downloads_dir / f"{entry.id}-{entry.version}.mooc"
        old = None if full else old_archive_for(layout, course)
        if old is None:
            from packages.download import DownloadStats

            stats = DownloadStats()
            download(
                entry.url,
                path,
                expected_size=entry.size,
                expected_sha256=entry.sha256,
                quiet=quiet,
                limit_rate=limit_rate,
                stats=stats,
                label=entry.id,
            )
            info.update(method="full", bytes_fetched=stats.bytes_received, entries_total=0, entries_reused=0)
        else:
            result = delta_download(
                entry.url,
                path,
                old,
                expected_size=entry.size,
                expected_sha256=entry.sha256,
                quiet=quiet,
                limit_rate=limit_rate,
            )
            info.update(
                method=result.method,
                bytes_fetched=result.bytes_fetched,
                entries_total=result.entries_total,
                entries_reused=result.entries_reused,
                fallback_reason=result.reason or None,
                plan_bytes=result.plan_bytes,
                retries=result.retries,
                resumed_from=result.resumed_from,
            )
        downloaded = path
    install(
        layout,
        InstallSpec(kind="file", value=str(path), label=label, expected_size=entry.size, expected_sha256=entry.sha256),
        system=system,
        quiet=quiet,
    )
    if downloaded is not None:
        downloaded.unlink(missing_ok=True)
    return info
