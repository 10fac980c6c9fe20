"""`mooc upgrade COURSE --flavour F`: move an installed course to another pack flavour.

The work is packages/flavour_moves.py's; this parses, calls it and prints.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from player.cli import common

UPGRADE_EPILOG = """\
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
"""


def register(sub: Any) -> None:
    """Add upgrade to `mooc`."""
    p = common.add_subcommand(
        sub,
        "upgrade",
        help="move an installed course to another flavour (text, novideo, full)",
        epilog=UPGRADE_EPILOG,
    )
    p.add_argument("course", metavar="COURSE", help="an installed course id (see `mooc list`)")
    p.add_argument(
        "--flavour",
        required=True,
        choices=("text", "novideo", "full"),
        help="the flavour to move to: up fetches only what is missing, down frees space",
    )
    p.add_argument("--system", action="store_true", help="the system-wide copy (administrators)")
    p.add_argument("--limit-rate", metavar="RATE", help="cap the download rate, e.g. 200k or 1M")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
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
        print(f"note: {info['note']}", file=sys.stderr)
    return 0


def _describe(info: dict[str, Any]) -> str:
    from packages.flavours import human_size
    from packages.safe_text import one_line

    name = f"{info['id']} {one_line(info['version'])}"
    if info["status"] == "unchanged":
        return f"{name} is already the {info['to_flavour']} flavour; nothing to do"
    moved = f"{name}: {info['from_flavour']} -> {info['to_flavour']} flavour"
    if info.get("method") == "local" and "bytes_freed" in info:
        return f"{moved}, built here from the installed files (nothing fetched); {human_size(info['bytes_freed'])} freed; progress kept"
    fetched = human_size(info["bytes_fetched"])
    ideal = info.get("ideal_bytes") or 0
    how = (
        f"fetched {fetched} for {human_size(ideal)} of missing media"
        if info.get("method") == "delta"
        else f"fetched {fetched} (a whole pack: {one_line(info.get('fallback_reason') or 'no delta possible')})"
        if info.get("method") == "full"
        else "nothing fetched (a verified download was here already)"
        if info.get("method") == "reused"
        else "from a local catalog"
    )
    return f"{moved}; {how}; progress kept"
