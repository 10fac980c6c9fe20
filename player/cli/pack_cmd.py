"""`mooc pack init|check|build`: write, check and build a course pack.

Output is plain text, one problem per line (file:line:col: key: message), so editors
and scripts can jump to it; `--json` gives the same for tools. Course text in every
message is passed through safe_text.one_line: a pack cannot drive the terminal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from packages.i18n import N_, _, ngettext
from player.cli import common

PACK_DESCRIPTION = N_("""\
Write your own course: a folder with course.toml, lessons/*.md, quizzes/*.toml and
media/. `mooc pack check` tells you exactly which line of which file is wrong;
`mooc pack build` makes the one .mooc file learners download.""")

PACK_EPILOG = N_("""\
examples:
  mooc pack init my-course          start from a working example course
  mooc pack check my-course         list every problem, file:line: key: message
  mooc pack build my-course         write my-course-0.1.0.mooc here
  mooc install my-course-0.1.0.mooc try it as a learner

The format reference: `mooc docs format`; a guide: `mooc docs authoring`.""")

INIT_EPILOG = N_("""\
examples:
  mooc pack init stats-101          creates stats-101/ with course.toml, a lesson,
                                    a quiz showing every question type, and media/
  cd stats-101 && mooc pack check .

DIR must not exist or be empty: init never overwrites anything.""")

CHECK_EPILOG = N_("""\
examples:
  mooc pack check my-course                 a source folder
  mooc pack check stats-101-1.2.0.mooc      a built pack (also verifies every SHA-256)
  mooc pack check my-course --json          machine-readable, for editors and CI

Each problem is one line: FILE[:LINE[:COL]]: KEY: MESSAGE, errors first. A
flavoured pack (`mooc pack build --flavour text`) also says which flavour it is
and what it leaves out; its links to those files are not problems.
Exit status: 0 when there are no errors (warnings allowed), 1 otherwise.

A .mooc file is untrusted: archives over the limits below are refused. Raise them
only for packs you trust (also: MOOC_MAX_PACK_SIZE, _ENTRIES, _RATIO).""")

BUILD_EPILOG = N_("""\
examples:
  mooc pack build my-course                  writes ./<id>-<version>.mooc
  mooc pack build my-course -o dist/         into a folder
  mooc pack build my-course -o x.mooc --json
  mooc pack build my-course --flavour text   writes ./<id>-<version>.text.mooc:
                                             lessons, quizzes, transcripts; no media
  mooc pack build my-course --flavours all -o dist/
                                             the text, novideo and full packs at once

The build checks the source first and refuses to build a pack with errors. It is
reproducible: the same source gives a byte-identical file, wherever you build it.

Flavours, for learners on a slow or metered link: `text` leaves out every file of
media/ but transcripts, captions and text data (.vtt .srt .txt .csv .tsv .json .md);
`novideo` leaves out only video; `full` (the default) keeps everything. Lessons are
the same in all three: the player shows "[video, 14 MB: in the full pack]" where a
left-out file is linked, and progress carries over between flavours.""")


# A problem's severity as the author reads it (--json keeps the key).
SEVERITIES = {"error": N_("error"), "warning": N_("warning")}


def register(sub: Any) -> None:
    """Add `mooc pack init|check|build`."""
    pack = common.add_subcommand(
        sub,
        "pack",
        help=_("write, check and build course packs (for authors)"),
        description=_(PACK_DESCRIPTION),
        epilog=_(PACK_EPILOG),
    )
    common.shows_help(pack)
    pack_sub = pack.add_subparsers(dest="pack_command", metavar="ACTION", title=_("actions"))

    init = common.add_subcommand(
        pack_sub,
        "init",
        help=_("create a starter course to edit"),
        description=_(
            "Create a working starter course in DIR: one module per week, a "
            "lesson, and a quiz showing every question type, commented so you "
            "learn the format by editing it."
        ),
        epilog=_(INIT_EPILOG),
    )
    init.add_argument("dir", metavar="DIR", help=_("folder to create (must not exist, or be empty)"))
    init.set_defaults(func=cmd_init)

    check = common.add_subcommand(
        pack_sub,
        "check",
        help=_("list every problem in a pack"),
        description=_(
            "Check a pack source folder or a built .mooc file against the format and print every problem at once."
        ),
        epilog=_(CHECK_EPILOG),
    )
    check.add_argument("path", metavar="PATH", help=_("pack folder or .mooc file"))
    check.add_argument("--json", action="store_true", help=_("print a JSON report instead of text"))
    _limit_options(check)
    check.set_defaults(func=cmd_check)

    build = common.add_subcommand(
        pack_sub,
        "build",
        help=_("build the .mooc file learners download"),
        description=_(
            "Check a pack source folder and build it into one reproducible "
            ".mooc file (a ZIP with a manifest of SHA-256 digests)."
        ),
        epilog=_(BUILD_EPILOG),
    )
    build.add_argument("dir", metavar="DIR", help=_("pack source folder"))
    build.add_argument(
        "-o", "--output", metavar="FILE", help=_("output file or folder (default: ./<id>-<version>.mooc)")
    )
    which = build.add_mutually_exclusive_group()
    which.add_argument(
        "--flavour",
        choices=("text", "novideo", "full"),
        help=_("which pack to build: text (no media but transcripts), novideo, or full (default)"),
    )
    which.add_argument(
        "--flavours",
        metavar="all|LIST",
        help=_("build several flavours at once: all, or a list like text,full (-o is then a folder)"),
    )
    build.add_argument("--json", action="store_true", help=_("print path, size, sha256 and flavour as JSON"))
    build.set_defaults(func=cmd_build)


def _limit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-size", metavar="SIZE", help=_("largest total unpacked size of a .mooc (default 2G)"))
    parser.add_argument("--max-entries", metavar="N", type=int, help=_("most files in a .mooc (default 100000)"))
    parser.add_argument(
        "--max-ratio",
        metavar="R",
        type=float,
        help=_("highest compression ratio of a file over 1 MiB, and of the whole .mooc (default 200)"),
    )


def limits_from_args(args: argparse.Namespace):  # -> packages.pack_limits.Limits
    """Limits from env, then --max-* options (other commands that open packs reuse this)."""
    from packages.errors import UsageError
    from packages.pack_limits import Limits, parse_size

    limits = Limits.from_env()
    max_size = parse_size(args.max_size, "--max-size") if getattr(args, "max_size", None) else None
    max_entries = getattr(args, "max_entries", None)
    max_ratio = getattr(args, "max_ratio", None)
    if max_entries is not None and max_entries < 0:
        raise UsageError(_("--max-entries must not be negative"))
    if max_ratio is not None and max_ratio <= 0:
        raise UsageError(_("--max-ratio must be positive"))
    return limits.with_overrides(max_total_size=max_size, max_entries=max_entries, max_ratio=max_ratio)


def cmd_init(args: argparse.Namespace) -> int:
    from packages.pack_init import create_starter

    dest = Path(args.dir)
    written = create_starter(dest)
    print(
        ngettext(
            "created {dir}/ ({n} file): course.toml, lessons/, quizzes/, media/",
            "created {dir}/ ({n} files): course.toml, lessons/, quizzes/, media/",
            written,
        ).format(dir=dest, n=written)
    )
    print(_("next:"))
    print(_("  edit {file} (start with id and title)").format(file=dest / "course.toml"))
    print(f"  mooc pack check {dest}")
    print(f"  mooc pack build {dest}")
    return 0


def _run_once() -> None:
    """`mooc pack check|build` read a pack and exit. A 10,000-question pack is half a million
    objects that live until then, which the cyclic garbage collector would only walk
    again and again (3% of a check); parsing makes no cycles to free."""
    import gc

    gc.disable()


def cmd_check(args: argparse.Namespace) -> int:
    _run_once()
    from packages.safe_text import one_line
    from packages.source import open_source
    from packages.validation import validate

    limits = limits_from_args(args)
    with open_source(args.path, limits) as source:
        report = validate(source)
        manifest = source.manifest
    flavour = manifest.flavour if manifest is not None else "full"
    omitted = sorted(manifest.omitted.values(), key=lambda e: e.path) if manifest is not None else []
    problems = report.sorted()
    course = report.course
    if args.json:
        common.print_json(
            {
                "path": str(args.path),
                "ok": report.ok,
                "flavour": flavour,
                "omitted": [{"path": one_line(e.path), "size": e.size, "sha256": e.sha256} for e in omitted],
                "errors": [p.to_dict() for p in problems if p.severity == "error"],
                "warnings": [p.to_dict() for p in problems if p.severity == "warning"],
                "course": None
                if course is None
                else {
                    "id": course.id,
                    "version": course.version,
                    "title": one_line(course.title),
                    "modules": len(course.modules),
                    "items": len(course.items()),
                    "questions": sum(len(i.quiz.questions) for i in course.items() if i.quiz),
                },
            }
        )
        return 0 if report.ok else 1
    out = sys.stdout
    from packages.i18n import _
    from packages.pack_report import course_line, problem_line

    for p in problems:
        out.write(problem_line(p) + "\n")
    name = one_line(str(args.path))
    if course is not None:
        out.write(
            _("{name}: {course}: {summary}").format(name=name, course=course_line(course), summary=report.summary())
            + "\n"
        )
        if flavour != "full":
            from packages.flavours import left_out_summary

            left_out = left_out_summary({e.path: e.size for e in omitted})
            out.write(
                _("{name}: the {flavour} flavour: leaves out {left_out} (in the full pack)").format(
                    name=name, flavour=flavour, left_out=left_out
                )
                + "\n"
            )
    else:
        out.write(_("{name}: {summary}").format(name=name, summary=report.summary()) + "\n")
    return 0 if report.ok else 1


def cmd_build(args: argparse.Namespace) -> int:
    _run_once()
    from packages.building import build, build_flavours

    if args.flavours is not None:
        flavours = _flavour_list(args.flavours)
        if args.output is not None and (Path(args.output).is_file() or args.output.endswith(".mooc")):
            from packages.errors import UsageError

            raise UsageError(
                _("--flavours writes one file per flavour: -o must name a folder, not {output}").format(
                    output=args.output
                )
            )
        results = build_flavours(args.dir, args.output, flavours)
    else:
        results = [build(args.dir, args.output, flavour=args.flavour)]
    report = results[0].report
    if args.json:
        packs = [_built_json(r) for r in results]
        warnings = [p.to_dict() for p in report.warnings]
        common.print_json(
            {**packs[0], "warnings": warnings} if args.flavours is None else {"packs": packs, "warnings": warnings}
        )
        return 0
    for p in report.sorted():
        print(_("warning: {problem}").format(problem=p), file=sys.stderr)
    for result in results:
        _print_built(result)
    if len(results) > 1:
        from packages.flavours import human_size

        sizes = ", ".join(f"{r.flavour} {human_size(r.size)}" for r in results)
        print(_("{n} flavours: {sizes}").format(n=len(results), sizes=sizes))
    return 0


def _flavour_list(text: str) -> tuple[str, ...]:
    """`--flavours all` or `text,full`: the flavours named, each checked."""
    from packages.errors import MoocError, UsageError
    from packages.flavours import FLAVOURS, check_flavour

    if text.strip() == "all":
        return FLAVOURS
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise UsageError(_("--flavours: name all, or flavours separated by commas (text,novideo,full)"))
    try:
        return tuple(check_flavour(name, "--flavours") for name in names)
    except MoocError as err:
        raise UsageError(str(err)) from None


def _built_json(result: Any) -> dict[str, Any]:
    from packages.safe_text import one_line

    data: dict[str, Any] = {"path": str(result.path), "size": result.size, "sha256": result.sha256}
    data["flavour"] = result.flavour
    data["omitted"] = [{"path": one_line(e.path), "size": e.size, "sha256": e.sha256} for e in result.omitted]
    return data


def _print_built(result: Any) -> None:
    from packages.flavours import FULL, left_out_summary

    print(_("built {path}").format(path=result.path))
    if result.flavour != FULL:
        left_out = left_out_summary({e.path: e.size for e in result.omitted})
        print(_("  flavour {flavour}, leaves out {left_out}").format(flavour=result.flavour, left_out=left_out))
    print(_("  size    {n} bytes").format(n=result.size))
    print(_("  sha256  {digest}").format(digest=result.sha256))
