"""A pack file as `mooc serve` shares it (`ServedPack`), for tests that serve one file
without installing a course."""

from __future__ import annotations

from pathlib import Path

from packages.part_file import sha256_file
from packages.served_packs import ServedPack


def served_pack(path: Path, course_id: str = "x", title: str | None = None) -> ServedPack:
    """PATH (already written) served as COURSE_ID 1.0.0."""
    stat = path.stat()
    return ServedPack(
        id=course_id,
        version="1.0.0",
        title=title or course_id.upper(),
        language="en",
        summary="",
        path=path,
        size=stat.st_size,
        sha256=sha256_file(path),
        mtime=stat.st_mtime,
    )
