"""Re-grade a certificate request from the statements the LRS holds (no I/O here).

A request (sync/certificates.py) claims a course score and names its evidence: the
`answered` statements of every graded attempt. The provider's `mooc certificate
issue` fetches each one and the attempt statement it refers to, and `judge()`
decides, by the rules of docs/grading.md, with the answer key of the pack version
each attempt was taken on:

- every evidence statement exists, is an answer to a question of this course, is
  about the request's learner and was written under the request's LRS authority;
- every attempt it belongs to exists, is this learner's, lists only answers the
  evidence holds, and each answer statement repeats the attempt's response;
- every attempt was taken on the request's major version of the course, and is
  graded with the key of its own version;
- no quiz has more attempts than it allows; every graded quiz was attempted;
- re-graded, the best attempt per quiz gives a course score that reaches the pass
  threshold and equals the score the request claims.

The first failure is the refusal reason, one sentence for the learner to read. A
missing pack is no refusal: the request waits (`pending`) until the provider gives
it. Nothing here trusts the request's own scores, flags or quiz list.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from packages.model import SCORE_EPSILON, Course
from player.event_schema import event_problem
from player.events import Event
from sync.statements import (
    EXT_COURSE_ID,
    EXT_COURSE_VERSION,
    _response_text,
    answer_text,
    event_dict,
    question_iri,
)

MAX_EVIDENCE = 5_000  # answers one request may name (a 50-question quiz taken 100 times)
SCORE_TOLERANCE = 1e-5  # the request stores its score rounded to 6 places


@dataclass(frozen=True)
class Request:
    """A certificate request as the LRS holds it."""

    statement: dict[str, Any]
    event: Event

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def course_id(self) -> str:
        return self.event.course_id

    @property
    def version(self) -> str:
        return self.event.course_version

    @property
    def actor(self) -> dict[str, Any]:
        return self.statement.get("actor") or {}

    @property
    def evidence(self) -> list[str]:
        return [str(x) for x in self.event.data.get("evidence") or []]

    @property
    def learner_name(self) -> str:
        return str(self.event.data.get("learner_name") or "")

    @property
    def claimed(self) -> float:
        return float(self.event.data.get("score") or 0.0)


def request_of(statement: Any) -> tuple[Request | None, str]:
    """(the request, "") or (None, why this statement is no request mooc can judge)."""
    if not isinstance(statement, dict):
        return None, "not a statement"
    raw = event_dict(statement)
    if raw is None:
        return None, "not a certificate request mooc can read: it carries no mooc event"
    problem = event_problem(raw)
    if problem is None and raw["type"] != "certificate_requested":
        problem = "its event is not a certificate request"
    if problem is None and raw["id"] != statement.get("id"):
        problem = "its event belongs to another statement"
    if problem:
        return None, f"not a certificate request mooc can read: {problem}"
    return Request(statement, Event.from_dict(raw)), ""


@dataclass
class Verdict:
    decision: str  # "issue" | "refuse" | "pending"
    reason: str = ""
    score: float | None = None  # the re-graded course score
    attempts: int = 0
    answers: int = 0
    notes: list[str] = field(default_factory=list)


def same_agent(a: Any, b: Any) -> bool:
    """Whether two xAPI agents are the same learner (mbox, or account home page + name)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    if a.get("mbox") or b.get("mbox"):
        return isinstance(a.get("mbox"), str) and str(a.get("mbox")).casefold() == str(b.get("mbox")).casefold()
    x, y = a.get("account"), b.get("account")
    return (
        isinstance(x, dict)
        and isinstance(y, dict)
        and x.get("name") == y.get("name")
        and x.get("homePage") == y.get("homePage")
        and x.get("name") is not None
    )


def _authority(statement: dict[str, Any]) -> str:
    return json.dumps(statement.get("authority"), sort_keys=True)


def _ext(statement: dict[str, Any]) -> dict[str, Any]:
    context = statement.get("context")
    ext = context.get("extensions") if isinstance(context, dict) else None
    return ext if isinstance(ext, dict) else {}


def _ref(statement: dict[str, Any]) -> str | None:
    context = statement.get("context")
    ref = context.get("statement") if isinstance(context, dict) else None
    return str(ref.get("id")) if isinstance(ref, dict) and ref.get("id") else None


def _answered_in(event: Event, statement: dict[str, Any]) -> str | None:
    """The language the learner answered in: the attempt event's `language`, else its
    statement's `context.language`; None (numbers read as before languages) without."""
    from player.event_schema import LANGUAGE_TAG

    context = statement.get("context")
    for value in (event.data.get("language"), context.get("language") if isinstance(context, dict) else None):
        if isinstance(value, str) and LANGUAGE_TAG.fullmatch(value):
            return value
    return None


def _pct(score: float) -> str:
    text = f"{score * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


class _Refused(Exception):
    pass


class _Pending(Exception):
    pass


def judge(
    request: Request, fetch: Callable[[str], dict[str, Any] | None], pack: Callable[[str, str], Course | None]
) -> Verdict:
    """Re-grade `request`. `fetch(id)`: the statement the LRS holds (None: not held).
    `pack(course_id, version)`: that pack version's course, or None when the provider
    has not given it."""
    verdict = Verdict("refuse")
    try:
        verdict.score = _judge(request, fetch, pack, verdict)
    except _Refused as why:
        verdict.decision, verdict.reason = "refuse", str(why)
        return verdict
    except _Pending as why:
        verdict.decision, verdict.reason = "pending", str(why)
        return verdict
    verdict.decision = "issue"
    return verdict


def _course(pack: Callable[[str, str], Course | None], course_id: str, version: str) -> Course:
    course = pack(course_id, version)
    if course is None:
        raise _Pending(f"no pack of {course_id} {version} to re-grade against (give it with --packs)")
    return course


def _judge(
    request: Request,
    fetch: Callable[[str], dict[str, Any] | None],
    pack: Callable[[str, str], Course | None],
    verdict: Verdict,
) -> float:
    cid, actor = request.course_id, request.actor
    course = _course(pack, cid, request.version)
    if not course.certificate_available or course.kind != "xmooc":
        raise _Refused(f"the course {cid} {request.version} offers no certificate")
    email = request.event.data.get("learner_email")
    if isinstance(email, str) and email and actor.get("mbox") != f"mailto:{email}":
        raise _Refused("the request is not about the learner it names (a request copied from another learner)")
    evidence = request.evidence
    if not evidence:
        raise _Refused("the request names no evidence (no graded answer)")
    if len(evidence) > MAX_EVIDENCE or len(set(evidence)) != len(evidence):
        raise _Refused(
            "the request's evidence is not a list of distinct answers"
            f"{f' (at most {MAX_EVIDENCE})' if len(evidence) > MAX_EVIDENCE else ''}"
        )
    authority = _authority(request.statement)

    def held(sid: str, what: str) -> dict[str, Any]:
        st = fetch(sid)
        if st is None:
            raise _Refused(f"{what} {sid} is not in the LRS")
        if not same_agent(st.get("actor"), actor):
            raise _Refused(f"{what} {sid} belongs to another learner")
        if _authority(st) != authority:
            raise _Refused(f"{what} {sid} was written under another LRS authority than the request")
        return st

    answers: dict[str, dict[str, Any]] = {}
    attempts: dict[str, Event] = {}
    attempt_statements: dict[str, dict[str, Any]] = {}
    for sid in evidence:
        st = held(sid, "evidence")
        verb = st.get("verb")
        verb = verb if isinstance(verb, dict) else {}
        attempt_id = _ref(st)
        if (
            not str(verb.get("id", "")).endswith("/answered")
            or attempt_id is None
            or _ext(st).get(EXT_COURSE_ID) != cid
        ):
            raise _Refused(f"evidence {sid} is not an answer to a quiz of {cid}")
        answers[sid] = st
        if attempt_id not in attempts:
            attempt_statements[attempt_id] = held(attempt_id, "attempt")
            raw = event_dict(attempt_statements[attempt_id])
            if (
                raw is None
                or event_problem(raw)
                or raw.get("type") != "attempt"
                or raw.get("course_id") != cid
                or raw.get("id") != attempt_id
            ):
                raise _Refused(f"attempt {attempt_id} (of evidence {sid}) is not a mooc quiz attempt of {cid}")
            attempts[attempt_id] = Event.from_dict(raw)

    from player.grading import grade_attempt

    best: dict[str, float] = {}
    taken: dict[str, int] = {}
    listed: set[str] = set()
    for attempt_id, event in attempts.items():
        if event.course_version.split(".")[0] != request.version.split(".")[0]:
            raise _Refused(
                f"attempt {attempt_id} was taken on {cid} {event.course_version}, not on the "
                f"{request.version.split('.')[0]}.x the request is for"
            )
        graded_on = _course(pack, cid, event.course_version)
        item_id = str(event.item_id)
        if not graded_on.has_item(item_id) or not graded_on.item(item_id).is_graded:
            raise _Refused(f"attempt {attempt_id} is of '{item_id}', no graded quiz of {cid} {event.course_version}")
        quiz = graded_on.item(item_id).quiz
        assert quiz is not None
        responses: dict[str, Any] = {}
        for q in event.data.get("questions") or []:
            qid, sid = str(q.get("id")), str(q.get("statement_id"))
            answer = answers.get(sid)
            if answer is None:
                raise _Refused(f"the evidence lacks the answer to '{qid}' of attempt {attempt_id}")
            result = answer.get("result")
            result = result if isinstance(result, dict) else {}
            obj = answer.get("object")
            obj = obj if isinstance(obj, dict) else {}
            if obj.get("id") != question_iri(cid, item_id, qid) or result.get("response") not in (
                answer_text(q),
                _response_text(q.get("response")),
            ):
                raise _Refused(f"evidence {sid} does not repeat the answer attempt {attempt_id} recorded")
            if _ext(answer).get(EXT_COURSE_VERSION) != event.course_version:
                raise _Refused(f"evidence {sid} names another course version than its attempt")
            responses[qid] = q.get("response")
            listed.add(sid)
        score = grade_attempt(quiz, responses, _answered_in(event, attempt_statements[attempt_id])).score
        best[item_id] = max(best.get(item_id, 0.0), score)
        taken[item_id] = taken.get(item_id, 0) + 1
        if quiz.max_attempts and taken[item_id] > quiz.max_attempts:
            raise _Refused(
                f"'{item_id}' allows {quiz.max_attempts} attempt{'s' if quiz.max_attempts != 1 else ''}; "
                f"the evidence holds {taken[item_id]}"
            )
    stray = [sid for sid in evidence if sid not in listed]
    if stray:
        raise _Refused(f"evidence {stray[0]} is not an answer its attempt recorded")
    verdict.attempts, verdict.answers = len(attempts), len(evidence)
    graded = course.graded_quizzes()
    missing = [i.id for i in graded if i.id not in best]
    if missing:
        raise _Refused(f"no attempt of the graded quiz '{missing[0]}' in the evidence")
    weight = sum(i.weight for i in graded)
    score = sum(i.weight * best[i.id] for i in graded) / weight if weight > 0 else 0.0
    if score < course.pass_threshold - SCORE_EPSILON:
        raise _Refused(f"the answers earn {_pct(score)}, below the {_pct(course.pass_threshold)} needed")
    if abs(score - request.claimed) > SCORE_TOLERANCE:
        raise _Refused(f"the request claims {_pct(request.claimed)} but its answers earn {_pct(score)}")
    return score
