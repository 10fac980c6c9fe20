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

The LRS is outside input. Each event is checked by `player/event_schema.py` (and its
id must be a UUID, its course id one a progress file can be named by) before it is
merged (a bad one would break the learner's progress for good); statements whose
event is not a valid mooc event of this learner are skipped and counted. A pull
reads at most MAX_PAGES pages and MAX_STATEMENTS statements, stops at a `more` link
it has already followed or one leading to another host, and stops at the run's
deadline (`guard`, sync/deadline.py). Whatever stops an endpoint, the valid events read
before are merged, and the other endpoints are still pulled.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from packages.errors import MoocError
from packages.i18n import _, ngettext
from packages.layout import Layout
from packages.netguard import Guard, TooSlow
from player.event_schema import event_problem
from player.events import Event
from sync.consent import Consent
from sync.endpoints import Endpoint, check_transport, sync_config
from sync.outbox import Outbox
from sync.statements import EXT_EVENT, Actor, course_iri, event_dict, question_statement_id

if TYPE_CHECKING:
    from player.learner_identity import Learner

PAGE_SIZE = 200
MAX_PAGES = 500
MAX_STATEMENTS = 100_000


@dataclass
class PullResult:
    endpoint: str
    host: str = ""
    statements: int = 0
    events: int = 0
    added: dict[str, int] = field(default_factory=dict)  # course -> events new here
    skipped: int = 0  # statements carrying an event that is not a valid mooc event of this learner
    skip_reasons: list[str] = field(default_factory=list)  # the first few distinct reasons
    error: str | None = None  # what stopped this endpoint (what was read before is merged)

    def skip(self, reason: str) -> None:
        self.skipped += 1
        if reason not in self.skip_reasons and len(self.skip_reasons) < 3:
            self.skip_reasons.append(reason)

    @property
    def skip_note(self) -> str | None:
        if not self.skipped:
            return None
        return ngettext(
            "{host}: skipped {n} statement that is not mooc's: {reasons}",
            "{host}: skipped {n} statements that are not mooc's: {reasons}",
            self.skipped,
        ).format(
            host=self.host,
            n=self.skipped,
            reasons="; ".join(self.skip_reasons) + ("; ..." if self.skipped > len(self.skip_reasons) else ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "statements": self.statements,
            "events": self.events,
            "added": self.added,
            "skipped": self.skipped,
            "skip_reasons": self.skip_reasons,
            "error": self.error,
        }


def _endpoints(layout: Layout, course_id: str | None, notes: list[str]) -> dict[str, tuple[Endpoint, list[str]]]:
    """endpoint url -> (endpoint, courses) for installed courses (or the one given). A
    course whose endpoint is not a valid URL is skipped with a note (fatal only when named)."""
    from packages.store import Store
    from sync.collect import endpoint_for, skipped_course

    if course_id:
        ids = [course_id]
    else:
        ids = sorted({c.id for c in Store(layout).list()})
    out: dict[str, tuple[Endpoint, list[str]]] = {}
    for cid in ids:
        try:
            endpoint = endpoint_for(layout, cid)
        except MoocError as err:
            if course_id:
                raise
            notes.append(skipped_course(cid, _("course {course_id} is not pulled: {why}"), err))
            continue
        if endpoint is None:
            if course_id:
                raise MoocError(
                    _(
                        "course {course_id} names no LRS endpoint (set one with [sync.courses.{course_id}] endpoint in {config_file})"
                    ).format(course_id=course_id, config_file=layout.config_file)
                )
            continue
        out.setdefault(endpoint.url, (endpoint, []))[1].append(cid)
    return out


def pull(
    layout: Layout,
    learner: Learner,
    course_id: str | None = None,
    *,
    allow_insecure_http: bool = False,
    guard: Guard | None = None,
    notes: list[str] | None = None,
    verbs: tuple[str, ...] | None = None,
    max_bytes: int | None = None,
) -> list[PullResult]:
    """Pull every endpoint (or the one of `course_id`); each result says what happened.
    `verbs`: only the statements with these verbs (one query each), e.g. the provider's
    answers to certificate requests (sync/certificate_answers.py). `max_bytes`: the most
    one answer may weigh (the client's cap by default; smaller on a metered link)."""
    notes = notes if notes is not None else []
    targets = _endpoints(layout, course_id, notes)
    if not targets:
        raise MoocError(_("no installed course names an LRS endpoint: nothing to pull from"))
    results = []
    for endpoint, _courses in targets.values():
        result = PullResult(endpoint.url, endpoint.host)
        found: dict[str, list[tuple[str, str, int, Event]]] = {}
        try:
            for verb in verbs or (None,):
                _read(layout, learner, endpoint, course_id, allow_insecure_http, guard, result, found, verb, max_bytes)
        except TooSlow as err:
            result.error = f"{endpoint.host}: {err}; what was read is merged"
        except MoocError as err:
            result.error = str(err)
        _merge(layout, learner.id, endpoint, found, result)
        results.append(result)
    return results


def _read(
    layout: Layout,
    learner: Learner,
    endpoint: Endpoint,
    course_id: str | None,
    allow_insecure_http: bool,
    guard: Guard | None,
    result: PullResult,
    found: dict[str, list[tuple[str, str, int, Event]]],
    verb: str | None = None,
    max_bytes: int | None = None,
) -> None:
    """Read the learner's statements (with `verb`, only those) from one endpoint into
    `found` (course -> events)."""
    from player.progress import EventLog
    from sync.credentials import lookup
    from sync.lrs_client import MAX_ANSWER_BYTES, LRSClient, MalformedAnswer
    from sync.retry import Retry, Transient

    lid = learner.id
    host = endpoint.host
    if not Consent(layout, lid).allowed(host):
        raise MoocError(
            _(
                "{host} is not approved for {lid}: approve it first with `mooc consent allow {host} --learner {lid}`"
            ).format(host=host, lid=lid)
        )
    creds = lookup(layout, endpoint)
    check_transport(
        endpoint,
        allow_insecure_http
        or bool(sync_config(layout).get("allow_insecure_http"))
        or bool(creds and creds.allow_insecure_http),
    )
    agent = Actor(learner.email, learner.account_id).to_xapi(endpoint.origin)
    params = {"agent": json.dumps(agent, separators=(",", ":")), "limit": str(PAGE_SIZE)}
    if course_id:
        params.update(activity=course_iri(course_id), related_activities="true")
    if verb:
        params["verb"] = verb
    client = LRSClient(endpoint, creds, guard=guard, max_bytes=max_bytes or MAX_ANSWER_BYTES)
    retry = Retry(host, guard=guard)  # a dropped connection is tried again, as uploads are

    def course_ok(cid: str) -> bool:
        """Whether a progress file can be named by this course id (player/progress.py says)."""
        try:
            EventLog.for_course(layout, lid, cid)
        except MoocError:
            return False
        return True

    seen_links: set[str] = set()
    seen_events: set[str] = set()
    try:
        answer = retry.call(lambda: client.query(params))
        pages = 1
        while True:
            page = _page_of(answer, endpoint)
            for st in page["statements"]:
                result.statements += 1
                _take(st, agent, course_id, course_ok, result, found, seen_events)
            more = _more_of(page, host)
            if not more:
                return
            url = client.more_url(more)
            if url in seen_links:
                raise MalformedAnswer(
                    _(
                        "{host}: the LRS sent a 'more' link it had sent before (after {pages} pages); stopped there"
                    ).format(host=host, pages=pages)
                )
            if pages >= MAX_PAGES or result.statements >= MAX_STATEMENTS:
                raise MalformedAnswer(
                    ngettext(
                        "{host}: stopped after {pages} pages and {n} statement (the most one pull reads); what was read is merged",
                        "{host}: stopped after {pages} pages and {n} statements (the most one pull reads); what was read is merged",
                        result.statements,
                    ).format(host=host, pages=pages, n=result.statements)
                )
            seen_links.add(url)
            answer = retry.call(partial(client.more, url))
            pages += 1
    except Transient as err:
        raise MoocError(_("cannot reach {host}: {err}").format(host=host, err=err)) from None
    finally:
        client.close()


def _page_of(answer: Any, endpoint: Endpoint) -> dict[str, Any]:
    """A query answer that holds a list of `statements`; MoocError for anything else."""
    from sync.lrs_client import MalformedAnswer

    host = endpoint.host
    if answer.status in (401, 403):
        raise MoocError(
            _("{host} refused the credentials ({status}): log in with `mooc login {url} --user NAME`").format(
                host=host, status=answer.status, url=endpoint.url
            )
        )
    if answer.status != 200:
        raise MoocError(
            _("{host} answered {status} to the query: {detail}").format(
                host=host, status=answer.status, detail=answer.detail
            )
        )
    try:
        page = answer.json()
    except ValueError as err:
        raise MalformedAnswer(
            _("{host}: the answer to the query is not JSON ({err}; content type {content_type})").format(
                host=host, err=err, content_type=answer.content_type
            )
        ) from None
    if not isinstance(page, dict) or not isinstance(page.get("statements"), list):
        raise MalformedAnswer(
            _("{host}: the answer to the query is not an xAPI result (no list of 'statements')").format(host=host)
        )
    return page


def _more_of(page: dict[str, Any], host: str) -> str | None:
    from sync.lrs_client import MalformedAnswer

    more = page.get("more")
    if more is None or more == "":
        return None
    if not isinstance(more, str):
        raise MalformedAnswer(_("{host}: the 'more' of the answer is not a link").format(host=host))
    return more


def _take(
    st: Any,
    agent: dict[str, Any],
    course_id: str | None,
    course_ok: Callable[[str], bool],
    result: PullResult,
    found: dict[str, list[tuple[str, str, int, Event]]],
    seen: set[str],
) -> None:
    """Keep the event a statement carries, if it is a valid mooc event of this learner."""
    if not isinstance(st, dict):
        result.skip("a statement is not an object")
        return
    context = st.get("context")
    extensions = context.get("extensions") if isinstance(context, dict) else None
    if not isinstance(extensions, dict) or EXT_EVENT not in extensions:
        return  # a question statement, or another tool's: carries no mooc event
    raw = event_dict(st)  # the event, with what the statement says filled back in
    if raw is None:  # the event is no object: event_problem says so
        result.skip(event_problem(extensions[EXT_EVENT]) or "not an object")
        return
    problem = event_problem(raw)
    if problem is None and not _is_uuid(raw["id"]):
        problem = "'id' must be a UUID"
    if problem is None and not course_ok(raw["course_id"]):
        problem = "'course_id' must be a course id"
    if problem is None and st.get("id") != raw["id"]:
        problem = "its event belongs to another statement"
    if problem is None and not _is_agent(st.get("actor"), agent):
        problem = "it is about another learner"
    if problem is not None:
        result.skip(problem)
        return
    event = Event.from_dict(raw)
    if (course_id is not None and event.course_id != course_id) or event.id in seen:
        return
    seen.add(event.id)
    stored = st.get("stored")
    # Order ties of event time by stored time, then by the LRS's order.
    found.setdefault(event.course_id, []).append(
        (event.time, stored if isinstance(stored, str) else "", result.statements, event)
    )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _is_agent(actor: Any, agent: dict[str, Any]) -> bool:
    if not isinstance(actor, dict):
        return False
    if "mbox" in agent:
        return actor.get("mbox") == agent["mbox"]
    account = actor.get("account")
    return isinstance(account, dict) and all(account.get(k) == v for k, v in agent["account"].items())


def _merge(
    layout: Layout,
    lid: str,
    endpoint: Endpoint,
    found: dict[str, list[tuple[str, str, int, Event]]],
    result: PullResult,
) -> None:
    from player.progress import EventLog

    outbox = Outbox(layout, endpoint)
    for cid, items in found.items():
        evs = [e for *_key, e in sorted(items, key=lambda f: f[:3])]
        result.events += len(evs)
        # Outbox first: a crash between the two must not make us send these back.
        with outbox.adding() as adder:
            adder.add([_known(lid, e) for e in evs])
        added = EventLog.for_course(layout, lid, cid).merge(evs)
        result.added[cid] = len(added)


def _known(learner_id: str, event: Event) -> dict[str, object]:
    ids = [event.id]
    if event.type == "attempt":
        ids += [question_statement_id(event, q) for q in event.data.get("questions") or [] if isinstance(q, dict)]
    return {
        "event": event.id,
        "learner": learner_id,
        "course": event.course_id,
        "type": event.type,
        "known": True,
        "statements": [{"id": i} for i in ids],
    }
