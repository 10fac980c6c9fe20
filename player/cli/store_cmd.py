"""`mooc install`, `mooc list`, `mooc info`, `mooc remove`: the installed courses.

Nothing heavy at top level: `mooc list` must start fast. Course text (titles,
summaries, module names) is untrusted and always goes through safe_text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from player.cli import common

INSTALL_EPILOG = """\
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
"""

REMOVE_EPILOG = """\
examples:
  mooc remove stats-101               asks first; your progress is kept
  mooc remove stats-101 --yes --purge also deletes every learner's progress here
  mooc remove stats-101 --system      the system-wide copy (administrators)
"""


def register(sub: Any) -> None:
    """Add install, list, info and remove to `mooc`."""
    p = common.add_subcommand(
        sub,
        "install",
        help="install or upgrade a course pack (file, folder, URL or catalog course id)",
        epilog=INSTALL_EPILOG,
    )
    p.add_argument(
        "spec",
        metavar="PACK",
        help="a .mooc file, a pack source folder, an http(s) URL, or a course id (ID or ID@VERSION) "
        "from an added catalog",
    )
    p.add_argument("--system", action="store_true", help="install for every account of this computer")
    p.add_argument("--force", action="store_true", help="reinstall the same version, or install an older one")
    p.add_argument(
        "--flavour",
        choices=("text", "novideo", "full"),
        help="which flavour of a catalog course: text (lessons and quizzes), novideo or full",
    )
    p.add_argument(
        "--limit-rate", metavar="RATE", help="cap the download rate, e.g. 200k or 1M (leave room on a shared link)"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_install)

    p = common.add_subcommand(
        sub, "list", help="list installed courses", epilog="examples:\n  mooc list\n  mooc list --all --json\n"
    )
    p.add_argument("--all", action="store_true", help="also show copies shadowed by a higher version")
    p.add_argument("--json", action="store_true", help="print JSON (one object per course)")
    p.set_defaults(func=cmd_list)

    p = common.add_subcommand(
        sub,
        "info",
        help="show an installed course: modules, size, origin",
        epilog="examples:\n  mooc info stats-101\n  mooc info stats-101 --json\n",
    )
    p.add_argument("course", metavar="COURSE", help="course id (see `mooc list`)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_info)

    p = common.add_subcommand(sub, "remove", help="remove an installed course (progress is kept)", epilog=REMOVE_EPILOG)
    p.add_argument("course", metavar="COURSE", help="course id (see `mooc list`)")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--purge", action="store_true", help="also delete every learner's progress for it")
    p.add_argument("--system", action="store_true", help="remove the system-wide copy")
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
    _report(result, layout)
    return 0


def _ask_flavour(entry: Any, config: Path) -> str:
    """The prompt of `mooc install COURSE` on a terminal when the catalog offers flavours."""
    from packages.errors import MoocError
    from packages.flavour_choice import flavour_menu

    lines, default = flavour_menu(entry, config)
    print("\n".join(lines), file=sys.stderr)
    offered = entry.offered
    for _ in range(3):
        try:
            answer = input(f"Which one? [{offered.index(default) + 1}] ").strip().lower()
        except EOFError:
            break
        if not answer:
            return str(default)
        if answer.isdigit() and 1 <= int(answer) <= len(offered):
            return str(offered[int(answer) - 1])
        if answer in offered:
            return answer
        print(f"type a number from 1 to {len(offered)}, or a flavour name", file=sys.stderr)
    raise MoocError(f"{entry.id}: no flavour chosen; nothing installed (or use --flavour {'|'.join(offered)})")


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

    results, failed = [], 0
    for pack in packs:
        try:
            with _phases(interactive) as say:
                result = install(
                    layout, str(pack), system=args.system, force=args.force, quiet=not interactive, progress=say
                )
        except MoocError as err:
            failed += 1
            print(f"mooc: error: {one_line(str(err))}", file=sys.stderr)
            results.append({"file": str(pack), "error": one_line(str(err))})
            continue
        results.append({"file": str(pack), **result.to_json()})
        if not args.json:
            _report(result, layout)
    if args.json:
        common.print_json(results)
    elif len(packs) > 1:
        print(f"{len(packs) - failed} of {len(packs)} pack{'s' if len(packs) != 1 else ''} from {args.spec} installed")
    return 1 if failed else 0


def _report(result: Any, layout: Any) -> None:
    from packages.safe_text import one_line

    c = result.course
    name = f"{c.id} {one_line(c.version)}"
    title = one_line(c.title)
    where = " system-wide" if c.origin == "system" else ""
    if result.status == "already-installed":
        print(f"{name} ({title}) is already installed{where}; use --force to reinstall it")
    elif result.status == "upgraded":
        print(
            f"upgraded {c.id} {one_line(result.previous_version or '')} -> {one_line(c.version)} "
            f"({title}){where}; progress kept"
        )
    elif result.status == "flavour-changed":
        print(
            f"{name} ({title}){where}: now the {result.flavour} flavour (was {result.previous_flavour}); progress kept"
        )
    elif result.status == "downgraded":
        print(
            f"downgraded {c.id} {one_line(result.previous_version or '')} -> {one_line(c.version)} "
            f"({title}){where}; progress kept"
        )
    else:
        flavour = "" if result.flavour == "full" else f", {result.flavour} flavour"
        print(f"{result.status} {name} ({title}){where}{flavour}")
    if result.note:
        print(f"note: {one_line(result.note)}", file=sys.stderr)
    if result.status != "already-installed":
        print(f"start it with: mooc play {c.id}")
    if result.flavour != "full" and result.status != "already-installed":
        from packages.flavour_choice import bigger_offered

        bigger = bigger_offered(layout, c.id, c.version, result.flavour)
        if bigger is None:
            print(f"the {result.flavour} flavour: no catalog added here offers more of it (yet)")
        else:
            print(f"the {result.flavour} flavour: get the rest later with `mooc upgrade {c.id} --flavour {bigger}`")


class _phases:
    """A rich spinner naming the current step when stderr is a terminal; silent otherwise."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self.status: Any = None

    def __enter__(self) -> Any:
        if not self.interactive:
            return lambda _msg: None
        self.status = common.console(stderr=True).status("starting", spinner="dots")
        self.status.start()

        def say(message: str) -> None:
            # The download draws its own progress bar: no spinner on top of it.
            if message == "downloading":
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
        print("no courses installed; install one with `mooc install PACK`")
        return 0
    rows = [(c.id, one_line(c.version), c.flavour, one_line(c.language), c.origin, one_line(c.title)) for c in courses]
    header = ("ID", "VERSION", "FLAVOUR", "LANG", "ORIGIN", "TITLE")
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
    lines = [
        f"{one_line(c.title)}",
        f"  id:        {c.id}",
        f"  version:   {one_line(c.version)}",
        f"  flavour:   {c.flavour}" + ("" if c.flavour == "full" else " (media left out: in the full pack)"),
        f"  language:  {one_line(c.language)}",
        f"  kind:      {one_line(c.kind)}",
        f"  origin:    {c.origin}",
        f"  path:      {c.path}",
        f"  size:      {_human_size(c.size)}",
    ]
    if c.installed_at:
        lines.append(f"  installed: {c.installed_at.astimezone().strftime('%Y-%m-%d %H:%M')}")
    if c.source:
        lines.append(f"  from:      {one_line(c.source)}")
    lines.append(f"  endpoint:  {one_line(c.xapi_endpoint) if c.xapi_endpoint else '(none: progress stays here)'}")
    for o in shadowed:
        lines.append(f"  also:      {o.origin} {one_line(o.version)} (not played: {o.path})")
    if c.summary:
        lines += ["", *("  " + line for line in clean(c.summary).strip().splitlines())]
    lines += ["", f"  {len(c.modules)} module{'s' * (len(c.modules) != 1)}:"]
    for m in c.modules:
        counts = f"{m.lessons} lesson{'s' * (m.lessons != 1)}, {m.quizzes} quiz{'zes' * (m.quizzes != 1)}"
        lines.append(f"    {one_line(m.id)}: {one_line(m.title)} ({counts})")
    print("\n".join(lines))
    return 0


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
            raise MoocError(f"not removing {target.id} without confirmation: add --yes (stdin is not a terminal)")
        what = "and delete its progress for every learner here" if args.purge else "(progress is kept)"
        answer = input(
            f"remove {target.id} {one_line(target.version)} ({one_line(target.title)}) "
            f"from the {target.origin} store {what}? [y/N] "
        )
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing removed")
            return 1
    removed = store.remove(target.id, system=args.system)
    from packages.item_fetch import prune_fetched
    from packages.pack_cache import prune_replaced_packs

    prune_fetched(store.layout, removed.id, store.copies_of(removed.id))  # media fetched one by one for it
    prune_replaced_packs(store.layout, removed.id, store.copies_of(removed.id))  # its rebuilt archive
    for path in purge_files:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as err:
            raise MoocError(f"{path}: cannot delete progress: {err.strerror or err}") from None
    kept = (
        f"; deleted {len(purge_files)} progress file{'s' if len(purge_files) != 1 else ''}"
        if args.purge
        else "; progress kept"
    )
    print(f"removed {removed.id} {one_line(removed.version)} from the {removed.origin} store{kept}")
    return 0


def _plausible_id(text: str) -> bool:
    from packages.identifiers import is_id

    return is_id(text)
