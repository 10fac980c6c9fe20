"""Where each learning record store stands on this machine: records pending (per
learner, and those waiting for a learner's consent), records set aside, the last
success and error, and whether the LRS refused the credentials.

`mooc sync --status` prints it; the rows are plain JSON-ready dicts.
"""

from __future__ import annotations

from typing import Any

from packages.layout import Layout
from sync.collect import collect
from sync.consent import may_send
from sync.outbox import all_outboxes


def endpoint_status(layout: Layout) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per endpoint with an outbox, and the notes collecting raised."""
    report = collect(layout)
    warnings = list(report.notes)
    rows = []
    for outbox in all_outboxes(layout):
        pending = outbox.pending()
        per_learner: dict[str, int] = {}
        waiting: dict[str, int] = {}
        approved: dict[str, bool] = {}
        for e in pending:
            if e.learner not in approved:
                approved[e.learner] = may_send(layout, e.learner, outbox.endpoint.host)
            bucket = per_learner if approved[e.learner] else waiting
            bucket[e.learner] = bucket.get(e.learner, 0) + 1
        status = outbox.status()
        aside = [
            {"id": e.id, "learner": e.learner, "course": e.course, "state": a.state, "reason": a.reason}
            for e, a in outbox.set_aside()
        ]
        rows.append(
            {
                "endpoint": outbox.endpoint.url,
                "host": outbox.endpoint.host,
                "pending": sum(per_learner.values()),
                "pending_by_learner": per_learner,
                "waiting_consent": waiting,
                "set_aside": aside,
                "last_success": status.get("last_success"),
                "last_attempt": status.get("last_attempt"),
                "last_error": status.get("last_error"),
                "last_error_time": status.get("last_error_time"),
                "needs_login": bool(status.get("auth_refused")),
            }
        )
    return rows, warnings
