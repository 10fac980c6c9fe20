"""What `mooc serve` (and `mooc catalog export`) shares: every installed course as
`ServedPack`s (its .mooc rebuilt once into the packs cache, with size, SHA-256 and
mtime), one per flavour the machine holds: the installed flavour and every smaller
one, built from the installed files (a full copy shares text, novideo and full;
packages/pack_cache.py), and the catalog document that lists them (`catalog_bytes`,
urls relative to the server, a course's flavours in one entry).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from packages.i18n import _, ngettext
from packages.layout import Layout
from packages.pack_cache import cached_flavour


@dataclass(frozen=True, kw_only=True)
class ServedPack:
    id: str
    version: str
    title: str
    language: str
    summary: str
    path: Path
    size: int
    sha256: str
    mtime: float
    flavour: str = "full"

    @property
    def name(self) -> str:
        from packages.flavours import pack_file_name

        return pack_file_name(self.id, self.version, self.flavour)

    @property
    def etag(self) -> str:
        return f'"{self.sha256[:32]}"'


def collect_packs(
    layout: Layout, *, include_bundled: bool = False, say: Callable[[str], None] = lambda _m: None
) -> list[ServedPack]:
    """Every installed course (user and system stores; the copy that plays) as a .mooc."""
    from packages.part_file import sha256_file
    from packages.store import Store

    packs: list[ServedPack] = []
    for course in Store(layout).list():
        if course.origin == "bundled" and not include_bundled:
            continue
        say(_("preparing {id} {version}").format(id=course.id, version=course.version))
        for flavour in flavours_held(course):
            path = cached_flavour(layout, course, flavour)
            stat = path.stat()
            packs.append(
                ServedPack(
                    id=course.id,
                    version=course.version,
                    title=course.title,
                    language=course.language,
                    summary=course.summary,
                    path=path,
                    size=stat.st_size,
                    sha256=sha256_file(path),
                    mtime=stat.st_mtime,
                    flavour=flavour,
                )
            )
    return packs


def flavours_held(course: Any) -> list[str]:
    """The flavours an installed copy can be shared in, small to big: its own and each
    smaller one that leaves out something more (a course without videos has no novideo
    pack apart from its full one, a course without media only its own)."""
    from packages.flavour_choice import installed_flavour, installed_manifest
    from packages.flavours import FLAVOURS, keeps, rank

    held = installed_flavour(course)
    manifest = installed_manifest(Path(course.path))
    files = sorted(manifest.files) if manifest is not None else []
    out = [held]
    for flavour in reversed(FLAVOURS[: rank(held)]):
        if any(keeps(out[0], f) and not keeps(flavour, f) for f in files):
            out.insert(0, flavour)
    return out


def catalog_bytes(packs: list[ServedPack]) -> bytes:
    from packages.catalog_publish import catalog_document, group_flavours

    return catalog_document(
        group_flavours(
            [
                {
                    "id": p.id,
                    "version": p.version,
                    "title": p.title,
                    "language": p.language,
                    "summary": p.summary,
                    "url": "packs/" + quote(p.name),
                    "size": p.size,
                    "sha256": p.sha256,
                    "flavour": p.flavour,
                }
                for p in packs
            ],
            "mooc serve",
        )
    )


def serve_banner(packs: list[ServedPack], host: str, port: int, urls: list[str]) -> list[str]:
    """What `mooc serve` prints when it starts: the courses shared, how other machines add
    them, and how to stop."""
    from packages.flavours import human_size

    courses: dict[tuple[str, str], list[ServedPack]] = {}
    for p in packs:
        courses.setdefault((p.id, p.version), []).append(p)
    n = len(courses)
    lines = [
        ngettext("sharing {n} course on {url}", "sharing {n} courses on {url}", n).format(
            n=n, url=f"http://{host}:{port}/"
        )
    ]
    for (cid, version), flavours in courses.items():
        sizes = " / ".join(
            human_size(p.size) if p.flavour == "full" and len(flavours) == 1 else f"{p.flavour} {human_size(p.size)}"
            for p in flavours
        )
        lines.append(f"  {cid} {version}  ({sizes})")
    lines.append(_("on other machines run:"))
    lines += [f"  mooc catalog add {url}" for url in urls]
    if host.startswith("127."):
        lines.append(_("(only this machine can connect; use --host 0.0.0.0 to share with the LAN)"))
    lines.append(_("press Ctrl+C to stop"))
    return lines
