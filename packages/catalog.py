"""Catalogs: lists of course packs a publisher offers (format: pack-format-v1.md §3).

A catalog is untrusted input. `parse_catalog` checks its shape and every entry
(id, semantic version, size within limits, a SHA-256, a URL that does not change
scheme downwards: an http(s) catalog may only point to http(s) packs, an https one
only to https), and the same for each pack flavour an entry offers (`flavours`,
docs/catalogs-and-downloads.md). Fetching one is `catalog_fetch`'s job; the catalogs
added on this machine, with their cached copies, are `catalog_registry.Catalogs`;
writing one (`build_catalog`) is `catalog_publish`'s.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from packages.datafile import DataError, loads_json
from packages.errors import MoocError
from packages.flavours import FLAVOURS
from packages.i18n import _
from packages.identifiers import ID_RE, SEMVER_RE, is_language

CATALOG_NAME = "catalog.json"
CATALOG_FORMAT = 1
MAX_PACK_SIZE = 8 * 1024**3
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, kw_only=True)
class FlavourPack:
    """One flavour of a course version: where its .mooc is, its size and SHA-256."""

    flavour: str
    url: str  # absolute (resolved)
    size: int
    sha256: str


@dataclass(frozen=True, kw_only=True)
class CatalogEntry:
    """One course version a catalog offers; `url` is absolute (resolved).

    `url`, `size` and `sha256` are the pack of flavour `flavour` (the full pack unless
    the publisher offers only smaller ones); `flavours` holds every flavour offered,
    that one included, by name."""

    id: str
    version: str
    title: str
    language: str
    summary: str
    url: str
    size: int
    sha256: str
    catalog: str = ""  # the name of the catalog that offers it
    flavour: str = "full"
    flavours: dict[str, FlavourPack] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.flavour not in self.flavours:  # an entry made by hand: its own pack
            main = FlavourPack(flavour=self.flavour, url=self.url, size=self.size, sha256=self.sha256)
            object.__setattr__(self, "flavours", {**self.flavours, self.flavour: main})

    @property
    def offered(self) -> list[str]:
        """The flavours offered, small to big."""
        return [f for f in FLAVOURS if f in self.flavours]

    def pack(self, flavour: str) -> FlavourPack:
        """The pack of FLAVOUR, or one line saying which flavours there are."""
        found = self.flavours.get(flavour)
        if found is None:
            raise MoocError(
                _("{id} {version} (catalog {catalog}): no {flavour} flavour (it offers {offered})").format(
                    id=self.id,
                    version=self.version,
                    catalog=self.catalog,
                    flavour=flavour,
                    offered=", ".join(self.offered),
                )
            )
        return found

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["flavours"] = {f: {k: v for k, v in data["flavours"][f].items() if k != "flavour"} for f in self.offered}
        return data


# --------------------------------------------------------------------------- parsing


def parse_catalog(raw: bytes, base_url: str, *, name: str = "", max_size: int = MAX_PACK_SIZE) -> list[CatalogEntry]:
    """Validate a catalog document; every problem is one line naming the catalog (and its URL) and entry."""
    where = f"{name} ({base_url})" if name else base_url
    data = _load_json(raw, _("catalog {where}").format(where=where), _("a JSON catalog"))
    if not isinstance(data, dict) or not isinstance(data.get("courses"), list):
        raise MoocError(
            _('catalog {where}: not a catalog (expected an object with a "courses" list)').format(where=where)
        )
    fmt = data.get("format")
    if not isinstance(fmt, int) or isinstance(fmt, bool):
        raise MoocError(_('catalog {where}: "format" must be an integer').format(where=where))
    if fmt > CATALOG_FORMAT:
        raise MoocError(
            _("catalog {where}: format {fmt} needs a newer mooc (this one reads format {catalog_format})").format(
                where=where, fmt=fmt, catalog_format=CATALOG_FORMAT
            )
        )
    entries: list[CatalogEntry] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(data["courses"]):
        label = _("catalog {where}: course #{index}").format(where=where, index=index + 1)
        if not isinstance(item, dict):
            raise MoocError(_("{label}: not an object").format(label=label))
        cid = item.get("id")
        if not isinstance(cid, str) or not ID_RE.match(cid):
            raise MoocError(_("{label}: invalid id {cid!r}").format(label=label, cid=cid))
        label = _("catalog {where}: {cid}").format(where=where, cid=cid)
        version = item.get("version")
        if not isinstance(version, str) or not SEMVER_RE.match(version):
            raise MoocError(
                _("{label}: invalid version {version!r} (expected e.g. 1.2.0)").format(label=label, version=version)
            )
        label = _("catalog {where}: {cid} {version}").format(where=where, cid=cid, version=version)
        if (cid, version) in seen:
            raise MoocError(_("{label}: listed twice").format(label=label))
        seen.add((cid, version))
        flavour = item.get("flavour", "full")
        if flavour not in FLAVOURS:
            if _future_flavour(flavour):
                continue  # a pack of a flavour a newer mooc knows: not one this mooc can offer
            raise MoocError(
                _("{label}: unknown flavour {flavour} (known: {flavours})").format(
                    label=label, flavour=_shown(flavour), flavours=", ".join(FLAVOURS)
                )
            )
        main = _pack(item, flavour, label, base_url, max_size)
        texts = {}
        for key, default in (("title", cid), ("language", "en"), ("summary", "")):
            value = item.get(key, default)
            if not isinstance(value, str):
                raise MoocError(_('{label}: "{key}" must be a string').format(label=label, key=key))
            if key == "language":
                value = _language(value)
            texts[key] = value
        entries.append(
            CatalogEntry(
                id=cid,
                version=version,
                url=main.url,
                size=main.size,
                sha256=main.sha256,
                catalog=name,
                flavour=flavour,
                flavours=_flavours(item.get("flavours"), main, label, base_url, max_size),
                **texts,
            )
        )
    return entries


def _flavours(raw: object, main: FlavourPack, label: str, base_url: str, max_size: int) -> dict[str, FlavourPack]:
    """An entry's `flavours` object: each known flavour once, each a pack like the entry's own."""
    out = {main.flavour: main}
    if raw is None:
        return out
    if not isinstance(raw, dict):
        raise MoocError(
            _('{label}: "flavours" must be an object (flavour name -> url, size, sha256)').format(label=label)
        )
    for flavour, item in raw.items():
        if flavour not in FLAVOURS:
            if _future_flavour(flavour):
                continue  # a flavour a newer mooc knows (forward compatible): left out, the rest offered
            raise MoocError(
                _("{label}: unknown flavour {flavour} (known: {flavours})").format(
                    label=label, flavour=_shown(flavour), flavours=", ".join(FLAVOURS)
                )
            )
        if not isinstance(item, dict):
            raise MoocError(
                _("{label}: flavour {flavour}: not an object with url, size and sha256").format(
                    label=label, flavour=flavour
                )
            )
        pack = _pack(
            item, flavour, _("{label}: flavour {flavour}").format(label=label, flavour=flavour), base_url, max_size
        )
        if flavour == main.flavour and pack != main:
            raise MoocError(
                _("{label}: flavour {flavour} is listed twice, with different packs").format(
                    label=label, flavour=flavour
                )
            )
        out[flavour] = pack
    urls = [p.url for p in out.values()]
    if len(set(urls)) != len(urls):
        raise MoocError(_("{label}: two flavours have the same url").format(label=label))
    return out


_FUTURE_FLAVOUR_RE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


def _future_flavour(name: object) -> bool:
    """A well-formed flavour name this mooc does not know: a later format's addition, skipped
    (a name that is not even well-formed, say with escapes in it, is refused)."""
    return isinstance(name, str) and bool(_FUTURE_FLAVOUR_RE.match(name))


def _pack(item: dict[str, Any], flavour: str, label: str, base_url: str, max_size: int) -> FlavourPack:
    """url, size and sha256 of one pack, checked: the url resolved against the catalog's
    own address may not change scheme downwards."""
    size = item.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise MoocError(_('{label}: "size" must be a positive integer').format(label=label))
    if size > max_size:
        raise MoocError(
            _("{label}: size {size} bytes is over the limit of {max_size}").format(
                label=label, size=size, max_size=max_size
            )
        )
    sha = item.get("sha256")
    if not isinstance(sha, str) or not _SHA_RE.match(sha.lower()):
        raise MoocError(_('{label}: "sha256" must be 64 hex digits').format(label=label))
    url = item.get("url")
    if not isinstance(url, str) or not url.strip():
        raise MoocError(_('{label}: missing "url"').format(label=label))
    full = urljoin(base_url, url.strip())
    scheme, base_scheme = _scheme(full), _scheme(base_url)
    if base_scheme in ("http", "https"):
        if scheme not in ("http", "https"):
            raise MoocError(
                _("{label}: url {url} leaves http(s) ({scheme}:), refused in a web catalog").format(
                    label=label, url=_shown(url), scheme=scheme
                )
            )
        if base_scheme == "https" and scheme == "http":
            raise MoocError(
                _("{label}: url {url} is plain http in an https catalog, refused").format(label=label, url=_shown(url))
            )
    elif scheme not in ("file", "http", "https"):
        raise MoocError(_("{label}: unsupported url scheme {scheme!r}").format(label=label, scheme=scheme))
    return FlavourPack(flavour=flavour, url=full, size=size, sha256=sha.lower())


def _language(value: str) -> str:
    """An entry's language as a BCP 47 tag ("en_US" is taken as en-US); "und"
    (undetermined) for anything else, so one odd entry never costs the whole catalog
    and nothing long or escape-laden reaches `mooc search`."""
    tag = value.strip().replace("_", "-")
    return tag if is_language(tag) else "und"


def _shown(value: object) -> str:
    """A value from the catalog, quoted for an error line: repr escapes control characters."""
    return repr(str(value)[:80])


# --------------------------------------------------------------------------- helpers


def _scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


def _load_json(raw: bytes, where: str, what: str) -> Any:
    """JSON from untrusted bytes: bad UTF-8, bad JSON or absurd nesting is one MoocError."""
    try:
        return loads_json(raw)
    except DataError as err:
        raise MoocError(_("{where}: not {what} ({err})").format(where=where, what=what, err=_short(err))) from None


def _save(path: Path, data: bytes, mode: int = 0o600) -> None:
    """write_atomic (private to the user by default), a failure (a full disk) as one
    line; the old copy stays as it was."""
    from packages.fsutil import write_atomic

    try:
        write_atomic(path, data, mode=mode)
    except OSError as err:
        raise MoocError(_("{path}: cannot save: {strerror}").format(path=path, strerror=err.strerror or err)) from None


def _short(err: BaseException) -> str:
    text = str(err).replace("\n", " ")
    return text if len(text) < 160 else text[:157] + "…"
