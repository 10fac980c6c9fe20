"""`mooc docs [TOPIC]`: the user documentation, shipped with mooc (player/docs_bundle.py)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from packages.i18n import N_, _
from player.cli import common

DOCS_EPILOG = N_("""\
examples:
  mooc docs                    the topics, one line each
  mooc docs format             the course-pack format reference
  mooc docs grading | less     how quizzes are graded, in a pager
  mooc docs --path             where the files are (to open them in an editor or a browser)
""")


def register(sub: Any) -> None:
    p = common.add_subcommand(sub, "docs", help=_("read the documentation that comes with mooc"), epilog=_(DOCS_EPILOG))
    p.add_argument("topic", metavar="TOPIC", nargs="?", help=_("a topic (see `mooc docs`); a unique prefix is enough"))
    p.add_argument("--path", action="store_true", help=_("print the file's path (or the folder's) instead"))
    p.add_argument("--json", action="store_true", help=_("the topics as JSON"))
    p.set_defaults(func=cmd_docs)


def cmd_docs(args: argparse.Namespace) -> int:
    from player import docs_bundle

    if args.topic:
        topic = docs_bundle.find(args.topic)
        if args.path:
            print(topic.path)
        elif args.json:
            common.print_json(
                {"topic": topic.name, "title": topic.title, "path": str(topic.path), "text": docs_bundle.text(topic)}
            )
        else:
            sys.stdout.write(docs_bundle.text(topic))
        return 0
    every = docs_bundle.topics()
    if args.path:
        print(docs_bundle.folder() or "")
        return 0 if every else 1
    if args.json:
        common.print_json({"topics": [{"topic": t.name, "title": t.title, "path": str(t.path)} for t in every]})
        return 0
    if not every:
        print(_("mooc: this mooc was installed without its documentation"), file=sys.stderr)
        return 1
    width = max(len(t.name) for t in every)
    for t in every:
        print(f"  {t.name:<{width}}  {t.title}")
    print("\n" + _("Read one with `mooc docs TOPIC`."))
    return 0
