"""The catalogs added on this machine (`mooc catalog add|remove|refresh`, `mooc search`).

Added catalogs are listed in ``layout.catalogs_file`` and each one's last good copy
is cached at ``layout.catalog_cache(name)``: `mooc search` and `mooc install
COURSE-ID` work offline, and a refresh that fails keeps the old copy. A catalog that
does not parse (`catalog.parse_catalog`) is never added.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from packages.catalog import CATALOG_NAME, CatalogEntry, _save, parse_catalog
from packages.catalog_fetch import _catalog_json_beside, fetch_catalog_bytes, normalize_location
from packages.datafile import load_json
from packages.errors import MoocError, after_subject
from packages.i18n import _
from packages.identifiers import ID_RE
from packages.layout import Layout

MAX_SOURCES_BYTES = 1024 * 1024  # catalogs.json: names and URLs only


@dataclass(frozen=True, kw_only=True)
class CatalogSource:
    name: str
    url: str


def _reason(err: MoocError, url: str) -> str:
    """An error's text without the label that names the catalog (said once already)."""
    text = str(err)
    rest = after_subject(text, f"({url})", anywhere=True)
    return text if rest is None else rest


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
            raise MoocError(
                _('{path}: unreadable catalog list (expected an object with a "catalogs" list)').format(path=path)
            )
        out = []
        for item in items:
            name = item.get("name") if isinstance(item, dict) else None
            url = item.get("url") if isinstance(item, dict) else None
            if not isinstance(name, str) or not ID_RE.match(name) or not isinstance(url, str):
                raise MoocError(
                    _("{path}: unreadable catalog list (an entry without a valid name and url)").format(path=path)
                )
            out.append(CatalogSource(name=name, url=url))
        return out

    def _save_sources(self, sources: list[CatalogSource]) -> None:
        doc = {"catalogs": [asdict(s) for s in sources]}
        _save(self.layout.catalogs_file, json.dumps(doc, indent=2).encode())

    def get_source(self, name: str) -> CatalogSource:
        for source in self.sources():
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources()) or _("none added yet")
        raise MoocError(_("no catalog named {name!r} (catalogs: {known})").format(name=name, known=known))

    def add(self, location: str, name: str | None = None) -> tuple[CatalogSource, list[CatalogEntry]]:
        url = normalize_location(location)
        sources = self.sources()
        if name is not None and not ID_RE.match(name):
            raise MoocError(_("--name {name!r}: use lowercase letters, digits, '.', '_' or '-'").format(name=name))
        for source in sources:
            if source.url == url and (name is None or source.name == name):
                entries = self._fetch_and_cache(source)
                return source, entries
        name = name or _unique(_default_name(url), {s.name for s in sources})
        if any(s.name == name for s in sources):
            raise MoocError(
                _("a catalog named {name!r} already exists (remove it first or pick another --name)").format(name=name)
            )
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
                raise MoocError(
                    _(
                        "{err}; {alternative} is no catalog either ({second}): is this a mooc catalog? (`mooc catalog build DIR` writes {catalog_name})"
                    ).format(
                        err=err, alternative=alternative, second=_reason(second, alternative), catalog_name=CATALOG_NAME
                    )
                ) from None
        self._save_sources([*sources, source])
        return source, entries

    def remove(self, name: str) -> CatalogSource:
        source = self.get_source(name)
        self._save_sources([s for s in self.sources() if s.name != name])
        self.layout.catalog_cache(name).unlink(missing_ok=True)
        return source

    def refresh(
        self, names: list[str] | None = None
    ) -> list[tuple[CatalogSource, list[CatalogEntry] | None, str | None]]:
        """Fetch each catalog again; on failure keep its last good copy and report the error."""
        results: list[tuple[CatalogSource, list[CatalogEntry] | None, str | None]] = []
        for source in self.sources():
            if names and source.name not in names:
                continue
            try:
                results.append((source, self._fetch_and_cache(source), None))
            except MoocError as err:
                results.append((source, None, str(err)))
        return results

    def _fetch_and_cache(self, source: CatalogSource) -> list[CatalogEntry]:
        raw = fetch_catalog_bytes(
            source.url, label=_("catalog {name} ({url})").format(name=source.name, url=source.url)
        )
        entries = parse_catalog(raw, source.url, name=source.name)
        doc = {"url": source.url, "catalog": json.loads(raw)}
        _save(self.layout.catalog_cache(source.name), json.dumps(doc, ensure_ascii=False).encode())
        return entries

    def cached(self, source: CatalogSource) -> list[CatalogEntry]:
        """The last good copy; empty when it was never fetched."""
        from packages.netguard import NetLimits

        path = self.layout.catalog_cache(source.name)
        hint = _("; run `mooc catalog refresh`")
        try:
            doc = load_json(path, 2 * NetLimits.from_env().max_catalog_size + 4096)  # bounded, no links
        except MoocError as err:
            raise MoocError(_("{err}{hint}").format(err=err, hint=hint)) from None
        if doc is None:
            return []
        if not isinstance(doc, dict):
            raise MoocError(_("{path}: not a cached catalog{hint}").format(path=path, hint=hint))
        return parse_catalog(json.dumps(doc.get("catalog")).encode(), source.url, name=source.name)

    def entries(self) -> list[CatalogEntry]:
        out: list[CatalogEntry] = []
        for source in self.sources():
            out.extend(self.cached(source))
        return out

    def search(self, term: str) -> list[CatalogEntry]:
        """Latest version of each course whose id, title or summary contains TERM."""
        needle = term.casefold().strip()
        hits = [
            e
            for e in self.entries()
            if not needle or needle in e.id.casefold() or needle in e.title.casefold() or needle in e.summary.casefold()
        ]
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
