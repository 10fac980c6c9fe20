"""`mooc sync --pull`: rebuild a learner's progress from the statements the LRS holds.

So a learner can continue on another lab PC. For each endpoint the learner's
courses use (and the learner approved), GET /statements filtered by the learner's
agent (and the course activity, with related_activities, when a course is given),
following `more` links. Every statement that carries a mooc event
(``context.extensions[EXT_EVENT]``, see sync/statements.py) gives back that event
exactly; merging follows documented rules (docs/sync.md): the union of events by
id (player/progress.py `EventLog.merge`), so best scores, attempts, completions and
time spent are recomputed from the whole history by the session fold. Pulled
events are recorded in the outbox as already on the LRS, never sent back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from packages.errors import MoocError
from packages.layout import Layout
from player.events import Event
from sync.consent import Consent
from sync.endpoints import Endpoint, check_transport, sync_config
from sync.outbox import Outbox
from sync.statements import Actor, course_iri, event_of, question_statement_id


@dataclass
class PullResult:
    endpoint: str
    statements: int = 0
    events: int = 0
    added: dict[str, int] = field(default_factory=dict)  # course -> events new here


def _endpoints(layout: Layout, course_id: str | None) -> dict[str, tuple[Endpoint, list[str]]]:
    """endpoint url -> (endpoint, courses) for installed courses (or the one given)."""
    from packages.store import Store
    from sync.collect import endpoint_for

    if course_id:
        ids = [course_id]
    else:
        ids = sorted({c.id for c in Store(layout).list()})
    out: dict[str, tuple[Endpoint, list[str]]] = {}
    for cid in ids:
        endpoint = endpoint_for(layout, cid)
        if endpoint is None:
            if course_id:
                raise MoocError(f"course {course_id} names no LRS endpoint (set one with "
                                f"[sync.courses.{course_id}] endpoint in {layout.config_file})")
            continue
        out.setdefault(endpoint.url, (endpoint, []))[1].append(cid)
    return out


def pull(layout: Layout, learner: object, course_id: str | None = None, *,
         allow_insecure_http: bool = False) -> list[PullResult]:
    from player.progress import EventLog
    from sync.credentials import lookup
    from sync.lrs_client import LRSClient, TransportError

    lid = getattr(learner, "id")
    actor = Actor(getattr(learner, "email", None), getattr(learner, "account_id"))
    results = []
    targets = _endpoints(layout, course_id)
    if not targets:
        raise MoocError("no installed course names an LRS endpoint: nothing to pull from")
    for url, (endpoint, courses) in targets.items():
        if not Consent(layout, lid).allowed(endpoint.host):
            raise MoocError(f"{endpoint.host} is not approved for {lid}: approve it first with "
                            f"`mooc consent allow {endpoint.host} --learner {lid}`")
        creds = lookup(layout, endpoint)
        check_transport(endpoint, allow_insecure_http or bool(sync_config(layout).get("allow_insecure_http"))
                        or bool(creds and creds.allow_insecure_http))
        client = LRSClient(endpoint, creds)
        result = PullResult(endpoint.url)
        params = {"agent": json.dumps(actor.to_xapi(endpoint.origin), separators=(",", ":")),
                  "limit": "500"}
        if course_id:
            params.update(activity=course_iri(course_id), related_activities="true")
        events: dict[str, list[tuple[str, str, int, Event]]] = {}
        try:
            answer = client.query(params)
            while True:
                if answer.status in (401, 403):
                    raise MoocError(f"{endpoint.host} refused the credentials ({answer.status}): log in with "
                                    f"`mooc login {endpoint.url} --user NAME`")
                if answer.status != 200:
                    raise MoocError(f"{endpoint.host} answered {answer.status} to the query: {answer.detail}")
                try:
                    page = answer.json()
                    statements = page.get("statements", [])
                except (ValueError, AttributeError):
                    raise MoocError(f"{endpoint.host}: the answer to the query is not an xAPI result") from None
                for st in statements:
                    result.statements += 1
                    event = event_of(st) if isinstance(st, dict) else None
                    if event is not None and (course_id is None or event.course_id == course_id):
                        # Order ties of event time by stored time, then by the LRS's order.
                        events.setdefault(event.course_id, []).append(
                            (event.time, str(st.get("stored") or ""), result.statements, event))
                more = page.get("more")
                if not more:
                    break
                answer = client.more(str(more))
        except TransportError as err:
            raise MoocError(f"cannot reach {endpoint.host}: {err}") from None
        finally:
            client.close()
        outbox = Outbox(layout, endpoint)
        for cid, found in events.items():
            evs = [e for *_key, e in sorted(found, key=lambda f: f[:3])]
            result.events += len(evs)
            # Outbox first: a crash between the two must not make us send these back.
            with outbox.adding() as adder:
                adder.add([_known(lid, e) for e in evs])
            added = EventLog.for_course(layout, lid, cid).merge(evs)
            result.added[cid] = len(added)
        results.append(result)
    return results


def _known(learner_id: str, event: Event) -> dict[str, object]:
    ids = [event.id]
    if event.type == "attempt":
        ids += [question_statement_id(event, q) for q in event.data.get("questions") or [] if isinstance(q, dict)]
    return {"event": event.id, "learner": learner_id, "course": event.course_id, "type": event.type,
            "known": True, "statements": [{"id": i} for i in ids]}
