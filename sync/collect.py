"""Turn every learner's new events into statements in the right endpoint's outbox.

Runs before each upload (and is cheap when nothing is new): for each progress log on
this machine (player/progress_files.py `iter_logs`), resolve the course's endpoint
(sync/endpoints.py), and generate statements for the events that outbox has not
seen yet. Generation needs no network and no consent; sending does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout
from player.events import PROVIDER_EVENT_TYPES, Event
from sync.endpoints import Endpoint, course_prefix, resolve, sync_config
from sync.outbox import Outbox
from sync.statements import NO_ACCOUNT_HOME, Actor, CourseShape, encode, statements_for


@dataclass
class CollectReport:
    added: dict[str, int] = field(default_factory=dict)  # endpoint url -> statements generated
    local_only: list[str] = field(default_factory=list)  # "learner/course" with no endpoint
    notes: list[str] = field(default_factory=list)


class _Courses:
    """Course facts loaded once per run: the pack's endpoint and its shape. An installed
    pack that no longer loads (damaged, or refused by a stricter mooc) is remembered in
    `errors`: it names no endpoint, and whoever needs one says why."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._cache: dict[str, tuple[str | None, CourseShape | None]] = {}
        self.errors: dict[str, str] = {}

    def get(self, course_id: str) -> tuple[str | None, CourseShape | None]:
        if course_id not in self._cache:
            from packages.store import Store

            store = Store(self.layout)
            try:
                course, _source = store.load(course_id)
                self._cache[course_id] = (course.xapi_endpoint, CourseShape.of(course))
            except MoocError as err:
                self._cache[course_id] = (None, None)
                if store.find(course_id) is not None:  # installed, yet it does not load
                    self.errors[course_id] = course_prefix(course_id) + str(err)
        return self._cache[course_id]

    def endpoint(self, course_id: str, config: dict[str, Any] | None = None) -> Endpoint | None:
        """The course's endpoint (sync/endpoints.py `resolve`); MoocError naming the course
        when it names one that is not a valid http(s) URL, or its pack does not load."""
        endpoint = resolve(self.layout, course_id, self.get(course_id)[0], config)
        if endpoint is None and course_id in self.errors:
            raise MoocError(self.errors[course_id])
        return endpoint


def course_endpoint(
    layout: Layout, courses: _Courses, course_id: str, config: dict[str, Any], notes: list[str] | None = None
) -> Endpoint | None:
    """The course's endpoint; None when it names none, or when it cannot be used (an
    invalid URL, a pack that does not load): that course is skipped with one note naming
    it, and the others go on."""
    try:
        return courses.endpoint(course_id, config)
    except MoocError as err:
        note = skipped_course(
            course_id, _("course {course_id} is not synced (its records stay on this machine): {why}"), err
        )
        if notes is not None and note not in notes:
            notes.append(note)
        return None


def skipped_course(course_id: str, said: str, err: MoocError) -> str:
    """One line naming a course left out, and why: SAID ("course {course_id} is not
    synced: {why}", translated) filled with the course and the error."""
    why = str(err).removeprefix(course_prefix(course_id))
    return said.format(course_id=course_id, why=why)


def course_endpoints(
    layout: Layout, learner_id: str | None = None, notes: list[str] | None = None
) -> dict[str, Endpoint | None]:
    """course id -> endpoint, for the courses this learner (or anyone) has progress in."""
    from player.progress_files import iter_logs

    courses = _Courses(layout)
    config = sync_config(layout)
    out: dict[str, Endpoint | None] = {}
    for lid, cid, _path in iter_logs(layout):
        if (learner_id is None or lid == learner_id) and cid not in out:
            out[cid] = course_endpoint(layout, courses, cid, config, notes)
    return out


def endpoint_for(layout: Layout, course_id: str) -> Endpoint | None:
    """The course's endpoint; MoocError (naming the course) when it cannot be used."""
    return _Courses(layout).endpoint(course_id)


def registration_of(events: list[Event]) -> str | None:
    """The registration of the learner's enrolment: the earliest `enrolled` event's."""
    best: Event | None = None
    for e in events:
        if e.type == "enrolled" and (best is None or e.time < best.time):
            best = e
    reg = best.data.get("registration") if best else None
    return str(reg) if reg else None


def records_for(
    events: list[Event],
    learner_id: str,
    actor: Actor,
    endpoint: Endpoint | None,
    shape: CourseShape | None,
    registration: str | None,
) -> list[dict[str, Any]]:
    home = endpoint.origin if endpoint else NO_ACCOUNT_HOME
    out = []
    for e in events:
        if e.type in PROVIDER_EVENT_TYPES:  # the provider's answer, pulled: already on the LRS
            out.append(
                {
                    "event": e.id,
                    "learner": learner_id,
                    "course": e.course_id,
                    "type": e.type,
                    "known": True,
                    "statements": [{"id": e.id}],
                }
            )
            continue
        statements = statements_for(e, actor, home, registration, shape)
        out.append(
            {
                "event": e.id,
                "learner": learner_id,
                "course": e.course_id,
                "type": e.type,
                "statements": [{"id": st["id"], "body": encode(st)} for st in statements],
            }
        )
    return out


def collect(layout: Layout) -> CollectReport:
    """Generate statements for every new event on this machine into the outboxes."""
    from player.learners import Learners
    from player.progress import EventLog
    from player.progress_files import iter_logs

    report = CollectReport()
    learners = {lr.id: lr for lr in Learners(layout).list()}
    courses = _Courses(layout)
    config = sync_config(layout)
    work: dict[str, tuple[Outbox, list[tuple[str, str]]]] = {}
    for lid, cid, _path in iter_logs(layout):
        if lid not in learners:
            report.notes.append(
                _("{learner}/{course}: learner not in the learners registry; not uploaded").format(
                    learner=lid, course=cid
                )
            )
            continue
        endpoint = course_endpoint(layout, courses, cid, config, report.notes)
        if endpoint is None:
            report.local_only.append(f"{lid}/{cid}")
            continue
        work.setdefault(endpoint.url, (Outbox(layout, endpoint), []))[1].append((lid, cid))
    for url, (outbox, logs) in work.items():
        with outbox.adding() as adder:
            for lid, cid in logs:
                log = EventLog.for_course(layout, lid, cid)
                events = log.events()
                new = [e for e in events if e.id not in adder.known]
                if not new:
                    continue
                learner = learners[lid]
                actor = Actor(learner.email, learner.account_id)
                adder.add(records_for(new, lid, actor, outbox.endpoint, courses.get(cid)[1], registration_of(events)))
            report.added[url] = adder.added
    return report
