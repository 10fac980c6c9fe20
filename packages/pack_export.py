"""`mooc catalog export DIR`: this machine's courses onto a USB stick (or any folder), as
`mooc serve` shares them: every installed course in every flavour it holds (its own and
each smaller one, built from the installed files: packages/served_packs.py), each
.mooc under its published name, then DIR/catalog.json for all the packs in DIR. A lab
PC without network then runs `mooc catalog add DIR` and installs the flavour it wants.

A pack already in DIR with the same size and SHA-256 is not copied again; each copy
lands atomically (a stick pulled mid-copy leaves no half pack under a real name).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from packages.errors import MoocError
from packages.fsutil import fsync_dir, os_error_text
from packages.i18n import _
from packages.layout import Layout


def export_packs(layout: Layout, folder: Path, *, say: Any = lambda _m: None) -> dict[str, Any]:
    """Copy every served pack into FOLDER and write its catalog; returns what was done."""
    from packages.catalog_publish import build_catalog
    from packages.part_file import sha256_file
    from packages.served_packs import collect_packs

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise MoocError(
            _("{folder}: cannot create the folder: {err}").format(folder=folder, err=os_error_text(err))
        ) from None
    packs = collect_packs(layout, say=say)
    if not packs:
        raise MoocError(_("no courses installed to export (the bundled demo is not exported)"))
    copied, kept = [], []
    for pack in packs:
        target = folder / pack.name
        if target.is_file() and target.stat().st_size == pack.size and sha256_file(target) == pack.sha256:
            kept.append(pack.name)
            continue
        say(_("copying {name}").format(name=pack.name))
        _copy_atomically(pack.path, target)
        copied.append(pack.name)
    catalog, entries = build_catalog(folder)
    return {
        "folder": str(folder),
        "catalog": str(catalog),
        "courses": sorted({(p.id, p.version) for p in packs}),
        "packs": [{"name": p.name, "flavour": p.flavour, "size": p.size, "sha256": p.sha256} for p in packs],
        "copied": copied,
        "already_there": kept,
        "catalog_entries": len(entries),
    }


def _copy_atomically(source: Path, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise MoocError(_("{target}: cannot write: {err}").format(target=target, err=os_error_text(err))) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
