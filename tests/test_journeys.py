"""The journeys of ../shared/journeys.md, end to end with real parts (issue 11).

Each PC is its own data folder running the real `mooc` command; the pack server is a
real HTTP server (tests/support/static_server.py, what a publisher's nginx is) or
the teacher's real `mooc serve`; the LRS is the real Ralph; a fault proxy
(tests/support/fault_proxy.py) sits in front of the servers to throttle, drop and
cut; processes are killed with SIGKILL in the middle of downloads, quizzes and
uploads. Each journey asserts bytes on the wire, the records in Ralph (each once,
the right actor) and what the learner sees.

Here: Amina (a metered link: download killed and resumed, study with a failed
attempt that teaches, uploads through a flaky link with a kill, an update that
drops at its first ranged request) and Mr. Okafor's lab (`mooc serve` feeding PCs
that have their own data folders, a PC switched off mid-quiz, one USB file
collecting every PC without losing any, the upload from the staff room, a student
continuing on another PC with `--pull`). The other journeys are walked where their
parts live: Dev in tests/test_tmux_play.py (80x24, no colours, keys only),
Sofia in tests/test_plain.py, the provider in tests/test_certificate_issue.py,
the author in tests/test_import_olx.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MOOC_BIN, Homes
from tests.support.classroom import write_class_pack
from tests.support.fault_proxy import FaultProxy
from tests.support.ralph import RalphServer, account_agent
from tests.support.static_server import StaticServer
from tests.support.waiting import until

pytestmark = pytest.mark.lrs

FAIL = "1\nfalse\nmean\n"
PASS = "2\ntrue\nmedian\n"


class PC:
    """One computer: its own data folder and system store, the real `mooc` command."""

    def __init__(self, root: Path, name: str, base_env: Homes) -> None:
        self.name = name
        self.home = root / name / "home"
        self.system = root / name / "system"
        self.home.mkdir(parents=True)
        self.system.mkdir(parents=True)
        self.base_env = base_env

    def env(self) -> dict[str, str]:
        return self.base_env.env(
            MOOC_HOME=str(self.home), MOOC_SYSTEM_HOME=str(self.system), MOOC_BACKOFF_BASE="0.05", NO_COLOR="1"
        )

    def mooc(self, *args: str, input: str | None = None, code: int | None = 0) -> subprocess.CompletedProcess[str]:
        r = subprocess.run(
            [str(MOOC_BIN), *args], input=input, capture_output=True, text=True, timeout=180, env=self.env()
        )
        assert "Traceback" not in r.stderr, r.stderr
        if code is not None:
            assert r.returncode == code, (self.name, args, r.stdout[-3000:], r.stderr[-3000:])
        return r

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(MOOC_BIN), *args],
            env=self.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def progress(self, course: str, learner: str) -> dict[str, Any]:
        r = self.mooc("progress", course, "--json", "--learner", learner)
        return json.loads(r.stdout)["courses"][0]


def _journey_pack(
    dest: Path, endpoint: str, course: str, *, media_bytes: int = 0, version: str = "1.0.0", extra: str = ""
) -> Path:
    """The class pack with a hint and an explanation (feedback that teaches) and, with
    MEDIA_BYTES, a video-sized incompressible file linked from lesson one."""
    write_class_pack(dest, endpoint, course)
    quiz = dest / "quizzes" / "week-1.toml"
    quiz.write_text(
        quiz.read_text().replace(
            'prompt = "The mean of 2, 4 and 9?"\n',
            'prompt = "The mean of 2, 4 and 9?"\nhint = "Add them up, then divide by how many there are."\n'
            'explanation = "2 + 4 + 9 = 15, and 15 / 3 = 5."\n',
        )
    )
    toml = dest / "course.toml"
    toml.write_text(toml.read_text().replace('version = "1.0.0"', f'version = "{version}"'))
    if media_bytes:
        (dest / "media").mkdir(exist_ok=True)
        import random

        rng = random.Random(5)
        (dest / "media" / "lecture.bin").write_bytes(rng.randbytes(media_bytes))
        lesson = dest / "lessons" / "one.md"
        lesson.write_text(lesson.read_text() + "\n[The lecture](../media/lecture.bin)\n")
    if extra:
        lesson = dest / "lessons" / "two.md"
        lesson.write_text(lesson.read_text() + f"\n{extra}\n")
    return dest


def _publish(src: Path, www: Path, pc: PC) -> Path:
    from packages.building import build_pack

    course_toml = (src / "course.toml").read_text()
    cid = re.search(r'^id = "([^"]+)"', course_toml, re.M).group(1)
    version = re.search(r'^version = "([^"]+)"', course_toml, re.M).group(1)
    pack = build_pack(src, out=www / f"{cid}-{version}.mooc")
    pc.mooc("catalog", "build", str(www))
    return pack


def _statements(ralph: RalphServer, origin: str, account: str) -> list[dict[str, Any]]:
    stored = ralph.agent_statements(account_agent(origin, account))
    ids = [s["id"] for s in stored]
    assert len(ids) == len(set(ids)), "a statement is stored twice"
    return stored


# --------------------------------------------------------------------------- Amina


def test_amina_on_a_metered_link(tmp_path: Path, mooc_home: Homes, ralph_lrs: RalphServer) -> None:
    course = f"stats-{uuid.uuid4().hex[:6]}"
    publisher = PC(tmp_path, "publisher", mooc_home)
    amina = PC(tmp_path, "amina", mooc_home)
    www = tmp_path / "www"
    www.mkdir()
    with (
        StaticServer(www) as packs,
        FaultProxy(("127.0.0.1", packs.port)) as link,
        FaultProxy(("127.0.0.1", ralph_lrs.port)) as cafe,
    ):
        endpoint = f"{cafe.url}xAPI/"
        src = _journey_pack(tmp_path / "src", endpoint, course, media_bytes=3_000_000)
        pack = _publish(src, www, publisher)
        size = pack.stat().st_size

        # the catalog, then the download on the bus: a slow link, and she closes the laptop (kill -9)
        amina.mooc("catalog", "add", link.url + "catalog.json", "--name", "university")
        link.reset_counters()
        link.rate = 400_000
        bus = amina.start("install", course)
        part = amina.home / "downloads" / f"{pack.name}.part"
        until(lambda: part.exists() and part.stat().st_size > 600_000)
        os.kill(bus.pid, signal.SIGKILL)
        bus.wait()
        kept = part.stat().st_size
        assert course not in amina.mooc("list").stdout

        # at home: the same command; the link still drops every 700 kB
        link.rate = None
        link.drop_after = 700_000
        home = amina.mooc("install", course)
        assert f"installed {course} 1.0.0" in home.stdout
        wire = link.bytes_down
        assert link.drops >= 2
        # the killed run's bytes are kept: the pack crosses the wire about once (+ headers, + what was in flight)
        assert kept < wire <= 1.15 * size, (kept, wire, size)
        link.drop_after = None

        # three weeks offline: lesson one, the week-1 quiz failed once (hint and explanation
        # shown, not the right answer), then passed; the certificate requested
        amina.mooc("learner", "add", "Amina")
        r = amina.mooc("play", "--plain", course, "one", "--learner", "amina", input="\nq\n")
        assert str(amina.home) in r.stdout and "lecture.bin" in r.stdout  # the real path of the media
        r = amina.mooc("play", "--plain", course, "week-1", "--learner", "amina", input=FAIL + "q\n")
        assert "Not passed: 0%" in r.stdout
        assert "Add them up, then divide by how many there are." in r.stdout
        failed = r.stdout.split("Score: 0/3", 1)[1]
        assert "five" not in failed and "15 / 3" not in failed  # the answer and explanation wait for a pass
        r = amina.mooc("play", "--plain", course, "week-1", "--learner", "amina", input="y\n" + PASS + "q\n")
        assert "Passed: 100%" in r.stdout and "Congratulations: you passed the course" in r.stdout
        assert "2 + 4 + 9 = 15, and 15 / 3 = 5." in r.stdout
        r = amina.mooc("play", "--plain", course, "two", "--learner", "amina", input="certificate\ny\nq\n")
        assert "Request your certificate now?" in r.stdout
        status = json.loads(amina.mooc("certificate", "status", "--json", "--learner", "amina").stdout)
        assert [(c["course"], c["state"]) for c in status["requests"]] == [(course, "waiting for approval")]
        before = amina.progress(course, "amina")
        assert before["passed"] is True and before["lessons_done"] == 1

        # the café: she allows the LRS once; uploads go through a link that cuts half the answers,
        # and the first sync is killed mid-way
        amina.mooc("consent", "allow", f"127.0.0.1:{cafe.port}", "--learner", "amina")
        ralph_lrs.login(amina.mooc, endpoint=endpoint)
        cafe.stall, cafe.stall_count = 4.0, 1  # the LRS stores the first batch; its answer is held ...
        killed = amina.start("sync")
        until(lambda: cafe.connections >= 1 and cafe.bytes_up > 1_000)
        time.sleep(1.0)
        os.kill(killed.pid, signal.SIGKILL)  # ... and the laptop shuts before it arrives
        killed.wait()
        assert cafe.wait_idle()
        cafe.rng.seed(3)
        cafe.drop_rate = 0.5
        for _ in range(20):
            r = amina.mooc("sync", "--json", code=None)
            assert cafe.wait_idle()
            if r.returncode == 0 and all(e["pending"] == 0 for e in json.loads(r.stdout)["endpoints"]):
                break
        else:
            pytest.fail("the uploads never finished through a link losing half its answers")
        assert cafe.drops >= 1
        cafe.drop_rate = 0.0
        account = json.loads(amina.mooc("learner", "list", "--json").stdout)[0]["account_id"]
        stored = _statements(ralph_lrs, cafe.url.rstrip("/"), account)
        verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in stored]
        assert verbs.count("failed") == 1 and verbs.count("passed") >= 1 and "completed" in verbs
        status = json.loads(amina.mooc("certificate", "status", "--json", "--learner", "amina").stdout)
        [request] = status["requests"]
        assert request["state"] == "sent" and any(s["id"] == request["statement_id"] for s in stored), request
        assert all(s["actor"]["account"]["name"] == account for s in stored)
        uploaded = cafe.bytes_up
        assert uploaded / len(stored) < 4_000, (uploaded, len(stored))  # a few kB for everything

        # an update on the café's Wi-Fi: one lesson changed; the link drops during the first ranged request
        _journey_pack(
            tmp_path / "src", endpoint, course, media_bytes=3_000_000, version="1.1.0", extra="A worked example."
        )
        new = _publish(tmp_path / "src", www, publisher)
        check = json.loads(amina.mooc("update", "--check", "--json").stdout)
        assert [(c["id"], c["method"]) for c in check] == [(course, "delta")]
        assert check[0]["fetch_bytes"] < new.stat().st_size / 50
        link.reset_counters()
        link.drop_after, link.drop_count, link.drop_rst = 150, 1, True
        r = amina.mooc("update", "--json")
        [report] = json.loads(r.stdout)
        assert report["method"] == "delta" and report["to"] == "1.1.0", report
        assert link.drops == 1
        catalog = (www / "catalog.json").stat().st_size
        assert link.bytes_down - catalog <= 2 * check[0]["fetch_bytes"] + 8_000  # + HTTP headers
        after = amina.progress(course, "amina")
        assert after["passed"] is True and after["lessons_done"] == before["lessons_done"]
        # nothing is sent twice: the next sync has nothing new but the update's own records, if any
        amina.mooc("sync")
        assert len(_statements(ralph_lrs, cafe.url.rstrip("/"), account)) >= len(stored)


# --------------------------------------------------------------------------- Mr. Okafor's lab


ROSTER = "name,email,pin\nAmina Diallo,amina-{tag}@example.org,2580\nBola Ade,bola-{tag}@example.org,\n"


def _serve(teacher: PC, log: Path) -> tuple[subprocess.Popen[str], str]:
    import sys

    from tests.conftest import REPO

    proc = subprocess.Popen(
        [sys.executable, "-m", "player", "serve", "--port", "0", "--log", str(log)],
        env=teacher.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    return proc, proc.stdout.readline().split(" on ")[1].strip()


def _read_until(proc: subprocess.Popen[str], marker: str) -> str:
    """What PROC printed up to and including MARKER (plain mode prompts end without a newline)."""
    seen = ""
    while marker not in seen:
        ch = proc.stdout.read(1)
        assert ch, f"ended before {marker!r}: {seen[-500:]}"
        seen += ch
    return seen


def test_mr_okafors_lab(tmp_path: Path, mooc_home: Homes, ralph_lrs: RalphServer) -> None:
    tag = uuid.uuid4().hex[:6]
    course = f"lab-{tag}"
    teacher = PC(tmp_path, "teacher", mooc_home)
    pcs = [PC(tmp_path, f"pc{n}", mooc_home) for n in (1, 2)]
    usb = tmp_path / "usb"
    usb.mkdir()
    roster = usb / "class.csv"
    roster.write_text(ROSTER.format(tag=tag))
    endpoint = ralph_lrs.endpoint

    # the course from the stick, system-wide on the teacher's PC, shared with `mooc serve`
    teacher.mooc("install", "--system", str(_journey_pack(tmp_path / "v1", endpoint, course)))
    log = tmp_path / "serve.log"
    server, url = _serve(teacher, log)
    try:
        for pc in pcs:
            pc.mooc("catalog", "add", url, "--name", "teacher")
            assert f"installed {course} 1.0.0" in pc.mooc("install", course).stdout
            pc.mooc("learner", "import", str(roster))
            pc.mooc("lab", "approve", endpoint, "--school", "Lycée du Parc")
        pc1, pc2 = pcs

        # PC 1: Amina (PIN) passes; PC 2: Bola answers one question and the PC is switched off at the wall
        r = pc1.mooc("play", "--plain", course, "week-1", "--learner", "amina-diallo", input="2580\n" + PASS + "q\n")
        assert "Passed: 100%" in r.stdout
        pc2.mooc("play", "--plain", course, "one", "--learner", "bola-ade", input="\nq\n")  # lesson one read
        quiz = pc2.start("play", "--plain", course, "week-1", "--learner", "bola-ade")
        _read_until(quiz, "Your answer, a number from 1 to 3: ")
        quiz.stdin.write("2\n")
        quiz.stdin.flush()
        _read_until(quiz, "True or false: ")
        os.kill(quiz.pid, signal.SIGKILL)
        quiz.wait()
        r = pc2.mooc("play", "--plain", course, "--learner", "bola-ade", input="\n" + "2\nfalse\nmean\nq\n")
        assert "One (lesson, done)" in r.stdout  # what she did before the power cut is there
        assert "You were at: Week 1 quiz, a quiz you have not passed yet. Press Enter to take it" in r.stdout
        assert "attempts left: 3 of 3" in r.stdout  # the cut attempt was never submitted: it does not count
        assert "Score: 1/3" in r.stdout
        bola_pc2 = pc2.progress(course, "bola-ade")
        assert bola_pc2["lessons_done"] == 1 and bola_pc2["passed"] is False

        # next week's version, installed while serve runs: PC 1 sees it at once and fetches a delta
        teacher.mooc(
            "install",
            "--system",
            str(_journey_pack(tmp_path / "v2", endpoint, course, version="1.1.0", extra="Week two's worked example.")),
        )
        [plan] = json.loads(pc1.mooc("update", "--check", "--json").stdout)
        assert (plan["available"], plan["method"]) == ("1.1.0", "delta")
        [done] = json.loads(pc1.mooc("update", "--json").stdout)
        assert done["method"] == "delta" and done["bytes_fetched"] == plan["fetch_bytes"]
    finally:
        server.terminate()
        server.communicate(timeout=10)
    lines = log.read_text().splitlines()
    assert any(
        line.endswith(f"the store changed: now sharing {course}-1.1.0; no longer sharing {course}-1.0.0")
        for line in lines
    ), lines
    assert sum(f"GET /packs/{course}-1.0.0.mooc  200" in line for line in lines) == 2  # one per PC
    assert any(f"GET /packs/{course}-1.1.0.mooc  206" in line for line in lines), lines  # the delta's ranges

    # Friday: every PC adds its records to ONE file on the stick; nothing is overwritten
    lab_file = usb / "lab.json"
    for pc in (pc1, pc2, pc1):
        pc.mooc("sync", "--export", str(lab_file))
    [lab] = json.loads(lab_file.read_text())["endpoints"]
    statements = [json.loads(s["body"]) for record in lab["records"] for s in record["statements"]]
    ids = [s["id"] for s in statements]
    assert len(ids) == len(set(ids)) and len(ids) >= 8
    actors = {s["actor"].get("mbox") for s in statements}
    assert actors == {f"mailto:amina-{tag}@example.org", f"mailto:bola-{tag}@example.org"}

    # the staff room: the class report from the stick, then the upload (twice: nothing doubles)
    teacher.mooc("learner", "import", str(roster))  # names for the report
    report = json.loads(teacher.mooc("report", "--json", "--from", str(lab_file)).stdout)
    rows = {row["name"]: row for c in report["courses"] for row in c["learners"]}
    assert (rows["Amina Diallo"]["passed"], rows["Amina Diallo"]["score"]) == (True, 1.0)
    assert (rows["Bola Ade"]["passed"], rows["Bola Ade"]["lessons_done"]) == (False, 1)
    assert rows["Bola Ade"]["score"] == pytest.approx(1 / 3, abs=1e-6)
    ralph_lrs.login(teacher.mooc, endpoint=endpoint)
    teacher.mooc("sync", "--import", str(lab_file))
    teacher.mooc("sync", "--import", str(lab_file))
    for who in ("amina", "bola"):
        stored = ralph_lrs.agent_statements({"mbox": f"mailto:{who}-{tag}@example.org"})
        mine = [s for s in statements if s["actor"]["mbox"] == f"mailto:{who}-{tag}@example.org"]
        assert sorted(s["id"] for s in stored) == sorted(s["id"] for s in mine), who

    # Bola moves to PC 1 next week: she continues where she stopped
    ralph_lrs.login(pc1.mooc, endpoint=endpoint)
    pc1.mooc("sync", "--pull", course, "--learner", "bola-ade")
    moved = pc1.progress(course, "bola-ade")
    for key in ("lessons_done", "score", "passed", "quizzes", "position"):
        assert moved[key] == bola_pc2[key], key
    r = pc1.mooc("play", "--plain", course, "--learner", "bola-ade", input="\n" + PASS + "q\n")
    assert "You were at: Week 1 quiz" in r.stdout and "attempts left: 2 of 3" in r.stdout
    assert "Passed: 100%" in r.stdout
