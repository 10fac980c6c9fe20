"""`mooc report`: the class report, for a teacher.

Parsing, choosing the source and printing only: the class is gathered by
sync/class_sources.py (and sync/class_query.py for the LRS), the numbers come
from player/class_report.py and the lines from player/class_render.py.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from packages.i18n import N_, _, ngettext
from player.cli import common

EPILOG = N_("""\
sources (one of):
  mooc report                          every learner of this account (a lab PC)
  mooc report --all-accounts           every account of this machine you can read (administrator)
  mooc report --from /media/usb/       export files carried from the lab (`mooc learner export --all`,
                                       or `mooc sync --export` files), merged with no double counting
  mooc report --lrs                    the learning record store, with the credentials of `mooc login`

examples:
  mooc report --course stats-101       one course
  mooc report --learner amina          one learner (name, email or id)
  mooc report --from pc1.mooc-learners pc2.mooc-learners --csv class.csv
  mooc report --json                   for scripts (shape: `mooc docs class`)

The table is plain text that reads at 80 columns; bars are drawn with Unicode blocks,
so they read the same with NO_COLOR, in a file, or through a screen reader.
""")


def register(sub: Any) -> None:
    p = common.add_subcommand(
        sub, "report", help=_("the class report: every learner's progress and quiz results"), epilog=_(EPILOG)
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--from",
        dest="sources",
        metavar="FILE",
        nargs="+",
        type=Path,
        help=_("export files, or folders of them, carried from the lab PCs"),
    )
    source.add_argument(
        "--all-accounts",
        action="store_true",
        help=_("every account of this machine whose data folder you can read (read only)"),
    )
    source.add_argument(
        "--lrs",
        metavar="URL",
        nargs="?",
        const="",
        help=_("read the class's statements from the LRS (default: the courses' endpoint)"),
    )
    p.add_argument("--course", metavar="COURSE", help=_("only this course"))
    p.add_argument("--csv", metavar="FILE", type=Path, help=_("also write one row per learner and course to FILE"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.add_argument("--allow-insecure-http", action="store_true", help=_("--lrs: allow plain http to a non-local host"))
    p.set_defaults(func=cmd_report)


def gather(layout: Any, args: argparse.Namespace) -> Any:
    """The class (player/class_data.ClassData) from the source the arguments name."""
    from player.class_data import ClassData
    from sync import class_sources

    data = ClassData()
    if args.sources:
        class_sources.from_paths(data, args.sources)
        class_sources.fill_names(data, layout)
    elif args.all_accounts:
        class_sources.from_all_accounts(data, layout)
    elif args.lrs is not None:
        from sync.class_query import from_lrs

        from_lrs(data, layout, args.lrs or None, course_id=args.course, allow_insecure_http=args.allow_insecure_http)
        class_sources.fill_names(data, layout)
    else:
        class_sources.from_account(data, layout, "this account")
    data.fold_unstarted_namesakes()
    data.notes += data.namesakes()
    return data


@contextlib.contextmanager
def _collector_set_aside(pause: bool = True) -> Iterator[None]:
    """A class is a million new objects that hold no reference cycle and live until the
    command ends: the cycle collector would walk them again and again and free nothing
    (~25 ms of a lab's report). It is off while they are made; when it comes back on,
    what was made is set aside (gc.freeze, as the TUI does at its first screen)."""
    if not pause:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def cmd_report(args: argparse.Namespace) -> int:
    from packages.safe_text import one_line
    from player.class_report import build
    from sync.class_sources import course_loader

    layout = common.layout(args)
    # The LRS's answers come through HTTP objects that may hold cycles: collected as usual.
    with _collector_set_aside(args.lrs is None):
        data = gather(layout, args)
    with _collector_set_aside():
        report = build(data, course_loader(layout), course_id=args.course, learner=getattr(args, "learner", None))
    if args.csv:
        from player import class_render
        from player.config import write_atomic

        write_atomic(args.csv, class_render.csv_text(report).encode("utf-8"), mode=0o600)
    if args.json:
        common.print_json(report.to_json(), indent=None)  # a class is big: one line, encoded in C
    else:
        import shutil

        from player import class_render

        width = shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80
        lines = class_render.text_lines(report, min(width, 160))
        sys.stdout.write("".join(line + "\n" for line in lines))
        if args.csv:
            rows = sum(len(c.rows) for c in report.courses)
            print(
                "\n"
                + ngettext("Wrote {n} row to {file}.", "Wrote {n} rows to {file}.", rows).format(
                    n=rows, file=one_line(str(args.csv))
                )
            )
    for note in data.notes:
        print(_("mooc: note: {message}").format(message=one_line(note)), file=sys.stderr)
    for problem in data.problems:
        print(_("mooc: warning: {message}").format(message=one_line(problem)), file=sys.stderr)
    return 1 if data.problems else 0
