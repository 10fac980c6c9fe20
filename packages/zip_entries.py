"""The entries of a built `.mooc` archive, checked before any byte is read: path rules,
no symlinks or other special entries, no duplicates (also after case and Unicode
folding), zip-bomb limits per entry and over the whole archive. The first bad entry
refuses the whole archive, naming archive and entry."""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from packages.errors import MoocError
from packages.i18n import _
from packages.manifest import MANIFEST_NAME
from packages.pack_limits import Limits
from packages.pack_paths import path_problem

if TYPE_CHECKING:
    import zipfile

_ALLOWED_METHODS = (0, 8)  # zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED


def normal_key(rel: str) -> str:
    """The form two names collide in on case-insensitive, normalising file systems."""
    parts = [p for p in rel.replace("\\", "/").split("/") if p not in ("", ".")]
    return unicodedata.normalize("NFC", "/".join(parts)).casefold()


def check_entries(zf: zipfile.ZipFile, origin: str, path: Path, lim: Limits) -> dict[str, zipfile.ZipInfo]:
    """Every entry of `zf` checked (path rules, no symlinks or other special entries, no
    duplicates, zip-bomb limits), refusing the whole archive on the first bad one; the
    regular files by name."""
    infos = zf.infolist()
    if len(infos) > lim.max_entries:
        raise MoocError(
            _(
                "{origin}: {n_infos} entries, more than the limit of {max_entries} (raise it with --max-entries or MOOC_MAX_PACK_ENTRIES if you trust this pack)"
            ).format(origin=origin, n_infos=len(infos), max_entries=lim.max_entries)
        )
    by_name: dict[str, zipfile.ZipInfo] = {}
    normal: dict[str, str] = {}
    total = packed = 0
    for info in infos:
        name = info.filename
        where = f"{origin}: {name!r}"
        raw_name = info.orig_filename
        if "\\" in raw_name and "\\" not in name:
            name = raw_name  # zipfile turned backslashes into slashes on this OS; judge the original
        is_dir = name.endswith("/")
        rel = name[:-1] if is_dir else name
        problem = None if name == MANIFEST_NAME else path_problem(rel)  # the manifest is the one mooc name allowed
        if problem:
            raise MoocError(_("{where}: {problem}").format(where=where, problem=problem))
        if info.flag_bits & 0x1:
            raise MoocError(_("{where}: encrypted entry").format(where=where))
        if info.compress_type not in _ALLOWED_METHODS:
            raise MoocError(
                _("{where}: unsupported compression method {compress_type}").format(
                    where=where, compress_type=info.compress_type
                )
            )
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if kind == stat.S_IFLNK:
            raise MoocError(_("{where}: symlink entry (packs hold regular files only)").format(where=where))
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise MoocError(
                _("{where}: special entry (mode {mode}; packs hold regular files only)").format(
                    where=where, mode=oct(mode)
                )
            )
        if kind == stat.S_IFDIR or is_dir:
            if info.file_size:
                raise MoocError(_("{where}: folder entry with content").format(where=where))
            continue
        key = normal_key(rel)
        if rel in by_name:
            raise MoocError(_("{where}: duplicate entry").format(where=where))
        if key in normal:
            raise MoocError(
                _("{where}: duplicate entry (same name as {normal!r} after case/Unicode normalisation)").format(
                    where=where, normal=normal[key]
                )
            )
        normal[key] = rel
        total += info.file_size
        packed += info.compress_size
        if total > lim.max_total_size:
            raise MoocError(
                _(
                    "{origin}: unpacked size exceeds the limit of {max_total_size} bytes (raise it with --max-size or MOOC_MAX_PACK_SIZE if you trust this pack)"
                ).format(origin=origin, max_total_size=lim.max_total_size)
            )
        if info.file_size > lim.ratio_min_size:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > lim.max_ratio:
                raise MoocError(
                    _(
                        "{where}: compression ratio {ratio:.0f}:1 exceeds the limit of {max_ratio:g}:1 (a zip bomb? raise it with --max-ratio or MOOC_MAX_PACK_RATIO if you trust this pack)"
                    ).format(where=where, ratio=ratio, max_ratio=lim.max_ratio)
                )
        by_name[rel] = info
    _check_whole_ratio(origin, path, lim, total, packed)
    return by_name


def _check_whole_ratio(origin: str, path: Path, lim: Limits, total: int, packed: int) -> None:
    """The ratio limit over the whole archive: many entries each just under
    `ratio_min_size` must not add up to a bomb. The packed size counted is at most the
    archive's own size, since entries that share their compressed bytes (overlapping
    entries) would otherwise each count them again."""
    if total <= lim.ratio_min_size:
        return
    try:
        packed = min(packed, os.path.getsize(path))
    except OSError:
        pass
    ratio = total / max(packed, 1)
    if ratio > lim.max_ratio:
        raise MoocError(
            _(
                "{origin}: unpacks to {total} bytes from {packed}: a compression ratio of {ratio:.0f}:1 over the whole archive exceeds the limit of {max_ratio:g}:1 (a zip bomb? raise it with --max-ratio or MOOC_MAX_PACK_RATIO if you trust this pack)"
            ).format(origin=origin, total=total, packed=packed, ratio=ratio, max_ratio=lim.max_ratio)
        )
