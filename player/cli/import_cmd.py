"""`mooc import olx|gift`: bring existing courses and question banks into mooc.

Nothing heavy is imported at module level; the importers load inside the handlers.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from packages.i18n import N_, _
from player.cli.common import add_subcommand, print_json, shows_help

OLX_EPILOG = N_("""\
examples:
  mooc import olx course.tar.gz -o my-course
  mooc import olx course/ -o my-course --report import-report.md
  mooc import olx course.tar.gz -o my-course --json > report.json

Everything that cannot come across (custom Python or JavaScript problems, LTI tools,
discussions, ...) becomes a notice in the lesson where it stood and an entry in the
report; content for staff or some learners only is left out and reported. Randomised library blocks use the problems exported with the course, or the
library export folder found beside the course (or given with --library).
Then: mooc pack check my-course
""")

GIFT_EPILOG = N_("""\
examples:
  mooc import gift questions.gift -o quizzes/week-1.toml
  mooc import gift questions.gift --into my-course --module week-1
  mooc import gift questions.gift -o quiz.toml --report gift-report.json

Essays ({}) become reflections (written, never scored; general feedback as their
feedback); descriptions become text between questions (above the next one).
""")


def register(sub: Any) -> None:
    """Add `mooc import` and its sub-commands."""
    group = add_subcommand(
        sub,
        "import",
        help=_("import an Open edX course export or a Moodle GIFT question bank"),
        epilog=_("sub-commands: olx, gift (each has --help)"),
    )
    shows_help(group)
    isub = group.add_subparsers(dest="import_command", metavar="FORMAT", title=_("formats"))

    olx = add_subcommand(
        isub,
        "olx",
        help=_("convert an Open edX course export (.tar.gz or folder) to a pack source"),
        epilog=_(OLX_EPILOG),
    )
    olx.add_argument("source", metavar="SOURCE", help=_("the export Studio gives (.tar.gz), or its unpacked folder"))
    olx.add_argument("-o", "--output", metavar="DIR", required=True, help=_("pack source folder to create"))
    olx.add_argument("--report", metavar="FILE", help=_("write the import report (.json for JSON, else Markdown)"))
    olx.add_argument(
        "--library",
        metavar="DIR",
        action="append",
        default=[],
        help=_("a content library export (folder with library.xml) for randomised blocks; repeatable"),
    )
    olx.add_argument("--force", action="store_true", help=_("replace DIR if it exists and is not empty"))
    olx.add_argument("--json", action="store_true", help=_("print the report as JSON instead of a summary"))
    olx.set_defaults(func=_olx)

    gift = add_subcommand(isub, "gift", help=_("convert a Moodle GIFT file to a quiz file"), epilog=_(GIFT_EPILOG))
    gift.add_argument("file", metavar="FILE", help=_("the GIFT file (UTF-8)"))
    where = gift.add_mutually_exclusive_group(required=True)
    where.add_argument("-o", "--output", metavar="QUIZ.toml", help=_("quiz file to write"))
    where.add_argument("--into", metavar="PACKDIR", help=_("add the quiz to this pack source (quizzes/ + course.toml)"))
    gift.add_argument("--module", metavar="ID", help=_("with --into: the module that gets the quiz item"))
    gift.add_argument("--id", metavar="ID", help=_("with --into: the quiz item id (default: from the title)"))
    gift.add_argument("--title", help=_("quiz title (default: the $CATEGORY, else the file name)"))
    gift.add_argument(
        "--weight", type=float, default=None, help=_("with --into: the quiz weight (default 1; 0 = practice)")
    )
    gift.add_argument("--report", metavar="FILE", help=_("write the import report (.json for JSON, else Markdown)"))
    gift.add_argument("--force", action="store_true", help=_("overwrite an existing quiz file"))
    gift.add_argument("--json", action="store_true", help=_("print the report as JSON instead of a summary"))
    gift.set_defaults(func=_gift)


def _olx(args: argparse.Namespace) -> int:
    from packages.importers.olx import import_olx

    with _one_line_errors(args.source):
        report = import_olx(
            Path(args.source), Path(args.output), force=args.force, library_dirs=[Path(p) for p in args.library]
        )
        _finish(args, report, _("pack source written to {dir}; next: mooc pack check {dir}").format(dir=args.output))
    return 0


def _gift(args: argparse.Namespace) -> int:
    from packages.errors import UsageError
    from packages.importers.gift import import_gift

    if args.into and not args.module:
        raise UsageError(_("import gift: --into needs --module ID (the module that gets the quiz)"))
    with _one_line_errors(args.file):
        report, written = import_gift(
            Path(args.file),
            output=Path(args.output) if args.output else None,
            into=Path(args.into) if args.into else None,
            module=args.module,
            item_id=args.id,
            title=args.title,
            weight=args.weight,
            force=args.force,
        )
        _finish(args, report, _("quiz written to {file}").format(file=written))
    return 0


@contextlib.contextmanager
def _one_line_errors(source: str) -> Iterator[None]:
    """The last net under the importers' own checks: never a traceback for a hostile file or a full disk."""
    from packages.errors import MoocError

    try:
        yield
    except RecursionError:
        raise MoocError(_("{file}: nested too deeply to import").format(file=source)) from None
    except OSError as err:
        raise MoocError(f"{err.filename or source}: {err.strerror or err}") from None


def _finish(args: argparse.Namespace, report: Any, next_step: str) -> None:
    from packages.importers.pack_writer import write_file
    from packages.safe_text import one_line

    if args.report:
        path = Path(args.report)
        text = report.to_json() if path.suffix.lower() == ".json" else report.to_markdown()
        write_file(path, text.encode("utf-8"))
    if args.json:
        print_json(report.to_dict())
        return
    for line in report.summary_lines():
        sys.stdout.write(("  " if line.startswith("  ") else "") + one_line(line) + "\n")
    sys.stdout.write(one_line(next_step) + "\n")
    if args.report:
        sys.stdout.write(_("report: {file}").format(file=one_line(args.report)) + "\n")
