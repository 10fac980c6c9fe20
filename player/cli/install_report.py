"""What `mooc install` says once a pack is in: installed, upgraded, already there...,
then how to start it and, for a smaller flavour, how to get the rest."""

from __future__ import annotations

import sys
from typing import Any

from packages.i18n import _


def report(result: Any, layout: Any) -> None:
    from packages.safe_text import one_line

    c = result.course
    name = f"{c.id} {one_line(c.version)}"
    title = one_line(c.title)
    system = c.origin == "system"
    old = one_line(result.previous_version or "")
    new = one_line(c.version)
    if result.status == "already-installed":
        text = (
            _("{name} ({title}) is already installed system-wide; use --force to reinstall it")
            if system
            else _("{name} ({title}) is already installed; use --force to reinstall it")
        )
    elif result.status == "upgraded":
        text = (
            _("upgraded {id} {old} -> {new} ({title}) system-wide; progress kept")
            if system
            else _("upgraded {id} {old} -> {new} ({title}); progress kept")
        )
    elif result.status == "flavour-changed":
        text = (
            _("{name} ({title}) system-wide: now the {flavour} flavour (was {previous}); progress kept")
            if system
            else _("{name} ({title}): now the {flavour} flavour (was {previous}); progress kept")
        )
    elif result.status == "downgraded":
        text = (
            _("downgraded {id} {old} -> {new} ({title}) system-wide; progress kept")
            if system
            else _("downgraded {id} {old} -> {new} ({title}); progress kept")
        )
    else:
        text = _installed_text(result.status, system, result.flavour == "full")
    fields = {"name": name, "title": title, "id": c.id, "old": old, "new": new}
    print(text.format(**fields, flavour=result.flavour, previous=result.previous_flavour))
    if result.note:
        print(_("note: {note}").format(note=one_line(result.note)), file=sys.stderr)
    if result.status != "already-installed":
        print(_("start it with: mooc play {id}").format(id=c.id))
    if result.flavour != "full" and result.status != "already-installed":
        from packages.flavour_choice import bigger_offered

        bigger = bigger_offered(layout, c.id, c.version, result.flavour)
        if bigger is None:
            print(
                _("the {flavour} flavour: no catalog added here offers more of it (yet)").format(flavour=result.flavour)
            )
        else:
            print(
                _("the {flavour} flavour: get the rest later with `mooc upgrade {id} --flavour {bigger}`").format(
                    flavour=result.flavour, id=c.id, bigger=bigger
                )
            )


def _installed_text(status: str, system: bool, full: bool) -> str:
    """ "installed stats-101 1.0 (Statistics)" (or reinstalled), with where and which flavour."""
    texts = {
        ("installed", False, True): _("installed {name} ({title})"),
        ("installed", True, True): _("installed {name} ({title}) system-wide"),
        ("installed", False, False): _("installed {name} ({title}), {flavour} flavour"),
        ("installed", True, False): _("installed {name} ({title}) system-wide, {flavour} flavour"),
        ("reinstalled", False, True): _("reinstalled {name} ({title})"),
        ("reinstalled", True, True): _("reinstalled {name} ({title}) system-wide"),
        ("reinstalled", False, False): _("reinstalled {name} ({title}), {flavour} flavour"),
        ("reinstalled", True, False): _("reinstalled {name} ({title}) system-wide, {flavour} flavour"),
    }
    return texts[(status if status == "reinstalled" else "installed", system, full)]
