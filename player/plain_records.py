"""Plain mode's word on the learner's records and certificate.

`mooc play --plain` does not upload, but says what the TUI shows: where the learner's
records go and who approved it (asking, as the TUI asks, for the approval the course
waits for), how many wait to be sent when the learner leaves, and where the
certificate stands, with its request after a yes. The facts come from the caller: a
`Records` (sync/learner_notes.py has one) and `Certificates` (the CLI gives
sync/certificate_offer.py's two functions). `PlainRecords` is a part of `PlainPlayer`
(player/plain.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from packages.errors import MoocError
from packages.i18n import _, ngettext
from packages.safe_text import one_line
from player.plain_console import PlainConsole

if TYPE_CHECKING:
    from player.session import CourseSession


class Records(Protocol):
    """What plain mode may tell about the learner's records (sync/learner_notes.py)."""

    interactive: bool  # a person at a terminal, who can be asked (not a script feeding stdin)

    def approval(self) -> tuple[str | None, str | None]: ...  # (host, "you" | the school | None)

    def allow(self, host: str) -> None: ...

    def waiting(self) -> tuple[int, str | None, bool]: ...  # (records, host, approved)


class CertificateOffer(Protocol):
    """Where the learner stands with the certificate, in words (sync/certificate_offer.py)."""

    @property
    def can_request(self) -> bool: ...

    @property
    def state(self) -> str | None: ...

    @property
    def lines(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Certificates:
    """What plain mode may do about the certificate; the caller gives the two acts."""

    offer: Callable[[Any, Any, Any], CertificateOffer]  # (layout, learner, session): where it stands
    request: Callable[[Any, Any, str], str]  # (layout, learner, course id): one line on what happens next


class PlainRecords(PlainConsole):
    """The learner's records and certificate, said in plain lines."""

    session: CourseSession
    layout: Any  # packages.layout.Layout: certificates need it (None: not offered)
    records: Records | None
    certificates: Certificates | None

    def records_intro(self) -> None:
        """Where the records go and who approved it; the approval the course waits for,
        asked as the TUI asks; a certificate that can be requested."""
        if self.records is not None:
            host, who = self.records.approval()
            if host and who and who != "you":
                self.say(
                    _(
                        "Your learning records go to {host}, approved by {who} for every learner of this computer."
                    ).format(host=one_line(host), who=one_line(who))
                )
            elif host and who is None and self.records.interactive:
                self.ask_consent(host)
            elif host and who is None:  # a script is not a person: it cannot consent for one
                self.say(
                    _(
                        "This course sends learning records to {host}; nothing is sent until the "
                        "learner allows it: `mooc consent allow {host}`."
                    ).format(host=one_line(host))
                )
        self.certificate_note()

    def ask_consent(self, host: str) -> None:
        assert self.records is not None
        said = (
            _(
                "This course sends {name}'s learning records (lessons done, quiz answers and scores) to "
                "{host}. Nothing is sent until you allow it; you can withdraw it later with "
                "`mooc consent revoke {host}`."
            )
            if self.session.learner is not None
            else _(
                "This course sends your learning records (lessons done, quiz answers and scores) to "
                "{host}. Nothing is sent until you allow it; you can withdraw it later with "
                "`mooc consent revoke {host}`."
            )
        )
        name = one_line(self.session.learner.name) if self.session.learner is not None else ""
        self.say(said.format(name=name, host=one_line(host)))
        if self.confirm(
            _("Allow sending your records there?"),
            safe=False,
            safe_means=_("nothing is sent, and you are asked again next time"),
        ):
            try:
                self.records.allow(host)
            except MoocError as err:
                self.say(one_line(str(err)))
                return
            self.say(_("Your records will be sent to {host}.").format(host=one_line(host)))
        else:
            self.say(_("Nothing is sent to {host}. You are asked again next time.").format(host=one_line(host)))

    def certificate_note(self) -> None:
        """When the certificate can be requested now, say so (in the `Certificates` offer's words)."""
        lines, can_request = self.certificate_lines()
        if can_request:
            for line in lines:
                self.say(line.removeprefix("- "))

    def records_outro(self) -> None:
        """How many records wait to be sent, and what sends them."""
        if self.records is None:
            return
        try:
            count, host, approved = self.records.waiting()
        except MoocError:
            return
        if not count or host is None:
            return
        if approved:
            said = ngettext(
                "{n} record of yours waits to be sent to {host}: it goes with the next `mooc sync`, or while "
                "the full-screen player runs online.",
                "{n} records of yours wait to be sent to {host}: they go with the next `mooc sync`, or while "
                "the full-screen player runs online.",
                count,
            )
        else:
            said = ngettext(
                "{n} record of yours waits for your approval of {host}: `mooc consent allow {host}` lets it go.",
                "{n} records of yours wait for your approval of {host}: `mooc consent allow {host}` lets them go.",
                count,
            )
        self.say(said.format(n=count, host=one_line(host)))

    def certificate_lines(self) -> tuple[tuple[str, ...], bool]:
        """What to say about the certificate, and whether it can be requested now."""
        if self.layout is None or self.certificates is None or self.session.learner is None:
            return (_("Certificate: not available when playing a pack that is not installed."),), False
        try:
            offer = self.certificates.offer(self.layout, self.session.learner, self.session)
        except MoocError as err:
            return (_("Certificate: {error}").format(error=one_line(str(err))),), False
        extra = (_("Type certificate to request it."),) if offer.can_request else ()
        if offer.state == "waiting for approval":
            extra = (_("Allow it with: mooc consent allow HOST (the host named above)."),)
        return (*offer.lines, *extra), offer.can_request

    def certificate(self) -> None:
        """`certificate`: request it, after a yes, when the learner passed and the course
        names where requests go; otherwise say where things stand."""
        lines, can_request = self.certificate_lines()
        for line in lines:
            if line != _("Type certificate to request it."):
                self.say(line.removeprefix("- "))
        if not can_request:
            return
        if not self.confirm(_("Request your certificate now?"), safe=False, safe_means=_("nothing was requested")):
            self.say(_("Nothing was requested."))
            return
        assert self.certificates is not None  # certificate_lines said it can be requested
        try:
            self.say(self.certificates.request(self.layout, self.session.learner, self.session.course.id))
        except MoocError as err:
            self.say(one_line(str(err)))
