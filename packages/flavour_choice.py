"""Which flavour of a catalog course to install (issue 22, docs/catalogs-and-downloads.md).

In this order:

1. the one asked for (`mooc install COURSE --flavour novideo`); a flavour the
   catalog does not offer is one line naming those it does;
2. the installed one, when the course is installed already (a version update keeps
   the learner's flavour; when the new version does not come in it, the smallest
   flavour bigger than it, else the biggest there is);
3. the `bandwidth` setting of config.toml: `low` -> text, `normal` -> full (the
   nearest offered when that one is not);
4. interactively, when the catalog offers several, the learner's answer to a prompt
   that shows their sizes (the CLI asks; `ask` here);
5. else the entry's own pack: full when the publisher offers it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.flavours import FLAVOURS, FULL, check_flavour, rank
from packages.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from packages.catalog import CatalogEntry
    from packages.install_spec import InstallSpec
    from packages.layout import Layout

BANDWIDTHS = {"low": "text", "normal": FULL}
Ask = Callable[["CatalogEntry"], str]


def bandwidth_setting(layout: Layout) -> str | None:
    """`bandwidth = "low" | "normal"` at the top of config.toml, or None when unset."""
    from packages.datafile import load_toml

    value = load_toml(layout.config_file).get("bandwidth")
    if value is None:
        return None
    if value not in BANDWIDTHS:
        shown = repr(value)[:40]
        raise MoocError(
            _('{config_file}: bandwidth must be "low" or "normal", not {shown}').format(
                config_file=layout.config_file, shown=shown
            )
        )
    return str(value)


def installed_flavour(course: Any) -> str:
    """The flavour of an installed copy (`InstalledCourse.flavour`, the installed
    manifest's, recorded in its summary; full for a copy installed before flavours)."""
    flavour = getattr(course, "flavour", FULL)
    return flavour if flavour in FLAVOURS else FULL


def installed_manifest(tree: Path) -> Any:
    """The manifest of an installed tree (packages.manifest.Manifest), or None."""
    from packages.datafile import read_bytes
    from packages.manifest import MANIFEST_NAME, Manifest

    raw = read_bytes(tree / MANIFEST_NAME, 256 * 1024 * 1024, own=False)
    return None if raw is None else Manifest.from_json(raw, str(tree))


def nearest(entry: CatalogEntry, flavour: str) -> str:
    """FLAVOUR if ENTRY offers it, else the smallest bigger one, else the biggest offered."""
    offered = entry.offered
    if flavour in offered:
        return flavour
    bigger = [f for f in offered if rank(f) > rank(flavour)]
    return bigger[0] if bigger else offered[-1]


def choose_flavour(
    entry: CatalogEntry,
    *,
    requested: str | None = None,
    installed: str | None = None,
    bandwidth: str | None = None,
    ask: Ask | None = None,
) -> tuple[str, str]:
    """(the flavour to install, why: "asked", "installed", "bandwidth", "chosen" or "default")."""
    if requested is not None:
        entry.pack(check_flavour(requested, "--flavour"))  # one line when it is not offered
        return requested, "asked"
    if installed is not None:
        return nearest(entry, installed), "installed"
    if bandwidth is not None:
        return nearest(entry, BANDWIDTHS[bandwidth]), "bandwidth"
    if ask is not None and len(entry.offered) > 1:
        chosen = ask(entry)
        entry.pack(chosen)
        return chosen, "chosen"
    return entry.flavour, "default"


WHAT_EACH_HOLDS = {
    "text": N_("lessons and quizzes; no images, PDFs, audio or video"),
    "novideo": N_("everything but the videos"),
    "full": N_("everything"),
}


def flavour_menu(entry: CatalogEntry, config: Path | None = None) -> tuple[list[str], str]:
    """The lines of the interactive question (each flavour numbered, with its size and
    what it holds; CONFIG: the config.toml to set `bandwidth` in) and the answer Enter
    gives (the entry's own pack)."""
    from packages.flavours import human_size
    from packages.safe_text import one_line

    n = len(entry.offered)
    lines = [
        ngettext("{id} {version} comes in {n} flavour:", "{id} {version} comes in {n} flavours:", n).format(
            id=entry.id, version=one_line(entry.version), n=n
        )
    ]
    for number, flavour in enumerate(entry.offered, 1):
        size = human_size(entry.flavours[flavour].size)
        lines.append(f"  {number}. {flavour:<8} {size:>9}   {_(WHAT_EACH_HOLDS[flavour])}")
    lines.append(
        _('(set bandwidth = "low" or "normal" in {config} not to be asked)').format(config=config or "config.toml")
    )
    return lines, entry.flavour


def resolve_install(
    layout: Layout, spec: str, *, requested: str | None = None, ask: Ask | None = None, system: bool = False
) -> InstallSpec:
    """What `mooc install SPEC [--flavour F]` installs: for a catalog course, the pack of
    the flavour chosen as the module says; anything else as `install_spec.resolve_spec`."""
    from packages.install_spec import catalog_entry_for_spec, resolve_spec, spec_for_pack
    from packages.store import Store

    entry = catalog_entry_for_spec(layout, spec)
    if entry is None:
        if requested is not None:
            check_flavour(requested, "--flavour")
            resolve_spec(layout, spec)  # a course id no catalog lists: that error first
            raise MoocError(
                _(
                    "{spec}: --flavour picks one of the flavours a catalog offers; a file, folder or URL is installed as it is (see `mooc search` for catalog courses)"
                ).format(spec=spec)
            )
        return resolve_spec(layout, spec)
    current = Store(layout).store_dir(system).read(entry.id)
    flavour, _why = choose_flavour(
        entry,
        requested=requested,
        installed=installed_flavour(current) if current is not None and requested is None else None,
        bandwidth=bandwidth_setting(layout) if requested is None else None,
        ask=ask,
    )
    return spec_for_pack(entry, entry.pack(flavour))


def pick_in_folder(packs: list[Path], requested: str | None, bandwidth: str | None) -> list[Path]:
    """A folder of .mooc files (a USB stick) holding several flavours of one course: the one
    pack of each course version to install (by --flavour, else the bandwidth setting, else
    the biggest); packs that are not flavours of another are all kept."""
    from urllib.parse import unquote, urlsplit

    from packages.catalog import parse_catalog
    from packages.catalog_publish import catalog_document, catalog_for_packs

    if requested is not None:
        check_flavour(requested, "--flavour")
    try:
        entries = parse_catalog(catalog_document(catalog_for_packs(packs, "")), packs[0].parent.as_uri() + "/")
    except MoocError:
        return packs  # a bad pack among them: each is installed (and refused) on its own
    by_name = {p.name: p for p in packs}
    chosen = []
    for entry in entries:
        want = requested or (BANDWIDTHS[bandwidth] if bandwidth else entry.flavour)
        flavour = want if requested is not None else nearest(entry, want)
        chosen.append(by_name[unquote(urlsplit(entry.pack(flavour).url).path).rsplit("/", 1)[-1]])
    return sorted(chosen)


def bigger_offered(layout: Layout, course_id: str, version: str, flavour: str) -> str | None:
    """The biggest flavour of COURSE_ID VERSION that a catalog added here offers beyond
    FLAVOUR (what `mooc upgrade --flavour` could move to), or None: none, or no catalog
    can be read (offline, damaged: the hint after an install is not worth an error)."""
    from packages.catalog_registry import Catalogs

    try:
        entry = Catalogs(layout).resolve(course_id, version)
    except (MoocError, OSError):
        return None
    if entry is None:
        return None
    biggest = entry.offered[-1] if entry.offered else flavour
    return biggest if rank(biggest) > rank(flavour) else None
