"""What `mooc serve` shares: every installed course as a `ServedPack` (its .mooc
rebuilt once into the packs cache, with size, SHA-256 and mtime), and the catalog
document that lists them (`catalog_bytes`, urls relative to the server).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from packages.layout import Layout
from packages.pack_cache import cached_pack


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

    @property
    def name(self) -> str:
        return f"{self.id}-{self.version}.mooc"

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
        say(f"preparing {course.id} {course.version}")
        path = cached_pack(layout, course)
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
            )
        )
    return packs


def catalog_bytes(packs: list[ServedPack]) -> bytes:
    from packages.catalog_publish import catalog_document

    return catalog_document(
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
            }
            for p in packs
        ]
    )
