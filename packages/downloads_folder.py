"""The downloads folder (``layout.downloads_dir``) as an install uses it: a URL's pack
is fetched there under a safe file name (a full, resumable download, or a delta from
the installed version), and the partial downloads an install made useless are pruned.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from packages.errors import MoocError
from packages.layout import Layout


def fetch(
    layout: Layout,
    url: str,
    *,
    quiet: bool = False,
    expected_size: int | None = None,
    expected_sha256: str | None = None,
    limit_rate: int | None = None,
) -> Path:
    """Download `url` into the downloads folder (resumable); the one network call site."""
    from packages.download import download

    dest = layout.downloads_dir / _download_name(url)
    return download(
        url, dest, expected_size=expected_size, expected_sha256=expected_sha256, quiet=quiet, limit_rate=limit_rate
    )


def fetch_update(
    layout: Layout,
    url: str,
    current: Any,
    *,
    quiet: bool,
    expected_size: int,
    expected_sha256: str,
    limit_rate: int | None = None,
) -> Path:
    """Download `url`, a new version of the installed COURSE, reusing its unchanged files (delta)."""
    from packages.delta import delta_download, old_archive_for

    dest = layout.downloads_dir / _download_name(url)
    old = old_archive_for(layout, current)
    if old is None:
        return fetch(
            layout,
            url,
            quiet=quiet,
            expected_size=expected_size,
            expected_sha256=expected_sha256,
            limit_rate=limit_rate,
        )
    delta_download(
        url,
        dest,
        old,
        expected_size=expected_size,
        expected_sha256=expected_sha256,
        quiet=quiet,
        limit_rate=limit_rate,
    )
    return dest


def _download_name(url: str) -> str:
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = re.sub(r"[^0-9A-Za-z._-]", "_", name).lstrip(".")[:120] or "download"
    return name if name.endswith(".mooc") else f"{name}.mooc"


def prune_partial_downloads(layout: Layout, course_id: str, installed_version: str) -> list[Path]:
    """Delete partial downloads (full or delta, any flavour, with their sidecars) of COURSE_ID's
    versions up to the one just installed: nothing can resume them any more."""
    from packages.identifiers import compare_versions

    pattern = re.compile(rf"^{re.escape(course_id)}-(.+?)(?:\.text|\.novideo)?\.mooc(?:\.delta)?\.part(?:\.json)?$")
    removed: list[Path] = []
    try:
        names = os.listdir(layout.downloads_dir)
    except OSError:
        return removed
    for name in names:
        match = pattern.match(name)
        if match is None:
            continue
        try:
            stale = compare_versions(match.group(1), installed_version) <= 0
        except (ValueError, MoocError):
            continue
        if stale:
            path = layout.downloads_dir / name
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed
