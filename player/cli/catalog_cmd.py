"""`mooc catalog`, `mooc search`, `mooc update`, `mooc serve`: finding and sharing courses.

Nothing heavy at import time: requests, rich and the pack builder load inside the
handlers that need them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from packages.errors import UsageError
from packages.i18n import N_, _, ngettext
from player.cli import common

CATALOG_EPILOG = N_("""\
examples:
  mooc catalog add https://courses.example.edu/catalog.json --name uni
  mooc catalog add http://192.168.1.20:8765/        a teacher's `mooc serve`
  mooc catalog add /media/usb/courses               a USB stick (catalog.json or bare .mooc files)
  mooc catalog list --json
  mooc catalog refresh
  mooc catalog remove uni
  mooc catalog build dist/                          publishers: write dist/catalog.json
  mooc catalog export /media/usb/courses            this machine's courses, every flavour
                                                    it holds, onto a stick for a lab
""")


CATALOG_BUILD_EPILOG = N_("""\
examples:
  mooc pack build my-course --flavours all -o dist/    the text, novideo and full packs
  mooc catalog build dist/                             dist/catalog.json lists them
  mooc catalog add https://HOST/dist/catalog.json      on the learners' machines
  mooc catalog add /media/usb/dist                     or from a USB stick

The flavours of one course version are grouped under one entry, each with its size
and SHA-256: `mooc search` shows the three sizes, `mooc install --flavour` picks one.
Build again after adding or replacing a pack. Serve DIR with a web server that answers
Range requests (nginx, Apache, caddy): moving up a flavour and updates then fetch only
what is missing (`python3 -m http.server` ignores Range: whole packs travel).
""")


UPDATE_EPILOG = N_("""\
examples:
  mooc update --check
  mooc update stats-101
  mooc update --full        download whole packs (no delta)
  mooc update --offline     compare with the catalogs' last copies only

Each catalog is fetched again first (like `mooc catalog refresh`); a catalog
that cannot be reached is named on one line and its last copy is used.
""")


def register(sub: Any) -> None:
    """Add catalog, search, update and serve to `mooc`."""
    p = common.add_subcommand(
        sub, "catalog", help=_("add, list, refresh or build course catalogs"), epilog=_(CATALOG_EPILOG)
    )
    csub = p.add_subparsers(dest="catalog_command", metavar="ACTION", title=_("actions"))
    common.shows_help(p)

    q = common.add_subcommand(csub, "add", help=_("add a catalog (http(s) URL, file: URL, folder or catalog.json)"))
    q.add_argument("url", metavar="URL")
    q.add_argument("--name", metavar="N", help=_("a short name for it (default: from the address)"))
    q.set_defaults(func=cmd_catalog_add)

    q = common.add_subcommand(csub, "list", help=_("list added catalogs"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=cmd_catalog_list)

    q = common.add_subcommand(csub, "remove", help=_("forget a catalog"))
    q.add_argument("name", metavar="N")
    q.set_defaults(func=cmd_catalog_remove)

    q = common.add_subcommand(
        csub, "refresh", help=_("fetch every catalog again (keeps the last good copy on failure)")
    )
    q.add_argument("names", metavar="N", nargs="*", help=_("only these catalogs"))
    q.set_defaults(func=cmd_catalog_refresh)

    q = common.add_subcommand(
        csub,
        "build",
        help=_("write DIR/catalog.json for the .mooc files in DIR"),
        epilog=_(CATALOG_BUILD_EPILOG),
    )
    q.add_argument("dir", metavar="DIR", help=_("a folder of .mooc files (from `mooc pack build`)"))
    q.set_defaults(func=cmd_catalog_build)

    q = common.add_subcommand(
        csub, "export", help=_("copy this machine's courses (every flavour held) and a catalog.json into DIR")
    )
    q.add_argument("dir", metavar="DIR")
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=cmd_catalog_export)

    p = common.add_subcommand(
        sub,
        "search",
        help=_("search the added catalogs (works offline)"),
        epilog=_(
            "examples:\n  mooc search statistics\n  mooc search '' --json   everything\n"
            "  mooc search --language fr   every course in French (fr, fr-CA...)\n"
        ),
    )
    p.add_argument("term", metavar="TERM", nargs="?", default="")
    p.add_argument(
        "--language", metavar="LANG", help=_("only courses in this language (fr finds fr and fr-CA; see `mooc list`)")
    )
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_search)

    p = common.add_subcommand(
        sub,
        "update",
        help=_("update installed courses to newer catalog versions"),
        epilog=_(UPDATE_EPILOG),
    )
    p.add_argument("course", metavar="COURSE", nargs="?", help=_("only this course"))
    p.add_argument("--offline", action="store_true", help=_("do not fetch the catalogs again; use their last copies"))
    p.add_argument("--check", action="store_true", help=_("only list what would be updated"))
    p.add_argument("--full", action="store_true", help=_("download whole packs instead of only what changed"))
    p.add_argument("--system", action="store_true", help=_("update the system-wide store"))
    p.add_argument("--limit-rate", metavar="RATE", help=_("cap the download rate, e.g. 200k or 1M"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=cmd_update)

    p = common.add_subcommand(
        sub, "serve", help=_("share this machine's courses with other PCs (LAN)"), epilog=_(SERVE_EPILOG)
    )
    p.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1; 0.0.0.0 = all)"))
    p.add_argument("--port", type=int, default=8765, help=_("port (default 8765; 0 = any free port)"))
    p.add_argument("--log", metavar="FILE", help=_("also append one line per request to FILE"))
    p.add_argument("--quiet", action="store_true", help=_("no request lines on the terminal"))
    p.set_defaults(func=cmd_serve)


# --------------------------------------------------------------------------- catalog


def _catalogs(args: argparse.Namespace) -> Any:
    from packages.catalog_registry import Catalogs

    return Catalogs(common.layout(args))


def cmd_catalog_add(args: argparse.Namespace) -> int:
    from packages.safe_text import one_line

    source, entries = _catalogs(args).add(args.url, args.name)
    print(
        ngettext(
            "added catalog {name} ({url}): {n} course version",
            "added catalog {name} ({url}): {n} course versions",
            len(entries),
        ).format(name=source.name, url=one_line(source.url), n=len(entries))
    )
    return 0


def cmd_catalog_list(args: argparse.Namespace) -> int:
    from packages.safe_text import one_line

    catalogs = _catalogs(args)
    rows = []
    for source in catalogs.sources():
        try:
            count: int | None = len(catalogs.cached(source))
        except Exception:  # noqa: BLE001 - a broken cache shows as unknown, list goes on
            count = None
        rows.append({"name": source.name, "url": source.url, "courses": count})
    if args.json:
        common.print_json(rows)
        return 0
    if not rows:
        print(_("no catalogs yet; add one with: mooc catalog add URL"))
    for row in rows:
        n = row["courses"]
        held = _("? courses") if n is None else ngettext("{n} course", "{n} courses", n).format(n=n)
        print(f"{row['name']}\t{one_line(row['url'])}\t{held}")
    return 0


def cmd_catalog_remove(args: argparse.Namespace) -> int:
    source = _catalogs(args).remove(args.name)
    print(_("removed catalog {name}").format(name=source.name))
    return 0


def cmd_catalog_refresh(args: argparse.Namespace) -> int:
    from packages.safe_text import one_line

    results = _catalogs(args).refresh(args.names or None)
    failed = 0
    for source, entries, error in results:
        if error is None:
            n = len(entries or [])
            print(
                ngettext("{name}: {n} course version", "{name}: {n} course versions", n).format(name=source.name, n=n)
            )
        else:
            failed += 1
            print(
                _("mooc: error: {message} (kept the last good copy)").format(message=one_line(error)), file=sys.stderr
            )
    if not results:
        print(_("no catalogs yet; add one with: mooc catalog add URL"))
    return 1 if failed else 0


def cmd_catalog_build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from packages.catalog_publish import build_catalog

    target, entries = build_catalog(Path(args.dir))
    packs = sum(1 + len(e.get("flavours", {})) for e in entries)
    versions = ngettext("{n} course version", "{n} course versions", len(entries)).format(n=len(entries))
    if packs != len(entries):
        versions = ngettext("{versions} in {n} pack (flavours)", "{versions} in {n} packs (flavours)", packs).format(
            versions=versions, n=packs
        )
    print(_("wrote {path} ({versions})").format(path=target, versions=versions))
    return 0


def cmd_catalog_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from packages.pack_export import export_packs

    say = (lambda m: print(m, file=sys.stderr)) if sys.stderr.isatty() and not args.json else (lambda _m: None)
    done = export_packs(common.layout(args), Path(args.dir), say=say)
    if args.json:
        common.print_json(done)
        return 0
    n, packs = len(done["courses"]), len(done["packs"])
    what = _("{courses} in {packs}").format(
        courses=ngettext("{n} course", "{n} courses", n).format(n=n),
        packs=ngettext("{n} pack", "{n} packs", packs).format(n=packs),
    )
    print(
        _(
            "exported {what} to {dir} ({copied} copied, {there} already there); on the other PCs: mooc catalog add {dir}"
        ).format(what=what, dir=args.dir, copied=len(done["copied"]), there=len(done["already_there"]))
    )
    return 0


# --------------------------------------------------------------------------- search


def _installed_versions(layout: Any) -> dict[str, str]:
    from packages.store import Store

    return {c.id: c.version for c in Store(layout).list()}


def cmd_search(args: argparse.Namespace) -> int:
    from packages.identifiers import is_language, language_matches
    from packages.safe_text import one_line

    wanted = args.language
    if wanted is not None and not is_language(wanted):
        raise UsageError(
            _("--language {shown}: not a language tag (like fr, en, pt-BR)").format(shown=repr(one_line(wanted)[:40]))
        )
    layout = common.layout(args)
    catalogs = _catalogs(args)
    if not catalogs.sources():
        print(_("no catalogs yet; add one with: mooc catalog add URL"), file=sys.stderr)
    hits = catalogs.search(args.term)
    if wanted is not None:
        hits = [e for e in hits if language_matches(e.language, wanted)]
    installed = _installed_versions(layout)
    if args.json:
        common.print_json([{**e.to_json(), "installed_version": installed.get(e.id)} for e in hits])
        return 0
    for e in hits:
        have = installed.get(e.id)
        mark = "  [" + _("installed {version}").format(version=one_line(have)) + "]" if have else ""
        print(f"{e.id}  {one_line(e.version)}  {one_line(e.language)}  {_sizes(e)}  {one_line(e.title)}{mark}")
    if not hits and catalogs.sources():
        if wanted is not None:
            print(
                _("no course in {language} matches {term!r}").format(language=one_line(wanted), term=args.term),
                file=sys.stderr,
            )
            return 1
        print(_("no course matches {term}").format(term=repr(args.term)), file=sys.stderr)
        return 1
    return 0


def _sizes(entry: Any) -> str:
    """A catalog entry's size, or the size of each flavour it comes in ("text 96 kB / full 2.1 MB")."""
    if entry.offered == ["full"]:
        return _human(entry.size)
    return " / ".join(f"{f} {_human(entry.flavours[f].size)}" for f in entry.offered)


def _human(n: int) -> str:
    """As `pack build`, the install prompt and the player say it (decimal units)."""
    from packages.flavours import human_size

    return human_size(n)


# --------------------------------------------------------------------------- update


def cmd_update(args: argparse.Namespace) -> int:
    """`mooc update` (player/cli/catalog_update.py: loaded only when it runs)."""
    from player.cli.catalog_update import run_update

    return run_update(args)


# --------------------------------------------------------------------------- serve


SERVE_EPILOG = N_("""\
examples:
  mooc serve                       this machine only (127.0.0.1)
  mooc serve --host 0.0.0.0        the whole LAN (a lab)
  mooc serve --host 0.0.0.0 --log serve.log    and keep a record of who fetched what

It shares every course installed here (yours and the system-wide ones) and follows
the store: install next week's version (`mooc install --system ...`) while it runs
and the lab PCs see it at their next `mooc update`; no restart. One line per
request: time, PC address, what, HTTP status, bytes sent, seconds.
""")


def cmd_serve(args: argparse.Namespace) -> int:
    import threading

    from packages.serve import Follower, PackServer, share_urls
    from packages.served_packs import collect_packs, serve_banner
    from packages.store import Store

    layout = common.layout(args)
    say = (lambda m: print(m, file=sys.stderr)) if sys.stderr.isatty() else (lambda _m: None)
    packs = collect_packs(layout, say=say)
    logfile = None
    if args.log:
        try:
            logfile = open(args.log, "a", encoding="utf-8", buffering=1)
        except OSError as err:
            from packages.errors import MoocError
            from packages.safe_text import one_line

            raise MoocError(
                _("{path}: cannot write the log: {problem}").format(path=one_line(args.log), problem=err.strerror)
            ) from None
    lock = threading.Lock()

    def log(line: str) -> None:
        with lock:
            if not args.quiet:
                print(line, file=sys.stderr, flush=True)
            if logfile is not None:
                try:
                    logfile.write(line + "\n")
                except OSError:
                    pass  # a full disk never stops the lab's downloads

    follow = Follower(lambda: collect_packs(layout), Store(layout).generation)
    server = PackServer(packs, host=args.host, port=args.port, follow=follow, log=log)
    urls = share_urls(server.host, server.port)
    for line in serve_banner(packs, server.host, server.port, urls):
        print(line)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return 0
