"""Moving an installed course to another flavour: `mooc upgrade COURSE --flavour F`
(docs/catalogs-and-downloads.md, "Flavours").

- **Up** (text -> novideo -> full): only what the installed flavour lacks travels.
  The installed copy's archive is rebuilt (byte-identical to the publisher's flavoured
  pack, packages/pack_cache.py) and the catalog's bigger pack is reconstructed from it
  by the delta (packages/delta.py): ranged GETs of the missing media entries, the
  directory and the manifest; resumable (`.delta.part`), verified against the
  catalog's size and SHA-256, then installed the usual way (staging, verify, switch).
- **Down** (full -> novideo -> text): no network at all. The smaller flavour is built
  here from the installed files (packages/building.py with `flavour=`): every file it
  keeps is already here and was verified at install, and the build is the one the
  publisher ran, so the result is the catalog's pack byte for byte (checked against
  the catalog's SHA-256 when it lists that flavour). It is installed like any pack and
  the dropped media's disk space, with the bigger rebuilt archive, is freed.

Progress is never touched: the flavours of a version share every item id.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.flavours import check_flavour, rank
from packages.i18n import _

if TYPE_CHECKING:
    from packages.catalog import CatalogEntry
    from packages.installed_course import InstalledCourse
    from packages.layout import Layout


def change_flavour(
    layout: Layout,
    course_id: str,
    target: str,
    *,
    system: bool = False,
    limit_rate: int | None = None,
    quiet: bool | None = None,
) -> dict[str, Any]:
    """Move the installed COURSE_ID to the TARGET flavour; returns what happened (for
    `--json`): status, from/to flavour and version, bytes fetched against the ideal (what
    the installed flavour lacks), bytes freed."""
    from packages.flavour_choice import installed_flavour
    from packages.store import Store

    check_flavour(target, "--flavour")
    store = Store(layout)
    course = store.store_dir(system).read(course_id)
    if course is None:
        if not system and store.system.read(course_id) is not None:
            raise MoocError(
                _("{course_id}: installed system-wide only: add --system (administrators)").format(course_id=course_id)
            )
        where = " system-wide" if system else ""
        raise MoocError(
            _("{course_id}: not installed{where} (see `mooc list`)").format(course_id=course_id, where=where)
        )
    current = installed_flavour(course)
    info: dict[str, Any] = {
        "id": course.id,
        "version": course.version,
        "from_flavour": current,
        "to_flavour": target,
        "size_before": course.size,
    }
    if target == current:
        info.update(status="unchanged", bytes_fetched=0)
        return info
    quiet = (not sys.stderr.isatty()) if quiet is None else quiet
    if rank(target) < rank(current):
        return _move_down(layout, course, target, system=system, info=info)
    return _move_up(layout, course, target, system=system, limit_rate=limit_rate, quiet=quiet, info=info)


def missing_bytes(course: InstalledCourse, target: str) -> int:
    """The ideal cost of moving COURSE up to TARGET: the size of the files its manifest
    says it leaves out that TARGET keeps."""
    from packages.flavour_choice import installed_manifest
    from packages.flavours import keeps

    manifest = installed_manifest(course.path)
    if manifest is None:
        return 0
    return sum(e.size for path, e in manifest.omitted.items() if keeps(target, path))


def catalog_entry_of(layout: Layout, course: InstalledCourse) -> tuple[CatalogEntry, str | None]:
    """The catalog entry of the installed version (a note when only a newer one is
    listed: the move then updates the version too)."""
    from packages.catalog_registry import Catalogs

    catalogs = Catalogs(layout)
    entry = catalogs.resolve(course.id, course.version)
    if entry is not None:
        return entry, None
    newer = catalogs.resolve(course.id)
    if newer is None:
        raise MoocError(
            _(
                "{id}: no catalog lists it: add the catalog it comes from (`mooc catalog add URL`), the missing files are fetched from there"
            ).format(id=course.id)
        )
    return newer, _("the catalogs no longer list {version}: moving to {version2} at the same time").format(
        version=course.version, version2=newer.version
    )


def _move_up(
    layout: Layout,
    course: InstalledCourse,
    target: str,
    *,
    system: bool,
    limit_rate: int | None,
    quiet: bool,
    info: dict[str, Any],
) -> dict[str, Any]:
    from packages.install import install
    from packages.install_spec import pack_label, pack_spec
    from packages.updates import fetch_pack

    entry, note = catalog_entry_of(layout, course)
    pack = entry.pack(target)
    label = pack_label(entry, pack)
    info.update(ideal_bytes=missing_bytes(course, target), catalog=entry.catalog, note=note, to_version=entry.version)
    path, downloaded = fetch_pack(
        layout, course, pack, label, version=entry.version, full=False, limit_rate=limit_rate, info=info, predict=True
    )
    result = install(
        layout,
        pack_spec(entry, pack, "file", str(path), label),
        system=system,
        quiet=quiet,
    )
    if downloaded:
        path.unlink(missing_ok=True)
    info.update(status=result.status, size_after=result.course.size)
    return info


def _move_down(
    layout: Layout, course: InstalledCourse, target: str, *, system: bool, info: dict[str, Any]
) -> dict[str, Any]:
    """Build TARGET from the installed files (no network), install it, free the space."""
    import tempfile
    from pathlib import Path

    from packages.building import build
    from packages.install import install
    from packages.install_spec import InstallSpec
    from packages.pack_cache import prune_cached_packs
    from packages.store import tree_size

    layout.tmp_dir.mkdir(parents=True, exist_ok=True)
    cache_before = tree_size(layout.packs_cache_dir)  # the install prunes the bigger flavour's archive
    with tempfile.TemporaryDirectory(prefix="flavour-", dir=layout.tmp_dir) as tmp:
        built = build(course.path, Path(tmp) / "pack.mooc", flavour=target)
        matches = _catalog_agrees(layout, course, target, built.sha256)
        label = _("{id} {version} {target} (built here from the installed {from_flavour})").format(
            id=course.id, version=course.version, target=target, from_flavour=info["from_flavour"]
        )
        result = install(
            layout,
            InstallSpec(kind="file", value=str(built.path), label=label, expected_sha256=built.sha256),
            system=system,
            quiet=True,
        )
    prune_cached_packs(layout, course.id, keep=None)  # the bigger flavour's rebuilt archive
    freed_cache = max(0, cache_before - tree_size(layout.packs_cache_dir))
    info.update(
        status=result.status,
        method="local",
        bytes_fetched=0,
        size_after=result.course.size,
        bytes_freed=max(0, course.size - result.course.size) + freed_cache,
        matches_catalog=matches,
    )
    return info


def _catalog_agrees(layout: Layout, course: InstalledCourse, flavour: str, sha256: str) -> bool | None:
    """Whether the catalog's pack of FLAVOUR for this version has SHA256 (None: not listed)."""
    from packages.catalog_registry import Catalogs

    try:
        entry = Catalogs(layout).resolve(course.id, course.version)
    except MoocError:
        return None
    if entry is None or flavour not in entry.flavours:
        return None
    return entry.flavours[flavour].sha256 == sha256
