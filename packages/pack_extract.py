"""Unpack a built `.mooc` into a staging folder, checking every file as it is written.

The archive is untrusted: `ZipSource` refuses it whole on the first bad entry before
anything is unpacked, and each file's size and SHA-256 are checked against the manifest
while it is written, never through anything already in the folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from packages.errors import MoocError
from packages.i18n import _
from packages.manifest import MANIFEST_NAME, Manifest, sha256_hasher
from packages.pack_limits import Limits
from packages.source import ZipSource


def safe_extract(archive: Path, dest: Path, limits: Limits | None = None, *, fsync: bool = True) -> Manifest:
    """Unpack a built pack into `dest` (a staging folder), verifying size and SHA-256 of
    every file while writing. Any problem is a MoocError naming archive and entry; the
    caller discards `dest` then. The manifest is written too, so the result reopens
    with `open_source(dest)`."""
    archive = Path(archive)
    dest = Path(dest)
    with ZipSource(archive, limits) as src:
        manifest = src.manifest
        if manifest is None:
            raise MoocError(
                _("{archive}: no {manifest_name} (not a built pack; build it with `mooc pack build`)").format(
                    archive=archive, manifest_name=MANIFEST_NAME
                )
            )
        present = set(src.files())
        missing = sorted(manifest.files.keys() - present)
        if missing:
            raise MoocError(
                _("{archive}: {missing}: listed in the manifest but missing from the archive").format(
                    archive=archive, missing=missing[0]
                )
            )
        extra = sorted(present - manifest.files.keys())
        if extra:
            raise MoocError(_("{archive}: {extra}: not listed in the manifest").format(archive=archive, extra=extra[0]))
        dest.mkdir(parents=True, exist_ok=True)
        real_dest = os.path.realpath(dest)
        for rel in sorted(manifest.files):
            entry = manifest.files[rel]
            target = os.path.join(real_dest, *rel.split("/"))
            if not os.path.realpath(target).startswith(real_dest.rstrip(os.sep) + os.sep):
                raise MoocError(
                    _("{archive}: {rel}: path leaves the destination folder").format(archive=archive, rel=rel)
                )
            os.makedirs(os.path.dirname(target), exist_ok=True)
            h = sha256_hasher()
            size = 0
            # O_EXCL: never write through something already there (a planted symlink).
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(fd, "wb") as out:
                for chunk in src.iter_chunks(rel):
                    size += len(chunk)
                    if size > entry.size:
                        raise MoocError(
                            _("{archive}: {rel}: larger than the {size} bytes the manifest records").format(
                                archive=archive, rel=rel, size=entry.size
                            )
                        )
                    h.update(chunk)
                    out.write(chunk)
                out.flush()
                if fsync:
                    os.fsync(out.fileno())
            if size != entry.size:
                raise MoocError(
                    _("{archive}: {rel}: size {size} does not match the manifest ({size2})").format(
                        archive=archive, rel=rel, size=size, size2=entry.size
                    )
                )
            if h.hexdigest() != entry.sha256:
                raise MoocError(
                    _("{archive}: {rel}: SHA-256 does not match the manifest (file corrupt or altered)").format(
                        archive=archive, rel=rel
                    )
                )
        raw = manifest.to_json()
        fd = os.open(os.path.join(real_dest, MANIFEST_NAME), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            out.flush()
            if fsync:
                os.fsync(out.fileno())
    return manifest
