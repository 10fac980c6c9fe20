"""`mooc learner`: the learners sharing this account (a lab PC, a family computer).

Every command resolves "who is learning" with `Learners.current(args.learner)`;
this module only manages the list.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from packages.errors import UsageError
from packages.i18n import _
from player.cli import common

EPILOG = """\
examples:
  mooc learner add "Amina Diallo" --email amina@example.org
  mooc learner list                 the default learner is marked with *
  mooc learner use amina            study as Amina unless --learner says otherwise
  mooc --learner amina play         study as Amina this time
  mooc learner remove amina         forget Amina (her progress files are kept)
  mooc learner edit amina --language fr   mooc speaks French to Amina

A single user never needs this: mooc creates a learner named after your login the
first time you study. With several learners, `mooc play` asks who is learning.
"""


def register(sub: Any) -> None:
    """Add `mooc learner ...` to `mooc`."""
    parser = common.add_subcommand(
        sub,
        "learner",
        help="add, list, choose or remove the learners sharing this account",
        epilog=EPILOG,
    )
    common.shows_help(parser)
    actions = parser.add_subparsers(dest="learner_command", metavar="ACTION", title="actions")

    add = common.add_subcommand(
        actions,
        "add",
        help="add a learner",
        epilog='example:\n  mooc learner add "Amina Diallo" --email amina@example.org',
    )
    add.add_argument("name", metavar="NAME", help="the learner's name, as shown on certificates")
    add.add_argument("--email", metavar="E", help="email address (optional; used on certificates)")
    add.add_argument(
        "--pin", action="store_true", help="ask for a PIN (4 to 12 digits) that opens this learner's progress"
    )
    add.add_argument(
        "--language",
        metavar="LANG",
        help=_("the language mooc speaks to this learner (fr, en…; default: this computer's)"),
    )
    add.set_defaults(func=cmd_add)

    edit = common.add_subcommand(
        actions,
        "edit",
        help="change a learner's name or email",
        epilog='examples:\n  mooc learner edit amina --name "Amina Diallo"\n'
        "  mooc learner edit amina --email amina@example.org\n"
        "The learner's id (their progress folder) and account id never change.",
    )
    edit.add_argument("name", metavar="NAME", help="learner name or id")
    edit.add_argument("--name", dest="new_name", metavar="NEW", help="the new name")
    email = edit.add_mutually_exclusive_group()
    email.add_argument("--email", metavar="E", help="the new email address")
    email.add_argument("--no-email", action="store_true", help="forget the email address")
    edit.add_argument(
        "--language",
        metavar="LANG",
        help=_("the language mooc speaks to this learner (fr, en…), or none for this computer's"),
    )
    edit.set_defaults(func=cmd_edit)

    pin = common.add_subcommand(
        actions,
        "pin",
        help="set, change or remove a learner's PIN",
        epilog="examples:\n  mooc learner pin amina           asks the current PIN, "
        "then the new one twice\n  mooc learner pin amina --clear   no PIN any more\n"
        "A PIN keeps classmates out of each other's progress on a shared PC; it is "
        "a deterrent,\nnot security against whoever can edit the data folder.",
    )
    pin.add_argument("name", metavar="NAME", help="learner name or id")
    pin.add_argument("--clear", action="store_true", help="remove the PIN")
    pin.set_defaults(func=cmd_pin)

    imp = common.add_subcommand(
        actions,
        "import",
        help="add a class from a roster (CSV), or learners from an export",
        epilog="examples:\n  mooc learner import class-4b.csv        name,email,pin per row; "
        "run it again after changes\n"
        "  mooc learner import /media/usb/amina.mooc-learners   a learner from "
        "another PC, with their progress\n"
        "A roster's first row may name the columns (name, email, pin).",
    )
    imp.add_argument("file", metavar="FILE", help="a roster (.csv) or a `mooc learner export` file")
    imp.set_defaults(func=cmd_import)

    lst = common.add_subcommand(actions, "list", help="list the learners (* marks the default)")
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    lst.set_defaults(func=cmd_list)

    use = common.add_subcommand(
        actions, "use", help="make a learner the default of this account", epilog="example:\n  mooc learner use amina"
    )
    use.add_argument("name", metavar="NAME", help="learner name or id")
    use.set_defaults(func=cmd_use)

    rm = common.add_subcommand(
        actions,
        "remove",
        help="forget a learner (progress is kept unless --purge)",
        epilog="examples:\n  mooc learner remove amina --yes\n"
        "  mooc learner remove amina --purge --yes   also delete her progress",
    )
    rm.add_argument("name", metavar="NAME", help="learner name or id")
    rm.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    rm.add_argument("--purge", action="store_true", help="also delete the learner's progress files")
    rm.set_defaults(func=cmd_remove)

    ex = common.add_subcommand(
        actions,
        "export",
        help="write a learner's identity and progress to a file",
        epilog="examples:\n"
        "  mooc learner export amina -o /media/usb/amina.mooc-learners\n"
        "      carry Amina to another PC: `mooc learner import` it there\n"
        "  mooc learner export --all -o /media/usb/pc3.mooc-learners\n"
        "      every learner of this PC, for the teacher's `mooc report --from`\n"
        "An existing FILE is never overwritten.",
    )
    ex.add_argument("name", metavar="NAME", nargs="?", help="learner name or id")
    ex.add_argument("--all", action="store_true", help="every learner of this account")
    ex.add_argument("-o", "--output", metavar="FILE", required=True, help="the file to write (must not exist)")
    ex.set_defaults(func=cmd_export)


def _language(value: str | None, *, allow_none: bool = False) -> str | None:
    from player.ui_language import check_language

    return check_language(value, allow_none=allow_none) if value is not None else None


def _learners(args: argparse.Namespace):  # -> Learners
    from player.learners import Learners

    return Learners(common.layout(args))


def _new_pin() -> str:
    """A new PIN, typed twice at a terminal (once when piped)."""
    from player.pin import check_new, hash_pin

    typed = common.ask_line("New PIN (4 to 12 digits): ", secret=True)
    if typed is None:
        raise UsageError("no PIN given")
    pin = check_new(typed)
    if sys.stdin.isatty():
        again = common.ask_line("The same PIN again: ", secret=True)
        if again is None or again.strip() != pin:
            raise UsageError("the two PINs differ; nothing changed")
    return hash_pin(pin)


def cmd_add(args: argparse.Namespace) -> int:
    language = _language(args.language)
    learners = _learners(args)
    before = learners.list()  # (a damaged registry says so before any PIN is asked)
    pin = _new_pin() if args.pin else None
    learner = learners.add(args.name, args.email, pin=pin, language=language)
    print(f"Added learner {learner.name} (id {learner.id})" + (", with a PIN." if pin else "."))
    print(f"Study as them with: mooc --learner {learner.id} play")
    if learner.language:
        _say_language(learner)
    if len(before) == 1 and not learners.default_id():
        # The one learner so far stays who commands study as: a second learner must not
        # make every command fail until someone runs `mooc learner use`.
        first = learners.use(before[0].id)
        print(
            f"Commands still study as {first.name} unless told otherwise "
            f"(--learner NAME, or `mooc learner use NAME`); `mooc play` asks who is learning."
        )
    return 0


def _say_language(learner: Any) -> None:
    if learner.language:
        from player.ui_language import language_name

        shown = f"{language_name(learner.language)} ({learner.language})"
        print(_("mooc speaks {language} to {name}.").format(language=shown, name=learner.name))
    else:
        print(_("mooc speaks this computer's language to {name}.").format(name=learner.name))


def cmd_list(args: argparse.Namespace) -> int:
    learners = _learners(args)
    items = learners.list()
    default = learners.default_id()
    if args.json:
        common.print_json(
            [
                {
                    "id": lr.id,
                    "name": lr.name,
                    "email": lr.email,
                    "account_id": lr.account_id,
                    "created": lr.created,
                    "default": lr.id == default,
                    "pin": bool(lr.pin),
                    "school_roster": lr.origin == "school",
                    "language": lr.language,
                }
                for lr in items
            ]
        )
        return 0
    if not items:
        print("No learners yet. mooc creates one named after your login the first time you study;")
        print('add learners who share this account with: mooc learner add "NAME"')
        return 0
    width = max(len(lr.id) for lr in items)
    for lr in items:
        mark = "*" if lr.id == default else " "
        email = f"  <{lr.email}>" if lr.email else ""
        school = "  (school roster)" if lr.origin == "school" else ""
        language = f"  [{lr.language}]" if lr.language else ""
        print(f"{mark} {lr.id:<{width}}  {lr.name}{email}{language}{school}")
    return 0


def cmd_use(args: argparse.Namespace) -> int:
    learner = _learners(args).use(args.name)
    print(f"{learner.name} (id {learner.id}) is now the default learner.")
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    if args.new_name is None and args.email is None and not args.no_email and args.language is None:
        raise UsageError(_("say what to change: --name NEW, --email E, --no-email or --language LANG"))
    language = _language(args.language, allow_none=True)
    learners = _learners(args)
    common.unlock(learners.get(args.name))
    learner = learners.edit(
        args.name,
        name=args.new_name,
        email=args.email,
        clear_email=args.no_email,
        language=language,
        clear_language=args.language is not None and language is None,
    )
    email = f" <{learner.email}>" if learner.email else " (no email)"
    print(f"{learner.name}{email}, id {learner.id}.")
    if args.language is not None:
        _say_language(learner)
    return 0


def cmd_pin(args: argparse.Namespace) -> int:
    learners = _learners(args)
    learner = common.unlock(learners.get(args.name))
    if args.clear:
        learners.set_pin(learner.id, None)
        print(f"{learner.name} has no PIN any more.")
        return 0
    learners.set_pin(learner.id, _new_pin())
    print(f"{learner.name}'s PIN is set: mooc asks for it before opening their progress.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from player.learner_export import MAX_BYTES, is_export, read_untrusted

    path = Path(args.file)
    head = read_untrusted(path, MAX_BYTES, what="a roster or a learner export")[:4096]
    if is_export(head):
        return _import_export(args, path)
    from player.roster import apply_roster, read_roster

    rows = read_roster(path)
    result = apply_roster(_learners(args), rows, str(path))
    for name in result.added:
        print(f"added: {name}")
    for name, what in result.updated:
        print(f"updated: {name} ({', '.join(what)})")
    n = len(result.unchanged)
    print(f"{len(result.added)} added, {len(result.updated)} updated, {n} unchanged.")
    return 0


def _import_export(args: argparse.Namespace, path: Any) -> int:
    from packages.safe_text import one_line
    from player.learner_transfer import import_learners

    results, problems = import_learners(common.layout(args), path)
    for r in results:
        new = sum(r.events.values())
        what = "added" if r.added else "merged"
        courses = ", ".join(f"{c}: {n}" for c, n in r.events.items() if n)
        print(
            f"{what}: {one_line(r.name)} (id {r.learner_id}), {new} new event{'s' if new != 1 else ''}"
            + (f" ({courses})" if courses else "")
            + (f"; {', '.join(r.changes)} from the file" if r.changes else "")
        )
    if problems:
        n = len(problems)
        print(
            f"mooc: warning: {path}: {n} event{'s' if n != 1 else ''} skipped ({problems[0]}"
            f"{', ...' if n > 1 else ''}); the rest was imported",
            file=sys.stderr,
        )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    learners = _learners(args)
    learner = common.unlock(learners.get(args.name))
    if not args.yes:
        what = "and DELETE their progress" if args.purge else "(their progress files are kept)"
        if not sys.stdin.isatty():
            raise UsageError(f"removing learner {learner.name!r} needs confirmation: add --yes")
        answer = input(f"Remove learner {learner.name} {what}? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing removed.")
            return 1
    learners.remove(learner.id, purge=args.purge)
    folder = common.layout(args).learner_dir(learner.id)
    if args.purge:
        kept = "; their progress was deleted"
    elif folder.exists():
        kept = f"; their progress is kept in {folder} (adding {learner.name!r} again finds it)"
    else:
        kept = ""
    print(f"Removed learner {learner.name}{kept}.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from player.learner_transfer import export_learners

    if bool(args.name) == bool(args.all):
        raise UsageError("name one learner, or give --all for every learner of this account")
    layout = common.layout(args)
    learners = _learners(args)
    chosen = learners.list() if args.all else [common.unlock(learners.get(args.name))]
    out = Path(args.output)
    counts = export_learners(layout, chosen, out)
    events = sum(counts.values())
    who = f"{len(chosen)} learner{'s' if len(chosen) != 1 else ''}" if args.all else chosen[0].name
    print(f"Wrote {who} ({events} event{'s' if events != 1 else ''}) to {out}.")
    print("Carry it to another PC and run `mooc learner import FILE` there, or give it to `mooc report --from`.")
    return 0
