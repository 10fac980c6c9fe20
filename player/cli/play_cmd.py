"""`mooc play` (the TUI, or `--plain` lines) and `mooc progress` (a table, or JSON).

Nothing heavy at top level: textual is imported only inside `mooc play` without
--plain, rich only when a table is printed. Course text always goes through
packages.safe_text.
The JSON of `mooc progress --json` is built by player/progress_record.py (its shape is
documented there).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.i18n import N_, _
from player.cli import common
from player.course_open import check_installed, default_course, load_course, open_session
from player.progress_record import progress_record

if TYPE_CHECKING:
    from packages.layout import Layout
    from packages.model import Course
    from player.learner_identity import Learner

DEMO_COURSE = "mooc-demo"

PLAY_EPILOG = N_("""\
examples:
  mooc play                         the full-screen player (offers the demo course first)
  mooc play stats-101               open a course where you left it
  mooc play stats-101 week-1-quiz   open one item
  mooc play --plain stats-101       plain lines, no full-screen UI (screen readers, scripts)
  mooc play --plain ./my-course/    try a pack folder or .mooc file without installing it

Without a terminal (a pipe, cron, TERM=dumb) mooc play plays in plain mode.
Plain mode: every option is numbered; type a number (several, separated by spaces,
for "choose all that apply"), true/false, a number or text; ? for a hint; h for help.
""")

PROGRESS_EPILOG = N_("""\
examples:
  mooc progress                     every course you have started
  mooc progress stats-101           one course, quiz by quiz
  mooc progress --json              for scripts and status bars (shape: `mooc docs grading`)
  mooc progress --learner amina     another learner of this computer
""")


def register(sub: Any) -> None:
    """Add play and progress to `mooc`."""
    p = common.add_subcommand(
        sub, "play", help=_("study a course (full-screen, or --plain lines)"), epilog=_(PLAY_EPILOG)
    )
    p.add_argument("course", metavar="COURSE", nargs="?", help=_("course id (see `mooc list`), or a pack folder/file"))
    p.add_argument("item", metavar="ITEM", nargs="?", help=_("open this lesson or quiz id"))
    p.add_argument(
        "--plain",
        action="store_true",
        help=_("line-by-line player on stdin/stdout: no full-screen UI, no colour (screen readers)"),
    )
    p.set_defaults(func=cmd_play)

    p = common.add_subcommand(
        sub, "progress", help=_("your progress: items done, quiz scores, course score"), epilog=_(PROGRESS_EPILOG)
    )
    p.add_argument("course", metavar="COURSE", nargs="?", help=_("only this course"))
    p.add_argument("--json", action="store_true", help=_("print JSON for scripts (a stable, documented shape)"))
    p.set_defaults(func=cmd_progress)


# --------------------------------------------------------------------------- learner and course


def _learner(layout: Layout, args: argparse.Namespace, *, interactive: bool = False) -> Learner:
    """Who is learning, once their PIN (if they have one) was given."""
    return common.unlock(common.speak_to(_choose_learner(layout, args, interactive=interactive)))


def _first_learner(learners: Any) -> Learner:
    """Nobody has studied on this computer yet: ask who is learning, the login name
    offered as the default. A script feeding plain mode is not asked (its first line
    is an answer, not a name): it studies as the login name, and is told so."""
    from packages.safe_text import one_line
    from player.learners import login_name

    default = login_name()
    if not sys.stdin.isatty():
        learner = learners.current()
        print(
            _(
                "No learner on this computer yet: studying as {name}, your login name "
                "(rename with `mooc learner edit {id} --name NAME`)."
            ).format(name=repr(one_line(learner.name)), id=learner.id)
        )
        return learner
    print(_("No learner on this computer yet. Who is learning?"))
    for _attempt in range(3):
        typed = common.ask_line(_("Your name [{default}]: ").format(default=default))
        if typed is None:
            raise MoocError(_("no learner chosen: add one with `mooc learner add NAME`"))
        try:
            learner = learners.add(typed.strip() or default)
        except MoocError as err:
            print(one_line(str(err)))
            continue
        print(_("Welcome, {name}!").format(name=one_line(learner.name)))
        return learner
    raise MoocError(_("no learner chosen: add one with `mooc learner add NAME`"))


def _choose_learner(layout: Layout, args: argparse.Namespace, *, interactive: bool = False) -> Learner:
    from player.learners import Learners

    learners = Learners(layout)
    requested = getattr(args, "learner", None)
    if interactive and not requested and not os.environ.get("MOOC_LEARNER") and not learners.list():
        return _first_learner(learners)
    if interactive and learners.needs_choice(requested):
        from packages.safe_text import one_line

        everyone = learners.list()
        default = learners.default_id()
        print(_("Who is learning?"))
        for n, lr in enumerate(everyone, start=1):
            name = one_line(lr.name)
            print(f"  {n}. " + (_("{name} (default)").format(name=name) if lr.id == default else name))
        while True:
            sys.stdout.write(_("Number or name: "))
            sys.stdout.flush()
            line = sys.stdin.readline()
            if not line:
                raise MoocError(_("no learner chosen: say who is learning with --learner NAME"))
            text = line.strip()
            if not text and default:
                return learners.get(default)
            if text.isdigit() and 1 <= int(text) <= len(everyone):
                return everyone[int(text) - 1]
            try:
                return learners.get(text)
            except MoocError as err:
                print(one_line(str(err)))
    return learners.current(requested)


def _speak_to_known_learner(layout: Layout, args: argparse.Namespace) -> None:
    """Before the TUI is imported (its words are read then): speak the language of the
    learner it will open for, when that is known without asking (--learner, MOOC_LEARNER,
    the only learner). A learner chosen in the TUI's "who is learning?" keeps the
    machine's language for this run. A problem here is left to the TUI, which says it."""
    from player.learners import Learners

    learners = Learners(layout)
    try:
        if learners.needs_choice(getattr(args, "learner", None)) or not learners.list():
            return
        common.speak_to(learners.current(getattr(args, "learner", None)))
    except MoocError:
        return


def _choose_course(layout: Layout) -> str | None:
    from packages.safe_text import one_line
    from packages.store import Store

    courses = Store(layout).list()
    print(_("Which course?"))
    for n, c in enumerate(courses, start=1):
        print(f"  {n}. {one_line(c.title)} ({c.id})")
    while True:
        sys.stdout.write(_("Number or id (q to quit): "))
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line or line.strip().casefold() == "q":
            return None
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(courses):
            return courses[int(text) - 1].id
        if any(c.id == text for c in courses):
            return text
        print(_("No course {name} here.").format(name=repr(one_line(text))))


# --------------------------------------------------------------------------- play


def no_full_screen() -> str | None:
    """Why the full-screen player cannot run here (a pipe, cron, TERM=dumb), or None."""
    if not sys.stdin.isatty():
        return _("input is not a terminal")
    if not sys.stdout.isatty():
        return _("output is not a terminal")
    if os.environ.get("TERM", "") == "dumb":
        return "TERM=dumb"
    return None


def cmd_play(args: argparse.Namespace) -> int:
    layout = common.layout(args)
    why = None if args.plain else no_full_screen()
    if why is not None:  # never escape codes into a pipe, never a UI nobody can see
        if args.course and not Path(args.course).expanduser().exists():
            check_installed(layout, args.course)  # a wrong name fails first, on its own line
        print(_("mooc: {why}: playing in plain mode (--plain)").format(why=why), file=sys.stderr, flush=True)
        args.plain = True
    if not args.plain:
        if not args.course and args.item:
            raise MoocError(_("name the course before the item: mooc play COURSE ITEM"))
        if args.course:
            check_installed(layout, args.course)
        _speak_to_known_learner(layout, args)
        import gc

        gc.disable()  # while the UI starts; the app turns it back on at its first screen
        import tui.app

        return tui.app.run(
            layout=layout, learner=getattr(args, "learner", None), course_id=args.course, item_id=args.item
        )
    loaded = _load_checked(layout, args.course, args.item) if args.course else None  # errors before any question
    learner = _learner(layout, args, interactive=True)
    if loaded is None:
        spec = default_course(layout, learner)
        if spec is None:
            spec = _choose_course(layout)
            if spec is None:
                return 0
        loaded = _load_checked(layout, spec, args.item)
    else:
        spec = args.course
    course, source = loaded
    from packages.store import Store
    from player.plain import run_plain
    from player.plain_records import Certificates
    from sync.certificate_offer import certificate_offer, request_certificate
    from sync.learner_notes import RecordsNotes

    if Store(layout).find(spec) is None:  # a pack folder or file: an author's preview
        from player.session import CourseSession

        print(
            _(
                "Preview of {spec}: nothing is recorded, not even in an installed course with the id "
                "'{id}' (install it to keep your progress)."
            ).format(spec=spec, id=course.id)
        )
        return run_plain(CourseSession(course, source, [], learner), args.item, preview=True)
    session = open_session(layout, learner, course, source)
    records = RecordsNotes(
        layout, learner.id, learner.name, course.id, course.xapi_endpoint, interactive=sys.stdin.isatty()
    )
    return run_plain(
        session,
        args.item,
        layout=layout,
        records=records,
        certificates=Certificates(certificate_offer, request_certificate),
    )


def _load_checked(layout: Layout, spec: str, item: str | None) -> tuple[Course, Any]:
    course, source = load_course(layout, spec)
    if item and not course.has_item(item):
        ids = ", ".join(i.id for i in course.items()[:12])
        raise MoocError(_("{course}: no item '{item}' (items: {ids})").format(course=course.id, item=item, ids=ids))
    return course, source


# --------------------------------------------------------------------------- progress


def cmd_progress(args: argparse.Namespace) -> int:
    from packages.store import Store
    from player.progress_files import iter_logs

    layout = common.layout(args)
    learner = _learner(layout, args)
    store = Store(layout)
    if args.course:
        ids = [args.course]
        store.get(args.course)
    else:
        installed = {c.id for c in store.list()}
        ids = sorted({cid for lid, cid, _log in iter_logs(layout) if lid == learner.id and cid in installed})
    records = []
    for course_id in ids:
        course, source = store.load(course_id)
        records.append(progress_record(open_session(layout, learner, course, source, enroll=False)))
    records.sort(key=lambda r: r["last_studied"] or "", reverse=True)
    if args.json:
        common.print_json({"format": 1, "learner": {"id": learner.id, "name": learner.name}, "courses": records})
        return 0
    from player.cli.progress_view import print_plain, print_tables

    if sys.stdout.isatty():
        print_tables(learner, records, detailed=bool(args.course))
    else:  # a pipe, a file, a screen reader's log: words, no box drawing
        print_plain(learner, records, detailed=bool(args.course))
    return 0
