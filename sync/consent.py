"""Which LRS hosts each learner approved: a pack alone never sends anyone's data.

A course pack names an endpoint, but nothing leaves the machine for a host until the
learner approved that host (the TUI asks; `mooc consent allow HOST` on the shell).
Approvals are per learner (``layout.consent_file(learner)``, TOML written atomically)
and can be listed and withdrawn. Hosts are ``host[:port]`` in lowercase.

API for the TUI: `Consent(layout, learner_id)` with `.allowed(host)`, `.allow(host)`,
`.revoke(host)`, `.list()`; `pending_hosts(layout, learner_id)` names the hosts the
learner's courses want to send to and that are not approved yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout
from packages.safe_text import one_line
from packages.urls import host_of
from player.events import now_iso
from sync.endpoints import printable

FORMAT = "mooc-sync-consent"


@dataclass(frozen=True)
class Approval:
    host: str
    approved: str  # when (UTC ISO)


class Consent:
    def __init__(self, layout: Layout, learner_id: str) -> None:
        self.layout = layout
        self.learner_id = learner_id
        self.path = layout.consent_file(learner_id)

    def list(self) -> list[Approval]:
        from player.config import read_toml

        raw = read_toml(self.path)
        hosts = raw.get("hosts", [])
        if not isinstance(hosts, list):
            raise MoocError(_("{path}: 'hosts' must be an array of tables").format(path=self.path))
        out = []
        for entry in hosts:
            if isinstance(entry, dict) and isinstance(entry.get("host"), str):
                approved = entry.get("approved")
                out.append(Approval(entry["host"], approved if isinstance(approved, str) else ""))
        return out

    def allowed(self, host_or_url: str) -> bool:
        """Approved by the learner, or by the school for every learner (player/lab_policy.py)."""
        from player.lab_policy import approved_by_school

        host = host_of(host_or_url)
        return any(a.host == host for a in self.list()) or approved_by_school(self.layout, host)

    def allow(self, host_or_url: str) -> Approval:
        host = _check_host(host_or_url)
        approval = Approval(host, now_iso())

        def change(current: list[Approval]) -> list[Approval]:
            return current if any(a.host == host for a in current) else [*current, approval]

        self._update(change)
        return approval

    def revoke(self, host_or_url: str) -> bool:
        host = _check_host(host_or_url)
        found = False

        def change(current: list[Approval]) -> list[Approval]:
            nonlocal found
            found = any(a.host == host for a in current)
            return [a for a in current if a.host != host]

        self._update(change)
        return found

    def _update(self, change: Any) -> None:
        import tomli_w

        from player.config import locked, write_atomic

        with locked(self.path):
            approvals = change(self.list())
            doc = {
                "format": FORMAT,
                "version": 1,
                "hosts": [{"host": a.host, "approved": a.approved} for a in approvals],
            }
            write_atomic(self.path, tomli_w.dumps(doc).encode("utf-8"), mode=0o600)


def _check_host(host_or_url: str) -> str:
    host = host_of(host_or_url.strip()) if printable(host_or_url.strip()) else ""
    if not host or not printable(host) or "/" in host:
        raise MoocError(
            _("{value!r} is not a host name (e.g. lrs.example.org)").format(value=one_line(host_or_url)[:100])
        )
    return host


def may_send(layout: Layout, learner: str, host: str) -> bool:
    """Whether LEARNER's records may go to HOST. Imported records (learner
    ``imported:<id>``) were approved on the machine they came from. A damaged consent
    file counts as no approval, for that learner only (one warning naming it)."""
    if learner.startswith("imported:"):
        return True
    try:
        return Consent(layout, learner).allowed(host)
    except MoocError as err:
        from packages.notices import warn

        warn(_("{err}; {learner}'s records wait until the file is fixed").format(err=err, learner=learner))
        return False


def pending_hosts(layout: Layout, learner_id: str, notes: list[str] | None = None) -> list[str]:
    """Hosts this learner's courses would send records to that the learner has not approved.
    A course whose endpoint is not a valid URL is left out (one note naming it)."""
    from sync.collect import course_endpoints

    consent = Consent(layout, learner_id)
    hosts: list[str] = []
    for _course, endpoint in course_endpoints(layout, learner_id, notes).items():
        if endpoint is not None and not consent.allowed(endpoint.host) and endpoint.host not in hosts:
            hosts.append(endpoint.host)
    return hosts
