"""Learner PINs: a deterrent between classmates sharing a lab PC, not security.

A PIN stops one student from opening another's progress by picking their name. It
does NOT protect against anyone who can read or edit the data folder (an
administrator, or the student's own OS account on a shared login): they can change
learners.toml. docs/class.md says so to teachers.

Stored as a salted slow hash (stdlib `hashlib.scrypt`), never the PIN itself::

    pin = "scrypt$16384$8$1$<salt, base64>$<hash, base64>"

Asked by the TUI's learner picker, for `--learner` and in plain mode, at most
`MAX_TRIES` times per start; a stored hash asking for more than `MAX_COST` work
(a planted file) is refused, not computed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Callable

from packages.errors import MoocError
from packages.i18n import _

N, R, P = 2**14, 8, 1  # ~50 ms and 16 MB per check on a lab PC
MAX_TRIES = 3
MAX_COST = 2**17 * 8  # n * r accepted from a stored hash (128 MB at most)
_PIN = re.compile(r"^[0-9]{4,12}$")


def check_new(pin: str) -> str:
    """A PIN as typed, or MoocError saying what a PIN is."""
    text = pin.strip()
    if not _PIN.match(text):
        raise MoocError(_("a PIN is 4 to 12 digits"))
    return text


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(check_new(pin).encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return "$".join(("scrypt", str(N), str(R), str(P), _b64(salt), _b64(digest)))


def is_hash(text: object) -> bool:
    """Whether `text` has the shape of a stored PIN (learners.toml, export files)."""
    try:
        _parse(text)
    except ValueError:
        return False
    return True


def verify(pin: str, stored: str) -> bool:
    """Whether `pin` is the PIN `stored` was made from (constant-time compare)."""
    try:
        n, r, p, salt, digest = _parse(stored)
    except ValueError:
        return False
    try:
        got = hashlib.scrypt(
            pin.strip().encode(), salt=salt, n=n, r=r, p=p, dklen=len(digest), maxmem=256 * 1024 * 1024
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, digest)


def _parse(stored: object) -> tuple[int, int, int, bytes, bytes]:
    if not isinstance(stored, str) or len(stored) > 512:
        raise ValueError(_("not a PIN hash"))
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or not all(x.isdigit() for x in parts[1:4]):
        raise ValueError(_("not a PIN hash"))
    n, r, p = (int(x) for x in parts[1:4])
    if n < 2 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 4 or n * r > MAX_COST:
        raise ValueError(_("PIN hash parameters out of bounds"))
    try:
        salt, digest = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except ValueError:
        raise ValueError(_("not a PIN hash")) from None
    if not 8 <= len(salt) <= 64 or not 16 <= len(digest) <= 64:
        raise ValueError(_("not a PIN hash"))
    return n, r, p, salt, digest


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unlock(learner: object, ask: Callable[[str], str | None], say: Callable[[str], None]) -> None:
    """Ask for the learner's PIN (when they have one) at most MAX_TRIES times; returns
    when it was right, else MoocError. `ask(prompt)` returns the line typed, or None
    when there is no more input."""
    stored = getattr(learner, "pin", None)
    if not stored:
        return
    from packages.safe_text import one_line

    name = one_line(getattr(learner, "name", ""))
    for attempt in range(1, MAX_TRIES + 1):
        typed = ask(f"PIN for {name}: ")
        if typed is None:
            raise MoocError(_("{name}'s PIN was not given; nothing was opened").format(name=name))
        if verify(typed, stored):
            return
        left = MAX_TRIES - attempt
        if left:
            say(f"Wrong PIN. {left} tr{'ies' if left != 1 else 'y'} left.")
    raise MoocError(
        _(
            "wrong PIN {MAX_TRIES} times for {name}; nothing was opened (a teacher can set a new PIN "
            "by importing the class roster again)"
        ).format(MAX_TRIES=MAX_TRIES, name=name)
    )
