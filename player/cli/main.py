"""Entry point of the `mooc` command.

Each command group lives in its own module with a `register(subparsers)` function
that adds its sub-commands and sets `func(args) -> int` on each parser. Modules must
import nothing heavy at top level (no textual, no requests, no rich): `mooc --help`
and `mooc list` have to start fast. Errors derived from `MoocError` become one line
on stderr and an exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from packages.errors import MoocError
from packages.i18n import N_, _

# Each module and the sub-commands it registers (a test keeps the two in step).
# Order here is the order in `mooc --help`.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "player.cli.play_cmd": ("play", "progress"),
    "player.cli.store_cmd": ("install", "list", "info", "remove"),
    "player.cli.flavour_cmd": ("upgrade",),
    "player.cli.catalog_cmd": ("catalog", "search", "update", "serve"),
    "player.cli.learner_cmd": ("learner",),
    "player.cli.report_cmd": ("report",),
    "player.cli.lab_cmd": ("lab",),
    "player.cli.sync_cmd": ("login", "logout", "sync", "consent"),
    "player.cli.certificate_cmd": ("certificate",),
    "player.cli.pack_cmd": ("pack",),
    "player.cli.import_cmd": ("import",),
    "player.cli.docs_cmd": ("docs",),
}
_MODULE_OF = {command: module for module, commands in COMMAND_MODULES.items() for command in commands}
_VALUE_OPTIONS = ("--home", "--learner")  # top-level options that take a value
_VALUE_PREFIXES = tuple(f"{o}=" for o in _VALUE_OPTIONS)

DESCRIPTION = N_("""\
mooc — an offline-first MOOC player for the terminal.

Download a course pack once, study for weeks without a network, take quizzes graded
on this machine, and let mooc upload your progress when a connection appears.
""")

EPILOG = N_("""\
first steps:
  mooc play                      open the player (offers the bundled demo course)
  mooc list                      installed courses
  mooc install stats-101.mooc    install a course pack (file, folder, URL or catalog id)
  mooc progress --json           your progress, for scripts
  mooc pack init my-course       start writing a course of your own

Every command has its own --help, and `mooc docs` the documentation. Data lives in
the folder given by --home or MOOC_HOME (default: your user data folder).
""")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with `only`, the top level plus that module's commands.

    Building every sub-parser costs ~20 ms, a third of `mooc list`; a command line
    that names its command needs only that one.
    """
    parser = argparse.ArgumentParser(
        prog="mooc",
        description=_(DESCRIPTION),
        epilog=_(EPILOG),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction, help=_("show mooc's version and exit"))
    add_common_options(parser, suppress_default=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title=_("commands"))
    for name in COMMAND_MODULES if only is None else (only,):
        importlib.import_module(name).register(sub)
    return parser


def module_for(argv: Sequence[str]) -> str | None:
    """The module of the command `argv` names, or None when it takes the whole parser
    (no command, --help/--version before it, an option we do not know, a typo)."""
    args = iter(argv)
    for arg in args:
        if arg in _VALUE_OPTIONS:
            next(args, None)
        elif arg.startswith(_VALUE_PREFIXES):
            continue
        elif arg.startswith("-"):
            return None
        else:
            return _MODULE_OF.get(arg)
    return None


def add_common_options(parser: argparse.ArgumentParser, *, suppress_default: bool = True) -> None:
    """--home and --learner, accepted before or after the sub-command."""
    default = argparse.SUPPRESS if suppress_default else None
    parser.add_argument(
        "--home",
        metavar="DIR",
        default=default,
        help=_("keep all data (courses, progress, settings) in DIR instead of MOOC_HOME or the user data folder"),
    )
    parser.add_argument(
        "--learner",
        metavar="NAME",
        default=default,
        help=_("act as this learner (several learners can share one account, e.g. on a lab PC)"),
    )


class _VersionAction(argparse.Action):
    """Looks the version up only when asked: importlib.metadata costs ~20 ms at every start."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"mooc {_version()}")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mooc")
    except PackageNotFoundError:
        return "0+unknown"


def _private_umask() -> None:
    """Whatever the umask it was started with (000 on some lab images), nothing mooc
    creates is writable by other users; folders of the user's data are 0700 anyway
    (packages/layout.py make_dirs)."""
    import os

    os.umask(os.umask(0o022) | 0o022)


def _speak(argv: Sequence[str]) -> None:
    """The language of this run (player/ui_language.py), also for argparse's own words
    ("usage:", "the following arguments are required"), which it looks up through a
    module-level `_`: pointed at mooc's catalog, where they are translated too."""
    from packages import i18n
    from player.ui_language import start_language

    i18n.release()
    start_language(argv)
    argparse._ = i18n.gettext  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    _private_umask()
    _speak(sys.argv[1:] if argv is None else argv)
    parser = build_parser(module_for(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if getattr(args, "json", False):  # for a program: English, the messages inside the JSON too
        from packages import i18n

        i18n.hold_english()
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        return int(func(args) or 0)
    except MoocError as err:
        from packages.safe_text import one_line

        print(error_line(one_line(str(err))), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(interrupted_line(args.command, sys.argv[1:] if argv is None else argv), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as err:  # the last word on a full disk, a read-only store, a lost mount...
        from packages.fsutil import os_error_text
        from packages.safe_text import one_line

        problem = os_error_text(err)
        if err.filename:
            line = _("mooc: error: {path}: {problem}").format(path=one_line(str(err.filename)), problem=problem)
        else:
            line = error_line(problem)
        print(line, file=sys.stderr)
        return 1
    except RecursionError:  # input nested past what Python can parse, wherever it was read
        print(error_line(_("the input is nested too deeply to read")), file=sys.stderr)
        return 1


def error_line(message: str) -> str:
    """The one line a failed command leaves on stderr: "mooc: error: <message>"."""
    return _("mooc: error: {message}").format(message=message)


# What Ctrl-C leaves behind, per command, and how to go on (translated where shown).
_INTERRUPTED = {
    "install": N_(
        "the installed version is unchanged and a partial download is kept: run `{again}` again to resume it"
    ),
    "update": N_(
        "courses already updated stay updated, the others are unchanged, and a partial download is kept: "
        "run `{again}` again to resume it"
    ),
    "sync": N_("records already sent are kept and never sent twice: run `{again}` again to send the rest"),
    "play": N_("your progress is saved as you go: run `{again}` again to continue where you stopped"),
}


def interrupted_line(command: str | None, argv: Sequence[str]) -> str:
    """What mooc says on Ctrl-C: "mooc: interrupted", and what is kept and how to go on."""
    note = interrupted_note(command, argv)
    if not note:
        return _("mooc: interrupted")
    return _("mooc: interrupted: {note}").format(note=note)


def interrupted_note(command: str | None, argv: Sequence[str]) -> str:
    """What Ctrl-C kept and which command goes on, in the reader's language (empty if unknown)."""
    import shlex

    from packages.safe_text import one_line

    note = _INTERRUPTED.get(command or "")
    if note is None:
        return ""
    return _(note).format(again=one_line(shlex.join(["mooc", *argv])))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
