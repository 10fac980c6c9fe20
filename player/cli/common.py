"""Helpers every command module shares: the data layout, the learner, output."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from packages.layout import Layout


def add_subcommand(
    sub: Any, name: str, *, help: str, description: str | None = None, epilog: str | None = None
) -> argparse.ArgumentParser:
    """A sub-command parser that teaches: description, examples, --home/--learner."""
    from player.cli.main import add_common_options

    parser = sub.add_parser(
        name,
        help=help,
        description=description or help,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common_options(parser)
    return parser


def shows_help(parser: argparse.ArgumentParser) -> None:
    """A command group run without its sub-command prints its help (exit status 0)."""

    def show(_args: argparse.Namespace) -> int:
        parser.print_help()
        return 0

    parser.set_defaults(func=show)


def layout(args: argparse.Namespace) -> Layout:
    """The data folder of this command; created 0700 when missing (packages/layout.py)."""
    from packages.layout import make_dirs

    chosen = Layout.default(getattr(args, "home", None))
    try:
        make_dirs(chosen.home)
    except OSError:
        pass  # read-only media: commands that only read still work; writes say why they fail
    return chosen


def print_json(data: Any, *, indent: int | None = 2) -> None:
    """Every `--json` output: strings (keys too) are cleaned of escape sequences,
    control and bidi characters first, so the DECODED text is harmless, not only the
    JSON (which would otherwise carry U+202E and C1 controls as they are).

    `indent=None`: one compact line (~5x faster to encode for a big document)."""
    from packages.safe_text import dumps_clean

    sys.stdout.write(dumps_clean(data, indent=indent) + "\n")


def console(stderr: bool = False):  # -> rich.console.Console, imported lazily
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def ask_line(prompt: str, *, secret: bool = False) -> str | None:
    """One answer from the person at the terminal (hidden when `secret`), or the next
    line of standard input when it is not a terminal (scripts, plain mode fed by a
    file); None when input has ended."""
    if sys.stdin.isatty() and secret:
        import getpass

        try:
            return getpass.getpass(prompt)
        except EOFError:
            return None
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        sys.stdout.write("\n")
        return None
    return line.rstrip("\r\n")


def unlock(learner: Any) -> Any:
    """Ask for the learner's PIN when they have one (player/pin.py); the learner, or MoocError."""
    from player.pin import unlock as ask_pin

    ask_pin(learner, lambda prompt: ask_line(prompt, secret=True), print)
    return learner


def learner(args: argparse.Namespace, chosen: Layout | None = None) -> Any:
    """Who a command acts for (--learner, MOOC_LEARNER, the default or the only
    learner), once their PIN, if they have one, was given. From then on mooc speaks
    their language, if they have one (the PIN is asked in it already)."""
    from player.learners import Learners

    return unlock(speak_to(Learners(chosen or layout(args)).current(getattr(args, "learner", None))))


def speak_to(learner: Any) -> Any:
    """Show words in `learner`'s own language from now on (when they have one)."""
    from player.ui_language import learner_language

    learner_language(getattr(learner, "language", None))
    return learner
