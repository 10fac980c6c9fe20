"""Which files a flavoured build writes, and the `omitted` list of its manifest.

`packages.building` asks `plan_flavour` what to write for a flavour and
`omitted_entries` what the manifest records as left out. A source folder is either an
author's folder (everything there: any flavour can be built) or an installed flavoured
pack (its manifest lists what it lacks): rebuilding that gives the same flavour, byte
for byte, which the delta between flavours and `mooc serve` rely on, and building a
flavour that needs a file it lacks is refused, naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from packages.errors import MoocError
from packages.flavours import FULL, keeps
from packages.i18n import _, ngettext
from packages.manifest import ManifestEntry, sha256_hasher
from packages.source import DirSource


@dataclass(frozen=True)
class FlavourPlan:
    flavour: str
    files: list[str]  # written into the pack, sorted
    dropped: list[str]  # in the folder, left out of this flavour
    inherited: dict[str, ManifestEntry]  # not in the folder: left out by the flavour it was built as


def source_flavour(source: DirSource) -> tuple[str, dict[str, ManifestEntry]]:
    """The flavour a folder holds and what it lacks: full and nothing for an author's folder,
    what its manifest says for an installed flavoured pack."""
    manifest = source.manifest
    if manifest is None:
        return FULL, {}
    return manifest.flavour, dict(manifest.omitted)


def plan_flavour(source: DirSource, wanted: str | None, items: frozenset[str] = frozenset()) -> FlavourPlan:
    """What a build of `wanted` (None: the flavour the folder holds) writes and leaves out.
    `items`: the files of the course's lessons and quizzes, which every flavour must hold."""
    held, lacking = source_flavour(source)
    flavour = held if wanted is None else wanted
    needed = [path for path in sorted(lacking) if keeps(flavour, path)]
    if needed:
        more = (
            ngettext(" and {n} more file", " and {n} more files", len(needed) - 1).format(n=len(needed) - 1)
            if len(needed) > 1
            else ""
        )
        raise MoocError(
            _(
                "{origin}: holds the {held} flavour, which lacks {needed}{more}: cannot build the {flavour} flavour from it (build it from the full source)"
            ).format(origin=source.origin, held=held, needed=needed[0], more=more, flavour=flavour)
        )
    files: list[str] = []
    dropped: list[str] = []
    for rel in source.files():
        (files if keeps(flavour, rel) else dropped).append(rel)
    for rel in dropped:
        if rel in items:
            raise MoocError(
                _(
                    "{origin}: {rel}: an item of the course, but a {flavour} pack leaves out this kind of file under media/ (move it to quizzes/ or lessons/)"
                ).format(origin=source.origin, rel=rel, flavour=flavour)
            )
    return FlavourPlan(flavour=flavour, files=files, dropped=dropped, inherited=lacking)


def omitted_entries(
    source: DirSource, plan: FlavourPlan, known: dict[str, ManifestEntry] | None = None
) -> dict[str, ManifestEntry]:
    """Size and SHA-256 of every file the flavour leaves out: from `known` (the entries of a
    bigger flavour just built) or the folder's checked manifest, else by reading the file."""
    if plan.flavour == FULL:
        return {}
    checked = source.manifest.files if source.manifest is not None else {}
    out = dict(plan.inherited)
    for rel in plan.dropped:
        entry = (known or {}).get(rel) or checked.get(rel)
        if entry is None:
            entry = _hashed(source, rel)
        out[rel] = entry
    return out


def _hashed(source: DirSource, rel: str) -> ManifestEntry:
    h = sha256_hasher()
    size = 0
    for chunk in source.iter_chunks(rel):
        h.update(chunk)
        size += len(chunk)
    return ManifestEntry(rel, size, h.hexdigest())
