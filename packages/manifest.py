"""A built pack's manifest (`mooc-manifest.json`): the size and SHA-256 of every file.

A flavoured pack (packages/flavours.py) adds `flavour` ("text" or "novideo"; absent
means full) and `omitted`, the files of the full pack it leaves out, each with its
size and SHA-256; a full pack's manifest is byte for byte what it was before flavours.

`mooc pack build` writes it; reading a built or installed pack checks each file it
reads against it (`packages.source`), `mooc pack check` every file at once
(`packages.validation`), and an install while it unpacks (`packages.pack_extract`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from packages.errors import MoocError
from packages.flavours import FULL, keeps
from packages.i18n import _
from packages.pack_paths import MANIFEST_NAME as MANIFEST_NAME
from packages.pack_paths import path_problem

MANIFEST_FORMAT = 1
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def sha256_hasher(data: bytes = b"") -> Any:  # -> hashlib._Hash
    """A SHA-256 hash object, the manifest's digest (hashlib is imported on first use)."""
    import hashlib

    return hashlib.sha256(data)


@dataclass(frozen=True)
class ManifestEntry:
    """One file of `mooc-manifest.json`: its size and SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """The built pack's manifest (`mooc-manifest.json`): what every file must hash to."""

    course_id: str
    version: str
    title: str
    files: dict[str, ManifestEntry] = field(default_factory=dict)
    format: int = MANIFEST_FORMAT
    flavour: str = FULL
    omitted: dict[str, ManifestEntry] = field(default_factory=dict)  # what this flavour leaves out

    def to_json(self) -> bytes:
        data: dict[str, Any] = {
            "format": self.format,
            "course": {"id": self.course_id, "version": self.version, "title": self.title},
            "files": _entries_json(self.files),
        }
        if self.flavour != FULL:  # a full pack's manifest stays what it always was
            data["flavour"] = self.flavour
            data["omitted"] = _entries_json(self.omitted)
        return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()

    @classmethod
    def from_json(cls, raw: bytes, origin: str) -> Manifest:
        from packages.datafile import DataError, loads_json

        where = f"{origin}: {MANIFEST_NAME}"
        try:
            data = loads_json(raw.decode("utf-8"))
        except UnicodeDecodeError as err:
            raise MoocError(_("{where}: not valid JSON ({err})").format(where=where, err=err)) from None
        except DataError as err:  # syntax, or nested too deeply
            raise MoocError(_("{where}: {err}").format(where=where, err=err)) from None
        if not isinstance(data, dict):
            raise MoocError(_("{where}: not a JSON object").format(where=where))
        fmt = data.get("format")
        if not isinstance(fmt, int) or isinstance(fmt, bool):
            raise MoocError(_("{where}: 'format' must be an integer").format(where=where))
        if fmt > MANIFEST_FORMAT:
            raise MoocError(
                _(
                    "{where}: manifest format {fmt} needs a newer mooc (this mooc reads format {manifest_format})"
                ).format(where=where, fmt=fmt, manifest_format=MANIFEST_FORMAT)
            )
        course = data.get("course")
        if not isinstance(course, dict) or not all(isinstance(course.get(k), str) for k in ("id", "version", "title")):
            raise MoocError(_("{where}: 'course' must hold id, version and title strings").format(where=where))
        files = data.get("files")
        if not isinstance(files, list):
            raise MoocError(_("{where}: 'files' must be a list").format(where=where))
        entries = _entries(files, "files", where)
        flavour, omitted = _flavour_of(data, entries, where)
        return cls(
            course_id=course["id"],
            version=course["version"],
            title=course["title"],
            files=entries,
            format=fmt,
            flavour=flavour,
            omitted=omitted,
        )


def _entries_json(entries: dict[str, ManifestEntry]) -> list[dict[str, Any]]:
    return [
        {"path": e.path, "size": e.size, "sha256": e.sha256} for e in sorted(entries.values(), key=lambda e: e.path)
    ]


def _entries(items: list[Any], key: str, where: str) -> dict[str, ManifestEntry]:
    """The entries of the list `key` ("files" or "omitted"), each checked: one line on the first bad one."""
    entries: dict[str, ManifestEntry] = {}
    for i, f in enumerate(items):
        if not isinstance(f, dict):
            raise MoocError(_("{where}: {key}[{i}] is not an object").format(where=where, key=key, i=i))
        path, size, digest = f.get("path"), f.get("size"), f.get("sha256")
        if not isinstance(path, str) or (problem := path_problem(path)):
            raise MoocError(
                _("{where}: {key}[{i}].path: {problem}").format(
                    where=where, key=key, i=i, problem=problem if isinstance(path, str) else "missing"
                )
            )
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise MoocError(
                _("{where}: {key}[{i}].size must be a non-negative integer").format(where=where, key=key, i=i)
            )
        if not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest):
            raise MoocError(
                _("{where}: {key}[{i}].sha256 must be 64 lowercase hex digits").format(where=where, key=key, i=i)
            )
        if path in entries:
            raise MoocError(_("{where}: {path} is listed twice").format(where=where, path=path))
        entries[path] = ManifestEntry(path, size, digest)
    return entries


def _flavour_of(
    data: dict[str, Any], files: dict[str, ManifestEntry], where: str
) -> tuple[str, dict[str, ManifestEntry]]:
    """`flavour` and `omitted`, checked: both or neither, a flavour that leaves files out,
    and omitted files that this flavour does leave out and that are not in the pack too."""
    if "flavour" not in data:
        if "omitted" in data:
            raise MoocError(
                _("{where}: 'omitted' without a 'flavour' (a full pack leaves nothing out)").format(where=where)
            )
        return FULL, {}
    flavour = data["flavour"]
    if flavour not in ("text", "novideo"):
        shown = repr(flavour)[:40]
        raise MoocError(
            _('{where}: \'flavour\' must be "text" or "novideo" (absent means full), not {shown}').format(
                where=where, shown=shown
            )
        )
    listed = data.get("omitted")
    if not isinstance(listed, list):
        raise MoocError(
            _("{where}: 'omitted' must be a list (the files a {flavour} pack leaves out)").format(
                where=where, flavour=flavour
            )
        )
    omitted = _entries(listed, "omitted", where)
    for path in omitted:
        if path in files:
            raise MoocError(_("{where}: {path} is both in 'files' and in 'omitted'").format(where=where, path=path))
        if keeps(flavour, path):
            raise MoocError(
                _("{where}: omitted {path}: a {flavour} pack keeps this file, it cannot leave it out").format(
                    where=where, path=path, flavour=flavour
                )
            )
    for path in files:
        if not keeps(flavour, path):
            raise MoocError(
                _("{where}: {path}: a {flavour} pack leaves this file out, but its 'files' list it").format(
                    where=where, path=path, flavour=flavour
                )
            )
    return flavour, omitted
