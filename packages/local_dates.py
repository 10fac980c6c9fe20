"""Dates written the way the reader's language writes them ("04 December 2026",
"04 décembre 2026"): strftime's %B is always English here (mooc never calls
setlocale, which would change the whole process), so the month names are in the
catalog. Numbers are packages/local_numbers.py's job.
"""

from __future__ import annotations

from datetime import date

from packages.i18n import N_, _

MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def long_date(when: date) -> str:
    """ "04 December 2026" (as `%d %B %Y` writes it in English), the month translated."""
    return _("{day} {month} {year}").format(day=f"{when.day:02d}", month=_(MONTHS[when.month - 1]), year=when.year)
