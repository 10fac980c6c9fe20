"""`mooc install`, `mooc list`, `mooc info`, `mooc remove`: the installed courses.

Nothing heavy at top level: `mooc list` must start fast. Course text (titles,
summaries, module names) is untrusted and always goes through safe_text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from packages.i18n import N_, _, ngettext, pgettext
from player.cli import common

INSTALL_EPILOG = N_("""\
examples:
  mooc install stats-101-1.2.0.mooc           a pack file
  mooc install ./stats-101/                   a pack source folder (checked, then built)
  mooc install https://example.org/s.mooc     a URL (the download resumes if cut)
  mooc install stats-101                      a course id from a catalog you added
                                              (`mooc catalog add URL`, then `mooc search`);
                                              installed already: only changed files travel
  mooc install stats-101@1.2.0                that version of it
  mooc install stats-101 --flavour text       only lessons and quizzes (no media): for a slow
                                              link; `mooc upgrade stats-101 --flavour full` later
  mooc install stats-101 --limit-rate 100k    leave the rest of a shared link to others
  mooc install stats-101.mooc --system        for every account of this computer

Every file's digest is verified before the course appears; an interrupted install
leaves the previous version in place. A download never takes more than the
catalog's size (a bare URL: MOOC_MAX_DOWNLOAD_SIZE, default 2G) and stops when it
runs under MOOC_MIN_RATE (default 1k bytes/s) for MOOC_RATE_WINDOW (120 s).
Upgrading keeps your progress.

Catalog courses may come in flavours: text (lessons and quizzes), novideo (and
images, PDFs, audio) and full. Without --flavour: the installed one, else the
`bandwidth` setting of config.toml ("low": text, "normal": full), else a question
showing their sizes (on a terminal), else full.
""")

REMOVE_EPILOG = N_("""\
examples:
  mooc remove stats-101               asks first; your progress is kept
  mooc remove stats-101 --yes --purge also deletes every learner's progress here
  mooc remove stats-101 --system      the system-wide copy (administrators)
""")


def register(sub: Any) -> None:
    """Add install, list, info and remove to `mooc`."""
    p = common.add_subcommand(
        sub,
        "install",
        help=_("install or upgrade a course pack (file, folder, URL or catalog course id)"),
        epilog=_(INSTALL_EPILOG),
    )
    p.add_argument(
        "spec",
        metavar="PACK",
        help=_(
            "a .mooc file, a pack source folder, an http(s) URL, or a course id (ID or ID@VERSION) "
            "from an added catalog"
        ),
    )
    p.add_argument("--system", action="store_true", help=_("install for every account of this computer"))
    p.add_argument("--force", action="store_true", help=_("reinstall the same version, or install an older one"))
    p.add_argument(
        "--flavour",
        choices=("text", "novideo", "full"),
        help=_("which flavour of a catalog course: text (lessons and quizzes), novideo or full"),
    )
    p.add_argument(
        "--limit-rate", metavar="RATE", help=_("cap the download rate, e.g. 200k or 1M (leave room on a shared link)")
    )
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=cmd_install)

    p = common.add_subcommand(
        sub,
        "list",
        help=_("list installed courses"),
        epilog=_("examples:") + "\n  mooc list\n  mooc list --all --json\n",
    )
    p.add_argument("--all", action="store_true", help=_("also show copies shadowed by a higher version"))
    p.add_argument("--json", action="store_true", help=_("print JSON (one object per course)"))
    p.set_defaults(func=cmd_list)

    p = common.add_subcommand(
        sub,
        "info",
        help=_("show an installed course: modules, size, origin"),
        epilog=_("examples:") + "\n  mooc info stats-101\n  mooc info stats-101 --json\n",
    )
    p.add_argument("course", metavar="COURSE", help=_("course id (see `mooc list`)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_info)

    p = common.add_subcommand(
        sub, "remove", help=_("remove an installed course (progress is kept)"), epilog=_(REMOVE_EPILOG)
    )
    p.add_argument("course", metavar="COURSE", help=_("course id (see `mooc list`)"))
    p.add_argument("--yes", "-y", action="store_true", help=_("do not ask for confirmation"))
    p.add_argument("--purge", action="store_true", help=_("also delete every learner's progress for it"))
    p.add_argument("--system", action="store_true", help=_("remove the system-wide copy"))
    p.set_defaults(func=cmd_remove)


# --------------------------------------------------------------------------- install


def cmd_install(args: argparse.Namespace) -> int:
    from packages.download_meter import parse_rate
    from packages.flavour_choice import bandwidth_setting, pick_in_folder, resolve_install
    from packages.install import install

    layout = common.layout(args)
    rate = parse_rate(args.limit_rate) if args.limit_rate else None
    interactive = sys.stderr.isatty() and not args.json
    packs = _packs_in_folder(Path(args.spec).expanduser())
    if packs:
        packs = pick_in_folder(packs, args.flavour, None if args.flavour else bandwidth_setting(layout))
        return _install_each(args, layout, packs, interactive)
    ask = (lambda entry: _ask_flavour(entry, layout.config_file)) if interactive and sys.stdin.isatty() else None
    target = resolve_install(layout, args.spec, requested=args.flavour, ask=ask, system=args.system)
    with _phases(interactive) as say:
        result = install(
            layout,
            target,
            system=args.system,
            force=args.force,
            quiet=not interactive,
            progress=say,
            limit_rate=rate,
        )
    if args.json:
        common.print_json(result.to_json())
        return 0
    from player.cli.install_report import report

    report(result, layout)
    return 0


def _ask_flavour(entry: Any, config: Path) -> str:
    """The prompt of `mooc install COURSE` on a terminal when the catalog offers flavours."""
    from packages.errors import MoocError
    from packages.flavour_choice import flavour_menu

    lines, default = flavour_menu(entry, config)
    print("\n".join(lines), file=sys.stderr)
    offered = entry.offered
    for _attempt in range(3):
        try:
            answer = input(_("Which one? [{n}] ").format(n=offered.index(default) + 1)).strip().lower()
        except EOFError:
            break
        if not answer:
            return str(default)
        if answer.isdigit() and 1 <= int(answer) <= len(offered):
            return str(offered[int(answer) - 1])
        if answer in offered:
            return answer
        print(_("type a number from 1 to {n}, or a flavour name").format(n=len(offered)), file=sys.stderr)
    raise MoocError(
        _("{id}: no flavour chosen; nothing installed (or use --flavour {flavours})").format(
            id=entry.id, flavours="|".join(offered)
        )
    )


def _packs_in_folder(folder: Path) -> list[Path]:
    """The .mooc files of a folder that is not itself a pack source (a USB stick, a download folder)."""
    if not folder.is_dir() or (folder / "course.toml").exists():
        return []
    return sorted(p for p in folder.glob("*.mooc") if p.is_file())


def _install_each(args: argparse.Namespace, layout: Any, packs: list[Path], interactive: bool) -> int:
    """Install every pack of a folder; one bad pack is reported and the others still go in."""
    from packages.errors import MoocError
    from packages.install import install
    from packages.safe_text import one_line
    from player.cli.install_report import report

    results, failed = [], 0
    for pack in packs:
        try:
            with _phases(interactive) as say:
                result = install(
                    layout, str(pack), system=args.system, force=args.force, quiet=not interactive, progress=say
                )
        except MoocError as err:
            failed += 1
            print(_("mooc: error: {message}").format(message=one_line(str(err))), file=sys.stderr)
            results.append({"file": str(pack), "error": one_line(str(err))})
            continue
        results.append({"file": str(pack), **result.to_json()})
        if not args.json:
            report(result, layout)
    if args.json:
        common.print_json(results)
    elif len(packs) > 1:
        print(
            ngettext(
                "{done} of {n} pack from {folder} installed", "{done} of {n} packs from {folder} installed", len(packs)
            ).format(done=len(packs) - failed, n=len(packs), folder=args.spec)
        )
    return 1 if failed else 0


class _phases:
    """A rich spinner naming the current step when stderr is a terminal; silent otherwise."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self.status: Any = None

    def __enter__(self) -> Any:
        if not self.interactive:
            return lambda _msg: None
        self.status = common.console(stderr=True).status(_("starting"), spinner="dots")
        self.status.start()

        def say(message: str) -> None:
            # The download draws its own progress bar: no spinner on top of it.
            if message in ("downloading", _("downloading")):  # packages/install.py's word, maybe translated
                self.status.stop()
            else:
                self.status.update(message)
                self.status.start()

        return say

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.stop()


# --------------------------------------------------------------------------- list / info


def cmd_list(args: argparse.Namespace) -> int:
    from packages.safe_text import one_line
    from packages.store import Store

    courses = Store(common.layout(args)).list(all_copies=args.all)
    if args.json:
        common.print_json([c.to_json() for c in courses])
        return 0
    if not courses:
        print(_("no courses installed; install one with `mooc install PACK`"))
        return 0
    rows = [
        (c.id, one_line(c.version), c.flavour, one_line(c.language), origin(c.origin), one_line(c.title))
        for c in courses
    ]
    header = (_("ID"), _("VERSION"), _("FLAVOUR"), _("LANG"), _("ORIGIN"), _("TITLE"))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:5], widths)) + "  " + row[5])
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from packages.safe_text import clean, one_line
    from packages.store import Store

    store = Store(common.layout(args))
    c = store.get(args.course)
    shadowed = [o for o in store.copies_of(c.id) if o.path != c.path]
    if args.json:
        data = c.to_json()
        data["other_copies"] = [{"origin": o.origin, "version": o.version, "path": str(o.path)} for o in shadowed]
        common.print_json(data)
        return 0
    flavour = (
        c.flavour
        if c.flavour == "full"
        else _("{flavour} (media left out: in the full pack)").format(flavour=c.flavour)
    )
    rows = [
        (_("id:"), c.id),
        (_("version:"), one_line(c.version)),
        (_("flavour:"), flavour),
        (_("language:"), one_line(c.language)),
        (_("kind:"), one_line(c.kind)),
        (_("origin:"), origin(c.origin)),
        (_("path:"), str(c.path)),
        (_("size:"), _human_size(c.size)),
    ]
    if c.installed_at:
        rows.append((_("installed:"), c.installed_at.astimezone().strftime("%Y-%m-%d %H:%M")))
    if c.source:
        rows.append((_("from:"), one_line(c.source)))
    rows.append((_("endpoint:"), one_line(c.xapi_endpoint) if c.xapi_endpoint else _("(none: progress stays here)")))
    for o in shadowed:
        also = _("{origin} {version} (not played: {path})").format(
            origin=origin(o.origin), version=one_line(o.version), path=o.path
        )
        rows.append((_("also:"), also))
    width = max(11, *(len(label) + 1 for label, _value in rows))
    lines = [one_line(c.title), *(f"  {label:<{width}}{value}" for label, value in rows)]
    if c.summary:
        lines += ["", *("  " + line for line in clean(c.summary).strip().splitlines())]
    lines += ["", "  " + ngettext("{n} module:", "{n} modules:", len(c.modules)).format(n=len(c.modules))]
    for m in c.modules:
        counts = _("{lessons}, {quizzes}").format(
            lessons=ngettext("{n} lesson", "{n} lessons", m.lessons).format(n=m.lessons),
            quizzes=ngettext("{n} quiz", "{n} quizzes", m.quizzes).format(n=m.quizzes),
        )
        lines.append(f"    {one_line(m.id)}: {one_line(m.title)} ({counts})")
    print("\n".join(lines))
    return 0


def origin(where: str) -> str:
    """Where an installed copy lives (packages/store.py: user, system, bundled), said to a person."""
    words = {
        "user": pgettext("origin", "user"),
        "system": pgettext("origin", "system"),
        "bundled": pgettext("origin", "bundled"),
    }
    return words.get(where, where)


def _human_size(n: int) -> str:
    """As `pack build`, `mooc search` and the player say it (decimal units)."""
    from packages.flavours import human_size

    return human_size(n)


# --------------------------------------------------------------------------- remove


def cmd_remove(args: argparse.Namespace) -> int:
    from packages.errors import MoocError
    from packages.safe_text import one_line
    from packages.store import Store

    store = Store(common.layout(args))
    target = store.store_dir(args.system).read(args.course) if _plausible_id(args.course) else None
    if target is None:
        store.remove(args.course, system=args.system)  # raises the right message
        return 1  # pragma: no cover - remove() raises when there is nothing to remove
    purge_files = store.progress_files(target.id) if args.purge else []
    if not args.yes:
        if not sys.stdin.isatty():
            raise MoocError(
                _("not removing {id} without confirmation: add --yes (stdin is not a terminal)").format(id=target.id)
            )
        question = (
            _(
                "remove {id} {version} ({title}) from the {origin} store and delete its progress for every learner here? [y/N] "
            )
            if args.purge
            else _("remove {id} {version} ({title}) from the {origin} store (progress is kept)? [y/N] ")
        )
        answer = input(
            question.format(
                id=target.id,
                version=one_line(target.version),
                title=one_line(target.title),
                origin=origin(target.origin),
            )
        )
        if answer.strip().lower() not in ("y", "yes", _("y"), _("yes")):
            print(_("nothing removed"))
            return 1
    removed = store.remove(target.id, system=args.system)
    from packages.item_fetch import prune_fetched
    from packages.pack_cache import prune_replaced_packs

    prune_fetched(store.layout, removed.id, store.copies_of(removed.id))  # media fetched one by one for it
    prune_replaced_packs(store.layout, removed.id, store.copies_of(removed.id))  # its rebuilt archive
    if not store.copies_of(removed.id):
        from player.first_screens import forget_course

        forget_course(store.layout, removed.id)  # its lessons as each learner last saw them
    for path in purge_files:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as err:
            raise MoocError(
                _("{path}: cannot delete progress: {problem}").format(path=path, problem=err.strerror or err)
            ) from None
    done = {
        "id": removed.id,
        "version": one_line(removed.version),
        "origin": origin(removed.origin),
        "n": len(purge_files),
    }
    if args.purge:
        said = ngettext(
            "removed {id} {version} from the {origin} store; deleted {n} progress file",
            "removed {id} {version} from the {origin} store; deleted {n} progress files",
            len(purge_files),
        )
    else:
        said = _("removed {id} {version} from the {origin} store; progress kept")
    print(said.format(**done))
    return 0


def _plausible_id(text: str) -> bool:
    from packages.identifiers import is_id

    return is_id(text)
