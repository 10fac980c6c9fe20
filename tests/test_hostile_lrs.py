"""Hostile LRSs and hostile sync files (issue 10): one line each, bounded, nothing lost.

Misbehaving LRSs are tests/support/hostile_lrs.py on 127.0.0.1 (junk, drips, endless
bodies, `more` loops, nested JSON); the well-behaved one is the real Ralph. Every test
runs the real `mooc` and checks the one line it prints, its exit code, a bound on
requests or time, and that the outbox and the progress log hold what they held.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from packages.course_cache import CACHE_NAME
from packages.layout import Layout
from packages.store import Store
from player.config import update_config
from player.event_schema import event_problem
from player.events import Event
from player.learners import Learners
from player.progress import EventLog
from sync.collect import collect
from sync.consent import Consent
from sync.outbox import all_outboxes
from sync.statements import EXT_EVENT
from tests.conftest import MOOC_BIN, Homes, RunMooc
from tests.support.hostile_lrs import HostileLRS, Request, drip, endless, peak_rss_run, status_line
from tests.support.ralph import RalphServer, account_agent, study, write_pack

HOSTILE = "\x1b]0;pwned\x07\x1bc\x1b[2J\u202eevil\u2066\x9b31m"
# What must never reach a terminal: C0 (but tab and newline), DEL, C1, bidi overrides/isolates.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
DEADLINE = "4"  # MOOC_DEADLINE for tests that meet a slow or failing LRS


# ---------------------------------------------------------------------- helpers


def _machine(home: Path, endpoint: str, *, course: str = "c1", events: int = 3, learner: str = "Amina") -> Layout:
    """A learner with EVENTS time_spent events in COURSE, whose records go to ENDPOINT (config)."""
    layout = Layout.default(home)
    who = Learners(layout).add(learner)
    update_config(
        layout,
        lambda c: c.setdefault("sync", {}).setdefault("courses", {}).setdefault(course, {}).update(endpoint=endpoint),
    )
    Consent(layout, who.id).allow(endpoint)
    EventLog.for_course(layout, who.id, course).append(
        *[Event("time_spent", course, "1.0.0", "lesson-1", {"seconds": 1.0 + n}) for n in range(events)]
    )
    return layout


def _pending(layout: Layout) -> int:
    collect(layout)
    return sum(len(o.pending()) for o in all_outboxes(layout))


def _events(layout: Layout, course: str = "c1", learner: str = "amina") -> list[Event]:
    return EventLog.for_course(layout, learner, course).events()


def _one_error(out: Any) -> str:
    """The run printed exactly one line on stderr, an error, and no traceback."""
    assert "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mooc: error: "), out.stderr
    return lines[0]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _assert_clean(out: Any, *, is_json: bool = False) -> None:
    assert not UNSAFE.search(out.stdout + out.stderr), repr(out.stdout + out.stderr)
    if is_json:
        for text in _strings(json.loads(out.stdout)):
            assert not UNSAFE.search(text), repr(text)


def _install_with_endpoint(run_mooc: RunMooc, home: Path, tmp_path: Path, course: str, endpoint: str) -> None:
    """Install a valid pack, then give the installed copy ENDPOINT (as a pack that `mooc
    pack check` would refuse, or an older mooc installed, would carry it)."""
    placeholder = "http://127.0.0.1:9/xAPI/"
    assert run_mooc("install", str(write_pack(tmp_path / course, placeholder, course))).returncode == 0
    tree = Store(Layout.default(home)).get(course).path
    toml = tree / "course.toml"
    toml.write_text(toml.read_text().replace(json.dumps(placeholder), json.dumps(endpoint)))
    (tree / CACHE_NAME).unlink(missing_ok=True)


def _statement(origin: str, account: str, event: dict[str, Any], sid: str | None = None) -> dict[str, Any]:
    """A statement as mooc writes it, carrying EVENT, about the learner ACCOUNT."""
    return {
        "id": sid or event.get("id"),
        "actor": account_agent(origin, account),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/progressed"},
        "object": {"objectType": "Activity", "id": "urn:mooc:course:c1"},
        "context": {"extensions": {EXT_EVENT: event}},
        "stored": "2026-01-01T00:00:00Z",
    }


# ---------------------------------------------------------------------- 1. escapes


@pytest.mark.lrs
def test_lrs_and_pack_text_never_acts_on_the_terminal(run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path) -> None:
    """LRS reasons (400 details), a redirect's Location, a pack's endpoint and a consent
    file's hosts full of escape codes and bidi overrides: every output line and every
    decoded --json string is clean."""

    def rejecting(req: Request) -> None:
        req.answer(400, {"detail": f"bad statement {HOSTILE}"})

    def redirecting(req: Request) -> None:
        req.answer(307, b"", {"Location": f"http://evil.example/{HOSTILE[:6]}x"})

    with HostileLRS(rejecting) as rejects, HostileLRS(redirecting) as redirects:
        layout = _machine(mooc_home.home, rejects.endpoint, course="c1", events=2)
        update_config(layout, lambda c: c["sync"]["courses"].setdefault("c2", {}).update(endpoint=redirects.endpoint))
        Consent(layout, "amina").allow(redirects.endpoint)
        EventLog.for_course(layout, "amina", "c2").append(Event("lesson_opened", "c2", "1.0.0", "lesson-1"))
        _install_with_endpoint(run_mooc, mooc_home.home, tmp_path, "c3", f"https://lrs{HOSTILE}.example.org/xAPI/")
        EventLog.for_course(layout, "amina", "c3").append(Event("lesson_opened", "c3", "1.0.0", "intro"))
        hosts = [f"127.0.0.1:{rejects.port}", f"127.0.0.1:{redirects.port}", HOSTILE]
        layout.consent_file("amina").write_text(
            "".join(f"[[hosts]]\nhost = {json.dumps(h)}\napproved = {json.dumps(HOSTILE)}\n" for h in hosts)
        )
        outs = {
            args: run_mooc(*args, env={"MOOC_DEADLINE": DEADLINE})
            for args in [
                ("sync",),
                ("sync", "--json"),
                ("sync", "--status"),
                ("sync", "--status", "--json"),
                ("consent", "list"),
                ("consent", "list", "--json"),
                ("sync", "--pull", "c1"),
                ("sync", "--pull", "c1", "--json"),
            ]
        }
    for args, out in outs.items():
        assert "Traceback" not in out.stderr, (args, out.stderr)
        _assert_clean(out, is_json="--json" in args)
    sync = outs[("sync",)]
    assert sync.returncode == 1
    assert [line for line in sync.stderr.splitlines() if "c3" in line] == [sync.stderr.splitlines()[0]]
    assert "course c3" in sync.stderr and "not synced" in sync.stderr
    assert "redirect" in sync.stderr and "bad statement" in sync.stdout  # the text is there, cleaned
    status = json.loads(outs[("sync", "--status", "--json")].stdout)
    reasons = [a["reason"] for e in status["endpoints"] for a in e["set_aside"]]
    assert len(reasons) == 2 and all(r.startswith("HTTP 400: bad statement") for r in reasons)
    assert "approved: ]0;pwned" not in outs[("consent", "list")].stdout  # the OSC is gone, not just its ESC


# ---------------------------------------------------------------------- 2. one bad pack


@pytest.mark.lrs
def test_a_course_with_an_invalid_endpoint_is_skipped_and_the_others_sync(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    bad = {
        "bad-ipv6": "http://[::1/xAPI/",
        "bad-scheme": "ftp://lrs.example.org/xAPI/",
        "bad-nohost": "https:///xAPI/",
        "bad-escape": f"https://lrs{HOSTILE}.example.org/xAPI/",
        "bad-space": "https://lrs .example.org/xAPI/",
    }
    assert run_mooc("install", str(write_pack(tmp_path / "good", ralph_lrs.endpoint, "good-101"))).returncode == 0
    for course, endpoint in bad.items():
        _install_with_endpoint(run_mooc, mooc_home.home, tmp_path, course, endpoint)
    email = f"bad-pack-{uuid.uuid4().hex[:8]}@example.org"
    assert run_mooc("learner", "add", "Amina", "--email", email).returncode == 0
    layout = Layout.default(mooc_home.home)
    study(mooc_home.home, "amina", "good-101")
    for course in bad:
        EventLog.for_course(layout, "amina", course).append(Event("lesson_opened", course, "1.0.0", "intro"))
    ralph_lrs.login(run_mooc)
    run_mooc("consent", "allow", ralph_lrs.endpoint)
    good_events = {e.id for e in _events(layout, "good-101")}

    for args in [("sync",), ("sync", "--pull"), ("consent", "list"), ("sync", "--status")]:
        out = run_mooc(*args)
        assert out.returncode == 0, (args, out.stderr)
        assert "Traceback" not in out.stderr
        _assert_clean(out)
        lines = out.stderr.splitlines()
        assert len(lines) == len(bad), (args, out.stderr)  # one line per bad course, nothing else
        for course in bad:
            assert len([ln for ln in lines if f"course {course}" in ln]) == 1, (args, course, out.stderr)
    stored = {s["id"] for s in ralph_lrs.agent_statements({"objectType": "Agent", "mbox": f"mailto:{email}"})}
    assert good_events <= stored
    assert all(len(_events(layout, course)) == 1 for course in bad)  # their records stay here


# ---------------------------------------------------------------------- 3. memory


def test_an_endless_answer_is_cut_at_the_size_cap(mooc_home: Homes) -> None:
    with HostileLRS(endless) as lrs:
        layout = _machine(mooc_home.home, lrs.endpoint)
        before = _pending(layout)
        out, peak, seconds = peak_rss_run([str(MOOC_BIN), "sync"], mooc_home.env(), timeout=120)
        sent = lrs.bytes_sent
    line = _one_error(out)
    assert out.returncode == 1 and "larger than 16 MB" in line
    assert lrs.count("POST") == 1  # not retried: a 16 MB answer is not a hiccup
    assert sent < 48 * 1024 * 1024, sent  # 16 MB read, plus what sat in socket buffers
    assert peak < 200 * 1024 * 1024, peak  # never the whole answer, twice, in memory
    assert _pending(layout) == before == 3


@pytest.mark.parametrize("how", ["declared", "pull"])
def test_oversized_answers_are_refused_unread(run_mooc: RunMooc, mooc_home: Homes, how: str) -> None:
    def behave(req: Request) -> None:
        if how == "declared":  # says 10 GB up front: not one byte of the body is read
            req.send(status_line(200) + b"Content-Length: 10000000000\r\n\r\n[")
            req.server.stopping.wait(5)
        else:
            endless(req)

    with HostileLRS(behave) as lrs:
        layout = _machine(mooc_home.home, lrs.endpoint)
        before = _pending(layout), len(_events(layout))
        out = run_mooc("sync", "--pull", "c1") if how == "pull" else run_mooc("sync")
    assert out.returncode == 1 and "larger than 16 MB" in _one_error(out)
    assert len(lrs.requests) == 1
    assert (_pending(layout), len(_events(layout))) == before


# ---------------------------------------------------------------------- 4. time


@pytest.mark.parametrize("where", ["head", "body", "pull"])
def test_a_dripping_lrs_cannot_hold_sync_past_its_deadline(run_mooc: RunMooc, mooc_home: Homes, where: str) -> None:
    """One byte every 0.5 s: no read ever times out (60 s), the deadline (4 s) ends it."""

    def behave(req: Request) -> None:
        if where == "head":
            drip(req, status_line(200), every=0.5, byte=b"X")  # a header line that never ends
        else:
            drip(req, status_line(200) + b"Content-Length: 100000\r\n\r\n", every=0.5, byte=b" ")

    with HostileLRS(behave) as lrs:
        layout = _machine(mooc_home.home, lrs.endpoint)
        before = _pending(layout), len(_events(layout))
        start = time.monotonic()
        out = run_mooc(
            *(["sync", "--pull", "c1"] if where == "pull" else ["sync"]), env={"MOOC_DEADLINE": DEADLINE}, timeout=60
        )
        seconds = time.monotonic() - start
    line = _one_error(out)
    assert out.returncode == 1 and f"over the {DEADLINE} s allowed (MOOC_DEADLINE)" in line
    assert seconds < 20, seconds
    assert len(lrs.requests) == 1
    assert (_pending(layout), len(_events(layout))) == before


def test_retry_after_never_outlasts_the_deadline(run_mooc: RunMooc, mooc_home: Homes) -> None:
    with HostileLRS(lambda req: req.answer(503, {"detail": "busy"}, {"Retry-After": "100"})) as lrs:
        layout = _machine(mooc_home.home, lrs.endpoint)
        start = time.monotonic()
        out = run_mooc("sync", env={"MOOC_DEADLINE": DEADLINE}, timeout=60)
        seconds = time.monotonic() - start
    assert out.returncode == 1 and "would pass the 4 s allowed (MOOC_DEADLINE)" in _one_error(out)
    assert seconds < 20 and lrs.count("POST") == 1  # it did not sleep 100 s to try again
    assert _pending(layout) == 3


def _pull_page(lrs: HostileLRS, layout: Layout, *, more: Any, events: int = 1) -> dict[str, Any]:
    account = Learners(layout).get("amina").account_id
    statements = [
        _statement(lrs.origin, account, Event("time_spent", "c1", "1.0.0", "lesson-1", {"seconds": 2.0}).to_dict())
        for _ in range(events)
    ]
    return {"statements": statements, "more": more}


@pytest.mark.parametrize("links", ["the same", "always new"])
def test_pull_stops_at_a_more_link_seen_before_or_after_its_page_bound(
    run_mooc: RunMooc, mooc_home: Homes, links: str
) -> None:
    from sync.pull import MAX_PAGES

    pages: list[int] = []

    def behave(req: Request) -> None:
        pages.append(1)
        more = "/xAPI/statements?page=loop" if links == "the same" else f"/xAPI/statements?page={len(pages)}"
        req.answer(200, _pull_page(lrs, layout, more=more))

    with HostileLRS(behave) as lrs:
        layout = _machine(mooc_home.home, lrs.endpoint, events=0)
        out = run_mooc("sync", "--pull", "c1", timeout=300)
    line = _one_error(out)
    assert out.returncode == 1
    if links == "the same":
        assert "'more' link it had sent before" in line and len(lrs.requests) == 2
    else:
        assert f"stopped after {MAX_PAGES} pages" in line and len(lrs.requests) == MAX_PAGES
    merged = _events(layout)
    assert len(merged) == len(lrs.requests)  # the valid events read before the stop are kept
    assert f"{len(merged)} new events merged" in out.stdout


# ---------------------------------------------------------------------- 5. malformed answers

_BIG_HEADERS = {f"X-Junk-{n}": "y" * 50 for n in range(200)}

UPLOAD_ANSWERS = {
    "html 200": lambda req: req.answer(200, b"<html>all good</html>", {"Content-Type": "text/html"}),
    "garbage 200": lambda req: req.answer(200, {"ok": True}),
    "ids not sent": lambda req: req.answer(200, [str(uuid.uuid4())]),
    "nested 200": lambda req: req.answer(200, b"[" * 200_000 + b"]" * 200_000),
    "not utf-8": lambda req: req.answer(200, b"\xff\xfe\x00junk"),
    "a thousand headers": lambda req: req.answer(200, [], _BIG_HEADERS),
    "a 1 MB header": lambda req: req.answer(200, [], {"X-Big": "y" * 1_000_000}),
    "no status line": lambda req: req.send(b"garbage garbage\r\n\r\n"),
}


@pytest.mark.parametrize("case", list(UPLOAD_ANSWERS))
def test_a_malformed_answer_to_an_upload_is_one_line_and_loses_nothing(
    run_mooc: RunMooc, mooc_home: Homes, case: str
) -> None:
    with HostileLRS(UPLOAD_ANSWERS[case]) as lrs:
        layout = _machine(mooc_home.home, lrs.endpoint)
        before = _pending(layout)
        out = run_mooc("sync", env={"MOOC_DEADLINE": "15"}, timeout=60)
    line = _one_error(out)
    assert out.returncode == 1 and str(lrs.port) in line
    assert lrs.count("POST") <= 6  # at most the retries of a transient failure
    assert _pending(layout) == before == 3  # nothing acknowledged on a malformed answer
    status = json.loads(run_mooc("sync", "--status", "--json").stdout)["endpoints"][0]
    assert status["pending"] == 3 and status["set_aside"] == [] and status["last_error"]


@pytest.mark.parametrize("lookup", ["junk", "nested", "wrong type", "junk after the 409"])
def test_a_409_whose_lookup_answers_junk_stops_with_one_line(run_mooc: RunMooc, mooc_home: Homes, lookup: str) -> None:
    def behave(req: Request) -> Any:
        if req.method == "POST":
            if lookup == "junk after the 409":  # bytes past the answer, on a kept-alive connection
                req.answer(
                    409,
                    {"detail": "conflict"},
                    extra=b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n[1]junk",
                    keep_alive=True,
                )
                return True
            req.answer(409, {"detail": "conflict"})
        elif lookup == "nested":
            req.answer(200, b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
        elif lookup in ("wrong type", "junk after the 409"):
            req.answer(200, {"statements": "not a list"})
        else:
            req.answer(200, b"\x00\x01 not json")
        return None

    with HostileLRS(behave) as lrs:
        layout = _machine(mooc_home.home, lrs.endpoint)
        out = run_mooc("sync", env={"MOOC_DEADLINE": "15"}, timeout=60)
    assert out.returncode == 1 and str(lrs.port) in _one_error(out)
    assert lrs.count("POST") == 1 and lrs.count("GET") <= 6
    assert _pending(layout) == 3


def test_a_deeply_nested_400_sets_aside_with_a_short_reason(run_mooc: RunMooc, mooc_home: Homes) -> None:
    body = b'{"detail":' * 100_000 + b'"x"' + b"}" * 100_000
    with HostileLRS(lambda req: req.answer(400, body)) as lrs:
        layout = _machine(mooc_home.home, lrs.endpoint, events=2)
        out = run_mooc("sync")
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert lrs.count("POST") == 3  # the batch, then each half
    aside = [line for line in out.stdout.splitlines() if "set aside" in line]
    assert len(aside) == 2 and all(len(line) < 500 for line in aside)
    outbox = all_outboxes(layout)[0]
    assert len(outbox.entries()) == 2 and len(outbox.set_aside()) == 2  # kept, shown, not lost


PULL_ANSWERS = {
    "not json": lambda req: req.answer(200, b"<html>hello</html>", {"Content-Type": "text/html"}),
    "a list": lambda req: req.answer(200, []),
    "statements is a dict": lambda req: req.answer(200, {"statements": {"a": 1}}),
    "statements is text": lambda req: req.answer(200, {"statements": "abc"}),
    "more is a number": lambda req: req.answer(200, {"statements": [], "more": 5}),
    "more leaves the host": lambda req: req.answer(200, {"statements": [], "more": "http://evil.example/x"}),
    "nested": lambda req: req.answer(200, b"[" * 200_000 + b"]" * 200_000),
    "a 500 with junk": lambda req: req.answer(500, b"\x1b[2J\xff" * 1000),
}


@pytest.mark.parametrize("case", list(PULL_ANSWERS))
def test_a_malformed_answer_to_a_pull_is_one_line_and_changes_nothing(
    run_mooc: RunMooc, mooc_home: Homes, case: str
) -> None:
    with HostileLRS(PULL_ANSWERS[case]) as lrs:
        layout = _machine(mooc_home.home, lrs.endpoint)
        before = [e.to_dict() for e in _events(layout)]
        out = run_mooc("sync", "--pull", "c1")
    line = _one_error(out)
    assert out.returncode == 1 and str(lrs.port) in line
    _assert_clean(out)
    # A 5xx is transient: tried again as an upload would be (1 + 5 retries), then one line.
    assert len(lrs.requests) == (6 if case == "a 500 with junk" else 1)
    assert [e.to_dict() for e in _events(layout)] == before


# ---------------------------------------------------------------------- 6. events from the LRS


@pytest.mark.lrs
def test_pull_skips_events_of_the_wrong_shape_and_certificates_keep_working(
    run_mooc: RunMooc, mooc_home: Homes, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    import copy

    import requests

    email = f"shape-{uuid.uuid4().hex[:8]}@example.org"
    pack = write_pack(tmp_path / "pack", ralph_lrs.endpoint)
    assert run_mooc("install", str(pack)).returncode == 0
    run_mooc("learner", "add", "Amina", "--email", email)
    ralph_lrs.login(run_mooc)
    run_mooc("consent", "allow", ralph_lrs.endpoint)
    study(mooc_home.home, "amina")
    assert run_mooc("sync").returncode == 0
    agent = {"objectType": "Agent", "mbox": f"mailto:{email}"}
    attempt = next(
        s
        for s in ralph_lrs.agent_statements(agent)
        if (s.get("context") or {}).get("extensions", {}).get(EXT_EVENT, {}).get("type") == "attempt"
    )

    def hostile(change: Any, *, same_id: bool = True) -> dict[str, Any]:
        st = {k: v for k, v in copy.deepcopy(attempt).items() if k not in ("stored", "authority", "version")}
        st["id"] = str(uuid.uuid4())
        event = st["context"]["extensions"][EXT_EVENT]
        event["id"] = st["id"] if same_id else str(uuid.uuid4())
        change(event)
        return st

    bad = [
        hostile(lambda e: e["data"].update(questions="abc")),  # broke `certificate request` for good
        hostile(lambda e: e["data"]["questions"][0].update(statement_id=42)),
        hostile(lambda e: e.update(type="certificate_requested", item_id=None, data={"score": "x", "evidence": 5})),
        hostile(lambda e: e.update(course_id="../../etc")),
        hostile(lambda e: e.update(time="yesterday")),
        hostile(lambda e: None, same_id=False),  # a copy of another statement's event
    ]
    foreign = hostile(lambda e: None)
    del foreign["context"]["extensions"][EXT_EVENT]  # another tool's statement: not counted
    resp = requests.post(
        f"{ralph_lrs.endpoint}statements",
        json=[*bad, foreign],
        timeout=30,
        auth=(ralph_lrs.user, ralph_lrs.password),
        headers={"X-Experience-API-Version": "1.0.3"},
    )
    assert resp.status_code == 200, resp.text

    second = {"MOOC_HOME": str(tmp_path / "pc2")}
    assert run_mooc("install", str(pack), env=second).returncode == 0
    run_mooc("learner", "add", "Amina", "--email", email, env=second)
    ralph_lrs.login(run_mooc, env=second)
    run_mooc("consent", "allow", ralph_lrs.endpoint, env=second)
    homes = ((mooc_home.home, None), (tmp_path / "pc2", second))
    for home, env in homes:
        out = run_mooc("sync", "--pull", env=env)
        assert out.returncode == 0, out.stderr
        lines = out.stderr.splitlines()
        assert len(lines) == 1 and f"skipped {len(bad)} statements that are not mooc's" in lines[0], out.stderr
        progress = Layout.default(home).progress_dir("amina")
        assert sorted(p.name for p in progress.iterdir() if not p.name.startswith(".")) == ["sync-101.jsonl"]
        for line in (progress / "sync-101.jsonl").read_text().splitlines()[1:]:
            assert event_problem(json.loads(line)) is None, line
    # The second machine has exactly the first one's events, and both can request the certificate.
    ids = [{e.id for e in _events(Layout.default(home), "sync-101")} for home, _env in homes]
    assert ids[0] == ids[1] and len(ids[0]) >= 4
    for _home, env in homes:
        cert = run_mooc("certificate", "request", "sync-101", env=env)
        assert cert.returncode == 0 and "Traceback" not in cert.stderr, cert.stderr
        assert run_mooc("progress", env=env).returncode == 0


# ---------------------------------------------------------------------- 7. damaged sync files


def _nested_line(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth + b"\n"


@pytest.mark.lrs
def test_damaged_outbox_acks_and_status_files_are_one_line_each(
    run_mooc: RunMooc, mooc_home: Homes, ralph_lrs: RalphServer
) -> None:
    from sync import credentials
    from sync.endpoints import normalise

    layout = _machine(mooc_home.home, ralph_lrs.endpoint, events=4)
    credentials.store(layout, normalise(ralph_lrs.endpoint), user=ralph_lrs.user, password=ralph_lrs.password)
    assert _pending(layout) == 4
    outbox = all_outboxes(layout)[0]
    damage = {
        outbox.outbox_file: _nested_line()
        + b"not json\n"
        + json.dumps({"event": "e", "learner": "../../x", "course": "c1", "type": "t", "statements": "abc"}).encode()
        + b"\n",
        outbox.acks_file: _nested_line() + b'{"id": 5}\n',
    }
    for path, data in damage.items():
        with open(path, "ab") as fh:
            fh.write(data)
    outbox.status_file.write_bytes(_nested_line())
    kept = {path: path.read_bytes() for path in damage}

    def one_warning_per_damage(out: Any) -> None:
        """Outbox: lines that are not JSON, lines not shaped as records; acks: not JSON."""
        lines = out.stderr.splitlines()
        assert len(lines) == 3 and "Traceback" not in out.stderr, out.stderr
        assert all(ln.startswith("mooc: warning: ") for ln in lines), lines
        assert len([ln for ln in lines if str(outbox.outbox_file) in ln]) == 2, lines
        assert len([ln for ln in lines if str(outbox.acks_file) in ln]) == 1, lines

    out = run_mooc("sync")
    assert out.returncode == 0, out.stderr
    one_warning_per_damage(out)
    stored = ralph_lrs.agent_statements(account_agent(outbox.endpoint.origin, Learners(layout).get("amina").account_id))
    assert {s["id"] for s in stored} == {e.id for e in _events(layout)}  # every valid record went
    assert outbox.outbox_file.read_bytes().startswith(kept[outbox.outbox_file][:100])  # nothing rewritten
    assert kept[outbox.outbox_file] in outbox.outbox_file.read_bytes()
    status = run_mooc("sync", "--status", "--json")
    assert status.returncode == 0 and json.loads(status.stdout)["endpoints"][0]["pending"] == 0
    one_warning_per_damage(status)


def test_a_damaged_consent_file_holds_back_only_its_learner(run_mooc: RunMooc, mooc_home: Homes) -> None:
    got: list[bytes] = []

    def accept(req: Request) -> None:
        got.append(req.body)
        req.answer(200, [s["id"] for s in req.json])

    with HostileLRS(accept) as lrs:
        layout = _machine(mooc_home.home, lrs.endpoint, events=2)
        bob = Learners(layout).add("Bob")
        EventLog.for_course(layout, bob.id, "c1").append(Event("lesson_opened", "c1", "1.0.0", "lesson-1"))
        bad = layout.consent_file(bob.id)
        bad.parent.mkdir(parents=True, exist_ok=True)
        bad.write_text("hosts = " + "[" * 50_000 + "]" * 50_000 + "\n")
        out = run_mooc("sync")
        listed = run_mooc("consent", "list", "--learner", "bob")
    assert out.returncode == 0 and "Traceback" not in out.stderr
    warnings = out.stderr.splitlines()
    assert len(warnings) == 1 and str(bad) in warnings[0] and "nested too deeply" in warnings[0], out.stderr
    assert "1 record of bob waits for approval" in out.stdout
    assert sum(len(json.loads(b)) for b in got) == 2  # amina's records went
    assert listed.returncode == 1 and str(bad) in _one_error(listed)
    outbox = all_outboxes(layout)[0]
    assert [e.learner for e in outbox.pending()] == ["bob"]


@pytest.mark.parametrize("damage", ["nested", "wrong types"])
def test_a_damaged_credentials_file_is_one_line_and_loses_nothing(
    run_mooc: RunMooc, mooc_home: Homes, damage: str
) -> None:
    with HostileLRS(lambda req: req.answer(200, [])) as lrs:
        layout = _machine(mooc_home.home, lrs.endpoint)
        layout.credentials_file.write_text(
            "lrs = " + "[" * 50_000 + "]" * 50_000 + "\n"
            if damage == "nested"
            else f'[[lrs]]\norigin = "{lrs.origin}"\npassword = [1, 2]\n'
        )
        layout.credentials_file.chmod(0o600)
        out = run_mooc("sync")
    line = _one_error(out)
    assert out.returncode == 1 and str(layout.credentials_file) in line
    assert lrs.requests == []  # nothing sent without knowing the credentials
    assert _pending(layout) == 3
