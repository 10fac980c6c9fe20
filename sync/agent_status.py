"""`mooc sync --agent-status`: is the sync agent installed, does it run, what did it do?

One JSON-ready dict: the files that start it (this account's, and the administrator's
for every account) and what the lab policy says; whether an agent holds this data
folder's lock (sync/agent_state.py) and what its state.json says (state, probes,
rounds, the next probe, metered or not); and, from the outboxes themselves
(sync/endpoint_status.py), the records pending and the last success.
"""

from __future__ import annotations

from typing import Any

from packages.layout import Layout
from sync import agent_state
from sync.agent_install import enabled, installed
from sync.endpoint_status import endpoint_status


def agent_status(layout: Layout) -> dict[str, Any]:
    from player.lab_policy import load

    policy = load(layout)
    mine = [{"kind": k, "path": str(p), "enabled": k != "systemd" or enabled(p)} for k, p in installed(layout)]
    everyone = [
        {"kind": k, "path": str(p), "enabled": k != "systemd" or enabled(p)}
        for k, p in installed(layout, everyone=True)
    ]
    rows, warnings = endpoint_status(layout)
    running = agent_state.running(layout)
    state = agent_state.read(layout)
    successes = [r["last_success"] for r in rows if r["last_success"]]
    errors = [r["last_error"] for r in rows if r["last_error"]]
    return {
        "installed": bool(mine or everyone) and policy.agent != "forbidden",
        "files": mine,
        "for_every_account": everyone,
        "policy": policy.agent or "each account chooses",
        "policy_file": str(policy.path),
        "running": running,
        "pid": state.get("pid") if running else None,
        "state": state.get("state", "waiting") if running else "not running",
        "started": state.get("started"),
        "probes": state.get("probes", 0),
        "rounds": state.get("rounds", 0),
        "last_probe": state.get("last_probe"),
        "next_probe": state.get("next_probe") if running else None,
        "metered": state.get("metered"),
        "last_round": state.get("last_round"),
        "last_success": max(successes) if successes else None,
        "last_error": errors[0] if errors else None,
        "pending": sum(r["pending"] for r in rows),
        "waiting_consent": sum(sum(r["waiting_consent"].values()) for r in rows),
        "warnings": warnings,
    }
