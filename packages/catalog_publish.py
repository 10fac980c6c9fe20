"""Writing a catalog: what a publisher runs (`mooc catalog build DIR`), what a USB stick of
bare .mooc files is listed as, and what `mooc serve` and `mooc catalog export` publish.

`catalog_entry_for_pack` reads one .mooc (course.toml, the flavour its manifest
records, size, sha256); `group_flavours` makes one catalog entry per course version
out of its flavours (`<id>-<version>.mooc`, `.novideo.mooc`, `.text.mooc`): the entry's
own url/size/sha256 are the full pack (what a mooc without flavours installs), the
others go under `flavours`. When the full pack is not there (a machine holding only
the text flavour shares it), the entry's own pack is the biggest flavour there is,
named by `"flavour"` (docs/catalogs-and-downloads.md).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from packages.catalog import CATALOG_FORMAT, CATALOG_NAME, _save, _short
from packages.datafile import DataError, loads_json, loads_toml
from packages.errors import MoocError
from packages.flavours import FLAVOURS, pack_file_name
from packages.i18n import _
from packages.identifiers import ID_RE, SEMVER_RE

MANIFEST_NAME = "mooc-manifest.json"  # = packages.manifest.MANIFEST_NAME
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


def catalog_entry_for_pack(path: Path, url: str) -> dict[str, Any]:
    """The catalog entry of a built .mooc: course.toml fields, its flavour (key
    "flavour", from its manifest; the full pack has none), size, sha256."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("course.toml")
            if info.file_size > 1_000_000:
                raise MoocError(_("{path}: course.toml is too large").format(path=path))
            manifest = loads_toml(zf.read(info).decode("utf-8"))
            flavour = _flavour_in(zf, path)
    except KeyError:
        raise MoocError(_("{path}: not a course pack (no course.toml)").format(path=path)) from None
    except (zipfile.BadZipFile, OSError) as err:
        raise MoocError(_("{path}: not a readable .mooc archive ({err})").format(path=path, err=_short(err))) from None
    except (DataError, UnicodeDecodeError) as err:
        raise MoocError(_("{path}: course.toml: {err}").format(path=path, err=_short(err))) from None
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    entry = {
        "id": manifest.get("id"),
        "version": manifest.get("version"),
        "title": manifest.get("title", manifest.get("id")),
        "language": manifest.get("language", "en"),
        "summary": manifest.get("summary", ""),
        "url": url,
        "size": path.stat().st_size,
        "sha256": digest.hexdigest(),
        "flavour": flavour,
    }
    if not isinstance(entry["id"], str) or not ID_RE.match(entry["id"]):
        raise MoocError(_("{path}: course.toml: invalid id {entry!r}").format(path=path, entry=entry["id"]))
    if not isinstance(entry["version"], str) or not SEMVER_RE.match(entry["version"]):
        raise MoocError(_("{path}: course.toml: invalid version {entry!r}").format(path=path, entry=entry["version"]))
    for named in FLAVOURS:  # a file named as another flavour than it is would mislead learners
        if named != flavour and path.name == pack_file_name(entry["id"], entry["version"], named):
            raise MoocError(
                _("{path}: its name says the {named} flavour, its manifest the {flavour} one").format(
                    path=path, named=named, flavour=flavour
                )
            )
    return entry


def _flavour_in(zf: zipfile.ZipFile, path: Path) -> str:
    """The flavour a pack's manifest records: "full" when it records none (or has no manifest)."""
    try:
        info = zf.getinfo(MANIFEST_NAME)
    except KeyError:
        return "full"
    if info.file_size > MAX_MANIFEST_BYTES:
        raise MoocError(_("{path}: {manifest_name} is too large").format(path=path, manifest_name=MANIFEST_NAME))
    try:
        data = loads_json(zf.read(info))
    except DataError as err:
        raise MoocError(
            _("{path}: {manifest_name}: {err}").format(path=path, manifest_name=MANIFEST_NAME, err=_short(err))
        ) from None
    flavour = data.get("flavour", "full") if isinstance(data, dict) else "full"
    if flavour not in FLAVOURS:
        raise MoocError(
            _("{path}: {manifest_name}: unknown flavour {flavour!r}").format(
                path=path, manifest_name=MANIFEST_NAME, flavour=str(flavour)[:40]
            )
        )
    return str(flavour)


def group_flavours(items: list[dict[str, Any]], where: str) -> list[dict[str, Any]]:
    """One catalog entry per (id, version) out of entries that each carry a "flavour"
    key; two packs of the same flavour are one line naming both (by their url)."""
    groups: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for item in items:
        flavours = groups.setdefault((item["id"], item["version"]), {})
        flavour = item.get("flavour", "full")
        if flavour in flavours:
            raise MoocError(
                (
                    _("{where}: {first} and {second} are both {id} {version}")
                    if flavour == "full"
                    else _("{where}: {first} and {second} are both {id} {version} ({flavour})")
                ).format(
                    where=where,
                    first=flavours[flavour]["url"],
                    second=item["url"],
                    id=item["id"],
                    version=item["version"],
                    flavour=flavour,
                )
            )
        flavours[flavour] = item
    out = []
    for flavours in groups.values():
        main_flavour = next(f for f in reversed(FLAVOURS) if f in flavours)
        entry = {k: v for k, v in flavours[main_flavour].items() if k != "flavour"}
        if main_flavour != "full":
            entry["flavour"] = main_flavour
        others = {
            f: {"url": flavours[f]["url"], "size": flavours[f]["size"], "sha256": flavours[f]["sha256"]}
            for f in FLAVOURS
            if f in flavours and f != main_flavour
        }
        if others:
            entry["flavours"] = others
        out.append(entry)
    return out


def catalog_document(entries: list[dict[str, Any]]) -> bytes:
    entries = sorted(entries, key=lambda e: (e["id"], e["version"]))
    return (json.dumps({"format": CATALOG_FORMAT, "courses": entries}, indent=2, ensure_ascii=False) + "\n").encode()


def catalog_for_packs(packs: list[Path], where: str) -> list[dict[str, Any]]:
    """The catalog entries for .mooc files of one folder (urls relative to it), flavours grouped."""
    return group_flavours([catalog_entry_for_pack(p, quote(p.name)) for p in packs], where)


def build_catalog(folder: Path, out: Path | None = None) -> tuple[Path, list[dict[str, Any]]]:
    """Write FOLDER/catalog.json for the .mooc files in FOLDER (urls relative to it)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MoocError(_("{folder}: not a folder").format(folder=folder))
    packs = sorted(p for p in folder.iterdir() if p.suffix == ".mooc" and p.is_file())
    if not packs:
        raise MoocError(_("{folder}: no .mooc files to list").format(folder=folder))
    entries = catalog_for_packs(packs, str(folder))
    target = out or folder / CATALOG_NAME
    _save(target, catalog_document(entries), mode=0o644)  # published: readable by the web server
    return target, entries
