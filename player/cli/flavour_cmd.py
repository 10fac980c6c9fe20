"""`mooc upgrade COURSE --flavour F`: move an installed course to another pack flavour.

The work is packages/flavour_moves.py's; this parses, calls it and prints.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from packages.i18n import N_, _
from player.cli import common

UPGRADE_EPILOG = N_("""\
examples:
  mooc upgrade stats-101 --flavour full       fetch what the installed flavour lacks
                                              (only the missing media travel; resumable:
                                              run it again after a cut)
  mooc upgrade stats-101 --flavour novideo    the images, PDFs and audio, not the videos
  mooc upgrade stats-101 --flavour text       free the disk space of the media (no network:
                                              the text flavour is built from your files)
  mooc upgrade stats-101 --flavour full --limit-rate 50k --json

Flavours: text (lessons and quizzes), novideo (all but the videos), full. Moving up
fetches from the catalog the course came from (`mooc catalog add URL`); every file is
verified before the switch, and your progress is kept whatever the flavour.
""")


def register(sub: Any) -> None:
    """Add upgrade to `mooc`."""
    p = common.add_subcommand(
        sub,
        "upgrade",
        help=_("move an installed course to another flavour (text, novideo, full)"),
        epilog=_(UPGRADE_EPILOG),
    )
    p.add_argument("course", metavar="COURSE", help=_("an installed course id (see `mooc list`)"))
    p.add_argument(
        "--flavour",
        required=True,
        choices=("text", "novideo", "full"),
        help=_("the flavour to move to: up fetches only what is missing, down frees space"),
    )
    p.add_argument("--system", action="store_true", help=_("the system-wide copy (administrators)"))
    p.add_argument("--limit-rate", metavar="RATE", help=_("cap the download rate, e.g. 200k or 1M"))
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=cmd_upgrade)


def cmd_upgrade(args: argparse.Namespace) -> int:
    from packages.download_meter import parse_rate
    from packages.flavour_moves import change_flavour

    rate = parse_rate(args.limit_rate) if args.limit_rate else None
    info = change_flavour(common.layout(args), args.course, args.flavour, system=args.system, limit_rate=rate)
    if args.json:
        common.print_json(info)
        return 0
    print(_describe(info))
    if info.get("note"):
        print(_("note: {note}").format(note=info["note"]), file=sys.stderr)
    return 0


def _describe(info: dict[str, Any]) -> str:
    from packages.flavours import human_size
    from packages.safe_text import one_line

    name = f"{info['id']} {one_line(info['version'])}"
    if info["status"] == "unchanged":
        return _("{name} is already the {flavour} flavour; nothing to do").format(name=name, flavour=info["to_flavour"])
    moved = _("{name}: {old} -> {new} flavour").format(name=name, old=info["from_flavour"], new=info["to_flavour"])
    if info.get("method") == "local" and "bytes_freed" in info:
        return _("{moved}, built here from the installed files (nothing fetched); {size} freed; progress kept").format(
            moved=moved, size=human_size(info["bytes_freed"])
        )
    fetched = human_size(info["bytes_fetched"])
    ideal = info.get("ideal_bytes") or 0
    if info.get("method") == "delta":
        how = _("fetched {fetched} for {ideal} of missing media").format(fetched=fetched, ideal=human_size(ideal))
    elif info.get("method") == "full":
        reason = one_line(info.get("fallback_reason") or _("no delta possible"))
        how = _("fetched {fetched} (a whole pack: {reason})").format(fetched=fetched, reason=reason)
    elif info.get("method") == "reused":
        how = _("nothing fetched (a verified download was here already)")
    else:
        how = _("from a local catalog")
    return _("{moved}; {how}; progress kept").format(moved=moved, how=how)
