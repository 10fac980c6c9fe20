"""Learning events -> xAPI 1.0.3 statements (the mapping is documented in docs/xapi.md).

Each event becomes one statement whose id IS the event id (a UUID fixed when the
event happened); a quiz attempt also becomes one `answered` statement per question,
with the `statement_id` the attempt event recorded for it. The whole event travels
in ``context.extensions[EXT_EVENT]`` of its main statement, so `mooc sync --pull`
rebuilds a learner's progress exactly from what the LRS holds.

Statements are generated ONCE into the outbox (sync/outbox.py) and their stored
bytes are what gets (re)sent, so this mapping may change between mooc versions
without ever making an LRS see two versions of one statement.

Nothing identifies the learner except what they entered about themselves: their
email (mbox) when they gave one, else a random account id (no OS user or host name).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from packages.errors import MoocError
from player.event_schema import LANGUAGE_TAG
from player.events import Event

XAPI_VERSION = "1.0.3"

# Our IRIs. A URN namespace: stable, independent of any server, never fetched.
MOOC = "urn:mooc:"
EXT_EVENT = f"{MOOC}extension:event"
EXT_COURSE_ID = f"{MOOC}extension:course-id"
EXT_COURSE_VERSION = f"{MOOC}extension:course-version"
EXT_ATTEMPT = f"{MOOC}extension:attempt"
EXT_THRESHOLD = f"{MOOC}extension:threshold"
EXT_QUIZ_SCORES = f"{MOOC}extension:quiz-scores"
EXT_EVIDENCE = f"{MOOC}extension:evidence"
EXT_QUESTION_TYPE = f"{MOOC}extension:question-type"
EXT_POINTS = f"{MOOC}extension:points"
EXT_HINT_QUESTION = f"{MOOC}extension:question-id"
# The provider's answer to a certificate request (`mooc certificate issue`, docs/certificates.md):
# a statement about the learner, object = the course activity, context.statement = a
# StatementRef to the request; result.extensions carries the signed credential (a VC-JWT,
# compact form) or the refusal reason. Its id is deterministic (uuid5 of the request id).
VERB_CERTIFICATE_ISSUED = (f"{MOOC}verb:was-issued-certificate", "was issued a certificate for")
VERB_CERTIFICATE_REFUSED = (f"{MOOC}verb:was-refused-certificate", "was refused a certificate for")
EXT_CREDENTIAL = f"{MOOC}extension:credential"
EXT_REFUSAL_REASON = f"{MOOC}extension:refusal-reason"
PLATFORM = "mooc"
NO_ACCOUNT_HOME = f"{MOOC}account"  # account homePage when no endpoint is known

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS: dict[str, tuple[str, str]] = {
    "enrolled": (ADL + "registered", "registered"),
    "lesson_opened": (ADL + "experienced", "experienced"),
    "lesson_completed": (ADL + "completed", "completed"),
    "time_spent": (ADL + "progressed", "progressed"),
    "position": (f"{MOOC}verb:navigated", "navigated to"),
    "hint_shown": (f"{MOOC}verb:viewed-hint", "viewed a hint of"),
    "self_assessment": ("http://id.tincanapi.com/verb/rated", "rated"),
    "course_completed": (ADL + "completed", "completed"),
    "course_passed": (ADL + "passed", "passed"),
    "certificate_requested": (f"{MOOC}verb:requested-certificate", "requested a certificate for"),
    "certificate_issued": VERB_CERTIFICATE_ISSUED,
    "certificate_refused": VERB_CERTIFICATE_REFUSED,
    "answered": (ADL + "answered", "answered"),
    "passed": (ADL + "passed", "passed"),
    "failed": (ADL + "failed", "failed"),
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
}


def _part(text: str) -> str:
    return quote(text, safe="-._~")


def course_iri(course_id: str) -> str:
    return f"{MOOC}course:{_part(course_id)}"


def module_iri(course_id: str, module_id: str) -> str:
    return f"{course_iri(course_id)}:module:{_part(module_id)}"


def item_iri(course_id: str, item_id: str) -> str:
    return f"{course_iri(course_id)}:item:{_part(item_id)}"


def question_iri(course_id: str, item_id: str, question_id: str) -> str:
    return f"{item_iri(course_id, item_id)}:question:{_part(question_id)}"


@dataclass(frozen=True)
class Actor:
    """Who the statements are about: only what the learner entered about themselves."""

    email: str | None
    account_id: str

    def to_xapi(self, home_page: str) -> dict[str, Any]:
        if self.email:
            return {"objectType": "Agent", "mbox": f"mailto:{self.email}"}
        return {"objectType": "Agent", "account": {"homePage": home_page, "name": self.account_id}}


@dataclass(frozen=True)
class CourseShape:
    """What the mapping needs from a course pack (None when the pack is gone)."""

    modules_of: dict[str, str]  # item id -> module id
    kinds: dict[str, str]  # item id -> "lesson" | "quiz"
    # (quiz id, question id) -> its cmi.interaction definition, or None (sync/interactions.py)
    interaction: Callable[[str, str], dict[str, Any] | None] = lambda _quiz, _question: None

    @classmethod
    def of(cls, course: Any) -> CourseShape:
        modules_of: dict[str, str] = {}
        kinds: dict[str, str] = {}
        items: dict[str, Any] = {}
        for module in course.modules:
            for item in module.items:
                modules_of[item.id] = module.id
                kinds[item.id] = item.kind
                items[item.id] = item
        known: dict[tuple[str, str], dict[str, Any] | None] = {}

        def interaction(quiz_id: str, question_id: str) -> dict[str, Any] | None:
            """Decoded from the pack at the first statement that needs it, then kept."""
            key = (quiz_id, question_id)
            if key not in known:
                from sync.interactions import definition

                try:
                    question = items[quiz_id].quiz.question(question_id)
                    known[key] = definition(question, course.language, ACTIVITY_TYPES["question"])
                except (KeyError, AttributeError, MoocError):
                    known[key] = None
            return known[key]

        return cls(modules_of, kinds, interaction)


def duration(seconds: Any) -> str | None:
    """ISO 8601 duration with 0.01 s precision (what xAPI asks LRSs to keep)."""
    try:
        value = max(0.0, float(seconds))
    except (TypeError, ValueError):
        return None
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"PT{text}S"


def _score(scaled: Any, raw: Any = None, maximum: Any = None, minimum: float = 0.0) -> dict[str, Any] | None:
    try:
        value = min(1.0, max(-1.0, float(scaled)))
    except (TypeError, ValueError):
        return None
    out: dict[str, Any] = {"scaled": round(value, 6)}
    try:
        if raw is not None and maximum is not None:
            hi = float(maximum)
            lo = min(minimum, float(raw))
            r = float(raw)
            if lo <= r <= hi and lo < hi:
                out.update(raw=round(r, 6), min=round(lo, 6), max=round(hi, 6))
    except (TypeError, ValueError):
        pass
    return out


def _verb(key: str) -> dict[str, Any]:
    iri, display = VERBS[key]
    return {"id": iri, "display": {"en-US": display}}


def _activity(iri: str, kind: str | None) -> dict[str, Any]:
    """An activity: its `definition` only where it says something the LRS has not had
    (`kind` None: a course or quiz in context, defined by the statements that have it as
    object). No `objectType`: "Activity" is xAPI's default, and it cost 24 bytes each."""
    if kind is None:
        return {"id": iri}
    return {"id": iri, "definition": {"type": ACTIVITY_TYPES[kind]}}


def _is_language(value: Any) -> bool:
    return isinstance(value, str) and LANGUAGE_TAG.fullmatch(value) is not None


def _response_text(response: Any) -> str:
    """The response as statements before the cmi.interaction mapping carried it."""
    if isinstance(response, str):
        return response
    return json.dumps(response, ensure_ascii=False, separators=(",", ":"))


def answer_text(question: dict[str, Any]) -> str:
    """`result.response` of an `answered` statement: the xAPI response format of its
    interaction type (sync/interactions.py), else the older JSON text."""
    from sync.interactions import response

    value = question.get("response")
    xapi = response(str(question.get("type")), value)
    return xapi if xapi is not None else _response_text(value)


def question_statement_id(event: Event, question: dict[str, Any]) -> str:
    sid = question.get("statement_id")
    if isinstance(sid, str):
        try:
            return str(uuid.UUID(sid))
        except ValueError:
            pass
    return str(uuid.uuid5(uuid.UUID(event.id), str(question.get("id"))))


def statements_for(
    event: Event, actor: Actor, home_page: str, registration: str | None, shape: CourseShape | None
) -> list[dict[str, Any]]:
    """The statements for one event (main statement first). Pure: no I/O."""
    cid = event.course_id
    agent = actor.to_xapi(home_page)
    course_act = _activity(course_iri(cid), "course")
    course_ref = _activity(course_iri(cid), None)  # in context: the `registered` statement defines it
    base_ext: dict[str, Any] = {EXT_COURSE_ID: cid, EXT_COURSE_VERSION: event.course_version}

    def context(
        parents: list[dict[str, Any]] | None, *, with_event: bool = True, ref: str | None = None
    ) -> dict[str, Any]:
        ctx: dict[str, Any] = {}
        if registration:
            ctx["registration"] = registration
        acts: dict[str, Any] = {}
        if parents:
            acts["parent"] = parents
        if parents is None or parents[0]["id"] != course_ref["id"]:
            acts["grouping"] = [course_ref]
        if acts:
            ctx["contextActivities"] = acts
        ctx["platform"] = PLATFORM
        if ref:
            ctx["statement"] = {"objectType": "StatementRef", "id": ref}
        ext = dict(base_ext)
        if with_event:
            ext[EXT_EVENT] = compact_event(event)
        ctx["extensions"] = ext
        return ctx

    def item_object(item_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        kind = (shape.kinds.get(item_id) if shape else None) or ("quiz" if event.type == "attempt" else "lesson")
        module = shape.modules_of.get(item_id) if shape else None
        parents = [_activity(module_iri(cid, module), "module")] if module else [course_ref]
        return _activity(item_iri(cid, item_id), kind), parents

    def make(
        sid: str, verb: str, obj: dict[str, Any], ctx: dict[str, Any], result: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        st: dict[str, Any] = {"id": sid, "actor": agent, "verb": _verb(verb), "object": obj}
        if result:
            st["result"] = result
        st["context"] = ctx
        st["timestamp"] = event.time
        return st

    t, data = event.type, event.data
    if t in ("certificate_issued", "certificate_refused"):
        # The provider's answer: about the learner, object the course, a reference to the request.
        issued = t == "certificate_issued"
        answer: dict[str, Any] = {
            "success": issued,
            "extensions": {
                EXT_CREDENTIAL if issued else EXT_REFUSAL_REASON: data.get("credential" if issued else "reason")
            },
        }
        return [make(event.id, t, course_act, context([course_ref], ref=str(data.get("request"))), answer)]
    if t in ("enrolled", "course_completed", "course_passed", "certificate_requested") or (
        event.item_id is None and t not in ("self_assessment",)
    ):
        result: dict[str, Any] = {}
        if t == "course_completed":
            result = {"completion": True}
            score = _score(data.get("score"))
            if score:
                result["score"] = score
        elif t == "course_passed":
            result = {"success": True, "completion": True}
            score = _score(data.get("score"))
            if score:
                result["score"] = score
        elif t == "certificate_requested":
            result = {"success": True}
            score = _score(data.get("score"))
            if score:
                result["score"] = score
            result["extensions"] = {
                EXT_THRESHOLD: data.get("threshold"),
                EXT_QUIZ_SCORES: data.get("quizzes") or {},
                EXT_EVIDENCE: list(data.get("evidence") or []),
            }
        verb = t if t in VERBS else "lesson_opened"
        return [make(event.id, verb, course_act, context([course_ref]), result or None)]

    if t == "self_assessment":
        module = str(data.get("module_id") or "")
        obj = _activity(module_iri(cid, module), "module") if module else course_act
        result = {}
        rating = data.get("rating")
        if isinstance(rating, int) and 1 <= rating <= 5:
            result = {"score": {"scaled": round((rating - 1) / 4, 6), "raw": rating, "min": 1, "max": 5}}
        return [make(event.id, "self_assessment", obj, context([course_ref]), result or None)]

    assert event.item_id is not None
    obj, parents = item_object(event.item_id)
    if t == "lesson_completed":
        result = {"completion": True}
        d = duration(data.get("duration_s"))
        if d:
            result["duration"] = d
        return [make(event.id, "lesson_completed", obj, context(parents), result)]
    if t == "time_spent":
        d = duration(data.get("seconds"))
        return [make(event.id, "time_spent", obj, context(parents), {"duration": d} if d else None)]
    if t == "hint_shown":
        ctx = context(parents)
        ctx["extensions"][EXT_HINT_QUESTION] = str(data.get("question_id"))
        return [make(event.id, "hint_shown", obj, ctx)]
    if t == "attempt":
        passed = bool(data.get("passed"))
        result = {"success": passed, "completion": True}
        score = _score(data.get("score"), data.get("earned"), data.get("total"))
        if score:
            result["score"] = score
        d = duration(data.get("duration_s"))
        if d:
            result["duration"] = d
        result["extensions"] = {EXT_ATTEMPT: data.get("attempt"), EXT_THRESHOLD: data.get("threshold")}
        # The language the learner answered in (numbers typed its way): xAPI's own field.
        answered_in = data.get("language") if _is_language(data.get("language")) else None
        main_ctx = context(parents)
        if answered_in:
            main_ctx["language"] = answered_in
        main = make(event.id, "passed" if passed else "failed", obj, main_ctx, result)
        out = [main]
        quiz_parent = [_activity(item_iri(cid, event.item_id), None)]  # the attempt statement defines it
        for q in data.get("questions") or []:
            if not isinstance(q, dict) or not q.get("id"):
                continue
            qobj = _activity(question_iri(cid, event.item_id, str(q["id"])), "question")
            defined = shape.interaction(event.item_id, str(q["id"])) if shape else None
            if defined is not None:
                qobj["definition"] = defined
            qres: dict[str, Any] = {"response": answer_text(q)}
            if isinstance(q.get("correct"), bool):
                qres["success"] = q["correct"]
            qscore = _score(q.get("score"), q.get("earned"), q.get("points"))
            if qscore:
                qres["score"] = qscore
            qres["extensions"] = {EXT_QUESTION_TYPE: str(q.get("type")), EXT_POINTS: q.get("points")}
            qctx = context(quiz_parent, with_event=False, ref=event.id)
            if answered_in:
                qctx["language"] = answered_in
            out.append(make(question_statement_id(event, q), "answered", qobj, qctx, qres))
        return out
    # lesson_opened, position, and any event type added later: a plain "experienced"-like act
    verb = t if t in VERBS else "lesson_opened"
    return [make(event.id, verb, obj, context(parents))]


# Event fields the main statement already says: left out of the event extension (about
# 100 bytes a statement) and filled back by `event_dict`. The time stays: an LRS may
# rewrite `timestamp` in another form of the same instant.
_IMPLIED = {"id": "id", "course_id": EXT_COURSE_ID, "course_version": EXT_COURSE_VERSION}


def compact_event(event: Event) -> dict[str, Any]:
    """The event as its main statement carries it (`event_dict` reverses it)."""
    return {k: v for k, v in event.to_dict().items() if k not in _IMPLIED}


def event_dict(statement: dict[str, Any]) -> dict[str, Any] | None:
    """The mooc event a statement carries, as a dict to validate (player/event_schema.py);
    None when it carries none (question statements, other tools' statements). Fields left
    out (`compact_event`) come from the statement; statements of older mooc versions carry
    them all."""
    context = statement.get("context")
    extensions = context.get("extensions") if isinstance(context, dict) else None
    if not isinstance(extensions, dict) or not isinstance(extensions.get(EXT_EVENT), dict):
        return None
    raw = dict(extensions[EXT_EVENT])
    for key, source in _IMPLIED.items():
        if key not in raw:
            raw[key] = statement.get("id") if key == "id" else extensions.get(source)
    return raw


def event_of(statement: dict[str, Any]) -> Event | None:
    """The mooc event a statement carries (pull), or None (question statements, others' data)."""
    raw = event_dict(statement)
    if raw is None:
        return None
    try:
        event = Event.from_dict(raw)
    except (KeyError, TypeError, ValueError):
        return None
    if str(statement.get("id")) != event.id:
        return None  # a statement that copies another's event is not that event
    return event


def encode(statement: dict[str, Any]) -> str:
    """The exact text stored in the outbox and sent, byte for byte, on every retry."""
    return json.dumps(statement, ensure_ascii=False, separators=(",", ":"))
