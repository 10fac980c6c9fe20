"""A learner as mooc knows them, and the checks on what people type about one.

`Learner` is one person learning on an account (their id names their progress folder;
their account id is their xAPI identity), whether from this account's registry
(player/learners.py) or the school's roster (player/lab_policy.py). `clean_name`,
`check_email` and `slug` are the rules for names, email addresses and the ids made
from names, wherever a learner comes from (typed, a roster, an export).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.safe_text import one_line

MAX_NAME = 80
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


@dataclass(frozen=True)
class Learner:
    """A person learning on this account; `id` names their progress folder."""

    id: str
    name: str
    email: str | None
    account_id: str
    created: str
    pin: str | None = field(default=None, repr=False)  # salted hash (player/pin.py), never the PIN
    origin: str = field(default="local", compare=False)  # "school": from the lab policy's roster
    language: str | None = None  # the learner's own UI language ("fr"); None: the machine's

    def to_dict(self) -> dict[str, Any]:
        raw: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.email:
            raw["email"] = self.email
        raw["account_id"] = self.account_id
        raw["created"] = self.created
        if self.pin:
            raw["pin"] = self.pin
        if self.language:
            raw["language"] = self.language
        return raw


def slug(name: str) -> str:
    """A file-name-safe id for a name: 'Amina Diallo' -> 'amina-diallo', 'José' -> 'jose'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return text[:64].rstrip("-") or "learner"


def clean_name(name: str) -> str:
    """Names are typed by people but shown everywhere: no control characters, one line."""
    text = one_line(name)
    if not text:
        raise MoocError(_("a learner name cannot be empty"))
    if len(text) > MAX_NAME:
        raise MoocError(
            _("learner name too long ({n} characters; at most {MAX_NAME})").format(n=len(text), MAX_NAME=MAX_NAME)
        )
    return text


def check_email(email: str) -> str:
    text = email.strip()
    if not _EMAIL.match(text) or any(ord(c) < 32 for c in text):
        raise MoocError(
            _("{email} is not an email address (expected name@example.org)").format(email=repr(one_line(email)))
        )
    return text
