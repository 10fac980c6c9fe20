"""`mooc learner`: the learners sharing this account (a lab PC, a family computer).

Every command resolves "who is learning" with `Learners.current(args.learner)`;
this module only manages the list.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from packages.errors import UsageError
from packages.i18n import N_, _, ngettext, pgettext
from player.cli import common

EPILOG = N_("""\
examples:
  mooc learner add "Amina Diallo" --email amina@example.org
  mooc learner list                 the default learner is marked with *
  mooc learner use amina            study as Amina unless --learner says otherwise
  mooc --learner amina play         study as Amina this time
  mooc learner remove amina         forget Amina (her progress files are kept)
  mooc learner edit amina --language fr   mooc speaks French to Amina

A single user never needs this: mooc creates a learner named after your login the
first time you study. With several learners, `mooc play` asks who is learning.
""")


def register(sub: Any) -> None:
    """Add `mooc learner ...` to `mooc`."""
    parser = common.add_subcommand(
        sub,
        "learner",
        help=_("add, list, choose or remove the learners sharing this account"),
        epilog=_(EPILOG),
    )
    common.shows_help(parser)
    actions = parser.add_subparsers(dest="learner_command", metavar="ACTION", title=_("actions"))

    add = common.add_subcommand(
        actions,
        "add",
        help=_("add a learner"),
        epilog=_('example:\n  mooc learner add "Amina Diallo" --email amina@example.org'),
    )
    add.add_argument("name", metavar="NAME", help=_("the learner's name, as shown on certificates"))
    add.add_argument("--email", metavar="E", help=_("email address (optional; used on certificates)"))
    add.add_argument(
        "--pin", action="store_true", help=_("ask for a PIN (4 to 12 digits) that opens this learner's progress")
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
        help=_("change a learner's name or email"),
        epilog=_(
            'examples:\n  mooc learner edit amina --name "Amina Diallo"\n'
            "  mooc learner edit amina --email amina@example.org\n"
            "The learner's id (their progress folder) and account id never change."
        ),
    )
    edit.add_argument("name", metavar="NAME", help=_("learner name or id"))
    edit.add_argument("--name", dest="new_name", metavar="NEW", help=_("the new name"))
    email = edit.add_mutually_exclusive_group()
    email.add_argument("--email", metavar="E", help=_("the new email address"))
    email.add_argument("--no-email", action="store_true", help=_("forget the email address"))
    edit.add_argument(
        "--language",
        metavar="LANG",
        help=_("the language mooc speaks to this learner (fr, en…), or none for this computer's"),
    )
    edit.set_defaults(func=cmd_edit)

    pin = common.add_subcommand(
        actions,
        "pin",
        help=_("set, change or remove a learner's PIN"),
        epilog=_(
            "examples:\n  mooc learner pin amina           asks the current PIN, "
            "then the new one twice\n  mooc learner pin amina --clear   no PIN any more\n"
            "A PIN keeps classmates out of each other's progress on a shared PC; it is "
            "a deterrent,\nnot security against whoever can edit the data folder."
        ),
    )
    pin.add_argument("name", metavar="NAME", help=_("learner name or id"))
    pin.add_argument("--clear", action="store_true", help=_("remove the PIN"))
    pin.set_defaults(func=cmd_pin)

    imp = common.add_subcommand(
        actions,
        "import",
        help=_("add a class from a roster (CSV), or learners from an export"),
        epilog=_(
            "examples:\n  mooc learner import class-4b.csv        name,email,pin per row; "
            "run it again after changes\n"
            "  mooc learner import /media/usb/amina.mooc-learners   a learner from "
            "another PC, with their progress\n"
            "A roster's first row may name the columns (name, email, pin)."
        ),
    )
    imp.add_argument("file", metavar="FILE", help=_("a roster (.csv) or a `mooc learner export` file"))
    imp.set_defaults(func=cmd_import)

    lst = common.add_subcommand(actions, "list", help=_("list the learners (* marks the default)"))
    lst.add_argument("--json", action="store_true", help=_("machine-readable output"))
    lst.set_defaults(func=cmd_list)

    use = common.add_subcommand(
        actions,
        "use",
        help=_("make a learner the default of this account"),
        epilog=_("example:\n  mooc learner use amina"),
    )
    use.add_argument("name", metavar="NAME", help=_("learner name or id"))
    use.set_defaults(func=cmd_use)

    rm = common.add_subcommand(
        actions,
        "remove",
        help=_("forget a learner (progress is kept unless --purge)"),
        epilog=_(
            "examples:\n  mooc learner remove amina --yes\n"
            "  mooc learner remove amina --purge --yes   also delete her progress"
        ),
    )
    rm.add_argument("name", metavar="NAME", help=_("learner name or id"))
    rm.add_argument("--yes", "-y", action="store_true", help=_("do not ask for confirmation"))
    rm.add_argument("--purge", action="store_true", help=_("also delete the learner's progress files"))
    rm.set_defaults(func=cmd_remove)

    ex = common.add_subcommand(
        actions,
        "export",
        help=_("write a learner's identity and progress to a file"),
        epilog=_(
            "examples:\n"
            "  mooc learner export amina -o /media/usb/amina.mooc-learners\n"
            "      carry Amina to another PC: `mooc learner import` it there\n"
            "  mooc learner export --all -o /media/usb/pc3.mooc-learners\n"
            "      every learner of this PC, for the teacher's `mooc report --from`\n"
            "An existing FILE is never overwritten."
        ),
    )
    ex.add_argument("name", metavar="NAME", nargs="?", help=_("learner name or id"))
    ex.add_argument("--all", action="store_true", help=_("every learner of this account"))
    ex.add_argument("-o", "--output", metavar="FILE", required=True, help=_("the file to write (must not exist)"))
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

    typed = common.ask_line(_("New PIN (4 to 12 digits): "), secret=True)
    if typed is None:
        raise UsageError(_("no PIN given"))
    pin = check_new(typed)
    if sys.stdin.isatty():
        again = common.ask_line(_("The same PIN again: "), secret=True)
        if again is None or again.strip() != pin:
            raise UsageError(_("the two PINs differ; nothing changed"))
    return hash_pin(pin)


def cmd_add(args: argparse.Namespace) -> int:
    language = _language(args.language)
    learners = _learners(args)
    before = learners.list()  # (a damaged registry says so before any PIN is asked)
    pin = _new_pin() if args.pin else None
    learner = learners.add(args.name, args.email, pin=pin, language=language)
    added = _("Added learner {name} (id {id}), with a PIN.") if pin else _("Added learner {name} (id {id}).")
    print(added.format(name=learner.name, id=learner.id))
    print(_("Study as them with: mooc --learner {id} play").format(id=learner.id))
    if learner.language:
        _say_language(learner)
    if len(before) == 1 and not learners.default_id():
        # The one learner so far stays who commands study as: a second learner must not
        # make every command fail until someone runs `mooc learner use`.
        first = learners.use(before[0].id)
        print(
            _(
                "Commands still study as {name} unless told otherwise "
                "(--learner NAME, or `mooc learner use NAME`); `mooc play` asks who is learning."
            ).format(name=first.name)
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
        print(_("No learners yet. mooc creates one named after your login the first time you study;"))
        print(_('add learners who share this account with: mooc learner add "NAME"'))
        return 0
    width = max(len(lr.id) for lr in items)
    for lr in items:
        mark = "*" if lr.id == default else " "
        email = f"  <{lr.email}>" if lr.email else ""
        school = _("  (school roster)") if lr.origin == "school" else ""
        language = f"  [{lr.language}]" if lr.language else ""
        print(f"{mark} {lr.id:<{width}}  {lr.name}{email}{language}{school}")
    return 0


def cmd_use(args: argparse.Namespace) -> int:
    learner = _learners(args).use(args.name)
    print(_("{name} (id {id}) is now the default learner.").format(name=learner.name, id=learner.id))
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
    email = f" <{learner.email}>" if learner.email else _(" (no email)")
    print(_("{name}{email}, id {id}.").format(name=learner.name, email=email, id=learner.id))
    if args.language is not None:
        _say_language(learner)
    return 0


def cmd_pin(args: argparse.Namespace) -> int:
    learners = _learners(args)
    learner = common.unlock(learners.get(args.name))
    if args.clear:
        learners.set_pin(learner.id, None)
        print(_("{name} has no PIN any more.").format(name=learner.name))
        return 0
    learners.set_pin(learner.id, _new_pin())
    print(_("{name}'s PIN is set: mooc asks for it before opening their progress.").format(name=learner.name))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from player.learner_export import MAX_BYTES, is_export, read_untrusted

    path = Path(args.file)
    head = read_untrusted(path, MAX_BYTES, what=_("a roster or a learner export"))[:4096]
    if is_export(head):
        return _import_export(args, path)
    from player.roster import apply_roster, read_roster

    rows = read_roster(path)
    result = apply_roster(_learners(args), rows, str(path))
    for name in result.added:
        print(_("added: {name}").format(name=name))
    for name, what in result.updated:
        print(_("updated: {name} ({changes})").format(name=name, changes=", ".join(what)))
    print(
        _("{added} added, {updated} updated, {unchanged} unchanged.").format(
            added=len(result.added), updated=len(result.updated), unchanged=len(result.unchanged)
        )
    )
    return 0


def _import_export(args: argparse.Namespace, path: Any) -> int:
    from packages.safe_text import one_line
    from player.learner_transfer import import_learners

    results, problems = import_learners(common.layout(args), path)
    for r in results:
        new = sum(r.events.values())
        line = (
            ngettext("added: {name} (id {id}), {n} new event", "added: {name} (id {id}), {n} new events", new)
            if r.added
            else ngettext("merged: {name} (id {id}), {n} new event", "merged: {name} (id {id}), {n} new events", new)
        ).format(name=one_line(r.name), id=r.learner_id, n=new)
        courses = ", ".join(f"{c}: {n}" for c, n in r.events.items() if n)
        if courses:
            line += f" ({courses})"
        if r.changes:
            line += _("; {changes} from the file").format(changes=", ".join(r.changes))
        print(line)
    if problems:
        n = len(problems)
        first = problems[0] + (", ..." if n > 1 else "")
        message = ngettext(
            "{path}: {n} event skipped ({first}); the rest was imported",
            "{path}: {n} events skipped ({first}); the rest was imported",
            n,
        ).format(path=path, n=n, first=first)
        print(_("mooc: warning: {message}").format(message=message), file=sys.stderr)
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    learners = _learners(args)
    learner = common.unlock(learners.get(args.name))
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(_("removing learner {name} needs confirmation: add --yes").format(name=repr(learner.name)))
        question = (
            _("Remove learner {name} and DELETE their progress? [y/N] ")
            if args.purge
            else _("Remove learner {name} (their progress files are kept)? [y/N] ")
        )
        answer = input(question.format(name=learner.name)).strip().lower()
        if answer not in ("y", "yes", pgettext("answer", "y"), pgettext("answer", "yes")):
            print(_("Nothing removed."))
            return 1
    learners.remove(learner.id, purge=args.purge)
    folder = common.layout(args).learner_dir(learner.id)
    if args.purge:
        done = _("Removed learner {name}; their progress was deleted.")
    elif folder.exists():
        done = _("Removed learner {name}; their progress is kept in {folder} (adding {quoted} again finds it).")
    else:
        done = _("Removed learner {name}.")
    print(done.format(name=learner.name, folder=folder, quoted=repr(learner.name)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from player.learner_transfer import export_learners

    if bool(args.name) == bool(args.all):
        raise UsageError(_("name one learner, or give --all for every learner of this account"))
    layout = common.layout(args)
    learners = _learners(args)
    chosen = learners.list() if args.all else [common.unlock(learners.get(args.name))]
    out = Path(args.output)
    counts = export_learners(layout, chosen, out)
    events = sum(counts.values())
    n = len(chosen)
    who = ngettext("{n} learner", "{n} learners", n).format(n=n) if args.all else chosen[0].name
    print(
        ngettext("Wrote {who} ({n} event) to {out}.", "Wrote {who} ({n} events) to {out}.", events).format(
            who=who, n=events, out=out
        )
    )
    print(_("Carry it to another PC and run `mooc learner import FILE` there, or give it to `mooc report --from`."))
    return 0
