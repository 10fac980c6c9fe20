"""Plain mode's console: a line out, a line in, and a yes or no that always ends.

`PlainConsole` is the part of `PlainPlayer` (player/plain.py) every other part speaks
through: `say` writes a line, `ask` reads one (stdin closed: `EndOfInput`) and counts
as activity, `confirm` asks a yes/no at most YES_NO_TRIES times, then takes the safe
answer and says so. Numbers are written without needless decimals (`fmt_points`, `pct`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from packages.i18n import _
from packages.safe_text import one_line

if TYPE_CHECKING:
    from player.session import ActivityClock

YES_WORDS = {"y", "yes", "o", "oui"}  # the English words always work; French ones too
NO_WORDS = {"n", "no", "non"}
YES_NO_TRIES = 3  # asked this many times at most, then the safe answer is taken (and said)


class EndOfInput(Exception):
    """stdin closed: leave cleanly (everything recorded so far is already saved)."""


def fmt_points(value: float) -> str:
    """3.0 -> "3", 2.5 -> "2.5", 2.3333 -> "2.33": no needless decimals."""
    rounded = round(value, 2)
    if abs(rounded - round(rounded)) < 1e-9:
        return str(int(round(rounded)))
    return f"{rounded:.2f}".rstrip("0").rstrip(".")


def pct(value: float) -> str:
    """0.125 -> "12.5%" ("12,5 %" to a French reader)."""
    from packages.local_numbers import percent_text

    return percent_text(fmt_points(value * 100))


class PlainConsole:
    """Plain mode's I/O: one line out, one line in."""

    stdin: TextIO
    stdout: TextIO
    clock: ActivityClock

    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def ask(self, prompt: str) -> str:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.say()
            raise EndOfInput
        self.clock.touch()
        return line.strip()

    def confirm(self, question: str, *, safe: bool, safe_means: str) -> bool:
        """A yes/no question: y, yes, n or no in any case. Anything else is asked again,
        at most YES_NO_TRIES times; then, or when input ends, the `safe` answer is
        taken and `safe_means` says what that does."""
        for _try in range(YES_NO_TRIES):
            try:
                answer = self.ask(_("{question} Type y or n: ").format(question=question)).casefold()
            except EndOfInput:
                self.say(_("No answer: {means}.").format(means=safe_means))
                raise
            if answer in YES_WORDS:
                return True
            if answer in NO_WORDS:
                return False
            self.say(
                _("Type y for yes or n for no, not {answer}.").format(answer=repr(one_line(answer)))
                if answer
                else _("Type y for yes or n for no.")
            )
        self.say(_("No yes or no after {n} tries: {means}.").format(n=YES_NO_TRIES, means=safe_means))
        return safe
