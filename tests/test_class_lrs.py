"""`mooc report --lrs`: the class read back from the real Ralph LRS, and a hostile LRS
that must not make the reading unbounded."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from packages.errors import MoocError
from tests.conftest import RunMooc
from tests.support.classroom import RIGHT, study, write_class_pack
from tests.support.ralph import RalphServer

WRONG = (0, False, "mean")


def _comparable(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-learner and per-quiz numbers of a report, without where they came from."""
    out = []
    for c in data["courses"]:
        rows = [{k: v for k, v in r.items() if k not in ("sources", "learner_ids")} for r in c["learners"]]
        out.append({"id": c["id"], "learners": sorted(rows, key=lambda r: r["name"]), "quizzes": c["quizzes"]})
    return out


@pytest.mark.lrs
def test_report_from_the_lrs_is_the_report_from_the_exports(
    run_mooc: RunMooc, tmp_path: Path, ralph_lrs: RalphServer
) -> None:
    course = f"class-{uuid.uuid4().hex[:8]}"
    pack = write_class_pack(tmp_path / "pack", ralph_lrs.endpoint, course)
    pc1, pc2, staff, stick = (tmp_path / n for n in ("pc1", "pc2", "staff", "stick"))
    email = f"amina-{course}@example.org"

    def mooc(home: Path, *args: str, input: str | None = None) -> Any:
        r = run_mooc(*args, input=input, env={"MOOC_HOME": str(home)})
        assert r.returncode == 0, r.stderr
        return r

    for home in (pc1, pc2, staff):
        mooc(home, "install", str(pack))
    mooc(pc1, "learner", "add", "Amina Diallo", "--email", email)
    mooc(pc2, "learner", "add", "Amina Diallo", "--email", email)
    mooc(pc1, "learner", "add", "Dev")
    study(pc1, "amina-diallo", [WRONG], course_id=course, seconds=30)
    study(pc2, "amina-diallo", [RIGHT], lessons=("two",), course_id=course, seconds=45)
    study(pc1, "dev", [(2, True, "median"), RIGHT], lessons=("one", "two"), course_id=course)
    for home, who in ((pc1, "amina-diallo"), (pc2, "amina-diallo"), (pc1, "dev")):
        mooc(home, "consent", "allow", ralph_lrs.endpoint, "--learner", who)
    for home in (pc1, pc2):
        ralph_lrs.login(mooc, home)
        mooc(home, "sync")
        mooc(home, "learner", "export", "--all", "-o", str(stick / f"{home.name}.mooc-learners"))
    # the teacher: the roster (names for the LRS's emails), and the provider's credentials
    mooc(staff, "learner", "add", "Amina Diallo", "--email", email)
    ralph_lrs.login(mooc, staff)

    from_files = json.loads(mooc(staff, "report", "--json", "--from", str(stick), "--course", course).stdout)
    from_lrs = json.loads(mooc(staff, "report", "--json", "--lrs", "--course", course).stdout)
    assert from_lrs["sources"] == [f"LRS 127.0.0.1:{ralph_lrs.port}"]
    # Dev has no email and is not on the teacher's roster: the LRS knows only an account id
    dev_account = next(r for r in from_files["courses"][0]["learners"] if r["name"] == "Dev")["account_ids"][0]
    for row in from_lrs["courses"][0]["learners"]:
        if row["account_ids"] == [dev_account]:
            row["name"] = "Dev"
    for row in from_files["courses"][0]["learners"]:
        if row["name"] == "Amina Diallo":
            row["account_ids"] = []  # the LRS knows Amina by her email only
    assert _comparable(from_lrs) == _comparable(from_files)
    amina = next(r for r in from_lrs["courses"][0]["learners"] if r["name"] == "Amina Diallo")
    assert amina["quizzes"][0]["attempts"] == 2 and amina["lessons_done"] == 2 and amina["passed"] is True
    assert amina["active_time_s"] == pytest.approx(75)

    text = mooc(staff, "report", "--lrs", "--course", course).stdout
    assert "Amina Diallo" in text and f"account {dev_account}" in text


# ---------------------------------------------------------------------- a hostile LRS


class HostileLRS:
    """Answers GET /xAPI/statements as `mode` says."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                outer.requests += 1
                outer.answer(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/xAPI/"

    def send(self, h: BaseHTTPRequestHandler, body: bytes, status: int = 200, length: int | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body) if length is None else length))
        h.end_headers()
        try:
            h.wfile.write(body)
        except OSError:
            pass

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        if self.mode == "huge":
            self.send(h, b"{}", length=10 * 1024 * 1024 * 1024)
        elif self.mode == "endless":  # every page points to a new page
            self.send(h, json.dumps({"statements": [], "more": f"/xAPI/statements?page={uuid.uuid4()}"}).encode())
        elif self.mode == "loop":
            self.send(h, json.dumps({"statements": [], "more": "/xAPI/statements?page=1"}).encode())
        elif self.mode == "elsewhere":
            self.send(h, json.dumps({"statements": [], "more": "http://198.51.100.7/steal"}).encode())
        elif self.mode == "drip":  # a byte a second, for ever
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.end_headers()
            try:
                for _ in range(120):
                    h.wfile.write(b" ")
                    h.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass
        elif self.mode == "unauthorized":
            self.send(h, b'{"detail": "Invalid authentication credentials"}', status=401)
        elif self.mode == "nested":
            self.send(h, b"[" * 200_000)

    def __enter__(self) -> HostileLRS:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def teacher(mooc_home: Any) -> Iterator[Any]:
    from packages.layout import Layout

    yield Layout(mooc_home.home, mooc_home.system)


def _login(layout: Any, endpoint: str) -> None:
    from sync import credentials
    from sync.endpoints import normalise

    credentials.store(layout, normalise(endpoint), user="teacher", password="pw")


@pytest.mark.parametrize(
    "mode, said, bound",
    [
        ("huge", "the answer is larger than 1 MB", 1),
        ("endless", "stopped after 50 pages and 0 statements, the most a report reads", 50),
        ("loop", "'more' link it had sent before", 2),
        ("elsewhere", "leads off this LRS", 1),
        ("drip", "MOOC_DEADLINE|2 s", 1),
        ("nested", "is not JSON", 1),
    ],
)
def test_a_hostile_lrs_is_read_within_bounds(teacher: Any, mode: str, said: str, bound: int) -> None:
    from player.class_data import ClassData
    from sync.class_query import from_lrs

    with HostileLRS(mode) as lrs:
        _login(teacher, lrs.endpoint)
        started = time.monotonic()
        with pytest.raises(MoocError, match=said):
            from_lrs(ClassData(), teacher, lrs.endpoint, deadline_s=2, max_page_bytes=1024 * 1024, max_pages=50)
        assert time.monotonic() - started < 10
        assert lrs.requests <= bound


def test_refused_credentials_and_no_credentials_are_one_line(run_mooc: RunMooc, teacher: Any) -> None:
    with HostileLRS("unauthorized") as lrs:
        r = run_mooc("report", "--lrs", lrs.endpoint)
        assert r.returncode == 1
        assert (
            r.stderr == f"mooc: error: no credentials for {lrs.endpoint[7:-6]}: reading the class needs the "
            f"provider's; run `mooc login {lrs.endpoint} --user NAME` first\n"
        )
        _login(teacher, lrs.endpoint)
        r = run_mooc("report", "--lrs", lrs.endpoint)
        assert r.returncode == 1 and r.stdout == ""
        assert (
            r.stderr == f"mooc: error: {lrs.endpoint[7:-6]} refused the credentials (401): log in with "
            f"`mooc login {lrs.endpoint} --user NAME`\n"
        )
