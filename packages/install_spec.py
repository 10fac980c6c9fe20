"""What `mooc install SPEC` names: a .mooc file, a pack source folder, an http(s) URL
or a course id from an added catalog, decided in one place (`resolve_spec`) and
carried to the install as an `InstallSpec`. A catalog course brings the catalog's
size and SHA-256 with it; a `file:` one (a USB catalog) is checked against them here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from packages.errors import MoocError
from packages.i18n import _
from packages.identifiers import ID_RE
from packages.layout import Layout

if TYPE_CHECKING:
    from packages.catalog import CatalogEntry, FlavourPack


@dataclass(frozen=True, kw_only=True)
class InstallSpec:
    """What a spec turned out to be. `kind` decides how the .mooc is obtained."""

    kind: Literal["file", "folder", "url"]
    value: str  # the path or URL
    label: str  # how errors name it
    expected_size: int | None = None
    expected_sha256: str | None = None
    course_id: str | None = None  # a catalog entry's: an installed copy makes the download a delta
    flavour: str | None = None  # the flavour a catalog says the pack is: checked against its manifest
    version: str | None = None  # the version a catalog says it is (with course_id): checked too


def resolve_spec(layout: Layout, spec: str) -> InstallSpec:
    """Decide what `spec` names. The ONE place to extend (e.g. catalog course ids).

    Raises the "not a file, folder or URL" error for anything else.
    """
    listed = resolve_catalog_spec(layout, spec)  # course ids from `mooc catalog add`
    if listed is not None:
        return listed
    if re.match(r"^https?://", spec, re.IGNORECASE):
        return InstallSpec(kind="url", value=spec, label=spec)
    if "://" in spec:
        scheme = spec.split("://", 1)[0]
        raise MoocError(
            _("{spec}: unsupported URL scheme '{scheme}' (use http or https)").format(spec=spec, scheme=scheme)
        )
    path = Path(spec).expanduser()
    if path.is_dir():
        return InstallSpec(kind="folder", value=str(path), label=spec)
    if path.is_file():
        return InstallSpec(kind="file", value=str(path), label=spec)
    if path.exists():
        raise MoocError(_("{spec}: not a regular file or folder").format(spec=spec))
    raise MoocError(
        _(
            "{spec}: not a file, folder or URL, nor a course of an added catalog (`mooc search` lists them; `mooc catalog add URL` adds a catalog)"
        ).format(spec=spec)
    )


def resolve_catalog_spec(layout: Layout, spec: str) -> InstallSpec | None:
    """`mooc install SPEC` where SPEC is a course id (optionally ID@VERSION) from a catalog:
    the entry's own pack (packages/flavour_choice.py picks another flavour).

    Returns an `InstallSpec`, or None when SPEC is not a catalog course (a
    path that exists, a URL, or an id no catalog lists) so install goes on as before.
    """
    entry = catalog_entry_for_spec(layout, spec)
    return None if entry is None else spec_for_pack(entry, entry.pack(entry.flavour))


def catalog_entry_for_spec(layout: Layout, spec: str) -> CatalogEntry | None:
    """The catalog entry SPEC (ID or ID@VERSION) names, or None when SPEC is not a catalog
    course (a path that exists, a URL, or an id no catalog lists)."""
    from packages.catalog import CATALOG_NAME
    from packages.catalog_registry import Catalogs

    if "://" in spec or Path(spec).expanduser().exists():
        folder = Path(spec).expanduser()
        if (
            folder.is_dir()
            and not (folder / "course.toml").exists()
            and ((folder / CATALOG_NAME).exists() or any(folder.glob("*.mooc")))
        ):
            raise MoocError(
                _(
                    "{spec}: a folder of course packs, not a pack source: add it with `mooc catalog add {spec}`, then `mooc install COURSE-ID`"
                ).format(spec=spec)
            )
        return None
    cid, _at, version = spec.partition("@")
    if not ID_RE.match(cid):
        return None
    entry = Catalogs(layout).resolve(cid, version or None)
    if entry is None and version and Catalogs(layout).resolve(cid) is not None:
        raise MoocError(
            _("{cid}: version {version} is in no catalog (see `mooc search {cid}`)").format(cid=cid, version=version)
        )
    return entry


def pack_label(entry: CatalogEntry, pack: FlavourPack) -> str:
    """How errors name a catalog pack: "stats-101 1.2.0 (catalog uni)", "stats-101 1.2.0 text (catalog uni)"."""
    flavour = "" if pack.flavour == "full" else f" {pack.flavour}"
    return _("{id} {version}{flavour} (catalog {catalog})").format(
        id=entry.id, version=entry.version, flavour=flavour, catalog=entry.catalog
    )


def spec_for_pack(entry: CatalogEntry, pack: FlavourPack) -> InstallSpec:
    """The install of one pack (flavour) of a catalog entry. A `file:` pack (USB catalog) is
    checked for size and SHA-256 here, since install trusts a local file as it is; an
    http(s) one carries them to the download."""
    label = pack_label(entry, pack)
    if pack.url.startswith("file:"):
        path = Path(url2pathname(unquote(urlsplit(pack.url).path)))
        verify_local_pack(path, pack, label)
        return pack_spec(entry, pack, "file", str(path), label)
    return pack_spec(entry, pack, "url", pack.url, label)


def pack_spec(
    entry: CatalogEntry, pack: FlavourPack, kind: Literal["file", "url"], value: str, label: str
) -> InstallSpec:
    """The install of a catalog pack held at VALUE (a file, or its url): what the catalog
    says of it (size, SHA-256, course, version, flavour) is checked by the install."""
    return InstallSpec(
        kind=kind,
        value=value,
        label=label,
        expected_size=pack.size,
        expected_sha256=pack.sha256,
        course_id=entry.id,
        flavour=pack.flavour,
        version=entry.version,
    )


def verify_local_pack(path: Path, entry: CatalogEntry | FlavourPack, label: str) -> None:
    from packages.part_file import sha256_file

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise MoocError(_("{label}: {path} is missing").format(label=label, path=path)) from None
    if size != entry.size:
        raise MoocError(
            _("{label}: {name} has {size} bytes, the catalog says {size2}").format(
                label=label, name=path.name, size=size, size2=entry.size
            )
        )
    if sha256_file(path) != entry.sha256:
        raise MoocError(_("{label}: {name}: SHA-256 does not match the catalog").format(label=label, name=path.name))
