"""Catalogs: lists of course packs a publisher offers (format: pack-format-v1.md §3).

A catalog is untrusted input. `parse_catalog` checks its shape and every entry
(id, semantic version, size within limits, a SHA-256, a URL that does not change
scheme downwards: an http(s) catalog may only point to http(s) packs, an https one
only to https). Fetching one is `catalog_fetch`'s job; the catalogs added on this
machine, with their cached copies, are `catalog_registry.Catalogs`.

A publisher writes a catalog with `build_catalog(folder)`: it reads course.toml
from each .mooc in the folder and records size, sha256 and a relative url.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from packages.datafile import DataError, loads_json, loads_toml
from packages.errors import MoocError
from packages.identifiers import ID_RE, SEMVER_RE

CATALOG_NAME = "catalog.json"
CATALOG_FORMAT = 1
MAX_PACK_SIZE = 8 * 1024**3
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, kw_only=True)
class CatalogEntry:
    """One course version a catalog offers; `url` is absolute (resolved)."""

    id: str
    version: str
    title: str
    language: str
    summary: str
    url: str
    size: int
    sha256: str
    catalog: str = ""  # the name of the catalog that offers it

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- parsing


def parse_catalog(raw: bytes, base_url: str, *, name: str = "", max_size: int = MAX_PACK_SIZE) -> list[CatalogEntry]:
    """Validate a catalog document; every problem is one line naming the catalog (and its URL) and entry."""
    where = f"{name} ({base_url})" if name else base_url
    data = _load_json(raw, f"catalog {where}", "a JSON catalog")
    if not isinstance(data, dict) or not isinstance(data.get("courses"), list):
        raise MoocError(f'catalog {where}: not a catalog (expected an object with a "courses" list)')
    fmt = data.get("format")
    if not isinstance(fmt, int) or isinstance(fmt, bool):
        raise MoocError(f'catalog {where}: "format" must be an integer')
    if fmt > CATALOG_FORMAT:
        raise MoocError(f"catalog {where}: format {fmt} needs a newer mooc (this one reads format {CATALOG_FORMAT})")
    base_scheme = _scheme(base_url)
    entries: list[CatalogEntry] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(data["courses"]):
        label = f"catalog {where}: course #{index + 1}"
        if not isinstance(item, dict):
            raise MoocError(f"{label}: not an object")
        cid = item.get("id")
        if not isinstance(cid, str) or not ID_RE.match(cid):
            raise MoocError(f"{label}: invalid id {cid!r}")
        label = f"catalog {where}: {cid}"
        version = item.get("version")
        if not isinstance(version, str) or not SEMVER_RE.match(version):
            raise MoocError(f"{label}: invalid version {version!r} (expected e.g. 1.2.0)")
        label = f"catalog {where}: {cid} {version}"
        if (cid, version) in seen:
            raise MoocError(f"{label}: listed twice")
        seen.add((cid, version))
        size = item.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise MoocError(f'{label}: "size" must be a positive integer')
        if size > max_size:
            raise MoocError(f"{label}: size {size} bytes is over the limit of {max_size}")
        sha = item.get("sha256")
        if not isinstance(sha, str) or not _SHA_RE.match(sha.lower()):
            raise MoocError(f'{label}: "sha256" must be 64 hex digits')
        url = item.get("url")
        if not isinstance(url, str) or not url.strip():
            raise MoocError(f'{label}: missing "url"')
        full = urljoin(base_url, url.strip())
        scheme = _scheme(full)
        if base_scheme in ("http", "https"):
            if scheme not in ("http", "https"):
                raise MoocError(f"{label}: url {url!r} leaves http(s) ({scheme}:), refused in a web catalog")
            if base_scheme == "https" and scheme == "http":
                raise MoocError(f"{label}: url {url!r} is plain http in an https catalog, refused")
        elif scheme not in ("file", "http", "https"):
            raise MoocError(f"{label}: unsupported url scheme {scheme!r}")
        texts = {}
        for key, default in (("title", cid), ("language", "en"), ("summary", "")):
            value = item.get(key, default)
            if not isinstance(value, str):
                raise MoocError(f'{label}: "{key}" must be a string')
            texts[key] = value
        entries.append(
            CatalogEntry(id=cid, version=version, url=full, size=size, sha256=sha.lower(), catalog=name, **texts)
        )
    return entries


# --------------------------------------------------------------------------- publishing


def catalog_entry_for_pack(path: Path, url: str) -> dict[str, Any]:
    """The catalog entry of a built .mooc: course.toml fields, size, sha256."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("course.toml")
            if info.file_size > 1_000_000:
                raise MoocError(f"{path}: course.toml is too large")
            manifest = loads_toml(zf.read(info).decode("utf-8"))
    except KeyError:
        raise MoocError(f"{path}: not a course pack (no course.toml)") from None
    except (zipfile.BadZipFile, OSError) as err:
        raise MoocError(f"{path}: not a readable .mooc archive ({_short(err)})") from None
    except (DataError, UnicodeDecodeError) as err:
        raise MoocError(f"{path}: course.toml: {_short(err)}") from None
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
    }
    if not isinstance(entry["id"], str) or not ID_RE.match(entry["id"]):
        raise MoocError(f"{path}: course.toml: invalid id {entry['id']!r}")
    if not isinstance(entry["version"], str) or not SEMVER_RE.match(entry["version"]):
        raise MoocError(f"{path}: course.toml: invalid version {entry['version']!r}")
    return entry


def catalog_document(entries: list[dict[str, Any]]) -> bytes:
    entries = sorted(entries, key=lambda e: (e["id"], e["version"]))
    return (json.dumps({"format": CATALOG_FORMAT, "courses": entries}, indent=2, ensure_ascii=False) + "\n").encode()


def build_catalog(folder: Path, out: Path | None = None) -> tuple[Path, list[dict[str, Any]]]:
    """Write FOLDER/catalog.json for the .mooc files in FOLDER (urls relative to it)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MoocError(f"{folder}: not a folder")
    packs = sorted(p for p in folder.iterdir() if p.suffix == ".mooc" and p.is_file())
    if not packs:
        raise MoocError(f"{folder}: no .mooc files to list")
    entries = [catalog_entry_for_pack(p, quote(p.name)) for p in packs]
    seen: dict[tuple[str, str], str] = {}
    for pack, entry in zip(packs, entries):
        key = (entry["id"], entry["version"])
        if key in seen:
            raise MoocError(f"{folder}: {pack.name} and {seen[key]} are both {key[0]} {key[1]}")
        seen[key] = pack.name
    target = out or folder / CATALOG_NAME
    _save(target, catalog_document(entries), mode=0o644)  # published: readable by the web server
    return target, entries


# --------------------------------------------------------------------------- helpers


def _scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


def _load_json(raw: bytes, where: str, what: str) -> Any:
    """JSON from untrusted bytes: bad UTF-8, bad JSON or absurd nesting is one MoocError."""
    try:
        return loads_json(raw)
    except DataError as err:
        raise MoocError(f"{where}: not {what} ({_short(err)})") from None


def _save(path: Path, data: bytes, mode: int = 0o600) -> None:
    """write_atomic (private to the user by default), a failure (a full disk) as one
    line; the old copy stays as it was."""
    from packages.fsutil import write_atomic

    try:
        write_atomic(path, data, mode=mode)
    except OSError as err:
        raise MoocError(f"{path}: cannot save: {err.strerror or err}") from None


def _short(err: BaseException) -> str:
    text = str(err).replace("\n", " ")
    return text if len(text) < 160 else text[:157] + "…"
