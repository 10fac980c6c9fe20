"""The learning record stores a lab's administrator approves for every learner of a
computer (`approved_hosts` in the lab policy), added and taken away.

`mooc lab approve` / `mooc lab revoke` are the commands over this.
"""

from __future__ import annotations

from typing import Any

from packages.layout import Layout
from packages.safe_text import one_line
from player import lab_policy
from sync.consent import _check_host


def _lrs(raw: dict[str, Any]) -> dict[str, Any]:
    """The policy's [lrs] table, or an empty one."""
    lrs = raw.get("lrs")
    return lrs if isinstance(lrs, dict) else {}


def _approved(layout: Layout, host_or_url: str) -> tuple[str, dict[str, Any], list[str]]:
    """(the host, the policy as stored, its approved hosts)."""
    raw = dict(lab_policy.load(layout).raw)
    lrs = _lrs(raw)
    return _check_host(host_or_url), raw, [h for h in lrs.get("approved_hosts", []) if isinstance(h, str)]


def _save(layout: Layout, raw: dict[str, Any], hosts: list[str]) -> None:
    raw["lrs"] = {**_lrs(raw), "approved_hosts": hosts}
    lab_policy.write(layout, raw)


def approve_host(layout: Layout, host_or_url: str, school: str | None = None) -> str:
    """Approve HOST for every learner (and name the school, when given); the host."""
    host, raw, hosts = _approved(layout, host_or_url)
    if school:
        raw["school"] = one_line(school)[:120]
    _save(layout, raw, hosts if host in hosts else [*hosts, host])
    return host


def revoke_host(layout: Layout, host_or_url: str) -> tuple[str, bool]:
    """Take HOST off the approved list: (the host, whether it was on it)."""
    host, raw, hosts = _approved(layout, host_or_url)
    if host not in hosts:
        return host, False
    _save(layout, raw, [h for h in hosts if h != host])
    return host, True
