"""`mooc update`: installed courses to the newer versions the added catalogs offer,
whole packs or only what changed (packages/updates.py does the work)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from packages.i18n import _, ngettext
from player.cli import common


def _human(n: int) -> str:
    from packages.flavours import human_size

    return human_size(n)


def run_update(args: argparse.Namespace) -> int:
    from packages.catalog_registry import Catalogs
    from packages.download_meter import parse_rate
    from packages.errors import MoocError
    from packages.safe_text import one_line
    from packages.store import Store
    from packages.updates import planned_fetch, update_course, updates_available

    layout = common.layout(args)
    catalogs = Catalogs(layout)
    store = Store(layout)
    courses = store.store_dir(args.system).all()
    if args.course:
        courses = [c for c in courses if c.id == args.course]
        if not courses:
            raise MoocError(
                (
                    _("{id}: not installed system-wide (see `mooc list`)")
                    if args.system
                    else _("{id}: not installed (see `mooc list`)")
                ).format(id=args.course)
            )
    rate = parse_rate(args.limit_rate) if args.limit_rate else None
    if courses and not args.offline:
        for source, _entries, error in catalogs.refresh():
            if error is not None:
                print(
                    _("could not refresh catalog {name}: {problem}; using its last copy").format(
                        name=source.name, problem=one_line(error)
                    ),
                    file=sys.stderr,
                )
    plan = updates_available(catalogs, courses)
    if args.check or not plan:
        fetch = {c.id: planned_fetch(layout, c, e, full=args.full) for c, e in plan}
        if args.json:
            common.print_json(
                [
                    {
                        "id": c.id,
                        "installed": c.version,
                        "available": e.version,
                        "size": e.size,
                        "catalog": e.catalog,
                        **fetch[c.id],
                    }
                    for c, e in plan
                ]
            )
        elif not plan:
            print(_("everything is up to date"))
        else:
            for c, e in plan:
                how = fetch[c.id]
                size = _human(how["size"])
                if how["flavour"] != "full":
                    size = _("{size} ({flavour} flavour)").format(size=size, flavour=how["flavour"])
                if how["method"] == "delta":
                    cost = _("delta: fetches {fetch} of {size}").format(fetch=_human(how["fetch_bytes"]), size=size)
                elif how.get("why"):
                    cost = _("{size}, full download: {why}").format(size=size, why=one_line(how["why"]))
                else:
                    cost = size
                line = _("{cost}, catalog {catalog}").format(cost=cost, catalog=e.catalog)
                print(f"{c.id}  {one_line(c.version)} -> {one_line(e.version)}  ({line})")
        return 0
    report = []
    for course, entry in plan:
        result = update_course(layout, course, entry, system=args.system, full=args.full, limit_rate=rate)
        report.append(result)
        if not args.json:
            print(_updated_line(course, entry, result))
    if args.json:
        common.print_json(report)
    return 0


def _updated_line(course: Any, entry: Any, result: dict[str, Any]) -> str:
    from packages.safe_text import one_line

    detail = _("fetched {fetched} of {size}").format(
        fetched=_human(result["bytes_fetched"]), size=_human(entry.flavours[result["flavour"]].size)
    )
    if result["flavour"] != "full":
        detail = _("{size} ({flavour} flavour)").format(size=detail, flavour=result["flavour"])
    if result["method"] == "delta":
        total = result["entries_total"]
        detail = ngettext(
            "{detail}, {reused} of {n} file reused", "{detail}, {reused} of {n} files reused", total
        ).format(detail=detail, reused=result["entries_reused"], n=total)
    if result["method"] == "full" and result.get("fallback_reason"):
        detail = _("{detail}; a full download: {why}").format(detail=detail, why=one_line(result["fallback_reason"]))
    return _("updated {id} {old} -> {new} ({detail})").format(
        id=course.id, old=one_line(course.version), new=one_line(entry.version), detail=detail
    )
