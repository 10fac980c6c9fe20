"""Installing a course pack: from a .mooc file, a pack source folder or an http(s) URL.

Whatever the spec, the pack takes one road: a .mooc archive is unpacked by
`safe_extract` into a staging folder beside the store (every digest checked, every
untrusted-archive rule enforced), the unpacked tree is validated and loaded, and
only then is it renamed into the store and the course's pointer switched with
os.replace. A failure or a kill at any step leaves the previous version live and
nothing half-installed visible; leftovers in tmp/ are cleaned by the next run.
See docs/store.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from packages.downloads_folder import fetch, fetch_update, prune_partial_downloads
from packages.errors import MoocError, after_subject
from packages.file_lock import locked
from packages.flavour_choice import installed_flavour
from packages.fsutil import make_tree_durable, os_error_text
from packages.i18n import _, ngettext
from packages.identifiers import compare_versions, is_id
from packages.install_spec import InstallSpec, resolve_spec
from packages.installed_course import InstalledCourse, summary_of
from packages.item_fetch import prune_fetched
from packages.layout import Layout
from packages.manifest import MANIFEST_NAME
from packages.pack_cache import prune_replaced_packs
from packages.safe_text import one_line
from packages.search_cache import keep_for_tree
from packages.store import Store, _check_writable, tree_size
from packages.store_dir import StoreDir

Status = Literal["installed", "upgraded", "reinstalled", "downgraded", "already-installed", "flavour-changed"]
Progress = Callable[[str], None]


@dataclass(frozen=True, kw_only=True)
class InstallResult:
    course: InstalledCourse
    status: Status
    previous_version: str | None = None
    note: str | None = None  # e.g. "the system store has 2.0.0, which is the one played"
    flavour: str = "full"  # the flavour installed (packages/flavours.py)
    previous_flavour: str | None = None  # the installed copy's, when there was one

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "previous_version": self.previous_version,
            "note": self.note,
            "flavour": self.flavour,
            "previous_flavour": self.previous_flavour,
            **self.course.to_json(),
        }


def install(
    layout: Layout,
    spec: str | InstallSpec,
    *,
    system: bool = False,
    force: bool = False,
    limits: Any = None,
    quiet: bool = False,
    progress: Progress | None = None,
    limit_rate: int | None = None,
) -> InstallResult:
    """Install (or upgrade) the course `spec` names into the user or system store
    (a download capped at LIMIT_RATE bytes a second, if given)."""
    say: Progress = progress or (lambda _msg: None)
    target = spec if isinstance(spec, InstallSpec) else resolve_spec(layout, spec)
    store = Store(layout)
    dest = store.store_dir(system)
    _check_writable(dest)
    try:
        return _install(store, dest, target, force=force, limits=limits, quiet=quiet, say=say, limit_rate=limit_rate)
    except OSError as err:  # a full disk, a store turned read-only: the previous version stays live
        where = f" ({err.filename})" if err.filename else ""
        raise MoocError(
            _("{label}: cannot install into {courses}: {err}{where}").format(
                label=target.label, courses=dest.courses, err=os_error_text(err), where=where
            )
        ) from None


def _install(
    store: Store,
    dest: StoreDir,
    target: InstallSpec,
    *,
    force: bool,
    limits: Any,
    quiet: bool,
    say: Progress,
    limit_rate: int | None = None,
) -> InstallResult:
    """`install` once the store is known to be writable; OSError escapes (see install)."""
    layout = store.layout
    dest.clean_stale()

    if target.kind != "url":
        early = _peek_installed(dest, target, force)
        if early is not None:
            return early
    elif not force and (same := _same_pack_installed(dest, target)) is not None:
        return same  # the catalog's very pack: nothing to fetch on a slow link

    with dest.staging() as stage:
        archive = _obtain_archive(
            layout, target, stage, quiet=quiet, say=say, installed=dest.read, limit_rate=limit_rate
        )
        if target.kind == "url":
            early = _peek_installed(dest, InstallSpec(kind="file", value=str(archive), label=target.label), force)
            if early is not None:
                _forget_download(archive)
                return early
        say(_("verifying and unpacking"))
        tree = stage / "tree"
        manifest = _extract(archive, tree, limits, target.label)
        _check_claims(layout, target, manifest, archive)
        say(_("checking the course"))
        course = _check_tree(tree, target.label, archive)
        size = tree_size(tree)
        keep_for_tree(tree, course)  # the lesson search index, once per version (not counted in its size)
        say(_("installing"))
        with locked(dest.lock_file(course.id)):
            existing = dest.read(course.id)
            status = _decide(existing, course.id, course.version, force)
            changed_note = None
            before = installed_flavour(existing) if existing is not None else None
            if status in ("already-installed", "reinstalled") and before != manifest.flavour:
                status = "flavour-changed"  # same version, another flavour: `mooc upgrade`
            elif status == "already-installed":
                assert existing is not None
                if not _content_differs(existing.path, tree):
                    return InstallResult(
                        course=existing,
                        status=status,
                        previous_version=existing.version,
                        flavour=manifest.flavour,
                        previous_flavour=before,
                    )
                # an author re-installing an edited folder (or file) without bumping the version
                status = "reinstalled"
                changed_note = _(
                    "the content changed but the version is still {version}: reinstalled (bump the version before you publish it, so learners' copies update)"
                ).format(version=course.version)
            make_tree_durable(tree)
            summary = summary_of(
                course,
                size=size,
                installed_at=datetime.now(timezone.utc),
                source=_describe_source(target),
                sha256=target.expected_sha256,
                flavour=manifest.flavour,
            )
            installed = dest.publish(course.id, tree, summary)
    if target.kind == "url":
        _forget_download(archive)
    prune_partial_downloads(layout, installed.id, installed.version)
    copies = store.copies_of(installed.id)
    prune_fetched(layout, installed.id, copies)  # media fetched one by one that the new copy holds
    prune_replaced_packs(layout, installed.id, copies)  # the replaced copy's rebuilt archive
    return InstallResult(
        course=installed,
        status=status,
        previous_version=existing.version if existing else None,
        note=changed_note or _shadow_note(store, installed),
        flavour=manifest.flavour,
        previous_flavour=before,
    )


# --------------------------------------------------------------------------- steps


def _obtain_archive(
    layout: Layout,
    target: InstallSpec,
    stage: Path,
    *,
    quiet: bool,
    say: Progress,
    installed: Callable[[str], Any] = lambda _id: None,
    limit_rate: int | None = None,
) -> Path:
    """A .mooc file for `target`: the file itself, one built from the folder, or a download
    (a delta from the installed copy when a catalog course is already installed)."""
    if target.kind == "file":
        return Path(target.value)
    if target.kind == "folder":
        say(_("checking the pack source"))
        return _build_folder(Path(target.value), stage, target.label)
    say(_("downloading"))
    try:
        current = installed(target.course_id) if target.course_id else None
        if current is not None and target.expected_size is not None and target.expected_sha256:
            return fetch_update(
                layout,
                target.value,
                current,
                quiet=quiet,
                expected_size=target.expected_size,
                expected_sha256=target.expected_sha256,
                limit_rate=limit_rate,
            )
        return fetch(
            layout,
            target.value,
            quiet=quiet,
            expected_size=target.expected_size,
            expected_sha256=target.expected_sha256,
            limit_rate=limit_rate,
        )
    except MoocError as err:  # name the catalog entry too, not only the URL
        raise MoocError(_named(target.label, str(err))) from None


def _check_claims(layout: Layout, target: InstallSpec, manifest: Any, archive: Path) -> None:
    """A catalog pack is the course, version and flavour the catalog lists, or one line
    (its bytes verified, but a catalog can name any verified pack); the download goes."""
    wrong = None
    if target.course_id and (manifest.course_id, manifest.version) != (target.course_id, target.version):
        wrong = _("the pack is {id} {version}, not the course the catalog lists").format(
            id=manifest.course_id, version=one_line(manifest.version)
        )
    elif target.flavour is not None and manifest.flavour != target.flavour:
        wrong = _("the pack is the {flavour} flavour, not {wanted}: the catalog is wrong about it").format(
            flavour=manifest.flavour, wanted=target.flavour
        )
    if wrong is None:
        return
    if archive.parent == layout.downloads_dir:
        _forget_download(archive)  # verified bytes, but not what the catalog said
    raise MoocError(_("{label}: {wrong}; nothing changed").format(label=target.label, wrong=wrong))


def _forget_download(archive: Path) -> None:
    """An installed download has served its purpose; free the space."""
    try:
        os.unlink(archive)
    except OSError:
        pass


def _build_folder(folder: Path, stage: Path, label: str) -> Path:
    """Build a pack source folder into a .mooc inside `stage` (build_pack validates it first)."""
    from packages.building import build_pack

    out = stage / "pack.mooc"
    try:
        return Path(build_pack(folder, out=out))
    except MoocError as err:
        raise MoocError(_named(label, str(err), folder, out)) from None


def _extract(archive: Path, tree: Path, limits: Any, label: str) -> Any:
    from packages.pack_extract import safe_extract

    try:
        # Files are flushed all at once below (fsutil.make_tree_durable): one filesystem sync costs
        # far less than one fsync per file for packs of thousands of lessons.
        return safe_extract(archive, tree, limits, fsync=False)
    except MoocError as err:
        raise MoocError(_named(label, str(err), archive, tree)) from None
    except OSError as err:
        raise MoocError(
            _("{label}: cannot unpack into {parent}: {err}").format(
                label=label, parent=tree.parent.parent, err=os_error_text(err)
            )
        ) from None


def _check_tree(tree: Path, label: str, archive: Path) -> Any:
    """Validate the unpacked pack; its report carries the loaded course for the summary.

    safe_extract has just checked every file against the manifest while writing it,
    so the manifest comparison is not repeated here (it would hash the pack twice).
    """
    from packages import course_cache
    from packages.source import open_source
    from packages.validation import validate

    try:
        source = open_source(tree)
        source.manifest = None
        report = validate(source)
    except MoocError as err:
        raise MoocError(_named(label, str(err), archive, tree)) from None
    _raise_on_errors(report, label)
    assert report.course is not None  # no errors: validate loaded the course
    course_cache.write(tree, report.course)  # so even a read-only system copy opens fast
    return report.course


def _raise_on_errors(report: Any, label: str, hint: str = "") -> None:
    """The first error, naming the pack and the file, and how many more there are."""
    errors = [p for p in report.sorted() if p.severity == "error"]
    if not errors:
        return
    more = (
        ngettext(" (and {n} more problem)", " (and {n} more problems)", len(errors) - 1).format(n=len(errors) - 1)
        if len(errors) > 1
        else ""
    )
    raise MoocError(_("{label}: {errors}{more}{hint}").format(label=label, errors=errors[0], more=more, hint=hint))


def _named(label: str, message: str, *paths: Path) -> str:
    """Errors from the pack layer name the archive or the staging folder: name what the user typed."""
    for path in paths:
        for prefix in (str(path), os.path.realpath(path)):
            rest = after_subject(message, prefix)
            if rest is not None:
                message = rest
    if after_subject(message, label) is not None:
        return message
    return _("{path}: {problem}").format(path=label, problem=message)


def _decide(existing: InstalledCourse | None, course_id: str, version: str, force: bool) -> Status:
    if existing is None:
        return "installed"
    order = compare_versions(version, existing.version)
    if order > 0:
        return "upgraded"
    if order == 0:
        return "reinstalled" if force else "already-installed"
    if not force:
        raise MoocError(
            _(
                "{course_id}: version {version} is older than the installed {version2}; use --force to install it anyway"
            ).format(course_id=course_id, version=version, version2=existing.version)
        )
    return "downgraded"


def _content_differs(installed: Path, tree: Path) -> bool:
    """Whether the unpacked `tree` holds other files than the installed copy: their
    manifests list every file with its SHA-256 (and both were verified against it)."""
    from packages.datafile import read_bytes

    def files(root: Path) -> object:
        try:
            raw = read_bytes(root / MANIFEST_NAME, 64 * 1024 * 1024, own=False)
            return json.loads(raw or b"null").get("files")
        except (MoocError, OSError, ValueError, AttributeError):
            return None  # unreadable: treat as different, the new copy is verified

    before = files(installed)
    return before is None or before != files(tree)


def _peek_installed(dest: StoreDir, target: InstallSpec, force: bool) -> InstallResult | None:
    """Answer "already installed" (or refuse a downgrade) before unpacking anything.

    Reads only course.toml (from the archive or folder); trusted for nothing else —
    an install that goes on re-checks everything after verification. A folder or a
    file of the installed version is unpacked all the same: its content may have
    changed (an author's edit), which only the manifests tell.
    """
    if force or target.kind in ("folder", "file"):
        return None
    meta = _peek_manifest(target)
    if meta is None:
        return None
    course_id, version = meta
    existing = dest.read(course_id) if is_id(course_id) else None
    if existing is None:
        return None
    if _decide(existing, course_id, version, force) == "already-installed":
        return InstallResult(course=existing, status="already-installed", previous_version=existing.version)
    return None


def _same_pack_installed(dest: StoreDir, target: InstallSpec) -> InstallResult | None:
    """ "Already installed" before any download when the installed copy came from the
    very pack a catalog entry names (same SHA-256, verified when it was installed)."""
    if not target.course_id or not target.expected_sha256 or not is_id(target.course_id):
        return None
    existing = dest.read(target.course_id)
    if existing is None or (existing.sha256 or "").lower() != target.expected_sha256.lower():
        return None
    if target.flavour is not None and existing.flavour != target.flavour:
        return None  # the catalog names this pack as another flavour: the install says so
    return InstallResult(
        course=existing,
        status="already-installed",
        previous_version=existing.version,
        flavour=existing.flavour,
        previous_flavour=existing.flavour,
    )


def _peek_manifest(target: InstallSpec) -> tuple[str, str] | None:
    """(id, version) as the pack claims them: course.toml of a folder, the manifest of a .mooc."""
    import zipfile

    from packages.portable import tomllib

    try:
        if target.kind == "folder":
            manifest = tomllib.loads((Path(target.value) / "course.toml").read_text(encoding="utf-8"))
            return str(manifest["id"]), str(manifest["version"])
        with zipfile.ZipFile(target.value) as zf:
            info = zf.getinfo("mooc-manifest.json")
            if info.file_size > 50_000_000:
                return None
            course = json.loads(zf.read(info))["course"]
        return str(course["id"]), str(course["version"])
    except Exception:  # noqa: BLE001 - a peek never decides failure; the real checks do
        return None


def _describe_source(target: InstallSpec) -> str:
    if target.kind == "url":
        return target.value
    return str(Path(target.value).resolve())


def _shadow_note(store: Store, installed: InstalledCourse) -> str | None:
    winner = store.find(installed.id)
    if winner is not None and winner.path != installed.path:
        return _(
            "the {origin} store has {id} {version}, which is the copy that plays (the highest version wins)"
        ).format(origin=winner.origin, id=installed.id, version=winner.version)
    return None
