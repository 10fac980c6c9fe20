"""Catalogs: lists of course packs a publisher offers (format: pack-format-v1.md §3).

A catalog is untrusted input. `parse_catalog` checks its shape and every entry
(id, semantic version, size within limits, a SHA-256, a URL that does not change
scheme downwards: an http(s) catalog may only point to http(s) packs, an https one
only to https). Added catalogs are listed in ``layout.catalogs_file`` and each one's
last good copy is cached at ``layout.catalog_cache(name)``: `mooc search` and
`mooc install COURSE-ID` work offline, and a refresh that fails keeps the old copy.

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
from urllib.parse import quote, unquote, urljoin, urlsplit
from urllib.request import url2pathname

from packages.datafile import DataError, load_json, loads_json, loads_toml
from packages.errors import MoocError
from packages.identifiers import ID_RE, SEMVER_RE
from packages.layout import Layout

CATALOG_NAME = "catalog.json"
CATALOG_FORMAT = 1
MAX_PACK_SIZE = 8 * 1024**3
MAX_SOURCES_BYTES = 1024 * 1024  # catalogs.json: names and URLs only
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


@dataclass(frozen=True, kw_only=True)
class CatalogSource:
    name: str
    url: str


# --------------------------------------------------------------------------- parsing


def parse_catalog(raw: bytes, base_url: str, *, name: str = "", max_size: int = MAX_PACK_SIZE) -> list[CatalogEntry]:
    """Validate a catalog document; every problem is one line naming the catalog (and its URL) and entry."""
    where = f"{name} ({base_url})" if name else base_url
    data = _load_json(raw, f"catalog {where}", "a JSON catalog")
    if not isinstance(data, dict) or not isinstance(data.get("courses"), list):
        raise MoocError(f"catalog {where}: not a catalog (expected an object with a \"courses\" list)")
    fmt = data.get("format")
    if not isinstance(fmt, int) or isinstance(fmt, bool):
        raise MoocError(f"catalog {where}: \"format\" must be an integer")
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
            raise MoocError(f"{label}: \"size\" must be a positive integer")
        if size > max_size:
            raise MoocError(f"{label}: size {size} bytes is over the limit of {max_size}")
        sha = item.get("sha256")
        if not isinstance(sha, str) or not _SHA_RE.match(sha.lower()):
            raise MoocError(f"{label}: \"sha256\" must be 64 hex digits")
        url = item.get("url")
        if not isinstance(url, str) or not url.strip():
            raise MoocError(f"{label}: missing \"url\"")
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
                raise MoocError(f"{label}: \"{key}\" must be a string")
            texts[key] = value
        entries.append(CatalogEntry(id=cid, version=version, url=full, size=size, sha256=sha.lower(),
                                    catalog=name, **texts))
    return entries


# --------------------------------------------------------------------------- fetching


def normalize_location(location: str) -> str:
    """A catalog address as a URL: http(s) as is; a path or file: URL -> file: URL of catalog.json."""
    if re.match(r"^https?://", location, re.IGNORECASE):
        return location
    if location.lower().startswith("file:"):
        path = Path(url2pathname(unquote(urlsplit(location).path)))
    elif "://" in location:
        raise MoocError(f"{location}: unsupported catalog address (use http(s)://, file: or a folder)")
    else:
        path = Path(location).expanduser()
    path = path.resolve()
    if path.is_dir():
        path = path / CATALOG_NAME
    return path.as_uri()


def _catalog_json_beside(url: str) -> str | None:
    """For an http(s) address that does not name a .json file: the catalog.json in it."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or parts.path.lower().endswith(".json"):
        return None
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return parts._replace(path=path + CATALOG_NAME, query="", fragment="").geturl()


def _reason(err: MoocError, url: str) -> str:
    """An error's text without the label that names the catalog (said once already)."""
    text = str(err)
    head, sep, rest = text.partition(f"({url}): ")
    return rest if sep else text


def fetch_catalog_bytes(url: str, *, label: str | None = None, limits: Any = None) -> bytes:
    """Read a catalog document from http(s) or file:, bounded in size (MOOC_MAX_CATALOG_SIZE)
    and time (MOOC_DEADLINE, MOOC_MIN_RATE), redirects checked. Errors start with LABEL
    (default "catalog URL")."""
    from packages.netguard import Guard, NetLimits, TooSlow

    label = label or f"catalog {url}"
    limits = limits or NetLimits.from_env()
    if url.startswith("file:"):
        path = Path(url2pathname(unquote(urlsplit(url).path)))
        try:
            return _read_capped(path, limits.max_catalog_size, label)
        except FileNotFoundError:
            packs = sorted(path.parent.glob("*.mooc")) if path.name == CATALOG_NAME else []
            if packs:  # a USB stick with bare .mooc files: list them as they are
                return catalog_document([catalog_entry_for_pack(p, quote(p.name)) for p in packs])
            raise MoocError(f"{label}: no such file") from None
    with Guard(label, limits, deadline=limits.deadline) as guard:
        try:
            return _fetch_http(url, label, guard, limits)
        except TooSlow as err:
            raise MoocError(str(err)) from None


def _fetch_http(url: str, label: str, guard: Any, limits: Any) -> bytes:
    import requests

    from packages.download import DownloadError, make_session, open_url, read_body

    session = make_session(guard)
    session.headers["Accept-Encoding"] = "gzip, deflate"  # decoded by read_body, bounded
    try:
        response = open_url(session, url, timeout=guard.timeout(limits.connect_timeout, limits.read_timeout),
                            headers={"Accept": "application/json"})
        with response:
            if response.status_code != 200:
                raise MoocError(f"{label}: the server answered HTTP {response.status_code}")
            return read_body(response, limits.max_catalog_size, guard, what=label,
                             limit_name="MOOC_MAX_CATALOG_SIZE")
    except DownloadError as err:  # open_url's (a refused redirect) name the URL alone
        text = str(err)
        raise MoocError(text if text.startswith(label) else f"catalog {text}") from None
    except requests.exceptions.RequestException as err:
        guard.check()  # a connection the watchdog cut: say why
        raise MoocError(f"{label}: cannot fetch: {_short(err)}") from None
    finally:
        session.close()


# --------------------------------------------------------------------------- the registry


class Catalogs:
    """The catalogs added on this machine (per data folder) and their cached copies."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def sources(self) -> list[CatalogSource]:
        path = self.layout.catalogs_file
        data = load_json(path, MAX_SOURCES_BYTES)  # bounded, no links, one line for any damage
        if data is None:
            return []
        items = data.get("catalogs", []) if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise MoocError(f"{path}: unreadable catalog list (expected an object with a \"catalogs\" list)")
        out = []
        for item in items:
            name = item.get("name") if isinstance(item, dict) else None
            url = item.get("url") if isinstance(item, dict) else None
            if not isinstance(name, str) or not ID_RE.match(name) or not isinstance(url, str):
                raise MoocError(f"{path}: unreadable catalog list (an entry without a valid name and url)")
            out.append(CatalogSource(name=name, url=url))
        return out

    def _save_sources(self, sources: list[CatalogSource]) -> None:
        doc = {"catalogs": [asdict(s) for s in sources]}
        _save(self.layout.catalogs_file, json.dumps(doc, indent=2).encode())

    def get_source(self, name: str) -> CatalogSource:
        for source in self.sources():
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources()) or "none added yet"
        raise MoocError(f"no catalog named {name!r} (catalogs: {known})")

    def add(self, location: str, name: str | None = None) -> tuple[CatalogSource, list[CatalogEntry]]:
        url = normalize_location(location)
        sources = self.sources()
        if name is not None and not ID_RE.match(name):
            raise MoocError(f"--name {name!r}: use lowercase letters, digits, '.', '_' or '-'")
        for source in sources:
            if source.url == url and (name is None or source.name == name):
                entries = self._fetch_and_cache(source)
                return source, entries
        name = name or _unique(_default_name(url), {s.name for s in sources})
        if any(s.name == name for s in sources):
            raise MoocError(f"a catalog named {name!r} already exists (remove it first or pick another --name)")
        source = CatalogSource(name=name, url=url)
        try:
            entries = self._fetch_and_cache(source)  # a bad catalog is never added
        except MoocError as err:
            alternative = _catalog_json_beside(url)
            if alternative is None:
                raise
            # A plain web server (or `mooc serve` behind a path) answers the folder with a
            # 404 or an HTML listing: the catalog is the catalog.json in it.
            source = CatalogSource(name=name, url=alternative)
            try:
                entries = self._fetch_and_cache(source)
            except MoocError as second:
                raise MoocError(f"{err}; {alternative} is no catalog either ({_reason(second, alternative)}): "
                                f"is this a mooc catalog? (`mooc catalog build DIR` writes {CATALOG_NAME})") from None
        self._save_sources([*sources, source])
        return source, entries

    def remove(self, name: str) -> CatalogSource:
        source = self.get_source(name)
        self._save_sources([s for s in self.sources() if s.name != name])
        self.layout.catalog_cache(name).unlink(missing_ok=True)
        return source

    def refresh(self, names: list[str] | None = None) -> list[tuple[CatalogSource, list[CatalogEntry] | None, str | None]]:
        """Fetch each catalog again; on failure keep its last good copy and report the error."""
        results = []
        for source in self.sources():
            if names and source.name not in names:
                continue
            try:
                results.append((source, self._fetch_and_cache(source), None))
            except MoocError as err:
                results.append((source, None, str(err)))
        return results

    def _fetch_and_cache(self, source: CatalogSource) -> list[CatalogEntry]:
        raw = fetch_catalog_bytes(source.url, label=f"catalog {source.name} ({source.url})")
        entries = parse_catalog(raw, source.url, name=source.name)
        doc = {"url": source.url, "catalog": json.loads(raw)}
        _save(self.layout.catalog_cache(source.name), json.dumps(doc, ensure_ascii=False).encode())
        return entries

    def cached(self, source: CatalogSource) -> list[CatalogEntry]:
        """The last good copy; empty when it was never fetched."""
        from packages.netguard import NetLimits

        path = self.layout.catalog_cache(source.name)
        hint = "; run `mooc catalog refresh`"
        try:
            doc = load_json(path, 2 * NetLimits.from_env().max_catalog_size + 4096)  # bounded, no links
        except MoocError as err:
            raise MoocError(f"{err}{hint}") from None
        if doc is None:
            return []
        if not isinstance(doc, dict):
            raise MoocError(f"{path}: not a cached catalog{hint}")
        return parse_catalog(json.dumps(doc.get("catalog")).encode(), source.url, name=source.name)

    def entries(self) -> list[CatalogEntry]:
        out: list[CatalogEntry] = []
        for source in self.sources():
            out.extend(self.cached(source))
        return out

    def search(self, term: str) -> list[CatalogEntry]:
        """Latest version of each course whose id, title or summary contains TERM."""
        needle = term.casefold().strip()
        hits = [e for e in self.entries()
                if not needle or needle in e.id.casefold() or needle in e.title.casefold()
                or needle in e.summary.casefold()]
        return latest_per_course(hits)

    def resolve(self, course_id: str, version: str | None = None) -> CatalogEntry | None:
        """The newest catalog entry for COURSE_ID (or that exact version)."""
        matches = [e for e in self.entries() if e.id == course_id and (version is None or e.version == version)]
        best = latest_per_course(matches)
        return best[0] if best else None


def latest_per_course(entries: list[CatalogEntry]) -> list[CatalogEntry]:
    from packages.identifiers import version_key

    best: dict[str, CatalogEntry] = {}
    for entry in entries:
        current = best.get(entry.id)
        if current is None or version_key(entry.version) > version_key(current.version):
            best[entry.id] = entry
    return sorted(best.values(), key=lambda e: e.id)


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


def _default_name(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = Path(url2pathname(unquote(parts.path)))
        base = path.parent.name if path.name == CATALOG_NAME else path.stem
    else:
        base = parts.hostname or "catalog"
        if parts.port:
            base += f"-{parts.port}"
    slug = re.sub(r"[^a-z0-9._-]+", "-", base.lower()).strip("-._")[:60]
    return slug or "catalog"


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name}-{n}" in taken:
        n += 1
    return f"{name}-{n}"


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


def _read_capped(path: Path, cap: int, where: str) -> bytes:
    """A local file's bytes, at most CAP; a FIFO, device or folder is refused without blocking."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise
    except OSError as err:
        raise MoocError(f"{where}: cannot read: {err.strerror or err}") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise MoocError(f"{where}: not a regular file")
        try:
            data = fh.read(cap + 1)
        except OSError as err:
            raise MoocError(f"{where}: cannot read: {err.strerror or err}") from None
    if len(data) > cap:
        raise MoocError(f"{where}: larger than {cap} bytes (the limit, MOOC_MAX_CATALOG_SIZE)")
    return data


def _short(err: BaseException) -> str:
    text = str(err).replace("\n", " ")
    return text if len(text) < 160 else text[:157] + "…"
