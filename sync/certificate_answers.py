"""Fetch the provider's answers to a learner's certificate requests in the background.

`mooc play`'s sync worker calls `fetch_answers` after each round (the sync agent,
`mooc sync --watch`, for every learner, and less often): when the learner
has a request the LRS holds (`sent`) and no answer yet, it pulls only the provider's
answer statements (two small queries per course, sync/pull.py with `verbs`), so
`mooc certificate status` and the progress screen say issued / refused without the
learner running `mooc sync --pull`.
"""

from __future__ import annotations

from typing import Any

from packages.layout import Layout
from sync.statements import VERB_CERTIFICATE_ISSUED, VERB_CERTIFICATE_REFUSED

ANSWER_VERBS = (VERB_CERTIFICATE_ISSUED[0], VERB_CERTIFICATE_REFUSED[0])


def awaiting(layout: Layout, learner: Any) -> list[str]:
    """The courses where this learner's request was sent and is not answered yet."""
    from sync.certificates import status

    return sorted({r.course_id for r in status(layout, learner) if r.state == "sent"})


def fetch_answers(
    layout: Layout, learner: Any, *, guard: Any = None, allow_insecure_http: bool = False, max_bytes: int | None = None
) -> int:
    """Pull the answers for the courses awaiting one; how many answer events are new here.
    `max_bytes`: the most one answer may weigh (smaller on a metered link, sync/metered.py)."""
    from sync.pull import pull

    added = 0
    for course_id in awaiting(layout, learner):
        for result in pull(
            layout,
            learner,
            course_id,
            guard=guard,
            allow_insecure_http=allow_insecure_http,
            verbs=ANSWER_VERBS,
            max_bytes=max_bytes,
        ):
            added += sum(result.added.values())
    return added
